"""One sanitising boundary: hostile abstracts and notes never put script, handlers, style or
script-running links on a page or in a feed, and no note stalls or stops the build."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from generator.site.markup import text_html
from generator.site.notes import BLOCK_LIMIT, NotesRenderer, bounded_blocks

from ..conftest import run
from .checks import CONTROL, LATEX_ATTRIBUTES, LATEX_HTML, NOTE_LINKS, fragment_problems, url_scheme

ATOM = "{http://www.w3.org/2005/Atom}"

def renders(source: str) -> list[str]:
    """``source`` as an abstract and as a note."""
    return [text_html(source), NotesRenderer().render(source)]


@pytest.mark.parametrize("source", LATEX_HTML)
def test_html_inside_latex_or_text_stays_text(source):
    for html in renders(source):
        assert fragment_problems(html) == [], html
        page = BeautifulSoup(html, "html.parser")
        assert not page.find(["script", "svg", "img", "iframe", "details", "b", "i"]), html
    if "<" in source and "&lt;" not in source:  # the argument is shown, as text
        shown = source[source.index("<"):source.index(">") + 1]
        for html in renders(source):  # (math text shows spaces as no-break spaces)
            assert shown in BeautifulSoup(html, "html.parser").get_text().replace("\xa0", " ")


@pytest.mark.parametrize("source", LATEX_ATTRIBUTES)
def test_latex_commands_never_set_attributes_from_input(source):
    for html in renders(source):
        assert fragment_problems(html) == [], html
        for element in BeautifulSoup(html, "html.parser").find_all(True):
            for name, value in element.attrs.items():
                value = " ".join(value) if isinstance(value, list) else value
                assert name not in ("style", "href", "class", "id", "mathcolor", "mathbackground"), html
                assert not any(word in value for word in ("position", "url(", "javascript", "1e9")), html


@pytest.mark.parametrize("note", NOTE_LINKS)
def test_note_links_only_use_safe_schemes(note):
    html = NotesRenderer().render(note)
    assert fragment_problems(html) == [], html
    for element in BeautifulSoup(html, "html.parser").find_all(["a", "img"]):
        for name in ("href", "src"):
            assert url_scheme(element.get(name, "")) in (None, "http", "https", "mailto"), html


def test_safe_links_keep_working_and_external_ones_do_not_hand_over_the_page():
    html = NotesRenderer().render(
        "See [the paper](https://arxiv.org/abs/2401.06066 \"DeepSeekMoE\"), [a page](../other/), "
        "<mailto:me@example.org>, [^1] and ![fig](https://example.org/f.png).\n\n[^1]: A footnote.")
    assert fragment_problems(html) == []
    page = BeautifulSoup(html, "html.parser")
    links = {a["href"]: a for a in page.find_all("a")}
    assert {"https://arxiv.org/abs/2401.06066", "../other/", "mailto:me@example.org"} <= set(links)
    assert links["https://arxiv.org/abs/2401.06066"]["title"] == "DeepSeekMoE"
    assert {"noopener", "noreferrer"} <= set(links["https://arxiv.org/abs/2401.06066"]["rel"])
    assert page.select_one("sup a.footnote-ref")["href"].startswith("#fn:")
    assert page.select_one("div.footnote li")["id"].startswith("fn:")
    assert page.find("img")["src"] == "https://example.org/f.png"


def test_math_keeps_its_own_markup():
    html = text_html(r"Loss $\frac{a}{b} + \mathrm{d}x^n \quad \hat{x}$ and $\textit{italic}$ and "
                     r"$\begin{array}{cc} a & b \end{array}$ and $x\textbf{bold}$.")
    assert fragment_problems(html) == []
    page = BeautifulSoup(html, "html.parser")
    assert page.find("mfrac") and page.find("mspace")["width"] == "1em" and page.find("em")
    assert page.find("mover")["accent"] == "true"
    assert page.find("mtd")["columnalign"] == "center"
    assert page.find("mtext", style="font-weight:bold").get_text() == "bold"


def inline_work(monkeypatch, text: str) -> int:
    """Characters Python-Markdown's inline pass goes over to render ``text`` as a note: it
    scans and rebuilds a paragraph's whole text for every match in it."""
    from markdown.treeprocessors import InlineProcessor

    apply, seen = InlineProcessor._InlineProcessor__applyPattern, [0]

    def counting(self, pattern, data, index, start=0):
        seen[0] += len(data) - start
        return apply(self, pattern, data, index, start)

    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__applyPattern", counting)
    NotesRenderer().render(text)
    monkeypatch.undo()
    return seen[0]


