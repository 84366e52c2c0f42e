"""papershelf against Hugo on the same synthetic reading list: the benchmark behind ``make bench``.

What it does, for each N (default 1,000 and 10,000 papers):

1. Writes N deterministic synthetic entries (``bench/synth.py``: ~10-word
   titles, ~1.3k-character abstracts, ~0.4k-character notes with a list, a
   link and a table, LaTeX in ~10%, 3 of 60 tags) into a papershelf site, and
   the same files into a Hugo site that uses the minimal layout in
   ``bench/hugo/`` (paper pages; a home list, tag and status pages paginated at
   100; the tags index; feeds of 50 items for the site and every tag; sitemap).
2. Runs papershelf (A) and Hugo (B) interleaved, A B A B, for ``--pairs`` pairs:
   - cold build without search: no output and no cache before each run;
   - cold build with search: papershelf with its Pagefind index, against Hugo
     followed by the Pagefind CLI over Hugo's output (the same binary);
   - no-op build: a fresh process over an unchanged site (``--no-search``; the
     bench checks that papershelf wrote no file; Hugo has no incremental build);
   - one-note edit: one paper's notes changed, then a fresh build (``--no-search``);
   - serve: both servers running (papershelf ``serve --no-search``, ``hugo
     server``), after one unmeasured warm-up edit each, the time from an entry
     file being saved (atomic replace) to the reload message arriving on
     papershelf's event stream / Hugo's livereload websocket;
   - peak RSS of the cold build: ``ru_maxrss`` from ``wait4`` (the largest
     single process of the tree) and the peak sums of RSS and PSS over the
     whole process tree, sampled from /proc every 20 ms (forked workers share
     pages: RSS counts them twice, PSS divides them).
3. Measures the bytes a search for one word downloads from each site's
   Pagefind bundle, in Debian's Chromium driven by Playwright.
4. Imports a generated 10k-entry Hugging Face dump and 10k-entry arXiv dump
   (30% of the papers in both) into an empty site, then again (no change).

Every time is wall clock around a child process, from fork to reaped; memory
comes from the kernel (``wait4``, /proc). Files earlier runs wrote are flushed
to disk (``os.sync``, untimed) before each run. Before each pair the bench waits (up
to ``--idle-wait`` seconds) for the CPUs to be idle, and says how many pairs
had to run on a busy machine. Old outputs are moved aside, not deleted, before
a cold build (ext4 creates files slowly for ~30 s after mass deletions), and
Python bytecode is cached (in the work folder) as in any installed copy.
Medians are printed with the ratio
papershelf / Hugo of each pair, as Markdown tables, beside the project's
performance targets (defined at N = 10,000; see the README).

Run it with ``make bench``, or ``.venv/bin/python -m bench [--sizes 1000,10000]
[--pairs 5] [--dump-size 10000] [--quick]``; it needs ``hugo`` on PATH and, for
the download figure, ``/usr/bin/chromium`` with the ``playwright`` package.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import synth
from .measure import MB, LiveReloadListener, Run, Server, SseListener, free_port, run, wait_for_idle

HERE = Path(__file__).resolve().parent
HUGO_LAYOUT = HERE / "hugo"
SITE_YAML = """\
title: Synthetic reading list
description: A generated reading list for the benchmark.
author: Bench
base_url: /
tag_rules:
  reasoning: [reasoning, reasoning models, chain-of-thought]
  moe: [mixture-of-experts, mixture of experts, MoE]
  vision-language: [vision-language, multimodal, visual]
  theorem-proving: [theorem proving, Lean 4, formal mathematical]
  safety: [safety, harmful, jailbreak]
  code: [code LLMs, software, code generation]
  evaluation: [benchmark, benchmarks, evaluation]
  reinforcement-learning: [reinforcement learning, RL]
  chinese-nlp: [Chinese]
