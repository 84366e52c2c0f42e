"""Every page and file of the site: what it depends on (its key) and how it is rendered.

``PageMaker.plan()`` lists the outputs with their keys; ``render_papers``
renders paper pages in bulk (over several processes for big sites); list
pages, feeds and exports render one by one through ``Output.make``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from generator import __version__
from generator.site.bibtex import bibtex_entry
from generator.build.cache import BuildState, Derived, Record
from generator.core.digests import digest, digest_bytes, installed_key
from generator.site.charts import stats_view
from generator.core.config import Config
from generator.core.entries import STATUSES, Entry
from generator.core.errors import BuildError
from generator.site.exports import bib_file, json_record, papers_json, robots_txt, sitemap
from generator.site.feeds import atom_feed, feed_order
from generator.site.markup import text_html
from generator.core.parallel import fork_map, jobs_for
from generator.site.templates import make_environment, render
from generator.site.model import ListPage, Paper, Site, paginate
from generator.site.theme import Theme

if TYPE_CHECKING:
    from generator.site.notes import NotesRenderer
from generator.site.views import STATUS_LABELS, Urls, feed_item, paper_view, row_view, tag_view

PAGER_WINDOW = 3
WRITE_BATCH = 1000  # pages a worker renders between two progress reports


class Output(NamedTuple):
    """One file of the site: its key (a digest of all its inputs) and how to make its bytes."""

    key: bytes
    make: Callable[[], bytes | Iterator[bytes]] | None = None  # None: a paper page, rendered in bulk
    slug: str | None = None
    late: bool = False  # made in this process after the pages: feeds (reuse fragments), bib and json


def write_output(path: Path, data: bytes | Iterator[bytes]) -> None:
    """Write a new output file, from its bytes or piece by piece (big exports)."""
    with open(path, "wb") as handle:
        if isinstance(data, bytes):
            handle.write(data)
        else:
            for piece in data:
                handle.write(piece)


def output_bytes(data: bytes | Iterator[bytes]) -> bytes:
    """An output's bytes in one piece."""
    return data if isinstance(data, bytes) else b"".join(data)


class Structure(NamedTuple):
    """The feeds' papers and the stats, as the site's structure decides them."""

    latest: list[str]
    tag_feeds: dict[str, list[str]]
    stats: dict[str, Any]


