"""The one boundary for untrusted HTML: every fragment made from dump or note text passes here.

Abstracts come from arXiv and Hugging Face, notes are Markdown, math is LaTeX: none of it may
put script, event handlers, style or a ``javascript:`` link on a published page or in a feed.
The renderers (``markup``, ``notes``) make HTML; :func:`clean_html` keeps only a fixed set of
elements, attributes and URL schemes and drops the rest. The HTML parsing, URL decoding and
scheme checks are ammonia's (the Rust sanitiser, through ``nh3``), not hand-written here.
Control characters, which XML forbids and HTML calls parse errors, are removed first.
"""

from __future__ import annotations

import functools
import hashlib
import re

# C0 controls but tab, LF and CR; DEL and C1; surrogates; U+FFFE/U+FFFF. None may reach XML.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

URL_SCHEMES = frozenset({"http", "https", "mailto"})  # and relative URLs, which ammonia passes

# What Python-Markdown makes of a note (tables, fenced code, footnotes; no raw HTML).
HTML_TAGS = frozenset({
    "p", "br", "hr", "em", "strong", "code", "pre", "a", "img", "ul", "ol", "li", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    "sup", "sub", "del", "div",
})
# What latex2mathml makes of a formula.
MATHML_TAGS = frozenset({
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mstyle", "mtable", "mtr", "mtd",
    "munder", "mover", "munderover", "mpadded", "menclose", "mphantom", "merror",
    "mmultiscripts", "mprescripts", "none",
})
_MATH_COMMON = {"mathvariant", "displaystyle", "scriptlevel"}
_SIZES = {"width", "height", "depth", "lspace", "rspace", "voffset", "minsize", "maxsize", "mathsize",
          "linethickness"}
# Lengths from input are bounded (in em): an offset or a rule's height moves text within its
# line only (``\raise{40em}`` could lay spoofed text over the page), other sizes stay small.
_OFFSETS = {"voffset", "height", "depth", "lspace", "rspace"}
OFFSET_LIMIT, SIZE_LIMIT = 1.0, 10.0
_EM_PER_UNIT = {"": 1.0, "em": 1.0, "ex": 0.5, "px": 1 / 16, "pt": 1 / 12, "pc": 1.0, "mm": 0.24,
                "cm": 2.4, "in": 6.0, "mu": 1 / 18, "%": 0.01, "width": 1.0, "height": 1.0}
ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "class"}, "img": {"src", "alt", "title"},
    "code": {"class"}, "div": {"class"}, "sup": {"id"}, "li": {"id"},
    "math": {"display", *_MATH_COMMON},
    "mo": {"stretchy", "fence", "form", "separator", "largeop", "movablelimits", "accent",
           "symmetric", *_SIZES, *_MATH_COMMON},
    "mover": {"accent", *_MATH_COMMON}, "munder": {"accentunder", *_MATH_COMMON},
    "munderover": {"accent", "accentunder", *_MATH_COMMON},
    "mfrac": {"linethickness", *_MATH_COMMON},
    "mspace": {*_SIZES, "linebreak", *_MATH_COMMON}, "mpadded": {*_SIZES, *_MATH_COMMON},
    "mstyle": {*_SIZES, *_MATH_COMMON},
    "mtable": {"columnalign", "rowalign", "columnlines", "rowlines", "columnspacing", "rowspacing",
               "frame", "framespacing", "equalrows", "equalcolumns", *_MATH_COMMON},
    "mtr": {"columnalign", "rowalign"}, "mtd": {"columnalign", "rowalign", "columnspan", "rowspan"},
    "menclose": {"notation"}, "annotation": {"encoding"},
    **{tag: set(_MATH_COMMON) for tag in ("mi", "mn", "mtext", "mrow", "msup", "msub", "msubsup",
                                          "msqrt", "mroot", "ms")},
}
# Attributes allowed with these exact values only: the renderers' own, never the input's.
_ALIGN = {f"text-align: {side};" for side in ("left", "right", "center")}
FIXED_VALUES: dict[str, dict[str, set[str]]] = {
    "math": {"xmlns": {"http://www.w3.org/1998/Math/MathML"}},
    "mtext": {"style": {"font-style:italic", "font-weight:bold"}},
    "th": {"style": _ALIGN}, "td": {"style": _ALIGN},
}
# Values checked by pattern: classes and ids the renderers make, and MathML lengths.
_CLASSES = re.compile(r"(footnote|footnote-ref|footnote-backref|tex|language-[\w+#.-]{1,40})")
_IDS = re.compile(r"fn(ref\d*)?:[\w.:-]{1,80}")
_LENGTH = re.compile(r"-?(\d{1,4}(\.\d{0,4})?|\.\d{1,4})(em|ex|px|pt|pc|mm|cm|in|mu|%|width|height)?"
                     r"|(negative)?(very){0,2}(thin|medium|thick)mathspace|0")
