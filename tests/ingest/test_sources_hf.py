"""The Hugging Face parser on the seed dumps and on fixtures covering every variant."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.ingest.records import MonthDay
from generator.ingest.sources import detect_format, hf
from generator.ingest.sources.text import split_blocks
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


# --- the steps of one pass (hf.Listing) ------------------------------------------------------------

ABSTRACT = ("We propose a model that reads listings. Results on a benchmark of pasted pages show "
            "that the method works, and experiments with every variant of the pages we could find "
            "confirm it again and again, on every page.")


def listing_of(text: str) -> hf.Listing:
    """A Listing that has taken every token of ``text`` (``parse`` without the last ``finish``)."""
    tokens = list(hf._tokens(split_blocks(text)))
    listing = hf.Listing("x.txt")
    for index, token in enumerate(tokens):
        listing.take(token, tokens, index)
    return listing


def test_a_date_line_closes_an_entry_and_counts_it_as_described():
    listing = listing_of(f"A Title\n\n{ABSTRACT}\n\n·\nMay 2, 2024 4\n\nNext Title\n")
    assert [r.title for r in listing.records] == ["A Title"] and listing.described == 1
    assert listing.draft is not None and listing.draft.title == "Next Title"
    listing.finish()
    assert listing.draft is None and listing.skipped == 1 and not listing.last_whole
    assert "title without an abstract" in listing.warnings[-1].message


def test_an_entry_without_metadata_is_judged_by_its_shape():
    listing = listing_of(f"A Title\n\n{ABSTRACT}\n\nhello, world!\n\n{ABSTRACT}\n\nB Title\n\n{ABSTRACT}\n")
    listing.finish()
    assert [(r.title, paper_like) for r, paper_like in listing.judged] == [
        ("A Title", True), ("hello, world!", False), ("B Title", True)]
    assert listing.described == 0
    records, warnings = listing.result()  # a search page: the paper-like entries only
    assert [r.title for r in records] == ["A Title", "B Title"]
    assert [w.line for w in warnings] == [5] and "do not read like a paper" in warnings[0].message


def test_an_abstract_of_two_paragraphs_is_one_entry_but_not_shaped_like_a_paper():
    listing = listing_of(f"A Title\n\n{ABSTRACT}\n\n{ABSTRACT}\n")
    listing.finish()
    assert listing.records[0].abstract == f"{ABSTRACT}\n\n{ABSTRACT}"
    assert [paper_like for _, paper_like in listing.judged] == [False]


def test_metadata_without_a_paper_is_a_warning_and_the_rest_of_its_run_is_not():
    listing = listing_of(f"A Title\n\n{ABSTRACT}\n\n·\nMay 2 4\n\n5 authors\n·\nMay 3 1\n")
    assert [r.upvotes for r in listing.records] == [4] and listing.orphan
    assert [(w.line, w.message) for w in listing.warnings] == [
        (8, "metadata line without a paper above it, skipped")]


def test_a_dated_listing_whose_last_entry_has_no_date_was_cut_short():
    dated = "".join(f"Title {n}\n\n{ABSTRACT}\n\n·\nMay {n}, 2024\n\n" for n in (1, 2))
    listing = listing_of(f"{dated}Title 3\n\n{ABSTRACT}\n")
    listing.finish()
    records, warnings = listing.result()
    assert [r.title for r in records] == ["Title 1", "Title 2", "Title 3"]
    assert [(w.line, w.message.split(",")[0]) for w in warnings] == [
        (15, "the last entry has no date line")]


def test_half_of_the_other_entries_dated_is_enough_to_call_the_last_one_cut():
    text = (f"Title 1\n\n{ABSTRACT}\n\n·\nMay 1, 2024\n\nTitle 2\n\n{ABSTRACT}\n\n·\n\n"
            f"Title 3\n\n{ABSTRACT}\n")
    listing = listing_of(text)
    listing.finish()
    records, warnings = listing.result()
    assert [r.date is not None for r in records] == [True, False, False]
    assert [w.message.split(" (")[0] for w in warnings] == [
        "metadata cut after the '·' line", "the last entry has no date line, unlike the others"]
