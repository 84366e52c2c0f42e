"""Dates known only to the year or the month (``2017``, ``2017-12``), as BibTeX often gives them.

A ``PartialDate`` *is* a ``datetime.date`` (the first day of its year or month), so every
page sorts, groups and filters it like any date; only what is written and shown differs:
the entry keeps ``date: 2017`` or ``date: 2017-12``, pages show "2017" or "Dec 2017".
A full date is more precise than a partial one of the same period and may replace it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_YEAR_MONTH = re.compile(r"\A(\d{4})(?:-(\d{2}))?\Z")
YEARS = range(1000, 10000)


class PartialDate(dt.date):
    """The first day of a year (``month`` None) or of a month, remembered as that period."""

    __slots__ = ("month_known",)

    def __new__(cls, year: int, month: int | None = None) -> PartialDate:
        self = super().__new__(cls, year, month or 1, 1)
        self.month_known = month is not None
        return self

    def __reduce__(self) -> tuple:
        return (type(self), (self.year, self.month if self.month_known else None))

    def __repr__(self) -> str:
        return f"PartialDate({self.text()!r})"

    def text(self) -> str:
        """As written in an entry: ``2017`` or ``2017-12``."""
        return f"{self.year:04d}-{self.month:02d}" if self.month_known else f"{self.year:04d}"

    def yaml_value(self) -> int | str:
        """The YAML scalar an entry holds: the year as a number, a month as ``YYYY-MM`` text."""
        return self.text() if self.month_known else self.year


def is_partial(value: Any) -> bool:
    """A date known only to the year or month."""
    return isinstance(value, PartialDate)


def partial_date(value: Any) -> PartialDate | None:
    """``2017``, ``"2017"`` or ``"2017-12"`` as a PartialDate; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return PartialDate(value) if value in YEARS else None
    if not isinstance(value, str):
        return None
    match = _YEAR_MONTH.match(value.strip())
    if not match or int(match[1]) not in YEARS:
        return None
    month = int(match[2]) if match[2] else None
    if month is not None and not 1 <= month <= 12:
        return None
    return PartialDate(int(match[1]), month)


def more_precise(old: Any, new: Any) -> bool:
    """Whether ``new`` (a full date, or a month for a year) refines ``old`` of the same period."""
    if not is_partial(old) or not isinstance(new, dt.date):
        return False
    if new.year != old.year or (old.month_known and new.month != old.month):
        return False
    return not is_partial(new) or (new.month_known and not old.month_known)
