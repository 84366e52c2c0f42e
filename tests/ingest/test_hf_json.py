"""The Hugging Face papers API's JSON as a dump: the three answer shapes, bad items, hostile input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.core.library import load_library
from generator.ingest.sources import detect_format, parse_dump
from tests.conftest import FIXTURES, run, seed_paths, user_files

API = FIXTURES / "hf-api"
DAILY = API / "daily_papers-2025-05-15.json"
SEARCH = API / "papers-search-deepseek.json"
SINGLE = API / "paper-2505.09343.json"
INSIGHTS = "Insights into DeepSeek-V3: Scaling Challenges and Reflections on Hardware for AI Architectures"


def entries(site: Path) -> dict:
    return {e.get("title"): e for e in load_library(site / "content" / "papers").entries.values()}


def write(tmp_path: Path, data, name: str = "answer.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def item(**paper) -> dict:
    """A daily-papers item around ``paper`` (id and title by default)."""
    return {"paper": {"id": "2505.20001", "title": "A Paper", **paper}, "numComments": 0}


def test_daily_papers_answer():
    dump = parse_dump(DAILY)
    assert dump.format == "hf-json"
    insights, routing, sparse = dump.records
    assert (insights.arxiv, insights.title) == ("2505.09343", INSIGHTS)
    assert insights.abstract.startswith("The rapid scaling of large language models (LLMs) has unveiled")
    assert "\n" not in insights.abstract
    assert insights.date == dt.date(2025, 5, 14)  # the paper's publishedAt, not the day it was listed
    assert insights.upvotes == 65
    assert (insights.org_handle, insights.org) == ("deepseek-ai", "DeepSeek")
    assert insights.code == "https://github.com/deepseek-ai/DeepEP"
    assert insights.project == "https://www.deepseek.com/research/v3-insights"
    assert insights.authors == ("Chenggang Zhao", "Chengqi Deng", "Chong Ruan", "Damai Dai",
                                "Huazuo Gao", "Jiashi Li", "Wenfeng Liang")  # the empty name skipped
    assert routing.title == "Routing Tokens between Recurrence and Attention"
    assert routing.date == dt.date(2025, 5, 15)  # 23:30 UTC is still the 15th
    assert (routing.code, routing.project, routing.org) == (None, None, None)
    assert (sparse.arxiv, sparse.authors, sparse.upvotes, sparse.abstract) == \
        ("2505.11111", None, 0, "Short summary.")
    assert [str(w) for w in dump.warnings] == [
        "daily_papers-2025-05-15.json: warning: item 1: projectPage 'javascript:alert(document.cookie)' "
        "is not an http(s) URL; ignored"]


def test_search_answer_takes_the_organisation_of_the_item():
    (vl,) = parse_dump(SEARCH).records
    assert (vl.arxiv, vl.date) == ("2403.05525", dt.date(2024, 3, 8))
    assert vl.authors == ("Haoyu Lu", "Wen Liu", "Bo Zhang")
    assert (vl.org_handle, vl.org, vl.project) == ("deepseek-ai", "DeepSeek", None)
    assert vl.code == "https://github.com/deepseek-ai/DeepSeek-VL"


def test_one_paper_answer_is_not_wrapped():
    dump = parse_dump(SINGLE)
    (paper,) = dump.records
    (daily, *_) = parse_dump(DAILY).records
    same = ("arxiv", "title", "abstract", "date", "authors", "upvotes", "org", "org_handle", "code",
            "project")
    assert {k: getattr(paper, k) for k in same} == {k: getattr(daily, k) for k in same}
    assert dump.warnings == ()


def test_detected_by_content_and_text_dumps_are_not(site):
    for path in (DAILY, SEARCH, SINGLE):
        assert detect_format(path.read_text()) == "hf-json"
    assert [detect_format(p.read_text()) for p in seed_paths(site)] == ["arxiv", "hf", "hf"]
    assert detect_format("[Draft] notes\n\nA pasted page.") == "hf"


def test_format_option(site, tmp_path):
    renamed = write(tmp_path, DAILY.read_text(), "papers.txt")
    result = run(site, "import", "--format", "hf-json", str(renamed))
    assert result.exit_code == 0, result.output
    text_dump = seed_paths(site)[1]
    wrong = run(site, "import", "--format", "hf-json", str(text_dump))
    assert wrong.exit_code == 1
    assert wrong.stderr.startswith(f"{text_dump}:1:1: error: not JSON (Expecting value)")


def test_malformed_items_are_warnings_naming_their_index_and_line(tmp_path):
    items = [7, "text", {"paper": 3}, {"paper": {"summary": "no id, no title"}}, item(),
             item(id="2505.20002", title=12, summary="A summary long enough."),
             item(id="2505.20003", authors="Ada", upvotes="12", publishedAt="May 14"),
             item(id="2505.20004", upvotes=True, authors=[{"name": 3}, None, "Alan Turing"]),
             item(id="not-an-id", title="Some Title")]
    path = write(tmp_path, json.dumps(items, indent=1))
    dump = parse_dump(path)
    assert [r.arxiv for r in dump.records] == ["2505.20001", "2505.20002", "2505.20003", "2505.20004", None]
    assert dump.records[1].title is None and dump.records[3].authors == ("Alan Turing",)
    lines = path.read_text().splitlines()
    found = [(w.line, w.message) for w in dump.warnings]
    assert found == [
        (2, "item 0: a number, not a paper object; skipped"),
        (3, "item 1: a string, not a paper object; skipped"),
        (4, "item 2: 'paper' is a number, not an object; skipped"),
        (found[3][0], "item 3: no arXiv id and no title; skipped"),
        (found[4][0], "item 5: 'title' is a number, not a string; ignored"),
        (found[5][0], "item 6: 'authors' is a string, not a list; ignored"),
        (found[6][0], "item 6: publishedAt 'May 14' is not an ISO date; ignored"),
        (found[7][0], "item 6: 'upvotes' is a string, not a number; ignored"),
        (found[8][0], "item 7: 1 author without a name string; skipped"),
        (found[9][0], "item 7: 'upvotes' is true, not a number; ignored"),
        (found[10][0], "item 8: id 'not-an-id' is not an arXiv id; ignored"),
    ]
    assert lines[found[3][0] - 1].strip() == "{" and '"paper"' in lines[found[3][0]]


@pytest.mark.parametrize("text, message", [
    ("<html><body>Hugging Face</body></html>", "1:1: error: not JSON (Expecting value)"),
    ('[{"paper": {"id": "2505.20001"}} {"x": 1}]', "1:34: error: not JSON (Expecting ',' delimiter)"),
    ("[]", "error: no paper in this Hugging Face JSON (an empty list)"),
    ('{"error": "Not Found"}', "error: an error answer of the API, not papers (Not Found)"),
    ('{"name": "x", "version": 2}', "error: JSON holding an object, not a paper or a list of papers"),
    ('[{"paper": {"summary": "x"}}, 1]', "error: no paper in this Hugging Face JSON (no item is a paper)"),
    ('"2505.20001"', "error: JSON holding a string, not a paper or a list of papers"),
    ("[" * 200_000 + "]" * 200_000, "error: JSON that cannot be read (maximum recursion depth"),
    ('[{"paper": {"id": "2505.20001", "upvotes": ' + "9" * 5000 + "}}]",
     "error: JSON that cannot be read (Exceeds"),
])
def test_a_file_that_is_not_papers_is_one_error_line(site, tmp_path, text, message):
    path = write(tmp_path, text)
    before = user_files(site)
    fmt = ("--format", "hf-json") if text.startswith(("<", '"')) else ()  # else detected
    result = run(site, "import", *fmt, str(path))
    assert result.exit_code == 1, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(str(path)) and message in result.stderr
    assert user_files(site) == before


def test_hostile_values_are_dropped_or_cleaned(tmp_path):
    huge = "x" * 5_000_000
    items = [
        item(id="2505.20001", title="Bell\u0007 and \u001b[31mred\u001b[0m <script>alert(1)</script>",
             githubRepo="javascript:alert(1)", projectPage="data:text/html,<b>hi</b>",
             organization={"name": "../../evil?x=1", "fullname": "Evil <b>Org</b>"}),
        item(id="2505.20002", title=huge, summary=huge, upvotes=10**40,
             authors=[{"name": huge}, {"name": "Ada Lovelace"}]),
        item(id="2505.20003", upvotes=1e400, githubRepo="HTTPS://github.com/a/b",
             projectPage="https://example.org/a page"),
    ]
    path = write(tmp_path, items)
    first, second, third = parse_dump(path).records
    assert first.title == "Bell and red <script>alert(1)</script>"  # text: the templates escape it
    assert (first.code, first.project, first.org_handle, first.org) == (None, None, None, "Evil <b>Org</b>")
    assert (second.title, second.abstract, second.upvotes) == (None, None, None)
    assert second.authors == ("Ada Lovelace",)
    assert (third.upvotes, third.code, third.project) == (None, "HTTPS://github.com/a/b", None)
    messages = [w.message for w in parse_dump(path).warnings]
    assert "item 0: control characters removed from title" in messages
    assert "item 0: githubRepo 'javascript:alert(1)' is not an http(s) URL; ignored" in messages
    assert "item 0: organization name '../../evil?x=1' is not an account name; ignored" in messages
    assert "item 1: title longer than 2000 characters; ignored" in messages
    assert "item 1: upvotes 10000000000000000000000000000000000000000 out of range; ignored" in messages


def test_raw_control_characters_are_removed_like_other_dumps(site, tmp_path):
    path = tmp_path / "answer.json"
    path.write_bytes(b'[{"paper": {"id": "2505.20001", "title": "A \x07Paper", "summary": "Text\x1b."}}]')
    result = run(site, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "answer.json:1:45: warning: control characters U+0007, U+001B removed" in result.stderr
    assert set(entries(site)) == {"A Paper"}


def test_merges_with_the_seed_dumps_and_fills_what_the_pages_lack(site):
    dumps = [*map(str, seed_paths(site)), str(DAILY), str(SEARCH)]
    result = run(site, "import", *dumps)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("26 papers: 26 new")  # the 24 papers of the seeds, 2 new ones
    papers = entries(site)
    insights = papers[INSIGHTS]
    assert insights.get("sources") == ["arxiv-listing.txt", "hf-daily-papers-deepseek.txt",
                                       "daily_papers-2025-05-15.json"]
    assert insights.get("code") == "https://github.com/deepseek-ai/DeepEP"
    assert insights.get("project") == "https://www.deepseek.com/research/v3-insights"
    assert insights.get("authors")[:2] == ["Chenggang Zhao", "Chengqi Deng"]
    assert insights.get("date") == dt.date(2025, 5, 14)
    vl = papers["DeepSeek-VL: Towards Real-World Vision-Language Understanding"]
    assert vl.get("arxiv") == "2403.05525" and vl.get("code") == "https://github.com/deepseek-ai/DeepSeek-VL"
    assert vl.get("sources") == ["hf-daily-papers-deepseek.txt", "hf-papers-search-deepseek.txt",
                                 "papers-search-deepseek.json"]
    before = user_files(site)
    again = run(site, "import", *dumps)
    assert again.stdout.startswith("26 papers: 0 new, 0 updated, 26 unchanged")
    assert user_files(site) == before


def test_a_curated_entry_keeps_its_values(site):
    assert run(site, "import", *map(str, seed_paths(site))).exit_code == 0
    path = next((site / "content" / "papers").glob("insights-into-deepseek-v3*.md"))
    text = path.read_text()
    assert "upvotes: 5\n" in text and "code:" not in text
    path.write_text(text.replace("upvotes: 5\n", "upvotes: 1\ncode: https://example.org/mine\n"))
    result = run(site, "import", str(DAILY))
    assert result.exit_code == 0, result.output
    entry = entries(site)[INSIGHTS]
    assert (entry.get("upvotes"), entry.get("code")) == (1, "https://example.org/mine")
    assert entry.get("project") == "https://www.deepseek.com/research/v3-insights"


def test_hostile_text_never_becomes_markup_on_the_site(site, tmp_path):
    items = [item(id="2505.20001", title='<script>alert("t")</script> Paper <img src=x onerror=alert(1)>',
                  summary='<a href="javascript:alert(1)">click</a> and text.',
                  githubRepo="javascript:alert(2)", projectPage=" javascript:alert(3)",
                  organization={"name": "javascript:alert(4)", "fullname": "<b>Org</b>"})]
    assert run(site, "import", str(write(tmp_path, items))).exit_code == 0
    result = run(site, "build", "--no-search")
    assert result.exit_code == 0, result.output
    pages = {p: p.read_text() for p in (site / "_site").rglob("*.html")}
    assert any("2505.20001" in html for html in pages.values())
    for path, html in pages.items():
        soup = BeautifulSoup(html, "html.parser")
        assert not [s for s in soup.find_all("script") if "alert" in s.get_text()], path
        assert not soup.find_all(attrs={"onerror": True}) and not soup.find_all("b"), path
        links = [a.get("href", "") for a in soup.find_all(href=True)] + \
            [e.get("src", "") for e in soup.find_all(src=True)]
        assert not [u for u in links if u.strip().lower().startswith(("javascript:", "data:"))], path
