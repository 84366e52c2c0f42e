"""Year inference for dates shown without a year (``May 14``) in Hugging Face listings.

In order: the ``--year`` flag; the arXiv ``Created`` date or id of the same
paper; the page's year learnt from the other entries of the same dump; else
today's year (with a warning naming the file).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from generator.core.identifiers import arxiv_id_month
from generator.ingest.records import MonthDay


def closest_year(month_day: MonthDay, anchor: dt.date) -> int | None:
    """The year that puts ``month_day`` nearest to ``anchor`` (a paper's arXiv date)."""
    best = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            distance = abs((dt.date(year, *month_day) - anchor).days)
        except ValueError:  # Feb 29 outside a leap year
            continue
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else None


def anchor_date(created: Iterable[dt.date], arxiv_ids: Iterable[str]) -> dt.date | None:
    """The best-known arXiv date of one paper: its Created date, else its id's month."""
    for date in created:
        return date
    for arxiv_id in arxiv_ids:
        if month := arxiv_id_month(arxiv_id):
            return dt.date(month[0], month[1], 15)
    return None


def page_year(anchored_years: Iterable[int], explicit_years: Iterable[int], today: dt.date) -> int | None:
    """A dump's own year: what its arXiv-anchored yearless dates say, else one past its explicit years.

    Hugging Face omits the year only for dates in the page's own year, so every
    explicit year on the page is earlier than it.
    """
    anchored = Counter(anchored_years)
    if anchored:
        return anchored.most_common(1)[0][0]
    explicit = list(explicit_years)
    if explicit:
        return min(max(explicit) + 1, today.year)
    return None


def with_year(month_day: MonthDay, year: int) -> dt.date | None:
    """``month_day`` in ``year``, or None when that day does not exist (Feb 29)."""
    try:
        return dt.date(year, *month_day)
    except ValueError:
        return None
