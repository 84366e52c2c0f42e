"""Geometry for the stats page's inline SVG bar charts: plain numbers, drawn by the template."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

WIDTH = 720
ROW = 28  # height of one horizontal bar row
LABEL_W = 190  # room for labels left of horizontal bars
COLUMN_H = 180  # plot height of the vertical (per month) chart
MAX_TAGS = 25


def horizontal_chart(title: str, label_name: str, items: Sequence[tuple[str, int]],
                     css: str = "fill-accent") -> dict[str, Any]:
    """Bars left to right, one row per item, value printed after each bar."""
    peak = max((value for _, value in items), default=0) or 1
    span = WIDTH - LABEL_W - 60
    bars = []
    for i, (label, value) in enumerate(items):
        y = i * ROW + 4
        w = round(span * value / peak, 1)
        bars.append({"label": label, "value": value, "x": LABEL_W, "y": y, "w": max(w, 1), "h": ROW - 8,
                     "css": css, "text": str(value), "tx": LABEL_W + w + 6, "ty": y + ROW - 13,
                     "text_css": "value"})
    axis = [{"x": LABEL_W - 8, "y": i * ROW + ROW - 9, "text": _clip(label)}
            for i, (label, _) in enumerate(items)]
    return {"kind": "horizontal", "title": title, "label_name": label_name, "bars": bars,
            "axis": axis, "width": WIDTH, "height": max(len(items) * ROW, ROW),
            "summary": _summary(title, items)}


def month_chart(dates: Sequence[dt.date]) -> dict[str, Any]:
    """Papers per month from the first dated paper to the last, empty months included."""
    counts = Counter((d.year, d.month) for d in dates)
    months = _month_range(min(counts), max(counts)) if counts else []
    items = [(f"{dt.date(y, m, 1):%b %Y}", counts.get((y, m), 0)) for y, m in months]
    peak = max((v for _, v in items), default=0) or 1
    step = (WIDTH - 20) / max(len(items), 1)
    bars, axis = [], []
    for i, ((label, value), (year, month)) in enumerate(zip(items, months, strict=True)):
        h = round(COLUMN_H * value / peak, 1)
        x = round(10 + i * step, 1)
        bars.append({"label": label, "value": value, "x": x, "y": round(20 + COLUMN_H - h, 1),
                     "w": round(max(step - 2, 1), 1), "h": h, "css": "fill-accent",
                     "text": str(value) if value and len(items) <= 40 else "",
                     "tx": round(x + step / 2 - 4, 1), "ty": round(16 + COLUMN_H - h, 1),
                     "text_css": "value"})
        if month == 1 or i == 0:
            axis.append({"x": x, "y": COLUMN_H + 40, "text": str(year)})
    return {"kind": "vertical", "title": "Papers per month", "label_name": "Month", "bars": bars,
            "axis": axis, "width": WIDTH, "height": COLUMN_H + 48,
            "summary": _summary("Papers per month", items)}


def stats_view(papers: Sequence[Any], statuses: dict[str, int], labels: dict[str, str]) -> dict[str, Any]:
    """Everything the stats page shows, from the papers' dates, tags and statuses."""
    dates = [p.date for p in papers if p.date]
    tags = Counter(tag for p in papers for tag in p.tags)
    top = sorted(tags.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:MAX_TAGS]
    status_items = [(labels[s], n) for s, n in statuses.items()]
    return {
        "papers": len(papers),
        "status_counts": [{"label": label, "count": n} for label, n in status_items],
        "status_chart": horizontal_chart("Reading status", "Status", status_items, "fill-status"),
        "month_chart": month_chart(dates),
        "tag_chart": horizontal_chart(
            f"Papers per tag{' (top ' + str(MAX_TAGS) + ')' if len(tags) > MAX_TAGS else ''}",
            "Tag", top),
    }


def _month_range(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months, (year, month) = [], first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _clip(label: str, limit: int = 26) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def _summary(title: str, items: Sequence[tuple[str, int]]) -> str:
    shown = ", ".join(f"{label}: {value}" for label, value in items[:12])
    more = f", and {len(items) - 12} more" if len(items) > 12 else ""
    return f"{title}. {shown}{more}." if items else f"{title}: no data."
