"""What a build hands the next one in the same process (``serve``): the site model with the
papers and config it was made from, and the feeds' structure made from that model. Reused
while they are the same; never saved."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from generator.build.facts import EntryFacts
from generator.core.config import Config
from generator.core.entries import STATUSES
from generator.core.partial_dates import is_partial
from generator.site.model import Paper, Site, build_model


class Structure(NamedTuple):
    """The feeds' papers and the stats, as the site's structure decides them."""

    latest: list[str]
    tag_feeds: dict[str, list[str]]
    stats: dict[str, Any]


@dataclass(frozen=True)
class SiteMemo:
    """The site model, the papers and config it was made from, and its feeds' structure once
    a build has worked it out."""

    papers: list[Paper]
    config: Config
    model: Site
    structure: Structure | None = None


def site_model(config: Config, records: dict[str, EntryFacts], previous: SiteMemo | None) -> SiteMemo:
    """The site model, or the previous build's when no paper moved, came, went or was retagged."""
    papers = [facts.paper for facts in records.values()]
    if previous is not None and previous.papers == papers and previous.config == config \
            and _precisions(previous.papers) == _precisions(papers):
        return previous
    return SiteMemo(papers, config, build_model(config, papers))


def _precisions(papers: list[Paper]) -> list[str | None]:
    """How precisely each paper's date is known: ``date: 2017`` equals 2017-01-01 as a date,
    but the stats page counts it apart."""
    return [p.date.text() if is_partial(p.date) else None for p in papers]


def with_structure(memo: SiteMemo) -> SiteMemo:
    """``memo`` with its feeds' structure worked out (kept while the model stays the same)."""
    if memo.structure is not None:
        return memo
    return replace(memo, structure=feed_structure(memo.model, memo.config.feed_size))


def feed_structure(model: Site, size: int) -> Structure:
    """What follows from the papers' dates, tags and statuses alone: the feeds' papers and
    the stats."""
    from generator.site.charts import stats_view
    from generator.site.feeds import feed_order
    from generator.site.views import STATUS_LABELS

    ordered = sorted(model.papers, key=lambda p: feed_order(p.added, p.date, p.slug))
    tag_feeds: dict[str, list[str]] = {tag.name: [] for tag in model.tags}
    for paper in ordered:
        for tag in paper.tags:
            if len(tag_feeds[tag]) < size:
                tag_feeds[tag].append(paper.slug)
    statuses = {s: len(model.statuses[s]) for s in STATUSES}
    return Structure(latest=[p.slug for p in ordered[:size]], tag_feeds=tag_feeds,
                     stats=stats_view(model.papers, statuses, STATUS_LABELS))
