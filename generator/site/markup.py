"""Dump text to HTML and to plain text: abstracts as escaped text, LaTeX as MathML.

Math is rendered on the server (latex2mathml): pages need no script or web font
to show it, load fast, and read the same in feed readers. ``$\\textit{...}$``,
a common way abstracts italicise text, becomes ``<em>`` rather than math. Text inside
math (``\\text{...}``, ``\\mbox{...}``) stays text: the MathML tree is serialised escaped, and
every fragment then passes the one sanitising boundary (``sanitize.clean_html``).
"""

from __future__ import annotations

import functools
import re
from html import escape

from generator.site.sanitize import clean_html, strip_control

# $$display$$ or $inline$ (Pandoc's rule: no space inside the dollars, no digit after).
MATH = re.compile(r"(?<![\\$])\$\$(?P<display>.+?)\$\$"
                  r"|(?<![\\$])\$(?=\S)(?P<inline>[^$]+?)(?<=\S)(?<!\\)\$(?!\d)", re.DOTALL)
_TEXT_COMMAND = re.compile(r"\\(textit|emph|textbf|textsc|texttt|text|mathrm)\{([^{}]*)\}")
_TEXT_TAGS = {"textit": "em", "emph": "em", "textbf": "strong", "texttt": "code"}
_ESCAPED = re.compile(r"\\([%&#_$])")
_MTEXT_VARIANT = re.compile(r'<mtext mathvariant="(italic|bold)">')
# latex2mathml stores characters as numeric references in the tree's text; these come back.
_NUMERIC_REFERENCE = re.compile(r"&amp;(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7});")


@functools.lru_cache(maxsize=4096)
def math_html(tex: str, display: bool = False) -> str:
    """One formula as MathML; text-only commands as HTML; unparsable TeX shown as code.
    (Remembered: notes repeat their formulas, and latex2mathml takes ~0.1 ms for one.)"""
    whole = _TEXT_COMMAND.fullmatch(tex.strip())
    if whole and not display:
        tag = _TEXT_TAGS.get(whole[1])
        inner = escape(whole[2])
        return f"<{tag}>{inner}</{tag}>" if tag else inner
    try:
        mathml = _mathml(tex, display)
    except Exception:  # latex2mathml raises many types; any failure shows the source instead
        delimiter = "$$" if display else "$"
        return f'<code class="tex">{escape(delimiter + tex + delimiter)}</code>'
    styles = {"italic": "font-style:italic", "bold": "font-weight:bold"}
    return _MTEXT_VARIANT.sub(lambda m: f'<mtext style="{styles[m[1]]}">', mathml)


def _mathml(tex: str, display: bool) -> str:
    """latex2mathml's tree serialised escaped. (Its own ``convert`` unescapes the whole string
    to keep its character references, which also turns ``\\text{<script>}`` into markup.)"""
    from xml.etree.ElementTree import tostring  # only pages with math pay for these

    from latex2mathml.converter import convert_to_element

    xml = tostring(convert_to_element(tex, display="block" if display else "inline"), encoding="unicode")
    return _NUMERIC_REFERENCE.sub(r"&\1;", xml)


def text_html(text: str) -> str:
    """Plain dump text (an abstract) as HTML: escaped, paragraphs kept, LaTeX rendered, and
    sanitised like every fragment."""
    if "$" not in text and "\\" not in text:
        html = "".join(f"<p>{escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())
    else:
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        html = "".join(f"<p>{_inline_text_html(p)}</p>" for p in paragraphs)
    return clean_html(html)


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
    """A LaTeX-free, single-line version of dump text without control characters, for
    teasers, feeds and search."""
    text = strip_control(text)
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
