"""Search in a real browser: Pagefind over the built demo, driven through the search page."""

from __future__ import annotations

import pytest

from generator.core.library import load_library
from tests.conftest import static_server


@pytest.fixture
def page(browser, demo):
    with static_server(demo / "_site") as base:
        context = browser.new_context()
        tab = context.new_page()
        tab.base = base
        yield tab
        context.close()


def search(page, query: str = "", params: str = "") -> list[str]:
    page.goto(f"{page.base}search/?{params}")
    if query:
        page.fill("#search-input", query)
    expected = f"“{query}”" if query else "paper"
    page.wait_for_function("t => document.querySelector('#search-status').textContent.includes(t)",
                           arg=expected)
    return page.eval_on_selector_all("#search-results .row-title a", "links => links.map(a => a.textContent)")


def test_a_word_from_one_abstract_finds_that_paper_first(page):
    titles = search(page, "CHiSafetyBench")
    assert titles[0] == "Safety Evaluation of DeepSeek Models in Chinese Contexts"
    assert page.text_content("#search-status") == "1 paper for “CHiSafetyBench”."


def test_the_tag_filter_narrows_the_results(page, demo):
    everything = search(page, "DeepSeek")
    page.check("#search-filters input[data-filter=tag][value=moe]")
    page.wait_for_function("n => !document.querySelector('#search-status').textContent.startsWith(n + ' ')",
                           arg=str(len(everything)))
    narrowed = page.eval_on_selector_all("#search-results .row-title a",
                                         "links => links.map(a => a.textContent)")
    tagged = {e.get("title") for e in load_library(demo / "content" / "papers").entries.values()
              if "moe" in e.get("tags", [])}
    assert 0 < len(narrowed) < len(everything)
    assert set(narrowed) <= tagged
    assert "tag=moe" in page.url


def test_a_result_link_opens_the_right_paper(page):
    titles = search(page, "theorem proving Lean")
    page.click("#search-results .row-title a >> nth=0")
    page.wait_for_load_state()
    assert page.text_content("h1") == titles[0]
    assert "/papers/" in page.url


def test_a_query_typed_while_the_index_loads_is_searched_once_it_has_loaded(page):
    """A reader who types before Pagefind has loaded (a slow link, a busy machine) gets the
    results of what they typed, not an emptied box."""
    held = []
    page.route("**/pagefind.js", lambda route: held.append(route))
    page.goto(f"{page.base}search/")
    page.wait_for_function("() => document.readyState === 'complete'")
    page.fill("#search-input", "CHiSafetyBench")
    page.wait_for_timeout(300)
    assert held, "the index script was not asked for"
    held[0].continue_()
    page.wait_for_function("t => document.querySelector('#search-status').textContent.includes(t)",
                           arg="“CHiSafetyBench”")
    assert page.input_value("#search-input") == "CHiSafetyBench"
    first = page.eval_on_selector_all("#search-results .row-title a",
                                      "links => links.map(a => a.textContent)")
    assert first[0] == "Safety Evaluation of DeepSeek Models in Chinese Contexts"
