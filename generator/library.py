"""The reading list on disk: read every entry of content/papers/, write entries atomically."""

from __future__ import annotations

import os
import tempfile
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


def load_library(folder: Path) -> Library:
    """Read every entry in ``folder``; unreadable files are collected, not raised."""
    library = Library(folder)
    for path in entry_paths(folder):
        try:
            library.entries[path.stem] = read_entry(path)
        except EntryError as exc:
            library.errors.append(exc)
    return library


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename: never half-written."""
    write_atomic_bytes(path, text.encode("utf-8"))


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_entry(folder: Path, entry: Entry) -> Path:
    """Write one entry file atomically; returns its path."""
    path = folder / f"{entry.slug}{ENTRY_SUFFIX}"
    write_atomic(path, format_entry(entry))
    return path
