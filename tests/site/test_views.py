"""The view dicts templates see, built straight from papers and metadata (no CLI, no build).

A view is all a template knows of a paper, a list row, a tag or a feed entry, so these pin
what each view holds: links under the base URL, percent-encoded odd paths, titles for
untitled papers, dates as shown, and text freed of the control characters XML forbids.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.core.entries import read_entry_file
from generator.site.model import Paper, Tag, paper_of
from generator.site.views import (
    Urls,
    display_date,
    feed_item,
    heading,
    iso,
    paper_links,
    paper_view,
    row_view,
    tag_view,
)

PAGES = Urls.from_base("https://u.github.io/repo/")
LOCAL = Urls.from_base("/")

ABSTRACT = ("We scale \\textbf{reasoning} with $O(n)$ memory. A second sentence follows. "
            + "More words here. " * 30)
META = {
    "title": "DeepSeek-R1: Incentivizing Reasoning", "arxiv": "2501.12948",
    "date": dt.date(2025, 1, 22), "added": dt.date(2025, 2, 3), "updated": dt.date(2025, 3, 9),
    "org": "deepseek-ai", "org_handle": "deepseek-ai", "authors": ["A. One", "B. Two"],
    "categories": ["cs.CL", "cs.AI"], "comment": "Preprint", "sources": ["hf.txt"],
    "upvotes": 42, "rating": 4, "abstract": ABSTRACT, "tags": ["reasoning", "Vision Language"],
}
PAPER = Paper(slug="deepseek-r1", source="content/papers/deepseek-r1.md", date=META["date"],
              added=META["added"], updated=META["updated"], tags=("reasoning", "Vision Language"),
              status="reading", authors=("A. One", "B. Two"), org="deepseek-ai", org_handle="deepseek-ai")


# ---- Urls ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("base_url", "origin", "base_path"), [
    ("https://u.github.io/repo/", "https://u.github.io", "/repo/"),
    ("https://u.github.io/repo", "https://u.github.io", "/repo/"),
    ("https://example.org", "https://example.org", "/"),
    ("https://example.org/", "https://example.org", "/"),
    ("http://localhost:8000/a/b/", "http://localhost:8000", "/a/b/"),
    ("/", "", "/"),
    ("", "", "/"),
    ("/repo", "", "/repo/"),
    ("/repo/", "", "/repo/"),
    ("repo/", "", "/repo/"),  # relative: the links stay root-relative
    ("repo", "", "/repo/"),
])
def test_urls_split_a_base_url_into_origin_and_a_slash_ended_base_path(base_url, origin, base_path):
    urls = Urls.from_base(base_url)
    assert (urls.origin, urls.base_path) == (origin, base_path)


def test_link_puts_a_site_path_under_the_base_path():
    assert PAGES.link("papers/x/") == "/repo/papers/x/"
    assert PAGES.link("") == "/repo/"
    assert LOCAL.link("feed.xml") == "/feed.xml"
    assert Urls.from_base("repo").link("tags/moe/") == "/repo/tags/moe/"


def test_absolute_gives_a_full_url_when_the_base_has_a_host_else_the_link():
    assert PAGES.absolute("papers/x/") == "https://u.github.io/repo/papers/x/"
    assert LOCAL.absolute("papers/x/") == "/papers/x/"
    assert Urls.from_base("/sub/").absolute("sitemap.xml") == "/sub/sitemap.xml"


@pytest.mark.parametrize(("path", "link"), [
    ("papers/a?b#c/", "/repo/papers/a%3Fb%23c/"),  # would end the path at ? or #
    ("papers/café/", "/repo/papers/caf%C3%A9/"),
    ("papers/a b/", "/repo/papers/a%20b/"),
    ("papers/100%/", "/repo/papers/100%25/"),  # a literal % is kept literal
    ("papers/a%20b/", "/repo/papers/a%2520b/"),  # the folder is named a%20b, not "a b"
    ("papers/x\"y<z>/", "/repo/papers/x%22y%3Cz%3E/"),
    ("papers/a&b=c;d/", "/repo/papers/a%26b%3Dc%3Bd/"),
    ("papers/a-b_c.d~e/", "/repo/papers/a-b_c.d~e/"),  # unreserved characters stay as they are
    ("papers/2501.12948v2/", "/repo/papers/2501.12948v2/"),
])
def test_odd_paths_are_percent_encoded_so_the_link_reaches_the_page(path, link):
    assert PAGES.link(path) == link
    assert PAGES.absolute(path) == "https://u.github.io" + link


def test_a_paper_with_an_odd_slug_links_and_points_at_its_own_page():
    odd = PAPER._replace(slug="what? #1")
    row = row_view(odd, META, PAGES)
    assert row["url"] == "/repo/papers/what%3F%20%231/"
    view = paper_view(odd, META, PAGES, "", "")
    assert view["abs_url"] == "https://u.github.io/repo/papers/what%3F%20%231/"
    assert view["slug"] == "what? #1"


# ---- small helpers ----------------------------------------------------------------------------

def test_dates_show_without_leading_zero_or_locale_and_iso_is_empty_when_unknown():
    assert display_date(dt.date(2025, 5, 4)) == "4 May 2025"
    assert display_date(dt.date(2025, 12, 14)) == "14 Dec 2025"
    assert display_date(None) == ""
    assert iso(dt.date(2025, 5, 4)) == "2025-05-04"
    assert iso(None) == "" and iso("2025-05-04") == ""


def test_an_untitled_paper_is_headed_by_its_arxiv_id_and_the_abstract_first_sentence():
    assert heading(META, "s") == (META["title"], "")
    untitled = {"arxiv": "2501.12948", "abstract": "Short first one. Then more."}
    assert heading(untitled, "s") == ("arXiv:2501.12948", "Short first one.")
    assert heading({"abstract": "No full stop"}, "my-slug") == ("my-slug", "No full stop.")
    assert heading({}, "my-slug") == ("my-slug", "")
    _, subtitle = heading({"abstract": "word " * 100}, "s")
    assert subtitle.endswith("….") and len(subtitle) <= 202


def test_paper_links_point_at_arxiv_and_hugging_face_or_search_by_title():
    kinds = {link["kind"]: link["href"] for link in paper_links(META)}
    assert kinds == {"abs": "https://arxiv.org/abs/2501.12948", "pdf": "https://arxiv.org/pdf/2501.12948",
                     "html": "https://arxiv.org/html/2501.12948",
                     "hf": "https://huggingface.co/papers/2501.12948"}
    search = paper_links({"title": "R1 & friends?"})
    assert [link["href"] for link in search] == [
        "https://arxiv.org/search/?query=R1+%26+friends%3F&searchtype=title",
        "https://huggingface.co/papers?q=R1+%26+friends%3F",
    ]
    assert paper_links({}) == []


# ---- row_view, paper_view ----------------------------------------------------------------------

def test_row_view_holds_what_a_list_row_shows():
    row = row_view(PAPER, META, PAGES)
    assert row == {
        "url": "/repo/papers/deepseek-r1/", "title": META["title"], "subtitle": "",
        "date": "2025-01-22", "date_display": "22 Jan 2025", "org": "deepseek-ai",
        "tags": [{"name": "reasoning", "url": "/repo/tags/reasoning/"},
                 {"name": "Vision Language", "url": "/repo/tags/vision-language/"}],
        "status": "reading", "status_label": "Reading", "upvotes": 42, "rating": 4,
        "teaser": row["teaser"], "arxiv": "2501.12948",
        "author_refs": [{"name": "A. One", "url": "/repo/authors/a-one/"},
                        {"name": "B. Two", "url": "/repo/authors/b-two/"}],
        "authors_more": 0, "authors_count": 2,
        "org_url": "/repo/orgs/deepseek-ai/", "org_hf": "https://huggingface.co/deepseek-ai",
    }
    assert row["teaser"].startswith("We scale reasoning with O(n) memory.")  # LaTeX flattened
    assert row["teaser"].endswith("…") and len(row["teaser"]) <= 281


def test_row_view_of_a_bare_paper_has_empty_texts_not_missing_keys():
    bare = Paper(slug="bare", source="bare.md")
    row = row_view(bare, {}, LOCAL)
    assert row["title"] == "bare" and row["date"] == "" and row["date_display"] == ""
    assert row["org"] == "" and row["tags"] == [] and row["teaser"] == "" and row["arxiv"] == ""
    assert (row["status"], row["status_label"]) == ("to-read", "To read")
    assert row["upvotes"] is None and row["rating"] is None


def test_paper_view_holds_the_row_and_everything_the_paper_page_shows():
    view = paper_view(PAPER, META, PAGES, "<p>abstract</p>", "<p>notes</p>")
    assert {k: view[k] for k in row_view(PAPER, META, PAGES)} == row_view(PAPER, META, PAGES)
    assert view["slug"] == "deepseek-r1"
    assert view["abs_url"] == "https://u.github.io/repo/papers/deepseek-r1/"
    assert [link["kind"] for link in view["links"]] == ["abs", "pdf", "html", "hf"]
    assert (view["added"], view["added_display"]) == ("2025-02-03", "3 Feb 2025")
    assert (view["updated"], view["updated_display"]) == ("2025-03-09", "9 Mar 2025")
    assert view["year"] == 2025
    assert view["authors"] == ["A. One", "B. Two"] and view["authors_count"] == 2
    assert view["categories"] == ["cs.CL", "cs.AI"] and view["sources"] == ["hf.txt"]
    assert view["comment"] == "Preprint" and view["org_handle"] == "deepseek-ai"
    assert (view["abstract_html"], view["notes_html"]) == ("<p>abstract</p>", "<p>notes</p>")
    assert view["description"].endswith("…") and len(view["description"]) <= 201
    assert view["bibtex"].startswith("@misc{deepseek-r1,\n")
    assert "eprint" in view["bibtex"] and "https://arxiv.org/abs/2501.12948" in view["bibtex"]


def test_paper_view_uses_the_row_it_is_given():
    row = {**row_view(PAPER, META, PAGES), "title": "from the row"}
    assert paper_view(PAPER, META, PAGES, "", "", row=row)["title"] == "from the row"


def test_paper_view_of_a_paper_without_arxiv_cites_its_own_page():
    meta = {"title": "Notes on MoE", "authors_count": 12, "authors": ["A. One"]}
    view = paper_view(Paper(slug="moe", source="moe.md"), meta, PAGES, "", "")
    assert view["authors_count"] == 12  # the dump's count wins over the names listed
    assert view["year"] is None and view["added"] == "" and view["updated_display"] == ""
    assert "url = {https://u.github.io/repo/papers/moe/}" in " ".join(view["bibtex"].split())
    assert [link["kind"] for link in view["links"]] == ["search", "hf-search"]
    assert paper_view(Paper(slug="x", source="x.md"), {}, LOCAL, "", "")["authors_count"] is None


def test_control_characters_never_reach_a_view():
    dirty = {**META, "title": "Bad\x01 title\x7f", "authors": ["A.\x0b One"], "org": "o\x1brg",
             "org_handle": "h\x00", "comment": "c\x08", "categories": ["cs.\x0cCL"],
             "sources": ["s\x1f.txt"], "tags": ["t\x02ag"]}
    paper = PAPER._replace(tags=("t\x02ag",))
    view = paper_view(paper, dirty, PAGES, "", "")
    assert view["title"] == "Bad title" and view["authors"] == ["A. One"] and view["org"] == "org"
    assert view["org_handle"] == "h" and view["comment"] == "c" and view["categories"] == ["cs.CL"]
    assert view["sources"] == ["s.txt"] and view["tags"][0]["name"] == "tag"
    assert not any(ch in view["bibtex"] for ch in "\x01\x7f\x0b\x1b")
    row = row_view(paper, dirty, PAGES)
    assert row["title"] == "Bad title" and row["org"] == "org"


def test_views_hand_on_text_as_is_for_the_templates_to_escape():
    """Escaping is the template's job (autoescape): a view keeps ``<`` and ``&`` as text."""
    meta = {**META, "title": "<script>alert(1)</script> & co"}
    assert row_view(PAPER, meta, PAGES)["title"] == "<script>alert(1)</script> & co"


