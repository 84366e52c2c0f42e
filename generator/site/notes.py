"""The curator's notes: Markdown to HTML with Python-Markdown, math included.

Tables, fenced code, footnotes and smart quotes; ``$...$`` and ``$$...$$`` become
MathML; raw HTML is shown as text. Only the extensions a note can use are switched on. The
HTML then passes the one sanitising boundary (``sanitize.clean_html``): no link scheme but
http, https and mailto, no attribute the renderers did not make.

Python-Markdown's inline pass is quadratic in the length of one paragraph (it rebuilds the
paragraph's text after every match), so a block longer than ``BLOCK_LIMIT`` is cut into
paragraphs of at most that size first: notes render in time linear in their size. A note
nested deeper than Python can recurse is shown as escaped text instead of stopping the build.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from html import escape

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from generator.site.markup import MATH, math_html
from generator.site.notelinks import bound_links
from generator.site.sanitize import clean_html

log = logging.getLogger(__name__)


class _MathPattern(InlineProcessor):
    """Inline ``$...$`` and ``$$...$$`` in notes, stashed as finished MathML."""

    def handleMatch(self, m, data):
        display = m["display"] is not None
        html = math_html(m["display"] if display else m["inline"], display)
        return self.md.htmlStash.store(html), m.start(0), m.end(0)


class _NotesExtension(Extension):
    """Notes are Markdown, not HTML: raw tags are shown as text, never executed."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        bound_links(md)


class _MathExtension(Extension):
    def extendMarkdown(self, md):
        # After code spans (190), so `$x$` in backticks stays code; before emphasis.
        md.inlinePatterns.register(_MathPattern(MATH.pattern, md), "math", 185)


# A paragraph longer than this (characters) is cut into several; real ones are far shorter.
BLOCK_LIMIT = 20_000
_BLOCK_PARTS = re.compile(r"(\n[ \t]*\n)")
_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")
_FENCED = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)


def bounded_blocks(text: str, limit: int = BLOCK_LIMIT) -> str:
    """``text`` with every block (lines between blank lines) longer than ``limit`` cut into
    paragraphs at line ends, and lines longer than ``limit`` wrapped at a space. A long table
    becomes several with the same header; fenced code is left whole (no inline pass in it)."""
    if len(text) <= limit:
        return text
    pieces, last = [], 0
    for fence in _FENCED.finditer(text):
        pieces += [_bounded(text[last:fence.start()], limit), fence[0]]
        last = fence.end()
    pieces.append(_bounded(text[last:], limit))
    return "".join(pieces)


def _bounded(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    parts = _BLOCK_PARTS.split(text)
    return "".join(_cut(p, limit) if len(p) > limit else p for p in parts)


def _cut(block: str, limit: int) -> str:
    """A long block as paragraphs; a long table as tables, each with the table's header."""
    lines = block.split("\n")
    header = lines[:2] if len(lines) > 2 and _TABLE_RULE.fullmatch(lines[1]) and "|" in lines[0] else []
    chunks, size, current = [], 0, []
    for line in lines[len(header):]:
        for piece in _wrapped(line, limit):
            if current and size + len(piece) > limit:
                chunks.append("\n".join(header + current))
                current, size = [], 0
            current.append(piece)
            size += len(piece) + 1
    chunks.append("\n".join(header + current))
    return "\n\n".join(chunks)


def _wrapped(line: str, limit: int) -> list[str]:
    """``line`` in pieces of at most ``limit`` characters, cut at the last space if any."""
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", limit // 2, limit)
        cut = cut if cut > 0 else limit
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


# Each optional extension and what a note must contain for it to change anything. A note
# without the trigger renders the same without the extension, so it is left out: every
# extension costs time on every text node of every note (Python-Markdown tries each inline
# pattern on each node). tests/test_markup.py checks the outputs stay identical.
_BLOCKS = re.compile(r"\n[ \t]*\n")


def _cells(line: str) -> int:
    return len(line.strip().strip("|").split("|"))


def _has_text_dashes(text: str) -> bool:
    """Whether smarty could turn a ``--`` into a dash. Only one case is ruled out, the rule
    under a table's header (``| --- | --- |``), when the table surely parses: a block whose
    every line has a pipe, whose second line is only pipes, dashes and colons, with as many
    cells as the header. Anything else counts as text (smarty then runs: always safe)."""
    for block in _BLOCKS.split(text):
        lines = block.strip("\n").splitlines()
        for index, line in enumerate(lines):
            if "--" not in line:
                continue
            table_rule = (index == 1 and not line.strip(" \t|:-") and all("|" in row for row in lines)
                          and _cells(line) == _cells(lines[0]))
            if not table_rule:
                return True
    return False


OPTIONAL: dict[str, Callable[[str], bool]] = {
    "tables": lambda text: "|" in text,
    "fenced_code": lambda text: "```" in text or "~~~" in text,
    "footnotes": lambda text: "[^" in text,
    "smarty": lambda text: any(t in text for t in ("'", '"', "...", "<<", ">>")) or (
        "--" in text and _has_text_dashes(text)),
    "math": lambda text: "$" in text,
}
ALWAYS = ["sane_lists"]


class NotesRenderer:
    """Python-Markdown for notes, with only the extensions a note can use switched on."""

    def __init__(self) -> None:
        self._converters: dict[tuple[str, ...], markdown.Markdown] = {}

    def converter(self, names: tuple[str, ...]) -> markdown.Markdown:
        """The converter with exactly these optional extensions (made once, then reused)."""
        if names not in self._converters:
            extensions: list = [*ALWAYS, _NotesExtension()]
            extensions += [_MathExtension() if name == "math" else name for name in names]
            self._converters[names] = markdown.Markdown(extensions=extensions, output_format="html")
        return self._converters[names]

    def render(self, text: str, *, every_extension: bool = False) -> str:
        """The notes as sanitised HTML; empty notes skip Markdown entirely."""
        if not text.strip():
            return ""
        text = bounded_blocks(text)
        names = tuple(name for name, needed in OPTIONAL.items() if every_extension or needed(text))
        md = self.converter(names)
        md.reset()
        try:
            html = md.convert(text)
        except RecursionError:
            log.warning("notes nested too deeply for Markdown; shown as plain text")
            html = f"<pre>{escape(text)}</pre>"
        return clean_html(html)
