"""Every paired measure at one N: how each tool is run, and the cold builds with and without search.

Every build runs under the bench's limits (``--memory-cap`` over the summed RSS of the
process tree, ``--limit-seconds``): a run that goes over becomes a row value such as
"failed: over 12 GB", and the measures that need its output say why they are missing.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

from .measure import GB, MB, Run, run, wait_for_idle
from .report import Row, log, median_phases, phases, why_failed
from .sites import Sites
from .tools import Tools

TARGETS = {  # the README's performance targets, at N = 10,000 (search at 100,000 where said)
    "cold": 0.7, "search": 0.5, "search_100k": 0.7, "noop": 0.3, "edit": 0.5, "edit_search": 1.0,
    "serve": 0.2, "serve_search": 2.0,
    "rss": 200 * MB, "tree_search": 300 * MB, "tree_search_100k": 2 * GB, "download_100k": 300 * 1024,
    "connections": 0.15, "import": 3.0, "reimport": 1.0,
}
PSS_EVERY = 0.25  # s between PSS samples of a cold build with search (each reads every process's smaps)
CONNECTIONS = re.compile(r"related|author|org", re.IGNORECASE)  # issue 13's steps in --debug output


class SizeBench:
    """The measures at one N, and the commands they time."""

    def __init__(self, tools: Tools, sites: Sites, n: int, pairs: int, args: argparse.Namespace) -> None:
        self.tools, self.sites, self.n, self.pairs, self.args = tools, sites, n, pairs, args
        self.notes: list[str] = []
        self.started = self.busy = 0
        self.cap = int(args.memory_cap * GB) if args.memory_cap else None
        self.no_search = {"papershelf": "", "hugo": ""}  # why a side has no search index at this N

    def pair(self, what: str) -> None:
        """Announce the next pair; first wait (up to --idle-wait s) for other processes to leave the CPUs."""
        log(f"N={self.n}: {what}")
        self.started += 1
        if self.args.idle_wait > 0 and not wait_for_idle(self.args.idle_wait):
            self.busy += 1
            log(f"N={self.n}: other processes keep the CPUs busy; measuring anyway")

    def busy_note(self) -> str:
        """How many pairs had to start on a busy machine."""
        if self.args.idle_wait <= 0:
            return "Idle check off (--idle-wait 0)."
        return (f"{self.busy} of {self.started} pairs started while other processes kept the CPUs more "
                f"than 15% busy for {self.args.idle_wait:g} s (each pair waits for an idle machine first).")

    def limits_note(self) -> str:
        cap = f"{self.args.memory_cap:g} GB of summed RSS" if self.cap else "no memory cap"
        return (f"Every build ran under {cap} and {self.args.limit_seconds:g} s "
                "(over: killed, shown as failed).")

    # ----- commands ------------------------------------------------------------------------------

    def ps_run(self, *args: str, sample: bool = False, pss_every: float = 0.0) -> Run:
        """``papershelf --debug ARGS``, not checked: the caller records a failure."""
        cmd = [self.tools.papershelf, "--debug", args[0], "--site", str(self.sites.papershelf), *args[1:]]
        return run(cmd, env=self.tools.env, sample=sample, watch=True, cap=self.cap,
                   timeout=self.args.limit_seconds, pss_every=pss_every)

    def ps(self, *args: str, sample: bool = False) -> Run:
        """``papershelf ARGS``, which must succeed."""
        return self.ps_run(*args, sample=sample).check("papershelf " + " ".join(args))

    def hugo_run(self, sample: bool = False) -> Run:
        cmd = [self.tools.hugo, "--source", str(self.sites.hugo), "--quiet"]
        return run(cmd, env=self.tools.env, sample=sample, watch=True, cap=self.cap,
                   timeout=self.args.limit_seconds)

    def hugo(self, sample: bool = False) -> Run:
        return self.hugo_run(sample).check("hugo")

    def hugo_search(self, pss_every: float = 0.0) -> Run:
        """Hugo, then the Pagefind CLI over its output: one process tree, one time, one memory peak."""
        script = '"$0" --source "$1" --quiet && "$2" --site "$1/public" --silent'
        cmd = ["sh", "-c", script, self.tools.hugo, str(self.sites.hugo), self.tools.pagefind]
        return run(cmd, env=self.tools.env, watch=True, cap=self.cap, timeout=self.args.limit_seconds,
                   pss_every=pss_every)

    # ----- measures ------------------------------------------------------------------------------

    def all_rows(self) -> list[Row]:
        """Run every measure; returns the table rows in order."""
        from .edits import edit_with_search, noop_and_edit
        from .serve_bench import serve
        from .serve_search import serve_search
        from .size_search import search_download

        if self.args.search_only:
            search, *search_memory = self.cold_search()
            download = search_download(self)
            connections = search_memory.pop()
            return [search, edit_with_search(self), serve_search(self), connections, *search_memory, download]
        cold, *cold_memory = self.cold()
        search, *search_memory = self.cold_search()
        download = search_download(self)
        noop, edit = self.guarded(noop_and_edit, "no-op build, fresh process",
                                  "one-note edit, fresh-process build")
        edit_search = edit_with_search(self)
        serve_row, serve_memory = serve(self)
        serve_found = serve_search(self)
        connections = search_memory.pop()
        return [cold, search, noop, edit, edit_search, serve_row, serve_found, connections, *cold_memory,
                *search_memory, serve_memory, download]

    def guarded(self, measure: Callable[[SizeBench], list[Row]], *labels: str) -> list[Row]:
        """``measure``'s rows, or when a step it needs fails (``Run.check``), rows saying why."""
        try:
            return measure(self)
        except RuntimeError as exc:
            return [Row(label, "s", failed_a=str(exc).splitlines()[0][:160]) for label in labels]

    def cold(self) -> list[Row]:
        time_row = Row("cold build, no search", "s", target="≤ 0.7x",
                       judge=lambda a, b: b is not None and a <= TARGETS["cold"] * b)
        rss = Row("peak RSS, cold, no search: largest process (wait4)", "MB", target="≤ 200 MB",
                  judge=lambda a, b: a <= TARGETS["rss"])
        tree_rss = Row("peak RSS, cold, no search: process tree, summed RSS (sampled)", "MB")
        tree_pss = Row("peak RSS, cold, no search: process tree, summed PSS (sampled)", "MB",
                       target="≤ 200 MB", judge=lambda a, b: a <= TARGETS["rss"])
        for pair in range(self.pairs):
            self.pair(f"cold build, no search, pair {pair + 1}/{self.pairs}")
            self.sites.reset_papershelf()
            a = self.ps_run("build", "--no-search", sample=True)
            self.sites.reset_hugo()
            b = self.hugo_run(sample=True)
            for side, done in (("a", a), ("b", b)):
                failed = why_failed(done)
                time_row.add(side, done.seconds, failed)
                for row, value in ((rss, done.maxrss), (tree_rss, done.tree_rss), (tree_pss, done.tree_pss)):
                    row.add(side, value, failed)
        return [time_row, rss, tree_rss, tree_pss]

    def cold_search(self) -> list[Row]:
        big = self.n > 10_000
        share = TARGETS["search_100k" if big else "search"]
        time_row = Row("cold build with search (Hugo: hugo, then Pagefind)", "s",
                       target="≤ 0.5x; ≤ 0.7x at N=100,000",
                       judge=lambda a, b: b is not None and a <= share * b)
        rss = Row("peak RSS, cold with search: largest process (wait4)", "MB")
        tree = Row("peak RSS, cold with search: process tree, summed RSS (Pagefind included)", "MB")
        tree_pss = Row("peak memory, cold with search: process tree, summed PSS (Pagefind included; "
                       "pages forked workers share counted once)", "MB",
                       target="≤ 300 MB; ≤ 2 GB at N=100,000", judge=lambda a, b: a <= TARGETS[
                           "tree_search_100k" if big else "tree_search"])
        runs = []
        for pair in range(self.pairs):
            self.pair(f"cold build with search, pair {pair + 1}/{self.pairs}")
            self.sites.reset_papershelf()
            a = self.ps_run("build", pss_every=PSS_EVERY)
            runs.append(phases(a.stderr))
            self.sites.reset_hugo()
            b = self.hugo_search(pss_every=PSS_EVERY)
            for side, done, name in (("a", a, "papershelf"), ("b", b, "hugo")):
                failed = why_failed(done)
                self.no_search[name] = self.no_search[name] or failed
                time_row.add(side, done.seconds, failed)
                rss.add(side, done.maxrss, failed)
                tree.add(side, done.tree_rss, failed)
                tree_pss.add(side, done.tree_pss, failed)
        return [time_row, rss, tree, tree_pss, connections(self, runs, time_row)]


def connections(bench: SizeBench, runs: list[dict[str, float]], cold: Row) -> Row:
    """Issue 13's cost: the --debug steps of the cold build with search that make related
    lists and author and organisation pages; every step's median goes into a note."""
    row = Row("cold with search: related lists + author/org pages (--debug steps)", "s",
              target="≤ 15% of the cold build")
    steps = median_phases([r for r in runs if r])
    if not steps:
        row.note = "papershelf printed no --debug steps"
        return row
    bench.notes.append("papershelf `--debug` steps, cold build with search (median s): " + "; ".join(
        f"{name} {seconds:.2f}" for name, seconds in steps.items()) + ".")
    ours = {name: s for name, s in steps.items() if CONNECTIONS.search(name)}
    if not ours:
        row.note = "no such step in --debug output"
        return row
    row.a = [sum(ours.values())]
    total = cold.median(cold.a)
    row.judge = lambda a, b: total is not None and a <= TARGETS["connections"] * total
    row.note = ", ".join(ours) + (f"; {row.a[0] / total:.0%} of the build" if total else "")
    return row
