"""``build``: read the entries, plan every output with a key, render what changed, write safely.

A first build renders into a fresh folder beside the output and swaps it in;
later builds render only the outputs whose key changed (a key digests every
input of the page: its view data, the config and the theme) and replace each
of those files atomically, after everything rendered without error. Either
way a failed build leaves the previous site whole.

The build cache is also a journal: a build marks itself in progress before it
touches the first output file and clears the mark when the outputs are recorded.
The next build after one that failed or was killed in between finds the mark and
renders the whole site again into a fresh folder (exactly what ``--clean`` gives);
leftovers of killed builds (``._site.new-*``, ``._site.old-*``, ``.pagefind-new-*``)
are removed. One build at a time writes into an output folder (``locks``). The
output folder holds ``.papershelf-manifest``, the list of files papershelf wrote
there: a build never replaces a folder holding anything else. The manifest, not the
cache, proves the folder is papershelf's: the cache records a digest of the manifest,
and a folder whose manifest says something else than the last build's (replaced by
hand, another build's) is built again from scratch, or refused when it holds files no
manifest lists; one restored together with its cache (a deploy) is trusted. An output
folder that is a mount point cannot be renamed: its contents are swapped instead.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import TYPE_CHECKING

try:
    import resource
except ImportError:  # not on Windows
    resource = None

from generator import __version__
from generator.build.cache import BuildState, Record, cache_path
from generator.core.digests import RENDERERS, digest, digest_bytes, installed_key
from generator.core.config import Config
from generator.core.entries import Entry, decode, key_lines, parse_entry, read_bytes
from generator.core.errors import BuildError, EntryError
from generator.core.library import ENTRY_SUFFIX, file_key, remove_stale_temps, survey_folder
from generator.core.locks import output_lock
from generator.core.parallel import cpu_count, crash_point, fork_map, jobs_for
from generator.site.model import Site, build_model, paper_of
from generator.site.theme import load_theme
from generator.core.validate import errors as entry_errors
from generator.core.validate import has_control, name_error, shown_name, without_controls

if TYPE_CHECKING:
    from generator.build.pages import Output, PageMaker


INPLACE_MAX = 2000  # more changed pages than this: render into a fresh folder instead


@dataclass(frozen=True)
class BuildOptions:
    """How to build: where to, under which base URL, with or without the search index."""

    out: Path
    base_url: str
    search: bool = True
    clean: bool = False
    jobs: int = 0  # 0: one per core
    trust_outputs: bool = False  # skip checking that unchanged outputs still exist (serve)
    defer_save: bool = False  # leave the cache write to BuildState.commit() (serve, after reloading)
    lock_timeout: float | None = None  # seconds to wait for another build into ``out``; None: no limit


@dataclass
class BuildReport:
    """What a build did."""

    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    search: str = "unchanged"
    papers: int = 0
    seconds: float = 0.0
    fresh: bool = False
    phases: list[tuple[str, float]] = field(default_factory=list)  # (step, seconds since start)

    def summary(self) -> str:
        """``24 papers: 62 files written, 0 deleted, 0 unchanged; search rebuilt (0.4 s)``."""
        if not self.written and not self.deleted and self.search != "rebuilt":
            return f"{self.papers} papers: nothing changed ({self.seconds:.2f} s)"
        return (f"{self.papers} papers: {len(self.written)} files written, {len(self.deleted)} deleted, "
                f"{self.unchanged} unchanged; search {self.search} ({self.seconds:.2f} s)")


def build(
    config: Config, options: BuildOptions, state: BuildState | None = None,
    changed: Collection[str] | None = None, progress: Callable[[int, int], None] | None = None,
) -> tuple[BuildReport, BuildState]:
    """Build the site of ``config`` into ``options.out``; returns the report and the new state.

    ``state`` is the previous build's (``serve`` keeps it in memory); without it the
    on-disk cache is read, unless ``options.clean``. ``changed`` lists the files known to
    have changed since that build (from a file watcher): only those are looked at again.
    ``progress(done, total)`` hears how a full render is getting on.
    """
    if options.out.is_symlink():  # build through a link, as --out does, never replace it
        options = replace(options, out=options.out.resolve())
    try:
        with output_lock(config.root, options.out, options.lock_timeout):
            return _build(config, options, state, changed, progress)
    except OSError as exc:
        raise os_error(exc, options.out) from exc
    except sqlite3.Error as exc:
        raise BuildError(f"the build cache cannot be used: {exc}", path=cache_path(config.root, options.out),
                         hint="delete .papershelf-cache/ and build again") from exc


def _build(
    config: Config, options: BuildOptions, state: BuildState | None,
    changed: Collection[str] | None, progress: Callable[[int, int], None] | None,
) -> tuple[BuildReport, BuildState]:
    """``build`` with the output folder's lock held."""
    started = time.perf_counter()
    report = BuildReport()

    def phase(name: str) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 if resource else 0
        report.phases.append((f"{name} (peak {peak} MB)", time.perf_counter() - started))

    theme = load_theme(config)
    check_output_folder(config, options.out, theme.folders)
    site_key = digest(__version__, _config_key(config), theme.fingerprint(), options.base_url,
                      installed_key(RENDERERS))
    state = _open_state(config.root, options, state)
    remove_leftovers(options.out)
    trusted = check_own_folder(options.out, state.outputs.get(MANIFEST))
    repair = state.unfinished  # the last build was killed or failed while writing
    if repair:
        state = _open_state(config.root, replace(options, clean=True), state)
    scan = (rescan_entries(config.papers_dir, state.records, changed)
            if changed is not None and state.records else scan_entries(config.papers_dir))
    report.papers = len(scan)
    phase("scanned")
    if trusted and _nothing_changed(state, site_key, scan, options):
        report.unchanged = len(state.outputs) - 1  # the manifest's identity is no output
        report.seconds = time.perf_counter() - started
        return report, state

    records, parsed = load_records(scan, state.load_records(), options.jobs or cpu_count())
    phase(f"read entries ({len(parsed)} parsed)")
    model = _model(config, records, state.memo)
    from generator.build.pages import PageMaker  # Jinja, Markdown and friends load only when there is work

    maker = PageMaker(config, theme, options.base_url, site_key, model, records, parsed, state,
                      jobs=options.jobs or cpu_count())
    phase("modelled")
    plan = maker.plan()
    phase(f"planned {len(plan)} outputs")
    previous = dict(state.outputs)
    previous.pop(MANIFEST, None)
    fresh = repair or not trusted or options.clean or not options.out.is_dir() or not previous
    prefix = str(options.out) + os.sep
    stale = [p for p, out in plan.items() if out.key != previous.get(p)
             or not (options.trust_outputs or os.path.exists(prefix + p))]
    if len([p for p in stale if plan[p].slug]) > INPLACE_MAX:
        fresh = True
    search_key = digest(site_key, digest_bytes(s.encode() + b"\0" + r.digest for s, r in records.items()))
    phase(f"compared ({len(stale)} stale)")
    search_due = options.search and (fresh or search_key != state.search_key
                                     or not (options.out / "pagefind").is_dir())
    if fresh:
        if options.out.is_dir():
            check_no_foreign_files(options.out)
        _build_fresh(maker, plan, options, report, search_due, progress, state.begin)
    else:
        _build_in_place(maker, plan, stale, previous, options, report, search_due, state.begin)
    outputs = {p: o.key for p, o in plan.items()}
    outputs[MANIFEST] = manifest_key(options.out)
    report.search = "rebuilt" if search_due else ("skipped" if not options.search else "unchanged")
    phase("rendered and written")
    crash_point("written")
    state.save(site_key=site_key, search_key=search_key if options.search else state.search_key,
               content_key=search_key,
               records=maker.records, entries=parsed, fragments=maker.new_fragments,
               derived=maker.new_derived,
               outputs=outputs, defer=options.defer_save)
    phase("cache saved" if not options.defer_save else "cache updated in memory")
    report.fresh = fresh
    report.seconds = time.perf_counter() - started
    return report, state


