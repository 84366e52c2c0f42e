"""A paper page in the browser, under / and under /REPO/: where its links go, copying its BibTeX,
and reaching both with the keyboard."""

from __future__ import annotations

from urllib.parse import quote_plus

import bibtexparser
import pytest

from .browsing import press_tab_until
from .conftest import NOTES_PAPER, ORG_PAPER, open_tab

COPY = "button.copy"


def paper_url(tab, slug: str) -> str:
    return f"{tab.home}papers/{slug}/"


def bibtex_of(tab) -> str:
    return tab.page.text_content(".cite code")


def test_a_paper_with_an_arxiv_id_links_to_its_abstract_pdf_html_hugging_face_doi_and_code(tab, sites):
    arxiv = sites.library().entries[NOTES_PAPER].get("arxiv")
    tab.goto(paper_url(tab, NOTES_PAPER))
    links = tab.page.eval_on_selector_all(".read-links a", "as => as.map(a => [a.textContent, a.href])")
    assert links == [
        ["arXiv abstract", f"https://arxiv.org/abs/{arxiv}"],
        ["PDF", f"https://arxiv.org/pdf/{arxiv}"],
        ["HTML", f"https://arxiv.org/html/{arxiv}"],
        ["Hugging Face", f"https://huggingface.co/papers/{arxiv}"],
        ["DOI", "https://doi.org/10.1145/3695053.3731412"],
        ["Code", "https://github.com/deepseek-ai/3FS"],
    ]
    assert tab.page.text_content(".venue dd") == "Proceedings of ISCA 2025"
    entry = bibtexparser.parse_string(bibtex_of(tab)).entries[0]
    assert entry.entry_type == "inproceedings" and entry.fields_dict["doi"].value == "10.1145/3695053.3731412"


def test_a_paper_without_an_id_links_to_title_searches(tab, sites):
    title = sites.library().entries[ORG_PAPER].get("title")
    tab.goto(paper_url(tab, ORG_PAPER))
    links = tab.page.eval_on_selector_all(".read-links a", "as => as.map(a => [a.textContent, a.href])")
    assert links == [
        ["Find on arXiv", f"https://arxiv.org/search/?query={quote_plus(title)}&searchtype=title"],
        ["Find on Hugging Face", f"https://huggingface.co/papers?q={quote_plus(title)}"],
    ]


def test_the_copy_button_puts_the_bibtex_entry_on_the_clipboard(new_context, servers, base, sites):
    context = new_context("light", "desktop", permissions=["clipboard-read", "clipboard-write"])
    for tab in open_tab(context, servers[base]):
        tab.goto(paper_url(tab, NOTES_PAPER))
        tab.page.click(COPY)
        tab.page.wait_for_function("() => document.querySelector('.copy-status').textContent === 'Copied.'")
        copied = tab.page.evaluate("() => navigator.clipboard.readText()")
        assert copied == bibtex_of(tab)
        entry = bibtexparser.parse_string(copied).entries[0]
        arxiv = sites.library().entries[NOTES_PAPER].get("arxiv")
        assert entry.key == NOTES_PAPER and entry.fields_dict["eprint"].value == arxiv


def test_where_copying_is_refused_the_button_selects_the_entry_instead(new_context, servers, base):
    context = new_context("light", "desktop")
    context.add_init_script("navigator.clipboard.writeText = () => Promise.reject(new Error('denied'))")
    for tab in open_tab(context, servers[base]):
        tab.goto(paper_url(tab, NOTES_PAPER))
        tab.page.click(COPY)
        tab.page.wait_for_function(
            "() => document.querySelector('.copy-status').textContent.startsWith('Selected')")
        assert tab.page.evaluate("() => getSelection().toString()").strip() == bibtex_of(tab).strip()


@pytest.mark.parametrize("base", ["root"], indirect=True)
def test_the_keyboard_alone_skips_to_the_content_and_copies_the_entry(new_context, servers, base):
    context = new_context("dark", "phone", permissions=["clipboard-read", "clipboard-write"])
    for tab in open_tab(context, servers[base]):
        tab.goto(paper_url(tab, NOTES_PAPER))
        assert press_tab_until(tab.page, ".skip-link") == 1
        skip = tab.page.locator(".skip-link").bounding_box()
        assert skip["y"] >= 0 and skip["x"] >= 0  # shown on screen while focused
        tab.page.keyboard.press("Enter")
        assert tab.page.evaluate("() => document.activeElement.id") == "main"
        press_tab_until(tab.page, COPY)
        tab.page.keyboard.press("Enter")
        tab.page.wait_for_function("() => document.querySelector('.copy-status').textContent === 'Copied.'")
        assert tab.page.evaluate("() => navigator.clipboard.readText()") == bibtex_of(tab)


def test_notes_render_math_tables_code_and_footnotes(tab):
    tab.goto(paper_url(tab, NOTES_PAPER))
    notes = tab.page.locator(".notes")
    assert notes.locator("math").count() >= 3 and notes.locator("table").count() == 1
    assert notes.locator("pre code").count() == 1 and notes.locator(".footnote").count() == 1
    assert "<b>raw tag</b>" in notes.text_content()


@pytest.mark.parametrize("base", ["root"], indirect=True)
def test_a_wide_table_in_the_notes_scrolls_inside_itself_and_takes_focus_only_when_it_must(
        new_context, servers, base):
    for viewport, scrolls in (("phone", True), ("desktop", False)):
        for tab in open_tab(new_context("light", viewport), servers[base]):
            tab.goto(paper_url(tab, NOTES_PAPER))
            table = tab.page.locator(".notes table")
            tab.page.wait_for_function("scrolls => (document.querySelector('.notes table').tabIndex === 0)"
                                       " === scrolls", arg=scrolls)
            assert table.evaluate("t => t.scrollWidth > t.clientWidth") is scrolls
            assert tab.page.evaluate("() => document.documentElement.scrollWidth") == \
                tab.page.viewport_size["width"]