class PageMaker:
    """Plans and renders the outputs of one build; holds the Jinja and Markdown machinery.

    Entries and fragments come from this build's parsing, else from the cache, read
    only when a page needs them; derived list data is recomputed only when stale.
    """

    def __init__(self, config: Config, theme: Theme, base_url: str, site_key: bytes, model: Site,
                 records: dict[str, Record], parsed: dict[str, Entry], cache: BuildState,
                 jobs: int = 1) -> None:
        self.memo = cache.memo  # in memory only: what a later build in the same process may reuse
        self.jobs = jobs
        self.config = config
        self.model = model
        self.site_key = site_key
        self.records = records
        self.parsed = parsed
        self.cache = cache
        self.new_fragments: dict[str, tuple[bytes, tuple[str, str]]] = {}
        self.new_derived: dict[str, Derived] = {}
        self.urls = Urls.from_base(base_url)
        self.env = make_environment(theme, config.cache_dir / "templates")
        self.assets = theme.assets()
        self.site = self._site_context()
        self._papers = {p.slug: p for p in model.papers}
        self._entries: dict[str, Entry] = {}
        self._stored: dict[str, tuple[bytes, tuple[str, str]]] = {}
        self._stored_derived: dict[str, Derived] = {}
        self._asked: set[str] = set()  # slugs whose stored fragments were looked up
        self._notes: NotesRenderer | None = None

    # ----- shared context -------------------------------------------------------------------

    def _site_context(self) -> dict[str, Any]:
        link = self.urls.link
        versions = {name: digest(path.read_bytes()).hex()[:10] for name, path in self.assets.items()}
        return {
            "title": self.config.title, "description": self.config.description,
            "author": self.config.author, "language": self.config.language,
            "base": self.urls.base_path, "home": link(""), "tags_url": link("tags/"),
            "stats_url": link("stats/"), "search_url": link("search/"),
            "feed_url": link("feed.xml"), "bib_url": link("papers.bib"), "json_url": link("papers.json"),
            "pagefind_url": link("pagefind/"),
            "assets": {name: f"{link('assets/' + name)}?v={v}" for name, v in versions.items()},
            "generator": f"papershelf {__version__}",
        }

    def _page(self, *, title: str, url: str, kind: str, section: str, description: str = "",
              og_type: str = "website", **extra: Any) -> dict[str, Any]:
        return {"title": title, "description": description or self.config.description,
                "canonical": self.urls.absolute(url), "kind": kind, "section": section,
                "og_url": self.urls.absolute(url) if self.urls.origin else "",  # only ever absolute
                "og_type": og_type, "number": 1, "status": "", **extra}

    def _html(self, template: str, **context: Any) -> bytes:
        return render(self.env, template, {"site": self.site, **context}).encode("utf-8")

    # ----- per paper ------------------------------------------------------------------------

    def preload(self, slugs: Iterable[str], fragments: bool = True) -> None:
        """Read the entries (and stored fragments) of ``slugs`` from the cache in batches."""
        slugs = list(slugs)
        missing = [s for s in slugs if s not in self.parsed and s not in self._entries]
        self._entries.update(self.cache.entries(missing))
        if fragments:
            wanted = [s for s in slugs if s not in self._asked]
            self._asked.update(wanted)
            self._stored.update((slug, (key, html)) for slug, key, html in self.cache.fragments(wanted))

    def entry(self, slug: str) -> Entry:
        """The parsed entry: from this build, else from the cache."""
        if slug in self.parsed:
            return self.parsed[slug]
        if slug not in self._entries:
            self.preload([slug])
        return self._entries[slug]

    def fragments(self, slug: str) -> tuple[str, str]:
        """The abstract and notes of a paper as HTML, rendered once per text change."""
        entry = self.entry(slug)
        abstract = entry.get("abstract") or ""
        key = digest(self._renderers, abstract, entry.body)
        for known in (self.new_fragments, self._stored):
            if slug in known and known[slug][0] == key:
                return known[slug][1]
        if slug not in self._asked:  # (workers find everything asked for before they started)
            self.preload([slug])
            if slug in self._stored and self._stored[slug][0] == key:
                return self._stored[slug][1]
        if self._notes is None:
            from generator.site.notes import NotesRenderer  # Markdown loads only when a note must be rendered
            self._notes = NotesRenderer()
        html = (text_html(abstract), self._notes.render(entry.body))
        self.new_fragments[slug] = (key, html)
        return html

    def refresh_derived(self) -> None:
        """Remake the rows, BibTeX and JSON of entries that changed or were made for another site
        key (over ``self.jobs`` processes when there are many)."""
        stale = [s for s, r in self.records.items() if r.derived_key != self.site_key]
        self.preload(stale, fragments=False)

        def make(chunk: Sequence[str]) -> list[tuple[str, Derived, bytes, bytes]]:
            made = []
            for slug in chunk:
                paper, meta = self._papers[slug], self.entry(slug).meta
                row = row_view(paper, meta, self.urls)
                url = self.urls.absolute(paper.url)
                derived = Derived(row, bibtex_entry(slug, meta, url), json_record(slug, url, meta))
                made.append((slug, derived, digest(row), digest(derived.bib, derived.json)))
            return made

        for part in fork_map(make, stale, jobs_for(len(stale), self.jobs)):
            for slug, derived, row_key, export_key in part:
                self.new_derived[slug] = derived
                self.records[slug] = self.records[slug]._replace(
                    derived_key=self.site_key, row_key=row_key, export_key=export_key)

    def derived(self, slugs: Sequence[str]) -> list[Derived]:
        """The rows, BibTeX and JSON of ``slugs``: made in this build, else read from the cache."""
        missing = [s for s in slugs if s not in self.new_derived and s not in self._stored_derived]
        self._stored_derived.update(self.cache.derived(missing))
        return [self.new_derived.get(s) or self._stored_derived[s] for s in slugs]

    def row(self, slug: str) -> tuple[dict[str, Any], bytes]:
        """A paper's list row and the digest of it."""
        return self.derived([slug])[0].row, self.records[slug].row_key

    def paper_page(self, slug: str) -> bytes:
        """One paper page."""
        paper = self._papers[slug]
        row = self.new_derived[slug].row if slug in self.new_derived else None
        view = paper_view(paper, self.entry(slug).meta, self.urls, *self.fragments(slug), row=row)
        page = self._page(title=view["title"], url=paper.url, kind="paper", section="papers",
                          description=view["description"] or self.config.description,
                          og_type="article")
        return self._html("paper.html", page=page, paper=view)

    def write_all(self, plan: dict[str, Output], folder: Path, jobs: int,
                  progress: Callable[[int, int], None] | None = None) -> None:
        """Render every output of ``plan`` into ``folder``: paper and list pages spread over
        ``jobs`` processes, then the late ones here (feeds reuse the fragments the papers
        produced). Everything the workers need is read from the cache first: they never
        touch this process's database connection."""
        self.preload([o.slug for o in plan.values() if o.slug])
        self.derived(list(self.records))
        first = [path for path, output in plan.items() if not output.late]

        def work(chunk: Sequence[str]) -> dict[str, tuple[bytes, tuple[str, str]]]:
            self.new_fragments.clear()  # in a worker: send back only what this batch made
            for path in chunk:
                output = plan[path]
                target = folder / path
                target.parent.mkdir(parents=True, exist_ok=True)
                write_output(target, self.paper_page(output.slug) if output.slug else output.make())
            return self.new_fragments

        step = WRITE_BATCH * jobs
        for start in range(0, len(first), step):  # in batches: to tell progress, and to store
            made: dict[str, tuple[bytes, tuple[str, str]]] = {}  # fragments as they come
            for part in fork_map(work, first[start:start + step], jobs):
                made.update(part)
            self.cache.store_fragments(made)  # and forgotten here: late outputs read them back
            self._asked.difference_update(made)
            if progress:
                progress(min(start + step, len(first)), len(plan))
        for path, output in plan.items():
            if output.late:
                target = folder / path
                target.parent.mkdir(parents=True, exist_ok=True)
                write_output(target, output.make())

    def render_papers_in_memory(self, slugs: Sequence[str]) -> dict[str, bytes]:
        """Render paper pages without writing them."""
        self.preload(slugs)
        return {slug: self.paper_page(slug) for slug in slugs}

    # ----- the plan -------------------------------------------------------------------------

    def plan(self) -> dict[str, Output]:
        """Every output path with its key; raises BuildError if two outputs share a path."""
        outputs: dict[str, Output] = {}
        self.refresh_derived()

        def add(url: str, output: Output) -> None:
            path = url + "index.html" if url == "" or url.endswith("/") else url
            if path in outputs:
                raise BuildError(f"two outputs would be written to {path}",
                                 hint="rename the entry or tag that produces it")
            outputs[path] = output

        paper_key = self.site_key + b"paper"
        for paper in self.model.papers:  # the hot loop of big sites: no pickling here
            key = hashlib.blake2b(paper_key + self.records[paper.slug].digest, digest_size=16).digest()
            add(paper.url, Output(key, None, paper.slug))
        self._plan_lists(add)
        self._plan_tags(add)
        self._plan_site_files(add)
        return outputs

    def _plan_lists(self, add: Callable[[str, Output], None]) -> None:
        filters = self._status_filters()
        self._plan_pages(add, self.model.papers, "", "index.html",
                         {"kind": "index", "section": "papers", "heading": self.config.title,
                          "lede": self.config.description, "status": ""},
                         {"status_filters": self._mark_current(filters, "")})
        for status in STATUSES:
            label, papers = STATUS_LABELS[status], self.model.statuses[status]
            self._plan_pages(add, papers, f"status/{status}/", "index.html",
                             {"kind": "index", "section": "papers", "heading": label, "status": status,
                              "lede": f"{len(papers)} paper{'s' * (len(papers) != 1)} marked "
                                      f"“{label.lower()}”."},
                             {"status_filters": self._mark_current(filters, status)})

    def _plan_pages(self, add: Callable[[str, Output], None], papers: Sequence[Paper], first_url: str,
                    template: str, info: dict[str, str], extra: dict[str, Any]) -> None:
        """One output per page of a paginated list; ``info`` describes the page, ``extra`` is context."""
        pages = paginate(papers, self.config.per_page, first_url)
        row_key = self._row_keys.__getitem__
        for page in pages:
            slugs = [p.slug for p in page.papers]
            pager = self._pager(page, pages)
            rows_key = digest_bytes(map(row_key, slugs))
            key = digest(self.site_key, template, page.url, rows_key, pager, info, extra)
            add(page.url, Output(key, make=self._list_maker(template, page, slugs, pager, info, extra)))

    def _list_maker(self, template: str, page: ListPage, slugs: list[str], pager: dict[str, Any],
                    info: dict[str, str], extra: dict[str, Any]) -> Callable[[], bytes]:
        def make() -> bytes:
            rows = [d.row for d in self.derived(slugs)]
            heading = info["heading"]
            title = heading if page.number == 1 else f"{heading} (page {page.number})"
            page_ctx = self._page(title=title, url=page.url, kind=info["kind"], section=info["section"],
                                  number=page.number, heading=heading, lede=info["lede"],
                                  status=info.get("status", ""), description=info["lede"])
            return self._html(template, page=page_ctx, rows=rows, pager=pager, **extra)
        return make

    def _pager(self, page: ListPage, pages: list[ListPage]) -> dict[str, Any]:
        link = self.urls.link
        numbers = sorted({1, page.count, *range(max(1, page.number - PAGER_WINDOW),
                                                min(page.count, page.number + PAGER_WINDOW) + 1)})
        return {
            "count": page.count,
            "prev": link(pages[page.number - 2].url) if page.number > 1 else "",
            "next": link(pages[page.number].url) if page.number < page.count else "",
            "pages": [{"number": n, "url": link(pages[n - 1].url), "current": n == page.number}
                      for n in numbers],
        }

    @staticmethod
    def _mark_current(filters: list[dict[str, Any]], status: str) -> list[dict[str, Any]]:
        return [{**f, "current": f["status"] == status} for f in filters]

    def _status_filters(self) -> list[dict[str, Any]]:
        link = self.urls.link
        filters = [{"status": "", "label": "All", "url": link(""), "count": len(self.model.papers)}]
        filters += [{"status": s, "label": STATUS_LABELS[s], "url": link(f"status/{s}/"),
                     "count": len(self.model.statuses[s])} for s in STATUSES]
        return filters

    def _plan_tags(self, add: Callable[[str, Output], None]) -> None:
        tags = [tag_view(t, self.urls) for t in self.model.tags]
        count = len(self.model.papers)
        add("tags/", Output(digest(self.site_key, "tags", tags, count), make=lambda: self._html(
            "tags.html", tags=tags, paper_count=count,
            page=self._page(title="Tags", url="tags/", kind="tags", section="tags",
                            description=f"{len(tags)} tags across {count} papers."))))
        for tag, view in zip(self.model.tags, tags, strict=True):
            count = len(tag.papers)
            self._plan_pages(add, tag.papers, tag.url, "tag.html",
                             {"kind": "tag", "section": "tags", "heading": f"Tag: {tag.name}",
                              "lede": f"{count} paper{'s' * (count != 1)} tagged {tag.name}."},
                             {"tag": view})
            items = self._structure.tag_feeds[tag.name]
            feed = self._feed_maker(items, tag.url, f" · {tag.name}")
            add(f"{tag.url}feed.xml", Output(self._slugs_key("feed", tag.name, items), make=feed, late=True))
            slugs = [p.slug for p in tag.papers]
            add(f"{tag.url}papers.bib", Output(self._slugs_key("bib", slugs, exports=True),
                                               make=self._bib_maker(slugs), late=True))

    def _plan_site_files(self, add: Callable[[str, Output], None]) -> None:
        papers = self.model.papers
        slugs = [p.slug for p in papers]
        stats = self._structure.stats
        add("stats/", Output(digest(self.site_key, "stats", stats), make=lambda: self._html(
            "stats.html", stats=stats, page=self._page(
                title="Stats", url="stats/", kind="stats", section="stats",
                description=f"{len(papers)} papers by month, tag and reading status."))))
        add("search/", Output(digest(self.site_key, "search"), make=lambda: self._html(
            "search.html", page=self._page(title="Search", url="search/", kind="search",
                                           section="search",
                                           description="Search titles, abstracts and notes."))))
        add("404.html", Output(digest(self.site_key, "404"), make=lambda: self._html(
            "404.html", page=self._page(title="Page not found", url="404.html", kind="error",
                                        section=""))))
        latest = self._structure.latest
        add("feed.xml", Output(self._slugs_key("feed", latest), make=self._feed_maker(latest, "", ""),
                               late=True))
        add("papers.bib", Output(self._slugs_key("bib", slugs, exports=True), make=self._bib_maker(slugs),
                                 late=True))
        add("papers.json", Output(self._slugs_key("json", slugs, exports=True), make=lambda: papers_json(
            self._texts("json", slugs)), late=True))
        if self.urls.origin:  # a sitemap holds full URLs: without the site's host, none
            add("sitemap.xml", Output(self._slugs_key("sitemap", [t.slug for t in self.model.tags], slugs,
                                                      exports=True),
                                      make=lambda: sitemap(self._sitemap_urls())))
        sitemap_url = self.urls.absolute("sitemap.xml") if self.urls.origin else ""
        add("robots.txt", Output(digest(self.site_key, "robots"), make=lambda: robots_txt(sitemap_url)))
        add(".nojekyll", Output(digest("nojekyll"), make=lambda: b""))  # also build.MARKER
        for name, path in self.assets.items():
            add(f"assets/{name}", Output(digest(self.site_key, "asset", name), make=path.read_bytes))

    # ----- feeds, bib, sitemap ---------------------------------------------------------------

    def _slugs_key(self, kind: str, *parts: Any, exports: bool = False) -> bytes:
        """The key of an output made from the papers ``parts[-1]``: their whole entries, or with
        ``exports`` only their BibTeX and JSON (a notes edit leaves papers.bib alone)."""
        idents = self._export_idents if exports else self._entry_idents
        return digest(self.site_key, kind, parts[:-1], digest_bytes(map(idents.__getitem__, parts[-1])))

    @functools.cached_property
    def _renderers(self) -> tuple:
        """The installed Markdown and MathML converters and sanitiser, and what the sanitiser
        allows: fragments are remade when any of them changes."""
        from generator.site.sanitize import policy_key

        return installed_key(("markdown", "latex2mathml", "nh3")), policy_key()

    @functools.cached_property
    def _row_keys(self) -> dict[str, bytes]:
        return {s: r.row_key for s, r in self.records.items()}

    @functools.cached_property
    def _entry_idents(self) -> dict[str, bytes]:
        return {s: s.encode() + b"\0" + r.digest for s, r in self.records.items()}

    @functools.cached_property
    def _export_idents(self) -> dict[str, bytes]:
        return {s: s.encode() + b"\0" + r.export_key for s, r in self.records.items()}

    @functools.cached_property
    def _structure(self) -> Structure:
        """What follows from the papers' dates, tags and statuses alone: the feeds' papers and
        the stats. Kept in ``memo`` and reused while the model stays the same (serve)."""
        remembered = self.memo.get("structure")
        if remembered is not None and remembered[0] is self.model:
            return remembered[1]
        size = self.config.feed_size
        ordered = sorted(self.model.papers, key=lambda p: feed_order(p.added, p.date, p.slug))
        tag_feeds: dict[str, list[str]] = {tag.name: [] for tag in self.model.tags}
        for paper in ordered:
            for tag in paper.tags:
                if len(tag_feeds[tag]) < size:
                    tag_feeds[tag].append(paper.slug)
        statuses = {s: len(self.model.statuses[s]) for s in STATUSES}
        structure = Structure(latest=[p.slug for p in ordered[:size]], tag_feeds=tag_feeds,
                              stats=stats_view(self.model.papers, statuses, STATUS_LABELS))
        self.memo["structure"] = (self.model, structure)
        return structure

    def _feed_maker(self, slugs: list[str], url: str, suffix: str) -> Callable[[], bytes]:
        def make() -> bytes:
            self.preload(slugs)
            items = [feed_item(self._papers[s], d.row, self.urls, "".join(self.fragments(s)))
                     for s, d in zip(slugs, self.derived(slugs), strict=True)]
            return atom_feed(title=self.config.title + suffix, subtitle=self.config.description,
                             home_url=self.urls.absolute(url), feed_url=self.urls.absolute(url + "feed.xml"),
                             language=self.config.language, author=self.config.author, items=items)
        return make

    def _bib_maker(self, slugs: list[str]) -> Callable[[], bytes]:
        return lambda: bib_file(self._texts("bib", slugs))

    def _texts(self, column: str, slugs: Sequence[str]) -> list[str]:
        """The BibTeX or JSON of ``slugs``, without unpickling their rows."""
        stored = dict(self.cache.texts(column, [s for s in slugs if s not in self.new_derived]))
        return [getattr(self.new_derived[s], column) if s in self.new_derived else stored[s] for s in slugs]

    def _sitemap_urls(self) -> list[tuple[str, str]]:
        absolute = self.urls.absolute
        urls = [(absolute(""), ""), (absolute("tags/"), ""), (absolute("stats/"), ""),
                (absolute("search/"), "")]
        for paper in self.model.papers:
            changed = paper.updated or paper.date
            urls.append((absolute(paper.url), changed.isoformat() if changed else ""))
        urls += [(absolute(tag.url), "") for tag in self.model.tags]
        return urls

