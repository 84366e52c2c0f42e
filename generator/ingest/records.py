"""The Record: what one dump says about one paper, before merging."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple


class MonthDay(NamedTuple):
    """A date shown without its year (``May 14``); the year is inferred at merge time."""

    month: int
    day: int


@dataclass(frozen=True)
class Record:
    """One paper as seen in one dump; fields are None when the dump does not say."""

    source: str
    line: int
    format: str
    title: str | None = None
    abstract: str | None = None
    arxiv: str | None = None
    date: dt.date | MonthDay | None = None  # a PartialDate when only the year or month is known
    updated: dt.date | None = None
    org: str | None = None
    org_handle: str | None = None
    authors: tuple[str, ...] | None = None
    authors_count: int | None = None
    upvotes: int | None = None
    comment: str | None = None
    doi: str | None = None
    bibkey: str | None = None
    venue: str | None = None
    url: str | None = None
    code: str | None = None
    project: str | None = None
    keywords: tuple[str, ...] | None = None  # the source's own tags, for a new entry's tags


@dataclass(frozen=True)
class Dump:
    """A parsed dump file: its records and the warnings its unparsable blocks raised."""

    name: str
    format: str
    records: tuple[Record, ...]
    warnings: tuple = field(default_factory=tuple)
