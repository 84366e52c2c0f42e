"""Parser for the JSON the Hugging Face papers API answers, saved as a file.

Three shapes are read: ``/api/daily_papers`` and ``/api/papers/search`` answer a list of
items ``{"paper": {...}, "title", "summary", "publishedAt", "numComments", ...}``;
``/api/papers/{id}`` answers one paper object, not wrapped. Paper fields are read from
``paper`` (or from the object itself when there is no ``paper``):

``id`` -> ``arxiv``; ``title`` (whitespace collapsed); ``summary`` -> ``abstract``;
``authors[].name``; ``publishedAt`` -> ``date`` (the UTC date of the timestamp; the item's
own ``publishedAt`` is when the paper reached the daily list, not when it was published);
``upvotes``; ``organization.name``/``fullname`` -> ``org_handle``/``org``; ``githubRepo`` ->
``code``; ``projectPage`` -> ``project``. A title, summary or organisation missing from
``paper`` is taken from the item. Unknown fields are ignored.

A malformed item (not an object, no id and no title) is skipped with a warning naming its
index (counted from 0, as ``jq '.[7]'`` does) and the line where it starts; a field of the
wrong type, a link that is not http(s), an organisation handle that is not one, or an
over-long text is dropped with a warning and the rest of the item imports. A file that is
not JSON, or whose JSON is not a paper or a list of them, is a DumpError.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from generator.core.errors import Diagnostic, DumpError
from generator.core.identifiers import normalize_arxiv_id
from generator.ingest.records import Record
from generator.ingest.sources.text import CONTROLS

FORMAT = "hf-json"
JSON_START = re.compile(r"\A[\s\ufeff]*[\[{]")
PAPER_KEY = re.compile(r'"(?:paper|id|title|summary)"\s*:')
DETECT_SAMPLE = 65536  # characters searched for a paper's keys when detecting the format
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
MAX_TEXT = 2000  # characters in a title, a name, an organisation or a link
MAX_ABSTRACT = 100_000
MAX_UPVOTES = 10**9
ORG_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
HINT = "save the answer of /api/daily_papers, /api/papers/search or /api/papers/ID as it is"


def looks_like(text: str) -> bool:
    """True for text that starts like JSON and names a paper's keys near its start, or is
    wrapped in ``[...]`` or ``{...}`` (an empty list, or the API's ``{"error": ...}``, is
    then reported as what it is)."""
    if JSON_START.match(text) is None:
        return False
    return PAPER_KEY.search(text, 0, DETECT_SAMPLE) is not None or text.rstrip().endswith(("]", "}"))


def parse(text: str, source: str) -> tuple[list[Record], list[Diagnostic]]:
    """The papers of a saved API answer and the warnings its malformed items raised."""
    records: list[Record] = []
    warnings: list[Diagnostic] = []
    one_line = "\n" not in text.strip()  # as the API answers: warnings name no line then
    for index, line, item in _items(text, source):
        def warn(message: str, index: int = index, line: int | None = None if one_line else line) -> None:
            warnings.append(Diagnostic(source, line, f"item {index}: {message}"))

        record = _record(item, source, line, warn)
        if record is not None:
            records.append(record)
    if not records:
        what = "an empty list" if not warnings else "no item is a paper"
        raise DumpError(f"no paper in this Hugging Face JSON ({what})", path=source, hint=HINT)
    return records, warnings


def _items(text: str, source: str) -> list[tuple[int, int, Any]]:
    """Each item of the top-level list (or the one top-level paper) with its index and line."""
    try:
        found = _top_level(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise DumpError(f"not JSON ({exc.msg})", path=source, line=exc.lineno, column=exc.colno,
                        hint=HINT) from exc
    except (RecursionError, ValueError) as exc:  # nested too deep; an integer too long to read
        raise DumpError(f"JSON that cannot be read ({_short(str(exc) or type(exc).__name__)})",
                        path=source, hint=HINT) from exc
    if isinstance(found, list):
        return found
    if isinstance(found, dict) and any(key in found for key in ("paper", "id", "title")):
        return [(0, 1, found)]
    if isinstance(found, dict) and isinstance(found.get("error"), str):
        raise DumpError(f"an error answer of the API, not papers ({_short(found['error'])})",
                        path=source, hint=HINT)
    kind = "an object" if isinstance(found, dict) else _kind(found)
    raise DumpError(f"JSON holding {kind}, not a paper or a list of papers", path=source, hint=HINT)


def _top_level(text: str) -> list[tuple[int, int, Any]] | Any:
    """The top-level value, or for a list its items with index and line (one decode each,
    so a warning can name where an item starts)."""
    decoder = json.JSONDecoder()
    pos = _JSON_SPACE.match(text).end()
    if not text.startswith("[", pos):
        value, end = decoder.raw_decode(text, pos)
        _only_space_after(text, end)
        return value
    items: list[tuple[int, int, Any]] = []
    line, counted = 1, 0
    pos = _JSON_SPACE.match(text, pos + 1).end()
    while not (text.startswith("]", pos) and not items):  # '[]', else item, then ',' or ']'
        line += text.count("\n", counted, pos)
        counted = pos
        value, end = decoder.raw_decode(text, pos)
        items.append((len(items), line, value))
        pos = _JSON_SPACE.match(text, end).end()
        if text.startswith("]", pos):
            break
        if not text.startswith(",", pos):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
        pos = _JSON_SPACE.match(text, pos + 1).end()
    _only_space_after(text, pos + 1)
    return items


def _only_space_after(text: str, end: int) -> None:
    pos = _JSON_SPACE.match(text, end).end()
    if pos != len(text):
        raise json.JSONDecodeError("Extra data", text, pos)


def _record(item: Any, source: str, line: int, warn: Callable[[str], None]) -> Record | None:
    """The record of one item, or None (with a warning) when it is not a paper."""
    if not isinstance(item, dict):
        warn(f"{_kind(item)}, not a paper object; skipped")
        return None
    paper = item.get("paper", item)
    if not isinstance(paper, dict):
        warn(f"'paper' is {_kind(paper)}, not an object; skipped")
        return None
    read = Reader(paper, item, warn)
    arxiv, title = read.arxiv(), read.text("title")
    if arxiv is None and title is None:
        warn("no arXiv id and no title; skipped")
        return None
    org = read.field("organization", dict)
    handle, name = read.organization(org) if org else (None, None)
    authors = read.authors()
    return Record(
        source=source, line=line, format=FORMAT, title=title, arxiv=arxiv,
        abstract=read.text("summary", limit=MAX_ABSTRACT, label="summary"),
        date=read.date(), authors=authors, authors_count=len(authors) if authors else None,
        upvotes=read.upvotes(), org=name, org_handle=handle,
        code=read.link("githubRepo"), project=read.link("projectPage"),
    )


class Reader:
    """Typed, cleaned fields of one item: the paper's value first, then the item's; a value
    of the wrong type, too long or unsafe is dropped with a warning."""

    def __init__(self, paper: dict, item: dict, warn: Callable[[str], None]) -> None:
        self.paper, self.item, self.warn = paper, item, warn

    def field(self, name: str, kind: type, own_only: bool = False) -> Any:
        """The value of ``name`` if it has type ``kind``; None when absent, null or wrong."""
        for where in (self.paper,) if own_only or self.paper is self.item else (self.paper, self.item):
            value = where.get(name)
            if value is None or value == "":
                continue
            if isinstance(value, kind) and not isinstance(value, bool):
                return value
            self.warn(f"'{name}' is {_kind(value)}, not {_KIND_NAMES[kind]}; ignored")
            return None
        return None

    def text(self, name: str, limit: int = MAX_TEXT, label: str | None = None,
             own_only: bool = False) -> str | None:
        """A string field, control characters removed and whitespace collapsed."""
        value = self.field(name, str, own_only)
        return None if value is None else self.clean(value, label or name, limit)

    def clean(self, value: str, label: str, limit: int = MAX_TEXT) -> str | None:
        """``value`` without control characters, on one line; None when over ``limit``."""
        if len(value) > 4 * limit:  # not worth cleaning
            self.warn(f"{label} longer than {limit} characters; ignored")
            return None
        if CONTROLS.search(value):
            value = CONTROLS.sub("", value)
            self.warn(f"control characters removed from {label}")
        value = " ".join(value.split())
        if len(value) > limit:
            self.warn(f"{label} longer than {limit} characters; ignored")
            return None
        return value or None

    def arxiv(self) -> str | None:
        """``id`` as a bare arXiv id; an id of another shape is dropped with a warning."""
        value = self.text("id", own_only=True)
        if value is None:
            return None
        found = normalize_arxiv_id(value)
        if found is None:
            self.warn(f"id {_short(value)!r} is not an arXiv id; ignored")
        return found

    def authors(self) -> tuple[str, ...] | None:
        """The names of ``authors`` (objects with a ``name``, or plain strings), empty ones skipped."""
        listed = self.field("authors", list, own_only=True)
        if not listed:
            return None
        names, odd = [], 0
        for author in listed:
            raw = author.get("name") if isinstance(author, dict) else author
            if not isinstance(raw, str):
                odd += raw is not None
                continue
            if name := self.clean(raw, "an author's name"):
                names.append(name)
        if odd:
            self.warn(f"{odd} author{'s' * (odd != 1)} without a name string; skipped")
        return tuple(names) or None

    def date(self) -> dt.date | None:
        """The UTC date of the paper's ``publishedAt`` (an ISO 8601 timestamp)."""
        value = self.text("publishedAt", own_only=True)
        if value is None:
            return None
        try:
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            self.warn(f"publishedAt {_short(value)!r} is not an ISO date; ignored")
            return None
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.timezone.utc)
        return stamp.date()

    def upvotes(self) -> int | None:
        """``upvotes`` when it is a count (0 to MAX_UPVOTES)."""
        value = self.field("upvotes", int, own_only=True)
        if value is not None and not 0 <= value <= MAX_UPVOTES:
            self.warn(f"upvotes {_short(str(value))} out of range; ignored")
            return None
        return value

    def organization(self, org: dict) -> tuple[str | None, str | None]:
        """(handle, full name) of an ``organization`` object; a handle that is not a Hugging
        Face account name is dropped (the site links it)."""
        handle = Reader(org, org, self.warn).text("name", label="organization name")
        if handle is not None and not ORG_HANDLE.fullmatch(handle):
            self.warn(f"organization name {_short(handle)!r} is not an account name; ignored")
            handle = None
        name = Reader(org, org, self.warn).text("fullname", label="organization fullname")
        return handle, name or handle

    def link(self, name: str) -> str | None:
        """An http(s) URL field; any other scheme (``javascript:``, ``data:``) is dropped."""
        value = self.text(name)
        if value is None:
            return None
        parts = urlsplit(value) if " " not in value else None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            self.warn(f"{name} {_short(value)!r} is not an http(s) URL; ignored")
            return None
        return value


_KIND_NAMES = {str: "a string", list: "a list", dict: "an object", int: "a number"}


def _kind(value: Any) -> str:
    """What a JSON value is, in words: 'a list', 'a string', 'null'..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a warning line."""
    return text if len(text) <= limit else text[:limit] + "..."
