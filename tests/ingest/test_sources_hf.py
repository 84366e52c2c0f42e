"""The Hugging Face parser on the seed dumps and on fixtures covering every variant."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.ingest.records import MonthDay
from generator.ingest.sources import detect_format, hf
from tests.conftest import FIXTURES, SEEDS


def parse(name, folder=SEEDS):
    text = (folder / name).read_text(encoding="utf-8")
    return hf.parse(text, name)


def test_daily_seed_has_twelve_entries_with_exact_fields():
    records, warnings = parse("hf-daily-papers-deepseek.txt")
    assert warnings == []
    assert len(records) == 12
    first = records[0]
    assert first.title == ("Insights into DeepSeek-V3: Scaling Challenges and Reflections on "
                           "Hardware for AI Architectures")
    assert first.abstract.startswith("The rapid scaling of large language models (LLMs)")
    assert first.abstract.endswith("next-generation AI systems.")
    assert (first.org, first.org_handle) == ("DeepSeek", "deepseek-ai")
    assert first.date == MonthDay(5, 14)
    assert first.upvotes == 5
    assert first.authors_count is None
    assert first.line == 13

    vl = records[1]
    assert vl.title == "DeepSeek-VL: Towards Real-World Vision-Language Understanding"
    assert vl.authors_count == 14 and vl.org is None
    assert vl.date == dt.date(2024, 3, 8) and vl.upvotes == 4

    prover2 = records[4]
    assert prover2.title.startswith("DeepSeek-Prover-V2")
    assert prover2.date == MonthDay(4, 30) and prover2.upvotes is None

    survey = records[7]
    assert survey.title.startswith("100 Days After DeepSeek-R1")
    assert (survey.date, survey.authors_count, survey.upvotes) == (None, None, None)

    assert records[-1].title.startswith("Visual Reasoning Evaluation of Grok")
    assert records[-1].date == MonthDay(2, 22)


def test_search_seed_has_titles_and_abstracts_only():
    records, warnings = parse("hf-papers-search-deepseek.txt")
    assert warnings == []
    assert len(records) == 10
    assert [r.title for r in records][-1] == "StarCoder 2 and The Stack v2: The Next Generation"
    for record in records:
        assert record.abstract and len(record.abstract) > 500
        assert (record.date, record.org, record.authors_count, record.upvotes) == (None,) * 4


def test_every_metadata_variant():
    records, warnings = parse("hf-variants.txt", FIXTURES)
    # the last entry has no metadata, unlike the others: imported, but it may have been cut
    assert [(w.line, w.message.split(",")[0]) for w in warnings] == [
        (45, "the last entry has no date line")]
    by_title = {r.title.split(":")[0]: r for r in records}
    assert list(by_title) == ["Paper With Org Only", "Paper With Authors Only",
                              "Paper With Both Org And Authors", "Paper With Neither",
                              "Paper Without Any Metadata"]
    org = by_title["Paper With Org Only"]
    assert (org.org, org.org_handle, org.authors_count, org.date, org.upvotes) == (
        "Acme AI", "acme-ai", None, MonthDay(5, 14), 12)
    authors = by_title["Paper With Authors Only"]
    assert (authors.org, authors.authors_count, authors.date, authors.upvotes) == (
        None, 7, dt.date(2024, 12, 30), 3)
    both = by_title["Paper With Both Org And Authors"]
    assert both.title == 'Paper With Both Org And Authors: "Quotes", Colons and Ünïcödé'
    assert (both.org, both.org_handle, both.authors_count, both.date, both.upvotes) == (
        "Big Lab Research", "big-lab", 21, MonthDay(6, 2), None)
    neither = by_title["Paper With Neither"]
    assert (neither.org, neither.authors_count, neither.date, neither.upvotes) == (
        None, None, MonthDay(2, 28), 1)
    bare = by_title["Paper Without Any Metadata"]
    assert bare.abstract.startswith("The last entry") and bare.date is None


def mess_up(text: str) -> str:
    """The same listing as a sloppy copy: BOM, CRLF, tabs, trailing spaces, chrome, blank runs."""
    lines = []
    for i, line in enumerate(text.splitlines()):
        lines.append(("\t" if i % 3 == 0 else "") + line + ("   " if i % 2 else "\t "))
        if line == "" and i % 4 == 0:
            lines.extend(["", "  ", "Load more", ""])
    return "\ufeff" + "\r\n".join(lines) + "\r\n\r\n\r\n"


@pytest.mark.parametrize("name", ["hf-daily-papers-deepseek.txt", "hf-papers-search-deepseek.txt"])
def test_sloppy_copies_parse_to_the_same_records(name):
    text = (SEEDS / name).read_text(encoding="utf-8")
    clean, _ = hf.parse(text, name)
    messy, warnings = hf.parse(mess_up(text), name)
    assert warnings == []
    strip = [(r.title, r.abstract, r.date, r.org, r.authors_count, r.upvotes) for r in clean]
    assert [(r.title, r.abstract, r.date, r.org, r.authors_count, r.upvotes) for r in messy] == strip


def test_metadata_lines_separated_by_blank_lines_still_belong_to_their_entry():
    text = ("A Title\n\nAn abstract long enough to be one, with a sentence or two of text in it, "
            "as the copy of a listing would have.\n\nacme Acme\n\n·\n\nMay 1, 2024 3\n")
    records, warnings = hf.parse(text, "x.txt")
    assert warnings == []
    assert (records[0].org, records[0].date, records[0].upvotes) == ("Acme", dt.date(2024, 5, 1), 3)


def test_a_cut_entry_is_a_warning_with_its_line_and_the_rest_imports():
    records, warnings = parse("hf-cut.txt", FIXTURES)
    assert [r.title for r in records] == ["A Complete Entry Before The Cut", "Another Complete Entry"]
    assert len(warnings) == 1
    assert warnings[0].line == 15
    assert "without an abstract" in warnings[0].message


def test_stray_metadata_is_reported_not_attached():
    text = "A Title\n\nAn abstract.\n\n·\nMay 2 4\n\n·\nMay 3 1\n"
    records, warnings = hf.parse(text, "x.txt")
    assert len(records) == 1 and records[0].upvotes == 4
    assert [w.line for w in warnings] == [8]


def test_detection():
    for name in ("hf-daily-papers-deepseek.txt", "hf-papers-search-deepseek.txt"):
        assert detect_format((SEEDS / name).read_text()) == "hf"
    assert detect_format((SEEDS / "arxiv-listing.txt").read_text()) == "arxiv"
