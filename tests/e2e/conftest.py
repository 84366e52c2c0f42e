"""End-to-end fixtures: the demo site with a little curation, built under / and under /REPO/,
served on 127.0.0.1, and inspected in Debian's Chromium (the session ``browser`` of tests/conftest.py).

Every test in this folder is marked ``e2e``. Sites, servers and page reports are built once per
run and shared, so each page type is loaded once per colour scheme and screen size.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.core.entries import read_entry
from generator.core.library import Library, load_library, save_entry

from ..conftest import make_site, run, seed_paths, static_server
from .browsing import SCREENSHOTS, VIEWPORTS, PageReport, Visit, axe_source, block_external, inspect_page

HERE = Path(__file__).parent
BASES = {"root": "/", "repo": "/REPO/"}

# The curated papers: one with notes that use every kind of Markdown, one read and rated,
# one from an organisation whose name appears nowhere else.
NOTES_PAPER = "insights-into-deepseek-v3-scaling-challenges-and-reflections-on-hardware-for-ai"
READ_PAPER = "deepseek-prover-v2-advancing-formal-mathematical-reasoning-via-reinforcement"
ORG_PAPER = "starcoder-2-and-the-stack-v2-the-next-generation"
ORG_NAME = "Allen Institute for Software"
NOTES = (HERE / "fixtures" / "notes.md").read_text(encoding="utf-8")
AUTHORS = ["Ada Lovelace", "Émilie du Châtelet", "Grace Hopper"]  # on the notes and the read paper

SEARCH_READY = ("() => { const s = document.querySelector('#search-status');"
                " return s && /paper|Type to search/.test(s.textContent); }")


@dataclass(frozen=True)
class PageType:
    """A kind of page: where it is under the site's base, the HTTP status, when it is ready."""

    path: str
    status: int = 200
    ready: str | None = None


PAGE_TYPES = {
    "index": PageType(""),
    "paper": PageType(f"papers/{NOTES_PAPER}/"),
    "tags": PageType("tags/"),
    "tag": PageType("tags/reasoning/"),
    "status": PageType("status/reading/"),
    "search": PageType("search/?q=reasoning", ready=SEARCH_READY),
    "stats": PageType("stats/"),
    "authors": PageType("authors/"),
    "author": PageType("authors/ada-lovelace/"),
    "orgs": PageType("orgs/"),
    "org": PageType("orgs/allenai-software/"),
    "404": PageType("no-such-page/", status=404),
}


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


def curate(root: Path) -> None:
    """What a curator does after importing: statuses, a rating, notes, an organisation, paging."""
    folder = root / "content" / "papers"
    edits = {
        NOTES_PAPER: {"status": "reading", "rating": 4, "authors": AUTHORS,
                      "venue": "Proceedings of ISCA 2025", "doi": "10.1145/3695053.3731412", "code": "https://github.com/deepseek-ai/3FS"},
        READ_PAPER: {"status": "read", "rating": 5, "authors": AUTHORS[:2]},
        ORG_PAPER: {"org": ORG_NAME, "org_handle": "allenai-software", "status": "read"},
    }
    for slug, meta in edits.items():
        entry = read_entry(folder / f"{slug}.md")
        entry.meta.update(meta)
        if slug == NOTES_PAPER:
            entry.body = NOTES
        save_entry(folder, entry)
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "per_page: 10\n", encoding="utf-8")


@dataclass(frozen=True)
class Sites:
    """The curated demo: its source folder and one built output per base path."""

    root: Path
    out: dict[str, Path]

    def library(self) -> Library:
        return load_library(self.root / "content" / "papers")


@pytest.fixture(scope="session")
def sites(tmp_path_factory) -> Sites:
    root = make_site(tmp_path_factory.mktemp("e2e") / "site")
    result = run(root, "import", *map(str, seed_paths(root)))
    assert result.exit_code == 0, result.output
    curate(root)
    out = {}
    for name, base in BASES.items():
        folder = root.parent / f"out-{name}"
        result = run(root, "build", "--base-url", base, "--out", str(folder))
        assert result.exit_code == 0, result.output
        out[name] = folder
    return Sites(root, out)


@pytest.fixture(scope="session")
def servers(sites) -> Iterator[dict[str, str]]:
    """The two builds served on 127.0.0.1: base name -> URL of the site's home."""
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(static_server(sites.out[name], BASES[name])) for name in BASES}


@pytest.fixture(scope="session")
def axe() -> str:
    return axe_source()


@pytest.fixture(scope="session")
def new_context(browser) -> Iterator[Callable[..., object]]:
    """Make browser contexts that never reach past 127.0.0.1; closed at the end of the run."""
    made = []

    def make(scheme: str = "light", viewport: str = "desktop", **options):
        context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme, **options)
        block_external(context)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture(scope="session")
def report(servers, new_context, axe) -> Callable[[str, str, str, str], PageReport]:
    """``report(base, kind, scheme, viewport)``: a page type inspected once, then remembered.
    Pages of the root build are also checked by axe-core and saved as full-page screenshots in
    .artifacts/screenshots/; the /REPO/ build, the same pages, is checked for clean loads only."""
    contexts: dict[tuple[str, str], object] = {}
    done: dict[tuple[str, str, str, str], PageReport] = {}

    def get(base: str, kind: str, scheme: str, viewport: str) -> PageReport:
        key = (base, kind, scheme, viewport)
        if key not in done:
            if (scheme, viewport) not in contexts:
                contexts[(scheme, viewport)] = new_context(scheme, viewport)
            page_type = PAGE_TYPES[kind]
            shot = SCREENSHOTS / f"{kind}-{viewport}-{scheme}.png" if base == "root" else None
            done[key] = inspect_page(contexts[(scheme, viewport)], servers[base] + page_type.path,
                                     status=page_type.status, ready=page_type.ready,
                                     axe=axe if base == "root" else None,
                                     screenshot=shot)
        return done[key]

    return get


@pytest.fixture(params=list(BASES))
def base(request) -> str:
    """Each test that uses it runs against both builds: "root" (/) and "repo" (/REPO/)."""
    return request.param


@pytest.fixture
def tab(new_context, servers, base) -> Iterator[Visit]:
    """A tab on a desktop screen, light scheme; ``tab.home`` is the site's home URL. Whatever the
    test does, the tab must see no console error, no failed request and no request off this machine."""
    yield from open_tab(new_context("light", "desktop"), servers[base])


def open_tab(context, home: str) -> Iterator[Visit]:
    visit = Visit.open(context)
    visit.home = home
    yield visit
    problems = visit.problems()
    visit.close()
    assert problems == {"console errors": [], "failed requests": [], "external requests": []}, problems
