"""Dates as the site writes them, the venue rule, safe outside links, and BibTeX made by the
site read back by bibtexparser: types, keys, escapes, and the same papers after a round trip."""

from __future__ import annotations

import datetime as dt

import bibtexparser
import pytest
from bibtexparser import middlewares

from generator.core.partial_dates import PartialDate
from generator.site.bibtex import bibtex_entry, unique_keys
from generator.site.charts import month_chart
from generator.site.citation import doi_of, doi_url, is_proceedings, outside_links, safe_url, scholar_venue
from generator.site.dates import display_date, iso, slashed, sort_key
from generator.site.exports import bib_file, json_record

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(("date", "shown", "machine", "scholar"), [
    (dt.date(2025, 5, 4), "4 May 2025", "2025-05-04", "2025/05/04"),
    (PartialDate(2017, 12), "Dec 2017", "2017-12", "2017/12"),
    (PartialDate(2017), "2017", "2017", "2017"),
    (None, "", "", ""),
])
def test_dates_are_shown_as_precisely_as_they_are_known(date, shown, machine, scholar):
    assert (display_date(date), iso(date), slashed(date)) == (shown, machine, scholar)
    assert sort_key(date) == (date.replace(day=1) if isinstance(date, PartialDate) else date or
                              dt.date.min).isoformat().replace("0001-01-01", "0000-00-00")


def test_a_partial_date_sorts_as_its_first_day():
    keys = [sort_key(d) for d in (dt.date(2017, 1, 2), PartialDate(2017), PartialDate(2016, 12), None)]
    assert keys == ["2017-01-02", "2017-01-01", "2016-12-01", "0000-00-00"]
    assert keys == sorted(keys, reverse=True)


@pytest.mark.parametrize(("venue", "proceedings"), [
    ("Advances in Neural Information Processing Systems (NeurIPS)", True),
    ("Proceedings of the 2019 Conference of the North American Chapter of the ACL", True),
    ("ICML", True), ("International Conference on Learning Representations", True),
    ("Findings of the Association for Computational Linguistics: EMNLP 2023", True),
    ("NeurIPS Workshop on Efficient Natural Language Processing", True),
    ("Proceedings of Machine Learning Research", True),
    ("Nature", False), ("Journal of Machine Learning Research", False),
    ("IEEE Transactions on Pattern Analysis and Machine Intelligence", False),
    ("Proceedings of the IEEE", False), ("Proceedings of the National Academy of Sciences", False),
    ("Transactions of the Association for Computational Linguistics", False),
    ("Oracle Workshopping Digest", False),  # a word only containing "workshop"
])
def test_the_venue_rule(venue, proceedings):
    assert is_proceedings(venue) is proceedings
    key = "citation_conference_title" if proceedings else "citation_journal_title"
    assert scholar_venue(venue) == {key: venue}


@pytest.mark.parametrize(("value", "safe"), [
    ("https://github.com/a/b", True), ("http://example.org/x?y=1#z", True), ("HTTPS://EXAMPLE.ORG", True),
    ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False), (" javascript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False), ("ftp://example.org/x", False),
    ("https://", False), ("//example.org/x", False), ("example.org", False),
    ("https://example.org/a b", False), ("https://example.org/\x00", False), ("https://[::1", False),
    (42, False), (None, False),
])
def test_only_http_urls_with_a_host_are_safe(value, safe):
    assert (safe_url(value) != "") is safe


@pytest.mark.parametrize(("value", "doi"), [
    ("10.1109/5.726791", "10.1109/5.726791"),
    ("https://doi.org/10.1145/3292500.3330701", "10.1145/3292500.3330701"),
    ("doi:10.18653/v1/N19-1423", "10.18653/v1/N19-1423"), ("10.12/short", ""), ("11.1234/x", ""),
    ("10.1234/with space", ""), ("javascript:alert(1)", ""), ("", ""), (None, ""),
])
def test_a_doi_is_recognised_only_in_a_dois_shape(value, doi):
    assert doi_of(value) == doi


def test_doi_links_are_percent_encoded_and_in_a_fixed_order():
    assert doi_url("10.1002/(SICI)1097-4636<515::AID>3.0.CO;2-D") == \
        "https://doi.org/10.1002/%28SICI%291097-4636%3C515%3A%3AAID%3E3.0.CO%3B2-D"
    links = outside_links({"project": "https://p.org", "code": "javascript:x", "url": "https://u.org",
                           "doi": "10.1234/abc"})
    assert [(x["kind"], x["href"]) for x in links] == [
        ("doi", "https://doi.org/10.1234/abc"), ("url", "https://u.org"), ("project", "https://p.org")]


def test_the_month_chart_leaves_out_dates_known_only_to_the_year():
    chart = month_chart([dt.date(2025, 1, 5), PartialDate(2025, 3), PartialDate(2019), PartialDate(2024)],
                        today=TODAY)
    bars = [(b["label"], b["value"]) for b in chart["bars"]]
    assert bars == [("Jan 2025", 1), ("Feb 2025", 0), ("Mar 2025", 1)]
    assert chart["year_only"] == 2 and chart["summary"].endswith("Not shown: 2 papers dated only by year.")