def _open_state(root: Path, options: BuildOptions, state: BuildState | None) -> BuildState:
    """The state to build from: ``state`` (kept in memory by serve) after writing its pending
    save, unless another process built into the folder since; else the one on disk."""
    if state is not None and not options.clean:
        state.commit()
        if state.is_current():
            return state
    if state is not None:
        state.close()
    return BuildState.open(root, options.out, fresh=options.clean)


def os_error(exc: OSError, out: Path) -> BuildError:
    """A file system error met while building, as one line naming the file (a file in the
    staging folder of a fresh build is named where it was going, in the output folder)."""
    reasons = {
        errno.ENAMETOOLONG: ("a file name is too long", "shorten the entry's file name, or build "
                             "into a folder with a shorter path"),
        errno.ENOSPC: ("the disk is full", "free some space and build again"),
        errno.EDQUOT: ("the disk quota is used up", "free some space and build again"),
        errno.EROFS: ("the file system is read-only", "choose another folder with --out or output_dir"),
        errno.EACCES: ("permission denied", "make the folder writable, or choose another with --out"),
        errno.EPERM: ("operation not permitted", "make the folder writable, or choose another with --out"),
    }
    what, hint = reasons.get(exc.errno, (exc.strerror or str(exc), "fix the file system and build again"))
    name = os.fsdecode(exc.filename) if exc.filename is not None else None
    if name is not None:
        staging = re.escape(str(out.parent / f".{out.name}.new-")) + "|" + re.escape(str(out / INNER_NEW))
        name = shown_name(re.sub(rf"\A(?:{staging})[^{re.escape(os.sep)}]*", lambda _: str(out), name))
    return BuildError(f"cannot build the site: {what}", path=name or out,
                      hint=f"{hint}; the next build repairs the site")


