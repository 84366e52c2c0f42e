"""The entry schema as rules: what ``check`` reports and what ``build`` refuses."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from typing import Any

from .entries import DATE_FIELDS, FIELD_ORDER, STATUSES
from .identifiers import normalize_arxiv_id

TEXT_FIELDS = ("title", "org", "org_handle", "comment", "abstract")
LIST_FIELDS = ("authors", "tags", "categories", "sources")
COUNT_FIELDS = ("authors_count", "upvotes")


def problems(meta: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Yield (severity, key, message) for each rule ``meta`` breaks."""
    for key in TEXT_FIELDS:
        if key in meta and not isinstance(meta[key], str):
            yield "error", key, f"{key} must be text"
    for key in LIST_FIELDS:
        value = meta.get(key)
        if key in meta and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            yield "error", key, f"{key} must be a list of text, like [a, b]"
    for key in COUNT_FIELDS:
        value = meta.get(key)
        if key in meta and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            yield "error", key, f"{key} must be a whole number"
    for key in sorted(DATE_FIELDS & meta.keys()):
        if not isinstance(meta[key], dt.date):
            yield "error", key, f"bad {key} {meta[key]!r} (expected YYYY-MM-DD)"
    if "arxiv" in meta:
        value = meta["arxiv"]
        if not isinstance(value, str) or normalize_arxiv_id(value) != value:
            yield "error", "arxiv", f"bad arxiv id {value!r} (expected e.g. 2505.09343, no version)"
    if "status" in meta and meta["status"] not in STATUSES:
        yield "error", "status", f"unknown status {meta['status']!r} (use {', '.join(STATUSES)})"
    if "rating" in meta:
        rating = meta["rating"]
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            yield "error", "rating", f"rating {rating!r} outside 1-5"
    if not meta.get("title"):
        hint = "run 'papershelf resolve'" if meta.get("arxiv") else "add a title"
        yield "warning", "title", f"no title ({hint})"
    if not meta.get("date"):
        yield "warning", "date", "no date (add date: YYYY-MM-DD)"
    for key in meta.keys() - set(FIELD_ORDER):
        close = difflib.get_close_matches(str(key), FIELD_ORDER, n=1, cutoff=0.8)
        if close:
            yield "warning", key, f"unknown key {key!r}; did you mean {close[0]!r}?"


def errors(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """Only the (key, message) pairs that make an entry unusable."""
    return [(key, message) for severity, key, message in problems(meta) if severity == "error"]
