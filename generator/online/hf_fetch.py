"""``papershelf fetch hf-daily``: keep a period's Hugging Face daily papers as a dump.

The API's answer is saved as it came, as ``content/sources/hf-daily-<period>.json``
(``2025-05-14``, ``2025-W20``, ``2025-05``): the dumps stay the source of truth, so a
later ``make build`` imports it again without the network. A file already saved is not
fetched again unless asked (``refresh``); an answer that does not parse as a dump, or
that lists no paper, is not saved. The import itself is the ``import`` command's.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.core.config import Config
from generator.core.errors import DumpError, PapershelfError, display_path
from generator.core.library import write_atomic_bytes
from generator.online.hf_client import HfClient, HfError, HfSettings

_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Period:
    """The day, ISO week or month asked for: ``kind`` is the API's parameter."""

    kind: str  # date | week | month
    value: str

    @property
    def file_name(self) -> str:
        """The dump's name in content/sources/."""
        return f"hf-daily-{self.value}.json"


def utc_today(environ: Mapping[str, str]) -> dt.date:
    """Today in UTC (the API's days are UTC days), or the day of ``SOURCE_DATE_EPOCH``."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.datetime.now(dt.timezone.utc).date()


def period_of(day: str | None, week: str | None, month: str | None, today: dt.date) -> Period:
    """The period of ``DATE``, ``--week`` or ``--month`` (at most one); today by default."""
    given = [(kind, value) for kind, value in (("date", day), ("week", week), ("month", month)) if value]
    if len(given) > 1:
        raise PapershelfError("give one of DATE, --week and --month",
                              hint="e.g. papershelf fetch hf-daily --week 2025-W20")
    kind, value = given[0] if given else ("date", today.isoformat())
    value = value.strip()
    if kind == "date":
        try:
            return Period(kind, dt.date.fromisoformat(value).isoformat())
        except ValueError:
            raise PapershelfError(f"{value!r} is not a date",
                                  hint="write it YYYY-MM-DD, e.g. 2025-05-14") from None
    pattern, example = (_WEEK, "2025-W20") if kind == "week" else (_MONTH, "2025-05")
    match = pattern.fullmatch(value)
    if match is None or not _valid(kind, int(match[1]), int(match[2])):
        shape = "YYYY-Www" if kind == "week" else "YYYY-MM"
        raise PapershelfError(f"{value!r} is not a {kind}", hint=f"write it {shape}, e.g. {example}")
    return Period(kind, value)


def _valid(kind: str, year: int, number: int) -> bool:
    if kind == "month":
        return 1 <= number <= 12 and year >= 1
    try:
        dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Fetched:
    """What a fetch did: ``kept`` (already saved), ``saved``, ``unchanged`` or ``empty``."""

    path: Path
    outcome: str
    papers: int = 0

    def message(self, period: Period) -> str:
        """One line for the terminal."""
        name = display_path(self.path)
        return {
            "kept": f"{name} is already saved; importing it (--refresh fetches it again)",
            "saved": f"saved {self.papers} paper{'s' * (self.papers != 1)} as {name}",
            "unchanged": f"{name} is unchanged ({self.papers} paper{'s' * (self.papers != 1)})",
            "empty": f"no paper is listed for {period.value}; nothing saved",
        }[self.outcome]


def fetch_daily(config: Config, period: Period, settings: HfSettings, refresh: bool = False) -> Fetched:
    """Save the period's daily papers in content/sources/ unless already there (or ``refresh``)."""
    path = config.sources_dir / period.file_name
    if path.exists() and not refresh:
        return Fetched(path, "kept")
    answer = HfClient(settings).daily_papers({period.kind: period.value})
    if answer.items == 0:
        return Fetched(path, "empty")
    papers = _papers_in(answer.body, path.name, settings)
    if path.exists() and path.read_bytes() == answer.body:
        return Fetched(path, "unchanged", papers)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic_bytes(path, answer.body)
    return Fetched(path, "saved", papers)


def _papers_in(body: bytes, name: str, settings: HfSettings) -> int:
    """How many papers the answer holds, read exactly as ``import`` will read the saved file;
    an HfError when it would not import (nothing is saved then)."""
    from generator.ingest.sources import parse_dump

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / name
        copy.write_bytes(body)
        try:
            return len(parse_dump(copy, "hf-json").records)
        except DumpError as exc:
            raise HfError(f"malformed answer from the Hugging Face API at {settings.host} "
                          f"({exc.message}); nothing saved", hint="try again later") from exc
