"""How dates are written on the site, in one place: for people, for machines and for sorting.

A date known only to the year or month (``PartialDate``, from ``date: 2017`` or
``date: 2017-12``) is shown as "2017" or "Dec 2017", never as a made-up first day. Where a
format has no room for a partial date (an Atom timestamp, a sort key) it stands for its
first day, which is also how it sorts among the dates of its year or month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.core.partial_dates import PartialDate


def display_date(date: Any) -> str:
    """``14 May 2025`` (no locale, no leading zero), ``Dec 2017`` or ``2017``; empty when unknown."""
    if not isinstance(date, dt.date):
        return ""
    if isinstance(date, PartialDate):
        return f"{date:%b %Y}" if date.month_known else f"{date.year:04d}"
    return f"{date.day} {date:%b %Y}"


def iso(date: Any) -> str:
    """``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` for a partial date (each a valid HTML
    ``datetime``, W3C date and ISO 8601 value); empty when unknown."""
    if isinstance(date, PartialDate):
        return date.text()
    return date.isoformat() if isinstance(date, dt.date) else ""


def sort_key(date: Any) -> str:
    """``YYYY-MM-DD`` for sorting (a partial date as its first day); ``0000-00-00`` when unknown."""
    return dt.date.isoformat(date) if isinstance(date, dt.date) else "0000-00-00"


def slashed(date: Any) -> str:
    """Google Scholar's form: ``2017/12/05``, ``2017/12`` or ``2017``."""
    return iso(date).replace("-", "/")
