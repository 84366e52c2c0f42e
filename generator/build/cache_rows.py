"""The build cache's SQLite file as tables: its schema, the big per-entry columns read in
batches for the papers a build renders, and one build's changes written in one transaction.
``cache.BuildState`` keeps the journal and the small facts; this module holds the SQL."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from generator.build.facts import CacheUpdate, EntryFacts, Fragments, PaperSummary
from generator.core.entries import Entry
from generator.core.partial_dates import is_partial, partial_date
from generator.site.model import Paper

BATCH = 500  # slugs per query

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS entries (
    slug TEXT PRIMARY KEY, entry BLOB, fragments_key BLOB, fragments BLOB,
    row BLOB, bib TEXT, json TEXT);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, key BLOB);
CREATE TABLE IF NOT EXISTS search_pages (path TEXT PRIMARY KEY, key BLOB);
CREATE TABLE IF NOT EXISTS blobs (name TEXT PRIMARY KEY, value BLOB);
"""
CLEAR_ENTRIES = "DELETE FROM entries; DELETE FROM outputs; DELETE FROM search_pages;"  # all a build keyed

def connect(path: Path) -> sqlite3.Connection:
    """The cache database at ``path``, its tables made if missing."""
    db = sqlite3.connect(path, timeout=30)
    # A cache, not a record: no sync to disk per commit. A cache cut short by a crash
    # is at worst stale or unreadable, and the next build then redoes the work.
    db.execute("PRAGMA synchronous=OFF")
    db.executescript(SCHEMA)
    return db


def start_over(db: sqlite3.Connection, header: bytes) -> int:
    """Empty the database for the format ``header`` at a random generation, returned."""
    generation = int.from_bytes(os.urandom(6), "big")
    with db:
        db.executescript("DELETE FROM meta; " + CLEAR_ENTRIES)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", header), ("generation", generation)])
    return generation