LATEX = [middlewares.LatexDecodingMiddleware(), middlewares.MonthIntMiddleware()]
PAPERS = {
    "lecun": {"title": "Gradient-Based Learning Applied to Document Recognition & 100% #1 $x_1$ ~",
              "authors": ["Yann LeCun", "Léon Bottou", "Patrick Haffner"], "date": PartialDate(1998, 11),
              "doi": "10.1109/5.726791", "venue": "Proceedings of the IEEE", "bibkey": "lecun1998gradient"},
    "bert": {"title": "BERT: Pre-training of Deep Bidirectional Transformers", "authors": ["Jacob Devlin"],
             "date": PartialDate(2019), "doi": "10.18653/v1/N19-1423", "arxiv": "1810.04805",
             "venue": "Proceedings of NAACL-HLT 2019", "categories": ["cs.CL"]},
    "r1": {"title": "DeepSeek-R1", "authors": ["DeepSeek-AI"], "date": dt.date(2025, 1, 22),
           "arxiv": "2501.12948", "categories": ["cs.CL"], "url": "javascript:alert(1)"},
    "undated": {"title": "Back \\ slash_", "org": "Some Lab"},
}


def site_bib() -> str:
    slugs = list(PAPERS)
    entries = [bibtex_entry(s, PAPERS[s], f"https://example.org/papers/{s}/") for s in slugs]
    return b"".join(bib_file(entries, slugs)).decode()


def test_bibtex_types_fields_and_keys():
    library = bibtexparser.parse_string(site_bib())
    assert library.failed_blocks == []
    got = {e.key: e for e in library.entries}
    assert {k: e.entry_type for k, e in got.items()} == {
        "lecun1998gradient": "article", "bert": "inproceedings", "r1": "misc", "undated": "misc"}
    assert got["bert"].fields_dict["booktitle"].value == "Proceedings of NAACL-HLT 2019"
    assert got["lecun1998gradient"].fields_dict["journal"].value == "Proceedings of the IEEE"
    assert "url" not in got["lecun1998gradient"].fields_dict  # its DOI is its link
    assert got["r1"].fields_dict["url"].value == "https://arxiv.org/abs/2501.12948"  # javascript: dropped
    assert got["undated"].fields_dict["url"].value == "https://example.org/papers/undated/"
    assert got["undated"].fields_dict["organization"].value == "Some Lab"
    assert not {"year", "month", "date", "doi"} & set(got["undated"].fields_dict)


def test_papers_bib_read_back_gives_the_same_papers():
    library = bibtexparser.parse_string(site_bib(), append_middleware=LATEX)
    assert library.failed_blocks == []
    for entry, (slug, meta) in zip(library.entries, PAPERS.items(), strict=True):
        fields = {name: f.value for name, f in entry.fields_dict.items()}
        assert entry.key == meta.get("bibkey", slug)
        assert fields["title"] == meta["title"]
        assert fields.get("author", "").split(" and ") == meta.get("authors", [""])
        assert fields.get("doi") == meta.get("doi") and fields.get("eprint") == meta.get("arxiv")
        date = meta.get("date")
        if date is None:
            continue
        assert int(fields["year"]) == date.year
        month_known = not isinstance(date, PartialDate) or date.month_known
        assert fields.get("month") == (date.month if month_known else None)
        assert fields.get("date") == (None if isinstance(date, PartialDate) else date.isoformat())


def test_a_repeated_key_gets_the_later_papers_slug_and_stays_unique():
    entries = [bibtex_entry(s, {"title": s, "bibkey": "same"}, "https://e.org/") for s in ("a", "b", "c")]
    entries.append(bibtex_entry("d", {"title": "d", "bibkey": "same-b"}, "https://e.org/"))
    keys = [e.key for e in bibtexparser.parse_string("".join(unique_keys(entries, "abcd"))).entries]
    assert keys == ["same", "same-b", "same-c", "same-b-d"]
    assert list(unique_keys(entries[:1], "a")) == entries[:1]  # a unique key: the entry as it was


def test_papers_json_writes_partial_dates_as_written():
    import json
    record = json.loads(json_record("x", "https://e.org/x/", {"date": PartialDate(2017, 12),
                                                             "added": dt.date(2026, 1, 2)}))
    assert (record["date"], record["added"]) == ("2017-12", "2026-01-02")


def test_citing_view_orders_links_and_keeps_text_as_text():
    from generator.site.views import citing_view
    arxiv = citing_view({"arxiv": "1706.03762", "doi": " 10.48550/arXiv.1706.03762 ",
                         "venue": "NeurIPS\n 2017", "code": "https://github.com/x/y",
                         "date": PartialDate(2017)})
    assert [x["kind"] for x in arxiv["links"]] == ["abs", "pdf", "html", "hf", "doi", "code"]
    assert (arxiv["venue"], arxiv["scholar"], arxiv["date_sort"]) == (
        "NeurIPS 2017", {"citation_conference_title": "NeurIPS 2017"}, "2017-01-01")
    assert (arxiv["doi"], arxiv["doi_url"]) == ("10.48550/arXiv.1706.03762",
                                                "https://doi.org/10.48550/arXiv.1706.03762")
    other = citing_view({"title": "T", "doi": "not a doi", "url": "javascript:alert(1)", "venue": 3})
    assert [x["kind"] for x in other["links"]] == ["search", "hf-search"]
    assert (other["doi"], other["doi_url"], other["venue"], other["scholar"]) == ("not a doi", "", "", {})
