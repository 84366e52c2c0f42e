"""Spread work over the CPU cores with fork: children inherit the data, return results by pipe.

Fork avoids pickling the site model for each worker. Where fork is not
available (Windows, or one core) the work runs in this process.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def fork_map(func: Callable[[Sequence[T]], R], items: Sequence[T], jobs: int) -> list[R]:
    """``[func(chunk) for chunk in split(items, jobs)]``, the chunks run in parallel.

    An exception raised in a child is raised again here.
    """
    chunks = [items[i::jobs] for i in range(jobs)] if jobs > 1 else [items]
    chunks = [c for c in chunks if c] or [items]
    if len(chunks) == 1 or not hasattr(os, "fork") or sys.platform == "win32":
        return [func(chunk) for chunk in chunks]
    children = [_spawn(func, chunk) for chunk in chunks[1:]]
    mine = _guarded(func, chunks[0])
    results = [mine] + [_collect(pid, fd) for pid, fd in children]
    for result in results:
        if isinstance(result, _Failure):
            raise result.error
    return results


def fork_start(func: Callable[[Sequence[T]], R], items: Sequence[T], jobs: int) -> Callable[[], list[R]]:
    """Start ``func`` on every chunk of ``items`` in child processes and return a function
    that waits for their results, so this process can do other work meanwhile.

    Without fork, the work is done when the returned function is called.
    """
    chunks = [c for c in ([items[i::jobs] for i in range(jobs)] if jobs > 1 else [items]) if c]
    if not chunks or not hasattr(os, "fork") or sys.platform == "win32":
        return lambda: [func(chunk) for chunk in chunks]
    children = [_spawn(func, chunk) for chunk in chunks]

    def join() -> list[R]:
        results = [_collect(pid, fd) for pid, fd in children]
        for result in results:
            if isinstance(result, _Failure):
                raise result.error
        return results

    return join


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _guarded(func, chunk):
    try:
        return func(chunk)
    except Exception as exc:  # carried to the parent and raised there
        return _Failure(exc)


def _spawn(func, chunk) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        code = 0
        try:
            result = _guarded(func, chunk)
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
