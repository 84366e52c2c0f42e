"""The arXiv parser on the seed dump and on fixtures covering every variant."""

from __future__ import annotations

import datetime as dt

from generator.ingest.sources import arxiv
from tests.conftest import FIXTURES, SEEDS


def parse(name, folder=SEEDS):
    return arxiv.parse((folder / name).read_text(encoding="utf-8"), name)


def test_seed_listing_has_ten_entries_with_exact_fields():
    records, warnings = parse("arxiv-listing.txt")
    assert warnings == []
    assert [r.arxiv for r in records] == [
        "2505.09343", "2504.21801", "2504.02495", "2402.11422", "2402.11420", "2402.11100",
        "2312.15696", "2308.10855", "2308.06966", "2307.09007"]
    assert all(r.title is None for r in records)
    first = records[0]
    assert first.date == dt.date(2025, 5, 14) and first.updated is None
    assert first.abstract.startswith("The rapid scaling of large language models")
    assert first.comment.startswith("This is the author's version of the work.")
    assert first.comment.endswith("(ISCA '25)")
    grm = records[2]
    assert grm.comment == "Preprint, under review. 42 pages"
    assert r"$\textit{proper learning methods could enable effective inference-time scalability}$" \
        in grm.abstract
    ecom = records[8]
    assert (ecom.date, ecom.updated) == (dt.date(2023, 8, 14), dt.date(2023, 8, 28))
    assert ecom.comment == "Initial version of EcomGPT"
    assert records[1].comment is None
    assert records[-1].comment == "Work in progress!"


def test_every_variant():
    records, warnings = parse("arxiv-variants.txt", FIXTURES)
    assert warnings == []
    assert [r.arxiv for r in records] == [
        "2401.01234", "2409.98765", "2410.00001", "hep-th/9901001", "0704.0001"]
    latex, one_comment, two_comments, old, four_digit = records
    assert r"$\mathcal{O}(n \log n)$" in latex.abstract and latex.comment is None
    assert one_comment.comment == "Accepted at NeurIPS 2024. 12 pages, 4 figures"
    assert one_comment.updated == dt.date(2024, 11, 2)
    assert two_comments.comment == "Work in progress; Code: https://example.org/repo"
    assert (old.date, old.updated) == (dt.date(1999, 1, 4), dt.date(1999, 2, 11))
    assert four_digit.date == dt.date(2007, 4, 2)


def test_malformed_id_line_skips_only_its_entry():
    records, warnings = parse("arxiv-bad-id.txt", FIXTURES)
    assert [r.arxiv for r in records] == ["2402.11422", "2402.11100"]
    assert len(warnings) == 1
    assert warnings[0].line == 8 and "malformed arXiv id" in warnings[0].message


def test_sloppy_copy_parses_the_same():
    text = (SEEDS / "arxiv-listing.txt").read_text()
    messy = "\ufeff" + "\r\n".join("\t" + line + "  " for line in text.splitlines()) + "\r\n\r\n"
    clean_records, _ = arxiv.parse(text, "a")
    messy_records, warnings = arxiv.parse(messy.replace("\r\n\t\r\n", "\r\n\r\n\r\n"), "a")
    assert warnings == []
    assert [(r.arxiv, r.abstract, r.comment, r.date) for r in messy_records] == \
        [(r.arxiv, r.abstract, r.comment, r.date) for r in clean_records]


def test_cut_mid_entry_and_missing_dates_are_warnings():
    text = ("An abstract long enough to count as one, describing a method and its results in a "
            "sentence or two.\n\narXiv:2401.00001\n\nAnother abstract that lost its id line "
            "because the copy stopped before it, which the parser has to notice.\n")
    records, warnings = arxiv.parse(text, "cut.txt")
    assert [r.arxiv for r in records] == ["2401.00001"]
    assert records[0].date is None
    assert [w.line for w in warnings] == [3, 5]
    assert "no Created" in warnings[0].message and "cut mid-entry" in warnings[1].message


def test_bad_created_date_is_a_warning_and_the_entry_stays():
    text = ("An abstract long enough to count as one, describing a method and its results in a "
            "sentence or two.\n\narXiv:2401.00001\nCreated: 2024-13-45\n")
    records, warnings = arxiv.parse(text, "x.txt")
    assert records[0].arxiv == "2401.00001" and records[0].date is None
    assert warnings[0].line == 4 and "bad Created date" in warnings[0].message
