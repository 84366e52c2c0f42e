"""The keys of the outputs decide what a build renders again: an edit must change the keys of
exactly the outputs that show what was edited, and two outputs may never share a path."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build.driver import BuildOptions, build
from generator.build.facts import Output
from generator.build.output_folder import MANIFEST
from generator.build.plan import pager_of, place_output
from generator.core.config import load_config
from generator.core.errors import BuildError
from generator.site.model import paginate
from generator.site.views import Urls
from tests.conftest import run, seed_paths

BASE = "https://example.org/shelf/"  # with a host: the sitemap is planned too


@pytest.fixture
def imported(site: Path) -> Path:
    assert run(site, "import", *map(str, seed_paths(site))).exit_code == 0
    return site


def build_keys(site: Path):
    """Build ``site`` and return every output's key and the site memo the build kept."""
    _, state = build(load_config(site), BuildOptions(out=site / "_site", base_url=BASE, search=False, jobs=1))
    keys, memo = dict(state.outputs), state.memo
    state.close()
    keys.pop(MANIFEST)
    return keys, memo


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def test_a_notes_edit_changes_only_its_paper_page_and_the_feeds_that_show_it(imported):
    before, memo = build_keys(imported)
    slug = memo.structure.latest[0]  # a paper the site's feed shows
    path = imported / "content" / "papers" / f"{slug}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line of notes.\n", encoding="utf-8")
    after, _ = build_keys(imported)
    feeds = {"feed.xml"} | {f"{tag.url}feed.xml" for tag in memo.model.tags
                            if slug in memo.structure.tag_feeds[tag.name]}
    assert len(feeds) > 1
    assert changed(before, after) == {f"papers/{slug}/index.html"} | feeds


def test_an_unchanged_site_plans_the_same_keys(imported):
    assert build_keys(imported)[0] == build_keys(imported)[0]


def test_a_tag_rename_moves_its_pages_and_touches_only_the_papers_that_had_it(imported):
    before, memo = build_keys(imported)
    tagged = [p.slug for p in memo.model.papers if "moe" in p.tags]
    assert tagged
    for slug in tagged:
        path = imported / "content" / "papers" / f"{slug}.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("tags: [moe]", "tags: [mixture-of-experts]"), encoding="utf-8")
    after, _ = build_keys(imported)
    assert not [p for p in after if p.startswith("tags/moe/")]
    assert {"tags/moe/index.html", "tags/moe/feed.xml", "tags/moe/papers.bib"} <= before.keys()
    assert {"tags/mixture-of-experts/index.html", "tags/mixture-of-experts/feed.xml",
            "tags/mixture-of-experts/papers.bib"} <= after.keys()
    paper_pages = {p for p in changed(before, after) if p.startswith("papers/")}
    assert paper_pages == {f"papers/{slug}/index.html" for slug in tagged}
    assert "tags/index.html" in changed(before, after)
    assert before["tags/reasoning/index.html"] == after["tags/reasoning/index.html"]


def test_two_outputs_on_one_path_are_refused():
    outputs: dict[str, Output] = {}
    place_output(outputs, "tags/", Output(b"1"))
    place_output(outputs, "feed.xml", Output(b"2"))
    assert list(outputs) == ["tags/index.html", "feed.xml"]
    with pytest.raises(BuildError, match=r"two outputs would be written to tags/index\.html"):
        place_output(outputs, "tags/index.html", Output(b"3"))
    assert outputs["tags/index.html"].key == b"1"


def test_the_pager_shows_the_first_last_and_nearby_pages():
    pages = paginate(list(range(100)), 5, "")  # 20 pages
    pager = pager_of(pages[9], pages, Urls.from_base("/"))
    assert [p["number"] for p in pager["pages"]] == [1, 7, 8, 9, 10, 11, 12, 13, 20]
    assert [p["number"] for p in pager["pages"] if p["current"]] == [10]
    assert pager["prev"] == "/page/9/" and pager["next"] == "/page/11/"
    assert pager_of(pages[0], pages, Urls.from_base("/"))["prev"] == ""
