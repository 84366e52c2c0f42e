"""Locks that keep two papershelf processes from writing the same files at once.

One lock per output folder (two builds, or ``serve`` and a build from another
shell, take turns) and one per site (``import`` and ``resolve`` take turns over
``content/papers/``). Each is an ``flock`` on a file in ``.papershelf-cache/``,
so the kernel releases it when its holder dies, even by ``kill -9``; the file
holds the holder's PID, to say whom a second process waits for. Within one
process the lock is re-entrant (``serve`` indexes search in a thread while its
rebuilds hold the same lock).
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.core.config import CACHE_DIR
from generator.core.errors import PapershelfError

try:
    import fcntl
except ImportError:  # not on POSIX: no lock between processes
    fcntl = None

POLL = 0.05  # seconds between two tries when waiting with a timeout

_held: dict[str, tuple[threading.RLock, list[int]]] = {}  # lock file -> (thread lock, [fd, depth])
_guard = threading.Lock()


class LockError(PapershelfError):
    """Another process held the lock for longer than we were willing to wait."""


def lock_path(root: Path, name: str) -> Path:
    """The lock file named ``name`` of the site at ``root``."""
    return root / CACHE_DIR / f"{name}.lock"


def output_lock_path(root: Path, out: Path) -> Path:
    """The lock file of one output folder (same tag as its build cache)."""
    tag = hashlib.blake2b(str(out.resolve()).encode(), digest_size=6).hexdigest()
    return lock_path(root, f"build-{tag}")


@contextmanager
def output_lock(root: Path, out: Path, timeout: float | None = None,
                say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of output folder ``out`` of the site at ``root`` (builds, serve's rebuilds)."""
    with hold(output_lock_path(root, out), f"building into {out}", timeout, say):
        yield


@contextmanager
def site_lock(root: Path, timeout: float | None = None,
              say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of the site's entries (``import``, ``resolve``, ``add``)."""
    with hold(lock_path(root, "entries"), f"writing entries of {root}", timeout, say):
        yield


@contextmanager
def hold(path: Path, doing: str, timeout: float | None = None,
         say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock file ``path``: wait for its holder (saying once whom for), or raise
    LockError naming it after ``timeout`` seconds. Re-entrant within this process."""
    key = str(path)
    with _guard:
        thread_lock, slot = _held.setdefault(key, (threading.RLock(), [-1, 0]))
    with thread_lock:
        if slot[1] == 0:
            slot[0] = _acquire(path, doing, timeout, say or _say)
        slot[1] += 1
        try:
            yield
        finally:
            slot[1] -= 1
            if slot[1] == 0:
                os.close(slot[0])  # closing the file releases the flock
                slot[0] = -1


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _acquire(path: Path, doing: str, timeout: float | None, say: Callable[[str], None]) -> int:
    """Open and lock ``path``; returns the open descriptor, which holds the lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    if fcntl is None:
        return fd
    try:
        if not _try(fd):
            holder = _holder(fd)
            say(f"waiting for process {holder}, which is {doing}")
            _wait(fd, path, holder, doing, timeout)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _try(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _wait(fd: int, path: Path, holder: str, doing: str, timeout: float | None) -> None:
    if timeout is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + timeout
    while not _try(fd):
        if time.monotonic() >= deadline:
            raise LockError(f"process {holder} is {doing}", path=path,
                            hint="wait for it to finish, or stop it")
        time.sleep(POLL)


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
    except OSError:
        return "?"
