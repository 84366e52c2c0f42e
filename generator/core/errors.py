"""Errors and warnings that point at a file and line and say what to do."""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


def display_path(path: Path | str) -> str:
    """``path`` relative to the working folder when it lies inside it, as editors expect."""
    if isinstance(path, Path) and path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def location(path: Path | str | None, line: int | None = None, column: int | None = None) -> str:
    """Render ``path:line:column`` with whatever parts are known."""
    parts = [display_path(path)] if path is not None else []
    if line is not None:
        parts.append(str(line))
        if column is not None:
            parts.append(str(column))
    return ":".join(parts)


def format_line(message: str, *, path: Path | str | None = None, line: int | None = None,
                column: int | None = None, severity: str | None = None, hint: str | None = None
                ) -> str:
    """The one shape of every error and warning line, ``path:line:column: severity: message
    (hint)``, leaving out the parts that are not known."""
    where = location(path, line, column)
    text = ": ".join(part for part in (where, severity) if part)
    text = f"{text}: {message}" if text else message
    return f"{text} ({hint})" if hint else text


class PapershelfError(Exception):
    """A problem the user can fix; the CLI prints it as one line and exits non-zero."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        return format_line(self.message, path=self.path, line=self.line, column=self.column,
                           hint=self.hint)


class InputsRejected(PapershelfError):
    """Some inputs could not be read, so nothing was written; carries every error (one line each)."""

    def __init__(self, errors: Sequence[PapershelfError]) -> None:
        super().__init__(str(errors[0]))
        self.errors = list(errors)


class DumpError(PapershelfError):
    """A dump file that holds no importable entry at all."""


class EntryError(PapershelfError):
    """An entry file in content/papers/ that cannot be read."""


class ConfigError(PapershelfError):
    """A site.yaml that is missing or invalid."""


class BuildError(PapershelfError):
    """A site that cannot be rendered (template error, URL collision, ...)."""


class FileSystemError(PapershelfError):
    """A file or folder the operating system refused: full disk, permissions, a link loop..."""


_PERMISSIONS = "check the owner and permissions of the file or folder"
# errno -> (what happened, what to do). Errors about the disk itself name the folder.
OS_ERRORS = {
    errno.ENOSPC: ("no space left on device", "free some disk space, then run the command again"),
    errno.EDQUOT: ("disk quota exceeded", "free some disk space, then run the command again"),
    errno.EROFS: ("read-only file system",
                  "make the folder writable or work on a copy, then run the command again"),
    errno.EACCES: ("permission denied", _PERMISSIONS),
    errno.EPERM: ("operation not permitted", _PERMISSIONS),
    errno.ELOOP: ("too many levels of symbolic links",
                  "a link points back to itself: fix or remove it"),
    errno.EISDIR: ("is a folder", "give the path of a file"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.ENAMETOOLONG: ("file name too long", "use a shorter path"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n) or close other programs"),
    errno.ENFILE: ("too many open files in the system", "close other programs, then run again"),
    errno.EIO: ("input/output error", "the disk may be failing: copy your files elsewhere"),
    errno.EBUSY: ("file or folder busy", "close the program using it, then run again"),
    errno.ETXTBSY: ("file busy", "close the program using it, then run again"),
    errno.EEXIST: ("already exists", "move it away or choose another name"),
    errno.ENOTEMPTY: ("folder not empty", "empty or remove the folder"),
}
_WHOLE_DISK = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def os_error(exc: OSError, path: Path | str | None = None, hint: str | None = None
             ) -> FileSystemError | None:
    """``exc`` as one line naming its file (or ``path``), or None for an errno that
    points at a bug rather than at the user's files (EBADF, EINVAL...)."""
    known = OS_ERRORS.get(exc.errno or 0)
    if known is None:
        return None
    what, todo = known
    where = exc.filename if exc.filename is not None else path
    if where is not None and exc.errno in _WHOLE_DISK and exc.filename is not None:
        where = Path(where).parent  # the disk is full or read-only, not the (temporary) file
    if isinstance(where, bytes):
        where = where.decode(errors="replace")
    return FileSystemError(what, path=Path(where) if where is not None else None, hint=hint or todo)


_SPECIFICS = re.compile(r"'[^']*'|\"[^\"]*\"|\d+")  # what differs between alike messages
WARNINGS_PER_KIND = 10


def capped_lines(diagnostics: Iterable[Diagnostic], per_kind: int = WARNINGS_PER_KIND
                 ) -> Iterator[str]:
    """Diagnostics as lines, at most ``per_kind`` alike ones per file, then one line counting
    the rest: a dump with 50,000 bad lines prints a screenful, not 50,000 lines."""
    diagnostics = list(diagnostics)
    kinds = [(str(d.path), d.severity, _SPECIFICS.sub("", d.message)) for d in diagnostics]
    totals: dict[tuple, int] = {}
    for kind in kinds:
        totals[kind] = totals.get(kind, 0) + 1
    seen: dict[tuple, int] = {}
    for diagnostic, kind in zip(diagnostics, kinds, strict=True):
        count = seen[kind] = seen.get(kind, 0) + 1
        if count <= per_kind:
            yield str(diagnostic)
        if count == per_kind and totals[kind] > count:
            more = totals[kind] - count
            yield format_line(f"... and {more:,} more {diagnostic.severity}{'s' * (more != 1)} "
                              "like this", path=diagnostic.path, severity=diagnostic.severity)


@dataclass(frozen=True)
class Diagnostic:
    """A warning or error found while reading input, kept for the final report."""

    path: Path | str
    line: int | None
    message: str
    severity: str = "warning"
    column: int | None = None

    def __str__(self) -> str:
        return format_line(self.message, path=self.path, line=self.line, column=self.column,
                           severity=self.severity)
