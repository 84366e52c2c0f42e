"""Incremental builds are exactly clean builds: random edit sequences, byte-for-byte comparison."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core.entries import format_entry, read_entry
from generator.core.partial_dates import PartialDate
from tests.conftest import EPOCH, FIXTURES, make_site, run, snapshot

EDITS = ["note", "title", "tags", "status", "add", "delete", "template", "config", "touch", "cite", "partial",
         "abstract", "copy-abstract", "related-note", "authors", "org", "aliases"]
# Spellings that a slug, NFKC or an alias may bring together: "Albert Gu" and "albert gu" share a
# slug but stay two authors; the full-width "Ｔｒｉ Dao" is "Tri Dao"; "A. Gu" merges only by alias.
NAMES = ["Albert Gu", "albert gu", "A. Gu", "Tri Dao", "Ｔｒｉ  Dao", "Zoë Ng"]
ORGS = [("deepseek-ai", "DeepSeek"), ("DeepSeek-AI", "DeepSeek AI"), ("google", "Google")]


def tree(out: Path) -> dict[str, bytes]:
    """The site without Pagefind's bundle, whose index files are not byte-stable between runs."""
    return {k: v for k, v in snapshot(out).items() if not k.startswith("pagefind/")}


def related(out: Path) -> dict[str, list]:
    """Each paper's related papers in papers.json, and the related section of its page."""
    shown = {}
    for paper in json.loads((out / "papers.json").read_text(encoding="utf-8")):
        page = (out / "papers" / paper["slug"] / "index.html").read_text(encoding="utf-8")
        start = page.find('<section class="related"')
        section = page[start:page.find("</section>", start)] if start >= 0 else ""
        shown[paper["slug"]] = [paper["related"], section]
    return shown


def search_content(out: Path) -> dict[str, tuple[int, dict[str, bytes]]]:
    """What each part of the search index was built from: its page count and every page
    fragment, unzipped."""
    parts = json.loads((out / "pagefind" / "parts.json").read_text())["parts"]
    found = {}
    for name in parts:
        bundle = out / "pagefind" / name
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        pages = sum(lang["page_count"] for lang in entry["languages"].values())
        fragments = {p.name: gzip.decompress(p.read_bytes()) for p in (bundle / "fragment").iterdir()}
        found[name] = pages, fragments
    return found


def apply(site: Path, edit: str, n: int) -> None:
    papers = sorted((site / "content" / "papers").glob("*.md"))
    path = papers[n % len(papers)] if papers else None
    if edit == "add" or path is None:
        source = FIXTURES / ("hf-variants.txt" if n % 2 else "arxiv-variants.txt")
        assert run(site, "import", "--year", "2025", str(source)).exit_code == 0
        return
    entry = read_entry(path)
    other = read_entry(papers[(n * 7 + 3) % len(papers)])  # for edits that make two papers alike
    if edit == "abstract":
        entry.meta["abstract"] = f"Sparse experts route tokens, revision {n}: gating, load balancing."
    elif edit == "copy-abstract":
        entry.meta["abstract"] = (other.get("abstract") or "") + f" A follow-up, number {n}."
    elif edit == "related-note":
        entry.body += f"\nLike {other.get('title')}: {other.get('abstract') or ''}\n"
    elif edit == "note":
        entry.body += f"\nA new thought, number {n}, with $x_{n}$ and a [link](https://example.org/{n}).\n"
    elif edit == "title":
        entry.meta["title"] = f"Retitled paper {n}: a study"
    elif edit == "tags":
        entry.meta["tags"] = [f"topic-{n % 3}", *entry.meta.get("tags", [])[:1]]
    elif edit == "status":
        entry.meta["status"] = ["to-read", "reading", "read"][n % 3]
    elif edit == "cite":  # a repeated bibkey renames another paper's key in papers.bib
        entry.meta.update(bibkey=f"key{n % 2}", venue=["Nature", "ICML 2024"][n % 2], doi=f"10.1234/{n}")
    elif edit == "partial":
        entry.meta["date"] = PartialDate(2020 + n % 5, n % 12 + 1 if n % 2 else None)
    elif edit == "authors":
        names = [NAMES[(n + i) % len(NAMES)] for i in range(n % 4)]
        if names:
            entry.meta["authors"] = names
        else:
            entry.meta.pop("authors", None)
    elif edit == "org":
        entry.meta["org_handle"], entry.meta["org"] = ORGS[n % len(ORGS)]
    elif edit == "aliases":
        config = site / "site.yaml"
        block = "author_aliases:\n  Albert Gu: [A. Gu]\n"
        config.write_text(config.read_text().replace(block, "") + (block if n % 2 else ""))
        return
    elif edit == "delete":
        path.unlink()
        return
    elif edit == "template":
        folder = site / "themes" / "default" / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "404.html").write_text("{% extends 'base.html' %}{% block content %}"
                                         f"<h1>Not here ({n})</h1>{{% endblock %}}\n")
        return
    elif edit == "config":
        config = site / "site.yaml"
        config.write_text(config.read_text().replace("per_page: 2\n", "").replace(
            "per_page: 3\n", "") + f"per_page: {2 + n % 2}\n")
        return
    elif edit == "touch":
        path.write_text(path.read_text())
        return
    path.write_text(format_entry(entry))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 40)), min_size=1, max_size=6))
