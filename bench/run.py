"""papershelf against Hugo on the same synthetic reading list: the benchmark behind ``make bench``.

What it does, for each N (default 1,000 and 10,000 papers):

1. Writes N deterministic synthetic entries (``bench/synth.py``: ~10-word
   titles, ~1.3k-character abstracts, ~0.4k-character notes with a list, a
   link and a table, LaTeX in ~10%, 3 of 60 tags, authors, organisations and
   topics for related-paper lists) into a papershelf site, and
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
   - one-note edit with search: the same, then a fresh ``papershelf build`` with
     search on, against a full Hugo rebuild followed by Pagefind over its output;
   - serve: both servers running (papershelf ``serve --no-search``, ``hugo
     server``), after one unmeasured warm-up edit each, the time from an entry
     file being saved (atomic replace) to the reload message arriving on
     papershelf's event stream / Hugo's livereload websocket;
   - serve with search: papershelf ``serve`` with search on and a search page left
     open in Chromium on a word no paper has; from a note saved with that word to
     the open page listing the paper (Hugo has none: its server runs no Pagefind);
   - peak RSS of the cold build: ``ru_maxrss`` from ``wait4`` (the largest
     single process of the tree) and the peak sums of RSS and PSS over the
     whole process tree, sampled from /proc every 20 ms (forked workers share
     pages: RSS counts them twice, PSS divides them);
   - peak RSS and PSS of the cold build with search, summed over the process tree
     (Pagefind's process included; Hugo's side runs ``hugo && pagefind`` as one
     tree; PSS sampled every 0.25 s), and papershelf's ``--debug`` steps: the time of the steps that make
     related lists and author and organisation pages, when the build has them.
3. Measures the bytes a search for one word downloads from each site's
   Pagefind bundle, in Debian's Chromium driven by Playwright.
4. Imports a generated 10k-entry Hugging Face dump and 10k-entry arXiv dump
   (30% of the papers in both) into an empty site, then again (no change).

Every build runs under a memory cap (``--memory-cap``, GB of RSS summed over the
process tree, sampled every 0.1 s) and a time limit (``--limit-seconds``): over
either, the whole tree is killed and the row says "failed: over 12 GB" (or the
limit) instead of a figure, and the measures that need that output say why they
have none. So ``--sizes 100000 --pairs 1`` finishes on a machine where one tool
cannot build 100,000 papers.

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
[--pairs 5] [--dump-size 10000] [--quick] [--memory-cap 12] [--limit-seconds 1800]
[--search-only]``; it needs ``hugo`` on PATH and, for the download figure,
``/usr/bin/chromium`` with the ``playwright`` package.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from . import synth
from .measure import run
from .report import Row, import_table, load, log, machine, source_of, table
from .sites import HERE, SITE_YAML, discard, make_sites
from .size_bench import TARGETS, SizeBench
from .tools import Tools

FORGET = 35  # seconds: ext4 treats deleted inodes as recent for 30 s (see sites.discard)


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
    parser.add_argument("--memory-cap", type=float, default=12,
                        help="GB of RSS summed over a build's process tree before it is killed (0: none)")
    parser.add_argument("--limit-seconds", type=float, default=1800,
                        help="seconds a build may take before it is killed and reported as failed")
    parser.add_argument("--search-only", action="store_true",
                        help="only the measures with search: cold build, edit build, memory, download "
                             "(e.g. --sizes 100000 --pairs 1 --search-only --no-import)")
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
    print("\n".join(machine(tools.papershelf, tools.version, source_of(tools.env), tools.hugo,
                             tools.pagefind)))
    print(f"- Pairs: {args.pairs} per measure, papershelf and Hugo interleaved (A B A B); medians.\n",
          flush=True)
    try:
        for n in args.size_list:
            log(f"N={n}: writing the sites")
            sites = make_sites(work, n)
            bench = SizeBench(tools, sites, n, args.pairs, args)
            load_before = load()
            rows = bench.all_rows()
            bench.notes.append(bench.busy_note())
            bench.notes.append(bench.limits_note())
            bench.notes.append(f"Load averages (1, 5, 15 min) when this size started: {load_before}; "
                               f"when it ended: {load()} (the bench itself adds up to ~2).")
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
