"""Every output of the site with its key: a digest of everything it is made from, so a build
renders only the outputs whose key changed. Lists are paginated here (with their pagers), and
two outputs that would land on one path are refused."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.build.cache_rows import CacheRows
from generator.build.facts import EntryFacts, Output, PaperSummary
from generator.build.memo import SiteMemo, Structure, with_structure
from generator.build.pages import Pages
from generator.build.people_pages import PeoplePlanner, people_key
from generator.build.related_lists import related_for
from generator.build.store import EntryStore
from generator.build.summaries import Summaries, summarise
from generator.core.config import Config
from generator.core.digests import digest, digest_bytes
from generator.core.entries import STATUSES, Entry
from generator.core.errors import BuildError
from generator.site.model import ListPage, Paper, paginate
from generator.site.theme import Theme
from generator.site.views import STATUS_LABELS, Urls, tag_view, top_people

PAGER_WINDOW = 3


@dataclass(frozen=True)
class SiteInputs:
    """What every output of one build is made with, and the key that digests it all."""

    config: Config
    theme: Theme
    base_url: str
    site_key: bytes
    jobs: int = 1


@dataclass(frozen=True)
class Planned:
    """The outputs of a build with their keys, the pages that render them, every entry's facts
    with up-to-date summary keys, the summaries made anew, and the site model to remember."""

    outputs: dict[str, Output]
    pages: Pages
    records: dict[str, EntryFacts]
    summaries: dict[str, PaperSummary]
    memo: SiteMemo


def plan_site(site: SiteInputs, memo: SiteMemo, records: dict[str, EntryFacts], parsed: dict[str, Entry],
              rows: CacheRows, step: Callable[[str], None] = lambda name: None) -> Planned:
    """Bring the papers' summaries up to date, then list every output with its key; ``step``
    hears when each part of the work is done (``--debug`` prints them)."""
    urls = Urls.from_base(site.base_url)
    store = EntryStore(rows, parsed)
    papers = {p.slug: p for p in memo.model.papers}
    site_key = people_key(site.site_key, memo.model.people)
    summarised = summarise(records, site_key, papers, store, urls, site.jobs, memo.model.people)
    step("summarised")
    related = related_for(summarised.records, store, rows, site.jobs)
    step(f"related lists {related.how}")
    pages = Pages(site.config, site.theme, urls, memo.model, store, Summaries(summarised.summaries, rows),
                  related=related)
    memo = with_structure(memo)
    outputs = Planner(site_key, memo, summarised.records, pages).plan()
    return Planned(outputs, pages, summarised.records, summarised.summaries, memo)


class Planner:
    """Lists the outputs of one site with their keys."""

    def __init__(self, site_key: bytes, memo: SiteMemo, records: dict[str, EntryFacts], pages: Pages) -> None:
        self.site_key, self.records, self.pages = site_key, records, pages
        self.config, self.model, self.urls = memo.config, memo.model, pages.urls
        self.structure: Structure = memo.structure
        self.outputs: dict[str, Output] = {}
        self._row_keys = {s: r.row_key for s, r in records.items()}
        self._entry_idents = {s: s.encode() + b"\0" + r.digest for s, r in records.items()}
        self._export_idents = {s: s.encode() + b"\0" + r.export_key for s, r in records.items()}

    def plan(self) -> dict[str, Output]:
        """Every output path with its key; raises BuildError if two outputs share a path."""
        paper_key, related = self.site_key + b"paper", self.pages.related
        for paper in self.model.papers:  # the hot loop of big sites: no pickling here
            indexed = paper_key + self.records[paper.slug].digest
            listed = related.page_key(paper.slug, self._row_keys)
            key = hashlib.blake2b(indexed + listed, digest_size=16).digest()
            # the related section is left out of the search index: its changes re-index nothing
            self._add(paper.url, Output(key, None, paper.slug,
                                        index_key=hashlib.blake2b(indexed, digest_size=16).digest()))
        self._plan_lists()
        self._plan_tags()
        PeoplePlanner(self, pager_of).plan()
        self._plan_pages_of_their_own()
        self._plan_exports()
        for name, path in self.pages.assets.items():
            self._add(f"assets/{name}", Output(digest(self.site_key, "asset", name),
                                               make=self.pages.asset(path)))
        return self.outputs

    def _add(self, url: str, output: Output) -> None:
        place_output(self.outputs, url, output)

    def _plan_lists(self) -> None:
        filters = status_filters(self.model, self.urls)
        self._plan_list(self.model.papers, "", "index.html",
                        {"kind": "index", "section": "papers", "heading": self.config.title,
                         "lede": self.config.description, "status": ""},
                        {"status_filters": _mark_current(filters, "")})
        for status in STATUSES:
            label, papers = STATUS_LABELS[status], self.model.statuses[status]
            self._plan_list(papers, f"status/{status}/", "index.html",
                            {"kind": "index", "section": "papers", "heading": label, "status": status,
                             "lede": f"{len(papers)} paper{'s' * (len(papers) != 1)} marked "
                                     f"“{label.lower()}”."},
                            {"status_filters": _mark_current(filters, status)})

    def _plan_list(self, papers: Sequence[Paper], first_url: str, template: str, info: dict[str, str],
                   extra: dict[str, Any]) -> None:
        """One output per page of a paginated list; ``info`` describes the page, ``extra`` is context."""
        pages = paginate(papers, self.config.per_page, first_url)
        row_key = self._row_keys.__getitem__
        for page in pages:
            slugs = [p.slug for p in page.papers]
            pager = pager_of(page, pages, self.urls)
            rows_key = digest_bytes(map(row_key, slugs))
            key = digest(self.site_key, template, page.url, rows_key, pager, info, extra)
            make = self.pages.list_page(template, page, slugs, pager, info, extra)
            self._add(page.url, Output(key, make=make))

    def _plan_tags(self) -> None:
        tags = [tag_view(t, self.urls) for t in self.model.tags]
        count = len(self.model.papers)
        self._add("tags/", Output(digest(self.site_key, "tags", tags, count), make=self.pages.simple_page(
            "tags.html", "Tags", "tags/", "tags", "tags", f"{len(tags)} tags across {count} papers.",
            tags=tags, paper_count=count)))
        for tag, view in zip(self.model.tags, tags, strict=True):
            count = len(tag.papers)
            self._plan_list(tag.papers, tag.url, "tag.html",
                            {"kind": "tag", "section": "tags", "heading": f"Tag: {tag.name}",
                             "lede": f"{count} paper{'s' * (count != 1)} tagged {tag.name}."},
                            {"tag": view})
            items = self.structure.tag_feeds[tag.name]
            feed = self.pages.feed(items, tag.url, f" · {tag.name}")
            key = self._slugs_key("feed", tag.name, items)
            self._add(f"{tag.url}feed.xml", Output(key, make=feed, late=True))
            slugs = [p.slug for p in tag.papers]
            self._add(f"{tag.url}papers.bib", Output(self._slugs_key("bib", slugs, exports=True),
                                                     make=self.pages.bib(slugs), late=True))

    def _plan_pages_of_their_own(self) -> None:
        pages, count = self.pages, len(self.model.papers)
        stats, top = self.structure.stats, top_people(self.model.authors, self.model.orgs, self.urls)
        self._add("stats/", Output(digest(self.site_key, "stats", stats, top), make=pages.simple_page(
            "stats.html", "Stats", "stats/", "stats", "stats",
            f"{count} papers by month, tag and reading status.", stats=stats, top=top)))
        self._add("search/", Output(digest(self.site_key, "search"), make=pages.simple_page(
            "search.html", "Search", "search/", "search", "search", "Search titles, abstracts and notes.")))
        self._add("404.html", Output(digest(self.site_key, "404"), make=pages.simple_page(
            "404.html", "Page not found", "404.html", "error", "")))

    def _plan_exports(self) -> None:
        pages, slugs = self.pages, [p.slug for p in self.model.papers]
        latest = self.structure.latest
        self._add("feed.xml", Output(self._slugs_key("feed", latest), make=pages.feed(latest, "", ""),
                                     late=True))
        self._add("papers.bib", Output(self._slugs_key("bib", slugs, exports=True), make=pages.bib(slugs),
                                       late=True))
        json_key = digest(self._slugs_key("json", slugs, exports=True), pages.related.key)
        self._add("papers.json", Output(json_key, make=pages.json(slugs), late=True))
        if self.urls.origin:  # a sitemap holds full URLs: without the site's host, none
            tag_slugs = [t.slug for t in self.model.tags]
            people = [a.slug for a in self.model.authors], [o.slug for o in self.model.orgs]
            key = self._slugs_key("sitemap", tag_slugs, people, slugs, exports=True)
            self._add("sitemap.xml", Output(key, make=pages.sitemap()))
        sitemap_url = self.urls.absolute("sitemap.xml") if self.urls.origin else ""
        self._add("robots.txt", Output(digest(self.site_key, "robots"), make=pages.robots(sitemap_url)))
        self._add(".nojekyll", Output(digest("nojekyll"), make=lambda: b""))  # also build.MARKER

    def _slugs_key(self, kind: str, *parts: Any, exports: bool = False) -> bytes:
        """The key of an output made from the papers ``parts[-1]``: their whole entries, or with
        ``exports`` only their BibTeX and JSON (a notes edit leaves papers.bib alone)."""
        idents = self._export_idents if exports else self._entry_idents
        return digest(self.site_key, kind, parts[:-1], digest_bytes(map(idents.__getitem__, parts[-1])))


def place_output(outputs: dict[str, Output], url: str, output: Output) -> None:
    """Add ``output`` to ``outputs`` at the file of ``url`` (a folder's is its index.html);
    BuildError if another output is there already."""
    path = url + "index.html" if url == "" or url.endswith("/") else url
    if path in outputs:
        raise BuildError(f"two outputs would be written to {path}",
                         hint="rename the entry or tag that produces it")
    outputs[path] = output


def pager_of(page: ListPage, pages: list[ListPage], urls: Urls) -> dict[str, Any]:
    """The pager of one page of a list: previous, next, and the pages around this one."""
    link = urls.link
    numbers = sorted({1, page.count, *range(max(1, page.number - PAGER_WINDOW),
                                            min(page.count, page.number + PAGER_WINDOW) + 1)})
    return {
        "count": page.count,
        "prev": link(pages[page.number - 2].url) if page.number > 1 else "",
        "next": link(pages[page.number].url) if page.number < page.count else "",
        "pages": [{"number": n, "url": link(pages[n - 1].url), "current": n == page.number} for n in numbers],
    }


def status_filters(model: Any, urls: Urls) -> list[dict[str, Any]]:
    """The links to the list of all papers and of each reading status, with their counts."""
    link = urls.link
    filters = [{"status": "", "label": "All", "url": link(""), "count": len(model.papers)}]
    filters += [{"status": s, "label": STATUS_LABELS[s], "url": link(f"status/{s}/"),
                 "count": len(model.statuses[s])} for s in STATUSES]
    return filters


def _mark_current(filters: list[dict[str, Any]], status: str) -> list[dict[str, Any]]:
    return [{**f, "current": f["status"] == status} for f in filters]
