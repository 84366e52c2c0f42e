"""Python-Markdown's link and image processors, made linear on text with unclosed brackets.

For every ``[`` a note holds, Python-Markdown looks for its ``]`` by walking the rest of the
paragraph character by character, and for every ``[...](`` its ``)`` likewise: a paragraph of
20,000 unclosed ``[`` takes minutes. Here the closing bracket of every ``[`` of a paragraph is
found in one pass (kept until the paragraph changes), and the search for a link's ``)`` stops
after ``LINK_LIMIT`` characters. Links that close find exactly what Python-Markdown finds.
"""

from __future__ import annotations

from markdown import Markdown

LINK_LIMIT = 2000  # the longest ``(url "title")`` looked for; longer ones stay text
PROCESSORS = ("reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref")


class _Brackets:
    """The matching ``]`` of each ``[`` of the last paragraph asked about."""

    def __init__(self) -> None:
        self._data: str | None = None
        self._close: dict[int, int] = {}

    def close_of(self, data: str, opening: int) -> int:
        """Where the ``]`` matching the ``[`` at ``opening`` is, or -1 when none closes it."""
        if data is not self._data:
            self._data, self._close = data, _pairs(data)
        return self._close.get(opening, -1)


def _pairs(data: str) -> dict[int, int]:
    """Each ``[`` position mapped to its matching ``]`` (the count Python-Markdown keeps)."""
    pairs, open_at = {}, []
    for position, char in enumerate(data):
        if char == "[":
            open_at.append(position)
        elif char == "]" and open_at:
            pairs[open_at.pop()] = position
    return pairs


def bound_links(md: Markdown) -> None:
    """Swap in the linear bracket search on every link and image processor of ``md``."""
    brackets = _Brackets()
    for name in PROCESSORS:
        if name not in md.inlinePatterns:
            continue
        processor = md.inlinePatterns[name]
        processor.getText = _text_finder(brackets)
        processor.getLink = _link_finder(processor.getLink)


def _text_finder(brackets: _Brackets):
    def get_text(data: str, index: int) -> tuple[str, int, bool]:
        close = brackets.close_of(data, index - 1)  # every processor's pattern ends with "["
        if close < 0:
            return "", index, False
        return data[index:close], close + 1, True
    return get_text


def _link_finder(python_markdowns):
    def get_link(data: str, index: int) -> tuple[str, str | None, int, bool]:
        end = index + LINK_LIMIT
        if data.find(")", index, end) < 0 and not _quoted(data, index, end):
            return "", None, index, False  # no link can close: skip the character walk
        return python_markdowns(data if len(data) <= end else data[:end], index)
    return get_link


def _quoted(data: str, start: int, end: int) -> bool:
    """Whether a quote follows: Python-Markdown then takes ``[](' (`` for a link even with no
    ``)`` after it (a title that never closes), and its walk must run to find the same."""
    return data.find("'", start, end) >= 0 or data.find('"', start, end) >= 0
