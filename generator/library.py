"""The reading list on disk: read every entry of content/papers/, write entries atomically."""

from __future__ import annotations

import contextlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from .entries import Entry, format_entry, read_entry
from .errors import EntryError

ENTRY_SUFFIX = ".md"


@dataclass
class Library:
    """Every readable entry, by slug, and the errors of the files that could not be read."""

    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    errors: list[EntryError] = field(default_factory=list)

    def path_of(self, slug: str) -> Path:
        """Where the entry ``slug`` lives."""
        return self.folder / f"{slug}{ENTRY_SUFFIX}"


def entry_paths(folder: Path) -> list[Path]:
    """Entry files in a stable order (hidden and temporary files skipped)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.suffix == ENTRY_SUFFIX and not p.name.startswith(".") and p.is_file())


def load_library(folder: Path, cache: Path | None = None) -> Library:
    """Read every entry in ``folder``; unreadable files are collected, not raised.

    With ``cache``, entries whose file is unchanged (same mtime and size) come from that
    file, and it is refreshed when anything changed: re-importing into a big list then
    parses nothing.
    """
    library = Library(folder)
    known = _read_cache(cache) if cache else {}
    seen: dict[str, tuple] = {}
    for path in entry_paths(folder):
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
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
        seen[path.stem] = (key, entry.meta, entry.body)
    if cache and seen != known:
        _write_cache(cache, seen)
    return library


_CACHE_HEADER = ("papershelf-library", 1)


def _read_cache(path: Path) -> dict[str, tuple]:
    try:
        header, data = pickle.loads(path.read_bytes())
    except Exception:  # absent or unreadable: simply parse every file
        return {}
    return data if header == _CACHE_HEADER and isinstance(data, dict) else {}


def _write_cache(path: Path, data: dict[str, tuple]) -> None:
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        write_atomic_bytes(path, pickle.dumps((_CACHE_HEADER, data), protocol=pickle.HIGHEST_PROTOCOL))


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
