"""The online jobs: ``resolve`` the reading list against arXiv, ``add`` papers by id.

Both read the library, ask ``arxiv_api`` (cache first), decide with
``resolve`` and write each entry atomically as soon as its answer is in, so an
interrupted or failed run keeps what it did and leaves every file whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.core.config import Config
from generator.core.entries import DEFAULT_STATUS, Entry, ordered_meta
from generator.core.errors import EntryError, InputsRejected, PapershelfError, display_path
from generator.core.folder import entry_path
from generator.core.identifiers import normalize_arxiv_id
from generator.core.library import Library, create_entry, load_library, update_entry, write_error
from generator.core.slugs import SlugRegistry, base_slug
from generator.core.validate import is_tag_name
from generator.ingest.tagging import Rule, compile_rules, tags_for
from generator.online.arxiv_client import (
    BATCH_SIZE,
    ApiSettings,
    ArxivError,
    ArxivLookup,
    ArxivRecord,
    Cache,
    cache_path,
    load_cache,
)
from generator.online.matching import (
    COMPLETE,
    FAILED,
    NEW_ENTRY_FIELDS,
    Outcome,
    Report,
    apply_record,
    entry_id,
    fill_from_record,
    lookup_kind,
    match_id,
    match_title,
)

Progress = Callable[[Iterator[Outcome], int], Iterable[Outcome]]


def open_lookup(config: Config, settings: ApiSettings, *, refresh: bool = False,
                dry_run: bool = False) -> ArxivLookup:
    """The site's cached lookup; with ``dry_run`` the cache file is read but never written."""
    path = cache_path(config.root / "content")
    try:
        cache = load_cache(path)
    except PapershelfError:
        if not refresh:
            raise
        cache = Cache()  # --refresh replaces an unreadable cache
    return ArxivLookup(settings, cache, None if dry_run else path, refresh=refresh)


def read_library(config: Config) -> Library:
    """Every entry of the site; any unreadable entry stops the job before it writes anything."""
    library = load_library(config.papers_dir)
    if library.errors:
        raise InputsRejected(library.errors)
    return library


@dataclass
class ResolveJob:
    """The entries of a library sorted by what resolving them takes, and the lookup to use."""

    lookup: ArxivLookup
    folder: Path
    by_id: list[Entry] = field(default_factory=list)
    by_title: list[Entry] = field(default_factory=list)
    settled: list[Outcome] = field(default_factory=list)
    taken: dict[str, str] = field(default_factory=dict)  # arXiv id -> slug of its entry

    @property
    def size(self) -> int:
        """How many entries the job reports on."""
        return len(self.by_id) + len(self.by_title) + len(self.settled)

    def requests_needed(self) -> int:
        """How many requests the job will send (0 when the cache knows every answer)."""
        return self.lookup.requests_needed([e.get("title") for e in self.by_title],
                                           [entry_id(e) for e in self.by_id])


def plan_resolve(config: Config, lookup: ArxivLookup) -> ResolveJob:
    """Sort every entry: look up by id, search by title, or nothing to do."""
    job = ResolveJob(lookup, config.papers_dir)
    for entry in sorted(read_library(config).entries.values(), key=lambda e: e.slug):
        kind = lookup_kind(entry)
        if entry.get("arxiv") and entry_id(entry) is None:
            job.settled.append(Outcome(FAILED, entry.slug, detail=f"arxiv: {entry.get('arxiv')!r} "
                                       "is not an arXiv id (run 'papershelf check')"))
        elif kind == "complete":
            job.settled.append(Outcome(COMPLETE, entry.slug, detail=f"arXiv {entry_id(entry)}"))
        elif kind == "none":
            job.settled.append(Outcome(FAILED, entry.slug, detail="no title or arXiv id to look up"))
        else:
            (job.by_id if kind == "id" else job.by_title).append(entry)
        if entry_id(entry):
            job.taken.setdefault(entry_id(entry), entry.slug)
    return job


def run_resolve(job: ResolveJob, report: Report, *, write: bool = True,
                progress: Progress | None = None) -> Report:
    """Resolve every entry of ``job`` into ``report``, writing each resolved entry at once.

    An ``ArxivError`` stops the run; what was resolved before it stays
    written and in ``report``.
    """
    outcomes = _outcomes(job, write)
    if progress is not None and job.requests_needed() > 1:
        outcomes = iter(progress(outcomes, job.size))
    try:
        for outcome in outcomes:
            report.add(outcome)
    finally:
        report.requests = job.lookup.requests
    return report


def _outcomes(job: ResolveJob, write: bool) -> Iterator[Outcome]:
    yield from job.settled
    for start in range(0, len(job.by_id), BATCH_SIZE):
        batch = job.by_id[start:start + BATCH_SIZE]
        records = job.lookup.by_ids(entry_id(e) for e in batch)
        for entry in batch:
            verdict, found = match_id(entry, records[entry_id(entry)])
            yield _finish(job, entry, verdict, found, write)
    for entry in job.by_title:
        verdict, found = match_title(entry, job.lookup.search_title(entry.get("title")))
        yield _finish(job, entry, verdict, found, write)