def dump(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class CacheRows:
    """The big columns of the entries table: parsed entries, fragments, rows, BibTeX and JSON."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def _column(self, columns: str, slugs: Iterable[str]) -> Iterator[tuple]:
        wanted = list(slugs)
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start:start + BATCH]
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(f"SELECT slug, {columns} FROM entries WHERE slug IN ({marks})", chunk)

    def entries(self, slugs: Iterable[str]) -> Iterator[tuple[str, Entry]]:
        """(slug, parsed entry) for each of ``slugs`` that the cache holds."""
        for slug, blob in self._column("entry", slugs):
            if blob:
                yield slug, pickle.loads(blob)

    def fragments(self, slugs: Iterable[str]) -> Iterator[tuple[str, bytes, Fragments]]:
        """(slug, key, (abstract_html, notes_html)) of the stored fragments of ``slugs``."""
        for slug, key, blob in self._column("fragments_key, fragments", slugs):
            if blob:
                yield slug, key, pickle.loads(blob)

    def texts(self, column: str, slugs: Iterable[str]) -> Iterator[tuple[str, str]]:
        """(slug, text) of one text column (``bib`` or ``json``) of ``slugs``."""
        assert column in {"bib", "json"}
        yield from self._column(column, slugs)

    def summaries(self, slugs: Iterable[str]) -> Iterator[tuple[str, PaperSummary]]:
        """(slug, summary) of the stored rows, BibTeX and JSON of ``slugs``."""
        for slug, row, bib, json in self._column("row, bib, json", slugs):
            if row:
                yield slug, PaperSummary(pickle.loads(row), bib, json)

    def indexed_pages(self) -> dict[str, bytes]:
        """Paper page -> key of what the search index takes from it (``search_parts``), as the
        last build saved them: what ``serve`` indexes in the background."""
        return dict(self._db.execute("SELECT path, key FROM search_pages"))

    def blob(self, name: str) -> Any:
        """A value a build step keeps for the next (keyed by what it is made from, so
        always valid), or None if absent or unreadable; read only when asked for."""
        row = self._db.execute("SELECT value FROM blobs WHERE name = ?", (name,)).fetchone()
        try:
            return pickle.loads(row[0]) if row else None
        except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, ImportError):
            return None

    def store_blob(self, name: str, value: Any) -> None:
        """Keep ``value`` under ``name`` now (see ``blob``)."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (name, dump(value)))

    def store_fragments(self, fragments: dict[str, tuple[bytes, Fragments]]) -> None:
        """Write rendered fragments now (they are keyed by their text, so always valid), so a
        big build need not hold them all in memory until the end."""
        with self._db:
            self._db.executemany(
                "INSERT INTO entries (slug, fragments_key, fragments) VALUES (?, ?, ?) ON CONFLICT(slug) "
                "DO UPDATE SET fragments_key = excluded.fragments_key, fragments = excluded.fragments",
                ((slug, key, dump(html)) for slug, (key, html) in fragments.items()))


def write_update(db: sqlite3.Connection, update: CacheUpdate, previous: tuple[dict, dict],
                 index: dict[str, tuple], stats: dict[str, tuple[int, ...]]) -> None:
    """Write what a build made in one transaction: the rows that changed, the outputs' keys,
    the index of facts (``index``), and clear the build-in-progress mark."""
    previous_records, previous_outputs = previous
    records, outputs = update.records, update.outputs
    with db:
        db.executemany("DELETE FROM entries WHERE slug = ?",
                       [(s,) for s in previous_records.keys() - records.keys()])
        # generators, not lists: each blob is made, written and dropped in turn
        db.executemany("INSERT INTO entries (slug, entry) VALUES (?, ?) "
                       "ON CONFLICT(slug) DO UPDATE SET entry = excluded.entry",
                       ((slug, dump(entry)) for slug, entry in update.entries.items()))
        db.executemany("UPDATE entries SET fragments_key = ?, fragments = ? WHERE slug = ?",
                       ((key, dump(html), slug) for slug, (key, html) in update.fragments.items()))
        db.executemany("UPDATE entries SET row = ?, bib = ?, json = ? WHERE slug = ?",
                       ((dump(s.row), s.bib, s.json, slug) for slug, s in update.summaries.items()))
        db.executemany("DELETE FROM outputs WHERE path = ?",
                       [(p,) for p in previous_outputs.keys() - outputs.keys()])
        db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?)",
                       [(p, k) for p, k in outputs.items() if previous_outputs.get(p) != k])
        # what search indexes of a paper page is part of what makes the page: its key moves with the page's
        indexed = update.search_pages
        db.executemany("DELETE FROM search_pages WHERE path = ?",
                       [(p,) for p in previous_outputs.keys() - indexed.keys()])
        db.executemany("INSERT OR REPLACE INTO search_pages VALUES (?, ?)",
                       [(p, k) for p, k in indexed.items() if previous_outputs.get(p) != outputs[p]])
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [("site_key", update.site_key), ("search_key", update.search_key),
                        ("content_key", update.content_key), ("stats", dump(stats)),
                        ("index", dump(index)), ("building", 0)])


def facts_values(facts: EntryFacts) -> tuple:
    """An entry's facts as plain tuples and numbers: pickles several times faster than objects."""
    slug, source, date, added, updated, tags, status, authors, org, org_handle = facts.paper
    # a date known only to the year or month is kept as its text ("2017"), the rest as day numbers
    days = (date.text() if is_partial(date) else date.toordinal() if date else 0,
            added.toordinal() if added else 0, updated.toordinal() if updated else 0)
    return (facts.stat, facts.digest, facts.summary_key, facts.row_key, facts.export_key,
            slug, source, days, tags, status, authors, org, org_handle)


def facts_of(values: tuple) -> EntryFacts:
    """The facts stored as ``facts_values`` made them."""
    stat, key, summary_key, row_key, export_key, slug, source, (d, a, u), tags, status, *people = values
    day = dt.date.fromordinal
    date = partial_date(d) if isinstance(d, str) else day(d) if d else None
    paper = Paper(slug, source, date, day(a) if a else None, day(u) if u else None, tags, status, *people)
    return EntryFacts(stat, key, paper, summary_key, row_key, export_key)
