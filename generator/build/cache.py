"""What earlier builds saw and made, so the next one redoes only what changed.

One SQLite file per output folder under ``.papershelf-cache/``. Small facts about
every entry (file stat, digest, how it sorts and groups, the digest of its list row)
are kept as one index, read whole; the big ones (the parsed entry, its HTML fragments,
its row, BibTeX and JSON) are rows, read only for the papers a build renders. A build
writes back only what changed, in one transaction; ``serve`` keeps the state in memory
between rebuilds. A cache from another papershelf version, or one that cannot be read,
is discarded, and the build is then a full one.

It is also the build's journal: ``begin()`` marks a build in progress before its first
output file is touched, and the save that records the outputs clears the mark, so a
build that failed or was killed in between is known to the next (``unfinished``), which
then repairs the site. Every build that writes bumps a generation number: a state kept
in memory (``serve``) sees from it, or from the file being replaced, that another
process built since (``is_current``) and is then loaded again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from generator import __version__
from generator.core.config import CACHE_DIR
from generator.core.entries import Entry
from generator.core.locks import output_lock
from generator.site.model import Paper

FORMAT = 9  # bump when the layout of the cache changes
BATCH = 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS entries (
    slug TEXT PRIMARY KEY, entry BLOB, fragments_key BLOB, fragments BLOB,
    row BLOB, bib TEXT, json TEXT);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, key BLOB);
"""


