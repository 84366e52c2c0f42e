"""Putting a build's outputs on disk without ever leaving a half-made site: rendering into a
new folder over worker processes and swapping it in whole, or replacing changed files one by
one atomically. One folder swap serves the site and its search index."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.build.output_folder import (
    INNER_NEW,
    INNER_OLD,
    LEFTOVER_DIRS,
    MANIFEST,
    is_temp,
    manifest_bytes,
    mount_ignored,
    read_manifest,
    remove_path,
)
from generator.core.parallel import crash_point, fork_map

if TYPE_CHECKING:
    from generator.build.facts import Output
    from generator.build.pages import Pages

WRITE_BATCH = 1000  # pages a worker renders between two progress reports


def write_output(path: Path, data: bytes | Iterator[bytes]) -> None:
    """Write a new output file, from its bytes or piece by piece (big exports)."""
    with open(path, "wb") as handle:
        if isinstance(data, bytes):
            handle.write(data)
        else:
            for piece in data:
                handle.write(piece)


def output_bytes(data: bytes | Iterator[bytes]) -> bytes:
    """An output's bytes in one piece."""
    return data if isinstance(data, bytes) else b"".join(data)


# ----- a fresh folder ------------------------------------------------------------------------

def render_to_folder(plan: dict[str, Output], folder: Path, pages: Pages, jobs: int,
                     progress: Callable[[int, int], None] | None = None) -> None:
    """Render every output of ``plan`` into ``folder``: paper and list pages spread over
    ``jobs`` processes, then the late ones here (feeds reuse the fragments the papers
    produced). Everything the workers need is read from the cache first: they never
    touch this process's database connection."""
    pages.prepare([o.slug for o in plan.values() if o.slug])
    first = [path for path, output in plan.items() if not output.late]

    def work(chunk: Sequence[str]) -> dict:
        pages.store.take_new_fragments()  # in a worker: send back only what this batch made
        for path in chunk:
            _write_into(folder, path, pages.output(plan[path]))
        return pages.store.take_new_fragments()

    step = WRITE_BATCH * jobs
    for start in range(0, len(first), step):  # in batches: to tell progress, and to store
        made: dict = {}  # fragments as they come
        for part in fork_map(work, first[start:start + step], jobs):
            made.update(part)
        pages.store.keep_fragments(made)  # and forgotten here: late outputs read them back
        if progress:
            progress(min(start + step, len(first)), len(plan))
    for path, output in plan.items():
        if output.late:
            _write_into(folder, path, output.make())


def _write_into(folder: Path, path: str, data: bytes | Iterator[bytes]) -> None:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    write_output(target, data)


def build_fresh(out: Path, fill: Callable[[Path], None], begin: Callable[[], None]) -> None:
    """Fill a new folder beside ``out`` (inside it when it is a mount point, which cannot be
    renamed), then swap it in; ``begin`` marks the build in progress just before the output
    is touched. Whatever fails, the new folder goes and the old output stays whole."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.is_dir() and os.path.ismount(out):
        staging = Path(tempfile.mkdtemp(prefix=f"{INNER_NEW}{os.getpid()}-", dir=out))
    else:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    try:
        fill(staging)
        os.chmod(staging, 0o755)
        begin()
        swap_site(staging, out)
    except BaseException:
        remove_path(staging)
        raise


# ----- swapping folders ----------------------------------------------------------------------

@dataclass(frozen=True)
class SwapPoints:
    """Where crash tests may kill a folder swap: once the old folder is aside (also when there
    was none, with ``always_aside``), and once the new one is in."""

    aside: str
    swapped: str | None = None
    always_aside: bool = False


SITE_SWAP = SwapPoints("moved-aside", "swapped")


def swap_folder(staging: Path, target: Path, aside: Path, points: SwapPoints,
                when_busy: Callable[[], None] | None = None) -> None:
    """Put ``staging`` where ``target`` is, the old ``target`` renamed to ``aside`` first and
    removed last. A ``target`` that cannot be renamed (busy, another file system) is left to
    ``when_busy`` if given."""
    moved = False
    if target.exists():
        try:
            os.rename(target, aside)
        except OSError as exc:
            if when_busy is None or exc.errno not in (errno.EBUSY, errno.EXDEV):
                raise
            when_busy()
            return
        moved = True
    if moved or points.always_aside:
        crash_point(points.aside)
    os.rename(staging, target)
    if points.swapped:
        crash_point(points.swapped)
    if moved:
        remove_path(aside)


def swap_site(staging: Path, out: Path) -> None:
    """Put ``staging`` where ``out`` is, with the old site moved aside first and then removed
    (a folder that cannot be renamed, a mount point, has its contents swapped instead)."""
    if staging.parent == out:
        _swap_contents(staging, out)
        return
    aside = out.with_name(f".{out.name}.old-{os.getpid()}-{time.monotonic_ns()}")
    swap_folder(staging, out, aside, SITE_SWAP, when_busy=lambda: _swap_contents(staging, out))


# ----- in place ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Written:
    """What an in-place write did: the files written and the outputs deleted."""

    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def write_in_place(out: Path, pending: dict[str, bytes], planned: Collection[str],
                   previous: Collection[str], begin: Callable[[], None]) -> Written:
    """Replace each file of ``pending`` that differs atomically and delete the outputs
    ``previous`` had and ``planned`` has not, after ``begin`` marked the build in progress.
    The manifest lists every file written before it is."""
    listed = None
    if set(planned) != set(previous) or not os.path.exists(out / MANIFEST):
        listed = read_manifest(out) or set()
    begin()
    crash_point("begun")
    if listed is not None and not listed.issuperset(planned):
        _write_replace(out / MANIFEST, manifest_bytes(listed.union(planned)))
    done = Written()
    for number, (path, data) in enumerate(pending.items()):
        if number == len(pending) // 2:
            crash_point("half-written")
        target = out / path
        if target.is_file() and target.read_bytes() == data:
            continue
        _write_replace(target, data)
        done.written.append(path)
    for path in sorted(set(previous) - set(planned)):
        _remove_output(out, path)
        done.deleted.append(path)
    if listed is not None and listed != set(planned):
        _write_replace(out / MANIFEST, manifest_bytes(planned))
    return done


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
    keep = {MANIFEST, staging.name, aside.name} | mount_ignored(out)
    for name in os.listdir(out):
        if name not in keep and not name.startswith(LEFTOVER_DIRS) and not is_temp(name):
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
    remove_path(staging)
    remove_path(aside)
