"""Machine-readable outputs: papers.json, papers.bib, sitemap.xml, robots.txt."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from html import escape as _escape
from typing import Any

from .entries import ordered_meta

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def json_record(slug: str, url: str, meta: dict[str, Any]) -> str:
    """One paper as a line of papers.json: its front matter (dates as ISO) plus slug and URL."""
    data = {"slug": slug, "url": url}
    for key, value in ordered_meta(meta).items():
        data[key] = value.isoformat() if isinstance(value, dt.date) else value
    return json.dumps(data, ensure_ascii=False, sort_keys=False, default=str)


def papers_json(records: Iterable[str]) -> bytes:
    """A JSON array with one paper per line, so diffs of it stay readable."""
    lines = list(records)
    body = ",\n".join(lines)
    return (f"[\n{body}\n]\n" if lines else "[]\n").encode()


def bib_file(entries: Iterable[str]) -> bytes:
    """Concatenated BibTeX entries, a blank line apart."""
    return "\n".join(entries).encode()


def escape(text: str) -> str:
    """XML character data: &, < and > escaped."""
    return _escape(text, quote=False)


def sitemap(urls: Sequence[tuple[str, str]]) -> bytes:
    """A sitemap of (absolute URL, lastmod ISO date or '') pairs (XML-escaped, one URL a line)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for loc, lastmod in urls:
        stamp = f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod else ""
        lines.append(f"  <url><loc>{escape(loc)}</loc>{stamp}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def robots_txt(sitemap_url: str) -> bytes:
    """Allow everything; point crawlers at the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n".encode()
