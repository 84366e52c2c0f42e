"""Each paper's summary: its list row, BibTeX and JSON, which list pages, feeds and exports
show. Made again only for entries that changed or were summarised under another site key,
over several processes when there are many; the rest are read from the cache."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.build.cache_rows import CacheRows
from generator.build.facts import EntryFacts, PaperSummary
from generator.build.store import EntryStore
from generator.core.digests import digest
from generator.core.parallel import fork_map, jobs_for
from generator.site.bibtex import bibtex_entry
from generator.site.exports import json_record
from generator.site.model import Paper
from generator.site.people import NO_PEOPLE, People
from generator.site.views import Urls, row_view


@dataclass(frozen=True)
class Summarised:
    """Every entry's facts with their summaries' keys up to date, and the summaries made anew."""

    records: dict[str, EntryFacts]
    summaries: dict[str, PaperSummary]


def summarise(records: dict[str, EntryFacts], site_key: bytes, papers: dict[str, Paper],
              store: EntryStore, urls: Urls, jobs: int, people: People = NO_PEOPLE) -> Summarised:
    """Remake the summaries of entries that changed or were made for another site key (over
    ``jobs`` processes when there are many)."""
    stale = [s for s, facts in records.items() if facts.summary_key != site_key]
    store.preload(stale, fragments=False)

    def make(chunk: Sequence[str]) -> list[tuple[str, PaperSummary, bytes, bytes]]:
        made = []
        for slug in chunk:
            paper, meta = papers[slug], store.entry(slug).meta
            row = row_view(paper, meta, urls, people)
            url = urls.absolute(paper.url)
            summary = PaperSummary(row, bibtex_entry(slug, meta, url), json_record(slug, url, meta))
            made.append((slug, summary, digest(row), digest(summary.bib, summary.json)))
        return made

    updated, summaries = dict(records), {}
    for part in fork_map(make, stale, jobs_for(len(stale), jobs)):
        for slug, summary, row_key, export_key in part:
            summaries[slug] = summary
            updated[slug] = updated[slug]._replace(summary_key=site_key, row_key=row_key,
                                                   export_key=export_key)
    return Summarised(updated, summaries)


class Summaries:
    """The summaries of papers: made by this build, else read from the cache (once)."""

    def __init__(self, new: dict[str, PaperSummary], rows: CacheRows) -> None:
        self.new = new
        self._rows = rows
        self._stored: dict[str, PaperSummary] = {}

    def of(self, slugs: Sequence[str]) -> list[PaperSummary]:
        """The summaries of ``slugs``, in order."""
        missing = [s for s in slugs if s not in self.new and s not in self._stored]
        self._stored.update(self._rows.summaries(missing))
        return [self.new.get(s) or self._stored[s] for s in slugs]

    def texts(self, column: str, slugs: Sequence[str]) -> list[str]:
        """The BibTeX or JSON of ``slugs``, without unpickling their rows."""
        stored = dict(self._rows.texts(column, [s for s in slugs if s not in self.new]))
        return [getattr(self.new[s], column) if s in self.new else stored[s] for s in slugs]
