"""Hostile abstracts and notes in Chromium: no dialog opens on load or on clicking any link."""

from __future__ import annotations

import datetime as dt

import yaml
from playwright.sync_api import Error as PlaywrightError

from ..conftest import make_site, run, static_server
from ..hostile.checks import LATEX_ATTRIBUTES, LATEX_HTML, NOTE_LINKS
from .browsing import block_external


def goto_settled(page, url: str) -> None:
    """``page.goto(url)``, after any navigation a click started has run its course (a click
    does not wait for the navigation it starts, and a new one would interrupt it)."""
    for _ in range(3):
        try:
            page.goto(url)
            return
        except PlaywrightError as exc:
            if "interrupted by another navigation" not in str(exc):
                raise
            page.wait_for_load_state()
    page.goto(url)


def test_no_dialog_fires_on_load_or_on_any_link(browser, tmp_path):
    root = make_site(tmp_path / "site")
    papers = {}
    for index, source in enumerate(LATEX_HTML + LATEX_ATTRIBUTES + NOTE_LINKS):
        slug = f"hostile-{index}"
        meta = {"title": f"Hostile {index}", "date": dt.date(2025, 3, 3), "status": "to-read",
                "abstract": source if source.startswith(("$", "<")) else "Plain.", "tags": ["safety"]}
        text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + source + "\n"
        (root / "content" / "papers" / f"{slug}.md").write_text(text, encoding="utf-8")
        papers[slug] = source
    result = run(root, "build", "--no-search")
    assert result.exit_code == 0, result.output
    context = browser.new_context()
    block_external(context)
    dialogs: list[str] = []
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
        with static_server(root / "_site") as home:
            clicked = 0
            for slug, source in papers.items():
                url = f"{home}papers/{slug}/"
                goto_settled(page, url)
                page.wait_for_timeout(50)
                links = page.locator(".abstract a, .notes a")
                for number in range(links.count()):
                    if page.url != url:
                        goto_settled(page, url)
                    page.locator(".abstract a, .notes a").nth(number).click(no_wait_after=True, timeout=2000)
                    page.wait_for_timeout(50)
                    clicked += 1
                assert dialogs == [], source
            assert clicked >= len(NOTE_LINKS) - 3  # (two are images, one is text): links, harmless
    finally:
        context.close()
