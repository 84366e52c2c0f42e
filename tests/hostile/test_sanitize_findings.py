"""Findings of an attack on the sanitising boundary and the notes' renderer (issue 10, items
1, 2, 16, 17): each test fails today for the reason its docstring gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]


def traced_steps(renderer, note: str) -> int:
    """Python lines run to render ``note`` (deterministic, unlike a time; C code counts zero)."""
    steps = [0]

    def step(frame, event, arg):
        steps[0] += 1
        return step

    sys.settrace(step)
    try:
        renderer.render(note)
    finally:
        sys.settrace(None)
    return steps[0]


@pytest.mark.parametrize("unit", ["[", "![", "[](", "[ ", "see [a ", "[](" + "(" * 3 + ")"],
                         ids=["brackets", "image-openers", "open-links", "spaced-brackets",
                              "prose-brackets", "links-closed-late"])
def test_unclosed_link_brackets_render_in_linear_time(unit):
    """Item 16: a note (one block, under BLOCK_LIMIT, so not cut) of unclosed link openers took
    work quadratic in its length: 4,000 '[' ~9 s, 20,000 ~4 min, stalling every build. Twice
    the openers must take about twice the work."""
    from generator.site.notes import NotesRenderer

    renderer = NotesRenderer()
    renderer.render(unit * 10)  # converters made, caches warm
    small, large = (traced_steps(renderer, unit * count + "x") for count in (1000, 2000))
    assert large / small < 2.5, f"twice the text took {large / small:.1f} times the work"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='[]()!x "\'<>:/.^1\n', max_size=120))
@example("[]('(")  # a title that never closes, and no ')': still a link to Python-Markdown
@example('x []("( y')
def test_links_render_exactly_as_python_markdown_renders_them(text):
    """The linear bracket search finds the links Python-Markdown's own search finds."""
    from unittest import mock

    from generator.site.notes import NotesRenderer

    note = text + "\n\n[x]: https://example.org/x\n[1]: https://example.org/1\n"
    bounded = NotesRenderer().render(note, every_extension=True)
    with mock.patch("generator.site.notes.bound_links", lambda md: None):
        plain = NotesRenderer().render(note, every_extension=True)
    assert bounded == plain


SIZE_ATTRIBUTES = ("width", "height", "depth", "lspace", "rspace", "voffset", "minsize", "maxsize",
                   "mathsize", "linethickness")


def _em(value: str) -> float:
    """A MathML length in em (px and pt at 16 px to the em; other units as em, roughly)."""
    import re

    match = re.fullmatch(r"\s*(-?[\d.]+)\s*([a-z%]*)\s*", value)
    if not match:
        return 0.0
    number, unit = float(match[1]), match[2]
    return {"px": number / 16, "pt": number / 12, "in": number * 6, "cm": number * 2.4,
            "mm": number * 0.24, "pc": number, "mu": number / 18, "%": 0.0}.get(unit, number)


@pytest.mark.parametrize("tex", [
    r"$\rule{1em}{9999em}$",        # a bar 160,000 px tall: the page becomes blank below it
    r"$\rule{9999em}{1em}$",        # and as wide: the page scrolls sideways for ever
    r"$\hspace{9999em}$",
    r"$\left(\rule{1em}{9999em}\right)$",
    r"$a \above 9999999999em b$",  # linethickness is checked only as a 40-character token:
])                                 # a fraction bar 33,554,432 px thick, the page is black below
def test_latex_sizes_from_input_cannot_blow_up_the_page(tex):
    """Item 1 ("\\style ... puts arbitrary CSS on the page"; "unknown commands never emit
    attributes from input"): \\rule, \\hspace and \\kern copy the input's length into MathML
    width/height unbounded (the boundary's length pattern allows 4 digits, 9999em), so one
    abstract from a dump makes the abstract 160,000 px tall in Chromium, pushing the notes and
    the citation off the page; ``\above`` puts any 40-character length in ``mfrac
    linethickness`` (only ``_TOKEN`` checks it): a black bar 33,554,432 px thick.
    Lengths from input stay within a sane bound (here 100em)."""
    from bs4 import BeautifulSoup

    from generator.site.markup import text_html
    from generator.site.notes import NotesRenderer

    for html in (text_html(f"An abstract {tex} here."), NotesRenderer().render(f"A note {tex} here.")):
        for element in BeautifulSoup(html, "html.parser").find_all(True):
            for name in SIZE_ATTRIBUTES:
                if name in element.attrs:
                    assert abs(_em(element[name])) <= 100, f"{element.name} {name}={element[name]!r}: {html}"