def _finish(job: ResolveJob, entry: Entry, verdict: str, found: ArxivRecord | str, write: bool) -> Outcome:
    """The outcome of one entry; a resolved one is written before the next request."""
    if not isinstance(found, ArxivRecord):
        return Outcome(verdict, entry.slug, detail=found)
    owner = job.taken.setdefault(found.arxiv, entry.slug)
    if owner != entry.slug:
        path = display_path(entry_path(job.folder, owner))
        return Outcome(FAILED, entry.slug, detail=f"{found.title!r} is arXiv {found.arxiv}, already "
                       f"the id of {path}; not applied (merge the two entry files by hand)")
    outcome = apply_record(entry, found)
    if write and outcome.entry is not None:
        filled: list[Outcome] = []

        def merge(current: Entry) -> dict | None:
            """Fill what is in the file now (it may have been edited while arXiv was asked)."""
            filled[:] = [apply_record(current, found)]
            return filled[0].entry.meta if filled[0].entry is not None else None

        try:
            update_entry(entry_path(job.folder, entry.slug), merge)
        except FileNotFoundError:
            return Outcome(FAILED, entry.slug, detail="the entry file was removed meanwhile; not written")
        except EntryError as exc:  # one entry that cannot be filled safely does not stop the run
            return Outcome(FAILED, entry.slug, detail=f"{exc.message}; not written ({exc.hint})")
        outcome = filled[-1] if filled else outcome
    return outcome


def parse_ids(texts: Sequence[str]) -> list[str]:
    """Bare arXiv ids of ids, ``arXiv:`` ids and abs/PDF URLs, duplicates dropped, in order."""
    ids, bad = [], []
    for text in texts:
        arxiv_id = normalize_arxiv_id(text)
        if arxiv_id is None:
            bad.append(text)
        elif arxiv_id not in ids:
            ids.append(arxiv_id)
    if bad:
        raise PapershelfError(f"not an arXiv id or URL: {', '.join(map(repr, bad))}",
                              hint="use e.g. 2505.09343, arXiv:2505.09343v2 or "
                                   "https://arxiv.org/abs/2505.09343")
    return ids


def check_tags(tags: Sequence[str]) -> list[str]:
    """The ``--tag`` values, checked to be usable as tags (they become URLs), duplicates dropped."""
    bad = [tag for tag in tags if not is_tag_name(tag)]
    if bad:
        raise PapershelfError(f"not a tag: {', '.join(map(repr, bad))}",
                              hint="a tag is letters, digits, '-', '.' or '+', like 'moe'")
    return list(dict.fromkeys(tags))


@dataclass
class AddReport:
    """What ``add`` did with each id."""

    folder: Path
    added: list[Entry] = field(default_factory=list)
    existing: list[tuple[str, str]] = field(default_factory=list)  # (id, slug)
    not_found: list[str] = field(default_factory=list)
    api_error: ArxivError | None = None
    requests: int = 0

    def lines(self) -> list[str]:
        """One line per id, then what to do next when the API could not be asked."""
        lines = []
        for entry in self.added:
            title = entry.get("title")
            lines.append(f"added {self._path(entry.slug)}" + (f": {title}" if title else ""))
        lines += [f"already in the reading list: arXiv {arxiv_id} is {self._path(slug)}"
                  for arxiv_id, slug in self.existing]
        lines += [f"not found on arXiv: {arxiv_id} (not added; check the id)" for arxiv_id in self.not_found]
        if self.api_error is not None:
            lines.append(f"warning: {self.api_error}")
            lines.append(f"created {len(self.added)} entr{'y' if len(self.added) == 1 else 'ies'} with "
                         "the arXiv id only; run 'papershelf resolve' later to fill titles and authors")
        return lines

    def _path(self, slug: str) -> str:
        return display_path(entry_path(self.folder, slug))


def add_papers(config: Config, lookup: ArxivLookup, ids: Sequence[str], *, status: str = DEFAULT_STATUS,
               tags: Sequence[str] = (), today: dt.date | None = None) -> AddReport:
    """Create an entry for each new arXiv id, resolved when the API answers, else with its id only."""
    library = read_library(config)
    report = AddReport(config.papers_dir)
    known = {entry_id(e): e.slug for e in library.entries.values() if entry_id(e)}
    report.existing = [(i, known[i]) for i in ids if i in known]
    new_ids = [i for i in ids if i not in known]
    records: dict[str, ArxivRecord | None] = {}
    try:
        records = lookup.by_ids(new_ids) if new_ids else {}
    except ArxivError as exc:  # offline or failing: still record the ids
        report.api_error = exc
    report.requests = lookup.requests
    rules = compile_rules(config.tag_rules)
    taken = SlugRegistry([*library.entries, *library.taken])  # folders and links named *.md too
    today = today or dt.date.today()
    for arxiv_id in new_ids:
        if report.api_error is None and records.get(arxiv_id) is None:
            report.not_found.append(arxiv_id)
            continue
        entry = _new_entry(arxiv_id, records.get(arxiv_id), status, tags, rules, today, taken)
        path = library.path_of(entry.slug)
        try:  # a file saved under this name meanwhile gets its empty keys filled, nothing more
            written = create_entry(config.papers_dir, entry)
        except OSError as exc:
            error = write_error(exc, path)
            if error is None:
                raise
            raise error from exc
        report.added.append(written or entry)
    return report


def _new_entry(arxiv_id: str, record: ArxivRecord | None, status: str, tags: Sequence[str],
               rules: list[Rule], today: dt.date, taken: SlugRegistry) -> Entry:
    """A new entry: the id and the curated fields, filled from the record when there is one."""
    meta: dict[str, Any] = {"arxiv": arxiv_id, "status": status, "added": today, "tags": list(tags)}
    if record is not None:
        meta = fill_from_record(meta, record, NEW_ENTRY_FIELDS)
        meta["tags"] += [t for t in tags_for(rules, meta.get("title"), meta.get("abstract"))
                         if t not in meta["tags"]]
    slug = taken.claim(base_slug(meta.get("title"), arxiv_id))
    return Entry(slug, ordered_meta(meta), "")
