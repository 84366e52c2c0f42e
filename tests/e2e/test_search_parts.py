"""Search over an index in parts, in Chromium: a generated list of 2,000 papers built once, its
paper pages indexed as 4 Pagefind bundles merged by the search page, and as one bundle over all
of them. For a fixed list of queries, the papers the search page finds over the parts are the
papers one index finds; sorted lists are in order across parts; filter counts are global.

Both sites are served under /REPO/ (the base path), from 127.0.0.1, in tabs that reach nothing
else.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from bench import synth
from generator.core.library import load_library

from ..conftest import make_site, run, static_server
from . import search_parts
from .browsing import Visit, block_external
from .conftest import SEARCH_READY

PAPERS = 2000
PARTS = 4
BASE = "/REPO/"
PORTAL_PAGE = "<html><body>Sign in to the Wi-Fi</body></html>"  # what a captive portal answers

# (what the reader does, the search page's query string): words, phrases, filters, sorts, browses.
QUERIES = [
    ("a common word", "q=hallucination"),
    ("another word", "q=calibration"),
    ("a rarer word", "q=rotary"),
    ("two words of the notes", "q=ablation tokenizer rotary"),
    ("a hyphenated word", "q=mixture-based"),
    ("two words", "q=theorem proving"),
    ("an exact phrase", 'q="question answering"'),
    ("another exact phrase", 'q="code generation"'),
    ("three words", "q=jailbreak privacy safety"),
    ("a word from one title", "q=CODENAME"),
    ("a made-up word from one title", "q=CODEWORD"),
    ("a misspelt made-up word", "q=CODEWORDx"),
    ("the start of a made-up word", "q=CODEPREFIX"),
    ("a word that is nowhere", "q=zzyzxqv"),
    ("a tag and a status, browsed", "tag=moe&status=Reading"),
    ("either of two tags in a year, browsed", "tag=moe&tag=code&year=2022"),
    ("a status and a tag, browsed", "status=Read&tag=safety"),
    ("a year and an organisation, browsed", "year=2021&org=Google"),
    ("an organisation, browsed", "org=NVIDIA&status=Read"),
    ("a word and a tag", "q=hallucination&tag=evaluation"),
    ("a common word in one year", "q=model&year=2023&status=Reading"),
    ("a word and an organisation", "q=speech&org=Google"),
    ("a word, newest first", "q=retrieval&sort=date:desc"),
    ("a word, oldest first", "q=interpretability&sort=date:asc"),
    ("a tag, recently added first", "tag=reasoning&sort=added:desc"),
    ("a year, oldest first", "year=2020&sort=date:asc"),
]

# Every result of the search on the page: "Show more" until there is no more, then the links.
ALL_RESULTS = """async () => {
  const more = document.getElementById("search-more");
  const list = document.getElementById("search-results");
  while (!more.hidden) {
    const before = list.children.length;
    more.click();
    const grew = await new Promise((done) => {
      const start = Date.now();
      const timer = setInterval(() => {
        const moved = list.children.length > before || more.hidden;
        if (moved || Date.now() - start > 60000) { clearInterval(timer); done(moved); }
      }, 5);
    });
    if (!grew) break;
  }
  return [...list.querySelectorAll(".row-title a")].map((a) => a.getAttribute("href"));
}"""

FILTER_COUNTS = """() => Object.fromEntries([...document.querySelectorAll("#search-filters input")].map(
  (box) => [`${box.dataset.filter}=${box.value}`,
            Number(box.labels[0].querySelector(".count").textContent.replace(/[()]/g, ""))]))"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The generated list, built once under /REPO/ without its own index; then the two layouts."""
    work = tmp_path_factory.mktemp("parts")
    root = make_site(work / "site")
    shutil.rmtree(root / "content" / "sources")
    synth.write_entries(root / "content" / "papers", PAPERS)
    result = run(root, "build", "--no-search", "--base-url", BASE)
    assert result.exit_code == 0, result.output
    return root, search_parts.layouts(root / "_site", work, PARTS)


@pytest.fixture(scope="module")
def homes(corpus) -> Iterator[dict[str, str]]:
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(static_server(folder, BASE)) for name, folder in corpus[1].items()}


@pytest.fixture(scope="module")
def visits(browser, homes) -> Iterator[dict[str, Visit]]:
    """A tab per layout; each must end with no console error, failed or external request."""
    context = browser.new_context()
    block_external(context)
    made = {name: Visit.open(context) for name in homes}
    for name, visit in made.items():
        visit.home = homes[name]
    yield made
    problems = {name: visit.problems() for name, visit in made.items()}
    context.close()
    clean = {"console errors": [], "failed requests": [], "external requests": []}
    assert problems == {name: clean for name in made}, problems


@pytest.fixture(scope="module")
def entries(corpus) -> dict[str, dict]:
    """Each paper's entry by the URL path its page has on the site."""
    library = load_library(corpus[0] / "content" / "papers")
    return {f"{BASE}papers/{slug}/": entry.meta for slug, entry in library.entries.items()}


def codename() -> str:
    """The name in one paper's title ("Tequoro-89B"): a made-up word found in one paper, in one
    part, whose start is a word of other papers in other parts ("tequo")."""
    return synth.papers(PAPERS)[1234].title.split(":")[0].split()[0]


