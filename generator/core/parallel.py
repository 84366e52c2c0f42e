"""Spread work over the CPU cores with fork: children inherit the data, return results by pipe.

Fork avoids pickling the site model for each worker. Where fork is not
available (Windows), or there is one chunk of work, it runs in this process.
Children never touch the parent's open files or database: they compute, write
their own output files, and send back a pickled result. A child dies with its parent
(Linux: ``PR_SET_PDEATHSIG``; elsewhere it checks the parent is still there before it
starts), so a killed build leaves no worker running.

``crash_point`` is a test hook: ``PAPERSHELF_CRASH_AT=<name>`` makes the process kill
itself (SIGKILL) at the named point, so the tests can check that every build killed at
any point is repaired by the next.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_MIN = 400  # items of work before a second process pays for itself
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
CRASH_AT = os.environ.get("PAPERSHELF_CRASH_AT", "")  # test hook, see crash_point


def crash_point(name: str) -> None:
    """Kill this process here if ``PAPERSHELF_CRASH_AT`` names this point (crash tests only)."""
    if name == CRASH_AT:
        os.kill(os.getpid(), signal.SIGKILL)


def die_with_parent(parent: int) -> None:
    """In a child process: be killed when the parent dies, or exit now if it already has."""
    if sys.platform.startswith("linux"):
        import ctypes  # only forked children pay for it

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # libc is loaded
    if os.getppid() != parent:  # died before the signal was asked for
        os._exit(1)


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def jobs_for(items: int, jobs: int) -> int:
    """``jobs`` when there is enough work to share, else 1."""
    return jobs if items >= PARALLEL_MIN else 1


def _chunks(items: Sequence[T], jobs: int) -> list[Sequence[T]]:
    chunks = [items[i::jobs] for i in range(jobs)] if jobs > 1 else [items]
    return [chunk for chunk in chunks if chunk] or [items]


def _can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def fork_map(func: Callable[[Sequence[T]], R], items: Sequence[T], jobs: int) -> list[R]:
    """``[func(chunk) for chunk in split(items, jobs)]``, the chunks run in parallel.

    This process does the first chunk. An exception raised in a child is raised
    again here; every child is waited for, whatever happens.
    """
    chunks = _chunks(items, jobs)
    if len(chunks) == 1 or not _can_fork():
        return [func(chunk) for chunk in chunks]
    children = Children([_spawn(func, chunk) for chunk in chunks[1:]])
    crash_point("forked")
    try:
        mine = func(chunks[0])
    except BaseException:
        children.cancel()
        raise
    return [mine, *children.join()]


def fork_start(func: Callable[[Sequence[T]], R], items: Sequence[T], jobs: int) -> Children[R] | Done[R]:
    """Start ``func`` on every chunk of ``items`` in child processes; ``join()`` on the result
    waits for them, so this process can do other work meanwhile (``cancel()`` if it fails)."""
    chunks = _chunks(items, jobs)
    if not _can_fork():
        return Done([func(chunk) for chunk in chunks])
    return Children([_spawn(func, chunk) for chunk in chunks])


class Done(Generic[R]):
    """Results already computed, with the interface of Children."""

    def __init__(self, results: list[R]) -> None:
        self.results = results

    def join(self) -> list[R]:
        """The results."""
        return self.results

    def cancel(self) -> None:
        """Nothing to stop."""


class Children(Generic[R]):
    """Worker processes started by ``_spawn``: wait for their results, or stop them."""

    def __init__(self, started: list[tuple[int, int]]) -> None:
        self.started = started

    def join(self) -> list[R]:
        """Every child's result, in order; the first child's exception is raised here."""
        results, failure = [], None
        for pid, fd in self.started:
            result = _collect(pid, fd)
            if isinstance(result, _Failure) and failure is None:
                failure = result
            results.append(result)
        self.started = []
        if failure is not None:
            raise failure.error
        return results

    def cancel(self) -> None:
        """Stop and reap every child (after an error or Ctrl-C in this process)."""
        for pid, fd in self.started:
            os.close(fd)
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self.started = []


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _spawn(func, chunk) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # child: never returns
        os.close(read_fd)
        code = 0
        try:
            die_with_parent(parent)
            try:
                result = func(chunk)
            except Exception as exc:  # carried to the parent and raised there
                result = _Failure(exc)
            try:
                data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # an unpicklable exception or result
                data = pickle.dumps(_Failure(RuntimeError(f"worker failed: {exc!r}")))
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _collect(pid: int, fd: int):
    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data or os.waitstatus_to_exitcode(status) != 0:
        return _Failure(RuntimeError(f"worker process {pid} died (status {status})"))
    return pickle.loads(data)
