"""Reading dump files safely: regular files only, at most MAX_DUMP_BYTES, errors as one line.

A FIFO would block the import forever and ``/dev/zero`` would fill the memory, so
anything that is not a regular file is refused before a byte is read; a pipe is read
only when asked for by name (``-`` or ``<(command)``), through ``read_pipe``, and is
kept in content/sources/ under ``pasted_name`` so that ``sources:`` names a real file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import DumpError, os_error

MAX_DUMP_BYTES = 100_000_000  # a 10,000-paper Hugging Face listing is about 17 MB
_PIPE_FOLDERS = ("/dev/fd/", "/proc/self/fd/")
_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def is_pipe_argument(path: Path) -> bool:
    """True for ``-`` and for the ``/dev/fd/N`` a shell passes for ``<(command)``."""
    name = str(path)
    return name == "-" or (name.startswith(_PIPE_FOLDERS) and _is_pipe(name))


def _is_pipe(name: str) -> bool:
    try:
        mode = os.stat(name).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def check_dump_path(path: Path) -> None:
    """Raise DumpError unless ``path`` is a readable regular file not over the size limit."""
    os.close(_open_regular(path))


def read_dump(path: Path) -> bytes:
    """The bytes of the dump at ``path``; never blocks on a FIFO nor reads a device."""
    with os.fdopen(_open_regular(path), "rb") as handle:
        try:
            return _read_capped(handle, path)
        except OSError as exc:
            raise _error(exc, path) from exc


def _open_regular(path: Path) -> int:
    """A file descriptor open on ``path``, checked to be a regular file (no read yet)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _error(exc, path) from exc
    try:
        _check_mode(os.fstat(fd), path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_pipe(stream: BinaryIO, path: Path) -> bytes:
    """The bytes of a pipe (stdin, ``<(command)``), at most MAX_DUMP_BYTES of them."""
    try:
        return _read_capped(stream, path)
    except OSError as exc:
        raise _error(exc, path) from exc


def _read_capped(stream: BinaryIO, path: Path) -> bytes:
    data = stream.read(MAX_DUMP_BYTES + 1)
    if len(data) > MAX_DUMP_BYTES:
        raise _too_big(path)
    return data


def _check_mode(info: os.stat_result, path: Path) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise DumpError("is a folder", path=path, hint=f"give the files inside it, e.g. {path}/*.txt")
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "a special file")
        raise DumpError(f"not a regular file but {kind}", path=path,
                        hint="save the listing to a file, or pipe it in with '-'")
    if info.st_size > MAX_DUMP_BYTES:
        raise _too_big(path)


def _too_big(path: Path) -> DumpError:
    return DumpError(f"too big for a pasted listing (over {MAX_DUMP_BYTES // 1_000_000} MB)",
                     path=path, hint="split it into smaller files")


def _error(exc: OSError, path: Path) -> DumpError:
    found = os_error(exc, path)
    if found is None:
        return DumpError(f"cannot read file: {exc.strerror}", path=path)
    return DumpError(found.message, path=path, hint=found.hint)


def pasted_name(folder: Path, data: bytes, day: str) -> Path:
    """Where a piped listing is kept: ``pasted-<day>.txt`` in ``folder``, the same file again
    when it holds these very bytes (a second import changes nothing), else ``-2``, ``-3``..."""
    number = 1
    while True:
        path = folder / (f"pasted-{day}.txt" if number == 1 else f"pasted-{day}-{number}.txt")
        try:
            if not path.exists() or path.read_bytes() == data:
                return path
        except OSError as exc:
            raise _error(exc, path) from exc
        number += 1