MANIFEST = ".papershelf-manifest"  # in every built site: the files papershelf wrote there
MANIFEST_HEAD = "papershelf output: the files below were written by papershelf, which replaces them"


def check_output_folder(config: Config, out: Path, theme_folders: Sequence[Path]) -> None:
    """Refuse an output folder a build would wrongly replace: the site itself, its content
    or its theme."""
    target, root = out.resolve(), config.root.resolve()
    protected = [(root, "the site folder"), (root / "content", "the content folder"),
                 *((folder.resolve(), "a theme folder") for folder in theme_folders)]
    for folder, what in protected:
        if target == folder or folder.is_relative_to(target) or \
                (what != "the site folder" and target.is_relative_to(folder)):
            raise BuildError(f"the output folder {target} would replace {what}",
                             hint="choose another folder with --out or output_dir")
    try:
        st = os.stat(out)
    except (FileNotFoundError, NotADirectoryError):
        return
    if not S_ISDIR(st.st_mode):
        raise BuildError("the output folder is a file, not a folder", path=out,
                         hint="move the file away, or choose another folder with --out or output_dir")


def check_own_folder(out: Path, recorded: bytes | None) -> bool:
    """Whether the cache may be trusted about ``out``: its manifest says what the last build's
    said (``recorded``, from ``manifest_key``); one small read on a no-op build.

    A folder without a valid manifest that holds anything is refused (whatever the cache
    says: the folder may have been replaced by hand); an empty or absent one is not
    trusted, so the build is a fresh one.
    """
    try:
        key = manifest_key(out)
    except (FileNotFoundError, NotADirectoryError):
        key = None
    if key is not None and key == recorded:
        return True
    if key is None or read_manifest(out) is None:
        first = next(iter(_top_names(out)), None)
        if first is not None:
            raise _foreign(out, first)
    return False


def manifest_key(out: Path) -> bytes:
    """What ``out``'s manifest says: a digest of its bytes. Not its inode or times: a deploy
    restores the output folder and the build cache together (``actions/cache``), as new
    files, and the cache must still be trusted about that folder."""
    with open(out / MANIFEST, "rb") as handle:
        return hashlib.blake2b(handle.read(), digest_size=16).digest()


def _top_names(out: Path) -> list[str]:
    """The names at the top of ``out`` but papershelf's manifest, leftovers and temporary
    files (and ``lost+found`` at a mount point), sorted."""
    try:
        names = os.listdir(out)
    except (FileNotFoundError, NotADirectoryError):
        return []
    ignored = _mount_ignored(out)
    return sorted(n for n in names if n != MANIFEST and n not in ignored
                  and not n.startswith(LEFTOVER_DIRS) and not _is_temp(n))


def _mount_ignored(out: Path) -> frozenset[str]:
    return frozenset(["lost+found"]) if os.path.ismount(out) else frozenset()


def check_no_foreign_files(out: Path) -> None:
    """Refuse to replace ``out`` as a whole if it holds a file papershelf did not write
    (not listed in its manifest)."""
    known = read_manifest(out) or set()
    for path in _files(out):
        if path not in known:
            raise _foreign(out, path)


