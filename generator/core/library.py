"""The reading list on disk: read every entry of content/papers/, write entries atomically.

Only regular files are entries: a symbolic link (which could point anywhere) or a folder
named ``x.md`` is never read. Updates to existing entries are compare-and-swap: the file
is re-checked (identity, size, modification time, bytes) just before the rename and the
merge is redone when it changed, so an edit saved meanwhile is merged into, not lost.
A new entry is created exclusively (a hard link of a whole temporary file, which fails if
the name exists): a file the curator saved under that name meanwhile is merged into too.
Temporary files have short names of their own (``.ps-PID-N.tmp``), so an entry's name of
any legal length can be written, and a killed write's leftovers are known as papershelf's.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import pickle
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__
from generator.core.entries import Entry, format_entry, is_empty, read_bytes, read_entry_file
from generator.core.errors import EntryError, os_error
from generator.core.folder import (
    ENTRY_SUFFIX,
    entry_path,
    file_key,
    odd_entry_error,
    survey_folder,
    temp_name,
)
from generator.core.validate import utf8_name

CACHE_FORMAT = 3  # 2: entries read as bytes (BOM, CR line ends, arxiv ids as written); 3: DOI identity keys
SETTLE_SECONDS = 2.0  # a broken file younger than this may be an editor's save in progress
SETTLE_STEP = 0.05
CAS_ATTEMPTS = 50
# Where hard links cannot be made (FAT, some network file systems), a new entry's name is
# reserved with O_EXCL instead.
_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS})


@dataclass
class Library:
    """Every readable entry, by slug, and the errors of the files that could not be read."""

    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    errors: list[EntryError] = field(default_factory=list)
    cache: Path | None = None
    taken: list[str] = field(default_factory=list)  # every *.md name's stem: files, links, folders
    known: dict[str, tuple] = field(default_factory=dict)  # slug -> (stat, meta, body, keys)
    keys_of: Callable[[Entry], Any] | None = None  # what an entry is known by (import: identity keys)

    def cached_keys(self, slug: str) -> Any:
        """What ``keys_of`` made of the entry (kept in the cache with it)."""
        return self.known[slug][3]

    def path_of(self, slug: str) -> Path:
        """Where the entry ``slug`` lives."""
        return entry_path(self.folder, slug)

    def remember(self, written: Iterable[tuple[Entry, tuple[int, int, int], Any]]) -> None:
        """Note entries just written, each with its file key and what ``keys_of`` made of it
        (see ``saved``), and refresh the cache, so the next run parses none of them."""
        for entry, key, extra in written:
            self.known[entry.slug] = (key, entry.meta, entry.body, extra)
            self.entries[entry.slug] = entry
        if self.cache:
            _write_cache(self.cache, _header(self.keys_of), self.known)

    def saved(self, entry: Entry, path: Path) -> tuple[tuple[int, int, int], Any]:
        """The file key and keys ``remember`` wants for ``entry``, just saved at ``path``
        (worker processes call this, so the work is spread over the cores)."""
        return file_key(os.stat(path)), (self.keys_of(entry) if self.keys_of else None)


def load_library(folder: Path, cache: Path | None = None,
                 keys_of: Callable[[Entry], Any] | None = None) -> Library:
    """Read every entry in ``folder``; unreadable files are collected, not raised.

    With ``cache``, entries whose file is unchanged (same mtime and size) come from that
    file, with what ``keys_of`` made of them, and it is refreshed when anything changed:
    re-importing into a big list then parses nothing. A file name that is not UTF-8 is an
    error (an entry nothing can name); links and folders named ``*.md`` are only ``taken``.
    """
    library = Library(folder, cache=cache, keys_of=keys_of)
    known = _read_cache(cache, _header(keys_of)) if cache else {}
    seen: dict[str, tuple] = {}
    found, odd, _ = survey_folder(folder)
    library.errors += [odd_entry_error(folder / name) for name in odd if not utf8_name(name)]
    library.taken = [name[:-len(ENTRY_SUFFIX)] for name in odd]
    for name, key in found:
        path = folder / name
        cached = known.get(path.stem)
        if cached is not None and cached[0] == key:
            seen[path.stem] = cached
            library.entries[path.stem] = Entry(path.stem, cached[1], cached[2])
            continue
        try:
            entry = read_settled(path)[1]
        except EntryError as exc:
            library.errors.append(exc)
            continue
        library.entries[path.stem] = entry
        seen[path.stem] = (key, entry.meta, entry.body, keys_of(entry) if keys_of else None)
    library.known = seen
    if cache and seen != known:
        _write_cache(cache, _header(keys_of), seen)
    return library


def _header(keys_of: Callable[[Entry], Any] | None) -> tuple:
    """What a cache must have been written by: this papershelf, and the same ``keys_of``."""
    name = f"{keys_of.__module__}.{keys_of.__qualname__}" if keys_of else ""
    return ("papershelf-library", CACHE_FORMAT, __version__, name)


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
    _replace_if(path, data, None)


def _replace_if(path: Path, data: bytes, still: Callable[[], bool] | None) -> bool:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path`` if
    ``still()`` (checked last thing before the rename) is true; returns whether it did."""
    try:
        mode: int | None = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = None
    tmp, fd = _open_temp(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
        if still is not None and not still():
            tmp.unlink()
            return False
        os.replace(tmp, path)
        return True
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _open_temp(path: Path) -> tuple[Path, int]:
    """A new temporary file beside ``path``, open for writing. An error here is the folder's
    (every file written there would fail alike), so it is marked ``folder_wide``."""
    tmp = path.with_name(temp_name())  # a leftover of a killed process of the same id is reused
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            return tmp, os.open(tmp, flags, 0o666)
    except OSError as exc:
        exc.folder_wide = True  # type: ignore[attr-defined]
        raise


def read_settled(path: Path) -> tuple[bytes, Entry, os.stat_result]:
    """Read and parse an entry, waiting (bounded) for one that looks half-saved: a file that
    does not parse and was modified in the last SETTLE_SECONDS is re-read until it parses
    or is that old, as editors that save in place truncate the file and then write it."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        data = read_bytes(path)
        st = os.stat(path, follow_symlinks=False)
        try:
            return data, read_entry_file(path, data).entry, st
        except EntryError:
            if time.time() - st.st_mtime >= SETTLE_SECONDS or time.monotonic() > deadline:
                raise
        time.sleep(SETTLE_STEP)


def update_entry(path: Path, merge: Callable[[Entry], dict[str, Any] | None],
                 watch: ReplacedFiles | None = None) -> Entry | None:
    """Fill an existing entry in place: ``merge`` gets the entry as it is now and returns its
    new front matter (or None); only the lines of the keys that change are written.

    Compare-and-swap: just before the rename the file must still be the same file with the
    same size, time and bytes, else the merge is redone on what is there now; an edit that
    lands in the old file during the rename itself is found afterwards and merged too, and
    with ``watch``, one written a moment later through a descriptor opened before the rename.
    Returns the entry written, or None when nothing changed. FileNotFoundError when removed.
    """
    for _ in range(CAS_ATTEMPTS):
        data, entry, st = read_settled(path)
        meta = merge(entry)
        if meta is None or meta == entry.meta:
            return None
        from generator.core.frontmatter_edit import update_front_matter  # only updates pay for the editor

        new = update_front_matter(data, entry.meta, meta, path)
        with _open_nofollow(path) as handle:  # the file as it was merged: watched until the rename
            if not _unchanged(handle, st, data):
                continue
            replaced = _replace_if(path, new, _still(handle, st, data, path))
            if replaced and _unchanged(handle, st, data):
                if watch is not None:
                    watch.keep(Replaced(path, os.dup(handle.fileno()), st, data, new, merge))
                return Entry(entry.slug, meta, entry.body)  # what the new bytes parse to (verified)
            if replaced:  # written to the old file while it was being replaced: put that back
                write_atomic_bytes(path, _settled_bytes(handle, path))
    raise EntryError("changed on every attempt to update it", path=path,
                     hint="run the command again once the file is no longer being edited")


@dataclass(frozen=True)
class Replaced:
    """An entry file an update replaced, still open: what it held when merged."""

    path: Path
    fd: int
    st: os.stat_result
    data: bytes  # what it held when merged
    new: bytes  # what replaced it
    merge: Callable[[Entry], dict[str, Any] | None]


class ReplacedFiles:
    """The old files of the entries a command updated, kept open for a moment (``GRACE``).

    An editor or script that opened an entry just before the rename and writes a moment
    after it writes to the old file, which no one would read again. So the old files are
    checked once more after a short wait, once for many updates (``settle``): an edit that
    landed there is carried into the entry (appended lines appended; a file rewritten in
    place put back and merged again), or, when the new file was edited too, kept beside it.
    """

    GRACE = 0.1  # seconds after the last rename
    LIMIT = 256  # files kept open at most: then they are settled early

    def __init__(self) -> None:
        self._kept: list[Replaced] = []
        self._last = 0.0
        self.errors: list[EntryError] = []

    def keep(self, replaced: Replaced) -> None:
        self._kept.append(replaced)
        self._last = time.monotonic()
        if len(self._kept) >= self.LIMIT:
            self.settle()

    def settle(self) -> None:
        """Wait out the grace period, then carry over what landed in each old file."""
        kept, self._kept = self._kept, []
        if kept:
            time.sleep(max(0.0, self._last + self.GRACE - time.monotonic()))
        for item in kept:
            with os.fdopen(item.fd, "rb") as handle:
                if not _unchanged(handle, item.st, item.data):
                    self._carry_over(item, _settled_bytes(handle, item.path))

    def _carry_over(self, item: Replaced, edited: bytes) -> None:
        try:
            if edited.startswith(item.data):  # lines appended: append them to the entry as it is now
                _swap(item.path, lambda now: now + edited[len(item.data):])
            elif _swap(item.path, lambda now: edited if now == item.new else None):
                update_entry(item.path, item.merge)  # rewritten in place: put back, merged again
            else:
                kept = item.path.with_name(item.path.name + ".edited")
                write_atomic_bytes(kept, edited)
                self.errors.append(EntryError(
                    "was saved while papershelf replaced it; that version is kept beside it",
                    path=item.path, hint=f"merge {kept.name} into it by hand, then delete {kept.name}"))
        except EntryError as exc:
            self.errors.append(exc)
        except OSError as exc:
            error = os_error(exc, item.path)
            if error is None:
                raise
            self.errors.append(error)


def _swap(path: Path, change: Callable[[bytes], bytes | None]) -> bool:
    """Replace the bytes of the entry file ``path`` by ``change(bytes)`` atomically
    (compare-and-swap); False when ``change`` returns None."""
    for _ in range(CAS_ATTEMPTS):
        with _open_nofollow(path) as handle:
            data = handle.read()
            st = os.fstat(handle.fileno())
            new = change(data)
            if new is None:
                return False
            if _replace_if(path, new, _still(handle, st, data, path)):
                return True
    raise EntryError("changed on every attempt to update it", path=path,
                     hint="run the command again once the file is no longer being edited")


def _open_nofollow(path: Path) -> Any:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.fdopen(os.open(path, flags), "rb")


def _settled_bytes(handle: Any, path: Path) -> bytes:
    """The bytes of an open entry file once they parse, or once unchanged for SETTLE_SECONDS."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        handle.seek(0)
        data = handle.read()
        try:
            read_entry_file(path, data)
            return data
        except EntryError:
            if time.time() - os.fstat(handle.fileno()).st_mtime >= SETTLE_SECONDS \
                    or time.monotonic() > deadline:
                return data
        time.sleep(SETTLE_STEP)


def _still(handle: Any, st: os.stat_result, data: bytes, path: Path) -> Callable[[], bool]:
    """The last check before the rename: the path is still the file merged, unchanged."""
    return lambda: _unchanged(handle, st, data) and _same_file(path, st)


def _unchanged(handle: Any, st: os.stat_result, data: bytes) -> bool:
    now = os.fstat(handle.fileno())
    if (now.st_ino, now.st_size, now.st_mtime_ns) != (st.st_ino, st.st_size, st.st_mtime_ns):
        return False
    handle.seek(0)
    return hashlib.blake2b(handle.read()).digest() == hashlib.blake2b(data).digest()


def _same_file(path: Path, st: os.stat_result) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (now.st_ino, now.st_dev) == (st.st_ino, st.st_dev) and stat.S_ISREG(now.st_mode)


def save_entry(folder: Path, entry: Entry) -> Path:
    """Write one entry file atomically, over any file of that name; returns its path.
    (Commands create entries with ``create_entry``, which never replaces a file.)"""
    path = entry_path(folder, entry.slug)
    write_atomic(path, format_entry(entry))
    return path


def create_entry(folder: Path, entry: Entry, merge: Callable[[Entry], dict[str, Any] | None] | None = None,
                 watch: ReplacedFiles | None = None) -> Entry | None:
    """Create the new entry file ``entry``, whole or not at all, never over an existing file.

    When the name exists (the curator saved a file of that name since the plan was made),
    ``merge`` (default: fill the file's empty keys from ``entry``) is applied to that file
    as ``update_entry`` does. Returns the entry written (None when the merge changed nothing).
    """
    path = entry_path(folder, entry.slug)
    if _create(path, format_entry(entry).encode("utf-8")):
        return entry
    return update_entry(path, merge or (lambda now: _fill_empty(now.meta, entry.meta)), watch)


def write_error(exc: OSError, path: Path) -> EntryError | None:
    """A failed write of the entry ``path`` as one line naming it (not its temporary file),
    or None when it must stop the whole job: the disk is full or read-only, or no file can be
    made in the folder (the next entry would fail alike), or the errno points at a bug."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS) or getattr(exc, "folder_wide", False):
        return None
    known = os_error(exc, path)
    if known is None:
        return None
    return EntryError(f"cannot write: {known.message}", path=path, hint=known.hint)


def _fill_empty(meta: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {**meta, **{key: value for key, value in new.items() if is_empty(meta.get(key))}}


def _create(path: Path, data: bytes) -> bool:
    """Write ``data`` as the new file ``path``; False (nothing written) when the name exists."""
    tmp, fd = _open_temp(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            os.link(tmp, path, follow_symlinks=False)  # fails if the name exists, as anything
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            return _create_reserved(path, tmp)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _create_reserved(path: Path, tmp: Path) -> bool:
    """``_create`` without hard links: reserve the name with O_EXCL, then rename the whole
    temporary file over the reservation if it is still the empty file made."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        return False
    with os.fdopen(fd, "rb") as handle:
        reserved = os.fstat(handle.fileno())
        if _replace_if(path, tmp.read_bytes(), _still(handle, reserved, b"", path)):
            return True
    return False
