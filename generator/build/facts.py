"""The values a build's steps and its cache hand each other: the small facts kept about every
entry, the summary of a paper that list pages, feeds and exports show, one planned output,
and what one build made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from generator.core.entries import Entry
from generator.site.model import Paper

Fragments = tuple[str, str]  # a paper's abstract and notes as HTML


class Output(NamedTuple):
    """One file of the site: its key (a digest of all its inputs) and how to make its bytes."""

    key: bytes
    make: Callable[[], bytes | Iterator[bytes]] | None = None  # None: a paper page, rendered in bulk
    slug: str | None = None
    late: bool = False  # made in this process after the pages: feeds (reuse fragments), bib and json
    index_key: bytes | None = None  # a paper page: the key of what search indexes of it (no related list)


class EntryFacts(NamedTuple):
    """The small facts about one entry: stat, digest, structure, and its summary's digests.

    ``summary_key`` is the site key its summary (row, BibTeX and JSON) was made under; when
    it differs from the current one the summary is made again. A named tuple: there is one
    per paper, loaded and saved by every build.
    """

    stat: tuple[int, ...]  # folder.file_key
    digest: bytes
    paper: Paper
    summary_key: bytes = b""
    row_key: bytes = b""  # digest of the list row
    export_key: bytes = b""  # digest of the BibTeX and JSON


@dataclass(frozen=True)
class PaperSummary:
    """What list pages, feeds and exports show of one paper: its list row, BibTeX and JSON."""

    row: dict[str, Any]
    bib: str
    json: str


@dataclass(frozen=True)
class CacheUpdate:
    """What one build made, for the cache: the keys it built with, every entry's facts, what it
    parsed, rendered and summarised anew, and every output's key."""

    site_key: bytes
    search_key: bytes  # the pages the search index was built from
    content_key: bytes  # the pages as they are now
    records: dict[str, EntryFacts]
    entries: dict[str, Entry]
    fragments: dict[str, tuple[bytes, Fragments]]
    summaries: dict[str, PaperSummary]
    outputs: dict[str, bytes]
    search_pages: dict[str, bytes]  # paper page -> key of what the search index takes from it
