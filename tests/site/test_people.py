"""Authors and organisations in the site model: names matched exactly after normalisation,
merged only by ``author_aliases``, slugs that never merge two names, the index letters."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from slugify import slugify

from generator.core.config import Config
from generator.core.entries import Entry
from generator.core.names import normal_name
from generator.core.slugs import capped
from generator.site.model import Paper, build_model, paper_of
from generator.site.people import page_slug
from generator.site.views import Urls, author_index, people_refs, row_view


def paper(slug: str, *authors: str, day: int = 1, org: str = "", handle: str = "") -> Paper:
    return Paper(slug=slug, source=f"{slug}.md", date=dt.date(2024, 1, day), authors=authors,
                 org=org, org_handle=handle)


def model(*papers: Paper, aliases: tuple = ()) -> object:
    return build_model(Config(root=Path("."), author_aliases=aliases), papers)


def test_names_are_one_unicode_form_with_single_spaces():
    assert normal_name("  Ａｌｂｅｒｔ\u00a0\u00a0Gu\n") == "Albert Gu"
    assert normal_name("Zoe\u0308 Ng") == "Zoë Ng" == normal_name("Zoë Ng")  # NFKC composes


def test_an_entry_gives_its_authors_normalised_once_each_and_its_organisation():
    entry = Entry(meta={"authors": [" Albert  Gu", "Albert Gu", "", 3, "Tri Dao"], "org": "Deep Seek",
                        "org_handle": "deepseek-ai"}, body="", slug="x")
    made = paper_of("x", entry, "x.md")
    assert made.authors == ("Albert Gu", "Tri Dao")
    assert (made.org, made.org_handle) == ("Deep Seek", "deepseek-ai")
    assert paper_of("y", Entry(meta={"authors_count": 12}, body="", slug="y"), "y.md").authors == ()


def test_authors_are_matched_exactly_and_merged_only_by_aliases():
    papers = (paper("a", "Albert Gu", day=3), paper("b", "A. Gu", "Tri Dao", day=2),
              paper("c", "Albert Gu", day=1))
    site = model(*papers)
    assert [(a.name, a.slug, [p.slug for p in a.papers]) for a in site.authors] == [
        ("A. Gu", "a-gu", ["b"]), ("Albert Gu", "albert-gu", ["a", "c"]), ("Tri Dao", "tri-dao", ["b"])]
    merged = model(*papers, aliases=(("Albert Gu", ("A. Gu",)),))
    assert [(a.name, [p.slug for p in a.papers]) for a in merged.authors] == [
        ("Albert Gu", ["a", "b", "c"]), ("Tri Dao", ["b"])]
    assert merged.people.author_url("A. Gu") == "authors/albert-gu/"


def test_two_names_with_one_slug_get_two_pages_whatever_the_order():
    site = model(paper("a", "Albert Gu"), paper("b", "albert gu"), paper("c", "Tri Dao"))
    slugs = {a.name: a.slug for a in site.authors}
    assert len(set(slugs.values())) == 3 and slugs["Tri Dao"] == "tri-dao"
    assert all(slugs[n].startswith("albert-gu-") and len(slugs[n]) == len("albert-gu-") + 6
               for n in ("Albert Gu", "albert gu"))
    again = model(paper("b", "albert gu"), paper("z", "Albert Gu"))
    assert {a.name: a.slug for a in again.authors} == {n: slugs[n] for n in ("Albert Gu", "albert gu")}
    assert site.people.author_url("albert gu") == f"authors/{slugs['albert gu']}/"
    assert set(site.people.clashes) == {"author:Albert Gu", "author:albert gu"}


def test_organisations_by_handle_named_as_most_papers_name_them():
    site = model(paper("a", handle="deepseek-ai", org="DeepSeek"),
                 paper("b", handle="deepseek-ai", org="DeepSeek"),
                 paper("c", handle="deepseek-ai", org="deepseek"), paper("d", org="No handle"))
    assert [(o.handle, o.name, o.slug, len(o.papers)) for o in site.orgs] == [
        ("deepseek-ai", "DeepSeek", "deepseek-ai", 3)]


def test_the_index_groups_authors_by_their_first_letter_accents_aside():
    site = model(paper("a", "émile Zola", "Emma Ng", "Zoë Ng", "42 Club", "Ada Li"))
    groups = author_index(site.authors, Urls.from_base("/r/"))
    assert [(g["letter"], g["anchor"], [a["name"] for a in g["authors"]]) for g in groups] == [
        ("A", "letter-a", ["Ada Li"]), ("E", "letter-e", ["émile Zola", "Emma Ng"]),
        ("Z", "letter-z", ["Zoë Ng"]), ("#", "letter-other", ["42 Club"])]
    assert groups[0]["authors"][0]["url"] == "/r/authors/ada-li/"


def test_a_row_names_three_authors_then_how_many_more_and_a_count_only_paper_its_count():
    many = paper("m", "A One", "B Two", "C Three", "D Four", "E Five")
    row = row_view(many, {}, Urls.from_base("/"))
    assert [a["name"] for a in row["author_refs"]] == ["A One", "B Two", "C Three"]
    assert row["authors_more"] == 2 and row["authors_count"] == 5
    counted = people_refs(paper("n"), {"authors_count": 12}, Urls.from_base("/"), model().people, 3)
    assert counted["author_refs"] == [] and counted["authors_count"] == 12


def test_a_long_or_empty_name_still_makes_a_slug():
    assert page_slug("ｘ" * 300, "author").startswith("x" * 10) and len(page_slug("x" * 300, "author")) <= 80
    assert page_slug("???", "author") == "author"


@given(st.text(alphabet=string.ascii_letters + string.digits + " .-", min_size=1, max_size=120))
def test_the_quick_slug_of_a_plain_name_is_python_slugify_s(name):
    assert page_slug(name, "author") == (capped(slugify(name)) or "author")
