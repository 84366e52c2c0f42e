"""The outputs of the author and organisation pages, with their keys: the index of authors, a
paginated list and an Atom feed per author, the index of organisations and a list per
organisation. Apart from ``Planner`` so that each stays small; it adds to the same outputs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from generator.build.facts import Output
from generator.core.digests import digest
from generator.site.feeds import feed_order
from generator.site.model import paginate
from generator.site.people import Author, People
from generator.site.views import author_index, author_view, org_view


def people_key(site_key: bytes, people: People) -> bytes:
    """The site key with the few disambiguated author and organisation slugs digested in: list
    rows and paper pages link authors by them, so a clash that comes or goes remakes those."""
    return digest(site_key, sorted(people.clashes.items())) if people.clashes else site_key


def _feed_order(paper: Any) -> tuple:
    return feed_order(paper.added, paper.date, paper.slug)


def _output(key: bytes, make: Callable[[], Any], late: bool = False) -> Output:
    return Output(key, make=make, late=late)


class PeoplePlanner:
    """Adds the author and organisation outputs to a ``Planner``'s."""

    def __init__(self, planner: Any, pager_of: Callable[..., dict[str, Any]]) -> None:
        """``planner``: the ``plan.Planner`` whose outputs this adds to; ``pager_of``: its pagers."""
        self.planner, self.model, self.urls, self.pager_of = planner, planner.model, planner.urls, pager_of
        self.pages, self.site_key = planner.pages, planner.site_key
        self._page_key, self._feed_key = self.site_key + b"author page", self.site_key + b"author feed"
        self.feed_size = planner.config.feed_size

    def plan(self) -> None:
        self._plan_authors()
        self._plan_orgs()

    def _plan_authors(self) -> None:
        authors, count = self.model.authors, len(self.model.papers)
        index = author_index(authors, self.urls)
        with_authors = sum(1 for p in self.model.papers if p.authors)
        lede = f"{len(authors)} author{'s' * (len(authors) != 1)} of {with_authors} of the {count} papers."
        make = self.pages.simple_page("authors.html", "Authors", "authors/", "authors", "authors", lede,
                                      groups=index, author_count=len(authors))
        self.planner._add("authors/", _output(digest(self.site_key, "authors", index, lede), make))
        rank = {p.slug: i for i, p in enumerate(sorted(self.model.papers, key=_feed_order))}
        for author in authors:
            self._plan_author(author, rank)

    def _plan_author(self, author: Author, rank: dict[str, int]) -> None:
        """An author's pages and feed. The hot loop of a big list (more authors than papers):
        keys are hashed straight from what the pages show, and the view data is made only
        when a page is rendered."""
        slugs = [p.slug for p in author.papers]
        size = self.planner.config.per_page if self.planner.config.per_page > 0 else max(len(slugs), 1)
        count = max(1, -(-len(slugs) // size))
        shown = b"%s\0%s\0%d/%d" % (author.name.encode(), author.url.encode(), count, len(slugs))
        row_key = self.planner._row_keys.__getitem__
        for number in range(1, count + 1):
            url = author.url if number == 1 else f"{author.url}page/{number}/"
            rows = b"".join(map(row_key, slugs[(number - 1) * size:number * size]))
            key = hashlib.blake2b(self._page_key + shown + b"\0%d\0" % number + rows, digest_size=16).digest()
            self.planner._add(url, _output(key, self._author_page(author, number)))
        items = sorted(slugs, key=rank.__getitem__)[:self.feed_size] if len(slugs) > 1 else slugs
        idents = b"".join(map(self.planner._entry_idents.__getitem__, items))
        key = hashlib.blake2b(self._feed_key + shown + b"\0" + idents, digest_size=16).digest()
        self.planner._add(f"{author.url}feed.xml", _output(
            key, self.pages.feed(items, author.url, f" · {author.name}"), late=True))

    def _author_page(self, author: Author, number: int) -> Callable[[], Any]:
        def make() -> Any:
            pages = paginate(author.papers, self.planner.config.per_page, author.url)
            page, n = pages[number - 1], len(author.papers)
            info = {"kind": "author", "section": "authors", "heading": author.name,
                    "lede": f"{n} paper{'s' * (n != 1)} by {author.name}."}
            return self.pages.list_page("author.html", page, [p.slug for p in page.papers],
                                        self.pager_of(page, pages, self.urls), info,
                                        {"author": author_view(author, self.urls)})()
        return make

    def _plan_orgs(self) -> None:
        orgs = [org_view(o, self.urls) for o in self.model.orgs]
        lede = f"{len(orgs)} organisation{'s' * (len(orgs) != 1)} on Hugging Face."
        self.planner._add("orgs/", _output(digest(self.site_key, "orgs", orgs), self.pages.simple_page(
            "orgs.html", "Organisations", "orgs/", "orgs", "authors", lede, orgs=orgs)))
        for org, view in zip(self.model.orgs, orgs, strict=True):
            n = len(org.papers)
            self.planner._plan_list(org.papers, org.url, "org.html",
                                    {"kind": "org", "section": "authors", "heading": org.name,
                                     "lede": f"{n} paper{'s' * (n != 1)} from {org.name} on Hugging Face."},
                                    {"org": view})
