"""Hostile text in every field of an entry and in its notes: whatever the build writes, no
element, attribute or URL scheme outside the allow-list comes from the input, and every feed
and JSON file still parses."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ..conftest import make_site, run
from .checks import CONTROL, fragment_problems, url_scheme

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>",
    "<details open ontoggle=alert(1)>", "<a href='javascript:alert(1)'>x</a>", "<style>*{}</style>",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "&#106;avascript:alert(1)",
    "java&#x09;script:alert(1)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>",
    "[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x][1]\n\n[1]: javascript:alert(1)",
    "<javascript:alert(1)>", "![i](javascript:alert(1))", "[x](data:text/html;base64,PHNjcmlwdD4=)",
    r"$\text{<script>alert(1)</script>}$", r"$x\mbox{<svg/onload=alert(2)>}$",
    r"$\textit{<img src=x onerror=alert(3)>}$", r"$\href{javascript:alert(1)}{x}$",
    r"$\style{position:fixed;top:0}{x}$", r"$\class{x}{y}$", r"$\color{red}{x}$",
    r"$$\text{<iframe src=javascript:alert(1)>}$$", "\x00", "\x1b[31m", "\x08", "\x07", "\x7f",
    "\r\n", "\r", "\ufeff", "\"'><", "{{ 7*7 }}", "]]>", "<!--", "-->", "&amp;", "\\", "$", "$$",
    "> quoted", "*", "`", "|", "word",
]
hostile_text = st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=6).map(" ".join)
# Tag names reach the stats charts (charts.py), which take them as the entries give them.
tag_text = st.lists(st.sampled_from([h for h in HOSTILE if not CONTROL.search(h)]), min_size=1,
                    max_size=4).map(" ".join)
notes_text = st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=10).map(
    lambda pieces: "\n\n".join(p.replace("\r", "") for p in pieces))


def write_entry(root: Path, slug: str, meta: dict, notes: str) -> None:
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + notes + "\n"
    (root / "content" / "papers" / f"{slug}.md").write_text(text, encoding="utf-8")


def page_problems(path: Path) -> list[str]:
    """What in a built page is not the theme's own markup or the allow-list."""
    text = path.read_text(encoding="utf-8")
    found = ["control character"] if CONTROL.search(text) else []
    page = BeautifulSoup(text, "html.parser")
    for element in page.find_all(True):
        if element.name == "script" and not element.get("src", "").startswith("/assets/"):
            found.append(f"script {element}")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if name.lower().startswith("on"):
                found.append(f"{name} on <{element.name}>")
            if name in ("href", "src", "action", "formaction") and url_scheme(value) not in (
                    None, "http", "https", "mailto"):
                found.append(f"{name}={value!r}")
    for section in page.select(".abstract, .notes"):
        found += fragment_problems(section.decode_contents())
    return found


# (no shrinking: each example is a whole build; the failing example is printed as found)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(title=hostile_text, abstract=hostile_text, comment=hostile_text, org=hostile_text,
       author=hostile_text, tag=tag_text, notes=notes_text, venue=hostile_text, link=st.sampled_from(HOSTILE))
def test_hostile_entries_give_safe_pages_feeds_and_json(title, abstract, comment, org, author, tag, notes,
                                                        venue, link):
    with tempfile.TemporaryDirectory() as folder:
        root = make_site(Path(folder) / "site")
        write_entry(root, "hostile", {
            "title": title, "authors": [author, "Ada Lovelace"], "org": org, "comment": comment,
            "date": dt.date(2025, 3, 3), "added": dt.date(2026, 11, 20), "status": "to-read",
            "tags": ["safety", "t-" + tag], "abstract": abstract, "venue": venue, "url": link,
            "code": link.strip(), "project": "https://example.org/" + link, "doi": "10.1234/" + link,
            "bibkey": link,
        }, notes)
        write_entry(root, "plain", {"title": "A plain paper", "date": dt.date(2025, 1, 2),
                                    "tags": ["safety"], "abstract": "Plain $x^2$ text."}, "Plain notes.")
        result = run(root, "build", "--no-search")
        assert result.exit_code == 0, result.output
        out = root / "_site"
        pages = [p for p in out.rglob("*.html") if "pagefind" not in p.parts]
        assert len(pages) > 5
        for path in pages:
            assert page_problems(path) == [], path
        for feed_path in out.rglob("feed.xml"):
            for entry in ET.parse(feed_path).getroot().findall(f"{ATOM}entry"):
                assert fragment_problems(entry.find(f"{ATOM}content").text or "") == [], feed_path
        for json_path in out.rglob("*.json"):
            json.loads(json_path.read_text(encoding="utf-8"))
