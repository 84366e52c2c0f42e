"""The search page as a visitor uses it, under / and under /REPO/: queries, filters, the browse
mode, sorting, result links, and the keyboard alone."""

from __future__ import annotations

import re

from .browsing import Visit, press_tab_until
from .conftest import ORG_NAME, ORG_PAPER

STATUS = "#search-status"
RESULT_LINKS = "#search-results .row-title a"
ONE_ABSTRACT_WORD = "H800"


def open_search(tab: Visit, params: str = "") -> None:
    tab.goto(f"{tab.home}search/{'?' + params if params else ''}",
             ready=f"() => document.querySelector('{STATUS}').textContent !== ''")


def wait_status(tab: Visit, pattern: str) -> str:
    tab.page.wait_for_function("([sel, p]) => new RegExp(p).test(document.querySelector(sel).textContent)",
                               arg=[STATUS, pattern], timeout=15_000)
    return tab.page.text_content(STATUS)


def result_titles(tab: Visit) -> list[str]:
    return tab.page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.textContent)")


def all_results(tab: Visit) -> list[str]:
    """Every result's title, pressing "Show more results" until it goes away."""
    more = tab.page.locator("#search-more")
    while more.is_visible():
        count = len(result_titles(tab))
        more.click()
        tab.page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n",
                                   arg=[RESULT_LINKS, count])
    return result_titles(tab)


def count_in(status: str) -> int:
    return int(re.match(r"(\d+) papers?", status).group(1))


def titles(library, keep) -> set[str]:
    return {e.get("title") or f"arXiv:{e.get('arxiv')}" for e in library.entries.values() if keep(e)}


def test_a_word_from_one_abstract_finds_that_paper(tab, sites):
    library = sites.library()
    expected = titles(library, lambda e: ONE_ABSTRACT_WORD.lower() in (e.get("abstract") or "").lower())
    assert len(expected) == 1
    open_search(tab)
    tab.page.fill("#search-input", ONE_ABSTRACT_WORD)
    assert wait_status(tab, "for “") == f"1 paper for “{ONE_ABSTRACT_WORD}”."
    assert set(result_titles(tab)) == expected
    assert f"q={ONE_ABSTRACT_WORD}" in tab.page.url


def test_an_organisation_name_finds_its_paper_and_offers_its_filter(tab, sites):
    entry = sites.library().entries[ORG_PAPER]
    open_search(tab, "q=" + ORG_NAME.split()[0])
    wait_status(tab, "for “")
    assert result_titles(tab) == [entry.get("title")]
    assert tab.page.is_visible(f"#search-filters input[data-filter=org][value='{ORG_NAME}']")


def test_a_tag_filter_lists_exactly_that_tags_papers(tab, sites):
    tagged = titles(sites.library(), lambda e: "theorem-proving" in e.get("tags", []))
    open_search(tab)
    tab.page.check("#search-filters input[data-filter=tag][value=theorem-proving]")
    status = wait_status(tab, "matching the filters")
    assert count_in(status) == len(tagged) and set(all_results(tab)) == tagged
    assert "tag=theorem-proving" in tab.page.url


def test_a_status_filter_combines_with_a_query(tab, sites):
    library = sites.library()
    read = titles(library, lambda e: e.get("status") == "read")
    open_search(tab, "q=DeepSeek")
    everything = count_in(wait_status(tab, "for “"))
    tab.page.check("#search-filters input[data-filter=status][value=Read]")
    tab.page.wait_for_function("([sel, n]) => !document.querySelector(sel).textContent.startsWith(n + ' ')",
                               arg=[STATUS, str(everything)])
    narrowed = all_results(tab)
    assert 0 < len(narrowed) < everything and set(narrowed) <= read
    assert "status=Read" in tab.page.url


def test_an_empty_query_with_a_filter_in_the_url_browses_every_match_newest_first(tab, sites):
    library = sites.library()
    to_read = [e for e in library.entries.values() if e.get("status") == "to-read"]
    open_search(tab, "status=To+read&sort=date:desc")
    status = wait_status(tab, "matching the filters")
    assert status == f"{len(to_read)} papers matching the filters."
    shown = all_results(tab)
    assert set(shown) == titles(library, lambda e: e.get("status") == "to-read")
    dates = tab.page.eval_on_selector_all("#search-results .row-meta span:first-child",
                                          "spans => spans.map(s => s.textContent)")
    assert len(dates) == len(shown)
    assert tab.page.input_value("#search-sort") == "date:desc"
    newest = sorted((e for e in to_read if e.get("date")), key=lambda e: e.get("date"), reverse=True)
    assert shown[0] == newest[0].get("title")


def test_no_query_and_no_filter_invites_a_search(tab):
    open_search(tab)
    assert tab.page.text_content(STATUS) == "Type to search, or pick a filter to browse."
    assert result_titles(tab) == []


def test_a_result_link_opens_that_paper_under_the_base(tab, base):
    open_search(tab, "q=theorem proving")
    wait_status(tab, "for “")
    first = tab.page.locator(RESULT_LINKS).first
    title, href = first.text_content(), first.get_attribute("href")
    first.click()
    tab.page.wait_for_url(f"**{href}")
    assert tab.page.text_content("h1") == title
    assert tab.page.url.startswith(f"{tab.home}papers/")


def test_the_keyboard_alone_reaches_the_box_searches_and_opens_a_result(tab):
    open_search(tab)
    assert press_tab_until(tab.page, "#search-input") <= 8
    tab.page.keyboard.type("reasoning")
    tab.page.keyboard.press("Enter")
    wait_status(tab, "for “reasoning”")
    focused_before = tab.page.evaluate("() => document.activeElement.id")
    assert focused_before == "search-input"
    press_tab_until(tab.page, RESULT_LINKS)
    title = tab.page.evaluate("() => document.activeElement.textContent")
    visible_focus = tab.page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert visible_focus != "none"
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url("**/papers/**")
    assert tab.page.text_content("h1") == title