@pytest.mark.parametrize("name", ["a?b#c", "x#y", "q?x"])
def test_every_link_to_a_paper_reaches_its_page_whatever_the_file_name(site, name):
    """A file name is an input too: ``content/papers/a?b#c.md`` passes ``check`` with no word
    about its name, and the build links to ``/papers/a?b#c/`` unencoded: the browser asks for
    ``/papers/a`` with a query, a 404 (the same in papers.json, the feeds and
    sitemap.xml). Either the name is refused (check and build, file:line) or
    every link is percent-encoded so that it reaches the page."""
    from urllib.parse import unquote, urlsplit

    from bs4 import BeautifulSoup

    from ..conftest import run

    (site / "content" / "papers" / f"{name}.md").write_text(
        "---\ntitle: A paper\nstatus: read\nadded: 2025-01-01\ndate: 2025-01-01\n---\nnotes\n",
        encoding="utf-8")
    result = run(site, "build", "--no-search")
    if result.exit_code != 0:  # refused: fine, if it says which file
        assert f"{name}.md" in result.output
        return
    out = site / "_site"
    home = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in home.select(".paper-list a[href]") if "/papers/" in a["href"]]
    assert links, home
    for href in links:
        parts = urlsplit(href)
        assert not parts.query and not parts.fragment, href
        target = out / unquote(parts.path).lstrip("/") / "index.html"
        assert target.is_file(), f"{href} reaches no page ({target})"


@pytest.mark.parametrize("tex", [
    r"$\raise{40em}{\text{Retracted: see evil.example}}$",
    r"$\lower{40em}{\text{FAKE}}$",
    r"$\raise{9999em}{X}$",
])
def test_latex_cannot_move_text_out_of_the_abstract(tex):
    """Item 1 (no positioning from input): ``\\raise``/``\\lower`` copy the input's length into
    ``mpadded voffset``; in Chromium ``\\raise{40em}{\\text{...}}`` in an abstract draws that text
    640 px above the abstract, over the paper's title, facts and read links (measured: the
    section at y=1008, the text at y=371), so a dump can overlay spoofed text anywhere above
    or below the abstract. Offsets from input stay within the line (here at most 1em)."""
    from bs4 import BeautifulSoup

    from generator.site.markup import text_html
    from generator.site.notes import NotesRenderer

    for html in (text_html(f"An abstract {tex} here."), NotesRenderer().render(f"A note {tex} here.")):
        for element in BeautifulSoup(html, "html.parser").find_all(True):
            for name in ("voffset", "height", "depth", "lspace"):
                if name in element.attrs:
                    assert abs(_em(element[name])) <= 1, f"{element.name} {name}={element[name]!r}: {html}"


@pytest.mark.parametrize("kind,source", [
    ("note", "A note with an escaped ESC &#27; here."),
    ("note", "A note with &#x0B; and &#xFFFE; and &#1;."),
    ("abstract", r"An abstract $\unicode{x1B}$ with math."),
    ("note", r"A note $\unicode{xB}$ with math."),
])
def test_character_references_do_not_bring_control_characters_back(site, kind, source):
    """Item 17: ``clean_html`` strips control characters *before* parsing, but the parse turns
    numeric character references into characters: ``&#27;`` in a note (Python-Markdown keeps
    references) or ``\\unicode{x1B}`` in math (latex2mathml writes ``&#x1B;``) puts a raw ESC,
    VT, U+FFFE or SOH on the published page (the page is not well-formed XHTML, and the
    promise "control characters reach no page" breaks). Strip after cleaning too."""
    import yaml

    from generator.site.sanitize import CONTROL

    from ..conftest import run

    meta = {"title": "Refs", "date": "2025-03-03", "status": "to-read", "added": "2026-11-20"}
    notes = "notes\n"
    if kind == "abstract":
        meta["abstract"] = source
    else:
        notes = source + "\n"
    (site / "content" / "papers" / "refs.md").write_text(
        "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n" + notes, encoding="utf-8")
    result = run(site, "build", "--no-search")
    assert result.exit_code == 0, result.output
    page = (site / "_site" / "papers" / "refs" / "index.html").read_text(encoding="utf-8")
    found = sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(page)})
    assert not found, f"control characters on the page: {found}"
