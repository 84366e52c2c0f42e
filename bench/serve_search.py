"""``serve`` with search: from a note saved to its new word found by a search page left open.

papershelf ``serve`` (search on) runs over the list the other measures built. For each pair
Chromium opens the search page on ``?q=WORD``, a word no paper has, and waits for its
answer (Pagefind may list papers with words like it); then the note of a paper not listed
gets the word (saved as editors save: a new file renamed over the old) and the time runs
until that open page lists the paper, which takes the rebuild, the background refresh of
the search index and the page searching again. The first save is a warm-up, not counted.
Hugo has no such row: ``hugo server`` does not run Pagefind.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .measure import Server, free_port
from .report import Row, log
from .search_bytes import CHROMIUM, CHROMIUM_ARGS
from .size_bench import TARGETS

if TYPE_CHECKING:
    from .size_bench import SizeBench

WORDS = ("quokkaalpha", "quokkabravo", "quokkacharlie", "quokkadelta", "quokkaecho", "quokkafoxtrot",
         "quokkagolf", "quokkahotel", "quokkaindia", "quokkajuliett", "quokkakilo", "quokkalima")
LINKS = "#search-results .row-title a"
FOUND = f"path => [...document.querySelectorAll('{LINKS}')].some(a => a.href.includes(path))"
ANSWERED = "w => (document.querySelector('#search-status') || {}).textContent?.includes(w)"


def serve_search(bench: SizeBench) -> Row:
    """The row: seconds from a save to the open search page listing the paper."""
    row = Row("serve with search: note saved to its new word found by the open search page", "s",
              target="≤ 2 s", judge=lambda a, b: a <= TARGETS["serve_search"])
    if bench.args.no_serve or bench.args.no_browser:
        row.note = "skipped: --no-serve or --no-browser"
        return row
    log(f"N={bench.n}: starting papershelf serve with search")
    port = free_port()
    server = Server([bench.tools.papershelf, "serve", "--site", str(bench.sites.papershelf),
                     "--port", str(port)], f"http://127.0.0.1:{port}/", env=bench.tools.env)
    try:
        server.wait_ready(120 + bench.n / 20)
        _time_saves(bench, row, f"http://127.0.0.1:{port}/")
        row.note = "Hugo: none (hugo server does not re-index; Pagefind runs by hand after it)"
    except Exception as exc:  # the row says why, the bench goes on
        row.note = f"failed: {str(exc).splitlines()[0][:160]}"
    finally:
        server.stop()
    return row


def _time_saves(bench: SizeBench, row: Row, url: str) -> None:
    from playwright.sync_api import sync_playwright

    wait = (bench.args.timeout + bench.n / 2000) * 1000  # a rebuild of 100,000 papers takes ~20 s
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for pair in range(-1, min(bench.pairs, len(WORDS) - 1)):  # -1: the warm-up
                bench.pair(f"serve edit with search, {'warm-up' if pair < 0 else f'pair {pair + 1}'}")
                word = WORDS[pair + 1]
                page.goto(f"{url}search/?q={word}")
                page.wait_for_function(ANSWERED, arg=f"“{word}”", timeout=wait)
                listed = set(page.eval_on_selector_all(LINKS, "links => links.map(a => a.href)"))
                slug = next(s for s in bench.sites.slugs[(pair * 71 + 13) % len(bench.sites.slugs):]
                            if not any(f"/papers/{s}/" in link for link in listed))  # Pagefind also
                bench.sites.edit("papershelf", slug, f"The {word} of this paper.")  # lists near words
                saved = time.perf_counter()
                page.wait_for_function(FOUND, arg=f"/papers/{slug}/", timeout=wait)
                if pair >= 0:
                    row.a.append(time.perf_counter() - saved)
                time.sleep(bench.args.settle)
        finally:
            browser.close()