def _foreign(out: Path, path: str | None) -> BuildError:
    what = f"holds {path}, which papershelf did not make" if path else "holds files papershelf did not make"
    return BuildError(f"{out} {what}, and a build replaces the whole folder",
                      path=out / path if path else out,
                      hint="move those files away, or choose a new or empty folder with --out or output_dir")


def _files(out: Path) -> Iterator[str]:
    """Every file below ``out`` as a relative path, except the search bundle, the manifest
    and what killed builds leave (removed by the swap)."""
    ignored = _mount_ignored(out)
    for folder, dirs, files in os.walk(out):
        rel = os.path.relpath(folder, out)
        if rel == ".":
            dirs[:] = [d for d in dirs
                       if d != BUNDLE and d not in ignored and not d.startswith(LEFTOVER_DIRS)]
            rel = ""
        else:
            rel += "/"
        for name in files:
            if not _is_temp(name) and rel + name != MANIFEST:
                yield rel + name


def read_manifest(out: Path) -> set[str] | None:
    """The files listed in ``out``'s manifest; None when there is none."""
    try:
        text = (out / MANIFEST).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None
    lines = text.split("\n")  # not splitlines(): a name may hold U+2028, U+0085...
    if lines[-1] == "":
        lines.pop()
    return set(lines[1:]) if lines and lines[0] == MANIFEST_HEAD else None


def manifest_bytes(paths: Iterable[str]) -> bytes:
    """The manifest listing ``paths``, sorted: the same bytes for the same files."""
    return "\n".join([MANIFEST_HEAD, *sorted(paths)]).encode() + b"\n"


# ----- leftovers of killed builds ----------------------------------------------------------

BUNDLE = "pagefind"
INNER_NEW, INNER_OLD = ".papershelf-new-", ".papershelf-old-"  # a fresh build's, inside a mount point
# inside the output: search.STAGING, ASIDE, and a fresh build's folders when ``out`` is a mount point
LEFTOVER_DIRS = (".pagefind-new-", ".pagefind-old-", INNER_NEW, INNER_OLD)


def remove_leftovers(out: Path) -> None:
    """Remove what builds killed before they finished left beside and at the top of ``out``
    (staging and old folders, search bundles, temporary files), if their process is gone.
    Temporary files deeper in the folder go with the repairing build's swap."""
    beside = (f".{out.name}.new-", f".{out.name}.old-")
    for folder, prefixes in ((out.parent, beside), (out, LEFTOVER_DIRS)):
        try:
            names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            path = os.path.join(folder, name)
            prefix = next((p for p in prefixes if name.startswith(p)), None)
            if prefix is not None and not _alive(name[len(prefix):].split("-")[0]):
                _remove_path(path)
            elif folder == out and _is_temp(name) and not _alive(name.rsplit(".", 2)[-2]):
                os.unlink(path)


def _remove_path(path: str | Path) -> None:
    """Remove a folder tree, a file or a symbolic link (never what a link points to)."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _is_temp(name: str) -> bool:
    """``.name.PID.tmp``: a file being written atomically."""
    return name.startswith(".") and name.endswith(".tmp")


def _alive(pid: str) -> bool:
    """Whether process ``pid`` (a string from a file name) is running (this one included)."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _model(config: Config, records: dict[str, Record], memo: dict) -> Site:
    """The site model, or the previous build's when no paper moved, came, went or was retagged."""
    papers = [record.paper for record in records.values()]
    if memo.get("papers") == papers and memo.get("config") == config:
        return memo["model"]
    model = build_model(config, papers)
    memo.update(papers=papers, config=config, model=model)
    return model


def _config_key(config: Config) -> tuple:
    return tuple((name, getattr(config, name)) for name in config.__dataclass_fields__ if name != "root")


