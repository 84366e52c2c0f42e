"""The curator's notes: Markdown to HTML with Python-Markdown, math included.

Tables, fenced code, footnotes and smart quotes; ``$...$`` and ``$$...$$`` become
MathML; raw HTML is shown as text. Only the extensions a note can use are switched on.
"""

from __future__ import annotations

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
OPTIONAL = {
    "tables": ("|",),
    "fenced_code": ("```", "~~~"),
    "footnotes": ("[^",),
    "smarty": ("'", '"', "--", "...", "<<", ">>"),
    "math": ("$",),
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
        names = tuple(name for name, triggers in OPTIONAL.items()
                      if every_extension or any(t in text for t in triggers))
        md = self.converter(names)
        md.reset()
        return md.convert(text)
