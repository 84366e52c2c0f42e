"""Bytes a search query downloads: each site served on 127.0.0.1, the query run in Debian's Chromium.

papershelf's own search page is loaded as ``/search/?q=WORD``; Hugo's side is a
bare page (``/bench-search/?q=WORD``) that asks Pagefind's JS API for the same:
the filters, the query, the data of the first 10 results. Every response's
transfer size is added up (the static server does not compress; Pagefind's
index files are compressed on disk), split into the Pagefind bundle and the rest.
Everything under ``/pagefind/`` counts as the bundle: a search index split into parts
(``pagefind/parts.json`` and one bundle per part under ``pagefind/<part>/``, merged
by the page) is summed over all the parts the query fetched.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .measure import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@dataclass
class Download:
    """What one search downloaded."""

    pagefind_bytes: int
    total_bytes: int
    requests: int
    results: int
    pagefind_requests: int = 0


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm", ".js": "text/javascript", ".pagefind": "application/octet-stream",
    }

    def log_message(self, *args) -> None:  # quiet
        pass


class StaticServer:
    """A folder served on a free port of 127.0.0.1 from a thread (a context manager)."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        handler = functools.partial(_Handler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def measure(sites: dict[str, tuple[Path, str, str]], timeout: float = 60,
            browser=None) -> dict[str, Download]:
    """For each name: (site folder, page path with query, JS condition that says the search is done).
    ``browser``: a Chromium already launched by Playwright (the test suite's), else one of its own."""
    if browser is not None:
        return _measure_with(browser, sites, timeout)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return _measure_with(browser, sites, timeout)
        finally:
            browser.close()


def _measure_with(browser, sites: dict[str, tuple[Path, str, str]], timeout: float) -> dict[str, Download]:
    found = {}
    for name, (folder, page_path, done) in sites.items():
        with StaticServer(folder) as server:
            found[name] = _search(browser, server.port, page_path, done, timeout)
    return found


def _search(browser, port: int, page_path: str, done: str, timeout: float) -> Download:
    context = browser.new_context()
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"http://127.0.0.1:{port}{page_path}", wait_until="load", timeout=timeout * 1000)
    page.wait_for_function(done, timeout=timeout * 1000)
    page.wait_for_load_state("networkidle", timeout=timeout * 1000)
    said = page.evaluate("document.body.dataset.results || "
                         "(document.querySelector('#search-status') || {}).textContent || ''")
    number = re.match(r"\s*(\d+)", said or "")
    results = int(number[1]) if number else 0
    total = pagefind = pagefind_requests = 0
    for request in finished:
        sizes = request.sizes()
        size = max(sizes.get("responseBodySize", 0), 0) + max(sizes.get("responseHeadersSize", 0), 0)
        total += size
        if "/pagefind/" in request.url:  # one bundle, or parts.json and every part's bundle below it
            pagefind += size
            pagefind_requests += 1
    context.close()
    return Download(pagefind_bytes=pagefind, total_bytes=total, requests=len(finished), results=results,
                    pagefind_requests=pagefind_requests)


PAPERSHELF_DONE = ("(() => { const s = document.querySelector('#search-status');"
                   " return s && /paper/.test(s.textContent)"
                   " && document.querySelectorAll('#search-results > li').length > 0; })()")
HUGO_DONE = "window.benchDone === true"
