"""Incremental measures: the no-op build, and a one-note edit without and with search.

Hugo has no incremental build: its side is a full rebuild (and, with search, the Pagefind
CLI over its whole output), which is what a Hugo user pays for the same edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .report import Row, log, phases, why_failed
from .sites import files_written, snapshot
from .size_bench import TARGETS

if TYPE_CHECKING:
    from .size_bench import SizeBench


def noop_and_edit(bench: SizeBench) -> list[Row]:
    """The no-op build (and the files it changed), then the one-note edit, both ``--no-search``."""
    noop = Row("no-op build, fresh process", "s", target="≤ 0.3 s, 0 files written",
               judge=lambda a, b: a <= TARGETS["noop"] and written == 0)
    log(f"N={bench.n}: priming the incremental builds")
    bench.ps("build", "--no-search")  # the cache of a --no-search build, from the site built above
    bench.hugo()
    written = 0
    out, cache = bench.sites.out, bench.sites.papershelf / ".papershelf-cache"
    for pair in range(bench.pairs):
        bench.pair(f"no-op build, pair {pair + 1}/{bench.pairs}")
        before = snapshot(out, cache)
        a = bench.ps("build", "--no-search")
        after = snapshot(out, cache)
        changed = sum(1 for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        written = max(written, changed)
        b = bench.hugo()
        noop.a.append(a.seconds)
        noop.b.append(b.seconds)
    noop.note = f"papershelf changed {written} files"
    return [noop, one_note_edit(bench)]


def one_note_edit(bench: SizeBench) -> Row:
    edit = Row("one-note edit, fresh-process build", "s", target="≤ 0.5 s",
               judge=lambda a, b: a <= TARGETS["edit"])
    said = []
    for pair in range(bench.pairs):
        bench.pair(f"one-note edit build, pair {pair + 1}/{bench.pairs}")
        slug = bench.sites.slugs[(pair * 37 + 11) % len(bench.sites.slugs)]
        bench.sites.edit("papershelf", slug, f"Edited in build pair {pair + 1}.")
        a = bench.ps("build", "--no-search")
        said.append(files_written(a.stdout))
        bench.sites.edit("hugo", slug, f"Edited in build pair {pair + 1}.")
        b = bench.hugo()
        edit.a.append(a.seconds)
        edit.b.append(b.seconds)
    edit.note = "papershelf wrote " + written_counts(said) + " files"
    return edit


def edit_with_search(bench: SizeBench) -> Row:
    """A one-note edit, then a fresh ``papershelf build`` with search on (the default), against
    Hugo's full rebuild followed by Pagefind over its output."""
    row = Row("one-note edit with search, fresh-process build (Hugo: hugo, then Pagefind)", "s",
              target="≤ 1.0 s", judge=lambda a, b: a <= TARGETS["edit_search"])
    row.failed_a, row.failed_b = (f"no index: {bench.no_search[side]}" if bench.no_search[side] else ""
                                  for side in ("papershelf", "hugo"))
    if not row.failed_a:
        log(f"N={bench.n}: priming the incremental build with search")
        row.failed_a = why_failed(bench.ps_run("build"))  # after --no-search builds: index it all once
    said, steps = [], []
    for pair in range(bench.pairs):
        bench.pair(f"one-note edit build with search, pair {pair + 1}/{bench.pairs}")
        slug = bench.sites.slugs[(pair * 41 + 5) % len(bench.sites.slugs)]
        if not row.failed_a:
            bench.sites.edit("papershelf", slug, f"Edited with search in pair {pair + 1}.")
            a = bench.ps_run("build")
            row.add("a", a.seconds, why_failed(a))
            said.append(files_written(a.stdout))
            steps.append(phases(a.stderr))
        if not row.failed_b:
            bench.sites.edit("hugo", slug, f"Edited with search in pair {pair + 1}.")
            b = bench.hugo_search()
            row.add("b", b.seconds, why_failed(b))
    if said:
        row.note = "papershelf wrote " + written_counts(said) + " files"
    if steps and steps[-1]:
        bench.notes.append("papershelf `--debug` steps of the last edit build with search (s): " + "; ".join(
            f"{name} {seconds:.3f}" for name, seconds in steps[-1].items()) + ".")
    return row


def written_counts(said: list[int | None]) -> str:
    """The distinct file counts builds reported, e.g. "3" or "3/4", or "?" when none said."""
    counts = sorted({c for c in said if c is not None})
    return "/".join(map(str, counts)) if counts else "?"
