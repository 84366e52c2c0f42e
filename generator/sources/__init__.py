"""Dump parsing: read a pasted listing, detect its format, return its records."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DumpError
from ..records import Dump
from . import arxiv, hf
from .text import decode

PARSERS = {"hf": hf.parse, "arxiv": arxiv.parse}
FORMATS = tuple(PARSERS)

_ARXIV_MARKERS = re.compile(r"^\s*(?:arXiv:\S+|Created:\s*\d{4}-\d\d-\d\d)", re.MULTILINE)


def detect_format(text: str) -> str:
    """Guess the dump format: arXiv listings carry ``arXiv:`` id and ``Created:`` lines."""
    if "arXiv:" not in text and "Created:" not in text:
        return "hf"
    return "arxiv" if _ARXIV_MARKERS.search(text) else "hf"


def parse_dump(path: Path, fmt: str | None = None) -> Dump:
    """Parse one dump file; raise DumpError when it holds no entry at all."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DumpError(f"cannot read file: {exc.strerror}", path=path) from exc
    text = decode(data, path)
    fmt = fmt or detect_format(text)
    records, warnings = PARSERS[fmt](text, path.name)
    if not records:
        raise DumpError(
            f"no {_FORMAT_NAMES[fmt]} entry found",
            path=path,
            hint="is this a pasted Hugging Face or arXiv listing? pass --format hf|arxiv to choose",
        )
    return Dump(name=path.name, format=fmt, records=tuple(records), warnings=tuple(warnings))


_FORMAT_NAMES = {"hf": "Hugging Face", "arxiv": "arXiv"}
