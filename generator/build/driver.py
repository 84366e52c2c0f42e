"""``build``: one build of the site as a sequence of steps: open the cache (the journal) and
check the output folder, scan and read the entries, plan every output with its key, write what
changed (a fresh folder swapped in whole, or the changed files replaced atomically in place),
then save the cache. A failed or killed build leaves the previous site whole, and the next one,
told by the journal, builds it again from scratch; one build at a time writes into a folder."""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

try:
    import resource
except ImportError:  # not on Windows
    resource = None

from generator import __version__
from generator.build.cache import BuildState, cache_path
from generator.build.facts import CacheUpdate
from generator.build.memo import site_model
from generator.build.output_folder import (
    BUNDLE,
    INNER_NEW,
    MANIFEST,
    check_no_foreign_files,
    check_output_folder,
    check_own_folder,
    manifest_bytes,
    manifest_key,
    remove_leftovers,
)
from generator.build.scan import EntriesRead, Scan, load_records, rescan_entries, scan_entries
from generator.build.search_parts import PARTS_FILE, Part, engine_key, indexed_pages, parts_key, plan_parts
from generator.build.writer import Written, build_fresh, output_bytes, render_to_folder, write_in_place
from generator.core.config import Config, normalize_base_url
from generator.core.digests import RENDERERS, digest, installed_key
from generator.core.entries import Entry
from generator.core.errors import BuildError
from generator.core.locks import output_lock
from generator.core.parallel import cpu_count, crash_point, jobs_for
from generator.core.validate import shown_name
from generator.site.theme import Theme, load_theme

if TYPE_CHECKING:
    from generator.build.plan import Planned


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

    @classmethod
    def for_site(cls, config: Config, out: Path | None = None, base_url: str | None = None,
                 search: bool = True, clean: bool = False, jobs: int = 0) -> BuildOptions:
        """The options given (a command line's), falling back on site.yaml. The folder is
        resolved either way: an output folder that is a symbolic link is built through, never
        replaced."""
        target = (out if out else config.root / config.output_dir).resolve()
        return cls(out=target, base_url=normalize_base_url(base_url or config.base_url),
                   search=search, clean=clean, jobs=jobs)


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
        if not self.written and not self.deleted and self.search in ("unchanged", "skipped"):
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
    report = BuildReport()
    phase = _phases(report)
    theme = load_theme(config)
    check_output_folder(config, options.out, theme.folders)
    site_key = digest(__version__, _config_key(config), theme.fingerprint(), options.base_url,
                      installed_key(RENDERERS))
    opened = _state_for(config.root, options, state)
    state = opened.state
    scan = _scan(config, state, changed)
    report.papers = len(scan)
    phase("scanned")
    if opened.trusted and _nothing_changed(state, site_key, scan, options):
        report.unchanged = len(state.outputs) - 1  # the manifest's identity is no output
        report.seconds = phase.elapsed()
        return report, state

    read = load_records(scan, state.load_records(), options.jobs or cpu_count())
    phase(f"read entries ({len(read.parsed)} parsed)")
    planned = _plan(config, theme, options, site_key, state, read, phase)
    phase(f"planned {len(planned.outputs)} outputs")
    work = _work_to_do(planned, state, options, site_key, fresh=opened.repair or not opened.trusted)
    phase(f"compared ({len(work.stale)} stale)")
    done, search = _write(planned, work, options, progress, state.begin, phase)
    report.written, report.deleted = done.written, done.deleted
    report.unchanged = 0 if work.fresh else len(planned.outputs) - len(done.written)
    report.search = search if options.search else "skipped"
    if work.search_due:
        phase(f"search index {search}")
    crash_point("written")
    state.memo = planned.memo
    update = _cache_update(planned, work, state, options, site_key, read.parsed)
    state.save(update=update, defer=options.defer_save)
    phase("cache saved" if not options.defer_save else "cache updated in memory")
    report.fresh = work.fresh
    report.seconds = phase.elapsed()
    return report, state


class _phases:
    """Records in a report how long each step of a build took, and the memory used by then."""

    def __init__(self, report: BuildReport) -> None:
        self.report, self.started = report, time.perf_counter()

    def __call__(self, name: str) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 if resource else 0
        self.report.phases.append((f"{name} (peak {peak} MB)", self.elapsed()))

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


@dataclass(frozen=True)
class Opened:
    """The cache to build from; whether it may be trusted about the output folder (its
    manifest is the last build's); whether the site needs repairing."""

    state: BuildState
    trusted: bool
    repair: bool


def _state_for(root: Path, options: BuildOptions, state: BuildState | None) -> Opened:
    """Open the cache and check the output folder. Leftovers of killed builds are removed on
    the way; after a build that was killed or failed while writing, the cache is dropped and
    the site built again from scratch."""
    state = _open_state(root, options, state)
    remove_leftovers(options.out)
    trusted = check_own_folder(options.out, state.outputs.get(MANIFEST))
    repair = state.unfinished
    if repair:
        state = _open_state(root, replace(options, clean=True), state)
    return Opened(state, trusted, repair)


def _scan(config: Config, state: BuildState, changed: Collection[str] | None) -> Scan:
    """Every entry file: the last build's scan updated with the ``changed`` ones, if known."""
    if changed is not None and state.records:
        return rescan_entries(config.papers_dir, state.records, changed)
    return scan_entries(config.papers_dir)


