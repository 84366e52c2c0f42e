"""Atom feeds (feedgen): the newest papers by when they were added, then by date.

Feed text comes from entries and dumps: every string is stripped of the control characters XML
forbids (lxml would refuse the whole feed), and entry content passes the sanitising boundary
like the pages' fragments. Atom needs full timestamps: a date known only to the year or
month (``PartialDate``) stands for its first day, at midnight UTC like every date here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from generator import __version__
from generator.site.model import UNDATED
from generator.site.sanitize import clean_html, strip_control

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def feed_order(added: dt.date | None, date: dt.date | None, slug: str) -> tuple:
    """Newest added first, then newest date, then slug: a stable order."""
    return (-(added or UNDATED).toordinal(), -(date or UNDATED).toordinal(), slug)


def _moment(date: dt.date | None) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc) if date else EPOCH


def atom_feed(*, title: str, subtitle: str, home_url: str, feed_url: str, language: str,
              author: str, items: Sequence[dict[str, Any]]) -> bytes:
    """An Atom document for ``items`` (already ordered and cut to size).

    Each item: slug, url, title, added, date, html (the entry content), summary, tags.
    """
    from feedgen.feed import FeedGenerator  # lxml loads only when a feed is written

    title, subtitle, author = strip_control(title), strip_control(subtitle), strip_control(author)
    feed = FeedGenerator()
    feed.id(home_url)
    feed.title(title)
    feed.subtitle(subtitle or title)
    feed.link(href=home_url, rel="alternate")
    feed.link(href=feed_url, rel="self")
    feed.language(language)
    feed.author({"name": author or title})
    feed.generator("papershelf", __version__)
    latest = max((max(_moment(i["added"]), _moment(i["date"])) for i in items), default=EPOCH)
    feed.updated(latest)
    for item in items:
        entry = feed.add_entry(order="append")
        entry.id(item["url"])
        entry.title(strip_control(item["title"]) or item["slug"])
        entry.link(href=item["url"], rel="alternate")
        entry.published(_moment(item["date"] or item["added"]))
        entry.updated(max(_moment(item["added"]), _moment(item["date"])))
        entry.summary(strip_control(item["summary"]))
        entry.content(clean_html(item["html"]), type="html")
        for tag in item["tags"]:
            entry.category(term=strip_control(tag))
    return feed.atom_str(pretty=True)
