"""The bytes a one-word search downloads, on each site that has a search index at this N.

Every request the search page makes for the query is counted (the Pagefind bundle's and
the rest), so a search index split into parts (``pagefind/parts.json`` naming bundles
under ``pagefind/<part>/``, merged in the browser) is measured the same way as one bundle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import synth
from .report import Row, log
from .size_bench import TARGETS

if TYPE_CHECKING:
    from .size_bench import SizeBench


def search_download(bench: SizeBench) -> Row:
    """One row: Pagefind bytes of the query on papershelf's search page and on Hugo's test page."""
    big = bench.n >= 100_000
    row = Row(f"search download, query “{synth.SEARCH_WORD}”: Pagefind files", "KB",
              target="≤ 300 KB at N=100,000",
              judge=(lambda a, b: a <= TARGETS["download_100k"]) if big else None)
    if bench.args.no_browser:
        row.note = "skipped: --no-browser"
        return row
    log(f"N={bench.n}: search download in Chromium")
    from . import search_bytes

    query = f"?q={synth.SEARCH_WORD}"
    pages = {
        "papershelf": ("a", bench.sites.out, f"/search/{query}", search_bytes.PAPERSHELF_DONE),
        "hugo": ("b", bench.sites.hugo / "public", f"/bench-search/{query}", search_bytes.HUGO_DONE),
    }
    said = []
    for name, (side, folder, path, done) in pages.items():
        if bench.no_search[name]:
            row.add(side, None, f"no index: {bench.no_search[name]}")
            continue
        try:
            found = search_bytes.measure({name: (folder, path, done)}, timeout=bench.args.timeout * 2)[name]
        except Exception as exc:  # no browser here, or the page never finished: the row says so
            row.add(side, None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:100]}")
            continue
        row.add(side, found.pagefind_bytes)
        said.append(f"{found.results} results on {name} ({found.pagefind_requests} Pagefind requests; whole "
                    f"page load + query {found.total_bytes / 1024:.0f} KB in {found.requests} requests)")
    if said:
        bench.notes.append(f"Search “{synth.SEARCH_WORD}”: " + "; ".join(said) + ". Hugo's side is a bare "
                           "test page; no compression on the wire (Pagefind's files are compressed on disk).")
    return row
