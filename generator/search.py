"""The search index: Pagefind (its Python package's binary) over the built paper pages.

Only paper pages carry ``data-pagefind-body``, so lists are not indexed and
every result is a paper. Filters (tag, status, year, org), sort keys (date,
added) and metadata come from attributes in the paper template.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import BuildError

BUNDLE = "pagefind"


def pagefind_executable() -> str:
    """The Pagefind binary shipped by the ``pagefind[bin]`` package."""
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:
        raise BuildError("Pagefind is not installed",
                         hint="pip install 'pagefind[bin]', or build with --no-search") from exc
    return str(get_executable())


def index_site(site: Path) -> None:
    """(Re)build ``site/pagefind/`` from the HTML in ``site``; the old index stays until the new is whole."""
    staging = Path(tempfile.mkdtemp(prefix=".pagefind-new-", dir=site))
    try:
        done = subprocess.run(
            # Only paper pages are indexed; pointing Pagefind at them spares it parsing every list.
            [pagefind_executable(), "--site", str(site), "--output-path", str(staging), "--silent",
             "--glob", "papers/*/index.html"],
            capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise BuildError(f"Pagefind failed: {detail[-1] if detail else done.returncode}",
                             hint="build with --no-search to skip the search index")
        os.chmod(staging, 0o755)
        target = site / BUNDLE
        old = site / f".{BUNDLE}-old-{os.getpid()}"
        if target.exists():
            os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
