"""The folder of entries as files: which names are entries, their file keys, where a slug's
file is, and the temporary files writes leave there (named so a killed write's leftovers are
known as papershelf's and removed). Import, check and build all look at the folder through
this module; reading and writing an entry's bytes is ``entries`` and ``library``'s job."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path

from generator.core.errors import EntryError
from generator.core.validate import not_utf8_name_error, utf8_name

ENTRY_SUFFIX = ".md"
STALE_TEMP_SECONDS = 15 * 60
# ``.ps-PID-N.tmp``, and ``.name.md.PID.tmp`` as earlier versions named them.
_TEMP = re.compile(r"\A\.(?:ps-(\d+)-\d+|.+\.md\.(\d+))\.tmp\Z")
_TEMP_NUMBERS = itertools.count(1)


def entry_path(folder: Path, slug: str) -> Path:
    """Where the entry ``slug`` of the library in ``folder`` lives (every command names it so)."""
    return folder / entry_file_name(slug)


def entry_file_name(slug: str) -> str:
    """The file name of the entry ``slug``: ``moe.md``."""
    return f"{slug}{ENTRY_SUFFIX}"


def temp_name() -> str:
    """A new temporary file name: short whatever the target's name, unique in this process
    (and across forked workers, by the process id), known to ``remove_stale_temps``."""
    return f".ps-{os.getpid()}-{next(_TEMP_NUMBERS)}.tmp"


def entry_paths(folder: Path) -> list[Path]:
    """Entry files in a stable order (hidden and temporary files skipped)."""
    return [folder / name for name, _ in scan_folder(folder)]


def file_key(st: os.stat_result) -> tuple[int, int, int]:
    """What tells that a file may have changed: modification and change times, and size.
    (The change time cannot be set back by tools that restore modification times.)"""
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size


def scan_folder(folder: Path) -> list[tuple[str, tuple[int, int, int]]]:
    """(file name, file key) of every entry file (a regular file, not a link), sorted by name."""
    return survey_folder(folder)[0]


def survey_folder(folder: Path) -> tuple[list[tuple[str, tuple[int, int, int]]], list[str], list[str]]:
    """``scan_folder``'s list, the ``*.md`` names that are not entries (links, folders, names
    that are not UTF-8...), and the names of temporary files left by writes, in one pass.

    A missing folder holds no entries; a file in its place is an error (it would otherwise
    read as an empty reading list, and a build would publish that).
    """
    found, odd, temps = [], [], []
    try:
        with os.scandir(folder) as items:
            for item in items:
                name = item.name
                if name[0] == ".":
                    if name.endswith(".tmp"):
                        temps.append(name)
                elif name.endswith(ENTRY_SUFFIX):
                    if item.is_file(follow_symlinks=False) and utf8_name(name):
                        st = item.stat(follow_symlinks=False)
                        found.append((name, (st.st_mtime_ns, st.st_ctime_ns, st.st_size)))  # file_key
                    else:
                        odd.append(name)
    except FileNotFoundError:
        return [], [], []
    except NotADirectoryError:
        if not folder.exists():  # a part of the path above is a file: as missing
            return [], [], []
        raise EntryError("is a file, not the folder of entries", path=folder,
                         hint="move the file away and put the entries' folder back") from None
    found.sort()
    return found, sorted(odd), temps


def odd_entry_error(path: Path) -> EntryError:
    """Why a ``*.md`` name that is not a regular file (or not UTF-8) is not an entry."""
    if not utf8_name(path.name):
        return not_utf8_name_error(path)
    if path.is_symlink():
        return EntryError("is a symbolic link; entries are read only from regular files", path=path,
                          hint="replace the link by a copy of the file, or remove it")
    return EntryError("is not a regular file, so it is not an entry", path=path,
                      hint="rename it so that its name does not end in .md")


def remove_stale_temps(folder: Path, names: Iterable[str] | None = None) -> list[str]:
    """Remove the temporary files of writes that were killed: their process is gone, or they
    are older than STALE_TEMP_SECONDS. Returns the names removed."""
    if names is None:
        names = survey_folder(folder)[2]
    removed = []
    for name in names:
        match = _TEMP.match(name)
        if not match:
            continue
        pid = int(match.group(1) or match.group(2))
        path = folder / name
        try:
            age = time.time() - path.lstat().st_mtime
        except OSError:
            continue
        if _alive(pid) and age < STALE_TEMP_SECONDS:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