def test_one_long_paragraph_renders_in_linear_time(monkeypatch):
    """Item 16: twice the paragraph, twice the work (it was four times: quadratic)."""
    unit = "$x^2$ and *emph* with `code` -- 'quoted' [link](https://e.org) "
    small, large = (inline_work(monkeypatch, unit * count) for count in (1300, 2600))  # 80, 160 KB
    assert large / small < 2.5, f"twice the text took {large / small:.1f} times the work"


def test_long_blocks_are_cut_into_paragraphs_no_longer_than_the_limit():
    text = "word " * 30_000 + "\n\n" + "short paragraph\n" + "line of text\n" * 4000
    for block in bounded_blocks(text).split("\n\n"):
        assert len(block) <= BLOCK_LIMIT
    assert bounded_blocks(text).split() == text.split()  # no word lost or split
    assert bounded_blocks("a short note\n\nstays") == "a short note\n\nstays"


@pytest.mark.parametrize("note", [
    ">" * 10_000 + " deep",
    "\n".join("  " * i + "- deep" for i in range(2_000)),
    "> " * 5_000 + "deep",
])
def test_deep_nesting_renders_as_text_instead_of_crashing(note):
    html = NotesRenderer().render(note)
    assert fragment_problems(html) == []
    assert "deep" in BeautifulSoup(html, "html.parser").get_text()


def write_entry(site: Path, slug: str, meta: dict, notes: str) -> Path:
    path = site / "content" / "papers" / f"{slug}.md"
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + notes,
                    encoding="utf-8")
    return path


def test_control_characters_reach_no_page_and_no_feed(site):
    """Item 17: ESC, backspace and NUL in an abstract, a note or a title do not stop the build."""
    write_entry(site, "controls", {
        "title": "Control\x1b[31m title\x08", "date": "2025-03-03", "tags": ["safety"],
        "status": "to-read", "added": "2026-11-20", "comment": "a\x00comment",
        "abstract": "An abstract with ESC \x1b[2J, backspace \x08 and NUL \x00 and math $x\x1b^2$.",
    }, "Notes with \x1b[1m bold \x08 and \x00 and $y\x07$ and a quote\n\n> \x0c quoted\n")
    result = run(site, "build", "--no-search")
    assert result.exit_code == 0, result.output
    out = site / "_site"
    page = (out / "papers" / "controls" / "index.html").read_text(encoding="utf-8")
    assert not CONTROL.search(page)
    paper = BeautifulSoup(page, "html.parser")
    for section in paper.select(".abstract, .notes"):
        assert fragment_problems(section.decode_contents()) == []
    assert "quoted" in paper.select_one(".notes").get_text()
    for feed_path in (out / "feed.xml", *out.glob("tags/*/feed.xml")):
        feed = ET.parse(feed_path).getroot()  # it parses: no character XML forbids
        for entry in feed.findall(f"{ATOM}entry"):
            assert fragment_problems(entry.find(f"{ATOM}content").text or "") == []
    assert "Control[31m title" in [e.find(f"{ATOM}title").text for e in
                                   ET.parse(out / "feed.xml").getroot().findall(f"{ATOM}entry")]


def test_hostile_abstract_and_notes_are_safe_on_the_page_and_in_the_feed(site):
    write_entry(site, "hostile", {
        "title": "Hostile", "date": "2025-03-03", "status": "to-read", "added": "2026-11-20",
        "abstract": " ".join(LATEX_HTML + LATEX_ATTRIBUTES),
    }, "\n\n".join(NOTE_LINKS + LATEX_HTML) + "\n")
    result = run(site, "build", "--no-search")
    assert result.exit_code == 0, result.output
    out = site / "_site"
    paper = BeautifulSoup((out / "papers" / "hostile" / "index.html").read_text(), "html.parser")
    sections = paper.select(".abstract, .notes")
    assert len(sections) == 2
    for section in sections:
        assert fragment_problems(section.decode_contents()) == []
    entry = ET.parse(out / "feed.xml").getroot().find(f"{ATOM}entry")
    assert fragment_problems(entry.find(f"{ATOM}content").text) == []


def test_policy_key_changes_with_what_the_boundary_allows(monkeypatch):
    from generator.site import sanitize

    before = sanitize.policy_key()
    sanitize.policy_key.cache_clear()
    monkeypatch.setattr(sanitize, "URL_SCHEMES", sanitize.URL_SCHEMES | {"javascript"})
    try:
        assert sanitize.policy_key() != before
    finally:
        sanitize.policy_key.cache_clear()