def test_incremental_build_equals_clean_build(tmp_path_factory, edits):
    site = make_site(tmp_path_factory.mktemp("inc") / "site")
    shutil.rmtree(site / "content" / "sources")
    assert run(site, "import", str(FIXTURES / "hf-variants.txt"), str(FIXTURES / "arxiv-variants.txt")
               ).exit_code == 0
    config = site / "site.yaml"
    config.write_text(config.read_text() + "per_page: 3\n")
    incremental, clean = site / "_site", site / "_clean"
    assert run(site, "build", "--no-search").exit_code == 0
    for edit, n in edits:
        apply(site, edit, n)
        assert run(site, "build", "--no-search").exit_code == 0
        assert run(site, "build", "--no-search", "--clean", "--out", str(clean)).exit_code == 0
        assert related(incremental) == related(clean), (edit, n)
        assert tree(incremental) == tree(clean), (edit, n)
    assert run(site, "build").exit_code == 0
    assert run(site, "build", "--clean", "--out", str(clean)).exit_code == 0
    assert tree(incremental) == tree(clean)
    assert search_content(incremental) == search_content(clean)


def test_one_note_edit_rewrites_only_what_shows_it(site):
    assert run(site, "import", *map(str, sorted((site / "content" / "sources").iterdir()))).exit_code == 0
    assert run(site, "build").exit_code == 0
    out = site / "_site"
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    lists_before = related(out)
    (path,) = (site / "content" / "papers").glob("deepseekmoe-*.md")
    path.write_text(path.read_text() + "\nMy note on expert specialisation.\n")
    result = run(site, "build")
    assert result.exit_code == 0
    changed = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()
                     and before.get(p) != p.stat().st_mtime_ns and "pagefind" not in p.parts)
    tags = read_entry(path).get("tags")
    expected = {f"papers/{path.stem}/index.html", "feed.xml", *(f"tags/{t}/feed.xml" for t in tags)}
    lists_after = related(out)  # the note moves similarities: the pages whose list changed too
    expected |= {f"papers/{s}/index.html" for s in lists_after if lists_after[s][1] != lists_before[s][1]}
    if [v[0] for v in lists_after.values()] != [v[0] for v in lists_before.values()]:
        expected.add("papers.json")
    assert set(changed) == expected, changed
    assert "search rebuilt" in result.stdout


def test_note_edits_in_a_large_list_update_the_related_lists_in_place(tmp_path):
    """400 papers: a note edit updates the last build's similarities in the rows it touches
    (``--debug`` says how many), and the pages and papers.json equal a clean build's, edit
    after edit; a paper added makes them anew."""
    from bench import synth

    site = make_site(tmp_path / "site")
    shutil.rmtree(site / "content" / "sources")
    paths = synth.write_entries(site / "content" / "papers", 400)
    clean = site / "_clean"
    assert run(site, "build", "--no-search").exit_code == 0
    hows = []
    for n, path in enumerate(paths[::97]):
        other = read_entry(paths[(n * 31 + 5) % len(paths)])
        entry = read_entry(path)
        entry.body += f"\nLike {other.get('title')}: {other.get('abstract')}\n" if n % 2 else "\nA thought.\n"
        path.write_text(format_entry(entry))
        hows.append(related_step(site))
        assert run(site, "build", "--no-search", "--clean", "--out", str(clean)).exit_code == 0
        assert related(site / "_site") == related(clean), n
        assert tree(site / "_site") == tree(clean), n
    # a plain note touches its own row; another paper's abstract moves the df of many words,
    # which in a list this small can touch more rows than an update is worth
    assert all(re.fullmatch(r"updated \([1-9] rows\)", how) for how in hows[::2]), hows
    assert sum(how.startswith("updated") for how in hows) >= 4, hows
    synth.write_entries(tmp_path / "more", 401)[-1].rename(site / "content" / "papers" / "added.md")
    assert related_step(site) == "made anew"


def related_step(site: Path) -> str:
    """How a ``--debug`` build of ``site`` says it made the related lists."""
    from click.testing import CliRunner

    from generator.cli import cli

    result = CliRunner().invoke(cli, ["--debug", "build", "--site", str(site), "--no-search"],
                                env={"SOURCE_DATE_EPOCH": EPOCH}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return re.search(r"related lists (.*) \(peak", result.output)[1]
