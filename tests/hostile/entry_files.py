"""Helpers for the hostile entry tests: curated entry files in odd shapes, and a line-level diff."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
ABSTRACT = ("We study the hostile curator: odd line endings, comments and own keys in an entry file, "
            "kept byte for byte when a command fills a field.")


def lines(data: bytes) -> list[bytes]:
    """The lines of ``data`` with their own endings."""
    return LINE.findall(data)


def changed_lines(old: bytes, new: bytes) -> tuple[list[bytes], list[bytes]]:
    """(lines of ``old`` that are gone, lines of ``new`` that are new), by a line diff."""
    a, b = lines(old), lines(new)
    removed: list[bytes] = []
    added: list[bytes] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def assert_only_filled(old: bytes, new: bytes, keys: set[str], newline: bytes) -> None:
    """Only lines of ``keys`` changed: removed lines are those keys' (empty) lines, added lines
    are those keys' lines or their continuations, all ending with the file's own ``newline``."""
    removed, added = changed_lines(old, new)
    key_of = re.compile(rb"^([A-Za-z_]+):")
    for line in removed:
        match = key_of.match(line)
        assert match and match.group(1).decode() in keys, f"a curated line changed: {line!r}"
    current = None
    for line in added:
        match = key_of.match(line)
        if match:
            current = match.group(1).decode()
        assert current in keys, f"a line of no filled key was added: {line!r}"
        assert line.endswith(newline) and not line[:-len(newline)].endswith((b"\r", b"\n")), \
            f"line ending not the file's own: {line!r}"


def arxiv_dump(folder: Path, arxiv: str = "2505.09343", created: str = "2025-05-14",
               name: str = "listing.txt", abstract: str = ABSTRACT) -> Path:
    """A one-paper arXiv listing, in the shape arXiv pages are copied in."""
    path = folder / name
    path.write_text(f"{abstract}\n\nPreprint. 12 pages\n\narXiv:{arxiv}\nCreated: {created}\n",
                    encoding="utf-8")
    return path
