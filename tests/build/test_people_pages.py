"""Author and organisation pages as a build writes them: under a sub-path, paginated, with
feeds, in the sitemap and on the stats page; and rebuilt exactly when names change."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from generator.core.entries import format_entry, read_entry
from tests.conftest import run, seed_paths, snapshot

NAMES = {0: ["Ada Lovelace", "Grace Hopper"], 1: ["Ada Lovelace", "Émilie du Châtelet"], 2: ["Ada Lovelace"]}
ATOM = "{http://www.w3.org/2005/Atom}"


def papers(site: Path) -> list[Path]:
    return sorted((site / "content" / "papers").glob("*.md"))


def set_meta(path: Path, **meta: object) -> None:
    entry = read_entry(path)
    entry.meta.update(meta)
    path.write_text(format_entry(entry), encoding="utf-8")


def people_site(site: Path) -> Path:
    """The demo under a sub-path, one paper a page, three papers with authors and one org."""
    assert run(site, "import", *map(str, seed_paths(site))).exit_code == 0
    for i, path in enumerate(papers(site)[:3]):
        set_meta(path, authors=NAMES[i], date=f"2024-0{i + 1}-01")
    set_meta(papers(site)[3], org="Allen AI", org_handle="allenai")
    config = site / "site.yaml"
    config.write_text(config.read_text() + "per_page: 1\nbase_url: https://u.github.io/repo/\n")
    assert run(site, "build", "--no-search").exit_code == 0
    return site / "_site"


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_authors_get_an_index_and_paginated_pages_newest_first_with_a_feed(site):
    out = people_site(site)
    index = (out / "authors" / "index.html").read_text()
    assert [h for h in hrefs(index) if h.startswith("#letter")] == ["#letter-a", "#letter-e", "#letter-g"]
    assert all(f'id="letter-{x}"' in index for x in "aeg")
    assert "/repo/authors/ada-lovelace/" in hrefs(index)
    first, second = (out / "authors" / "ada-lovelace" / "index.html").read_text(), \
        (out / "authors" / "ada-lovelace" / "page" / "2" / "index.html").read_text()
    newest, older = papers(site)[2].stem, papers(site)[1].stem
    assert f"/repo/papers/{newest}/" in hrefs(first) and f"/repo/papers/{older}/" in hrefs(second)
    assert (out / "authors" / "ada-lovelace" / "page" / "3" / "index.html").is_file()
    feed = ET.parse(out / "authors" / "ada-lovelace" / "feed.xml").getroot()
    assert len(feed.findall(f"{ATOM}entry")) == 3 and "Ada Lovelace" in feed.find(f"{ATOM}title").text
    assert (out / "authors" / "emilie-du-chatelet" / "index.html").is_file()


def test_paper_pages_and_rows_link_their_authors_and_organisation(site):
    out = people_site(site)
    page = (out / "papers" / papers(site)[0].stem / "index.html").read_text()
    assert {"/repo/authors/ada-lovelace/", "/repo/authors/grace-hopper/"} <= set(hrefs(page))
    org_paper = (out / "papers" / papers(site)[3].stem / "index.html").read_text()
    assert "/repo/orgs/allenai/" in hrefs(org_paper) and "https://huggingface.co/allenai" not in org_paper
    org_page = (out / "orgs" / "allenai" / "index.html").read_text()
    assert "https://huggingface.co/allenai" in hrefs(org_page)
    assert "/repo/orgs/allenai/" in hrefs((out / "orgs" / "index.html").read_text())
    rows = "".join(p.read_text() for p in [out / "index.html", *(out / "page").glob("*/index.html")])
    assert "/repo/authors/grace-hopper/" in hrefs(rows) and "/repo/orgs/allenai/" in hrefs(rows)


def test_the_sitemap_and_stats_page_name_authors_and_organisations(site):
    out = people_site(site)
    sitemap = (out / "sitemap.xml").read_text()
    for path in ("authors/", "authors/ada-lovelace/", "orgs/", "orgs/allenai/"):
        assert f"<loc>https://u.github.io/repo/{path}</loc>" in sitemap, path
    stats = (out / "stats" / "index.html").read_text()
    assert stats.index("/repo/authors/ada-lovelace/") < stats.index("/repo/authors/emilie-du-chatelet/")
    assert "/repo/orgs/allenai/" in hrefs(stats)


def test_an_alias_merges_two_spellings_and_a_clash_keeps_two_names_apart_incrementally(site):
    out = people_site(site)
    set_meta(papers(site)[4], authors=["ada lovelace", "A. Lovelace"])
    assert run(site, "build", "--no-search").exit_code == 0
    pages = sorted(p.name for p in (out / "authors").iterdir() if p.is_dir())
    assert [p for p in pages if p.startswith("ada-lovelace")] == sorted(pages)[1:3]  # two, each with a digest
    assert "ada-lovelace" not in pages and "a-lovelace" in pages
    first = (out / "papers" / papers(site)[0].stem / "index.html").read_text()
    assert "/repo/authors/ada-lovelace/" not in hrefs(first)  # relinked to the disambiguated page
    config = site / "site.yaml"
    config.write_text(config.read_text() + "author_aliases:\n  Ada Lovelace: [ada lovelace, A. Lovelace]\n")
    assert run(site, "build", "--no-search").exit_code == 0
    assert run(site, "build", "--no-search", "--clean", "--out", str(site / "_clean")).exit_code == 0
    assert snapshot(out) == snapshot(site / "_clean")
    assert len(list((out / "authors" / "ada-lovelace" / "page").iterdir())) == 3  # 4 papers, 1 a page
    assert not (out / "authors" / "a-lovelace").exists()
