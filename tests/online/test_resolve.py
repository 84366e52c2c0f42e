"""`papershelf resolve` against a local stand-in for the arXiv API (no network)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from urllib.parse import parse_qs

import pytest

from generator.core.entries import Entry, format_entry, read_entry
from generator.core.library import save_entry
from generator.online.arxiv_client import (
    POLITE_DELAY,
    ArxivRecord,
    Cache,
    _Client,
    api_settings,
    dump_cache,
    load_cache,
)
from generator.online.matching import ABSTRACT_AGREEMENT, RESOLVER_FIELDS, abstract_agreement
from tests.arxiv_server import demo_records, record
from tests.conftest import ROOT, run, seed_paths, snapshot, user_files
from tests.online.conftest import DEMO, V3, VL, papers, read, resolve, write

# --- matching by title ---------------------------------------------------------------------------


def test_exact_title_hit_fills_id_authors_and_categories(site, api):
    api.add(VL, record("2412.10302", "DeepSeek-VL2: Mixture-of-Experts Vision-Language Models"))
    write(site, "vl", "My notes.\n", title="deepseek-vl: towards REAL-WORLD vision language understanding",
          abstract=VL["abstract"], status="reading", tags=["vision-language"])
    result = resolve(site, api)
    assert result.exit_code == 0, result.output
    entry = read(site, "vl")
    assert entry.get("arxiv") == "2403.05525"
    assert entry.get("authors")[:2] == ["Haoyu Lu", "Wen Liu"] and entry.get("authors_count") == 15
    assert entry.get("categories") == ["cs.AI"]
    assert entry.get("updated") == dt.date(2024, 3, 11)  # revised after v1
    assert entry.get("title") == "deepseek-vl: towards REAL-WORLD vision language understanding"
    assert entry.body == "My notes.\n" and entry.get("status") == "reading"
    assert api.count("search_query") == 1
    query = api.requests[0]["search_query"][0]
    assert query == 'ti:"deepseek vl towards real world vision language understanding"'
    assert "resolved: 1" in result.output and "arXiv 2403.05525" in result.output


def test_near_miss_title_is_rejected(site, api):
    api.add(record("2401.00001", "DeepSeek-VL: Towards Real-World Vision-Language Understanding at Scale",
                   VL["abstract"]))
    path = write(site, "vl", title=VL["title"], abstract=VL["abstract"])
    before = path.read_bytes()
    result = resolve(site, api)
    assert result.exit_code == 0
    assert path.read_bytes() == before
    assert "not found: 1" in result.output
    assert "no arXiv paper has this exact title (closest: " in result.output
    assert "2401.00001" in result.output


def test_two_candidates_are_ambiguous_and_listed(site, api):
    api.add(record("2401.00001", "Attention Is Not All You Need", "First paper."),
            record("2402.00002", "Attention is not all you need!", "Second paper."))
    path = write(site, "attention", title="Attention Is Not All You Need")
    before = path.read_bytes()
    result = resolve(site, api)
    assert path.read_bytes() == before
    assert "ambiguous: 1" in result.output
    assert "2 candidates: 'Attention Is Not All You Need' (arXiv 2401.00001); " \
           "'Attention is not all you need!' (arXiv 2402.00002)" in result.output


def test_the_abstract_picks_among_same_titled_papers_and_rejects_a_stranger(site, api):
    other = "We study something else entirely, with different words and no overlap to speak of."
    api.add(record("2401.00001", VL["title"], other, version=3), VL)
    write(site, "vl", title=VL["title"], abstract=VL["abstract"])
    assert resolve(site, api).exit_code == 0
    assert read(site, "vl").get("arxiv") == "2403.05525"

    api.papers.pop("2403.05525")
    write(site, "vl", title=VL["title"], abstract=VL["abstract"])
    result = resolve(site, api, "--refresh")
    assert read(site, "vl").get("arxiv") is None
    assert "not found: 1" in result.output and "has this title but another abstract" in result.output


# --- matching by id ---------------------------------------------------------------------------------


def test_ids_are_looked_up_in_one_id_list_request(site, api):
    ids = ["2307.09007", "2308.06966", "2504.02495"]
    api.add(*(DEMO[i] for i in ids))
    for arxiv_id in ids:
        write(site, f"arxiv-{arxiv_id}", arxiv=arxiv_id, abstract=DEMO[arxiv_id]["abstract"])
    result = resolve(site, api)
    assert result.exit_code == 0, result.output
    assert api.count() == 1 and api.requests[0]["id_list"] == [",".join(ids)]
    grm = read(site, "arxiv-2504.02495")
    assert grm.get("title") == "Inference-Time Scaling for Generalist Reward Modeling"
    assert grm.get("authors_count") == 8 and grm.get("categories") == ["cs.CL", "cs.AI", "cs.LG"]
    assert "updated" not in grm.meta  # only one version: no 'updated'
    assert read(site, "arxiv-2308.06966").get("updated") == dt.date(2023, 8, 28)


def test_id_lists_hold_at_most_100_ids(site, api):
    ids = [f"2401.{n:05d}" for n in range(1, 151)]
    api.add(*(record(i, f"Paper number {i}") for i in ids))
    for arxiv_id in ids:
        write(site, f"arxiv-{arxiv_id}", arxiv=arxiv_id)
    result = resolve(site, api)
    assert "150 resolved" in result.output
    assert [len(args["id_list"][0].split(",")) for args in api.requests] == [100, 50]
    assert read(site, "arxiv-2401.00150").get("title") == "Paper number 2401.00150"


def test_an_id_whose_paper_is_another_is_reported_not_applied(site, api):
    api.add(record("2402.11100", "Some Other Paper", "Completely unrelated words about geology and rocks."))
    path = write(site, "mine", arxiv="2402.11100", abstract=DEMO["2402.11100"]["abstract"])
    before = path.read_bytes()
    result = resolve(site, api)
    assert path.read_bytes() == before
    assert "failed: 1" in result.output and "whose abstract differs" in result.output


def test_an_unknown_id_is_not_found(site, api):
    write(site, "ghost", arxiv="2401.99999")
    result = resolve(site, api)
    assert "not found: 1" in result.output and "arXiv has no paper 2401.99999" in result.output


def test_an_id_found_by_title_that_another_entry_holds_is_not_written_twice(site, api):
    api.add(V3)
    write(site, "by-id", arxiv="2505.09343")
    path = write(site, "by-title", title=V3["title"])
    before = path.read_bytes()
    result = resolve(site, api)
    assert read(site, "by-id").get("title") == V3["title"]
    assert path.read_bytes() == before
    assert "already the id of" in result.output and "by-id.md" in result.output


# --- fill-only ------------------------------------------------------------------------------------------


def test_fill_only_never_replaces_curated_values(site, api):
    api.add(VL)
    body = "\n## Notes\n\nKeep *this* exactly.   \n"
    write(site, "vl", body, title="DeepSeek VL (my own title)", arxiv="2403.05525", abstract=VL["abstract"],
          authors_count=14, tags=["must-read"], status="read", rating=5, categories=[])
    before = read(site, "vl")
    result = resolve(site, api)
    assert result.exit_code == 0, result.output
    after = read(site, "vl")
    assert after.get("title") == "DeepSeek VL (my own title)"
    assert after.get("authors_count") == 14 and len(after.get("authors")) == 15
    assert after.get("categories") == ["cs.AI"]
    for key in ("tags", "status", "rating", "abstract"):
        assert after.get(key) == before.get(key)
    assert after.body == body


def test_complete_entries_and_entries_with_nothing_to_look_up(site, api):
    write(site, "done", title="T", arxiv="2401.00001", authors=["A"], categories=["cs.CL"])
    write(site, "bare", status="to-read")
    result = resolve(site, api)
    assert api.count() == 0
    assert "already complete: 1" in result.output
    assert "bare.md: no title or arXiv id to look up" in result.output


def test_dry_run_writes_nothing(site, api):
    api.add(VL)
    write(site, "vl", title=VL["title"])
    before = snapshot(site)
    result = resolve(site, api, "--dry-run")
    assert result.exit_code == 0
    assert "would resolve: 1" in result.output and "(dry run: nothing written)" in result.output
    assert snapshot(site) == before


# --- politeness, cache, failures --------------------------------------------------------------------


def test_the_public_api_is_always_paced_at_least_3_seconds_apart():
    assert api_settings(None, {}).delay == POLITE_DELAY == 3.0
    assert api_settings(None, {"PAPERSHELF_ARXIV_DELAY": "0"}).delay == 3.0
    assert api_settings("http://127.0.0.1:9/api/query", {"PAPERSHELF_ARXIV_DELAY": "0"}).delay == 0
    client = _Client(api_settings(None, {}))
    assert client.delay_seconds == 3.0 and client.num_retries == 3
    assert client.query_url_format == "https://export.arxiv.org/api/query?{}"
    assert api_settings(None, {"PAPERSHELF_ARXIV_API": "http://h:1/q"}).url == "http://h:1/q"
    assert api_settings("http://x:2/q", {"PAPERSHELF_ARXIV_API": "http://h:1/q"}).url == "http://x:2/q"


def test_a_bad_api_url_is_one_line(site):
    result = run(site, "resolve", "--api-url", "ftp://example.org/api")
    assert result.exit_code == 1
    assert result.stderr == "error: the arXiv API URL 'ftp://example.org/api' is not an http(s) URL " \
                            "(pass --api-url https://export.arxiv.org/api/query or a server of your own)\n"


def test_a_503_is_retried(site, api):
    api.add(VL)
    api.fail_next(503)
    write(site, "vl", title=VL["title"])
    result = resolve(site, api)
    assert result.exit_code == 0, result.output
    assert read(site, "vl").get("arxiv") == "2403.05525"
    assert api.count() == 2 and "2 requests to the arXiv API" in result.output


def test_a_503_that_lasts_is_one_error_line_naming_the_request(site, api):
    api.fail_next(503, times=10)
    path = write(site, "vl", title=VL["title"])
    before = path.read_bytes()
    result = resolve(site, api)
    assert result.exit_code == 1 and path.read_bytes() == before
    assert api.count() == 4  # the first try and 3 retries
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the arXiv API answered HTTP 503 (4 tries) to GET http://127.0.0.1:")
    assert "search_query=ti%3A%22deepseek+vl" in last and "Traceback" not in result.output


@pytest.mark.parametrize("body, says", [
    (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>cut</feed>',
     "not well-formed XML"),
    (b"<html><body>Rate limited</body></html>", "no Atom feed but <html>"),
])
def test_a_malformed_answer_is_an_error_naming_the_request(site, api, body, says):
    api.fail_next(200, body)
    path = write(site, "grm", arxiv="2504.02495")
    before = path.read_bytes()
    result = resolve(site, api)
    assert result.exit_code == 1 and path.read_bytes() == before
    last = result.stderr.strip().splitlines()[-1]
    assert says in last and "to GET http://127.0.0.1:" in last and "id_list=2504.02495" in last
    assert api.count() == 1


def test_an_answer_slower_than_the_timeout(site, api, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_ARXIV_TIMEOUT", "0.2")
    api.add(VL)
    api.delay = 1.0
    write(site, "vl", title=VL["title"])
    result = resolve(site, api)
    assert result.exit_code == 1
    assert "error: no answer from the arXiv API within 0.2 s to GET http://127.0.0.1:" in result.stderr
    assert read(site, "vl").get("arxiv") is None


def test_offline_is_one_clear_line_and_changes_nothing(site):
    write(site, "vl", title=VL["title"])
    write(site, "v3", arxiv="2505.09343")
    before = user_files(site)
    result = resolve(site)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot reach the arXiv API (Connection refused)" in errors[0]
    assert "Traceback" not in result.output and result.stdout == ""
    assert user_files(site) == before


def test_partial_progress_is_kept_when_the_api_fails_midway(site, api):
    api.add(VL, V3)
    write(site, "a-by-id", arxiv="2505.09343")
    write(site, "b-by-title", title=VL["title"])
    original = api.answer

    def fail_titles(query):  # ids answer, title searches get garbage
        status, body = original(query)
        return (status, body) if parse_qs(query).get("id_list") else (200, b"garbage")
    api.answer = fail_titles
    result = resolve(site, api)
    assert result.exit_code == 1
    assert read(site, "a-by-id").get("title") == V3["title"]
    assert "resolved: 1" in result.stdout and "not well-formed XML" in result.stderr


def test_the_cache_answers_a_second_run_with_zero_requests(site, api):
    api.add(VL, V3)
    write(site, "vl", title=VL["title"])
    write(site, "v3", arxiv="2505.09343")
    assert resolve(site, api).exit_code == 0
    assert api.count() == 2
    cache_file = site / "content" / ".arxiv-cache.json"
    text = cache_file.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text == dump_cache(load_cache(cache_file))
    data = json.loads(text)
    assert list(data["papers"]) == sorted(data["papers"]) and data["version"] == 1
    assert data["titles"] == {"deepseek vl towards real world vision language understanding": ["2403.05525"]}

    # a fresh clone: entries as before resolving, the committed cache, no network at all
    write(site, "vl", title=VL["title"])
    write(site, "v3", arxiv="2505.09343")
    result = resolve(site)
    assert result.exit_code == 0, result.output
    assert "2 resolved" in result.output and "0 requests to the arXiv API" in result.output
    assert read(site, "vl").get("arxiv") == "2403.05525"

    write(site, "vl", title=VL["title"])
    result = resolve(site, api)
    assert api.count() == 2 and "0 requests" in result.output  # the server saw nothing new
    write(site, "vl", title=VL["title"])
    result = resolve(site, api, "--refresh")
    assert api.count() == 3 and "1 request to" in result.output  # --refresh asks again


def test_an_unreadable_cache_is_one_line_and_refresh_replaces_it(site, api):
    api.add(VL)
    write(site, "vl", title=VL["title"])
    (site / "content" / ".arxiv-cache.json").write_text("{not json", encoding="utf-8")
    result = resolve(site, api)
    assert result.exit_code == 1 and "unreadable arXiv cache" in result.stderr
    assert resolve(site, api, "--refresh").exit_code == 0
    assert read(site, "vl").get("arxiv") == "2403.05525"


def test_records_and_cache_round_trip():
    rec = ArxivRecord("2401.00001", "T", ("A", "B"), "Abstract.", dt.date(2024, 1, 1), dt.date(2024, 2, 1),
                      ("cs.CL", "cs.AI"), "10 pages")
    assert ArxivRecord.from_json(rec.to_json()) == rec
    cache = Cache(papers={"2401.00002": None, "2401.00001": rec}, titles={"t": ["2401.00001"]})
    text = dump_cache(cache)
    assert text.index('"2401.00001"') < text.index('"2401.00002"') and text.endswith("\n")


def test_unrelated_demo_abstracts_never_agree_and_light_edits_always_do():
    abstracts = [rec["abstract"] for rec in DEMO.values()]
    worst = max(abstract_agreement(a, b) for a, b in itertools.combinations(abstracts, 2))
    assert worst < 0.2 < ABSTRACT_AGREEMENT
    for text in abstracts:
        edited = text.replace("Large Language Models (LLMs)", "LLMs") + " Code is available online."
        assert abstract_agreement(text, "  " + edited.replace(" ", "\n ")) > 0.9


# --- acceptance: the demo -------------------------------------------------------------------------------


def test_resolving_the_demo_fills_titles_and_ids_and_changes_nothing_else(site, api):
    """All 24 demo papers get titles and ids; notes, status, tags and dates stay byte-identical."""
    api.add(*demo_records())
    repository_content = snapshot(ROOT / "content")
    assert run(site, "import", *map(str, seed_paths(site))).exit_code == 0
    for number, path in enumerate(sorted(papers(site).iterdir())):  # a curator has been at work
        entry = read_entry(path)
        entry.meta.update(status=("to-read", "reading", "read")[number % 3], rating=number % 5 + 1)
        entry.meta["tags"] = [*entry.get("tags", []), "curated"]
        save_entry(papers(site), Entry(entry.slug, entry.meta, f"\nNotes on {entry.slug}: $x^2$.\n\n- one\n"))
    before = {p.name: read_entry(p) for p in papers(site).iterdir()}
    assert sum(1 for e in before.values() if not e.get("arxiv")) == 14
    assert sum(1 for e in before.values() if not e.get("title")) == 8

    result = resolve(site, api)
    assert result.exit_code == 0, result.output
    assert "24 entries: 24 resolved, 0 already complete, 0 ambiguous, 0 not found, 0 failed" in result.output
    assert api.count("id_list") == 1 and api.count("search_query") == 14
    after = {p.name: read_entry(p) for p in papers(site).iterdir()}
    assert after.keys() == before.keys()  # no file added, renamed or removed
    for name, new in after.items():
        old = before[name]
        expected = DEMO[new.get("arxiv")]
        assert new.get("title") and new.get("arxiv") and new.get("authors") == expected["authors"]
        if not old.get("title"):
            assert new.get("title") == expected["title"]
        assert new.body == old.body
        for key in RESOLVER_FIELDS:  # fill-only: what was there stays
            if old.get(key) not in (None, "", []):
                assert new.get(key) == old.get(key), (name, key)
        kept_old = {k: v for k, v in old.meta.items() if k not in RESOLVER_FIELDS}
        kept_new = {k: v for k, v in new.meta.items() if k not in RESOLVER_FIELDS}
        assert format_entry(Entry(name, kept_new, new.body)) == format_entry(Entry(name, kept_old, old.body))
    assert snapshot(ROOT / "content") == repository_content  # the committed content/ is never touched

    resolved = snapshot(site)
    result = resolve(site, api)
    assert api.count() == 15 and "24 already complete" in result.output and "0 requests" in result.output
    assert snapshot(site) == resolved


def test_an_edit_made_while_resolving_is_kept(site, api, monkeypatch):
    """Title searches are 3 s apart: a curator may edit an entry meanwhile; that edit survives."""
    from generator.online import arxiv_client as arxiv_api

    api.add(VL)
    path = write(site, "vl", "Old notes.\n", title=VL["title"], abstract=VL["abstract"])
    search = arxiv_api.ArxivLookup.search_title

    def search_while_editing(self, title):
        entry = read_entry(path)
        entry.meta["status"] = "reading"
        path.write_text(format_entry(Entry(entry.slug, entry.meta, "Notes typed meanwhile.\n")))
        return search(self, title)

    monkeypatch.setattr(arxiv_api.ArxivLookup, "search_title", search_while_editing)
    assert resolve(site, api).exit_code == 0
    after = read(site, "vl")
    assert after.get("arxiv") == "2403.05525"
    assert after.get("status") == "reading" and after.body == "Notes typed meanwhile.\n"
