"""The search index: Pagefind (its Python package's binary) over the built paper pages.

Only paper pages carry ``data-pagefind-body``, so lists are not indexed and
every result is a paper. Filters (tag, status, year, org), sort keys (date,
added) and metadata come from attributes in the paper template. Pagefind writes
into ``.pagefind-new-<pid>-*`` inside the site, swapped in when whole; it is killed
with papershelf, and what a killed run leaves is removed by the next build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

from generator.build.output_folder import BUNDLE, SEARCH_NEW, SEARCH_OLD
from generator.build.writer import SwapPoints, swap_folder
from generator.core.errors import BuildError
from generator.core.parallel import crash_point, die_with_parent

SEARCH_SWAP = SwapPoints("search-aside", always_aside=True)


def pagefind_executable() -> str:
    """The Pagefind binary shipped by the ``pagefind[bin]`` package."""
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:
        raise BuildError("Pagefind is not installed",
                         hint="pip install 'pagefind[bin]', or build with --no-search") from exc
    return str(get_executable())


def index_site(site: Path, root: Path | None = None, shown: Path | None = None) -> None:
    """(Re)build ``site/pagefind/`` from the HTML in ``site``; the old index stays until the new is whole.

    With ``root`` (the site folder), the output folder's lock is held meanwhile, so an
    index refreshed in the background never meets a build from another process.
    Errors name ``shown`` (the output folder, when ``site`` is a staging folder).
    """
    from generator.core.locks import output_lock

    with output_lock(root, site) if root is not None else nullcontext():
        _index(site, shown or site)


def _index(site: Path, shown: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f"{SEARCH_NEW}{os.getpid()}-", dir=site))
    try:
        _run_pagefind(site, staging, shown)
        crash_point("search-indexed")
        os.chmod(staging, 0o755)
        swap_folder(staging, site / BUNDLE, site / f"{SEARCH_OLD}{os.getpid()}", SEARCH_SWAP)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _run_pagefind(site: Path, staging: Path, shown: Path) -> None:
    parent = os.getpid()
    with subprocess.Popen(
        # Only paper pages are indexed; pointing Pagefind at them spares it parsing every list.
        [pagefind_executable(), "--site", str(site), "--output-path", str(staging), "--silent",
         "--glob", "papers/*/index.html"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
        preexec_fn=(lambda: die_with_parent(parent)) if sys.platform.startswith("linux") else None,
    ) as process:
        crash_point("search-started")
        out, err = process.communicate()
    if process.returncode != 0:
        raise BuildError(f"Pagefind failed: {pagefind_message(err or out, process.returncode)}",
                         path=shown, hint="build with --no-search to skip the search index")


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
