"""Matching arXiv records to entries and filling entries from them: pure, no I/O.

No wrong matches: a title search result is an entry's paper only when the two
titles are equal after ``merge.normalize_title`` (case, whitespace,
punctuation, LaTeX markup) and, when the entry has an abstract, the abstracts
agree. Agreement is difflib's ``SequenceMatcher`` ratio over the two
abstracts' word sequences (normalised like titles), accepted from
ABSTRACT_AGREEMENT = 0.5. On the 24 demo papers, whose abstracts share a topic
and often a research group, unrelated pairs score at most 0.16; the same
paper scores 0.98 or more after small edits (spelled-out acronyms, LaTeX
markup dropped, a sentence added) and still 0.64 when its authors rewrote the
abstract for a new version. Filling follows ``merge.fill``: only empty fields
are set; notes, tags, status and rating are never touched.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.core.entries import Entry, is_empty
from generator.core.errors import display_path
from generator.core.folder import entry_path
from generator.core.identifiers import normalize_arxiv_id
from generator.ingest.merge import normalize_abstract, normalize_title
from generator.online.arxiv_client import ArxivRecord

ABSTRACT_AGREEMENT = 0.5
# What ``resolve`` may fill on an existing entry, and what ``add`` also takes for a new one.
RESOLVER_FIELDS = ("title", "arxiv", "authors", "authors_count", "categories", "updated")
NEW_ENTRY_FIELDS = (*RESOLVER_FIELDS, "date", "comment", "abstract")
# An entry with an id and all of these needs no lookup.
COMPLETE_WITH = ("title", "authors", "categories")

RESOLVED, COMPLETE, AMBIGUOUS, NOT_FOUND, FAILED = (
    "resolved", "already complete", "ambiguous", "not found", "failed")
KINDS = (RESOLVED, COMPLETE, AMBIGUOUS, NOT_FOUND, FAILED)


def same_title(a: str, b: str) -> bool:
    """Whether two titles are equal after normalisation (and not empty)."""
    norm = normalize_title(a)
    return bool(norm) and norm == normalize_title(b)


def abstract_agreement(a: str, b: str) -> float:
    """SequenceMatcher ratio (0-1) of the two abstracts' normalised word sequences."""
    words_a = normalize_title(normalize_abstract(a)).split()
    words_b = normalize_title(normalize_abstract(b)).split()
    return difflib.SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


def _agreement(entry: Entry, record: ArxivRecord) -> float | None:
    """The entry's abstract against the record's; None when either has none to compare."""
    mine = entry.get("abstract")
    if not isinstance(mine, str) or not mine.strip() or not record.abstract:
        return None
    return abstract_agreement(mine, record.abstract)


@dataclass(frozen=True)
class Outcome:
    """What resolving did for one entry: its kind (one of KINDS), the new entry, and why."""

    kind: str
    slug: str
    entry: Entry | None = None
    fields: tuple[str, ...] = ()
    detail: str = ""


def lookup_kind(entry: Entry) -> str:
    """How to look the entry up: ``"id"``, ``"title"``, ``"complete"`` (no need) or ``"none"`` (no way)."""
    if entry.get("arxiv"):
        return "complete" if all(entry.get(key) for key in COMPLETE_WITH) else "id"
    title = entry.get("title")
    return "title" if isinstance(title, str) and title.strip() else "none"


def entry_id(entry: Entry) -> str | None:
    """The entry's arXiv id without prefix or version, or None when it is not an id."""
    value = entry.get("arxiv")
    return normalize_arxiv_id(value) if isinstance(value, str) else None


def fill_from_record(meta: dict[str, Any], record: ArxivRecord,
                     fields: Sequence[str] = RESOLVER_FIELDS) -> dict[str, Any]:
    """A copy of ``meta`` with its empty ``fields`` filled from ``record``; nothing overwritten.

    ``updated`` is only set for papers revised after their first version, as
    in arXiv listings; ``authors_count`` only when no count is known yet.
    """
    revised = record.updated if record.updated and record.updated != record.published else None
    values: dict[str, Any] = {
        "title": record.title, "arxiv": record.arxiv, "authors": list(record.authors),
        "authors_count": len(record.authors) or None, "categories": list(record.categories),
        "updated": revised, "date": record.published, "comment": record.comment,
        "abstract": record.abstract or None,
    }
    merged = dict(meta)
    for key in fields:
        if is_empty(merged.get(key)) and not is_empty(values[key]):
            merged[key] = values[key]
    return merged