"""
FORGET = 35  # seconds: ext4 treats deleted inodes as recent for 30 s (see discard)
TARGETS = {  # the README's performance targets, at N = 10,000
    "cold": 0.7, "search": 0.7, "noop": 0.3, "edit": 0.5, "serve": 0.2, "rss": 200 * MB,
    "import": 3.0, "reimport": 1.0,
}


def log(message: str) -> None:
    """Progress, on stderr so that stdout holds only the report."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----- the tools -------------------------------------------------------------------------------------


@dataclass
class Tools:
    """The commands the bench runs."""

    papershelf: str
    hugo: str
    pagefind: str
    env: dict[str, str]

    @classmethod
    def find(cls, work: Path, source: Path | None = None) -> Tools:
        """Locate papershelf (beside this Python), hugo (PATH) and Pagefind (the pagefind[bin] package)."""
        beside = Path(sys.executable).parent / "papershelf"
        papershelf = str(beside) if beside.exists() else shutil.which("papershelf")
        hugo = shutil.which("hugo")
        if not papershelf:
            sys.exit("bench: papershelf is not installed (pip install -e . in the venv)")
        if not hugo:
            sys.exit("bench: hugo is not on PATH (make bench installs it: bash scripts/install-system-deps)")
        from pagefind_bin import get_executable

        # Bytecode is cached (in the work folder, leaving the source tree alone) as in any installed
        # copy: a shell that sets PYTHONDONTWRITEBYTECODE would otherwise time compiling every run.
        env = {**os.environ, "HUGO_CACHEDIR": str(work / "hugo-cache"),
               "PYTHONPYCACHEPREFIX": str(work / "pycache")}
        for name in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        if source is not None:  # another checkout's generator/ (and themes/) before the installed one
            env["PYTHONPATH"] = str(source)
        return cls(papershelf, hugo, str(get_executable()), env)

    def version(self, cmd: list[str]) -> str:
        """The first line a ``--version`` style command prints, or why not."""
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=self.env)
        except OSError as exc:
            return f"unavailable ({exc.strerror})"
        return (done.stdout.strip() or done.stderr.strip() or "?").splitlines()[0]

    def warm_up(self, work: Path) -> None:
        """Import, build and search a 5-paper site once, so that bytecode is cached before timing."""
        site = work / "warm-up"
        shutil.rmtree(site, ignore_errors=True)
        synth.write_entries(site / "content" / "papers", 5)
        (site / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        dumps = synth.write_dumps(work / "warm-up-dumps", 5)
        run([self.papershelf, "import", "--site", str(site), *map(str, dumps)], env=self.env).check("import")
        run([self.papershelf, "build", "--site", str(site)], env=self.env).check("build")
        if self.has_serve():
            run([self.papershelf, "serve", "--help"], env=self.env)
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(work / "warm-up-dumps", ignore_errors=True)

    def has_serve(self) -> bool:
        """Whether this papershelf has the ``serve`` command yet."""
        done = subprocess.run([self.papershelf, "serve", "--help"], capture_output=True, env=self.env)
        return done.returncode == 0


# ----- results ---------------------------------------------------------------------------------------


@dataclass
class Row:
    """One measure: values of papershelf (a) and Hugo (b) per pair, and how to show and judge them."""

    label: str
    unit: str  # "s", "MB" or "KB"
    a: list[float | None] = field(default_factory=list)
    b: list[float | None] = field(default_factory=list)
    target: str = ""
    judge: Callable[[float | None, float | None], bool] | None = None
    note: str = ""

    def median(self, values: list[float | None]) -> float | None:
        """Median of the values measured (None where a run failed or was not possible)."""
        known = [v for v in values if v is not None]
        return statistics.median(known) if known else None

    def ratios(self) -> list[float]:
        """papershelf / Hugo for each pair where both were measured."""
        return [a / b for a, b in zip(self.a, self.b, strict=False) if a is not None and b]

    def cells(self) -> list[str]:
        """The table cells of this row."""
        ma, mb = self.median(self.a), self.median(self.b)
        ratios = self.ratios()
        ratio = f"{statistics.median(ratios):.2f}x" if ratios else "—"
        pairs = " ".join(f"{r:.2f}" for r in ratios) or "—"
        verdict = ""
        if self.target:
            if self.judge is None or ma is None:
                verdict = f"{self.target}"
            else:
                verdict = f"{self.target}: {'met' if self.judge(ma, mb) else 'missed'}"
        label = self.label + (f" ({self.note})" if self.note else "")
        return [label, fmt(ma, self.unit), fmt(mb, self.unit), ratio, pairs, verdict]


def fmt(value: float | None, unit: str) -> str:
    """A number for the table: seconds to 3 significant places, sizes in whole MB or KB."""
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"
    if unit == "MB":
        return f"{value / MB:.0f} MB"
    if unit == "KB":
        return f"{value / 1024:.0f} KB"
    return f"{value:g}"


def table(rows: list[Row], headers: tuple[str, ...] = ("measure", "papershelf", "Hugo", "ratio",
                                                        "per-pair ratios", "target (at N=10,000)")) -> str:
    """Rows as a Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "| --- | ---: | ---: | ---: | --- | --- |"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


# ----- the sites ---------------------------------------------------------------------------------------


@dataclass
class Sites:
    """The papershelf site and the Hugo site of one N, with the same entry files."""

    papershelf: Path
    hugo: Path
    slugs: list[str]
    scratch: Path

    @property
    def out(self) -> Path:
        """papershelf's output folder."""
        return self.papershelf / "_site"

    def reset_papershelf(self) -> None:
        """Back to cold: no output, no cache, no leftovers of an interrupted build."""
        for path in (self.papershelf / "_site", self.papershelf / ".papershelf-cache",
                     *self.papershelf.glob("._site*")):
            discard(path, self.scratch)

    def reset_hugo(self) -> None:
        """Back to cold for Hugo: no public/, no resources/."""
        discard(self.hugo / "public", self.scratch)
        discard(self.hugo / "resources", self.scratch)

    def edit(self, side: str, slug: str, text: str) -> None:
        """Add a line to one paper's notes, saved as editors do (new file renamed over the old)."""
        folder = (self.papershelf if side == "papershelf" else self.hugo) / "content" / "papers"
        path = folder / f"{slug}.md"
        temporary = self.scratch / f"{side}-{slug}.md"
        temporary.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
        os.replace(temporary, path)


def discard(path: Path, scratch: Path) -> None:
    """Move ``path`` into ``scratch/trash``, to be deleted after the timed runs.

    Not deleted now: for some 30 s after thousands of files are deleted, ext4
    creates new files and folders several times slower (its inode allocator
    skips recently deleted inodes), which would add seconds to the next build
    of either tool.
    """
    if path.exists():
        trash = scratch / "trash"
        trash.mkdir(parents=True, exist_ok=True)
        os.rename(path, trash / f"{len(os.listdir(trash))}-{path.name}")


def make_sites(work: Path, n: int) -> Sites:
    """Write the synthetic list of ``n`` papers as a papershelf site and as a Hugo site."""
    root = work / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    ps, hugo, scratch = root / "papershelf", root / "hugo", root / "scratch"
    scratch.mkdir(parents=True)
    paths = synth.write_entries(ps / "content" / "papers", n)
    (ps / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    shutil.copytree(HUGO_LAYOUT, hugo)
    shutil.copytree(ps / "content" / "papers", hugo / "content" / "papers")
    return Sites(ps, hugo, [p.stem for p in paths], scratch)


def snapshot(*folders: Path) -> dict[str, tuple[int, int, int]]:
    """Every file below ``folders`` with (inode, mtime, size): what a build that writes nothing keeps."""
    found = {}
    for folder in folders:
        for dirpath, _, files in os.walk(folder):
            for name in files:
                if name.endswith(".lock"):  # a lock file holds its holder's pid: not an output
                    continue
                path = os.path.join(dirpath, name)
                st = os.stat(path)
                found[path] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def files_written(output: str) -> int | None:
    """The count in papershelf's build summary (``... 12 files written ...``; 0 for nothing changed)."""
    if "nothing changed" in output:
        return 0
    match = re.search(r"(\d+) files? written", output)
    return int(match[1]) if match else None


# ----- one size ------------------------------------------------------------------------------------------


class SizeBench:
    """Every paired measure at one N."""

    def __init__(self, tools: Tools, sites: Sites, n: int, pairs: int, args: argparse.Namespace) -> None:
        self.tools, self.sites, self.n, self.pairs, self.args = tools, sites, n, pairs, args
        self.notes: list[str] = []
        self.started = self.busy = 0

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

    def ps(self, *args: str, sample: bool = False) -> Run:
        cmd = [self.tools.papershelf, args[0], "--site", str(self.sites.papershelf), *args[1:]]
        return run(cmd, env=self.tools.env, sample=sample).check("papershelf " + " ".join(args))

    def hugo(self, sample: bool = False) -> Run:
        cmd = [self.tools.hugo, "--source", str(self.sites.hugo), "--quiet"]
        return run(cmd, env=self.tools.env, sample=sample).check("hugo")

    def pagefind_over_hugo(self) -> Run:
        cmd = [self.tools.pagefind, "--site", str(self.sites.hugo / "public"), "--silent"]
        return run(cmd, env=self.tools.env).check("pagefind")

    def all_rows(self) -> list[Row]:
        """Run every measure; returns the table rows in order."""
        cold, *cold_memory = self.cold()
        search, search_memory = self.cold_search()
        download = self.search_download()
        noop, edit = self.noop_and_edit()
        serve, serve_memory = self.serve()
        return [cold, search, noop, edit, serve, *cold_memory, search_memory, serve_memory, download]

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
            a = self.ps("build", "--no-search", sample=True)
            self.sites.reset_hugo()
            b = self.hugo(sample=True)
            time_row.a.append(a.seconds)
            time_row.b.append(b.seconds)
            for row, x, y in ((rss, a.maxrss, b.maxrss), (tree_rss, a.tree_rss, b.tree_rss),
                              (tree_pss, a.tree_pss, b.tree_pss)):
                row.a.append(x)
                row.b.append(y)
        return [time_row, rss, tree_rss, tree_pss]

    def cold_search(self) -> list[Row]:
        time_row = Row("cold build with search (Hugo: hugo + pagefind)", "s", target="≤ 0.7x",
                       judge=lambda a, b: b is not None and a <= TARGETS["search"] * b)
        rss = Row("peak RSS, cold with search: largest process (wait4)", "MB")
        for pair in range(self.pairs):
            self.pair(f"cold build with search, pair {pair + 1}/{self.pairs}")
            self.sites.reset_papershelf()
            a = self.ps("build", sample=False)
            self.sites.reset_hugo()
            b1 = self.hugo()
            b2 = self.pagefind_over_hugo()
            time_row.a.append(a.seconds)
            time_row.b.append(b1.seconds + b2.seconds)
            rss.a.append(a.maxrss)
            rss.b.append(max(b1.maxrss, b2.maxrss))
        return [time_row, rss]

    def search_download(self) -> Row:
        row = Row(f"search download, query “{synth.SEARCH_WORD}”: Pagefind files", "KB")
        if self.args.no_browser:
            row.note = "skipped: --no-browser"
            return row
        log(f"N={self.n}: search download in Chromium")
        from . import search_bytes

        query = f"?q={synth.SEARCH_WORD}"
        try:
            found = search_bytes.measure({
                "papershelf": (self.sites.out, f"/search/{query}", search_bytes.PAPERSHELF_DONE),
                "hugo": (self.sites.hugo / "public", f"/bench-search/{query}", search_bytes.HUGO_DONE),
            }, timeout=self.args.timeout * 2)
        except Exception as exc:  # no browser here: the row says so, the rest of the bench goes on
            row.note = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
            return row
        ps, hugo = found["papershelf"], found["hugo"]
        row.a, row.b = [ps.pagefind_bytes], [hugo.pagefind_bytes]
        self.notes.append(
            f"Search “{synth.SEARCH_WORD}”: {ps.results} results on papershelf, {hugo.results} on Hugo; "
            f"whole page load + query {ps.total_bytes / 1024:.0f} KB in {ps.requests} requests on "
            f"papershelf's search page, {hugo.total_bytes / 1024:.0f} KB in {hugo.requests} on Hugo's bare "
            "test page (no compression on the wire; Pagefind's files are compressed on disk).")
        return row

    def noop_and_edit(self) -> list[Row]:
        noop = Row("no-op build, fresh process", "s", target="≤ 0.3 s, 0 files written",
                   judge=lambda a, b: a <= TARGETS["noop"] and written == 0)
        edit = Row("one-note edit, fresh-process build", "s", target="≤ 0.5 s",
                   judge=lambda a, b: a <= TARGETS["edit"])
        log(f"N={self.n}: priming the incremental builds")
        self.ps("build", "--no-search")  # the cache of a --no-search build, from the site built above
        self.hugo()
        written = 0
        for pair in range(self.pairs):
            self.pair(f"no-op build, pair {pair + 1}/{self.pairs}")
            before = snapshot(self.sites.out, self.sites.papershelf / ".papershelf-cache")
            a = self.ps("build", "--no-search")
            after = snapshot(self.sites.out, self.sites.papershelf / ".papershelf-cache")
            changed = sum(1 for p in before.keys() | after.keys() if before.get(p) != after.get(p))
            written = max(written, changed)
            b = self.hugo()
            noop.a.append(a.seconds)
            noop.b.append(b.seconds)
        noop.note = f"papershelf changed {written} files"
        said = []
        for pair in range(self.pairs):
            self.pair(f"one-note edit build, pair {pair + 1}/{self.pairs}")
            slug = self.sites.slugs[(pair * 37 + 11) % len(self.sites.slugs)]
            self.sites.edit("papershelf", slug, f"Edited in build pair {pair + 1}.")
            a = self.ps("build", "--no-search")
            said.append(files_written(a.stdout))
            self.sites.edit("hugo", slug, f"Edited in build pair {pair + 1}.")
            b = self.hugo()
            edit.a.append(a.seconds)
            edit.b.append(b.seconds)
        counts = sorted({c for c in said if c is not None})
        edit.note = "papershelf wrote " + ("/".join(map(str, counts)) if counts else "?") + " files"
        return [noop, edit]

    def serve(self) -> list[Row]:
        latency = Row("serve: save to reload message", "s", target="≤ 0.2 s",
                      judge=lambda a, b: a <= TARGETS["serve"])
        rss = Row("serve: peak RSS (wait4)", "MB")
        if self.args.no_serve:
            latency.note = rss.note = "skipped: --no-serve"
            return [latency, rss]
        if not self.tools.has_serve():
            latency.note = rss.note = "missing: this papershelf has no serve command"
            return [latency, rss]
        log(f"N={self.n}: starting papershelf serve and hugo server")
        ps_port, hugo_port = free_port(), free_port()
        ready_timeout = 120 + self.n / 20
        ps_server = Server([self.tools.papershelf, "serve", "--site", str(self.sites.papershelf),
                            "--port", str(ps_port), "--no-search"], f"http://127.0.0.1:{ps_port}/",
                           env=self.tools.env)
        hugo_server = None
        listeners = []
        try:
            ps_server.wait_ready(ready_timeout)
            hugo_server = Server([self.tools.hugo, "server", "--source", str(self.sites.hugo),
                                  "--bind", "127.0.0.1", "--port", str(hugo_port)],
                                 "Web Server is available at", env=self.tools.env)
            hugo_server.wait_ready(ready_timeout)
            ps_events, hugo_events = SseListener(ps_port), LiveReloadListener(hugo_port)
            listeners = [ps_events, hugo_events]
            time.sleep(self.args.settle)
            sides = (("papershelf", ps_events, latency.a), ("hugo", hugo_events, latency.b))
            missed = {"papershelf": 0, "hugo": 0}
            for pair in range(-1, self.pairs):  # pair -1: the warm-up edit, not counted
                which = "warm-up" if pair < 0 else f"pair {pair + 1}/{self.pairs}"
                self.pair(f"serve edit, {which}")
                for side, events, values in sides:
                    slug = self.sites.slugs[(pair * 53 + 29) % len(self.sites.slugs)]
                    events.drain()
                    self.sites.edit(side, slug, f"Edited in serve pair {pair + 1}.")
                    saved = time.perf_counter()
                    got = events.wait(self.args.timeout)
                    if pair >= 0:
                        values.append(got[0] - saved if got else None)
                        missed[side] += got is None
                    time.sleep(self.args.settle)
            if any(missed.values()):
                latency.note = "no reload within {:g} s: {}".format(
                    self.args.timeout, ", ".join(f"{k} {v}x" for k, v in missed.items() if v))
        except Exception as exc:  # a server that does not start: the row says why, the bench goes on
            latency.note = f"failed: {str(exc).splitlines()[0][:160]}"
        finally:
            for listener in listeners:
                listener.close()
            ps_server.stop()
            if hugo_server is not None:
                hugo_server.stop()
        rss.a.append(ps_server.maxrss or None)
        rss.b.append(hugo_server.maxrss or None if hugo_server else None)
        return [latency, rss]


# ----- import -------------------------------------------------------------------------------------------


def import_bench(tools: Tools, work: Path, size: int, runs: int) -> tuple[list[Row], list[str]]:
    """Import the generated dumps into an empty site, then again; ``runs`` times."""
    log(f"import: generating a {size}-entry HF dump and a {size}-entry arXiv dump")
    dumps = synth.write_dumps(work / "dumps", size)
    first = Row(f"import {size:,}-entry HF + {size:,}-entry arXiv dump into an empty site", "s",
                target="≤ 3 s", judge=lambda a, b: a <= TARGETS["import"])
    again = Row("re-import, no change", "s", target="≤ 1 s", judge=lambda a, b: a <= TARGETS["reimport"])
    said = []
    for attempt in range(runs):
        log(f"import: run {attempt + 1}/{runs}")
        site = work / "import-site"
        discard(site, work)  # deleted at the end, as in make_sites
        (site / "content" / "papers").mkdir(parents=True)
        (site / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        cmd = [tools.papershelf, "import", "--site", str(site), *map(str, dumps)]
        a = run(cmd, env=tools.env).check("papershelf import")
        b = run(cmd, env=tools.env).check("papershelf re-import")
        first.a.append(a.seconds)
        again.a.append(b.seconds)
        said = [a.stdout.strip().splitlines()[-1], b.stdout.strip().splitlines()[-1]]
    shutil.rmtree(work / "trash", ignore_errors=True)
    notes = [f"Import said: “{said[0]}”; re-import: “{said[1]}”."] if said else []
    return [first, again], notes


def import_table(rows: list[Row]) -> str:
    """The import rows (papershelf only) as a Markdown table."""
    lines = ["| import | papershelf (median) | runs | target |", "| --- | ---: | --- | --- |"]
    for row in rows:
        cells = row.cells()
        runs = " ".join(fmt(v, row.unit).replace(" s", "") for v in row.a)
        lines.append(f"| {cells[0]} | {cells[1]} | {runs} | {cells[5]} |")
    return "\n".join(lines)


# ----- machine ------------------------------------------------------------------------------------------


def machine(tools: Tools) -> list[str]:
    """What the figures were measured on."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {cpu}, {cores} cores, {ram} RAM; {platform.system()} {platform.release()}",
        f"- papershelf: {tools.version([tools.papershelf, '--version'])} from {source_of(tools)}; "
        f"Python {platform.python_version()}",
        f"- Hugo: {tools.version([tools.hugo, 'version'])}",
        f"- Pagefind: {tools.version([tools.pagefind, '--version'])}",
        f"- Chromium: {tools.version(['/usr/bin/chromium', '--version'])}",
    ]


def source_of(tools: Tools) -> str:
    """Which generator/ the papershelf runs use, with its git commit when it is a checkout."""
    where = "import generator, os; print(os.path.dirname(generator.__file__))"
    done = subprocess.run([sys.executable, "-c", where], capture_output=True, text=True, env=tools.env,
                          cwd="/", check=False)  # not this folder: "" on sys.path would find ./generator
    folder = Path(done.stdout.strip() or ".").parent
    commit = subprocess.run(["git", "-C", str(folder), "describe", "--always", "--dirty"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return f"{folder}" + (f" (commit {commit})" if commit else "")


# ----- main ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="papers per site, comma-separated")
    parser.add_argument("--pairs", type=int, default=5,
                        help="A B pairs per measure (5 or more for the record)")
    parser.add_argument("--dump-size", type=int, default=10000, help="entries in each generated dump")
    parser.add_argument("--quick", action="store_true",
                        help="a fast look: --sizes 300 --pairs 2 --dump-size 1000")
    parser.add_argument("--workdir", type=Path, default=HERE / ".work", help="where the sites are written")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for a reload message")
    parser.add_argument("--settle", type=float, default=1.5, help="seconds between serve edits")
    parser.add_argument("--idle-wait", type=float, default=60,
                        help="before each pair, wait up to this many seconds for idle CPUs (0: don't)")
    parser.add_argument("--forget", type=float, default=FORGET,
                        help="seconds to wait after deleting a size's sites, before the next size")
    parser.add_argument("--no-serve", action="store_true", help="skip the serve latency")
    parser.add_argument("--no-browser", action="store_true", help="skip the search download")
    parser.add_argument("--no-import", action="store_true", help="skip the import throughput")
    parser.add_argument("--papershelf-src", type=Path,
                        help="benchmark the generator/ of this checkout instead of the installed one")
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.pairs, args.dump_size = "300", 2, 1000
    args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    args = parse_args(argv)
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    tools = Tools.find(work, args.papershelf_src.resolve() if args.papershelf_src else None)
    log("warming up (bytecode cache)")
    tools.warm_up(work)
    print("# papershelf vs Hugo\n")
    print("\n".join(machine(tools)))
    print(f"- Pairs: {args.pairs} per measure, papershelf and Hugo interleaved (A B A B); medians.\n",
          flush=True)
    try:
        for n in args.size_list:
            log(f"N={n}: writing the sites")
            sites = make_sites(work, n)
            bench = SizeBench(tools, sites, n, args.pairs, args)
            load_before = os.getloadavg()[0]
            rows = bench.all_rows()
            bench.notes.append(bench.busy_note())
            bench.notes.append(f"Load average (1 min) when this size started: {load_before:.2f}, "
                               f"when it ended: {os.getloadavg()[0]:.2f} (the bench itself adds up to ~2).")
            print(f"## N = {n:,} papers\n")
            print(table(rows))
            for note in bench.notes:
                print(f"\n{note}")
            print(flush=True)
            shutil.rmtree(sites.scratch / "trash", ignore_errors=True)
            if not args.keep:
                shutil.rmtree(work / f"n{n}", ignore_errors=True)
            if n != args.size_list[-1] or not args.no_import:
                log(f"waiting {args.forget:g} s for the filesystem to forget the deleted files (see discard)")
                time.sleep(args.forget)
        if not args.no_import:
            rows, notes = import_bench(tools, work, args.dump_size, args.pairs)
            print(f"## Import ({args.dump_size:,} + {args.dump_size:,} entries, {args.pairs} runs)\n")
            print(import_table(rows))
            for note in notes:
                print(f"\n{note}")
            print(flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0
