"""Search indexes in parts for browser tests: a built site's paper pages split into K Pagefind
bundles (``pagefind/parts.json`` naming them), and the same pages as one bundle, so what the
search page finds over the parts can be compared with what one index over everything finds.

Each part is the Pagefind CLI run over a temporary folder of hard links to a subset of the site's
``papers/<slug>/index.html`` (a stable hash bucket of the slug), so a part's records are exactly
what one index over all paper pages holds for those papers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PAPER_GLOB = "papers/*/index.html"


def pagefind() -> str:
    from pagefind_bin import get_executable

    return str(get_executable())


def bucket(slug: str, parts: int) -> int:
    """The part a paper's pages go to: a stable hash of its slug."""
    return int.from_bytes(hashlib.sha1(slug.encode()).digest()[:4], "big") % parts


def index_pages(site: Path, pages: list[Path], out: Path) -> None:
    """One Pagefind bundle at ``out`` over ``pages`` (paths inside ``site``), URLs as in ``site``."""
    with tempfile.TemporaryDirectory(prefix="parts-", dir=out.parent) as scratch:
        for page in pages:
            target = Path(scratch) / page.relative_to(site)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(page, target)
        subprocess.run([pagefind(), "--site", scratch, "--output-path", str(out), "--silent",
                        "--glob", PAPER_GLOB], check=True, capture_output=True)


def write_parts(site: Path, bundle: Path, groups: list[list[Path]]) -> list[str]:
    """Index each group of pages as part ``pNN`` under ``bundle`` and name them in parts.json."""
    bundle.mkdir(parents=True, exist_ok=True)
    names = [f"p{number:02d}" for number in range(len(groups))]
    for name, pages in zip(names, groups, strict=True):
        index_pages(site, pages, bundle / name)
    (bundle / "parts.json").write_text(json.dumps({"version": 1, "parts": names}), encoding="utf-8")
    return names


def paper_pages(site: Path) -> list[Path]:
    return sorted(site.glob(PAPER_GLOB))


def split(site: Path, parts: int) -> list[list[Path]]:
    """The site's paper pages in ``parts`` hash buckets of their slug."""
    groups: list[list[Path]] = [[] for _ in range(parts)]
    for page in paper_pages(site):
        groups[bucket(page.parent.name, parts)].append(page)
    return groups


def layouts(site: Path, out: Path, parts: int) -> dict[str, Path]:
    """Two copies of ``site`` (hard links, no search index of its own): "parts", with its paper
    pages in ``parts`` bundles, and "single", with one bundle over all of them (named in its
    parts.json as the only part). Returns name -> site folder."""
    made = {}
    for name, groups in (("parts", split(site, parts)), ("single", [paper_pages(site)])):
        copy = out / name
        shutil.copytree(site, copy, copy_function=os.link, ignore=shutil.ignore_patterns("pagefind"))
        pages = [[copy / page.relative_to(site) for page in group] for group in groups]
        write_parts(copy, copy / "pagefind", pages)
        made[name] = copy
    return made
