"""The site's pages and files as bytes: the context every page shares, Jinja rendering of
paper, list, tag, stats and search pages, and the feeds, BibTeX, JSON and sitemap. Imported
only when a build has something to render (Jinja, Markdown and friends load with it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import __version__
from generator.build.related_lists import RelatedLists
from generator.build.store import EntryStore
from generator.build.summaries import Summaries
from generator.core.config import Config
from generator.core.digests import digest
from generator.site.dates import iso
from generator.site.exports import bib_file, papers_json, robots_txt, sitemap
from generator.site.feeds import atom_feed
from generator.site.model import ListPage, Site
from generator.site.templates import make_environment, render
from generator.site.theme import Theme
from generator.site.views import Urls, feed_item, paper_view

if TYPE_CHECKING:
    from generator.build.facts import Output

Make = Callable[[], bytes | Iterator[bytes]]


class Pages:
    """Renders the outputs of one build; holds the Jinja environment and the site context."""

    def __init__(self, config: Config, theme: Theme, urls: Urls, model: Site, store: EntryStore,
                 summaries: Summaries, related: RelatedLists | None = None) -> None:
        self.config, self.urls, self.model = config, urls, model
        self.store, self.summaries = store, summaries
        self.related = related or RelatedLists({}, b"")
        self.env = make_environment(theme, config.cache_dir / "templates")
        self.assets = theme.assets()
        self.site = self._site_context()
        self._papers = {p.slug: p for p in model.papers}

    def _site_context(self) -> dict[str, Any]:
        link = self.urls.link
        versions = {name: digest(path.read_bytes()).hex()[:10] for name, path in self.assets.items()}
        return {
            "title": self.config.title, "description": self.config.description,
            "author": self.config.author, "language": self.config.language,
            "base": self.urls.base_path, "home": link(""), "tags_url": link("tags/"),
            "stats_url": link("stats/"), "search_url": link("search/"),
            "authors_url": link("authors/"), "orgs_url": link("orgs/"),
            "feed_url": link("feed.xml"), "bib_url": link("papers.bib"), "json_url": link("papers.json"),
            "pagefind_url": link("pagefind/"),
            "assets": {name: f"{link('assets/' + name)}?v={v}" for name, v in versions.items()},
            "generator": f"papershelf {__version__}",
        }

    def page(self, *, title: str, url: str, kind: str, section: str, description: str = "",
             og_type: str = "website", **extra: Any) -> dict[str, Any]:
        """The context of one page (``page`` in templates)."""
        return {"title": title, "description": description or self.config.description,
                "canonical": self.urls.absolute(url), "kind": kind, "section": section,
                "og_url": self.urls.absolute(url) if self.urls.origin else "",  # only ever absolute
                "og_type": og_type, "number": 1, "status": "", **extra}

    def html(self, template: str, **context: Any) -> bytes:
        """A template rendered with the site context."""
        return render(self.env, template, {"site": self.site, **context}).encode("utf-8")

    # ----- paper pages ----------------------------------------------------------------------

    def paper_page(self, slug: str) -> bytes:
        """One paper page."""
        paper = self._papers[slug]
        made = self.summaries.new.get(slug)
        view = paper_view(paper, self.store.entry(slug).meta, self.urls, *self.store.fragments(slug),
                          row=made.row if made else None, people=self.model.people)
        page = self.page(title=view["title"], url=paper.url, kind="paper", section="papers",
                         description=view["description"] or self.config.description, og_type="article")
        return self.html("paper.html", page=page, paper=view, related=self.related_view(slug))

    def related_view(self, slug: str) -> list[dict[str, Any]]:
        """The related papers a paper page lists: link and title."""
        items = self.related.lists.get(slug, ())
        rows = [s.row for s in self.summaries.of([r.slug for r in items])]
        return [{"url": row["url"], "title": row["title"]}
                for r, row in zip(items, rows, strict=True)]

    def output(self, output: Output) -> bytes | Iterator[bytes]:
        """The bytes of one output: a paper page, or what its maker makes."""
        return self.paper_page(output.slug) if output.slug else output.make()

    def prepare(self, slugs: Iterable[str]) -> None:
        """Read from the cache, in batches, what rendering ``slugs`` and every list needs, before
        render workers start (they never touch this process's database connection)."""
        self.store.preload(slugs)
        self.summaries.of(list(self._papers))

    def papers_in_memory(self, slugs: Sequence[str]) -> dict[str, bytes]:
        """Render paper pages without writing them."""
        self.store.preload(slugs)
        return {slug: self.paper_page(slug) for slug in slugs}

    # ----- makers of the other outputs ------------------------------------------------------

    def list_page(self, template: str, page: ListPage, slugs: list[str], pager: dict[str, Any],
                  info: dict[str, str], extra: dict[str, Any]) -> Make:
        """One page of a paginated list; ``info`` describes the page, ``extra`` is context."""
        def make() -> bytes:
            rows = [s.row for s in self.summaries.of(slugs)]
            heading = info["heading"]
            title = heading if page.number == 1 else f"{heading} (page {page.number})"
            context = self.page(title=title, url=page.url, kind=info["kind"], section=info["section"],
                                number=page.number, heading=heading, lede=info["lede"],
                                status=info.get("status", ""), description=info["lede"])
            return self.html(template, page=context, rows=rows, pager=pager, **extra)
        return make

    def simple_page(self, template: str, title: str, url: str, kind: str, section: str,
                    description: str = "", **context: Any) -> Make:
        """A page of its own (tags, stats, search, not found)."""
        return lambda: self.html(template, **context, page=self.page(
            title=title, url=url, kind=kind, section=section, description=description))

    def feed(self, slugs: list[str], url: str, suffix: str) -> Make:
        """The Atom feed of ``slugs`` (the whole site's at ``url`` "", a tag's at its page)."""
        def make() -> bytes:
            self.store.preload(slugs)
            items = [feed_item(self._papers[s], summary.row, self.urls, "".join(self.store.fragments(s)))
                     for s, summary in zip(slugs, self.summaries.of(slugs), strict=True)]
            return atom_feed(title=self.config.title + suffix, subtitle=self.config.description,
                             home_url=self.urls.absolute(url), feed_url=self.urls.absolute(url + "feed.xml"),
                             language=self.config.language, author=self.config.author, items=items)
        return make

    def bib(self, slugs: list[str]) -> Make:
        return lambda: bib_file(self.summaries.texts("bib", slugs), slugs)

    def json(self, slugs: list[str]) -> Make:
        return lambda: papers_json(self.summaries.texts("json", slugs),
                                   [self.related.lists.get(s, ()) for s in slugs])

    def sitemap(self) -> Make:
        return lambda: sitemap(self._sitemap_urls())

    def _sitemap_urls(self) -> list[tuple[str, str]]:
        absolute = self.urls.absolute
        urls = [(absolute(""), ""), (absolute("tags/"), ""), (absolute("stats/"), ""),
                (absolute("search/"), "")]
        for paper in self.model.papers:
            # the page changes when its entry is updated or added, not when the paper was published
            urls.append((absolute(paper.url), iso(paper.updated or paper.added or paper.date)))
        urls += [(absolute(tag.url), "") for tag in self.model.tags]
        urls += [(absolute(page), "") for page in ("authors/", "orgs/")]
        urls += [(absolute(item.url), "") for item in (*self.model.authors, *self.model.orgs)]
        return urls

    def robots(self, sitemap_url: str) -> Make:
        return lambda: robots_txt(sitemap_url)

    @staticmethod
    def asset(path: Path) -> Make:
        return path.read_bytes
