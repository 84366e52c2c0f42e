"""A date known only to the year or month stays so through the build cache and the in-process
memo (it equals its first day as a date, but pages and stats show it apart)."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.build.cache_rows import facts_of, facts_values
from generator.build.facts import EntryFacts
from generator.build.memo import site_model
from generator.core.config import load_config
from generator.core.partial_dates import PartialDate
from generator.site.model import Paper
from tests.conftest import ROOT


@pytest.mark.parametrize("date", [PartialDate(2017), PartialDate(2017, 12), dt.date(2017, 1, 1), None])
def test_cached_facts_keep_how_precisely_a_date_is_known(date):
    paper = Paper("x", "x.md", date, dt.date(2026, 1, 2), None, ("a",), "read")
    back = facts_of(facts_values(EntryFacts((1, 2), b"k", paper))).paper
    assert back == paper and type(back.date) is type(date) and repr(back.date) == repr(date)


def test_the_memo_is_not_reused_when_only_a_dates_precision_changed():
    config = load_config(ROOT)
    full = {"x": EntryFacts((1,), b"k", Paper("x", "x.md", dt.date(2017, 1, 1)))}
    partial = {"x": EntryFacts((1,), b"k", Paper("x", "x.md", PartialDate(2017)))}
    memo = site_model(config, full, None)
    assert site_model(config, full, memo) is memo
    assert site_model(config, partial, memo) is not memo
