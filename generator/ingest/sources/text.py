"""Text clean-up shared by the dump parsers: decoding, control characters, blank-line blocks."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import Diagnostic, DumpError


@dataclass(frozen=True)
class Block:
    """Consecutive non-blank lines, stripped, with the 1-based number of the first one."""

    line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The block as one paragraph: its lines joined by single spaces."""
        return " ".join(self.lines)


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
SAMPLE = 65536  # bytes looked at to tell binary and BOM-less UTF-16 from text
BINARY_SHARE = 0.1  # more control bytes than this in the sample: not text
# Control characters (C0 but tab, line feed, vertical tab, form feed and carriage return;
# DEL; C1) and non-characters: XML, and so every feed and page, refuses them. Terminal
# colour sequences (ESC [ ... m) go as a whole.
CONTROLS = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
LINE_BREAK = re.compile(r"\r\n?|\n")
_C0_BYTES = bytes(range(0x09)) + bytes(range(0x0e, 0x20)) + b"\x7f"
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")  # literal prefixes keep these searches fast
_NONCHAR_UTF8 = re.compile(rb"\xef\xbf[\xbe\xbf]")


def may_hold_controls(data: bytes) -> bool:
    """A quick test on the raw bytes (about 3 ms a megabyte): False when ``remove_controls``
    would find nothing, so clean dumps skip it."""
    return (len(data.translate(None, _C0_BYTES)) != len(data) or _C1_UTF8.search(data) is not None
            or _NONCHAR_UTF8.search(data) is not None)


def decode(data: bytes, path: Path) -> str:
    """Decode a dump as UTF-8, or UTF-16/32 with a byte-order mark; binary, BOM-less UTF-16
    or empty input is a DumpError, an invalid byte one naming its line and column."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is not None and encoding != "utf-8-sig":
        try:
            return _non_empty(data.decode(encoding).removeprefix("\ufeff"), path)
        except UnicodeDecodeError as exc:
            raise DumpError(f"not {encoding.upper()} text (invalid bytes at offset {exc.start})",
                            path=path, hint="save the pasted listing as UTF-8") from exc
    body = data.removeprefix(codecs.BOM_UTF8)
    sample = body[:SAMPLE]
    if b"\x00" in sample and _utf16_without_bom(sample):
        raise DumpError("UTF-16 text without a byte-order mark", path=path, hint="save it as UTF-8")
    if len(_BINARY_BYTES.findall(sample)) > BINARY_SHARE * len(sample):
        raise _binary(path)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if b"\x00" in sample:
            raise _binary(path) from exc
        line = body.count(b"\n", 0, exc.start) + 1
        start = body.rfind(b"\n", 0, exc.start) + 1
        column = len(body[start:exc.start].decode("utf-8", errors="replace")) + 1
        raise DumpError("not UTF-8 text (invalid byte)", path=path, line=line, column=column,
                        hint="save the pasted listing as UTF-8") from exc
    return _non_empty(text, path)


def _utf16_without_bom(sample: bytes) -> bool:
    """Mostly-ASCII UTF-16 has a zero in every other byte, on one side only."""
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    return half > 0 and max(even, odd) > 0.3 * half and min(even, odd) < 0.05 * half


def _binary(path: Path) -> DumpError:
    return DumpError("binary file, not a pasted listing", path=path, hint="paste the page text")


def _non_empty(text: str, path: Path) -> str:
    if not text.strip():
        raise DumpError("empty file", path=path, hint="paste a listing into it or remove it")
    return text


def remove_controls(text: str, source: str) -> tuple[str, list[Diagnostic]]:
    """``text`` without control characters, and a warning for each line that held some."""
    warnings = []
    lines = LINE_BREAK.split(text)
    for number, line in enumerate(lines, start=1):
        found = CONTROLS.findall(line)
        if not found:
            continue
        column = CONTROLS.search(line).start() + 1
        names = sorted({f"U+{ord(match[0]):04X}" for match in found})
        noun = "character" if len(names) == 1 else "characters"
        warnings.append(Diagnostic(source, number, f"control {noun} {', '.join(names)} removed",
                                   column=column))
        lines[number - 1] = CONTROLS.sub("", line)
    return "\n".join(lines), warnings


def split_blocks(text: str) -> list[Block]:
    """Split text into blocks separated by blank lines; tolerant of CRLF, tabs, trailing spaces."""
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    text = text.removeprefix("\ufeff")
    rows = LINE_BREAK.split(text) if "\r" in text else text.split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    for number, raw in enumerate(rows, start=1):
        line = raw.strip()
        if "  " in line or "\t" in line or "\u00a0" in line or "\x0b" in line or "\x0c" in line \
                or "\u2028" in line or "\u2029" in line:
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
