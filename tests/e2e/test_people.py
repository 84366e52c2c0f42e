"""Author and organisation pages in the browser, under / and under /REPO/: from a paper to its
authors and organisation and back, and the authors' initial-letter index."""

from __future__ import annotations

from .conftest import AUTHORS, NOTES_PAPER, ORG_NAME, ORG_PAPER, READ_PAPER


def test_an_author_on_a_paper_page_leads_to_their_papers_newest_first(tab):
    tab.goto(f"{tab.home}papers/{NOTES_PAPER}/")
    names = tab.page.eval_on_selector_all(".facts .authors a", "as => as.map(a => a.textContent)")
    assert names == AUTHORS
    tab.page.click(f".facts .authors a:text-is('{AUTHORS[0]}')")
    assert tab.page.url == f"{tab.home}authors/ada-lovelace/"
    assert tab.page.text_content("h1") == AUTHORS[0]
    rows = tab.page.eval_on_selector_all(".row-title a", "as => as.map(a => a.href)")
    assert sorted(rows) == sorted(f"{tab.home}papers/{slug}/" for slug in (NOTES_PAPER, READ_PAPER))
    feed = tab.page.eval_on_selector("link[rel=alternate][href$='ada-lovelace/feed.xml']", "l => l.href")
    answer = tab.page.request.get(feed)
    assert answer.ok and AUTHORS[0] in answer.text()


def test_the_authors_index_jumps_to_a_letter_and_counts_papers(tab):
    tab.goto(f"{tab.home}authors/")
    letters = tab.page.eval_on_selector_all(".letter-index a", "as => as.map(a => a.textContent)")
    assert letters == ["A", "E", "G"]  # É is indexed under E
    tab.page.click(".letter-index a:text-is('E')")
    assert tab.page.url.endswith("#letter-e")
    assert tab.page.locator("#letter-e").is_visible()
    counts = dict(tab.page.eval_on_selector_all(".author-index li", "ls => ls.map(l => [l.querySelector('a')"
                                                ".textContent, l.querySelector('.count').textContent])"))
    assert counts == {"Ada Lovelace": "2 papers", "Émilie du Châtelet": "2 papers", "Grace Hopper": "1 paper"}


def test_an_organisation_links_from_its_paper_to_its_page_which_links_to_hugging_face(tab):
    tab.goto(f"{tab.home}papers/{ORG_PAPER}/")
    tab.page.click(f".facts a:text-is('{ORG_NAME}')")
    assert tab.page.url == f"{tab.home}orgs/allenai-software/"
    assert tab.page.get_attribute(".lede a[href^='https://huggingface.co/']", "href") == \
        "https://huggingface.co/allenai-software"
    assert tab.page.locator(".row-title a").count() == 1
