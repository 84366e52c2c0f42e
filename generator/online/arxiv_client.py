"""The arXiv API through the ``arxiv`` package: paced, retried, timed out, parsed and cached.

``arxiv.Client`` keeps requests at least ``delay`` seconds apart (never less
than 3 s against the public API, as its terms of use ask) and retries failed
ones. Answers become plain ``ArxivRecord`` values, kept in a JSON cache file
(``content/.arxiv-cache.json``) so that a second run asks nothing. Every
failure becomes an ``ArxivError`` naming the request.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import arxiv
import requests

from generator.core.errors import PapershelfError
from generator.core.identifiers import normalize_arxiv_id
from generator.core.library import write_atomic
from generator.ingest.merge import normalize_abstract, normalize_title

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
API_URL_ENV = "PAPERSHELF_ARXIV_API"
# Undocumented knobs for the test suite; the public API always gets >= POLITE_DELAY.
DELAY_ENV = "PAPERSHELF_ARXIV_DELAY"
TIMEOUT_ENV = "PAPERSHELF_ARXIV_TIMEOUT"
POLITE_DELAY = 3.0
DEFAULT_TIMEOUT = 30.0
RETRIES = 3
BATCH_SIZE = 100  # ids per id_list request
TITLE_RESULTS = 10  # results read per title search
CACHE_NAME = ".arxiv-cache.json"
CACHE_VERSION = 1
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"


class ArxivError(PapershelfError):
    """The arXiv API did not give a usable answer; the message names the request."""


class ArxivUnreachable(ArxivError):
    """No answer at all: offline, refused, unknown host or timed out."""


@dataclass(frozen=True)
class ArxivRecord:
    """One paper as the arXiv API describes it; ``categories`` lists the primary one first."""

    arxiv: str
    title: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    published: dt.date | None = None
    updated: dt.date | None = None
    categories: tuple[str, ...] = ()
    comment: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings)."""
        return {
            "arxiv": self.arxiv, "title": self.title, "authors": list(self.authors),
            "abstract": self.abstract, "categories": list(self.categories), "comment": self.comment,
            "published": self.published.isoformat() if self.published else None,
            "updated": self.updated.isoformat() if self.updated else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArxivRecord:
        """The inverse of ``to_json``."""
        return cls(
            arxiv=data["arxiv"], title=data["title"], authors=tuple(data.get("authors") or ()),
            abstract=data.get("abstract") or "", categories=tuple(data.get("categories") or ()),
            comment=data.get("comment"), published=_date(data.get("published")),
            updated=_date(data.get("updated")),
        )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def record_from_result(result: arxiv.Result) -> ArxivRecord | None:
    """Convert one ``arxiv.Result``; None for entries that are not papers (API error entries)."""
    arxiv_id = normalize_arxiv_id(result.entry_id)
    if arxiv_id is None:
        return None
    categories = [result.primary_category] if result.primary_category else []
    categories += [c for c in result.categories if c not in categories]
    return ArxivRecord(
        arxiv=arxiv_id,
        title=" ".join(result.title.split()),
        authors=tuple(a.name.strip() for a in result.authors if a.name.strip()),
        abstract=normalize_abstract(result.summary),
        published=result.published.date() if result.published else None,
        updated=result.updated.date() if result.updated else None,
        categories=tuple(categories),
        comment=normalize_abstract(result.comment) if result.comment else None,
    )


@dataclass(frozen=True)
class ApiSettings:
    """Where the API is and how politely to talk to it."""

    url: str = DEFAULT_API_URL
    delay: float = POLITE_DELAY
    timeout: float = DEFAULT_TIMEOUT
    retries: int = RETRIES


def api_settings(api_url: str | None, environ: Mapping[str, str]) -> ApiSettings:
    """Settings from ``--api-url``, else ``PAPERSHELF_ARXIV_API``, else the public API."""
    url = (api_url or environ.get(API_URL_ENV) or DEFAULT_API_URL).strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PapershelfError(f"the arXiv API URL {url!r} is not an http(s) URL",
                              hint=f"pass --api-url {DEFAULT_API_URL} or a server of your own")
    delay = _seconds(environ, DELAY_ENV, POLITE_DELAY)
    if (parts.hostname or "").endswith("arxiv.org"):
        delay = max(delay, POLITE_DELAY)
    return ApiSettings(url=url, delay=delay, timeout=_seconds(environ, TIMEOUT_ENV, DEFAULT_TIMEOUT))


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    try:
        value = float(environ.get(name, default))
    except ValueError:
        return default
    return value if value >= 0 else default


class _Session(requests.Session):
    """A requests session with a default timeout that refuses answers that are not an Atom feed."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.sent = 0

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        self.sent += 1
        response = super().request(method, url, *args, **kwargs)
        if response.status_code == requests.codes.ok:
            _check_feed(response.content, url)
        return response


def _check_feed(content: bytes, url: str) -> None:
    """Raise ArxivError unless ``content`` is a well-formed Atom feed.

    The ``arxiv`` package parses leniently (lxml ``recover=True``), which would
    turn a damaged answer into "no results"; this makes it an error instead.
    """
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise ArxivError(f"malformed answer from the arXiv API (not well-formed XML: {exc}) "
                         f"to GET {url}", hint="try again later, or pass --refresh") from exc
    if root.tag != _ATOM_FEED:
        raise ArxivError(f"malformed answer from the arXiv API (no Atom feed but <{root.tag}>) "
                         f"to GET {url}", hint="is --api-url the API's query endpoint?")


class _Client(arxiv.Client):
    """``arxiv.Client`` aimed at ``settings.url``, one page per request, with a timeout."""

    def __init__(self, settings: ApiSettings) -> None:
        super().__init__(page_size=BATCH_SIZE, delay_seconds=settings.delay,
                         num_retries=settings.retries)
        base = settings.url.replace("{", "{{").replace("}", "}}")
        self.query_url_format = base + ("&" if "?" in base else "?") + "{}"
        # arxiv 4.x takes no timeout; its requests session lives in ``_session``.
        self.session = _Session(settings.timeout)
        self._session = self.session

    def fetch(self, search: arxiv.Search, size: int) -> list[ArxivRecord]:
        """One request (plus the client's retries): the first ``size`` results of ``search``."""
        url = self._format_url(search, 0, size)
        try:
            feed = self._parse_feed(url, first_page=True)
        except arxiv.HTTPError as exc:
            raise ArxivError(f"the arXiv API answered HTTP {exc.status} "
                             f"({self.num_retries + 1} tries) to GET {url}",
                             hint="the API may be busy; run the command again later") from exc
        except requests.Timeout as exc:
            raise ArxivUnreachable(f"no answer from the arXiv API within {self.session.timeout:g} s "
                                   f"to GET {url}", hint="run the command again later") from exc
        except requests.RequestException as exc:
            raise ArxivUnreachable(f"cannot reach the arXiv API ({_reason(exc)}) for GET {url}",
                                   hint="check your connection or --api-url") from exc
        except arxiv.ArxivError as exc:
            raise ArxivError(f"unexpected answer from the arXiv API ({exc.message}) to GET {url}") from exc
        return [r for r in map(record_from_result, feed.results) if r is not None]


def _reason(exc: Exception) -> str:
    """The short cause of a connection error: 'Connection refused', not the urllib3 chain."""
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
    return found.group(1).strip() if found else type(exc).__name__


@dataclass
class Cache:
    """Known answers: records by id (None: arXiv has no such paper), title searches by query."""

    papers: dict[str, ArxivRecord | None] = field(default_factory=dict)
    titles: dict[str, list[str]] = field(default_factory=dict)


def cache_path(content_dir: Path) -> Path:
    """Where a site keeps its cache: committed, so a fresh clone needs no network."""
    return content_dir / CACHE_NAME


def load_cache(path: Path) -> Cache:
    """Read the cache file; a missing file is an empty cache."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Cache()
    except (OSError, ValueError) as exc:
        raise PapershelfError(f"unreadable arXiv cache: {exc}", path=path,
                              hint="delete the file or run with --refresh") from exc
    try:
        papers = {key: ArxivRecord.from_json(value) if value else None
                  for key, value in data["papers"].items()}
        return Cache(papers=papers, titles={k: list(v) for k, v in data["titles"].items()})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PapershelfError(f"unexpected arXiv cache layout ({type(exc).__name__}: {exc})", path=path,
                              hint="delete the file or run with --refresh") from exc


def dump_cache(cache: Cache) -> str:
    """The cache as JSON: keys sorted, one field a line, newline at the end, so diffs stay small."""
    data = {
        "version": CACHE_VERSION,
        "papers": {key: rec.to_json() if rec else None for key, rec in cache.papers.items()},
        "titles": cache.titles,
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def title_query(title: str) -> str:
    """The search query for a title: a phrase of its normalised words (no quotes or punctuation)."""
    return f'ti:"{normalize_title(title)}"'


class ArxivLookup:
    """Title searches and id lookups, from the cache when it knows, else from the API.

    Each answer from the API is written to the cache file at once (atomically),
    so an interrupted run keeps what it paid for. ``cache_file=None`` keeps the
    cache in memory only (``--dry-run``); ``refresh`` ignores what it holds.
    """

    def __init__(self, settings: ApiSettings, cache: Cache, cache_file: Path | None = None,
                 refresh: bool = False) -> None:
        self.settings = settings
        self.cache = cache
        self.cache_file = cache_file
        self.refresh = refresh
        self._client: _Client | None = None
        self._fresh: set[str] = set()  # keys answered by the API during this run

    @property
    def requests(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._client.session.sent if self._client else 0

    def knows_title(self, title: str) -> bool:
        """Whether a search for ``title`` needs no request."""
        return self._known(self.cache.titles, normalize_title(title))

    def knows_id(self, arxiv_id: str) -> bool:
        """Whether looking up ``arxiv_id`` needs no request."""
        return self._known(self.cache.papers, arxiv_id)

    def _known(self, table: Mapping[str, Any], key: str) -> bool:
        return key in table and (not self.refresh or key in self._fresh)

    def search_title(self, title: str) -> list[ArxivRecord]:
        """Papers whose title contains the words of ``title`` (up to TITLE_RESULTS, best first)."""
        key = normalize_title(title)
        if not key:
            return []
        if not self.knows_title(title):
            search = arxiv.Search(query=title_query(title), max_results=TITLE_RESULTS)
            records = self.client.fetch(search, TITLE_RESULTS)
            for record in records:
                self.cache.papers[record.arxiv] = record
                self._fresh.add(record.arxiv)
            self.cache.titles[key] = [record.arxiv for record in records]
            self._fresh.add(key)
            self._save()
        return [rec for i in self.cache.titles[key] if (rec := self.cache.papers.get(i)) is not None]

    def by_ids(self, ids: Iterable[str]) -> dict[str, ArxivRecord | None]:
        """The record of each id (None when arXiv has no such paper), BATCH_SIZE ids a request."""
        wanted = list(dict.fromkeys(ids))
        missing = [i for i in wanted if not self.knows_id(i)]
        for start in range(0, len(missing), BATCH_SIZE):
            batch = missing[start:start + BATCH_SIZE]
            found = {r.arxiv: r for r in self.client.fetch(arxiv.Search(id_list=batch), len(batch))}
            for arxiv_id in batch:
                self.cache.papers[arxiv_id] = found.get(arxiv_id)
                self._fresh.add(arxiv_id)
            self._save()
        return {arxiv_id: self.cache.papers[arxiv_id] for arxiv_id in wanted}

    def requests_needed(self, titles: Iterable[str], ids: Iterable[str]) -> int:
        """How many requests answering these titles and ids would take."""
        unknown_ids = len([i for i in dict.fromkeys(ids) if not self.knows_id(i)])
        unknown_titles = len({normalize_title(t) for t in titles if not self.knows_title(t)})
        return unknown_titles + math.ceil(unknown_ids / BATCH_SIZE)

    @property
    def client(self) -> _Client:
        """The API client, made on first use (a run answered from the cache sends nothing)."""
        if self._client is None:
            self._client = _Client(self.settings)
        return self._client

    def _save(self) -> None:
        if self.cache_file is not None:
            write_atomic(self.cache_file, dump_cache(self.cache))
