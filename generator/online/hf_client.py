"""The Hugging Face daily papers API over HTTP: one day's, week's or month's list as JSON.

``requests`` with urllib3's ``Retry``: a timeout on every request, no retry when the
server cannot be reached at all (offline: one line at once), polite retries with
exponential backoff on 429 and 5xx answers (a ``Retry-After`` header is honoured, capped at
MAX_RETRY_AFTER), pages of PAGE_SIZE items (``limit``/``p``) fetched one after the other,
PAGE_DELAY apart on the public API. Every failure is an ``HfError`` naming the request.
``huggingface_hub`` has the same endpoint, but yields parsed objects, not the raw JSON that
is kept as a dump, and is a heavy install.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from generator import __version__
from generator.core.errors import PapershelfError

DEFAULT_API_URL = "https://huggingface.co"
API_URL_ENV = "PAPERSHELF_HF_API"
# Undocumented knobs for the test suite.
TIMEOUT_ENV = "PAPERSHELF_HF_TIMEOUT"
BACKOFF_ENV = "PAPERSHELF_HF_BACKOFF"
DEFAULT_TIMEOUT = 30.0
RETRIES = 3  # after the first try
BACKOFF = 2.0  # seconds; urllib3 waits 0, 2 x 2, 2 x 4 ... between tries
MAX_RETRY_AFTER = 60.0  # a longer Retry-After is waited for this long at most
RETRY_STATUSES = (429, 500, 502, 503, 504)
PAGE_SIZE = 50  # the API's documented default ``limit``
MAX_PAGES = 200
PAGE_DELAY = 1.0  # seconds between pages on huggingface.co
MAX_BYTES = 100_000_000  # an answer larger than this is refused (a dump is at most as big)
DAILY_PATH = "/api/daily_papers"


class HfError(PapershelfError):
    """The Hugging Face API did not give a usable answer; the message names the request."""


@dataclass(frozen=True)
class HfSettings:
    """Where the API is and how patiently to talk to it."""

    url: str = DEFAULT_API_URL
    timeout: float = DEFAULT_TIMEOUT
    retries: int = RETRIES
    backoff: float = BACKOFF
    page_delay: float = 0.0

    @property
    def host(self) -> str:
        """The server's host (and port), for messages."""
        return urlsplit(self.url).netloc


def hf_settings(api_url: str | None, environ: Mapping[str, str]) -> HfSettings:
    """Settings from ``--api-url``, else ``PAPERSHELF_HF_API``, else https://huggingface.co."""
    url = (api_url or environ.get(API_URL_ENV) or DEFAULT_API_URL).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PapershelfError(f"the Hugging Face API URL {url!r} is not an http(s) URL",
                              hint=f"pass --api-url {DEFAULT_API_URL} or a server of your own")
    public = (parts.hostname or "").endswith("huggingface.co")
    return HfSettings(url=url, timeout=_seconds(environ, TIMEOUT_ENV, DEFAULT_TIMEOUT),
                      backoff=_seconds(environ, BACKOFF_ENV, BACKOFF),
                      page_delay=PAGE_DELAY if public else 0.0)


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    try:
        value = float(environ.get(name, default))
    except ValueError:
        return default
    return value if 0 <= value < float("inf") else default


class _Retry(Retry):
    """urllib3's Retry with the server's Retry-After capped (a hostile one cannot stall us)."""

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER)


@dataclass(frozen=True)
class DailyList:
    """The answer for one period: the JSON to keep and how many items it lists."""

    body: bytes
    items: int


