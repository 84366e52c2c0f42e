"""Identity and fill-only merging of dump records into entries: pure, no I/O.

Two records or entries are the same paper when they share an arXiv id, a DOI
(compared case-insensitively, as DOIs are), a normalised title or a normalised
abstract. Merging fills empty fields only and appends to ``sources``; it never
overwrites a value (but a date known only to the year or month may be refined
by a full date of that period), and never touches notes, tags, status or rating
of an existing entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.core.entries import Entry, is_empty
from generator.core.errors import Diagnostic
from generator.core.folder import entry_file_name
from generator.core.partial_dates import more_precise
from generator.ingest.records import Record

# Fields a record can fill, in the order records are consulted for them.
RECORD_FIELDS = ("title", "arxiv", "doi", "bibkey", "date", "updated", "venue", "org", "org_handle",
                 "authors", "authors_count", "upvotes", "comment", "url", "code", "project", "abstract")
_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+")


def normalize_title(title: str) -> str:
    """Case, whitespace, punctuation and LaTeX markup removed: the title's identity."""
    text = unicodedata.normalize("NFKC", _LATEX_COMMAND.sub(" ", title)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def normalize_abstract(abstract: str) -> str:
    """Whitespace collapsed: the abstract's identity."""
    text = abstract.strip()
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\u00a0" in text:
        text = " ".join(text.split())
    return text


def identity_keys(title: Any, abstract: Any, arxiv: Any, doi: Any = None) -> list[tuple[str, str]]:
    """Every key under which a paper can be recognised."""
    keys = []
    if isinstance(arxiv, str) and arxiv:
        keys.append(("arxiv", arxiv))
    if isinstance(doi, str) and (norm := doi.strip().casefold()):
        keys.append(("doi", norm))
    if isinstance(title, str) and (norm := normalize_title(title)):
        keys.append(("title", norm))
    if isinstance(abstract, str) and (norm := normalize_abstract(abstract)):
        # a digest: keys are kept in caches and sent between processes, abstracts are long
        keys.append(("abstract", hashlib.blake2b(norm.encode(), digest_size=16).hexdigest()))
    return keys


@dataclass
class Group:
    """One paper: the existing entry it matched (if any) and the records that describe it."""

    entry: Entry | None
    records: list[Record] = field(default_factory=list)


def entry_keys(entry: Entry) -> list[tuple[str, str]]:
    """The identity keys of an entry."""
    return identity_keys(entry.get("title"), entry.get("abstract"), entry.get("arxiv"), entry.get("doi"))


def record_keys(record: Record) -> list[tuple[str, str]]:
    """The identity keys of a record."""
    return identity_keys(record.title, record.abstract, record.arxiv, record.doi)


def group_records(
    entries: Sequence[Entry], records: Sequence[Record],
    keys_of_entries: Sequence[list] | None = None, keys_of_records: Sequence[list] | None = None,
) -> tuple[list[Group], list[Diagnostic]]:
    """Group records by paper, attaching each group to the existing entry it matches.

    Identity keys may be passed in when already known. A group that matches two
    existing entries is a conflict: it is reported and dropped.
    """
    keys_of_entries = keys_of_entries if keys_of_entries is not None else [entry_keys(e) for e in entries]
    keys_of_records = keys_of_records if keys_of_records is not None else [record_keys(r) for r in records]
    groups, conflicts = [], []
    for nodes in clusters(keys_of_records, keys_of_entries):
        matched = [entries[n - len(records)] for n in nodes if n >= len(records)]
        group_recs = [records[n] for n in nodes if n < len(records)]
        if len(matched) > 1:
            conflicts.append(_conflict(group_recs[0], matched))
            continue
        groups.append(Group(entry=matched[0] if matched else None, records=group_recs))
    return groups, conflicts


def clusters(keys_of_records: Sequence[list], keys_of_entries: Sequence[list]) -> list[list[int]]:
    """Records (numbered from 0) and entries (numbered after the records) that share a key,
    directly or through others: one list per paper with a record, in the order of its first
    record, its records first, then the entries it matches."""
    first_entry = len(keys_of_records)
    parent = list(range(first_entry + len(keys_of_entries)))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    owner: dict[tuple[str, str], int] = {}
    for offset, keys in enumerate(keys_of_entries):
        for key in keys:
            owner.setdefault(key, first_entry + offset)
    for node, keys in enumerate(keys_of_records):
        for key in keys:
            if key in owner:
                parent[find(node)] = find(owner[key])
            else:
                owner[key] = node

    members: dict[int, list[int]] = {}
    for node in range(first_entry):
        members.setdefault(find(node), []).append(node)
    for node in range(first_entry, len(parent)):
        root = find(node)
        if root in members:
            members[root].append(node)
    return list(members.values())


def _conflict(first: Record, matched: Sequence[Entry]) -> Diagnostic:
    """The warning for records that match two or more existing entries, at the first record."""
    names = " and ".join(entry_file_name(e.slug) for e in matched)
    return Diagnostic(first.source, first.line, f"this paper matches both {names}; not merged "
                      "(merge the two entry files by hand)")


def _best_date(current: Any, records: Sequence[Record]) -> dt.date | None:
    """The date to keep: ``current`` unless empty or partial, else the first record's,
    refined by any more precise one of the same period."""
    best = None if is_empty(current) else current
    for record in records:
        date = record.date
        if isinstance(date, dt.date) and (best is None or more_precise(best, date)):
            best = date
    return best


def fill(meta: dict[str, Any], records: Iterable[Record]) -> dict[str, Any]:
    """A copy of ``meta`` with empty fields filled from ``records`` and their sources appended.

    arXiv records are consulted first, so an arXiv ``Created`` date wins over a
    Hugging Face date when both arrive together. A date known only to the year or month
    (``2017``) is replaced by the most precise date the records give for that period.
    """
    merged = dict(meta)
    ordered = sorted(records, key=lambda r: r.format != "arxiv")
    for name in RECORD_FIELDS:
        if name == "date" and (date := _best_date(merged.get("date"), ordered)) is not None:
            merged["date"] = date
        elif is_empty(merged.get(name)):
            value = next((getattr(r, name) for r in ordered if getattr(r, name) is not None), None)
            if value is not None:
                merged[name] = list(value) if isinstance(value, tuple) else value
    sources = merged.get("sources")
    if isinstance(sources, str) and sources:
        sources = [sources]  # one file written as a plain string, not a list of letters
    elif is_empty(sources):
        sources = []
    if not isinstance(sources, list):
        return merged  # not a list of file names: the curator's value stays as it is
    sources = list(sources)
    for record in records:
        if record.source not in sources:
            sources.append(record.source)
    if sources:
        merged["sources"] = sources
    return merged

