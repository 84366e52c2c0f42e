"""Reading dump files safely: regular files only, at most MAX_DUMP_BYTES, errors as one line.

A FIFO would block the import forever and ``/dev/zero`` would fill the memory, so
anything that is not a regular file is refused before a byte is read; a pipe is read
only when asked for by name (``-``, ``/dev/stdin`` or ``<(command)``), through
``read_pipe``, and is kept in content/sources/ under ``pasted_name`` so that
``sources:`` names a real file. The same names redirected from a file (``import
/dev/stdin < listing.txt``) stand for that file, by its real name (``real_file_behind``).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from generator.core.errors import DumpError, os_error

MAX_DUMP_BYTES = 100_000_000  # a 10,000-paper Hugging Face listing is about 17 MB
_DESCRIPTOR = re.compile(r"/(?:dev|proc/self)/fd/(\d+)")
_STDIN = ("-", "/dev/stdin")
_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _descriptor(path: Path) -> int | None:
    """The file descriptor that ``-``, ``/dev/stdin``, ``/dev/fd/N`` or ``/proc/self/fd/N``
    stands for; None for any other name."""
    name = str(path)
    if name in _STDIN:
        return 0
    match = _DESCRIPTOR.fullmatch(name)
    return int(match[1]) if match else None


def real_file_behind(path: Path) -> Path | None:
    """The regular file a descriptor name was redirected from (``/dev/stdin < listing.txt``),
    by its real path, so that ``sources:`` records ``listing.txt``, not ``stdin`` or ``0``;
    None for other names, for pipes and devices, and for a file that has no name any more."""
    fd = _descriptor(path)
    if fd is None or str(path) == "-":  # '-' is read through click's stdin, always a paste
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        target = os.readlink(f"/proc/self/fd/{fd}")
        found = os.stat(target)
    except (OSError, ValueError):
        return None
    if (found.st_dev, found.st_ino) != (info.st_dev, info.st_ino):
        return None  # deleted, or renamed since it was opened
    return Path(target)


def is_pipe_argument(path: Path) -> bool:
    """True for ``-`` and for the descriptor names (``/dev/stdin``, the ``/dev/fd/N`` a shell
    passes for ``<(command)``) that stand for a pipe or socket, or for a regular file without
    a name: their bytes are kept as a paste. A regular file with a name is read as itself
    (``parse_dump`` names it by ``real_file_behind``)."""
    fd = _descriptor(path)
    if fd is None:
        return False
    if str(path) == "-":
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or (
        stat.S_ISREG(mode) and real_file_behind(path) is None)


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
