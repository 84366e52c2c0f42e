"""Machine-readable outputs: papers.json, papers.bib, sitemap.xml, robots.txt."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from html import escape as _escape
from typing import Any

from generator.core.entries import ordered_meta
from generator.site.bibtex import unique_keys
from generator.site.dates import iso

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def json_record(slug: str, url: str, meta: dict[str, Any]) -> str:
    """One paper as a line of papers.json: its front matter (dates as ISO: ``2017-12-05``, or
    ``2017-12`` / ``2017`` for a date known only to the month or year) plus slug and URL."""
    data = {"slug": slug, "url": url}
    for key, value in ordered_meta(meta).items():
        data[key] = iso(value) if isinstance(value, dt.date) else value
    return json.dumps(data, ensure_ascii=False, sort_keys=False, default=str)


CHUNK = 500  # records per piece of a big file: they are written as they are made


def papers_json(records: Sequence[str],
                related: Sequence[Sequence[tuple[str, float]]] = ()) -> Iterator[bytes]:
    """A JSON array with one paper per line (so diffs of it stay readable), in pieces; with
    ``related`` (each record's related papers as (slug, score) pairs) each record ends with
    ``"related": [{"slug": ..., "score": ...}, ...]``."""
    if not records:
        yield b"[]\n"
        return
    if related:
        records = [with_related(record, items) for record, items in zip(records, related, strict=True)]
    yield b"[\n"
    for start in range(0, len(records), CHUNK):
        separator = ",\n" if start else ""
        yield (separator + ",\n".join(records[start:start + CHUNK])).encode()
    yield b"\n]\n"


def with_related(record: str, items: Sequence[tuple[str, float]]) -> str:
    """One line of papers.json (a JSON object) with its related papers added last."""
    listed = json.dumps([{"slug": slug, "score": score} for slug, score in items], ensure_ascii=False)
    return f'{record[:-1]}, "related": {listed}}}'


def bib_file(entries: Sequence[str], slugs: Sequence[str] | None = None) -> Iterator[bytes]:
    """Concatenated BibTeX entries, a blank line apart, in pieces; with the papers' ``slugs``,
    a citation key repeated by two entries is made unique (``bibtex.unique_keys``)."""
    if slugs is not None:
        entries = list(unique_keys(entries, slugs))
    for start in range(0, len(entries), CHUNK):
        yield (("\n" if start else "") + "\n".join(entries[start:start + CHUNK])).encode()


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


def robots_txt(sitemap_url: str = "") -> bytes:
    """Allow everything; point crawlers at the sitemap when there is one."""
    return ("User-agent: *\nAllow: /\n" + (f"\nSitemap: {sitemap_url}\n" if sitemap_url else "")).encode()
