"""Authors and organisations as pages: who wrote the papers of the list (names merged only by
``author_aliases``) and which Hugging Face organisation published them, each with its URL.

Two different names whose slugs are alike are never merged: both get a short digest of their
name after the slug. Those few disambiguated slugs (``People.clashes``) are all a page or list
row needs beyond its own entry to link an author, so the build digests them into its keys.
Knows nothing of the site model's other parts: it takes papers with ``slug``, ``authors``,
``org`` and ``org_handle``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slugify import slugify

from generator.core.slugs import capped


@dataclass(frozen=True)
class People:
    """How a name or handle becomes a page: spellings merged by ``author_aliases``, and the
    slugs made unique with a digest where two names would share one."""

    aliases: Mapping[str, str] = field(default_factory=dict)  # spelling -> canonical name
    clashes: Mapping[str, str] = field(default_factory=dict)  # "author:"/"org:" + name -> slug

    def canonical(self, name: str) -> str:
        """The name ``name`` is merged into (itself when it has no alias)."""
        return self.aliases.get(name, name)

    def author_url(self, name: str) -> str:
        """The page of the author written ``name``, relative to the base URL."""
        canonical = self.canonical(name)
        return f"authors/{self.clashes.get('author:' + canonical) or page_slug(canonical, 'author')}/"

    def org_url(self, handle: str) -> str:
        """The page of the organisation ``handle``, relative to the base URL."""
        return f"orgs/{self.clashes.get('org:' + handle) or page_slug(handle, 'org')}/"


NO_PEOPLE = People()


@dataclass(frozen=True)
class Author:
    """An author (the canonical name), the URL slug and the papers with that name, newest first."""

    name: str
    slug: str
    papers: tuple[Any, ...]

    @property
    def url(self) -> str:
        return f"authors/{self.slug}/"


@dataclass(frozen=True)
class Org:
    """A Hugging Face organisation: handle, display name (the most used), slug and papers."""

    handle: str
    name: str
    slug: str
    papers: tuple[Any, ...]

    @property
    def url(self) -> str:
        return f"orgs/{self.slug}/"


_PLAIN = re.compile(r"[A-Za-z0-9 .-]+")  # names python-slugify would only lower-case and hyphenate
_SEPARATORS = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)
def page_slug(name: str, fallback: str) -> str:
    """``Albert Gu`` -> ``albert-gu`` (cut with a digest when very long). Plain ASCII names
    skip python-slugify, which gives them the same slug twenty times slower (a big list has
    tens of thousands of authors)."""
    if _PLAIN.fullmatch(name):
        return capped(_SEPARATORS.sub("-", name.lower()).strip("-")) or fallback
    return capped(slugify(name)) or fallback


def initial(name: str) -> str:
    """The letter an author is indexed under: the first letter without accents, else ``#``."""
    first = (name[:1] if name[:1].isascii() else unicodedata.normalize("NFKD", name[:1])[:1]).upper()
    return first if first.isalpha() and first.isascii() else "#"


def sort_key(name: str) -> tuple[str, str, str]:
    """Alphabetical as written, accents and case aside (``Émile`` beside ``Emile``)."""
    plain = name if name.isascii() else \
        "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return (initial(name) == "#", plain.casefold(), name)


def people_of(aliases: Iterable[tuple[str, Sequence[str]]], papers: Sequence[Any]
              ) -> tuple[People, tuple[Author, ...], tuple[Org, ...]]:
    """The authors and organisations of ``papers`` (newest first already), and how to link them."""
    merged = {spelling: name for name, spellings in aliases for spelling in spellings}
    by_author: dict[str, list[Any]] = {}
    by_org: dict[str, list[Any]] = {}
    names: dict[str, Counter[str]] = {}
    for paper in papers:
        for name in dict.fromkeys(merged.get(a, a) for a in paper.authors):
            by_author.setdefault(name, []).append(paper)
        if paper.org_handle:
            by_org.setdefault(paper.org_handle, []).append(paper)
            names.setdefault(paper.org_handle, Counter())[paper.org or paper.org_handle] += 1
    author_slugs, clashed = _unique_slugs(by_author, "author")
    org_slugs, org_clashed = _unique_slugs(by_org, "org")
    clashes = {f"author:{n}": author_slugs[n] for n in clashed}
    clashes |= {f"org:{h}": org_slugs[h] for h in org_clashed}
    authors = tuple(Author(n, author_slugs[n], tuple(by_author[n])) for n in sorted(by_author, key=sort_key))
    orgs = tuple(Org(h, min(names[h], key=lambda n: (-names[h][n], n)), org_slugs[h], tuple(by_org[h]))
                 for h in sorted(by_org, key=str.casefold))
    return People(merged, clashes), authors, orgs


def _unique_slugs(names: Iterable[str], fallback: str) -> tuple[dict[str, str], list[str]]:
    """Each name's slug, and the names that share one: those all get ``-`` and a digest of the
    name after it, so that no page changes hands when another name comes or goes."""
    slugs = {name: page_slug(name, fallback) for name in names}
    groups: dict[str, list[str]] = {}
    for name, slug in slugs.items():
        groups.setdefault(slug, []).append(name)
    clashed = [name for group in groups.values() if len(group) > 1 for name in group]
    for name in clashed:
        tail = hashlib.blake2b(name.encode(), digest_size=3).hexdigest()
        slugs[name] = f"{capped(slugs[name], 80 - len(tail) - 1)}-{tail}"
    return slugs, clashed
