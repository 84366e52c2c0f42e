"""``serve`` with search, in a real browser: a search page left open finds the words of a note
saved after it was opened, without the reader reloading it (the server refreshes the index in
the background, then tells open search pages to search again)."""

from __future__ import annotations

import os

from tests.conftest import run, seed_paths
from tests.preview.test_serve import serving

WORD = "zanzibarquokka"


def test_an_open_search_page_finds_the_words_of_a_note_saved_after_it_opened(browser, site):
    assert run(site, "import", *map(str, seed_paths(site))).exit_code == 0
    with serving(site, "--port", "0") as (url, _process, lines):
        context = browser.new_context()
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{url}search/?q={WORD}")
        page.wait_for_function("t => document.querySelector('#search-status').textContent.includes(t)",
                               arg=f"“{WORD}”")
        assert page.eval_on_selector_all("#search-results li", "items => items.length") == 0
        (path,) = (site / "content" / "papers").glob("deepseekmoe-*.md")
        saved = path.with_name(".saving.tmp")  # saved as editors do: a new file renamed over the old
        saved.write_text(path.read_text(encoding="utf-8") + f"\nThe {WORD} of expert routing.\n",
                         encoding="utf-8")
        os.replace(saved, path)
        page.wait_for_function("() => document.querySelectorAll('#search-results .row-title a').length > 0",
                               timeout=30_000)
        titles = page.eval_on_selector_all("#search-results .row-title a",
                                           "links => links.map(link => link.textContent)")
        assert len(titles) == 1 and "DeepSeekMoE" in titles[0], titles
        assert page.input_value("#search-input") == WORD
        assert errors == [], errors
        context.close()
    assert not any("search index not refreshed" in line for line in lines), lines