def _plan(config: Config, theme: Theme, options: BuildOptions, site_key: bytes, state: BuildState,
          read: EntriesRead, step: Callable[[str], None]) -> Planned:
    """The plan of every output (the page machinery is imported only now: Jinja, Markdown
    and friends load only when there is work)."""
    from generator.build.plan import SiteInputs, plan_site

    memo = site_model(config, read.records, state.memo)
    step("site model (authors, organisations, tags)")
    site = SiteInputs(config, theme, options.base_url, site_key, options.jobs or cpu_count())
    return plan_site(site, memo, read.records, read.parsed, state.rows, step)


@dataclass(frozen=True)
class Work:
    """What a build has to do: render the whole site into a fresh folder or only the stale
    outputs in place, and whether the search index is due; ``search_key`` digests the parts
    of the index as the pages are now (``search_parts``)."""

    fresh: bool
    stale: list[str]
    previous: dict[str, bytes]  # the keys of the outputs the last build made
    search_key: bytes
    search_due: bool
    parts: list[Part]


def _work_to_do(planned: Planned, state: BuildState, options: BuildOptions, site_key: bytes,
                fresh: bool) -> Work:
    """Compare the plan with what the last build made (``fresh``: start from scratch anyway)."""
    plan = planned.outputs
    previous = dict(state.outputs)
    previous.pop(MANIFEST, None)
    fresh = fresh or options.clean or not options.out.is_dir() or not previous
    prefix = str(options.out) + os.sep
    stale = [p for p, out in plan.items() if out.key != previous.get(p)
             or not (options.trust_outputs or os.path.exists(prefix + p))]
    if len([p for p in stale if plan[p].slug]) > INPLACE_MAX:
        fresh = True
    parts = plan_parts(indexed_pages(plan), engine_key())
    search_key = parts_key(parts)
    search_due = options.search and (fresh or search_key != state.search_key
                                     or not (options.out / BUNDLE / PARTS_FILE).is_file())
    return Work(fresh, stale, previous, search_key, search_due, parts)


def _write(planned: Planned, work: Work, options: BuildOptions, progress: Callable[[int, int], None] | None,
           begin: Callable[[], None], phase: Callable[[str], None]) -> tuple[Written, str]:
    """Write the site: all of it into a fresh folder swapped in, or the stale outputs in place;
    then the parts of the search index that are due. ``begin`` marks the build in progress
    before the output folder is touched. Returns what was written and what search did."""
    plan, out = planned.outputs, options.out
    search = ["unchanged"]
    if work.fresh:
        if out.is_dir():
            check_no_foreign_files(out)

        def fill(staging: Path) -> None:
            papers = sum(1 for o in plan.values() if o.slug)
            render_to_folder(plan, staging, planned.pages, jobs_for(papers, options.jobs or cpu_count()),
                             progress)
            (staging / MANIFEST).write_bytes(manifest_bytes(plan))
            crash_point("staged")
            phase("rendered and written")
            if work.search_due:
                search[0] = _index_search(staging, work.parts, options, shown=out)

        build_fresh(out, fill, begin)
        return Written(written=list(plan)), search[0]
    papers = {p: plan[p].slug for p in work.stale if plan[p].slug}
    rendered = planned.pages.papers_in_memory(list(papers.values()))
    pending = {path: rendered[slug] for path, slug in papers.items()}
    pending.update((p, output_bytes(plan[p].make())) for p in work.stale if plan[p].make is not None)
    done = write_in_place(out, pending, plan.keys(), work.previous.keys(), begin)
    phase("rendered and written")
    if work.search_due:
        search[0] = _index_search(out, work.parts, options)
    return done, search[0]


def _index_search(site: Path, parts: list[Part], options: BuildOptions, shown: Path | None = None) -> str:
    """Bring the search index in ``site`` up to date: ``rebuilt``, ``updated (k of n parts)``
    or ``unchanged``."""
    from generator.build.search_index import index_parts

    redone = index_parts(site, parts, shown or site, options.jobs or cpu_count())
    if redone is None:
        return "unchanged"
    return "rebuilt" if redone == len(parts) else f"updated ({redone} of {len(parts)} parts)"


def _cache_update(planned: Planned, work: Work, state: BuildState, options: BuildOptions,
                  site_key: bytes, parsed: dict[str, Entry]) -> CacheUpdate:
    """What the cache keeps of this build."""
    outputs = {p: o.key for p, o in planned.outputs.items()}
    outputs[MANIFEST] = manifest_key(options.out)
    # Without search, an index the pages moved away from is no longer known to be up to date
    # (serve re-indexes in the background): the next build with search checks its parts.
    kept = state.search_key if state.search_key == work.search_key else b""
    return CacheUpdate(site_key=site_key, search_key=work.search_key if options.search else kept,
                       content_key=work.search_key, records=planned.records, entries=parsed,
                       fragments=planned.pages.store.new_fragments, summaries=planned.summaries,
                       outputs=outputs, search_pages=indexed_pages(planned.outputs))


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


def _config_key(config: Config) -> tuple:
    return tuple((name, getattr(config, name)) for name in config.__dataclass_fields__ if name != "root")


def _nothing_changed(state: BuildState, site_key: bytes, scan: dict, options: BuildOptions) -> bool:
    if options.clean or state.site_key != site_key or not options.out.is_dir():
        return False
    if len(scan) != len(state.stats) or any(state.stats.get(s) != st for s, (_, st) in scan.items()):
        return False
    if options.search and (state.search_key != state.content_key
                           or not os.path.exists(os.path.join(options.out, BUNDLE, PARTS_FILE))):
        return False
    out = str(options.out) + os.sep
    return os.path.exists(out + MANIFEST) and all(os.path.exists(out + path) for path in state.outputs)
