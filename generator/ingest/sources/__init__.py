"""Dump parsing: read a pasted listing, detect its format, return its records."""

from __future__ import annotations

import re
from pathlib import Path

from generator.core.errors import DumpError
from generator.ingest.records import Dump

# the parsers load with the first dump (commands that parse none skip them)
FORMATS = ("hf", "arxiv", "bibtex", "hf-json")

_BIBTEX_ENTRY = re.compile(  # an entry's head: ``@article{key,``
    r"^[ \t]*@[ \t]*(?!(?:comment|string|preamble)\b)[A-Za-z]+[ \t]*[{(][ \t]*[^\s,{}()]*[ \t]*,",
    re.MULTILINE | re.IGNORECASE)
_ARXIV_MARKERS = re.compile(r"^\s*(?:arXiv:\S+|Created:\s*\d{4}-\d\d-\d\d)", re.MULTILINE)


def detect_format(text: str) -> str:
    """Guess the dump format: Hugging Face API answers are JSON naming a paper's keys; BibTeX
    has ``@type{key,`` entry heads; arXiv listings carry ``arXiv:`` id and ``Created:`` lines."""
    from generator.ingest.sources.hf_json import looks_like

    if looks_like(text):
        return "hf-json"
    if "@" in text and _BIBTEX_ENTRY.search(text):
        return "bibtex"
    if "arXiv:" not in text and "Created:" not in text:
        return "hf"
    return "arxiv" if _ARXIV_MARKERS.search(text) else "hf"


def parse_dump(path: Path, fmt: str | None = None) -> Dump:
    """Parse one dump file; raise DumpError when it holds no entry at all. ``/dev/stdin``
    redirected from a file is that file, by its real name (``sources:`` records it)."""
    from generator.ingest.sources import arxiv, bibtex, hf, hf_json
    from generator.ingest.sources.reading import read_dump, real_file_behind
    from generator.ingest.sources.text import decode, may_hold_controls, remove_controls

    path = real_file_behind(path) or path
    data = read_dump(path)
    text, cleaned = decode(data, path), []
    if may_hold_controls(data):
        text, cleaned = remove_controls(text, path.name)
    fmt = fmt or detect_format(text)
    parsers = {"hf": hf.parse, "arxiv": arxiv.parse, "bibtex": bibtex.parse, "hf-json": hf_json.parse}
    try:
        records, warnings = parsers[fmt](text, path.name)
    except DumpError as exc:  # a parser's own error names the file as given
        exc.path = path
        raise
    warnings = cleaned + warnings
    if not records:
        raise DumpError(
            f"no {_FORMAT_NAMES[fmt]} entry found",
            path=path,
            hint=f"is this a pasted Hugging Face or arXiv listing or a BibTeX file? pass --format "
                 f"{'|'.join(FORMATS)} to choose",
        )
    return Dump(name=path.name, format=fmt, records=tuple(records), warnings=tuple(warnings))


_FORMAT_NAMES = {"hf": "Hugging Face", "arxiv": "arXiv", "bibtex": "BibTeX", "hf-json": "Hugging Face JSON"}
