"""The plain dicts templates see: papers, list rows, tags. Templates never get model objects.

Each view is a pure function of its inputs, so the build can tell from a view's
inputs alone whether a page must be rendered again. Text from entries is handed on without the
control characters XML forbids (Jinja escapes markup, not those); the HTML fragments come
already sanitised (``sanitize.clean_html``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from generator.site.bibtex import bibtex_entry
from generator.site.citation import doi_of, doi_url, outside_links, scholar_venue
from generator.site.dates import display_date, iso, sort_key
from generator.site.markup import plain_text, teaser
from generator.site.model import Paper, Tag, tag_slug
from generator.site.people import NO_PEOPLE, Author, Org, People, initial
from generator.site.sanitize import strip_control

_URL_PATH = re.compile(r"[A-Za-z0-9._~/-]*")  # needs no percent-encoding


@functools.lru_cache(maxsize=1 << 16)
def _url_path(path: str) -> str:
    """``path`` percent-encoded where a URL needs it (remembered: every page links the same
    few thousand paths)."""
    return path if _URL_PATH.fullmatch(path) else quote(path, safe="/")

STATUS_LABELS = {"to-read": "To read", "reading": "Reading", "read": "Read"}
ROW_AUTHORS = 3  # a list row names this many authors, then "and N more"


@dataclass(frozen=True)
class Urls:
    """Turns site-relative paths into links under the base URL, and absolute URLs."""

    base_path: str
    origin: str

    @classmethod
    def from_base(cls, base_url: str) -> Urls:
        """``https://u.github.io/repo/`` -> origin ``https://u.github.io``, path ``/repo/``."""
        parts = urlsplit(base_url)
        path = parts.path if parts.path.startswith("/") else "/" + parts.path
        path = path if path.endswith("/") else path + "/"
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
        return cls(base_path=path, origin=origin)

    def link(self, path: str) -> str:
        """A root-relative link under the base: ``papers/x/`` -> ``/repo/papers/x/``. A path
        from a hand-chosen file name (``a?b#c``, ``café``) is percent-encoded, so that the link
        reaches its page instead of ending at a ``?`` or ``#``."""
        return self.base_path + _url_path(path)

    def absolute(self, path: str) -> str:
        """A full URL when the base has a host, else the root-relative link."""
        return self.origin + self.link(path)


def _text(value: Any) -> Any:
    return strip_control(value) if isinstance(value, str) else value


def _texts(values: Any) -> list:
    return [_text(v) for v in values or []]


def heading(meta: dict[str, Any], slug: str) -> tuple[str, str]:
    """A title for every paper: its title, else ``arXiv:ID`` with the abstract's first sentence."""
    title = _text(meta.get("title"))
    if title:
        return title, ""
    first = plain_text(meta.get("abstract") or "").split(". ")[0]
    first = first if len(first) <= 200 else teaser(first, 200)
    name = f"arXiv:{meta['arxiv']}" if meta.get("arxiv") else slug
    return name, (first.rstrip(".") + "." if first else "")


def paper_links(meta: dict[str, Any]) -> list[dict[str, str]]:
    """Where to read the paper: arXiv abstract, PDF, HTML, Hugging Face; else a title search."""
    if arxiv := meta.get("arxiv"):
        return [
            {"kind": "abs", "label": "arXiv abstract", "href": f"https://arxiv.org/abs/{arxiv}"},
            {"kind": "pdf", "label": "PDF", "href": f"https://arxiv.org/pdf/{arxiv}"},
            {"kind": "html", "label": "HTML", "href": f"https://arxiv.org/html/{arxiv}"},
            {"kind": "hf", "label": "Hugging Face", "href": f"https://huggingface.co/papers/{arxiv}"},
        ]
    query = quote_plus(meta.get("title") or "")
    if not query:
        return []
    return [
        {"kind": "search", "label": "Find on arXiv",
         "href": f"https://arxiv.org/search/?query={query}&searchtype=title"},
        {"kind": "hf-search", "label": "Find on Hugging Face",
         "href": f"https://huggingface.co/papers?q={query}"},
    ]


def tag_refs(names: list[str], urls: Urls) -> list[dict[str, str]]:
    """Tags as links to their pages."""
    return [{"name": _text(name), "url": urls.link(f"tags/{tag_slug(name)}/")} for name in names]


def row_view(paper: Paper, meta: dict[str, Any], urls: Urls, people: People = NO_PEOPLE) -> dict[str, Any]:
    """A paper as one row of a list page."""
    title, subtitle = heading(meta, paper.slug)
    return {
        **people_refs(paper, meta, urls, people, ROW_AUTHORS),
        "url": urls.link(paper.url), "title": title, "subtitle": subtitle,
        "date": iso(meta.get("date")), "date_display": display_date(meta.get("date")),
        "org": _text(meta.get("org") or ""), "tags": tag_refs(list(paper.tags), urls),
        "status": paper.status, "status_label": STATUS_LABELS.get(paper.status, paper.status),
        "upvotes": meta.get("upvotes"), "rating": meta.get("rating"),
        "teaser": teaser(meta.get("abstract") or ""), "arxiv": meta.get("arxiv") or "",
    }


