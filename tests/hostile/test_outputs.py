"""Outputs that must hold whatever the text: BibTeX, sitemap and og:url, template and URL errors."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import bibtexparser
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.site.bibtex import bibtex_entry
from generator.site.exports import bib_file

from ..conftest import run

# Text as dumps bring it: BibTeX and LaTeX specials, braces in any balance, control characters.
HOSTILE = st.text(alphabet=st.one_of(st.sampled_from(list("{}\\%#&$~^_@\"',= \t\n\r\x00\x08\x1b\x7f")),
                                     st.characters(codec="utf-8", exclude_categories=("Cs",))),
                  max_size=40)
LATEX = {"textbraceleft": "{", "textbraceright": "}", "textbackslash": "\\", "textasciitilde": "~",
         "textasciicircum": "^"}


def latex_text(value: str) -> str:
    """What a LaTeX reader makes of a BibTeX field value: escapes undone, grouping braces dropped."""
    out, i = [], 0
    while i < len(value):
        char = value[i]
        command = re.match(r"\\([a-z]+)\{\}|\\(.)", value[i:])
        if command:
            out.append(LATEX[command[1]] if command[1] else command[2])
            i += command.end()
        else:
            assert char not in "\\", value  # every backslash starts an escape
            if char not in "{}":
                out.append(char)
            i += 1
    return "".join(out)


def plain(text: str) -> str:
    """The text a field should carry: whitespace runs as one space, control characters gone."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", "", " ".join(text.split()))


def parse(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [], [b.raw for b in library.failed_blocks]
    return library


def braces_balance(value: str) -> bool:
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=HOSTILE, authors=st.lists(HOSTILE, min_size=1, max_size=3), comment=HOSTILE,
       category=HOSTILE, arxiv=st.booleans(), venue=HOSTILE, bibkey=HOSTILE, link=HOSTILE)
def test_any_text_gives_bibtex_that_parses_back_to_the_same_text(title, authors, comment, category, arxiv,
                                                                 venue, bibkey, link):
    meta = {"title": title, "authors": authors, "comment": comment, "date": dt.date(2025, 5, 14),
            "venue": venue, "bibkey": bibkey, "doi": "10.1234/" + link, "url": "https://e.org/" + link}
    if arxiv:
        meta.update(arxiv="2505.09343", categories=[category])
    entries = [bibtex_entry(f"paper-{n}", meta, "https://example.org/papers/x{y}/") for n in range(3)]
    library = parse(b"".join(bib_file(entries, ["paper-0", "paper-1", "paper-2"])).decode())
    keys = [e.key for e in library.entries]
    assert len(set(keys)) == 3 and all(re.fullmatch(r"[A-Za-z0-9_:./+-]+", key) for key in keys), keys
    fields = library.entries[0].fields_dict
    kind = {"journal", "booktitle"} & set(fields)
    assert (library.entries[0].entry_type, len(kind)) in {("misc", 0), ("article", 1), ("inproceedings", 1)}
    arxiv_fields = {"eprint", "archivePrefix", "primaryClass"} if arxiv else set()
    assert set(fields) - kind - {"doi", "url"} == {"title", "author", "year", "month", "date"} | \
        ({"note"} if plain(comment) else set()) | arxiv_fields
    for name, field in fields.items():
        assert braces_balance(field.value), (name, field.value)
        if name in ("doi", "url"):
            assert not re.search(r'[\s{}\\"]', field.value), (name, field.value)  # verbatim fields
    assert latex_text(fields["title"].value) == (plain(title) or ("arXiv:2505.09343" if arxiv else "paper-0"))
    assert [latex_text(a) for a in fields["author"].value.split(" and ")] == [plain(a) for a in authors]
    if kind:
        assert latex_text(fields[kind.pop()].value) == plain(venue)
    if "note" in fields:
        assert latex_text(fields["note"].value) == plain(comment)
    if arxiv:
        assert latex_text(fields["primaryClass"].value) == plain(category)


def write_entry(folder: Path, slug: str, front: str, body: str = "") -> None:
    (folder / "content" / "papers" / f"{slug}.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")


