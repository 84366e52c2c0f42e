"""The reading list on disk: read every entry of content/papers/, write entries atomically."""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .entries import Entry, format_entry, read_entry
from .errors import EntryError

ENTRY_SUFFIX = ".md"


@dataclass
class Library:
    """Every readable entry, by slug, and the errors of the files that could not be read."""

    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    errors: list[EntryError] = field(default_factory=list)
    cache: Path | None = None
    known: dict[str, tuple] = field(default_factory=dict)  # slug -> (stat, meta, body, derived)
    derive: Callable[[Entry], Any] | None = None

    def derived(self, slug: str) -> Any:
        """What ``derive`` made of the entry (kept in the cache with it)."""
        return self.known[slug][3]

    def path_of(self, slug: str) -> Path:
        """Where the entry ``slug`` lives."""
        return self.folder / f"{slug}{ENTRY_SUFFIX}"

    def remember(self, written: Iterable[tuple[Entry, tuple[int, int, int], Any]]) -> None:
        """Note entries just written, each with its file key and what ``derive`` made of it
        (see ``saved``), and refresh the cache, so the next run parses none of them."""
        for entry, key, extra in written:
            self.known[entry.slug] = (key, entry.meta, entry.body, extra)
            self.entries[entry.slug] = entry
        if self.cache:
            _write_cache(self.cache, _header(self.derive), self.known)

    def saved(self, entry: Entry, path: Path) -> tuple[tuple[int, int, int], Any]:
        """The file key and derived data ``remember`` wants for ``entry``, just saved at ``path``
        (worker processes call this, so the work is spread over the cores)."""
        return file_key(os.stat(path)), (self.derive(entry) if self.derive else None)


def entry_paths(folder: Path) -> list[Path]:
    """Entry files in a stable order (hidden and temporary files skipped)."""
    return [folder / name for name, _ in scan_folder(folder)]


def file_key(st: os.stat_result) -> tuple[int, int, int]:
    """What tells that a file may have changed: modification and change times, and size.
    (The change time cannot be set back by tools that restore modification times.)"""
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size


def scan_folder(folder: Path) -> list[tuple[str, tuple[int, int, int]]]:
    """(file name, file key) of every entry file, sorted by name."""
    found = []
    try:
        with os.scandir(folder) as items:
            for item in items:
                name = item.name
                if name.endswith(ENTRY_SUFFIX) and name[0] != "." and item.is_file():
                    st = item.stat()
                    found.append((name, (st.st_mtime_ns, st.st_ctime_ns, st.st_size)))  # file_key
    except (FileNotFoundError, NotADirectoryError):
        return []
    found.sort()
    return found


def load_library(folder: Path, cache: Path | None = None,
                 derive: Callable[[Entry], Any] | None = None) -> Library:
    """Read every entry in ``folder``; unreadable files are collected, not raised.

    With ``cache``, entries whose file is unchanged (same mtime and size) come from that
    file, with what ``derive`` made of them, and it is refreshed when anything changed:
    re-importing into a big list then parses nothing.
    """
    library = Library(folder, cache=cache, derive=derive)
    known = _read_cache(cache, _header(derive)) if cache else {}
    seen: dict[str, tuple] = {}
    for name, key in scan_folder(folder):
        path = folder / name
        cached = known.get(path.stem)
        if cached is not None and cached[0] == key:
            seen[path.stem] = cached
            library.entries[path.stem] = Entry(path.stem, cached[1], cached[2])
            continue
        try:
            entry = read_entry(path)
        except EntryError as exc:
            library.errors.append(exc)
            continue
        library.entries[path.stem] = entry
        seen[path.stem] = (key, entry.meta, entry.body, derive(entry) if derive else None)
    library.known = seen
    if cache and seen != known:
        _write_cache(cache, _header(derive), seen)
    return library


def _header(derive: Callable[[Entry], Any] | None) -> tuple:
    """What a cache must have been written by: this papershelf, and the same ``derive``."""
    name = f"{derive.__module__}.{derive.__qualname__}" if derive else ""
    return ("papershelf-library", __version__, name)


def _read_cache(path: Path, header: tuple) -> dict[str, tuple]:
    try:
        found, data = pickle.loads(path.read_bytes())
    except Exception:  # absent or unreadable: simply parse every file
        return {}
    return data if found == header and isinstance(data, dict) else {}


def _write_cache(path: Path, header: tuple, data: dict[str, tuple]) -> None:
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        write_atomic_bytes(path, pickle.dumps((header, data), protocol=pickle.HIGHEST_PROTOCOL))


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename: never half-written."""
    write_atomic_bytes(path, text.encode("utf-8"))


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    A replaced file keeps its permissions; a new one gets the usual ones (0666 less umask).
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        mode: int | None = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save_entry(folder: Path, entry: Entry) -> Path:
    """Write one entry file atomically; returns its path."""
    path = folder / f"{entry.slug}{ENTRY_SUFFIX}"
    write_atomic(path, format_entry(entry))
    return path
