"""What a page, feed or fragment may hold, checked on parsed output (never by string matching)."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from generator.site.sanitize import HTML_TAGS, MATHML_TAGS, URL_SCHEMES

LATEX_HTML = [  # LaTeX text commands and math carrying raw HTML
    r"$\mbox{<script>alert(1)</script>}$",
    r"$x\text{<svg/onload=alert(2)>}$",
    r"$x + \textit{<img src=x onerror=alert(3)>}$",
    r"$\textbf{<b>bold</b>} + \mathrm{<i>}$",
    r"$$\text{<iframe src=javascript:alert(4)>}$$",
    r"$x\text{&lt;script&gt;alert(5)&lt;/script&gt;}$",
    "<details/open/ontoggle=alert(6)>",
]
LATEX_ATTRIBUTES = [  # commands that would set attributes from the input
    r"$\style{position:fixed;top:0;left:0;width:100%;height:100%}{x}$",
    r"$\href{javascript:alert(1)}{click}$",
    r"$\class{visually-hidden}{x}$",
    r"$\color{red}{x} \colorbox{red}{y}$",
    r"$\hspace{1em;background:url(x)} \rule{1e9px}{1e9px}$",
    r"$\cssId{main}{x}$",
]
NOTE_LINKS = [  # item 2: every way of spelling a script-running link target
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "[x][r]\n\n[r]: <vbscript:msgbox(1)>",
    "<javascript:alert(1)>",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript&#x3A;alert(1))",
    "[x](java&#9;script:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](java&Tab;script:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "[x](javascript&colon;alert(1))",
    "[x](%6Aavascript:alert(1))",
]

# A browser drops these before reading a URL's scheme (WHATWG URL: ASCII tab, LF, CR anywhere;
# C0 controls and spaces at the ends), and compares the scheme case-insensitively.
_IGNORED = re.compile(r"[\t\n\r]")
_ENDS = "".join(map(chr, range(0x21)))
_ALIGN = re.compile(r"text-align: (left|right|center);")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would follow ``url`` with (None: relative)."""
    cleaned = _IGNORED.sub("", url).strip(_ENDS)
    found = _SCHEME.match(cleaned)  # (percent-encoding is not decoded in a scheme: relative)
    return found[1].lower() if found else None


def fragment_problems(html: str) -> list[str]:
    """Everything in an abstract or notes fragment that is outside the allow-list."""
    found = []
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        if element.name not in HTML_TAGS | MATHML_TAGS:
            found.append(f"element <{element.name}>")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if name.lower().startswith("on"):
                found.append(f"event handler {name}={value!r}")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                    url_scheme(value) not in (None, *URL_SCHEMES)):
                found.append(f"{name}={value!r}")
            aligned = element.name in ("th", "td") and _ALIGN.fullmatch(value)
            if name == "style" and value not in ("font-style:italic", "font-weight:bold") and not aligned:
                found.append(f"style={value!r} on <{element.name}>")
            if name in ("class", "mathcolor", "mathbackground") and element.name in MATHML_TAGS:
                found.append(f"{name}={value!r} on <{element.name}>")
    if CONTROL.search(html):
        found.append("control character")
    return found
