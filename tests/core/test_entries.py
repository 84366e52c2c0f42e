"""Entry files: byte-exact round trips, safe quoting, atomic writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.core.entries import Entry, format_entry, parse_entry
from generator.core.errors import EntryError
from generator.core.library import save_entry

TRICKY_TITLES = [
    "Plain title", "Colon: subtitle", "'Single' and \"double\" quotes", "--- leading dashes",
    "# not a comment", "Ünïcödé, 中文 and emoji 🚀", "- starts like a list", "yes", "null",
    "2505.09343", "title with trailing colon:", "@at sign", "{braces} [brackets]", "a\\b",
]


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_tricky_titles_round_trip(title):
    entry = Entry("x", {"title": title, "arxiv": "2505.09343", "date": dt.date(2025, 5, 14)}, "")
    text = format_entry(entry)
    assert parse_entry(text, Path("x.md")) == entry
    assert text.startswith("---\ntitle: ")
    assert text.count("\n---\n") == 1


def test_keys_are_written_in_schema_order_and_unknown_keys_kept_after():
    meta = {"abstract": "A.", "my_venue": "ICML", "status": "read", "title": "T", "tags": ["b", "a"],
            "arxiv": "2401.00001", "rating": 4, "sources": ["x.txt"]}
    text = format_entry(Entry("x", meta, "notes\n"))
    front = text.split("---\n")[1]
    keys = [line.split(":")[0] for line in front.splitlines() if line and line[0].isalpha()]
    assert keys == ["title", "arxiv", "tags", "status", "rating", "sources", "my_venue", "abstract"]
    assert "tags: [b, a]\n" in text


def test_abstract_is_a_folded_block_scalar():
    text = format_entry(Entry("x", {"abstract": "word " * 60 + "end."}, ""))
    assert "abstract: >-\n  word word" in text


notes = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300) | st.sampled_from(
    ["", "\n", "---\n", "---\nnot front matter\n---\n", "trailing  \n\n\n", "\r\nwindows\r\n",
     "# Heading\n\n- item\n\n```\ncode\n```\n"])
scalars = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                  max_size=120).filter(lambda s: s.strip() == s and s)


@settings(max_examples=200, deadline=None)
@given(title=scalars, abstract=scalars, body=notes,
       tags=st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True), max_size=4),
       rating=st.integers(1, 5), status=st.sampled_from(["to-read", "reading", "read"]))
def test_round_trip_is_exact(title, abstract, body, tags, rating, status):
    entry = Entry("x", {"title": title, "tags": tags, "status": status, "rating": rating,
                        "abstract": abstract, "added": dt.date(2026, 1, 2)}, body)
    if not tags:
        del entry.meta["tags"]
    text = format_entry(entry)
    again = parse_entry(text, Path("x.md"))
    assert again == entry
    assert format_entry(again) == text


def test_errors_name_file_and_line(tmp_path):
    with pytest.raises(EntryError) as caught:
        parse_entry("---\ntitle: ok\ntags: [a, b\n---\n", tmp_path / "bad.md")
    assert caught.value.line == 3 and caught.value.column is not None
    with pytest.raises(EntryError, match="no front matter"):
        parse_entry("title: no fences\n", tmp_path / "bad.md")
    with pytest.raises(EntryError, match="not closed"):
        parse_entry("---\ntitle: x\n", tmp_path / "bad.md")


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    entry = Entry("paper", {"title": "T"}, "notes\n")
    save_entry(tmp_path, entry)
    before = (tmp_path / "paper.md").read_bytes()

    def explode(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", explode)
    with pytest.raises(OSError):
        save_entry(tmp_path, Entry("paper", {"title": "Changed"}, "other\n"))
    assert (tmp_path / "paper.md").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["paper.md"]


@pytest.mark.parametrize(("written", "shown"),
                         [("2017", "2017"), ("2017-12", "2017-12"), ("'2017-12'", "2017-12")])
def test_a_year_or_month_date_reads_as_a_partial_date_and_is_written_back_as_it_was(written, shown):
    from generator.core.partial_dates import PartialDate

    entry = parse_entry(f"---\ntitle: T\ndate: {written}\n---\n", Path("x.md"))
    assert isinstance(entry.meta["date"], PartialDate) and entry.meta["date"].text() == shown
    assert f"\ndate: {shown}\n" in format_entry(entry)
    assert parse_entry(format_entry(entry), Path("x.md")) == entry


@pytest.mark.parametrize("written", ["2017-13", "99", "12345", "2017-1"])
def test_what_is_not_a_year_or_month_stays_as_written_for_check_to_report(written):
    entry = parse_entry(f"---\ntitle: T\ndate: {written}\n---\n", Path("x.md"))
    assert not isinstance(entry.meta["date"], dt.date)


def test_partial_dates_pickle_as_themselves():
    import pickle

    from generator.core.partial_dates import PartialDate, more_precise

    for value in (PartialDate(2017), PartialDate(2017, 12)):
        again = pickle.loads(pickle.dumps(value))
        assert repr(again) == repr(value) and again == value
    assert more_precise(PartialDate(2017), dt.date(2017, 5, 3))
    assert more_precise(PartialDate(2017), PartialDate(2017, 5))
    assert not more_precise(PartialDate(2017, 5), dt.date(2017, 6, 3))
    assert not more_precise(dt.date(2017, 5, 1), dt.date(2017, 5, 3))
