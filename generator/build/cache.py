"""What earlier builds saw and made, so the next one redoes only what changed (one SQLite
file per output folder under ``.papershelf-cache/``, discarded when unreadable or of another
version), and the build's journal: ``begin()`` marks a build in progress before its first
output file is touched and the save clears the mark (``unfinished`` tells the next build to
repair the site); a generation number tells a state kept in memory by ``serve`` that another
process built since (``is_current``)."""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__
from generator.build.cache_rows import (
    CLEAR_ENTRIES,
    CacheRows,
    connect,
    dump,
    facts_of,
    facts_values,
    start_over,
    write_update,
)
from generator.build.facts import CacheUpdate, EntryFacts
from generator.core.config import CACHE_DIR
from generator.core.locks import output_lock

if TYPE_CHECKING:
    from generator.build.memo import SiteMemo

FORMAT = 12  # bump when the layout of the cache changes
UNREADABLE = (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError)


@dataclass
class BuildState:
    """The cache: loaded facts and output keys in memory, the big columns in the database."""

    path: Path | None = None
    site_key: bytes = b""
    search_key: bytes = b""  # the pages the search index was last built from
    content_key: bytes = b""  # the pages as they are now
    stats: dict[str, tuple[int, ...]] = field(default_factory=dict)
    outputs: dict[str, bytes] = field(default_factory=dict)
    records: dict[str, EntryFacts] | None = None  # every entry's facts, read on first use
    rows: CacheRows | None = None  # the big columns, read for the papers a build renders
    search_pages: dict[str, bytes] | None = None  # paper page -> key of what search indexes, read on use
    memo: SiteMemo | None = None  # kept in memory between builds (serve), never saved
    generation: int = 0  # of the database when this state last read or wrote it
    unfinished: bool = False  # the last build began writing outputs and did not record them
    stale: bool = False  # another process wrote the database since: load it again
    out: Path | None = None  # the output folder: its lock is held while saving
    _db: sqlite3.Connection | None = None
    _identity: tuple[int, int] | None = (0, 0)  # the database file's device and inode
    _loaded: dict[str, tuple[EntryFacts, tuple]] = field(default_factory=dict)  # facts as read, stored form
    _pending: CacheUpdate | None = None  # a save not written yet
    _previous: tuple[dict, dict] = ({}, {})  # records and outputs the database holds

    @classmethod
    def open(cls, root: Path, out: Path, fresh: bool = False) -> BuildState:
        """The cache of ``out``; empty when absent, unreadable, from another version or ``fresh``."""
        path = cache_path(root, out)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            _remove(path)
        try:
            state = cls._load(path)
        except UNREADABLE:
            _remove(path)
            state = cls._load(path)
        state.out = out
        return state

    @classmethod
    def _load(cls, path: Path) -> BuildState:
        db = connect(path)
        state = cls(path=path, rows=CacheRows(db), _db=db, _identity=_file_identity(path))
        meta = dict(db.execute("SELECT name, value FROM meta WHERE name != 'index'"))
        state.generation = meta.get("generation") or 0
        state.unfinished = bool(meta.get("building"))
        if meta.get("format") != dump(_header()):
            state._start_over()
            return state
        state.site_key = meta.get("site_key", b"")
        state.search_key = meta.get("search_key", b"")
        state.content_key = meta.get("content_key", b"")
        state.stats = pickle.loads(meta["stats"]) if "stats" in meta else {}
        state.outputs = dict(db.execute("SELECT path, key FROM outputs"))
        return state

    def _start_over(self) -> None:
        """Empty a database of another format, at a random generation: one made again in its
        place (perhaps with the same inode) is never taken for the one a state remembers."""
        self.generation = start_over(self._db, dump(_header()))
        self.records, self.unfinished = {}, False

    # ----- the journal ---------------------------------------------------------------------

    def is_current(self) -> bool:
        """True when no other process wrote or replaced the database since this state read it."""
        if self._db is None or self.stale:
            return False
        if _file_identity(self.path) != self._identity:
            return False
        row = self._db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        return (row[0] if row and row[0] else 0) == self.generation

    def begin(self) -> None:
        """Mark a build in progress, before it touches the first output file."""
        self.generation += 1
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                 [("building", os.getpid()), ("generation", self.generation)])
        self.unfinished = True

    # ----- the facts ---------------------------------------------------------------------------

    def load_records(self) -> dict[str, EntryFacts]:
        """Every entry's facts, read on first use (a build that changes nothing never needs them)."""
        if self.records is None:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'index'").fetchone()
            try:
                index = pickle.loads(row[0]) if row else {}
                self.records = {slug: facts_of(values) for slug, values in index.items()}
                self._loaded = {slug: (self.records[slug], values) for slug, values in index.items()}
            except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
                self._forget()
        return self.records

    def indexed_pages(self) -> dict[str, bytes]:
        """The paper pages of the last build and the keys of what search takes from them."""
        if self.search_pages is None:
            self.search_pages = self.rows.indexed_pages()
        return self.search_pages

    def _forget(self) -> None:
        """Drop everything cached (an unreadable index): the next build renders everything."""
        with self._db:
            self._db.executescript(CLEAR_ENTRIES)
        self.records, self.outputs, self.search_pages, self.stats, self.site_key = {}, {}, {}, {}, b""

    # ----- writing ---------------------------------------------------------------------------

    def save(self, *, update: CacheUpdate, defer: bool = False) -> None:
        """Adopt what a build made (facts, outputs, keys) and write it to the database:
        now, or at ``commit()`` when ``defer`` (serve reloads the browser first)."""
        self.commit()
        self.load_records()
        self._pending = update
        self.site_key, self.search_key, self.content_key = (update.site_key, update.search_key,
                                                            update.content_key)
        self._previous = (self.records, self.outputs)
        self.records, self.outputs, self.search_pages = update.records, update.outputs, update.search_pages
        self.stats = {slug: facts.stat for slug, facts in self.records.items()}
        if not defer:
            self.commit()

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
            records = self._pending.records
            index = {slug: self._stored_form(slug, facts) for slug, facts in records.items()}
            write_update(self._db, self._pending, self._previous, index, self.stats)
            self._loaded = {slug: (records[slug], values) for slug, values in index.items()}
            self._pending = None  # only now: a failed write is tried again by the next commit
            self.unfinished = False

    def _stored_form(self, slug: str, facts: EntryFacts) -> tuple:
        """The stored form of an entry's facts, reused as loaded when they did not change."""
        loaded = self._loaded.get(slug)
        return loaded[1] if loaded is not None and loaded[0] is facts else facts_values(facts)

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None


def cache_path(root: Path, out: Path) -> Path:
    """The cache file of one output folder of one site."""
    tag = hashlib.blake2b(str(out.resolve()).encode(), digest_size=6).hexdigest()
    return root / CACHE_DIR / f"build-{tag}.sqlite"


def _file_identity(path: Path) -> tuple[int, int] | None:
    """The device and inode of the file at ``path``; None when there is none."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _header() -> tuple:
    return ("papershelf", __version__, FORMAT)


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
