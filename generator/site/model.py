"""The site model: which pages exist and at which URL; refuses two pages with one URL.

Built from the config and the parsed entries; knows nothing of HTML. Every URL
here is relative to the site's base (``papers/<slug>/``); views add the base.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from slugify import slugify

from generator.core.config import Config
from generator.core.entries import STATUSES, Entry
from generator.core.errors import BuildError
from generator.core.names import normal_name
from generator.core.slugs import capped
from generator.site.people import NO_PEOPLE, Author, Org, People, people_of

UNDATED = dt.date.min


class Paper(NamedTuple):
    """One entry as the site's structure sees it: where it lives and how it sorts and groups.

    A named tuple: a big site has one per paper, made and cached on every build.
    """

    slug: str
    source: str  # the entry file, for messages
    date: dt.date | None = None
    added: dt.date | None = None
    updated: dt.date | None = None
    tags: tuple[str, ...] = ()
    status: str = STATUSES[0]
    authors: tuple[str, ...] = ()  # as ``normal_name`` makes them, before ``author_aliases``
    org: str = ""
    org_handle: str = ""

    @property
    def url(self) -> str:
        """The paper page, relative to the base URL."""
        return f"papers/{self.slug}/"


def paper_of(slug: str, entry: Entry, source: str) -> Paper:
    """The structural facts of one entry (a missing status reads as ``to-read``)."""
    meta = entry.meta
    return Paper(slug=slug, source=source, date=meta.get("date"), added=meta.get("added"),
                 updated=meta.get("updated"), tags=tuple(dict.fromkeys(meta.get("tags") or ())),
                 status=meta.get("status") or STATUSES[0], authors=_names(meta.get("authors")),
                 org=_one_line(meta.get("org")), org_handle=_one_line(meta.get("org_handle")))


def _names(authors: object) -> tuple[str, ...]:
    """An entry's ``authors``, normalised, blanks and repeats left out."""
    if not isinstance(authors, list):
        return ()
    return tuple(dict.fromkeys(n for n in (normal_name(a) for a in authors if isinstance(a, str)) if n))


def _one_line(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


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
    """Everything to render: config, papers newest first, tags, papers per status, authors
    (alphabetical) and organisations, and how author and organisation names link."""

    config: Config
    papers: tuple[Paper, ...]
    tags: tuple[Tag, ...]
    statuses: Mapping[str, tuple[Paper, ...]]
    authors: tuple[Author, ...] = ()
    orgs: tuple[Org, ...] = ()
    people: People = NO_PEOPLE


def newest_first(paper: Paper) -> tuple:
    """Sort key: dated papers by date, then by when they were added; undated papers last."""
    date, added = paper.date, paper.added
    return (date is None, -date.toordinal() if date else 0, -added.toordinal() if added else 0, paper.slug)


def build_model(config: Config, papers: Iterable[Paper]) -> Site:
    """The site model of ``papers``; raises BuildError on a URL collision."""
    ordered = tuple(sorted(papers, key=newest_first))
    _refuse_collisions((p.url.casefold(), p.source) for p in ordered)
    people, authors, orgs = people_of(config.author_aliases, ordered)
    return Site(config=config, papers=ordered, tags=_tags(ordered),
                statuses={s: tuple(p for p in ordered if p.status == s) for s in STATUSES},
                authors=authors, orgs=orgs, people=people)


def tag_slug(name: str) -> str:
    """The URL segment of a tag: ``Vision Language`` -> ``vision-language``; a very long one
    is cut with a digest (``slugs.capped``) so that its folder name fits any file system."""
    return capped(slugify(name)) or "tag"


def _tags(papers: Sequence[Paper]) -> tuple[Tag, ...]:
    members: dict[str, list[Paper]] = {}
    for paper in papers:
        for name in paper.tags:
            members.setdefault(name, []).append(paper)
    tags = tuple(Tag(name, tag_slug(name), tuple(members[name]))
                 for name in sorted(members, key=str.casefold))
    _refuse_tag_collisions(tags)
    return tags


def _refuse_collisions(urls: Iterable[tuple[str, str]]) -> None:
    seen: dict[str, str] = {}
    for url, source in urls:
        if url in seen:
            raise BuildError(f"two pages would have the URL {url!r}: this file and {Path(seen[url]).name}",
                             path=Path(source), hint="rename one file")
        seen[url] = source


def _refuse_tag_collisions(tags: Iterable[Tag]) -> None:
    """Two spellings of a tag with one URL: the error names a file with each spelling (one
    file, once, when it alone carries both)."""
    seen: dict[str, Tag] = {}
    for tag in tags:
        other = seen.setdefault(tag.url, tag)
        if other is tag:
            continue
        source, elsewhere = _two_files(tag, other)
        where = f"this file has {tag.name!r}, {Path(elsewhere).name} has {other.name!r}" if elsewhere \
            else f"this file has both {tag.name!r} and {other.name!r}"
        raise BuildError(f"two pages would have the URL {tag.url!r}: {where}", path=Path(source),
                         hint="spell the tag the same way everywhere")


def _two_files(tag: Tag, other: Tag) -> tuple[str, str | None]:
    """A file carrying ``tag`` and another carrying ``other``; None for the second when one
    file carries both and no other file carries either."""
    first = tag.papers[0].source
    second = next((p.source for p in other.papers if p.source != first), None)
    if second is not None:
        return first, second
    only = first  # every file with ``other`` is ``first``: look for another file with ``tag``
    rest = next((p.source for p in tag.papers if p.source != only), None)
    return (rest, only) if rest else (first, None)


def paginate(papers: Sequence[Paper], per_page: int, first_url: str) -> list[ListPage]:
    """Split a list into pages: ``first_url``, then ``first_url`` + ``page/2/``..."""
    size = per_page if per_page > 0 else max(len(papers), 1)
    chunks = [tuple(papers[i:i + size]) for i in range(0, len(papers), size)] or [()]
    return [ListPage(number, len(chunks), chunk,
                     first_url if number == 1 else f"{first_url}page/{number}/")
            for number, chunk in enumerate(chunks, start=1)]