class HfClient:
    """A session aimed at ``settings.url`` with retries and a timeout."""

    def __init__(self, settings: HfSettings) -> None:
        self.settings = settings
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"papershelf/{__version__}"
        retry = _Retry(total=settings.retries, connect=0, read=settings.retries,
                       status=settings.retries, backoff_factor=settings.backoff,
                       status_forcelist=RETRY_STATUSES, allowed_methods=("GET",),
                       respect_retry_after_header=True, raise_on_status=False)
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def daily_papers(self, params: Mapping[str, str]) -> DailyList:
        """Every page of ``/api/daily_papers`` for ``params`` (``date``, ``week`` or
        ``month``): the answer as it came when one page holds it all, else the pages' items
        in one list (an item listed twice is kept once)."""
        pages: list[bytes] = []
        items: list[Any] = []
        seen: set[str] = set()
        for page in range(MAX_PAGES):
            if page:
                time.sleep(self.settings.page_delay)
            body = self.get(DAILY_PATH, {**params, "limit": str(PAGE_SIZE), "p": str(page)})
            batch = _json_list(body, self._url(DAILY_PATH, params))
            fresh = [item for item in batch if _identity(item) not in seen]
            seen.update(_identity(item) for item in fresh)
            pages.append(body)
            items += fresh
            if len(batch) < PAGE_SIZE or not fresh:
                break
        if len(pages) == 1:
            return DailyList(pages[0], len(items))
        return DailyList(json.dumps(items, ensure_ascii=False).encode() + b"\n", len(items))

    def get(self, path: str, params: Mapping[str, str]) -> bytes:
        """The body of a 200 answer to GET ``path``; an HfError for anything else."""
        url = self._url(path, params)
        timeout = self.settings.timeout
        try:
            with self.session.get(url, timeout=(timeout, timeout), stream=True) as response:
                if response.status_code != 200:
                    raise self._refused(response, url)
                return _read_capped(response, url)
        except requests.Timeout as exc:
            raise HfError(f"cannot reach {self.settings.host} (no answer within {timeout:g} s) "
                          f"for GET {url}", hint="run the command again later") from exc
        except requests.RequestException as exc:
            raise HfError(f"cannot reach {self.settings.host} ({_reason(exc)}) for GET {url}",
                          hint=f"check your connection, or --api-url / ${API_URL_ENV}") from exc

    def _url(self, path: str, params: Mapping[str, str]) -> str:
        return f"{self.settings.url}{path}?{urlencode(dict(params))}"

    def _refused(self, response: requests.Response, url: str) -> HfError:
        """The error for a non-200 answer, with the API's own message when it gives one."""
        status = f"HTTP {response.status_code}" + (f" {response.reason}" if response.reason else "")
        said = _api_message(response)
        said = f": {said}" if said else ""
        if response.status_code in RETRY_STATUSES:
            tries = self.settings.retries + 1
            return HfError(f"the Hugging Face API answered {status} ({tries} tries) to GET {url}{said}",
                           hint="the API is busy; run the command again later")
        hint = "is the date in the future, or not a day, week or month?" \
            if response.status_code == 400 else None
        return HfError(f"the Hugging Face API answered {status} to GET {url}{said}", hint=hint)


def _read_capped(response: requests.Response, url: str) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(65536):
        size += len(chunk)
        if size > MAX_BYTES:
            raise HfError(f"the answer to GET {url} is over {MAX_BYTES // 1_000_000} MB; not kept")
        chunks.append(chunk)
    return b"".join(chunks)


def _api_message(response: requests.Response) -> str | None:
    """The ``error`` the API explains a refusal with (``{"error": "..."}``), on one short line."""
    try:
        body = next(response.iter_content(65536), b"")
        said = json.loads(body).get("error")
    except Exception:  # no readable explanation: the status says enough
        return None
    if not isinstance(said, str):
        return None
    said = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", said).split())
    return said[:200] or None


def _json_list(body: bytes, url: str) -> list[Any]:
    """The list an answer holds; an HfError for anything else (nothing is saved then)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        raise HfError(f"malformed answer from the Hugging Face API (not JSON: {reason}) to GET {url}",
                      hint="try again later; is --api-url a Hugging Face server?") from exc
    if not isinstance(data, list):
        raise HfError(f"malformed answer from the Hugging Face API (not a list of papers) to GET {url}",
                      hint="try again later; is --api-url a Hugging Face server?")
    return data


def _identity(item: Any) -> str:
    """What tells two items of the daily list apart: the paper's id, else the whole item."""
    paper = item.get("paper") if isinstance(item, dict) else None
    if isinstance(paper, dict) and isinstance(paper.get("id"), str):
        return "id:" + paper["id"]
    return json.dumps(item, sort_keys=True)


def _reason(exc: Exception) -> str:
    """The short cause of a connection error: 'Connection refused', not the urllib3 chain."""
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
    return found.group(1).strip() if found else type(exc).__name__
