"""The import job: parse dumps, merge them into the library, write what changed.

``plan_import`` is pure apart from reading; ``apply_import`` writes. The CLI
prints the plan for ``--dry-run`` and applies it otherwise.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.core.config import Config
from generator.core.entries import DEFAULT_STATUS, Entry, ordered_meta
from generator.core.errors import Diagnostic, DumpError, EntryError, InputsRejected
from generator.core.folder import entry_path, remove_stale_temps
from generator.core.library import (
    Library,
    ReplacedFiles,
    create_entry,
    load_library,
    update_entry,
    write_error,
)
from generator.core.parallel import Done, cpu_count, fork_map, fork_start, jobs_for
from generator.core.slugs import SlugRegistry, base_slug
from generator.core.validate import readable_name
from generator.ingest import dates
from generator.ingest.merge import Group, entry_keys, fill, group_records, record_keys
from generator.ingest.records import Dump, MonthDay, Record
from generator.ingest.sources import parse_dump
from generator.ingest.tagging import compile_rules, merged_tags, tags_for

PARALLEL_BYTES = 2_000_000  # dumps to parse before a second process pays for itself
WRITE_BATCH = 1000


@dataclass(frozen=True)
class Change:
    """What an import does to one paper: ``new``, ``updated`` or ``unchanged``."""

    kind: str
    entry: Entry
    fields: tuple[str, ...] = ()
    base: Entry | None = None  # the file as read when the change was planned
    records: tuple[Record, ...] = ()


@dataclass
class ImportPlan:
    """Every change an import would make, and the warnings it raised."""

    changes: list[Change] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    library: Library | None = None

    def count(self, kind: str) -> int:
        """How many papers get this kind of change."""
        return sum(1 for change in self.changes if change.kind == kind)

    def summary(self) -> str:
        """``24 papers: 24 new, 0 updated, 0 unchanged; 0 warnings``."""
        papers = len(self.changes)
        noun = "paper" if papers == 1 else "papers"
        warns = len(self.warnings)
        return (f"{papers} {noun}: {self.count('new')} new, {self.count('updated')} updated, "
                f"{self.count('unchanged')} unchanged; {warns} warning{'s' * (warns != 1)}")


class Parsing:
    """Dumps being parsed, big ones in other processes while this one does other work."""

    def __init__(self, paths: Iterable[Path], fmt: str | None) -> None:
        self.indexed = list(enumerate(paths))

        def parse(chunk: Sequence[tuple[int, Path]]) -> list[tuple[int, tuple[Dump, list] | DumpError]]:
            return [(index, _parse_with_keys(path, fmt)) for index, path in chunk]

        if sum(p.stat().st_size for _, p in self.indexed) >= PARALLEL_BYTES:
            self.work = fork_start(parse, self.indexed, min(len(self.indexed), cpu_count()))
        else:
            self.work = Done([parse(self.indexed)])

    def results(self) -> list[tuple[Dump, list]]:
        """Each dump with its records' identity keys; raises InputsRejected listing each file
        that holds no entry."""
        found = dict(pair for part in self.work.join() for pair in part)
        ordered = [found[index] for index, _ in self.indexed]
        errors = [r for r in ordered if isinstance(r, DumpError)]
        if errors:
            raise InputsRejected(errors)
        return ordered

    def cancel(self) -> None:
        """Stop parsing (this import failed for another reason)."""
        self.work.cancel()


def _parse_with_keys(path: Path, fmt: str | None) -> tuple[Dump, list] | DumpError:
    try:
        dump = parse_dump(path, fmt)
    except DumpError as exc:
        return exc
    if readable_name(dump.name) != dump.name:  # not UTF-8: sources and warnings name it readably
        dump = _renamed(dump, readable_name(dump.name))
    return dump, [record_keys(r) for r in dump.records]


def _renamed(dump: Dump, name: str) -> Dump:
    """``dump`` under the name ``name`` (in its records' ``source`` and its warnings too)."""
    warnings = tuple(replace(w, path=name) if w.path == dump.name else w for w in dump.warnings)
    return replace(dump, name=name, warnings=warnings,
                   records=tuple(replace(r, source=name) for r in dump.records))


def plan_import(config: Config, paths: Sequence[Path], *, fmt: str | None = None,
                year: int | None = None, today: dt.date | None = None,
                use_cache: bool = True) -> ImportPlan:
    """Work out what importing ``paths`` would change, writing no entry (and, without
    ``use_cache``, nothing at all: the library cache is neither read nor refreshed)."""
    today = today or dt.date.today()
    parsing = Parsing(paths, fmt)
    try:
        cache = config.cache_dir / "library.pickle" if use_cache else None
        if use_cache:  # a real run (not --dry-run): clear what killed imports left behind
            remove_stale_temps(config.papers_dir)
        library = load_library(config.papers_dir, cache, keys_of=entry_keys)
    except BaseException:
        parsing.cancel()
        raise
    parsed = parsing.results()
    dumps = [dump for dump, _ in parsed]
    if library.errors:
        raise InputsRejected(library.errors)
    records = [record for dump in dumps for record in dump.records]
    entries = list(library.entries.values())
    groups, conflicts = group_records(entries, records, [library.cached_keys(e.slug) for e in entries],
                                      [keys for _, keys in parsed for keys in keys])
    plan = ImportPlan(warnings=[w for dump in dumps for w in dump.warnings] + conflicts, library=library)
    resolved = resolve_years(dumps, groups, year, today, plan.warnings)
    rules = compile_rules(config.tag_rules)
    taken = SlugRegistry([*library.entries, *library.taken])  # folders and links named *.md too
    for group in groups:
        group_recs = [resolved.get(id(r), r) for r in group.records]
        plan.changes.append(_change(group.entry, group_recs, rules, taken, today))
    return plan


def _change(entry: Entry | None, records: list[Record], rules, taken: SlugRegistry, today: dt.date) -> Change:
    if entry is not None:
        merged = fill(entry.meta, records)
        if merged == entry.meta:
            return Change("unchanged", entry)
        changed = tuple(k for k in ordered_meta(merged) if merged.get(k) != entry.meta.get(k))
        return Change("updated", Entry(entry.slug, merged, entry.body), changed, entry, tuple(records))
    meta = fill({}, records)
    keywords = [word for record in records for word in record.keywords or ()]
    meta["tags"] = merged_tags(tags_for(rules, meta.get("title"), meta.get("abstract")), keywords)
    meta["status"] = DEFAULT_STATUS
    meta["added"] = today
    slug = taken.claim(base_slug(meta.get("title"), meta.get("arxiv")))
    return Change("new", Entry(slug, ordered_meta(meta), ""), tuple(ordered_meta(meta)), None, tuple(records))


def resolve_years(dumps: Sequence[Dump], groups: Sequence[Group], year: int | None,
                  today: dt.date, warnings: list[Diagnostic]) -> dict[int, Record]:
    """Give every yearless Hugging Face date a year; returns replacements keyed by record id."""
    anchors: dict[int, dt.date] = {}
    for group in groups:
        created = [r.date for r in group.records if r.format == "arxiv" and isinstance(r.date, dt.date)]
        ids = [r.arxiv for r in group.records if r.arxiv]
        if group.entry is not None and isinstance(group.entry.get("arxiv"), str):
            ids.append(group.entry.get("arxiv"))
        if anchor := dates.anchor_date(created, ids):
            anchors.update((id(r), anchor) for r in group.records)

    resolved: dict[int, Record] = {}
    for dump in dumps:
        yearless = [r for r in dump.records if isinstance(r.date, MonthDay)]
        if not yearless:
            continue
        own = {id(r): dates.closest_year(r.date, anchors[id(r)])
               for r in yearless if id(r) in anchors and year is None}
        explicit = [r.date.year for r in dump.records if isinstance(r.date, dt.date)]
        fallback = year or dates.page_year([y for y in own.values() if y], explicit, today)
        if fallback is None:
            fallback = today.year
            warnings.append(Diagnostic(dump.name, None,
                                       f"dates without a year: assumed {fallback} "
                                       "(pass --year to set the listing's year)"))
        for record in yearless:
            chosen = own.get(id(record)) or fallback
            date = dates.with_year(record.date, chosen)
            if date is None:
                month, day = record.date
                warnings.append(Diagnostic(dump.name, record.line,
                                           f"no day {day} in month {month} of {chosen}; date dropped"))
            resolved[id(record)] = replace(record, date=date)
    return resolved


@dataclass(frozen=True)
class Written:
    """One entry file ``apply_import`` saved: its slug, the entry when it is not the planned
    one (merged into a file edited meanwhile), and what the library cache keeps of it."""

    slug: str
    entry: Entry | None
    key: tuple[int, int, int] | None  # its file key
    identity: object = None  # its identity keys, as the library cache keeps them


def apply_import(config: Config, plan: ImportPlan,
                 progress: Callable[[list[list[Change]]], Iterable[list[Change]]] = iter,
                 jobs: int = 0) -> None:
    """Write every new and updated entry of ``plan``, each file atomically.

    An updated entry is merged again into the file as it is when written (compare-and-swap,
    see ``library.update_entry``), changing only the lines of the keys it fills. Big imports
    write in batches, each spread over the cores; ``progress`` sees the batches. An entry
    that cannot be updated or written (a file-system error on that one file) does not stop
    the others: they are all written, then InputsRejected names it. A new entry is created
    exclusively; a file saved under its name meanwhile is merged into like an update.
    """
    config.papers_dir.mkdir(parents=True, exist_ok=True)
    changes = [c for c in plan.changes if c.kind != "unchanged"]
    jobs = jobs_for(len(changes), jobs or cpu_count())
    batches = [changes[i:i + WRITE_BATCH] for i in range(0, len(changes), WRITE_BATCH)]
    write = functools.partial(write_changes, config.papers_dir, plan.library)
    results = [item for batch in progress(batches) for part in fork_map(write, batch, jobs) for item in part]
    if plan.library is not None:
        remember_written(plan.library, changes, results)
    failed = [item for item in results if isinstance(item, EntryError)]
    if failed:
        raise InputsRejected(failed)


def write_changes(folder: Path, library: Library | None,
                  changes: Sequence[Change]) -> list[Written | EntryError]:
    """Save each change (worker processes run this on their share): what was written, and
    the error of each file that could not be. The files replaced are checked once more at
    the end for edits written to them a moment late (``ReplacedFiles``)."""
    watch = ReplacedFiles()
    try:
        written = [result for change in changes
                   if (result := write_change(folder, library, change, watch)) is not None]
    finally:
        watch.settle()
    return written + watch.errors


def write_change(folder: Path, library: Library | None, change: Change,
                 watch: ReplacedFiles | None = None) -> Written | EntryError | None:
    """Save one new or updated entry; None when nothing was written (the file was removed
    meanwhile, and is not brought back, or the merge found nothing to fill), the error when
    this one file cannot be written. Errors that would stop every write are raised."""
    path = entry_path(folder, change.entry.slug)

    def merge(now: Entry) -> dict:
        return fill(now.meta, change.records)

    try:
        if change.base is not None:
            entry = update_entry(path, merge, watch)
        else:
            entry = create_entry(folder, change.entry, merge, watch)
    except EntryError as exc:
        return exc
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and not getattr(exc, "folder_wide", False):
            return None  # removed meanwhile: not brought back
        error = write_error(exc, path)
        if error is None:
            raise
        return error
    if entry is None:
        return None
    key, identity = library.saved(entry, path) if library is not None else (None, None)
    same = entry.meta == change.entry.meta and entry.body == change.entry.body
    return Written(entry.slug, None if same else entry, key, identity)


def remember_written(library: Library, changes: Sequence[Change],
                     results: Iterable[Written | EntryError]) -> None:
    """Note in ``library`` (and its cache) every entry written, as planned or as merged."""
    planned = {change.entry.slug: change.entry for change in changes}
    written = [(planned[w.slug] if w.entry is None else w.entry, w.key, w.identity)
               for w in results if isinstance(w, Written)]
    if written:
        library.remember(written)
