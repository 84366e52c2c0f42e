"""The search index in parts: which paper pages each part indexes and the key of each part.

Every paper page falls in one part by a hash of its path, so a page stays in its part
while papers come and go; the number of parts is a power of two that follows the number
of papers (each part holds at most ``PART_PAPERS`` on average, up to ``MAX_PARTS`` parts), so
it changes rarely, and when it doubles each part splits in two. A part's key digests
exactly what it is made from: its name, the part count, the Pagefind release, and each of
its pages with the key of what search indexes of that page (its entry, the theme, config and
base URL it was rendered with; not its related list, which the index leaves out). An edit
re-indexes only the parts whose key changed. Cheap: no Pagefind,
no HTML; the build's planning step calls this for every build with search.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from generator.build.facts import Output
from generator.core.digests import digest, digest_bytes

# Papers per part on average at most (until MAX_PARTS): ~60-90 MB of Pagefind each. Smaller
# parts (PAPERSHELF_SEARCH_PART) cost less per edit and memory, more per query.
PART_PAPERS = int(os.environ.get("PAPERSHELF_SEARCH_PART", "") or 512)
MAX_PARTS = 64  # every query reads a little of every part: past this, parts grow instead
PARTS_FILE = "parts.json"  # in the bundle folder: the parts the search page loads, in order
KEY_FILE = ".papershelf-part"  # in each part's folder: the key it was made with


@dataclass(frozen=True)
class Part:
    """One part of the search index: its folder name, key and pages (paths in the site)."""

    name: str
    key: bytes
    pages: tuple[str, ...]


def part_count(papers: int) -> int:
    """The number of parts for ``papers`` paper pages: a power of two."""
    count, size = 1, max(1, PART_PAPERS)
    while count < MAX_PARTS and papers > count * size:
        count *= 2
    return count


def part_names(count: int) -> list[str]:
    """``p00``, ``p01``, ...: the same names for the same count, in order."""
    width = max(2, len(str(count - 1)))
    return [f"p{number:0{width}d}" for number in range(count)]


def bucket(path: str, count: int) -> int:
    """The part of the page at ``path`` among ``count`` (a power of two)."""
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=8).digest(), "big") & (count - 1)


def plan_parts(pages: Mapping[str, bytes], engine: object) -> list[Part]:
    """The parts indexing ``pages`` (paper page path -> page key), made with ``engine``, in
    order; a part that would hold no page is left out (no papers: no parts)."""
    count = part_count(len(pages))
    members: list[list[str]] = [[] for _ in range(count)]
    for path in sorted(pages):
        members[bucket(path, count)].append(path)
    parts = []
    for name, paths in zip(part_names(count), members, strict=True):
        if not paths:  # Pagefind makes no bundle of no pages: an empty part is left out
            continue
        key = digest("search-part", name, count, engine,
                     digest_bytes(p.encode() + b"\0" + pages[p] for p in paths))
        parts.append(Part(name, key, tuple(paths)))
    return parts


def parts_key(parts: Iterable[Part]) -> bytes:
    """One digest of every part's name and key: the whole index."""
    return digest_bytes(part.name.encode() + b"\0" + part.key for part in parts)


def indexed_pages(plan: Mapping[str, Output]) -> dict[str, bytes]:
    """The paper pages of a build's plan with the keys of what the search index takes from
    them (their related lists left out)."""
    return {path: out.index_key or out.key for path, out in plan.items() if out.slug}


def engine_key() -> tuple:
    """The installed Pagefind release (its ``pagefind_bin-<version>.dist-info`` folder, or the
    binary's size when none is found), without importing or running it."""
    spec = importlib.util.find_spec("pagefind_bin")
    if spec is None or not spec.origin:
        return ("pagefind", None)
    folder = os.path.dirname(os.path.dirname(spec.origin))
    try:
        infos = sorted(n for n in os.listdir(folder)
                       if n.startswith("pagefind_bin-") and n.endswith(".dist-info"))
    except OSError:
        infos = []
    if len(infos) == 1:
        return ("pagefind", infos[0])
    return ("pagefind", os.stat(spec.origin).st_size)