def scan_entries(folder: Path) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Every entry file by slug, with its path and file key, in name order. Temporary files
    of killed imports are removed on the way (``build`` may be the only command CI runs)."""
    prefix, cut = f"{folder}{os.sep}", -len(ENTRY_SUFFIX)
    found, _, temps = survey_folder(folder)
    if temps:
        remove_stale_temps(folder, temps)
    return {name[:cut]: (prefix + name, key) for name, key in found}


def rescan_entries(folder: Path, records: dict[str, Record],
                   changed: Collection[str]) -> dict[str, tuple[str, tuple[int, ...]]]:
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


def _nothing_changed(state: BuildState, site_key: bytes, scan: dict, options: BuildOptions) -> bool:
    if options.clean or state.site_key != site_key or not options.out.is_dir():
        return False
    if len(scan) != len(state.stats) or any(state.stats.get(s) != st for s, (_, st) in scan.items()):
        return False
    if options.search and (state.search_key != state.content_key or not (options.out / "pagefind").is_dir()):
        return False
    out = str(options.out) + os.sep
    return os.path.exists(out + MANIFEST) and all(os.path.exists(out + path) for path in state.outputs)


def load_records(scan: dict[str, tuple[str, tuple[int, ...]]], previous: dict[str, Record],
                 jobs: int = 1) -> tuple[dict[str, Record], dict[str, Entry]]:
    """Records of every entry, parsing only files whose bytes changed (over ``jobs`` processes
    when there are many); invalid entries raise BuildError.

    Returns the records and the entries parsed by this call.
    """
    records: dict[str, Record] = {}
    todo = []
    for slug, (path, stat) in scan.items():
        old = previous.get(slug)
        if old is not None and old.stat == stat:
            records[slug] = old
        else:
            _check_name(path)
            todo.append((slug, path, stat))

    def read(chunk: Sequence[tuple[str, str, tuple[int, ...]]]) -> list[tuple[str, Record, Entry | None]]:
        done = []
        for slug, path, stat in chunk:
            data = _read_entry_bytes(Path(path))
            key = digest(data)
            old = previous.get(slug)
            if old is not None and old.digest == key:
                done.append((slug, old._replace(stat=stat), None))
                continue
            entry = _parse_valid(Path(path), data)
            done.append((slug, Record(stat=stat, digest=key, paper=paper_of(slug, entry, path)), entry))
        return done

    parsed = {}
    for part in fork_map(read, todo, jobs_for(len(todo), jobs)):
        for slug, record, entry in part:
            records[slug] = record
            if entry is not None:
                parsed[slug] = entry
    return dict(sorted(records.items())), parsed


def _check_name(path: str) -> None:
    """Refuse an entry whose file name cannot be a URL or a line of the manifest (a line
    break, a byte that is not UTF-8): checked once per new or changed file."""
    folder, name = os.path.split(path)
    problem = name_error(name)
    if problem is not None:
        raise BuildError(problem, path=os.path.join(shown_name(folder), shown_name(name)),
                         hint="rename the file")


def _read_entry_bytes(path: Path) -> bytes:
    """An entry's bytes, never through a symbolic link; an unreadable file is a BuildError."""
    try:
        return read_bytes(path)
    except EntryError as exc:
        raise BuildError(exc.message, path=path, line=exc.line, column=exc.column, hint=exc.hint) from exc


def _parse_valid(path: Path, data: bytes) -> Entry:
    """Parse an entry file, refusing one that breaks a schema rule (file and line in the error)."""
    try:
        text = decode(data, path)
        entry = parse_entry(text, path)
    except EntryError as exc:
        raise BuildError(exc.message, path=path, line=exc.line, column=exc.column, hint=exc.hint) from exc
    if has_control(text, entry.meta):  # 'check' names them; every output is made without them
        entry = Entry(entry.slug, without_controls(entry.meta), without_controls(entry.body))
    problems = entry_errors(entry.meta)
    if problems:
        key, message = problems[0]
        raise BuildError(message, path=path, line=key_lines(text).get(key),
                         hint="fix the entry; 'papershelf check' lists every problem")
    return entry


def _build_fresh(maker: PageMaker, plan: dict[str, Output], options: BuildOptions, report: BuildReport,
                 search_due: bool, progress: Callable[[int, int], None] | None,
                 begin: Callable[[], None]) -> None:
    """Render everything into a new folder beside the output (inside it when it is a mount
    point, which cannot be renamed), index it, then swap it in (``begin`` marks the build
    in progress just before the output is touched)."""
    out = options.out
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.is_dir() and os.path.ismount(out):
        staging = Path(tempfile.mkdtemp(prefix=f"{INNER_NEW}{os.getpid()}-", dir=out))
    else:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    try:
        jobs = options.jobs or cpu_count()
        papers = sum(1 for o in plan.values() if o.slug)
        maker.write_all(plan, staging, jobs_for(papers, jobs), progress)
        (staging / MANIFEST).write_bytes(manifest_bytes(plan))
        report.written = list(plan)
        crash_point("staged")
        if search_due:
            from generator.build.search_index import index_site
            index_site(staging, shown=out)
        os.chmod(staging, 0o755)
        begin()
        _swap(staging, out)
    except BaseException:
        _remove_path(staging)
        raise


