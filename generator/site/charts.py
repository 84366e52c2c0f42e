"""The numbers behind the stats page's inline SVG charts; the template draws them.

Every bar carries its share of the largest value (0 to 1), so the SVG scales to any
width while labels and values stay HTML text at the page's size.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

from generator.core.partial_dates import PartialDate
from generator.site.model import Paper

MAX_TAGS = 25
MAX_MONTHS = 600  # the month chart shows at most the last 50 years of dated papers
FIRST_YEAR = 1800  # dates before this, or more than a year ahead, are typos: not charted


def bar_chart(title: str, label_name: str, items: Sequence[tuple[str, int]], css: str) -> dict[str, Any]:
    """One horizontal bar per item."""
    peak = max((value for _, value in items), default=0) or 1
    return {"title": title, "label_name": label_name, "css": css, "peak": peak,
            "bars": [{"label": label, "value": value, "share": round(value / peak, 4)}
                     for label, value in items],
            "summary": _summary(title, items)}


def month_chart(dates: Sequence[dt.date], today: dt.date | None = None) -> dict[str, Any]:
    """Papers per month from the first dated paper to the last, empty months included.

    Implausible dates (before 1800, more than a year after ``today``) are left out and the
    chart ends after MAX_MONTHS months, so one mistyped year cannot make it huge. A date known
    only to its year is in no month: it is left out too, and the summary says how many were
    (there is no year chart to count it in); a date known to the month is in its month.
    """
    last_year = (today or _today()).year + 1
    plausible = [d for d in dates if FIRST_YEAR <= d.year <= last_year]
    counts = Counter((d.year, d.month) for d in plausible if not _year_only(d))
    year_only = len(plausible) - sum(counts.values())
    months = _month_range(min(counts), max(counts))[-MAX_MONTHS:] if counts else []
    items = [(f"{dt.date(y, m, 1):%b %Y}", counts.get((y, m), 0)) for y, m in months]
    chart = bar_chart("Papers per month", "Month", items, "fill-accent")
    for bar, (year, month) in zip(chart["bars"], months, strict=True):
        bar.update(year=year, month=month)
    years: list[dict[str, int]] = []
    for column, (year, _) in enumerate(months, start=1):
        if years and years[-1]["year"] == year:
            years[-1]["span"] += 1
        else:
            years.append({"year": year, "start": column, "span": 1})
    chart.update(columns=len(months), years=years, year_only=year_only)
    if year_only:
        chart["summary"] += f" Not shown: {year_only} paper{'s' * (year_only != 1)} dated only by year."
    return chart


def _year_only(date: dt.date) -> bool:
    """A date known only to its year (``date: 2017``): it belongs to no month."""
    return isinstance(date, PartialDate) and not date.month_known


def _today() -> dt.date:
    """Today, or the day of ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


def stats_view(papers: Sequence[Paper], statuses: dict[str, int], labels: dict[str, str]) -> dict[str, Any]:
    """Everything the stats page shows, from the papers' dates, tags and statuses."""
    tags = Counter(tag for p in papers for tag in p.tags)
    top = sorted(tags.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:MAX_TAGS]
    status_items = [(labels[s], n) for s, n in statuses.items()]
    more = f" (top {MAX_TAGS})" if len(tags) > MAX_TAGS else ""
    return {
        "papers": len(papers),
        "status_counts": [{"label": label, "count": n} for label, n in status_items],
        "status_chart": bar_chart("Reading status", "Status", status_items, "fill-status"),
        "month_chart": month_chart([p.date for p in papers if p.date]),
        "tag_chart": bar_chart(f"Papers per tag{more}", "Tag", top, "fill-accent"),
    }


def _month_range(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months, (year, month) = [], first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _summary(title: str, items: Sequence[tuple[str, int]]) -> str:
    shown = ", ".join(f"{label}: {value}" for label, value in items[:12])
    more = f", and {len(items) - 12} more" if len(items) > 12 else ""
    return f"{title}. {shown}{more}." if items else f"{title}: no data."