def test_an_untitled_demo_entry_reads_into_the_views_it_renders_from():
    """A real entry file of the demo (no title, arXiv id, dates, one tag) through paper_of."""
    path = Path(__file__).resolve().parents[2] / "content" / "papers" / "arxiv-2307.09007.md"
    entry = read_entry_file(path).entry
    paper = paper_of("arxiv-2307.09007", entry, str(path))
    view = paper_view(paper, entry.meta, PAGES, "", "")
    assert (view["title"], view["subtitle"]) == (
        "arXiv:2307.09007", "Recently, the development and progress of Large Language Models (LLMs) "
        "have amazed the entire Artificial Intelligence community.")
    assert (view["date"], view["date_display"], view["year"]) == ("2023-07-18", "18 Jul 2023", 2023)
    assert (view["added"], view["status"], view["status_label"]) == ("2026-11-22", "to-read", "To read")
    assert view["tags"] == [{"name": "chinese-nlp", "url": "/repo/tags/chinese-nlp/"}]
    assert view["comment"] == "Work in progress!" and view["sources"] == ["arxiv-listing.txt"]
    assert view["url"] == "/repo/papers/arxiv-2307.09007/" and view["arxiv"] == "2307.09007"
    assert view["authors"] == [] and view["authors_count"] is None