def test_papers_bib_and_each_paper_block_parse_with_hostile_authors(site):
    write_entry(site, "closing", "title: 'Braces } and \\'\nauthors: ['Ada}', 'Bob', 'C\\']\n"
                                 "comment: '100% of #1 & $2 ~ ^_^'\ntags: [x]\n")
    write_entry(site, "plain", "title: A plain paper\nauthors: [Dee]\narxiv: '2505.09343'\ntags: [x]\n")
    result = run(site, "build", "--no-search")
    assert result.exit_code == 0, result.output
    out = site / "_site"
    for bib in (out / "papers.bib", out / "tags" / "x" / "papers.bib"):
        library = parse(bib.read_text(encoding="utf-8"))
        assert sorted(e.key for e in library.entries) == ["closing", "plain"]
        assert all(braces_balance(f.value) for e in library.entries for f in e.fields)
    page = BeautifulSoup((out / "papers" / "closing" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    block = parse(page.find("code", id="bibtex-closing").get_text())
    entry = block.entries[0]
    for name, field in entry.fields_dict.items():  # BibTeX counts every brace, escaped or not
        assert braces_balance(field.value), (name, field.value)
    assert [latex_text(a) for a in entry.fields_dict["author"].value.split(" and ")] == ["Ada}", "Bob", "C\\"]
    assert latex_text(entry.fields_dict["note"].value) == "100% of #1 & $2 ~ ^_^"


def test_a_missing_include_names_the_template_and_line_that_includes_it(site):
    write_entry(site, "plain", "title: A plain paper\n")
    templates = site / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text('{% extends "base.html" %}\n{% block content %}\n<p>gone</p>\n'
                                        '{% include "partials/nowhere.html" %}\n{% endblock %}\n')
    result = run(site, "build", "--no-search")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    where, message = line.split(": error: ")
    assert Path(where.rsplit(":", 1)[0]).resolve() == (templates / "404.html").resolve()
    assert where.rsplit(":", 1)[1] == "4"
    assert "'partials/nowhere.html' not found" in message


@pytest.mark.parametrize(("first", "second"), [
    ("[Vision Language, vision-language]", "[vision-language]"),  # the newest file has both spellings
    ("[Vision Language]", "[vision-language]"),
])
def test_a_tag_collision_names_both_files(site, first, second):
    write_entry(site, "first", f"title: First paper\ndate: 2025-01-02\ntags: {first}\n")
    write_entry(site, "second", f"title: Second paper\ndate: 2025-01-01\ntags: {second}\n")
    result = run(site, "build", "--no-search")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "two pages would have the URL 'tags/vision-language/'" in line
    assert "'Vision Language'" in line and "'vision-language'" in line
    assert line.count("first.md") == 1 and line.count("second.md") == 1, line


def test_a_tag_spelled_two_ways_in_one_file_names_it_once(site):
    write_entry(site, "first", "title: First paper\ntags: [Vision Language, vision-language]\n")
    result = run(site, "build", "--no-search")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.count("first.md") == 1 and "'Vision Language'" in line and "'vision-language'" in line


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def og_urls(out: Path) -> dict[str, str | None]:
    """Each HTML page's og:url (None when it has none)."""
    found = {}
    for path in out.rglob("*.html"):
        if "pagefind" not in path.parts:
            meta = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find(
                "meta", property="og:url")
            found[str(path.relative_to(out))] = meta["content"] if meta else None
    return found


def absolute_under(url: str, base: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.netloc == "example.org" and url.startswith(base)


def test_a_full_base_url_gives_absolute_sitemap_robots_and_og_urls(site):
    write_entry(site, "plain", "title: A plain paper\ndate: 2025-05-14\ntags: [x]\n")
    base = "https://example.org/shelf/"
    result = run(site, "build", "--no-search", "--base-url", base)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    out = site / "_site"
    locs = [e.text for e in ET.parse(out / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    assert f"{base}papers/plain/" in locs and f"{base}tags/x/" in locs
    assert all(absolute_under(loc, base) for loc in locs), locs
    assert f"Sitemap: {base}sitemap.xml\n" in (out / "robots.txt").read_text()
    urls = og_urls(out)
    assert urls["papers/plain/index.html"] == f"{base}papers/plain/"
    assert all(url and absolute_under(url, base) for url in urls.values()), urls


@pytest.mark.parametrize("base", ["/", "/repo/", "repo"])
def test_a_base_url_without_a_host_leaves_out_sitemap_and_og_url_with_one_warning(site, base):
    write_entry(site, "plain", "title: A plain paper\ndate: 2025-05-14\ntags: [x]\n")
    assert run(site, "build", "--no-search", "--base-url", "https://example.org/").exit_code == 0
    out = site / "_site"
    assert (out / "sitemap.xml").is_file()
    result = run(site, "build", "--no-search", "--base-url", base)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "base_url" in warnings[0] and "sitemap.xml" in warnings[0], result.stderr
    assert not (out / "sitemap.xml").exists()
    assert "Sitemap" not in (out / "robots.txt").read_text()
    urls = og_urls(out)
    assert urls and all(url is None for url in urls.values()), urls


def test_an_entry_file_name_cannot_break_or_inject_into_papers_bib(site):
    """The citation key comes from the file name, which the curator may choose freely:
    ``x},title={Pwned.md`` must not end the entry early, nor a name with spaces give a key
    BibTeX refuses; two names that clean up alike keep distinct keys."""
    papers = site / "content" / "papers"
    names = {"good": "Good Paper", "Attention Is All You Need": "Attention", "x},title={Pwned": "Brace",
             "Attention-Is-All-You-Need": "Twin"}
    for name, title in names.items():
        (papers / f"{name}.md").write_text(f"---\ntitle: {title}\ndate: 2024-01-01\n---\n", encoding="utf-8")
    result = run(site, "build", "--no-search")
    assert result.exit_code == 0, result.output
    library = bibtexparser.parse_string((site / "_site" / "papers.bib").read_text(encoding="utf-8"))
    assert library.failed_blocks == []
    titles = {dict((f.key, f.value) for f in e.fields).get("title") for e in library.entries}
    assert titles == {"{Good Paper}", "{Attention}", "{Brace}", "{Twin}"}
    keys = [entry.key for entry in library.entries]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[A-Za-z0-9_:.+-]+", key) for key in keys), keys
    assert "good" in keys and "Attention-Is-All-You-Need" in keys  # safe names are their own keys