def apply_record(entry: Entry, record: ArxivRecord) -> Outcome:
    """The entry filled from ``record``: resolved, or already complete when nothing was empty."""
    merged = fill_from_record(entry.meta, record)
    changed = tuple(key for key in RESOLVER_FIELDS if merged.get(key) != entry.meta.get(key))
    if not changed:
        return Outcome(COMPLETE, entry.slug, detail=f"arXiv {record.arxiv}")
    return Outcome(RESOLVED, entry.slug, Entry(entry.slug, merged, entry.body), changed,
                   f"arXiv {record.arxiv}")


def match_title(entry: Entry, results: Iterable[ArxivRecord]) -> tuple[str, ArxivRecord | str]:
    """Pick the entry's paper among title search results.

    Returns ``(RESOLVED, record)``, or ``(AMBIGUOUS | NOT_FOUND, explanation)``.
    """
    title = entry.get("title")
    results = list(results)
    same = [r for r in results if same_title(r.title, title)]
    scored = [(r, _agreement(entry, r)) for r in same]
    accepted = [r for r, score in scored if score is None or score >= ABSTRACT_AGREEMENT]
    if len(accepted) == 1:
        return RESOLVED, accepted[0]
    if accepted:
        return AMBIGUOUS, f"{len(accepted)} candidates: " + "; ".join(_cite(r) for r in accepted)
    if scored:
        return NOT_FOUND, "; ".join(
            f"{_cite(r)} has this title but another abstract (agreement {score:.2f} < "
            f"{ABSTRACT_AGREEMENT})" for r, score in scored)
    closest = difflib.get_close_matches(normalize_title(title), [normalize_title(r.title) for r in results],
                                        n=1, cutoff=0.6)
    near = [r for r in results if closest and normalize_title(r.title) == closest[0]][:1]
    return NOT_FOUND, "no arXiv paper has this exact title" + (
        f" (closest: {_cite(near[0])})" if near else "")


def match_id(entry: Entry, record: ArxivRecord | None) -> tuple[str, ArxivRecord | str]:
    """Check that the record found by the entry's id is the paper the entry describes.

    The abstract decides when the entry has one, else the title when it has
    one; an entry with neither takes the record on the strength of its id.
    """
    if record is None:
        return NOT_FOUND, f"arXiv has no paper {entry_id(entry)}"
    score = _agreement(entry, record)
    if score is not None and score < ABSTRACT_AGREEMENT:
        return FAILED, (f"arXiv {record.arxiv} is {record.title!r}, whose abstract differs from this "
                        f"entry's (agreement {score:.2f} < {ABSTRACT_AGREEMENT}); not applied")
    title = entry.get("title")
    if score is None and isinstance(title, str) and title.strip() and not same_title(title, record.title):
        return FAILED, f"arXiv {record.arxiv} is {record.title!r}, not this entry's title; not applied"
    return RESOLVED, record


def _cite(record: ArxivRecord) -> str:
    return f"{record.title!r} (arXiv {record.arxiv})"


@dataclass
class Report:
    """Every outcome of a run, in the order they completed, and the requests it took."""

    folder: Path
    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0

    def add(self, outcome: Outcome) -> None:
        """Record one entry's outcome."""
        self.outcomes.append(outcome)

    def of(self, kind: str) -> list[Outcome]:
        """The outcomes of one kind."""
        return [o for o in self.outcomes if o.kind == kind]

    def lines(self, dry_run: bool = False) -> list[str]:
        """The report: each kind with its entries (completed ones only counted), then a summary."""
        lines = []
        for kind in KINDS:
            outcomes = self.of(kind)
            if not outcomes:
                continue
            label = "would resolve" if dry_run and kind == RESOLVED else kind
            lines.append(f"{label}: {len(outcomes)}")
            if kind != COMPLETE:
                lines += [f"  {self._line(o)}" for o in outcomes]
        counts = ", ".join(f"{len(self.of(kind))} {kind}" for kind in KINDS)
        noun = "entry" if len(self.outcomes) == 1 else "entries"
        lines.append(f"{len(self.outcomes)} {noun}: {counts}; "
                     f"{self.requests} request{'s' * (self.requests != 1)} to the arXiv API"
                     + (" (dry run: nothing written)" if dry_run else ""))
        return lines

    def _line(self, outcome: Outcome) -> str:
        path = display_path(entry_path(self.folder, outcome.slug))
        if outcome.kind == RESOLVED:
            return f"{path}: {outcome.detail} (filled: {', '.join(outcome.fields)})"
        return f"{path}: {outcome.detail}"
