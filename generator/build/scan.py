"""Which entries the library holds and what they say: the folder scanned (or, in ``serve``,
just the files a watcher saw change), and every entry's facts, parsing only files whose bytes
changed since the last build."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from generator.build.facts import EntryFacts
from generator.core.digests import digest
from generator.core.entries import Entry, key_lines, read_bytes, read_entry_file
from generator.core.errors import BuildError, EntryError
from generator.core.folder import ENTRY_SUFFIX, file_key, remove_stale_temps, survey_folder
from generator.core.parallel import fork_map, jobs_for
from generator.core.validate import errors as entry_errors
from generator.core.validate import has_control, name_error, shown_name, without_controls
from generator.site.model import paper_of

Scan = dict[str, tuple[str, tuple[int, ...]]]  # slug: (path, file key), in name order


@dataclass(frozen=True)
class EntriesRead:
    """Every entry's facts, in name order, and the entries parsed to make them (the files
    whose bytes changed)."""

    records: dict[str, EntryFacts]
    parsed: dict[str, Entry]


def scan_entries(folder: Path) -> Scan:
    """Every entry file by slug, with its path and file key, in name order. Temporary files
    of killed imports are removed on the way (``build`` may be the only command CI runs)."""
    prefix, cut = f"{folder}{os.sep}", -len(ENTRY_SUFFIX)
    found, _, temps = survey_folder(folder)
    if temps:
        remove_stale_temps(folder, temps)
    return {name[:cut]: (prefix + name, key) for name, key in found}


def rescan_entries(folder: Path, records: dict[str, EntryFacts],
                   changed: Collection[str]) -> Scan:
    """The scan of the last build updated with just the ``changed`` files."""
    scan = {slug: (os.path.join(folder, slug + ENTRY_SUFFIX), r.stat) for slug, r in records.items()}
    home = str(folder.resolve())
    for path in changed:
        name = os.path.basename(path)
        if os.path.dirname(os.path.abspath(path)) != home or not name.endswith(ENTRY_SUFFIX) \
                or name.startswith("."):
            continue
        slug = name[:-len(ENTRY_SUFFIX)]
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            st = None
        if st is None or not S_ISREG(st.st_mode):  # gone, or a link or folder: not an entry
            scan.pop(slug, None)
            continue
        scan[slug] = (os.path.join(folder, name), file_key(st))
    return dict(sorted(scan.items()))


def load_records(scan: Scan, previous: dict[str, EntryFacts], jobs: int = 1) -> EntriesRead:
    """The facts of every entry, parsing only files whose bytes changed (over ``jobs`` processes
    when there are many); an unreadable or invalid entry raises EntryError."""
    records: dict[str, EntryFacts] = {}
    todo = []
    for slug, (path, stat) in scan.items():
        old = previous.get(slug)
        if old is not None and old.stat == stat:
            records[slug] = old
        else:
            _check_name(path)
            todo.append((slug, path, stat))

    def read(chunk: Sequence[tuple[str, str, tuple[int, ...]]]) -> list[tuple[str, EntryFacts, Entry | None]]:
        done = []
        for slug, path, stat in chunk:
            data = read_bytes(Path(path))
            key = digest(data)
            old = previous.get(slug)
            if old is not None and old.digest == key:
                done.append((slug, old._replace(stat=stat), None))
                continue
            entry = valid_entry(Path(path), data)
            done.append((slug, EntryFacts(stat=stat, digest=key, paper=paper_of(slug, entry, path)), entry))
        return done

    parsed = {}
    for part in fork_map(read, todo, jobs_for(len(todo), jobs)):
        for slug, record, entry in part:
            records[slug] = record
            if entry is not None:
                parsed[slug] = entry
    return EntriesRead(dict(sorted(records.items())), parsed)


def _check_name(path: str) -> None:
    """Refuse an entry whose file name cannot be a URL or a line of the manifest (a line
    break, a byte that is not UTF-8): checked once per new or changed file."""
    folder, name = os.path.split(path)
    problem = name_error(name)
    if problem is not None:
        raise BuildError(problem, path=os.path.join(shown_name(folder), shown_name(name)),
                         hint="rename the file")


def valid_entry(path: Path, data: bytes) -> Entry:
    """The entry in ``data``, read from ``path``, refusing one that breaks a schema rule (file
    and line in the error); control characters are dropped ('check' names them)."""
    read = read_entry_file(path, data)
    entry = read.entry
    if has_control(read.text, entry.meta):
        entry = Entry(entry.slug, without_controls(entry.meta), without_controls(entry.body))
    problems = entry_errors(entry.meta)
    if problems:
        key, message = problems[0]
        raise EntryError(message, path=path, line=key_lines(read.text).get(key),
                         hint="fix the entry; 'papershelf check' lists every problem")
    return entry
