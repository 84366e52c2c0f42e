"""Papers beyond arXiv and partial dates, as the built site shows them: DOI, URL, code and
project links (only http/https, a DOI only in a DOI's shape), venue, Google Scholar tags,
BibTeX types and keys, dates known only to the year or month on every page and export."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import bibtexparser
import pytest
from bs4 import BeautifulSoup

from tests.conftest import run

ATOM = "{http://www.w3.org/2005/Atom}"
ENTRIES = {
    # a journal article known to the month, with a DOI needing percent-encoding and its own links
    "lecun": "title: Gradient-based learning applied to document recognition\n"
             "authors: [Yann LeCun, Léon Bottou]\ndate: 1998-11\ndoi: 10.1109/5.726791<x>\n"
             "venue: Proceedings of the IEEE\nbibkey: lecun1998gradient\n"
             "url: https://ieeexplore.ieee.org/document/726791\ntags: [vision]\n",
    # a proceedings paper known only to its year, arXiv too, with code and project page
    "vaswani": "title: Attention Is All You Need\nauthors: [Ashish Vaswani, Noam Shazeer]\ndate: 2017\n"
               "arxiv: '1706.03762'\nvenue: Advances in Neural Information Processing Systems (NeurIPS)\n"
               "bibkey: vaswani2017attention\ndoi: 10.48550/arXiv.1706.03762\n"
               "code: https://github.com/tensorflow/tensor2tensor\nproject: http://example.org/t2t\n"
               "tags: [nlp]\n",
    # hostile values: no link, no markup
    "hostile": "title: Hostile\ndate: 2020-02-02\nurl: 'javascript:alert(1)'\ncode: 'JaVaScRiPt:alert(2)'\n"
               "project: 'data:text/html,<script>alert(3)</script>'\nvenue: '<script>alert(4)</script>'\n"
               "doi: '10.1234/x\"><script>alert(5)</script>'\nbibkey: 'k},title={pwned'\ntags: [nlp]\n",
    # the same bibkey again, an arXiv-only paper
    "twin": "title: A twin key\ndate: 2016-03-04\narxiv: '1603.00001'\nbibkey: vaswani2017attention\n"
            "categories: [cs.LG]\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from tests.conftest import make_site
    root = make_site(tmp_path_factory.mktemp("beyond") / "site")
    (root / "site.yaml").write_text((root / "site.yaml").read_text(encoding="utf-8")
                                    + "\nbase_url: https://u.github.io/shelf/\n", encoding="utf-8")
    for slug, front in ENTRIES.items():
        (root / "content" / "papers" / f"{slug}.md").write_text(f"---\n{front}---\n", encoding="utf-8")
    result = run(root, "build", "--no-search")
    assert result.exit_code == 0, result.output
    return root


def page(root: Path, slug: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_site" / "papers" / slug / "index.html").read_text(encoding="utf-8"),
                         "html.parser")


def meta(soup: BeautifulSoup, name: str) -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={"name": name})]


def links(soup: BeautifulSoup) -> dict[str, str]:
    return {a.get_text(): a["href"] for a in soup.select(".read-links a")}


def test_a_journal_article_links_its_doi_and_url_and_shows_its_venue_and_month(built):
    soup = page(built, "lecun")
    found = links(soup)
    assert found["DOI"] == "https://doi.org/10.1109/5.726791%3Cx%3E"
    assert found["Paper"] == "https://ieeexplore.ieee.org/document/726791"
    assert list(found)[:2] == ["DOI", "Paper"]  # no arXiv id: the version of record first
    assert soup.select_one(".venue dd").get_text() == "Proceedings of the IEEE"
    assert soup.select_one(".facts time").get_text() == "Nov 1998"
    assert soup.select_one(".facts time")["datetime"] == "1998-11"
    assert meta(soup, "citation_doi") == ["10.1109/5.726791<x>"]
    assert meta(soup, "citation_journal_title") == ["Proceedings of the IEEE"]  # a journal, by name
    assert meta(soup, "citation_conference_title") == []
    assert meta(soup, "citation_date") == meta(soup, "citation_publication_date") == ["1998/11"]
    assert soup.find("span", attrs={"data-pagefind-sort": "date"}).get_text() == "1998-11-01"
    assert soup.find("span", attrs={"data-pagefind-filter": "year"}).get_text() == "1998"
    assert soup.find("span", attrs={"data-pagefind-filter": "venue"}).get_text() == "Proceedings of the IEEE"


def test_a_proceedings_paper_known_to_the_year_shows_the_year_and_its_code_and_project(built):
    soup = page(built, "vaswani")
    found = links(soup)
    assert next(iter(found)) == "arXiv abstract"  # arXiv papers: arXiv's links first
    assert found["DOI"] == "https://doi.org/10.48550/arXiv.1706.03762"
    assert found["Code"] == "https://github.com/tensorflow/tensor2tensor"
    assert found["Project page"] == "http://example.org/t2t"
    assert soup.select_one(".facts time").get_text() == "2017"
    assert soup.select_one(".facts time")["datetime"] == "2017"
    assert meta(soup, "citation_conference_title") == [
        "Advances in Neural Information Processing Systems (NeurIPS)"]
    assert meta(soup, "citation_journal_title") == []
    assert meta(soup, "citation_date") == ["2017"]
    assert "1 Jan 2017" not in soup.get_text()


def test_hostile_links_venue_and_doi_never_become_links_or_markup(built):
    soup = page(built, "hostile")
    found = links(soup)
    assert set(found) == {"DOI", "Find on arXiv", "Find on Hugging Face"}  # url, code, project: dropped
    # a DOI may hold < > " (old SICI DOIs do): linked only percent-encoded, shown as text
    assert found["DOI"] == "https://doi.org/10.1234/x%22%3E%3Cscript%3Ealert%285%29%3C/script%3E"
    assert all(a["href"].startswith(("/", "#", "https://")) for a in soup.find_all("a", href=True))
    assert soup.find_all("script", src=False) == []
    assert soup.select_one(".venue dd").get_text() == "<script>alert(4)</script>"  # text, escaped
    doi = soup.find("dt", string="DOI").find_next("dd")
    assert doi.get_text() == '10.1234/x"><script>alert(5)</script>'
    assert meta(soup, "citation_doi") == ['10.1234/x"><script>alert(5)</script>']
    assert meta(soup, "citation_journal_title") == ["<script>alert(4)</script>"]
    assert "<script>alert" not in (built / "_site" / "papers" / "hostile" / "index.html").read_text()
    assert "alert(1)" not in str(soup) and "alert(2)" not in str(soup) and "alert(3)" not in str(soup)


def test_list_rows_and_the_feed_show_partial_dates_as_written(built):
    out = built / "_site"
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    shown = {a.get_text(): row.select_one("time").get_text()
             for row in index.select(".paper-row") for a in row.select(".row-title a")}
    assert shown["Attention Is All You Need"] == "2017"
    assert shown["Gradient-based learning applied to document recognition"] == "Nov 1998"
    order = [a.get_text() for a in index.select(".row-title a")]
    assert order == ["Hostile", "Attention Is All You Need", "A twin key",
                     "Gradient-based learning applied to document recognition"]  # 2017 sorts as 2017-01-01
    feed = ET.parse(out / "feed.xml").getroot()
    published = {e.find(f"{ATOM}title").text: e.find(f"{ATOM}published").text
                 for e in feed.findall(f"{ATOM}entry")}
    assert published["Attention Is All You Need"].startswith("2017-01-01T00:00:00")  # the first day


def test_papers_json_and_sitemap_keep_partial_dates_partial(built):
    out = built / "_site"
    data = {p["slug"]: p for p in json.loads((out / "papers.json").read_text(encoding="utf-8"))}
    assert (data["vaswani"]["date"], data["lecun"]["date"], data["twin"]["date"]) == \
        ("2017", "1998-11", "2016-03-04")
    assert data["lecun"]["doi"] == "10.1109/5.726791<x>" and data["vaswani"]["code"].startswith("https://")
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    lastmod = {u.find(f"{ns}loc").text: (u.find(f"{ns}lastmod").text if u.find(f"{ns}lastmod") is not None
                                         else "") for u in sitemap}
    assert lastmod["https://u.github.io/shelf/papers/vaswani/"] == "2017"  # never added: its date


def bib_entries(text: str) -> dict[str, bibtexparser.model.Entry]:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [], [b.raw for b in library.failed_blocks]
    return {e.key: e for e in library.entries}


def field(entry, name: str) -> str | None:
    found = entry.fields_dict.get(name)
    return found.value if found else None


def test_papers_bib_types_keys_venues_and_dates(built):
    entries = bib_entries((built / "_site" / "papers.bib").read_text(encoding="utf-8"))
    assert {"lecun1998gradient", "vaswani2017attention", "vaswani2017attention-twin"} < set(entries)
    assert len(entries) == 4  # the newer paper keeps the repeated key, the older one gets its slug
    lecun, vaswani, twin = entries["lecun1998gradient"], entries["vaswani2017attention"], \
        entries["vaswani2017attention-twin"]
    assert lecun.entry_type == "article" and field(lecun, "journal") == "Proceedings of the IEEE"
    assert (field(lecun, "year"), field(lecun, "month"), field(lecun, "date")) == ("1998", "nov", None)
    assert field(lecun, "doi") == "10.1109/5.726791<x>"
    assert field(lecun, "url") == "https://ieeexplore.ieee.org/document/726791"
    assert field(lecun, "author") == "Yann LeCun and Léon Bottou"
    assert vaswani.entry_type == "inproceedings" and field(vaswani, "booktitle").startswith("Advances in")
    assert (field(vaswani, "year"), field(vaswani, "month")) == ("2017", None)
    assert (field(vaswani, "eprint"), field(vaswani, "archivePrefix")) == ("1706.03762", "arXiv")
    assert twin.entry_type == "misc" and field(twin, "primaryClass") == "cs.LG"
    assert (field(twin, "year"), field(twin, "month"), field(twin, "date")) == ("2016", "mar", "2016-03-04")
    hostile = next(e for k, e in entries.items() if k.startswith("k-"))
    assert hostile.key.startswith("k-title-pwned-") and field(hostile, "title") == "{Hostile}"
    assert field(hostile, "journal") == "<script>alert(4)</script>"  # plain text in BibTeX, no braces
    assert "url" not in hostile.fields_dict  # its url is not http(s); its DOI stands for it
    # the paper's own block keeps its bibkey; only papers.bib tells the two apart
    block = page(built, "twin").find("code", id="bibtex-twin").get_text()
    assert block.startswith("@misc{vaswani2017attention,\n")


def test_the_tag_papers_bib_keeps_keys_unique_within_itself(built):
    entries = bib_entries((built / "_site" / "tags" / "nlp" / "papers.bib").read_text(encoding="utf-8"))
    assert "vaswani2017attention" in entries and len(entries) == 2


def test_check_accepts_partial_dates_and_warns_about_a_repeated_bibkey(built):
    result = run(built, "check")
    lines = result.output.strip().splitlines()
    assert [line.split("/")[-1] for line in lines] == [
        "vaswani.md:7: warning: bibkey vaswani2017attention is also in twin.md (papers.bib adds a slug "
        "to all but one; give each paper its own key)",
        "4 entries checked: 0 errors, 1 warning"]  # and nothing about the partial dates


def test_check_warns_about_an_implausible_partial_year(site):
    entry = site / "content" / "papers" / "old.md"
    entry.write_text("---\ntitle: Old\ndate: 1066\n---\n", encoding="utf-8")
    result = run(site, "check")
    assert "old.md:3: warning: implausible date 1066 (before 1800" in result.output
