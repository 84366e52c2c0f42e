"""Hostile text in every field of the dumps themselves (a Hugging Face Daily Papers listing and
an arXiv listing, in their real shapes), imported and built: no element, attribute or URL
scheme outside the allow-list reaches a page, every feed parses and holds only sanitised
HTML, and papers.json and papers.bib parse."""

from __future__ import annotations

import json
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import bibtexparser
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ..conftest import make_site, run
from .checks import fragment_problems
from .test_fuzz_outputs import ATOM, HOSTILE, page_problems

ONE_LINE = [h for h in HOSTILE if "\n" not in h and "\r" not in h and h.strip()]
line_text = st.lists(st.sampled_from(ONE_LINE), min_size=1, max_size=5).map(" ".join)


def hf_listing(title: str, abstract: str, org: str) -> str:
    """A Daily Papers page as pasted: chrome, a date, then title / abstract / org / · / date."""
    return (f"Daily Papers\n\nbyAK and the research community\n\nMar 3\n\n"
            f"Paper {title}\n\n{abstract}\n\nhostile-org {org}\n·\nMar 3 7\n\n"
            f"A plain companion paper\n\nA plain abstract about $x^2$ and models.\n\n"
            f"  • 3 authors\n·\nMar 3 2\n")


def arxiv_listing(abstract: str, comment: str) -> str:
    """An arXiv listing block: abstract, comment, id line, Created line."""
    return f"{abstract}\n\n{comment}\n\narXiv:2501.00001\nCreated: 2025-01-02\n"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(title=line_text, abstract=line_text, org=line_text, arxiv_abstract=line_text, comment=line_text)
def test_hostile_dumps_give_safe_pages_feeds_and_exports(title, abstract, org, arxiv_abstract, comment):
    with tempfile.TemporaryDirectory() as folder:
        root = make_site(Path(folder) / "site")
        sources = root / "content" / "sources"
        for old in sources.iterdir():
            old.unlink()
        (sources / "hf.txt").write_text(hf_listing(title, abstract, org), encoding="utf-8")
        (sources / "arxiv.txt").write_text(arxiv_listing(arxiv_abstract, comment), encoding="utf-8")
        imported = run(root, "import", str(sources / "hf.txt"), str(sources / "arxiv.txt"))
        assert imported.exit_code == 0, imported.output
        assert len(list((root / "content" / "papers").glob("*.md"))) >= 2  # the arXiv paper and the plain one
        assert run(root, "check").exit_code == 0
        built = run(root, "build", "--no-search")
        assert built.exit_code == 0, built.output
        out = root / "_site"
        for path in (p for p in out.rglob("*.html") if "pagefind" not in p.parts):
            assert page_problems(path) == [], path
        for feed_path in out.rglob("feed.xml"):
            for entry in ET.parse(feed_path).getroot().findall(f"{ATOM}entry"):
                assert fragment_problems(entry.find(f"{ATOM}content").text or "") == [], feed_path
        json.loads((out / "papers.json").read_text(encoding="utf-8"))
        library = bibtexparser.parse_string((out / "papers.bib").read_text(encoding="utf-8"))
        assert library.failed_blocks == [] and len(library.entries) >= 2
