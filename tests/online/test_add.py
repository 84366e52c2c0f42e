"""`papershelf add` against a local stand-in for the arXiv API (no network)."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.core.errors import PapershelfError
from generator.core.validate import is_tag_name
from generator.online.jobs import check_tags
from tests.conftest import run
from tests.online.conftest import V3, VL, papers, read, resolve, write

V3_SLUG = "insights-into-deepseek-v3-scaling-challenges-and-reflections-on-hardware-for-ai"


@pytest.mark.parametrize("given", [
    "2505.09343", "arXiv:2505.09343v2", "https://arxiv.org/abs/2505.09343", "http://arxiv.org/abs/2505.09343v1",
    "https://arxiv.org/pdf/2505.09343", "https://arxiv.org/pdf/2505.09343v2.pdf",
])
def test_add_accepts_every_id_form(site, api, given):
    api.add(V3)
    result = run(site, "add", given, "--api-url", api.url, "--tag", "hardware", "--status", "reading")
    assert result.exit_code == 0, result.output
    entry = read(site, V3_SLUG)
    assert entry.get("arxiv") == "2505.09343" and entry.get("title") == V3["title"]
    assert entry.get("status") == "reading" and entry.get("added") == dt.date(2026, 11, 22)
    assert entry.get("tags")[0] == "hardware" and "moe" in entry.get("tags")  # then site.yaml tag_rules
    assert entry.get("date") == dt.date(2025, 5, 14) and entry.get("abstract") == V3["abstract"]
    assert entry.get("comment") == V3["comment"] and "updated" not in entry.meta
    assert entry.get("authors_count") == 15 and entry.get("categories")[0] == "cs.DC"
    assert "sources" not in entry.meta and entry.body == ""
    assert f"added content/papers/{V3_SLUG}.md" in result.output.replace(str(site) + "/", "")


def test_add_reports_ids_already_in_the_list(site, api):
    api.add(V3, VL)
    write(site, "mine", arxiv="2505.09343", title="Mine")
    result = run(site, "add", "arXiv:2505.09343v1", "2403.05525", "2403.05525v2", "--api-url", api.url)
    assert result.exit_code == 0
    assert "already in the reading list: arXiv 2505.09343 is" in result.output and "mine.md" in result.output
    assert sorted(p.name for p in papers(site).iterdir()) == [
        "deepseek-vl-towards-real-world-vision-language-understanding.md", "mine.md"]
    assert api.requests[0]["id_list"] == ["2403.05525"]


def test_add_offline_creates_the_entry_with_its_id_only(site, api):
    result = run(site, "add", "https://arxiv.org/abs/2505.09343", "--tag", "hardware")
    assert result.exit_code == 0, result.output
    entry = read(site, "arxiv-2505.09343")
    assert entry.meta == {"arxiv": "2505.09343", "tags": ["hardware"], "status": "to-read",
                          "added": dt.date(2026, 11, 22)}
    assert "cannot reach the arXiv API" in result.output
    assert "run 'papershelf resolve' later" in result.output

    api.add(V3)
    assert resolve(site, api).exit_code == 0
    entry = read(site, "arxiv-2505.09343")
    assert entry.get("title") == V3["title"] and entry.get("tags") == ["hardware"]


def test_add_an_id_arxiv_does_not_know(site, api):
    result = run(site, "add", "2401.99999", "--api-url", api.url)
    assert result.exit_code == 1
    assert "not found on arXiv: 2401.99999" in result.output
    assert list(papers(site).iterdir()) == []


@pytest.mark.parametrize("args, says", [
    (["not-an-id"], "not an arXiv id or URL: 'not-an-id'"),
    (["2505.09343", "--tag", "two words"], "not a tag: 'two words'"),
])
def test_add_rejects_bad_input_in_one_line(site, args, says):
    result = run(site, "add", *args)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and says in result.stderr
    assert list(papers(site).iterdir()) == []


def test_add_tag_follows_the_one_tag_rule():
    tags = ["moe", "c++", "v1.5", "vision-language", "_x", "数学"]
    assert check_tags([*tags, "moe"]) == tags  # duplicates dropped
    for tag in ["", "two words", "-moe", ".x", "a/b"]:
        assert not is_tag_name(tag)
        with pytest.raises(PapershelfError, match="not a tag"):
            check_tags(["moe", tag])