def _dump(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class Record(NamedTuple):
    """The small facts about one entry: stat, digest, structure, and its list row's digest.

    ``derived_key`` is the site key the row, BibTeX and JSON were made under; when it
    differs from the current one they are made again. A named tuple: there is one per
    paper, loaded and saved by every build.
    """

    stat: tuple[int, ...]  # library.file_key
    digest: bytes
    paper: Paper
    derived_key: bytes = b""
    row_key: bytes = b""
    export_key: bytes = b""  # digest of the entry's BibTeX and JSON


@dataclass(frozen=True)
class Derived:
    """What list pages, feeds and exports show of one entry."""

    row: dict[str, Any]
    bib: str
    json: str


@dataclass
class BuildState:
    """The cache: loaded facts and output keys in memory, the big columns in the database."""

    path: Path | None = None
    site_key: bytes = b""
    search_key: bytes = b""  # the pages the search index was last built from
    content_key: bytes = b""  # the pages as they are now
    stats: dict[str, tuple[int, ...]] = field(default_factory=dict)
    outputs: dict[str, bytes] = field(default_factory=dict)
    records: dict[str, Record] | None = None
    _db: sqlite3.Connection | None = None
    _loaded: dict[str, tuple[Record, tuple]] = field(default_factory=dict)  # record as read, and its row
    _pending: dict[str, Any] | None = None  # a save not written yet
    memo: dict[str, Any] = field(default_factory=dict)  # kept in memory between builds, never saved
    _previous: tuple[dict, dict] = ({}, {})  # records and outputs the database holds
    generation: int = 0  # of the database when this state last read or wrote it
    unfinished: bool = False  # the last build began writing outputs and did not record them
    stale: bool = False  # another process wrote the database since: load it again
    _identity: tuple[int, int] = (0, 0)  # the database file's device and inode
    out: Path | None = None  # the output folder: its lock is held while saving

    @classmethod
    def open(cls, root: Path, out: Path, fresh: bool = False) -> BuildState:
        """The cache of ``out``; empty when absent, unreadable, from another version or ``fresh``."""
        path = cache_path(root, out)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            _remove(path)
        try:
            state = cls._load(path)
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
            _remove(path)
            state = cls._load(path)
        state.out = out
        return state

    @classmethod
    def _load(cls, path: Path) -> BuildState:
        db = sqlite3.connect(path, timeout=30)
        # A cache, not a record: no sync to disk per commit. A cache cut short by a crash
        # is at worst stale or unreadable, and the next build then redoes the work.
        db.execute("PRAGMA synchronous=OFF")
        db.executescript(SCHEMA)
        st = os.stat(path)
        state = cls(path=path, _db=db, _identity=(st.st_dev, st.st_ino))
        meta = dict(db.execute("SELECT name, value FROM meta WHERE name != 'index'"))
        state.generation = meta.get("generation") or 0
        state.unfinished = bool(meta.get("building"))
        if meta.get("format") != _dump(_header()):
            # a new database starts at a random generation: one made again in its place
            # (perhaps with the same inode) is never taken for the one a state remembers
            state.generation = int.from_bytes(os.urandom(6), "big")
            with db:
                db.executescript("DELETE FROM meta; DELETE FROM entries; DELETE FROM outputs;")
                db.execute("INSERT INTO meta VALUES ('format', ?)", (_dump(_header()),))
                db.execute("INSERT INTO meta VALUES ('generation', ?)", (state.generation,))
            state.records = {}
            state.unfinished = False
            return state
        state.site_key = meta.get("site_key", b"")
        state.search_key = meta.get("search_key", b"")
        state.content_key = meta.get("content_key", b"")
        state.stats = pickle.loads(meta["stats"]) if "stats" in meta else {}
        state.outputs = dict(db.execute("SELECT path, key FROM outputs"))
        return state

    # ----- the journal ---------------------------------------------------------------------

    def is_current(self) -> bool:
        """True when no other process wrote or replaced the database since this state read it."""
        if self._db is None or self.stale:
            return False
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        return (st.st_dev, st.st_ino) == self._identity and self._stored_generation() == self.generation

    def _stored_generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        return row[0] if row and row[0] else 0

    def begin(self) -> None:
        """Mark a build in progress, before it touches the first output file."""
        self.generation += 1
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                 [("building", os.getpid()), ("generation", self.generation)])
        self.unfinished = True

    # ----- reads -----------------------------------------------------------------------------

    def load_records(self) -> dict[str, Record]:
        """Every entry's record, read on first use (a build that changes nothing never needs them)."""
        if self.records is None:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'index'").fetchone()
            try:
                index = pickle.loads(row[0]) if row else {}
                self.records = {slug: _record(values) for slug, values in index.items()}
                self._loaded = {slug: (self.records[slug], values) for slug, values in index.items()}
            except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
                self._forget()
        return self.records

    def _forget(self) -> None:
        """Drop everything cached (an unreadable index): the next build renders everything."""
        with self._db:
            self._db.executescript("DELETE FROM entries; DELETE FROM outputs;")
        self.records, self.outputs, self.stats, self.site_key = {}, {}, {}, b""

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

    def fragments(self, slugs: Iterable[str]) -> Iterator[tuple[str, bytes, tuple[str, str]]]:
        """(slug, key, (abstract_html, notes_html)) of the stored fragments of ``slugs``."""
        for slug, key, blob in self._column("fragments_key, fragments", slugs):
            if blob:
                yield slug, key, pickle.loads(blob)

    def texts(self, column: str, slugs: Iterable[str]) -> Iterator[tuple[str, str]]:
        """(slug, text) of one text column (``bib`` or ``json``) of ``slugs``."""
        assert column in {"bib", "json"}
        yield from self._column(column, slugs)

    def derived(self, slugs: Iterable[str]) -> Iterator[tuple[str, Derived]]:
        """(slug, derived) of the stored rows, BibTeX and JSON of ``slugs``."""
        for slug, row, bib, json in self._column("row, bib, json", slugs):
            if row:
                yield slug, Derived(pickle.loads(row), bib, json)

    # ----- writing ---------------------------------------------------------------------------

    def save(self, *, defer: bool = False, **changes: Any) -> None:
        """Adopt what a build made (records, outputs, keys) and write it to the database:
        now, or at ``commit()`` when ``defer`` (serve reloads the browser first)."""
        self.commit()
        self.load_records()
        self._pending = changes
        self.site_key = changes["site_key"]
        self.search_key = changes["search_key"]
        self.content_key = changes["content_key"]
        self._previous = (self.records, self.outputs)
        self.records, self.outputs = changes["records"], changes["outputs"]
        self.stats = {slug: record.stat for slug, record in self.records.items()}
        if not defer:
            self.commit()

    def store_fragments(self, fragments: dict[str, tuple[bytes, tuple[str, str]]]) -> None:
        """Write rendered fragments now (they are keyed by their text, so always valid), so a
        big build need not hold them all in memory until the end."""
        with self._db:
            self._db.executemany(
                "INSERT INTO entries (slug, fragments_key, fragments) VALUES (?, ?, ?) ON CONFLICT(slug) "
                "DO UPDATE SET fragments_key = excluded.fragments_key, fragments = excluded.fragments",
                ((slug, key, _dump(html)) for slug, (key, html) in fragments.items()))

    def commit(self) -> None:
        """Write the last save, if it is still pending, in one transaction, and clear the
        build-in-progress mark. If another process built since (the database was replaced
        or its generation moved on), the save is dropped and the state marked ``stale``."""
        if self._pending is None:
            return
        with output_lock(self.path.parent.parent, self.out) if self.out else nullcontext():
            if not self.is_current():
                self._pending, self.stale = None, True
                return
            self._write_pending()

    def _write_pending(self) -> None:
        changes = self._pending
        previous, previous_outputs = self._previous
        records, outputs = changes["records"], changes["outputs"]
        stored = {slug: self._values(slug, record) for slug, record in records.items()}
        db = self._db
        with db:
            db.executemany("DELETE FROM entries WHERE slug = ?",
                           [(s,) for s in previous.keys() - records.keys()])
            # generators, not lists: each blob is made, written and dropped in turn
            db.executemany("INSERT INTO entries (slug, entry) VALUES (?, ?) "
                           "ON CONFLICT(slug) DO UPDATE SET entry = excluded.entry",
                           ((slug, _dump(entry)) for slug, entry in changes["entries"].items()))
            db.executemany("UPDATE entries SET fragments_key = ?, fragments = ? WHERE slug = ?",
                           ((key, _dump(html), slug) for slug, (key, html) in changes["fragments"].items()))
            db.executemany("UPDATE entries SET row = ?, bib = ?, json = ? WHERE slug = ?",
                           ((_dump(d.row), d.bib, d.json, slug) for slug, d in changes["derived"].items()))
            db.executemany("DELETE FROM outputs WHERE path = ?",
                           [(p,) for p in previous_outputs.keys() - outputs.keys()])
            db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?)",
                           [(p, k) for p, k in outputs.items() if previous_outputs.get(p) != k])
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           [("site_key", changes["site_key"]), ("search_key", changes["search_key"]),
                            ("content_key", changes["content_key"]), ("stats", _dump(self.stats)),
                            ("index", _dump(stored)), ("building", 0)])
        self._loaded = {slug: (records[slug], values) for slug, values in stored.items()}
        self._pending = None  # only now: a failed write is tried again by the next commit
        self.unfinished = False

    def _values(self, slug: str, record: Record) -> tuple:
        """The stored form of a record, reused as loaded when the record did not change."""
        loaded = self._loaded.get(slug)
        return loaded[1] if loaded is not None and loaded[0] is record else _values(record)

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None


def _values(record: Record) -> tuple:
    """A record as plain tuples and numbers: pickles several times faster than objects."""
    slug, source, date, added, updated, tags, status = record.paper
    days = (date.toordinal() if date else 0, added.toordinal() if added else 0,
            updated.toordinal() if updated else 0)
    return (record.stat, record.digest, record.derived_key, record.row_key, record.export_key,
            slug, source, days, tags, status)


def _record(values: tuple) -> Record:
    stat, key, derived_key, row_key, export_key, slug, source, (d, a, u), tags, status = values
    day = dt.date.fromordinal
    paper = Paper(slug, source, day(d) if d else None, day(a) if a else None, day(u) if u else None,
                  tags, status)
    return Record(stat, key, paper, derived_key, row_key, export_key)


def cache_path(root: Path, out: Path) -> Path:
    """The cache file of one output folder of one site."""
    tag = hashlib.blake2b(str(out.resolve()).encode(), digest_size=6).hexdigest()
    return root / CACHE_DIR / f"build-{tag}.sqlite"


def _header() -> tuple:
    return ("papershelf", __version__, FORMAT)


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
