"""The curator's notes: Markdown to HTML with Python-Markdown, math included.

Tables, fenced code, footnotes and smart quotes; ``$...$`` and ``$$...$$`` become
MathML; raw HTML is shown as text. Only the extensions a note can use are switched on.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from .markup import MATH, math_html


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


class _MathExtension(Extension):
    def extendMarkdown(self, md):
        # After code spans (190), so `$x$` in backticks stays code; before emphasis.
        md.inlinePatterns.register(_MathPattern(MATH.pattern, md), "math", 185)


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
        """The notes as HTML; empty notes skip Markdown entirely."""
        if not text.strip():
            return ""
        names = tuple(name for name, needed in OPTIONAL.items() if every_extension or needed(text))
        md = self.converter(names)
        md.reset()
        return md.convert(text)
