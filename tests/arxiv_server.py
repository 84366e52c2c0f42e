"""A stand-in for the arXiv API on 127.0.0.1: Atom answers in the documented format, requests counted.

Routed like the real API by the query string: ``id_list=ID,ID`` returns those
papers (latest version), ``search_query=ti:"words"`` the papers whose title
holds those words in that order. Canned answers (``fail_next``) and a
``delay`` simulate a busy, broken or slow server.
"""

from __future__ import annotations

import json
import re
import textwrap
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "arxiv-api"
ATOM = "http://arxiv.org/schemas/atom"


def demo_records() -> list[dict[str, Any]]:
    """The records of the 24 demo papers (tests/fixtures/arxiv-api/demo-records.json)."""
    return json.loads((FIXTURES / "demo-records.json").read_text(encoding="utf-8"))["records"]


def record(arxiv_id: str, title: str, abstract: str = "An abstract.", **extra: Any) -> dict[str, Any]:
    """A record in the fixture's layout, for tests that need their own papers."""
    data = {"arxiv": arxiv_id, "version": 1, "title": title, "authors": ["Ada Lovelace", "Alan Turing"],
            "abstract": abstract, "published": "2024-01-02", "updated": "2024-01-02",
            "primary_category": "cs.CL", "categories": ["cs.CL", "cs.AI"], "comment": None}
    return {**data, **extra}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _contains(title: str, phrase: str) -> bool:
    words, wanted = _words(title), _words(phrase)
    return bool(wanted) and any(words[i:i + len(wanted)] == wanted for i in range(len(words)))


def entry_xml(rec: dict[str, Any]) -> str:
    """One <entry> as the arXiv API writes it: wrapped title and summary, links, categories."""
    versioned = f"{rec['arxiv']}v{rec.get('version', 1)}"
    title = "\n  ".join(textwrap.wrap(rec["title"], 70, break_on_hyphens=False, break_long_words=False))
    summary = "\n".join(textwrap.wrap(rec["abstract"], 78, break_on_hyphens=False, break_long_words=False))
    parts = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{versioned}</id>",
        f"    <updated>{rec['updated']}T17:59:46Z</updated>",
        f"    <published>{rec['published']}T09:12:01Z</published>",
        f"    <title>{escape(title)}</title>",
        f"    <summary>  {escape(summary)}\n</summary>",
        *(f"    <author>\n      <name>{escape(name)}</name>\n    </author>" for name in rec["authors"]),
    ]
    if rec.get("comment"):
        parts.append(f"    <arxiv:comment>{escape(rec['comment'])}</arxiv:comment>")
    parts += [
        f'    <link href="http://arxiv.org/abs/{versioned}" rel="alternate" type="text/html"/>',
        f'    <link title="pdf" href="http://arxiv.org/pdf/{versioned}" rel="related" '
        'type="application/pdf"/>',
        f"    <arxiv:primary_category term={quoteattr(rec['primary_category'])} scheme={quoteattr(ATOM)}/>",
        *(f"    <category term={quoteattr(c)} scheme={quoteattr(ATOM)}/>" for c in rec["categories"]),
        "  </entry>",
    ]
    return "\n".join(parts)


def feed_xml(query: str, records: list[dict[str, Any]], start: int, per_page: int) -> bytes:
    """A whole Atom feed with the opensearch totals."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
        f" xmlns:arxiv={quoteattr(ATOM)}>\n"
        f'  <link href={quoteattr("http://arxiv.org/api/query?" + query)} rel="self" '
        'type="application/atom+xml"/>\n'
        f'  <title type="html">ArXiv Query: {escape(query)}</title>\n'
        "  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>\n"
        "  <updated>2026-11-22T00:00:00-05:00</updated>\n"
        f"  <opensearch:totalResults>{len(records)}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
    )
    page = records[start:start + per_page]
    return (head + "".join(entry_xml(r) + "\n" for r in page) + "</feed>\n").encode("utf-8")


@dataclass
class Canned:
    """One scripted answer, served instead of the routed one."""

    status: int = 503
    body: bytes = b"Service Unavailable"


@dataclass
class FakeArxiv:
    """The server's state: papers, scripted answers, and every request received."""

    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    canned: list[Canned] = field(default_factory=list)
    delay: float = 0.0
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """The API's query URL, for --api-url."""
        return f"http://127.0.0.1:{self.port}/api/query"

    def add(self, *records: dict[str, Any]) -> FakeArxiv:
        """Serve these records too."""
        for rec in records:
            self.papers[rec["arxiv"]] = rec
        return self

    def fail_next(self, status: int = 503, body: bytes = b"Service Unavailable", times: int = 1) -> None:
        """Answer the next ``times`` requests with ``status`` and ``body``."""
        self.canned += [Canned(status, body) for _ in range(times)]

    def answer(self, query: str) -> tuple[int, bytes]:
        """The status and body for one query string."""
        args = parse_qs(query)
        with self._lock:
            self.requests.append(args)
            if self.canned:
                canned = self.canned.pop(0)
                return canned.status, canned.body
        start = int(args.get("start", ["0"])[0])
        per_page = int(args.get("max_results", ["10"])[0])
        ids = [re.sub(r"v\d+$", "", i) for i in args.get("id_list", [""])[0].split(",") if i]
        if ids:
            found = [self.papers[i] for i in ids if i in self.papers]
        else:
            phrase = re.fullmatch(r'ti:"(.*)"', args.get("search_query", [""])[0])
            found = [r for r in self.papers.values() if phrase and _contains(r["title"], phrase.group(1))]
        return 200, feed_xml(query, found, start, per_page)

    def start(self) -> FakeArxiv:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = fake.answer(urlsplit(self.path).query)
                time.sleep(fake.delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def count(self, kind: str | None = None) -> int:
        """Requests received: all, or only ``"id_list"`` / ``"search_query"`` ones."""
        return sum(1 for args in self.requests if kind is None or args.get(kind, [""])[0])