def paper_view(paper: Paper, meta: dict[str, Any], urls: Urls, abstract_html: str,
               notes_html: str, row: dict[str, Any] | None = None,
               people: People = NO_PEOPLE) -> dict[str, Any]:
    """Everything a paper page shows; the HTML fragments (and its list row) come pre-rendered."""
    row = row or row_view(paper, meta, urls, people)
    authors = _texts(meta.get("authors"))
    return {
        **row, **citing_view(meta), **people_refs(paper, meta, urls, people, None),
        "slug": paper.slug, "abs_url": urls.absolute(paper.url),
        "updated": iso(meta.get("updated")), "updated_display": display_date(meta.get("updated")),
        "added": iso(meta.get("added")), "added_display": display_date(meta.get("added")),
        "year": meta["date"].year if meta.get("date") else None,
        "org_handle": _text(meta.get("org_handle") or ""),
        "authors": authors,
        "categories": _texts(meta.get("categories")),
        "comment": _text(meta.get("comment") or ""), "sources": _texts(meta.get("sources")),
        "abstract_html": abstract_html, "notes_html": notes_html,
        "description": teaser(meta.get("abstract") or "", 200),
        "bibtex": strip_control(bibtex_entry(paper.slug, meta, urls.absolute(paper.url))),
    }


def citing_view(meta: dict[str, Any]) -> dict[str, Any]:
    """What a paper page shows beyond arXiv, and how it sorts: links (arXiv's first for arXiv
    papers, else the DOI and the paper's own URL first), venue, DOI (linked only when it has a
    DOI's shape) and Google Scholar's venue tag."""
    outside, arxiv_links = outside_links(meta), paper_links(meta)
    doi = _text(meta["doi"]).strip() if isinstance(meta.get("doi"), str) else ""
    venue = " ".join(_text(meta["venue"]).split()) if isinstance(meta.get("venue"), str) else ""
    return {
        "links": arxiv_links + outside if meta.get("arxiv") else outside + arxiv_links,
        "venue": venue, "scholar": scholar_venue(venue), "date_sort": sort_key(meta.get("date")),
        "doi": doi_of(doi) or doi, "doi_url": doi_url(doi_of(doi)) if doi_of(doi) else "",
    }


def feed_item(paper: Paper, row: dict[str, Any], urls: Urls, html: str) -> dict[str, Any]:
    """A paper as an Atom entry."""
    return {"slug": paper.slug, "url": urls.absolute(paper.url), "title": row["title"],
            "added": paper.added, "date": paper.date, "summary": row["teaser"], "html": html,
            "tags": list(paper.tags)}


def tag_view(tag: Tag, urls: Urls) -> dict[str, Any]:
    """A tag with its link and paper count."""
    return {"name": _text(tag.name), "url": urls.link(tag.url), "count": len(tag.papers),
            "feed": urls.link(f"{tag.url}feed.xml"), "bib": urls.link(f"{tag.url}papers.bib")}


# ----- authors and organisations ------------------------------------------------------------


def people_refs(paper: Paper, meta: dict[str, Any], urls: Urls, people: People, most: int | None
                ) -> dict[str, Any]:
    """A paper's authors as links (the first ``most``, or all), how many there are, and its
    organisation's page and Hugging Face address."""
    names = paper.authors[:most] if most is not None else paper.authors
    count = meta.get("authors_count") if isinstance(meta.get("authors_count"), int) else None
    handle = paper.org_handle
    return {
        "author_refs": [{"name": _text(n), "url": urls.link(people.author_url(n))} for n in names],
        "authors_more": len(paper.authors) - len(names),
        "authors_count": count or len(paper.authors) or None,
        "org_url": urls.link(people.org_url(handle)) if handle else "",
        "org_hf": f"https://huggingface.co/{quote(handle, safe='')}" if handle else "",
    }


def author_index(authors: tuple[Author, ...], urls: Urls) -> list[dict[str, Any]]:
    """Every author with its link and paper count, grouped by initial letter (``#`` last)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for author in authors:
        groups.setdefault(initial(author.name), []).append(
            {"name": _text(author.name), "url": urls.link(author.url), "count": len(author.papers)})
    return [{"letter": letter, "anchor": "letter-" + ("other" if letter == "#" else letter.lower()),
             "authors": members} for letter, members in groups.items()]


def author_view(author: Author, urls: Urls) -> dict[str, Any]:
    """An author with the link of their page and feed, and their paper count."""
    return {"name": _text(author.name), "url": urls.link(author.url), "count": len(author.papers),
            "feed": urls.link(f"{author.url}feed.xml")}


def org_view(org: Org, urls: Urls) -> dict[str, Any]:
    """An organisation with its page, its Hugging Face address and its paper count."""
    return {"name": _text(org.name), "handle": _text(org.handle), "url": urls.link(org.url),
            "count": len(org.papers), "hf": f"https://huggingface.co/{quote(org.handle, safe='')}"}


def top_people(authors: tuple[Author, ...], orgs: tuple[Org, ...], urls: Urls, size: int = 10
               ) -> dict[str, list[dict[str, Any]]]:
    """The authors and organisations with the most papers (ties alphabetical), for the stats page."""
    most = sorted(authors, key=lambda a: -len(a.papers))[:size]  # stable: alphabetical within a count
    top_orgs = sorted(orgs, key=lambda o: -len(o.papers))[:size]
    return {"authors": [author_view(a, urls) for a in most], "orgs": [org_view(o, urls) for o in top_orgs]}