# ---- tag_view, feed_item ------------------------------------------------------------------------

def test_tag_view_links_the_tag_page_its_feed_and_its_bibtex_and_counts_its_papers():
    other = Paper(slug="other", source="other.md")
    tag = Tag(name="Vision Language", slug="vision-language", papers=(PAPER, other))
    assert tag_view(tag, PAGES) == {
        "name": "Vision Language", "url": "/repo/tags/vision-language/", "count": 2,
        "feed": "/repo/tags/vision-language/feed.xml", "bib": "/repo/tags/vision-language/papers.bib",
    }
    odd = Tag(name="c++ & co\x01", slug="c++ & co", papers=(other,))
    view = tag_view(odd, LOCAL)
    assert view["name"] == "c++ & co" and view["url"] == "/tags/c%2B%2B%20%26%20co/"
    assert view["feed"] == "/tags/c%2B%2B%20%26%20co/feed.xml"


def test_feed_item_is_an_atom_entry_with_an_absolute_url():
    row = row_view(PAPER, META, PAGES)
    item = feed_item(PAPER, row, PAGES, "<p>body</p>")
    assert item == {"slug": "deepseek-r1", "url": "https://u.github.io/repo/papers/deepseek-r1/",
                    "title": META["title"], "added": dt.date(2025, 2, 3), "date": dt.date(2025, 1, 22),
                    "summary": row["teaser"], "html": "<p>body</p>",
                    "tags": ["reasoning", "Vision Language"]}
    assert feed_item(PAPER, row, LOCAL, "")["url"] == "/papers/deepseek-r1/"