def search(visit: Visit, params: str) -> tuple[list[str], str, dict[str, int]]:
    """The search page at ``?params``: every result's link, the status line, the filter counts."""
    word = codename().split("-")[0]
    params = params.replace("CODENAME", codename()).replace("CODEWORD", word).replace("CODEPREFIX", word[:5])
    query = "&".join(f"{key}={quote(value)}" for key, value in
                     (pair.split("=", 1) for pair in params.split("&") if pair))
    visit.goto(f"{visit.home}search/?{query}", ready=SEARCH_READY)
    links = visit.page.evaluate(ALL_RESULTS)
    return links, visit.page.text_content("#search-status"), visit.page.evaluate(FILTER_COUNTS)


def test_the_site_has_its_index_in_parts(corpus):
    bundle = corpus[1]["parts"] / "pagefind"
    names = [f"p{n:02d}" for n in range(PARTS)]
    assert sorted(path.name for path in bundle.iterdir() if path.is_dir()) == names
    assert all(len(group) > PAPERS / PARTS / 2 for group in search_parts.split(corpus[0] / "_site", PARTS))


@pytest.mark.parametrize(("what", "params"), QUERIES)
def test_the_parts_find_what_one_index_finds(visits, what, params):
    parts, said, counts = search(visits["parts"], params)
    single, single_said, single_counts = search(visits["single"], params)
    assert len(parts) == len(set(parts)), "a paper is listed twice"
    assert set(parts) == set(single)
    assert said == single_said
    assert counts == single_counts
    if "zzyzxqv" in params:
        assert parts == []
    else:
        assert parts, f"{what}: nothing found, the query tests nothing"


def sort_values(links: list[str], entries: dict[str, dict], key: str) -> list[str]:
    return [str(entries[link].get(key) or "0000-00-00") for link in links]


@pytest.mark.parametrize(("params", "key", "newest_first"), [
    ("tag=moe&sort=date:desc", "date", True),
    ("status=Reading&sort=date:asc", "date", False),
    ("tag=reasoning&sort=added:desc", "added", True),
    ("q=model&year=2024&sort=added:desc", "added", True),
])
def test_a_sorted_list_is_in_order_across_parts(visits, entries, params, key, newest_first):
    links, said, _ = search(visits["parts"], params)
    single, _, _ = search(visits["single"], params)
    values = sort_values(links, entries, key)
    assert len(links) > 100 and said.startswith(f"{len(links)} papers")
    assert values == sorted(values, reverse=newest_first)
    assert values == sort_values(single, entries, key)
    assert len({search_parts.bucket(link.rstrip("/").rsplit("/", 1)[1], PARTS) for link in links[:40]}) > 1


def test_filter_counts_are_counts_over_all_parts(visits, entries):
    """With nothing typed, the filters list every value with the number of papers that have it."""
    parts, said, counts = search(visits["parts"], "")
    _, _, single_counts = search(visits["single"], "")
    assert parts == [] and said.startswith("Type to search")
    assert counts == single_counts
    tags = Counter(tag for meta in entries.values() for tag in meta.get("tags", []))
    assert {key[4:]: n for key, n in counts.items() if key.startswith("tag=")} == dict(tags)
    years = Counter(str(meta["date"])[:4] for meta in entries.values() if meta.get("date"))
    assert {key[5:]: n for key, n in counts.items() if key.startswith("year=")} == dict(years)


def test_the_webassembly_is_fetched_once_for_all_parts(visits):
    visit = visits["parts"]
    start = len(visit.requests)
    search(visit, "q=hallucination")
    asked = visit.requests[start:]
    assert len([url for url in asked if "/wasm." in url]) == 1
    assert {match[1] for url in asked if (match := re.search(r"/pagefind/(p\d+)/", url))} == \
        {f"p{n:02d}" for n in range(PARTS)}


@contextlib.contextmanager
def garbled(browser, home: str, every_time: bool) -> Iterator[tuple[Visit, list[str]]]:
    """A tab on the parts layout whose first text of a result (a Pagefind fragment) comes back
    as a portal's page, with status 200: once, or ``every_time`` it is asked for."""
    context = browser.new_context()
    block_external(context)
    spoiled: list[str] = []

    def answer(route):
        url = route.request.url
        if not spoiled or (every_time and url == spoiled[0]):
            spoiled.append(url)
            route.fulfill(status=200, content_type="text/html", body=PORTAL_PAGE)
        else:
            route.continue_()

    context.route("**/pagefind/p*/fragment/*.pf_fragment", answer)
    visit = Visit.open(context)
    visit.home = home
    try:
        yield visit, spoiled
    finally:
        context.close()


def test_a_result_that_fails_to_load_once_is_loaded_again(browser, homes, visits):
    with garbled(browser, homes["parts"], every_time=False) as (visit, spoiled):
        links, said, _ = search(visit, "tag=moe&sort=date:desc")
        problems = visit.problems()
    single, single_said, _ = search(visits["single"], "tag=moe&sort=date:desc")
    assert len(spoiled) == 1, "the failure was never provoked: the test tests nothing"
    assert len(links) == len(set(links)) and set(links) == set(single) and said == single_said
    assert problems == {"console errors": [], "failed requests": [], "external requests": []}


def test_a_result_that_never_loads_is_said_missing_and_the_rest_shown(browser, homes, visits):
    with garbled(browser, homes["parts"], every_time=True) as (visit, spoiled):
        links, said, _ = search(visit, "q=hallucination")
        problems = visit.problems()
    single, single_said, _ = search(visits["single"], "q=hallucination")
    assert len(spoiled) >= 2 and len(set(spoiled)) == 1  # asked again after the index was reloaded
    assert set(links) < set(single) and len(links) == len(single) - 1
    assert said == single_said + " Some could not be loaded: reload the page to try again."
    assert problems["console errors"] == [] and problems["external requests"] == []
