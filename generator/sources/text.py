"""Text clean-up shared by the dump parsers: decoding, line endings, blank-line blocks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import DumpError


@dataclass(frozen=True)
class Block:
    """Consecutive non-blank lines, stripped, with the 1-based number of the first one."""

    line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The block as one paragraph: its lines joined by single spaces."""
        return " ".join(self.lines)


def decode(data: bytes, path: Path) -> str:
    """Decode a dump as UTF-8 (BOM allowed); binary or empty input is a DumpError."""
    if b"\x00" in data:
        raise DumpError("binary file, not a pasted listing", path=path, hint="paste the page text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DumpError(
            f"not UTF-8 text (invalid byte at offset {exc.start})",
            path=path,
            hint="save the pasted listing as UTF-8",
        ) from exc
    if not text.strip():
        raise DumpError("empty file", path=path, hint="paste a listing into it or remove it")
    return text


def split_blocks(text: str) -> list[Block]:
    """Split text into blocks separated by blank lines; tolerant of CRLF, tabs, trailing spaces."""
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if "  " in line or "\t" in line or "\u00a0" in line or "\x0b" in line or "\x0c" in line:
            line = " ".join(line.replace("\u00a0", " ").split())
        if not line:
            if current:
                blocks.append(Block(start, tuple(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append(Block(start, tuple(current)))
    return blocks