def _build_in_place(maker: PageMaker, plan: dict[str, Output], stale: list[str], previous: dict[str, bytes],
                    options: BuildOptions, report: BuildReport, search_due: bool,
                    begin: Callable[[], None]) -> None:
    """Render the changed outputs in memory, then replace each file atomically (``begin``
    marks the build in progress first). The manifest lists every file written before it is."""
    from generator.build.pages import output_bytes

    out = options.out
    papers = {p: plan[p].slug for p in stale if plan[p].slug}
    rendered = maker.render_papers_in_memory(list(papers.values()))
    pending = {path: rendered[slug] for path, slug in papers.items()}
    for path in stale:
        if plan[path].make is not None:
            pending[path] = output_bytes(plan[path].make())
    listed = None
    if plan.keys() != previous.keys() or not os.path.exists(out / MANIFEST):
        listed = read_manifest(out) or set()
    begin()
    crash_point("begun")
    if listed is not None and not listed.issuperset(plan):
        _write_replace(out / MANIFEST, manifest_bytes(listed.union(plan)))
    for number, (path, data) in enumerate(pending.items()):
        if number == len(pending) // 2:
            crash_point("half-written")
        target = out / path
        if target.is_file() and target.read_bytes() == data:
            continue
        _write_replace(target, data)
        report.written.append(path)
    for path in sorted(set(previous) - set(plan)):
        _remove_output(out, path)
        report.deleted.append(path)
    if listed is not None and listed != plan.keys():
        _write_replace(out / MANIFEST, manifest_bytes(plan))
    report.unchanged = len(plan) - len(report.written)
    if search_due:
        from generator.build.search_index import index_site
        index_site(out)


def _write_replace(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` through ``.name.PID.tmp`` and a rename, keeping its mode."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        mode: int | None = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = None
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
        crash_point("temp-written")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove_output(out: Path, path: str) -> None:
    target = out / path
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` where ``out`` is, with the old site moved aside first and then removed
    (a folder that cannot be renamed, a mount point, has its contents swapped instead)."""
    if staging.parent == out:
        _swap_contents(staging, out)
        return
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        try:
            os.rename(out, old)
        except OSError as exc:
            if exc.errno not in (errno.EBUSY, errno.EXDEV):
                raise
            _swap_contents(staging, out)
            return
        crash_point("moved-aside")
    os.rename(staging, out)
    crash_point("swapped")
    if old is not None:
        _remove_path(old)


def _swap_contents(staging: Path, out: Path) -> None:
    """Swap what ``out`` holds for what ``staging`` holds, ``out`` itself staying put.

    The manifest first lists the old and the new files, so a build killed midway leaves a
    folder the next build (told by the journal) still knows as its own and repairs; the
    old entries go to a folder inside ``out`` (same file system: renames) and are removed
    last; the new manifest goes in last of all.
    """
    staged = read_manifest(staging) or set()
    _write_replace(out / MANIFEST, manifest_bytes((read_manifest(out) or set()) | staged))
    aside = out / f"{INNER_OLD}{os.getpid()}-{time.monotonic_ns()}"
    aside.mkdir()
    keep = {MANIFEST, staging.name, aside.name} | _mount_ignored(out)
    for name in os.listdir(out):
        if name not in keep and not name.startswith(LEFTOVER_DIRS) and not _is_temp(name):
            os.rename(out / name, aside / name)
    crash_point("moved-aside")
    for name in os.listdir(staging):
        if name != MANIFEST:
            try:
                os.rename(staging / name, out / name)
            except OSError as exc:  # staging on another file system: copy
                if exc.errno != errno.EXDEV:
                    raise
                shutil.move(staging / name, out / name)
    _write_replace(out / MANIFEST, (staging / MANIFEST).read_bytes())
    crash_point("swapped")
    _remove_path(staging)
    _remove_path(aside)

