"""The site model: which pages exist and at which URL; refuses two pages with one URL.

Built from the config and the parsed entries; knows nothing of HTML. Every URL
here is relative to the site's base (``papers/<slug>/``); views add the base.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from slugify import slugify

from .config import Config
from .entries import STATUSES, Entry
from .errors import BuildError

UNDATED = dt.date.min


@dataclass(frozen=True)
class Paper:
    """One entry as the site sees it: its slug, source file and front matter."""

    slug: str
    entry: Entry
    source: Path

    @property
    def url(self) -> str:
        """The paper page, relative to the base URL."""
        return f"papers/{self.slug}/"

    @property
    def tags(self) -> list[str]:
        """The entry's tags (none when the field is absent)."""
        return list(self.entry.get("tags") or [])

    @property
    def status(self) -> str:
        """The reading status, ``to-read`` when unset."""
        return self.entry.get("status") or STATUSES[0]


@dataclass(frozen=True)
class Tag:
    """A tag, its URL slug and the papers carrying it (newest first)."""

    name: str
    slug: str
    papers: tuple[Paper, ...]

    @property
    def url(self) -> str:
        """The tag page, relative to the base URL."""
        return f"tags/{self.slug}/"


@dataclass(frozen=True)
class ListPage:
    """One page of a paginated list: its number, its papers and its URL."""

    number: int
    count: int
    papers: tuple[Paper, ...]
    url: str


@dataclass(frozen=True)
class Site:
    """Everything to render: config, papers newest first, tags, papers per status."""

    config: Config
    papers: tuple[Paper, ...]
    tags: tuple[Tag, ...]
    statuses: Mapping[str, tuple[Paper, ...]]


def newest_first(paper: Paper) -> tuple:
    """Sort key: dated papers by date, then by when they were added; undated papers last."""
    date = paper.entry.get("date") or UNDATED
    added = paper.entry.get("added") or UNDATED
    return (date == UNDATED, _neg(date), _neg(added), paper.slug)


def _neg(date: dt.date) -> int:
    return -date.toordinal()


def build_model(config: Config, entries: Mapping[str, Entry], sources: Mapping[str, Path]) -> Site:
    """The site model of ``entries`` (by slug); raises BuildError on a URL collision."""
    papers = tuple(sorted((Paper(slug, entry, sources[slug]) for slug, entry in entries.items()),
                          key=newest_first))
    _refuse_collisions((p.url.casefold(), p.source) for p in papers)
    return Site(config=config, papers=papers, tags=_tags(papers),
                statuses={s: tuple(p for p in papers if p.status == s) for s in STATUSES})


def tag_slug(name: str) -> str:
    """The URL segment of a tag: ``Vision Language`` -> ``vision-language``."""
    return slugify(name) or "tag"


def _tags(papers: Sequence[Paper]) -> tuple[Tag, ...]:
    members: dict[str, list[Paper]] = {}
    for paper in papers:
        for name in dict.fromkeys(paper.tags):
            members.setdefault(name, []).append(paper)
    tags = tuple(Tag(name, tag_slug(name), tuple(members[name]))
                 for name in sorted(members, key=str.casefold))
    _refuse_collisions((t.url, t.papers[0].source) for t in tags)
    return tags


def _refuse_collisions(urls: Iterable[tuple[str, Path]]) -> None:
    seen: dict[str, Path] = {}
    for url, source in urls:
        if url in seen:
            raise BuildError(f"two pages would have the URL {url!r}: this file and {seen[url].name}",
                             path=source, hint="rename one file, or spell the tags the same way")
        seen[url] = source


def paginate(papers: Sequence[Paper], per_page: int, first_url: str) -> list[ListPage]:
    """Split a list into pages: ``first_url``, then ``first_url`` + ``page/2/``..."""
    size = per_page if per_page > 0 else max(len(papers), 1)
    chunks = [tuple(papers[i:i + size]) for i in range(0, len(papers), size)] or [()]
    return [ListPage(number, len(chunks), chunk,
                     first_url if number == 1 else f"{first_url}page/{number}/")
            for number, chunk in enumerate(chunks, start=1)]
