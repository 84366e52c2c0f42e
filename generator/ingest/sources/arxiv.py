"""Parser for text copied from arXiv listings: abstract, comments, ``arXiv:ID``, ``Created:``.

Entries carry no title. Each ends with an id line and a ``Created: YYYY-MM-DD
[Updated: YYYY-MM-DD]`` line; paragraphs before the id are the abstract, then
the comments.
"""

from __future__ import annotations

import datetime as dt
import re

from generator.core.errors import Diagnostic
from generator.core.identifiers import normalize_arxiv_id
from generator.ingest.records import Record
from generator.ingest.sources.text import Block, split_blocks

ID_LINE = re.compile(r"arXiv:\s*(?P<id>\S+)(?:\s+\[[^\]]*\])?", re.IGNORECASE)
DATES_LINE = re.compile(r"Created:\s*(?P<created>\S+)(?:\s+Updated:\s*(?P<updated>\S+))?")
ABSTRACT_MIN = 100  # shorter paragraphs before an abstract are page chrome
COMMENT_MAX = 400  # longer paragraphs after the abstract continue it


def parse(text: str, source: str) -> tuple[list[Record], list[Diagnostic]]:
    """Parse an arXiv listing into records and warnings for the blocks that do not fit."""
    records: list[Record] = []
    warnings: list[Diagnostic] = []
    pending: list[Block] = []
    entry: dict | None = None  # id seen, waiting for its Created line
    broken = False  # the id line above was malformed: its Created line goes with it

    def warn(line: int, message: str) -> None:
        warnings.append(Diagnostic(source, line, message))

    def close(created_line: tuple[int, str] | None) -> None:
        nonlocal entry
        if entry is None:
            return
        id_line = entry.pop("id_line")
        if created_line is None:
            warn(id_line, f"arXiv:{entry['arxiv']} has no Created: line; imported without a date")
        else:
            entry.update(_dates(*created_line, warn))
        records.append(Record(source=source, format="arxiv", **entry))
        entry = None

    for block in split_blocks(text):
        for offset, line in enumerate(block.lines):
            number = block.line + offset
            if match := ID_LINE.fullmatch(line):
                close(None)
                entry = _start(match, number, pending, warn)
                broken, pending = entry is None, []
            elif DATES_LINE.fullmatch(line):
                if entry is None and not broken:
                    warn(number, "Created: line without an arXiv id line above it, skipped")
                close((number, line))
                broken = False
            else:
                close(None)
                broken = False
                if offset == 0 or not pending:
                    pending.append(Block(number, (line,)))
                else:
                    last = pending[-1]
                    pending[-1] = Block(last.line, (*last.lines, line))
    close(None)
    if pending:
        warn(pending[0].line, "text after the last arXiv id line (cut mid-entry?), skipped")
    return records, warnings


def _start(match: re.Match, number: int, pending: list[Block], warn) -> dict | None:
    """Begin an entry from its id line and the paragraphs above it."""
    arxiv_id = normalize_arxiv_id(match["id"])
    if arxiv_id is None:
        warn(number, f"malformed arXiv id {match['id']!r} (expected arXiv:YYMM.NNNNN), entry skipped")
        return None
    if not pending:
        warn(number, f"arXiv:{arxiv_id} has no abstract above it, skipped")
        return None
    start = next((i for i, b in enumerate(pending) if len(b.text) >= ABSTRACT_MIN), 0)
    for stray in pending[:start]:
        warn(stray.line, "short text before an abstract, ignored")
    abstract = [pending[start].text]
    comments = []
    for block in pending[start + 1:]:
        (abstract if len(block.text) > COMMENT_MAX else comments).append(block.text)
    entry = {"line": pending[start].line, "id_line": number, "arxiv": arxiv_id,
             "abstract": "\n\n".join(abstract)}
    if comments:
        entry["comment"] = _join_comments(comments)
    return entry


def _join_comments(comments: list[str]) -> str:
    """Comment paragraphs as one line: ``Work in progress; Code: https://...``; a paragraph
    already ending in punctuation (``Models,``, ``pages.``) is followed by a space only."""
    joined = comments[0]
    for comment in comments[1:]:
        joined += (" " if joined[-1] in ",.;:!?" else "; ") + comment
    return joined


def _dates(number: int, line: str, warn) -> dict:
    match = DATES_LINE.fullmatch(line)
    found = {}
    for key, name in (("created", "date"), ("updated", "updated")):
        if match[key] is None:
            continue
        try:
            found[name] = dt.date.fromisoformat(match[key])
        except ValueError:
            warn(number, f"bad {key.title()} date {match[key]!r} (expected YYYY-MM-DD), ignored")
    return found
