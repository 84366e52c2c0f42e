"""The search index: Pagefind (its Python package's binary) over the built paper pages, in parts.

Only paper pages carry ``data-pagefind-body``, so lists are not indexed and every result
is a paper. Filters (tag, status, year, org), sort keys (date, added) and metadata come
from attributes in the paper template. The index is made of parts (``search_parts``): each
is a whole Pagefind bundle in ``pagefind/<name>/``, listed in ``pagefind/parts.json``, which
the search page loads and merges. A build re-indexes only the parts whose key changed:
each part's pages are hard-linked into a folder of its own inside
``.pagefind-new-<pid>-*``, Pagefind runs over that folder (several parts at once, up to
the cores), and each new part, with its key inside, is swapped in whole; ``parts.json``
is written last. Pagefind is killed with papershelf, and what a killed run leaves is
removed by the next build. A part is only ever in place with the key it was made with,
so a killed run never leaves a part a later build takes for up to date.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path

from generator.build.output_folder import BUNDLE, SEARCH_NEW, SEARCH_OLD, remove_path
from generator.build.search_parts import KEY_FILE, PARTS_FILE, Part, engine_key, plan_parts
from generator.build.writer import SwapPoints, swap_folder
from generator.core.errors import BuildError
from generator.core.parallel import cpu_count, crash_point, die_with_parent

SEARCH_SWAP = SwapPoints("search-aside", always_aside=True)
PARTS_VERSION = 1


def pagefind_executable() -> str:
    """The Pagefind binary shipped by the ``pagefind[bin]`` package."""
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:
        raise BuildError("Pagefind is not installed",
                         hint="pip install 'pagefind[bin]', or build with --no-search") from exc
    return str(get_executable())


def index_site(site: Path, pages: Mapping[str, bytes] | Callable[[], Mapping[str, bytes] | None],
               root: Path | None = None, shown: Path | None = None, jobs: int = 0) -> tuple[int, int]:
    """Bring ``site/pagefind/`` up to date with the paper pages ``pages`` (path -> page key, or
    a function giving them, asked once the lock is held, None: unknown, leave the index
    alone); returns (parts re-indexed, parts).

    With ``root`` (the site folder), the output folder's lock is held meanwhile, so an
    index refreshed in the background never meets a build from another process.
    Errors name ``shown`` (the output folder, when ``site`` is a staging folder).
    """
    from generator.core.locks import output_lock

    with output_lock(root, site) if root is not None else nullcontext():
        keys = pages() if callable(pages) else pages
        if keys is None:
            return 0, 0
        parts = plan_parts(keys, engine_key())
        return index_parts(site, parts, shown or site, jobs or cpu_count()) or 0, len(parts)


def index_parts(site: Path, parts: Sequence[Part], shown: Path, jobs: int) -> int | None:
    """Re-index the parts of ``parts`` not in place with their key, then list them all in
    ``parts.json`` and remove what no part is; returns how many were re-indexed (None:
    the index was up to date, nothing was touched)."""
    bundle = site / BUNDLE
    names = [part.name for part in parts]
    due = [part for part in parts if _key_in_place(bundle / part.name) != part.key]
    if not due and _listed(bundle) == names and set(_names_in(bundle)) == {*names, PARTS_FILE}:
        return None
    if bundle.is_symlink() or (bundle.exists() and not bundle.is_dir()):
        remove_path(bundle)
    bundle.mkdir(exist_ok=True)
    os.chmod(bundle, 0o755)
    staging = Path(tempfile.mkdtemp(prefix=f"{SEARCH_NEW}{os.getpid()}-", dir=site))
    try:
        made = _make_parts(staging, site, due, shown, jobs)
        crash_point("search-indexed")
        for part, folder in zip(due, made, strict=True):
            aside = site / f"{SEARCH_OLD}{os.getpid()}-{part.name}"
            swap_folder(folder, bundle / part.name, aside, SEARCH_SWAP)
            crash_point("search-part-swapped")
        _write_list(bundle, names)
        crash_point("search-listed")
        for name in _names_in(bundle):
            if name not in names and name != PARTS_FILE:
                remove_path(bundle / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(due)


def _key_in_place(folder: Path) -> bytes | None:
    try:
        return bytes.fromhex((folder / KEY_FILE).read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None


def _listed(bundle: Path) -> list[str] | None:
    """The part names ``parts.json`` lists; None when it is missing or not papershelf's."""
    try:
        data = json.loads((bundle / PARTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("parts") if isinstance(data, dict) and data.get("version") == PARTS_VERSION else None


def _names_in(bundle: Path) -> list[str]:
    try:
        return os.listdir(bundle)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _write_list(bundle: Path, names: list[str]) -> None:
    """Write ``parts.json`` atomically: every part it lists is in place already."""
    temp = bundle / f".{PARTS_FILE}.{os.getpid()}.tmp"
    temp.write_text(json.dumps({"version": PARTS_VERSION, "parts": names}, separators=(",", ":")) + "\n",
                    encoding="utf-8")
    os.chmod(temp, 0o644)
    os.replace(temp, bundle / PARTS_FILE)


def _make_parts(staging: Path, site: Path, due: Sequence[Part], shown: Path, jobs: int) -> list[Path]:
    """Run Pagefind over each part in ``due``, ``jobs`` at a time (each bounded by its part's
    size); returns each part's finished folder, its key inside. Every process is started
    from this thread, so it dies with papershelf."""
    waiting = list(enumerate(due))
    running: list[tuple[int, subprocess.Popen, Path]] = []
    made: list[Path | None] = [None] * len(due)
    try:
        while waiting or running:
            while waiting and len(running) < max(1, jobs):
                number, part = waiting.pop(0)
                running.append((number, *_start(staging, site, part)))
                crash_point("search-started")
            finished = [r for r in running if r[1].poll() is not None]
            if not finished:
                time.sleep(0.005)
                continue
            for number, process, folder in finished:
                running.remove((number, process, folder))
                made[number] = _finish(process, folder, due[number], shown)
    finally:
        for _, process, _ in running:  # after an error: stop the others
            process.kill()
            process.wait()
    return [folder for folder in made if folder is not None]


def _start(staging: Path, site: Path, part: Part) -> tuple[subprocess.Popen, Path]:
    """Hard-link the part's pages into a folder of their own and start Pagefind over it."""
    pages, folder = staging / f"{part.name}.site", staging / f"{part.name}.part"
    for path in part.pages:
        target = pages / path
        target.parent.mkdir(parents=True)
        try:
            os.link(site / path, target)
        except OSError:  # a file system without hard links
            shutil.copyfile(site / path, target)
    parent = os.getpid()
    log = open(staging / f"{part.name}.log", "w+b")  # noqa: SIM115 - closed in _finish
    process = subprocess.Popen(
        [pagefind_executable(), "--site", str(pages), "--output-path", str(folder), "--silent",
         "--glob", "papers/*/index.html"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        preexec_fn=(lambda: die_with_parent(parent)) if sys.platform.startswith("linux") else None,
    )
    process.log = log  # type: ignore[attr-defined]
    return process, folder


def _finish(process: subprocess.Popen, folder: Path, part: Part, shown: Path) -> Path:
    """Check how Pagefind did; write the part's key into its folder."""
    log = process.log  # type: ignore[attr-defined]
    log.seek(0)
    output = log.read().decode("utf-8", "replace")
    log.close()
    if process.returncode != 0 or not (folder / "pagefind-entry.json").is_file():
        raise BuildError(f"Pagefind failed: {pagefind_message(output, process.returncode)}",
                         path=shown, hint="build with --no-search to skip the search index")
    (folder / KEY_FILE).write_text(part.key.hex(), encoding="ascii")
    os.chmod(folder, 0o755)
    return folder


def pagefind_message(output: str, code: int) -> str:
    """The line that says what went wrong: a Rust panic's message, not its last line
    ("note: run with RUST_BACKTRACE=1 ..."); else the last line that is not such a note."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for number, line in enumerate(lines):
        if "panicked at" in line:
            rest = line.split("panicked at", 1)[1].strip()
            if rest.count("'") >= 2 and not rest.endswith(":"):  # older Rust: the message inline
                return f"it crashed: {rest.split(chr(39))[1]}"
            message = lines[number + 1] if number + 1 < len(lines) else rest
            return f"it crashed: {message}"
    useful = [line for line in lines if not line.lower().startswith(("note:", "stack backtrace"))]
    return useful[-1] if useful else f"exit status {code}"
