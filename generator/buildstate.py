"""What the last build saw and made, so the next one redoes only what changed.

Kept on disk under ``.papershelf-cache/`` between ``build`` runs and in memory
by ``serve``. Two files: a small manifest (input stats, output keys) that is
enough to see that nothing changed, and the parsed entries with their rendered
HTML fragments, read only when something did.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .entries import Entry
from .library import write_atomic_bytes

CACHE_DIR = ".papershelf-cache"
FORMAT = 1  # bump when the layout of these files changes


def digest(*parts: Any) -> bytes:
    """A short, stable digest of picklable values (no sets: their order is not stable)."""
    return hashlib.blake2b(pickle.dumps(parts, protocol=4), digest_size=16).digest()


@dataclass
class EntryState:
    """One entry as last seen: file stat and digest, parsed entry, rendered fragments."""

    stat: tuple[int, int]
    digest: bytes
    entry: Entry
    fragments_key: bytes = b""
    abstract_html: str = ""
    notes_html: str = ""


@dataclass
class Manifest:
    """The small half: enough to decide that nothing changed without parsing anything."""

    site_key: bytes = b""
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)
    outputs: dict[str, bytes] = field(default_factory=dict)
    search_key: bytes = b""


@dataclass
class BuildState:
    """The manifest plus the entries (loaded lazily from disk)."""

    manifest: Manifest = field(default_factory=Manifest)
    entries: dict[str, EntryState] | None = None


def cache_paths(root: Path, out: Path) -> tuple[Path, Path]:
    """The manifest and entries files for one output folder of one site."""
    tag = hashlib.blake2b(str(out.resolve()).encode(), digest_size=6).hexdigest()
    folder = root / CACHE_DIR
    return folder / f"manifest-{tag}.pickle", folder / f"entries-{tag}.pickle"


def _header() -> tuple:
    return ("papershelf", __version__, FORMAT)


def load_manifest(path: Path) -> Manifest | None:
    """The saved manifest, or None when absent, unreadable or from another version."""
    try:
        header, manifest = pickle.loads(path.read_bytes())
    except Exception:  # a missing, truncated or foreign cache is simply not used
        return None
    return manifest if header == _header() and isinstance(manifest, Manifest) else None


def load_entries(path: Path) -> dict[str, EntryState]:
    """The saved entry states, or an empty dict."""
    try:
        header, entries = pickle.loads(path.read_bytes())
    except Exception:  # as above: no cache means a full build, never an error
        return {}
    return entries if header == _header() and isinstance(entries, dict) else {}


def save_state(root: Path, out: Path, state: BuildState) -> None:
    """Write both cache files atomically (entries first: the manifest vouches for them)."""
    manifest_path, entries_path = cache_paths(root, out)
    if state.entries is not None:
        write_atomic_bytes(entries_path, pickle.dumps((_header(), state.entries), protocol=5))
    write_atomic_bytes(manifest_path, pickle.dumps((_header(), state.manifest), protocol=5))


def clear_state(root: Path, out: Path) -> None:
    """Forget the cache of one output folder."""
    for path in cache_paths(root, out):
        path.unlink(missing_ok=True)


def file_stat(path: Path) -> tuple[int, int]:
    """(mtime in ns, size): what tells that a file may have changed."""
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size
