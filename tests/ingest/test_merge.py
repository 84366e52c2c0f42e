"""Identity, fill-only merging, year inference and slugs: the pure parts of import."""

from __future__ import annotations

import datetime as dt

from generator.core.entries import Entry
from generator.core.slugs import SlugRegistry, base_slug
from generator.ingest.dates import closest_year, page_year
from generator.ingest.merge import clusters, fill, group_records, normalize_title
from generator.ingest.records import MonthDay, Record


def rec(**fields):
    fields.setdefault("source", "d.txt")
    fields.setdefault("line", 1)
    fields.setdefault("format", "hf")
    return Record(**fields)


def test_title_normalisation_ignores_case_space_punctuation_and_latex():
    assert normalize_title("DeepSeek-VL:  Towards Real-World  VL") == \
        normalize_title("deepseek vl towards real world vl")
    assert normalize_title(r"\textit{Sparse} Attention") == normalize_title("Sparse attention")
    assert normalize_title("A B") != normalize_title("A C")


def test_records_group_by_id_title_or_abstract_transitively():
    hf = rec(title="Paper A", abstract="Abstract   of A.")
    arx = rec(format="arxiv", arxiv="2401.00001", abstract="Abstract of A.")
    search = rec(title="paper a!", abstract="Different text as shown elsewhere.")
    other = rec(title="Paper B", abstract="Abstract of B.")
    groups, conflicts = group_records([], [hf, arx, search, other])
    assert conflicts == []
    assert sorted(len(g.records) for g in groups) == [1, 3]


def test_records_attach_to_the_existing_entry_they_match():
    entry = Entry("a", {"title": "Paper A", "arxiv": "2401.00001"})
    groups, _ = group_records([entry], [rec(format="arxiv", arxiv="2401.00001", abstract="x")])
    assert groups[0].entry is entry


def test_a_record_matching_two_entries_is_a_conflict_not_a_guess():
    a = Entry("a", {"title": "Paper A"})
    b = Entry("b", {"arxiv": "2401.00001"})
    record = rec(title="Paper A", arxiv="2401.00001", line=7)
    groups, conflicts = group_records([a, b], [record])
    assert groups == []
    assert conflicts[0].line == 7 and "a.md and b.md" in conflicts[0].message


def test_clusters_join_records_and_entries_through_shared_keys():
    a, b, c, d = ("title", "a"), ("title", "b"), ("arxiv", "c"), ("arxiv", "d")
    # records 0-2, then entries 3-4: record 2 joins record 0 (key a) and entry 3 (key c);
    # entry 4 matches no record, so it is in no cluster
    assert clusters([[a], [b], [a, c]], [[c], [d]]) == [[0, 2, 3], [1]]
    assert clusters([[c], [d]], [[c, d]]) == [[0, 1, 2]]
    assert clusters([], [[a]]) == []


def test_a_conflict_names_both_entry_files_at_the_first_record():
    first, second = rec(arxiv="2401.00001", line=7), rec(title="Paper B", line=9)
    entries = [Entry("a", {"arxiv": "2401.00001"}), Entry("b", {"title": "Paper B"})]
    groups, conflicts = group_records(entries, [first, second, rec(arxiv="2401.00001", title="Paper B")])
    assert groups == []
    assert [(c.path, c.line, c.message) for c in conflicts] == [
        ("d.txt", 7, "this paper matches both a.md and b.md; not merged (merge the two entry files by hand)")]


def test_fill_never_overwrites_and_appends_sources():
    meta = {"title": "Curated title", "date": dt.date(2020, 1, 1), "tags": ["mine"],
            "status": "read", "rating": 5, "sources": ["old.txt"]}
    merged = fill(meta, [rec(title="Dump title", date=dt.date(2024, 1, 1), upvotes=3,
                             source="new.txt")])
    assert merged == {**meta, "upvotes": 3, "sources": ["old.txt", "new.txt"]}
    assert meta["sources"] == ["old.txt"], "the input is not mutated"


def test_arxiv_created_wins_over_hf_date_in_one_import():
    hf = rec(title="T", abstract="A.", date=dt.date(2025, 5, 15), upvotes=2)
    arx = rec(format="arxiv", source="a.txt", arxiv="2505.00001", abstract="A.",
              date=dt.date(2025, 5, 14))
    merged = fill({}, [hf, arx])
    assert merged["date"] == dt.date(2025, 5, 14)
    assert merged["sources"] == ["d.txt", "a.txt"]


def test_year_inference():
    assert closest_year(MonthDay(5, 14), dt.date(2025, 5, 13)) == 2025
    assert closest_year(MonthDay(1, 2), dt.date(2024, 12, 30)) == 2025
    assert closest_year(MonthDay(12, 30), dt.date(2025, 1, 2)) == 2024
    assert closest_year(MonthDay(2, 29), dt.date(2024, 3, 1)) == 2024
    today = dt.date(2026, 11, 22)
    assert page_year([2025, 2025, 2024], [2023], today) == 2025
    assert page_year([], [2023, 2024], today) == 2025
    assert page_year([], [2026], today) == 2026, "never later than today"
    assert page_year([], [], today) is None


def test_slugs():
    title = "DeepSeekMoE: Towards Ultimate Expert Specialization in Mixture-of-Experts Language Models"
    slug = base_slug(title, None)
    assert slug == "deepseekmoe-towards-ultimate-expert-specialization-in-mixture-of-experts"
    assert len(slug) <= 80
    assert base_slug("Ünïcödé Ärger", None) == "unicode-arger"
    assert base_slug(None, "2504.02495") == "arxiv-2504.02495"
    assert base_slug(None, "hep-th/9901001") == "arxiv-hep-th-9901001"
    assert base_slug("!!!", None) == "paper"
    taken = SlugRegistry({"a", "A-2"})
    assert taken.claim("a") == "a-3"
    assert taken.claim("a") == "a-4", "a claimed slug is taken"
    assert taken.claim("B") == "B" and taken.claim("b") == "b-2"


def test_tag_rules_match_whole_words_case_insensitively():
    from generator.ingest.tagging import compile_rules, tags_for

    rules = compile_rules([("rl", ["RL"]), ("moe", ["mixture of experts", "MoE"]), ("code", ["c++"])])
    assert tags_for(rules, "An RL-based method (RL).") == ["rl"]
    assert tags_for(rules, "See the URL; ctrl; RLHF") == []
    assert tags_for(rules, "A Mixture\nof  Experts model") == ["moe"]
    assert tags_for(rules, "DeepSeekMoE", "moe_layers") == []
    assert tags_for(rules, "Title", None, "uses (MoE) and rl") == ["rl", "moe"]
    assert tags_for(rules, "Written in C++ mostly") == ["code"]
    assert tags_for(rules, "") == []
