"""Dump text to HTML and to plain text: abstracts as escaped text, LaTeX as MathML.

Math is rendered on the server (latex2mathml): pages need no script or web font
to show it, load fast, and read the same in feed readers. ``$\\textit{...}$``,
a common way abstracts italicise text, becomes ``<em>`` rather than math.
"""

from __future__ import annotations

import re
from html import escape

# $$display$$ or $inline$ (Pandoc's rule: no space inside the dollars, no digit after).
MATH = re.compile(r"(?<![\\$])\$\$(?P<display>.+?)\$\$"
                  r"|(?<![\\$])\$(?=\S)(?P<inline>[^$]+?)(?<=\S)(?<!\\)\$(?!\d)", re.DOTALL)
_TEXT_COMMAND = re.compile(r"\\(textit|emph|textbf|textsc|texttt|text|mathrm)\{([^{}]*)\}")
_TEXT_TAGS = {"textit": "em", "emph": "em", "textbf": "strong", "texttt": "code"}
_ESCAPED = re.compile(r"\\([%&#_$])")
_MTEXT_VARIANT = re.compile(r'<mtext mathvariant="(italic|bold)">')


def math_html(tex: str, display: bool = False) -> str:
    """One formula as MathML; text-only commands as HTML; unparsable TeX shown as code."""
    whole = _TEXT_COMMAND.fullmatch(tex.strip())
    if whole and not display:
        tag = _TEXT_TAGS.get(whole[1])
        inner = escape(whole[2])
        return f"<{tag}>{inner}</{tag}>" if tag else inner
    from latex2mathml.converter import convert as latex_to_mathml  # only pages with math pay for it

    try:
        mathml = latex_to_mathml(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many types; any failure shows the source instead
        delimiter = "$$" if display else "$"
        return f'<code class="tex">{escape(delimiter + tex + delimiter)}</code>'
    styles = {"italic": "font-style:italic", "bold": "font-weight:bold"}
    return _MTEXT_VARIANT.sub(lambda m: f'<mtext style="{styles[m[1]]}">', mathml)


def text_html(text: str) -> str:
    """Plain dump text (an abstract) as HTML: escaped, paragraphs kept, LaTeX rendered."""
    if "$" not in text and "\\" not in text:
        return "".join(f"<p>{escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{_inline_text_html(p)}</p>" for p in paragraphs)


def _inline_text_html(text: str) -> str:
    out, last = [], 0
    for match in MATH.finditer(text):
        out.append(_latex_text(text[last:match.start()]))
        display = match["display"] is not None
        out.append(math_html(match["display"] if display else match["inline"], display))
        last = match.end()
    out.append(_latex_text(text[last:]))
    return "".join(out)


def _latex_text(text: str) -> str:
    """Escaped text with the LaTeX text commands abstracts use outside math."""
    html = escape(_ESCAPED.sub(r"\1", text))
    return _TEXT_COMMAND.sub(
        lambda m: f"<{_TEXT_TAGS[m[1]]}>{m[2]}</{_TEXT_TAGS[m[1]]}>" if m[1] in _TEXT_TAGS else m[2],
        html)


def plain_text(text: str) -> str:
    """A LaTeX-free, single-line version of dump text, for teasers, feeds and search."""
    if "$" not in text and "\\" not in text:
        return " ".join(text.split())
    text = _TEXT_COMMAND.sub(lambda m: m[2], text)
    text = _ESCAPED.sub(r"\1", text)
    text = MATH.sub(lambda m: (m["display"] or m["inline"]).strip(), text)
    return " ".join(text.split())


def teaser(text: str, limit: int = 280) -> str:
    """The start of ``text`` cut at a word boundary, with an ellipsis when cut."""
    flat = plain_text(text)
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