_NUMBER = re.compile(r"(-?[\d.]+)([a-z%]*)$")
_TOKEN = re.compile(r"[\w./%-]{1,40}( [\w./%-]{1,40}){0,60}")


def _value(tag: str, name: str, value: str) -> str | None:
    """The attribute's value if it is one the renderers make, else None (dropped)."""
    if name in ("href", "src", "alt", "title", "xmlns", "style"):  # (schemes, values: ammonia's)
        return value
    if name == "class":
        return value if _CLASSES.fullmatch(value) else None
    if name == "id":
        return value if _IDS.fullmatch(value) else None
    if name in _SIZES:
        return value if _LENGTH.fullmatch(value) and _within_limit(name, value) else None
    return value if _TOKEN.fullmatch(value) else None


def _within_limit(name: str, value: str) -> bool:
    """Whether a MathML length (already of the right shape) is small enough for ``name``."""
    number = _NUMBER.match(value)
    if number is None:  # a named space (``thinmathspace``...): all small
        return True
    size = abs(float(number[1])) * _EM_PER_UNIT[number[2]]
    return size <= (OFFSET_LIMIT if name in _OFFSETS else SIZE_LIMIT)


@functools.cache
def _cleaner():
    import nh3  # loads only when a fragment is rendered

    return nh3.Cleaner(
        tags=set(HTML_TAGS | MATHML_TAGS), clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        tag_attribute_values={t: {a: set(v) for a, v in d.items()} for t, d in FIXED_VALUES.items()},
        attribute_filter=_value, url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer",
        strip_comments=True)


def strip_control(text: str) -> str:
    """``text`` without the characters XML forbids (a cheap search first: usually none)."""
    return CONTROL.sub("", text) if CONTROL.search(text) else text


def clean_html(html: str) -> str:
    """``html`` keeping only the allowed elements, attributes and URL schemes; the rest is
    dropped (disallowed elements keep their text, ``script`` and ``style`` lose it too)."""
    if not html:
        return html
    # again after: character references (``&#27;``) are turned into the characters by the parse
    return strip_control(_cleaner().clean(strip_control(html)))


@functools.cache
def policy_key() -> str:
    """Changes whenever what :func:`clean_html` lets through changes: a cached fragment made
    under another policy (or by a papershelf without this boundary) must be made again."""
    policy = (sorted(HTML_TAGS | MATHML_TAGS), sorted((t, sorted(a)) for t, a in ATTRIBUTES.items()),
              sorted((t, sorted((a, sorted(v)) for a, v in d.items())) for t, d in FIXED_VALUES.items()),
              sorted(URL_SCHEMES), CONTROL.pattern, _CLASSES.pattern, _IDS.pattern, _LENGTH.pattern,
              _TOKEN.pattern, sorted(_OFFSETS), OFFSET_LIMIT, SIZE_LIMIT, sorted(_EM_PER_UNIT.items()))
    return hashlib.blake2b(repr(policy).encode(), digest_size=8).hexdigest()
