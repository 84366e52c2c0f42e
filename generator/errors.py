"""Errors and warnings that point at a file and line and say what to do."""

from __future__ import annotations

from collections.abc import Sequence
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
        where = location(self.path, self.line, self.column)
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text


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


@dataclass(frozen=True)
class Diagnostic:
    """A warning or error found while reading input, kept for the final report."""

    path: Path | str
    line: int | None
    message: str
    severity: str = "warning"
    column: int | None = None

    def __str__(self) -> str:
        return f"{location(self.path, self.line, self.column)}: {self.severity}: {self.message}"
