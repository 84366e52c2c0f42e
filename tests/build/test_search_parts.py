"""The search index in parts: every paper page in exactly one part, parts.json listing them,
an edit re-indexing only the part that holds the edited page, and incremental == clean."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench import synth
from generator.build import search_parts
from generator.build.search_parts import bucket, part_count, part_names, plan_parts
from generator.core.entries import read_entry
from tests.build.test_incremental import search_content, tree
from tests.conftest import ROOT, run

PAPERS = 40


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of about 5 papers, so a small list has several."""
    monkeypatch.setattr(search_parts, "PART_PAPERS", 5)


def make_list(root: Path, n: int = PAPERS) -> Path:
    synth.write_entries(root / "content" / "papers", n)
    (root / "site.yaml").write_text((ROOT / "site.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return root


def urls_by_part(out: Path) -> dict[str, set[str]]:
    """The page URLs each listed part indexes, from its fragments."""
    found = {}
    for name, (_, fragments) in search_content(out).items():
        found[name] = {json.loads(data[len(b"pagefind_dcd"):])["url"] for data in fragments.values()}
    return found


def part_inodes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in (out / "pagefind").iterdir() if p.is_dir()}


def test_part_count_is_a_power_of_two_that_bounds_part_size():
    assert part_count(0) == part_count(1) == part_count(512) == 1
    assert part_count(513) == 2
    assert part_count(10_000) == 32
    assert part_count(100_000) == part_count(10**7) == search_parts.MAX_PARTS
    for n in (1, 700, 5000, 10_000, 30_000):
        count = part_count(n)
        assert count & (count - 1) == 0 and n / count <= search_parts.PART_PAPERS
    assert part_names(4) == ["p00", "p01", "p02", "p03"]
    assert part_names(128)[-1] == "p127"


def test_a_page_keeps_its_part_and_a_doubling_splits_each_part_in_two():
    paths = [f"papers/paper-{i}/index.html" for i in range(2000)]
    assert [bucket(p, 8) for p in paths] == [bucket(p, 8) for p in paths]
    assert all(bucket(p, 16) % 8 == bucket(p, 8) for p in paths)
    sizes = [sum(1 for p in paths if bucket(p, 8) == b) for b in range(8)]
    assert min(sizes) > 180 and max(sizes) < 320  # an even spread


def test_a_part_key_changes_with_its_pages_only():
    pages = {f"papers/p{i}/index.html": bytes([i]) * 16 for i in range(30)}
    search_parts.PART_PAPERS, saved = 4, search_parts.PART_PAPERS
    try:
        before = {p.name: p for p in plan_parts(pages, "engine")}
        edited = dict(pages, **{"papers/p7/index.html": b"x" * 16})
        after = {p.name: p for p in plan_parts(edited, "engine")}
        changed = [name for name in before if before[name].key != after[name].key]
        assert changed == [next(n for n, p in before.items() if "papers/p7/index.html" in p.pages)]
        assert all(p.key != before[p.name].key for p in plan_parts(pages, "another engine"))
    finally:
        search_parts.PART_PAPERS = saved


def test_every_paper_page_is_in_exactly_one_listed_part(tmp_path, small_parts):
    site = make_list(tmp_path / "site")
    assert run(site, "build").exit_code == 0
    out = site / "_site"
    listed = json.loads((out / "pagefind" / "parts.json").read_text())
    assert listed["version"] == 1 and listed["parts"] == sorted(listed["parts"]) and len(listed["parts"]) > 4
    assert all(re.fullmatch(r"p\d\d", name) for name in listed["parts"])
    assert set(part_inodes(out)) == set(listed["parts"])
    for name in listed["parts"]:  # each a whole bundle of its own
        assert (out / "pagefind" / name / "pagefind.js").is_file()
        assert (out / "pagefind" / name / "pagefind-entry.json").is_file()
    parts = urls_by_part(out)
    every = [url for urls in parts.values() for url in urls]
    papers = {f"/papers/{p.name}/" for p in (out / "papers").iterdir()}
    assert sorted(every) == sorted(papers)  # each once
    # filters, sort keys and metadata are in every part's records, as the template gives them
    first = next(iter(search_content(out)[listed["parts"][0]][1].values()))
    fragment = json.loads(first[len(b"pagefind_dcd"):])
    assert {"status", "tag", "year"} <= set(fragment["filters"])
    assert {"title", "date", "status", "summary"} <= set(fragment["meta"])


def test_a_note_edit_reindexes_only_the_part_of_its_page(tmp_path, small_parts):
    site = make_list(tmp_path / "site")
    assert run(site, "build").exit_code == 0
    out = site / "_site"
    before = part_inodes(out)
    path = sorted((site / "content" / "papers").glob("*.md"))[3]
    path.write_text(path.read_text(encoding="utf-8") + "\nA thought on zorblatt kernels.\n", encoding="utf-8")
    result = run(site, "build")
    assert result.exit_code == 0
    assert re.search(rf"search updated \(1 of {len(before)} parts\)", result.stdout), result.stdout
    after = part_inodes(out)
    changed = [name for name in before if after[name] != before[name]]
    assert len(changed) == 1 and after.keys() == before.keys()
    (name,) = changed
    assert any(b"zorblatt" in data for data in search_content(out)[name][1].values())
    assert f"/papers/{path.stem}/" in urls_by_part(out)[name]
    assert "nothing changed" in run(site, "build").stdout


def test_related_lists_that_change_reindex_nothing_but_the_edited_page(tmp_path, small_parts):
    site = make_list(tmp_path / "site")
    assert run(site, "build").exit_code == 0
    out = site / "_site"
    before = part_inodes(out)
    papers = sorted((site / "content" / "papers").glob("*.md"))
    copied = read_entry(papers[7]).get("abstract")
    papers[3].write_text(papers[3].read_text(encoding="utf-8") + "\n" + copied + "\n", encoding="utf-8")
    result = run(site, "build")
    assert result.exit_code == 0
    written = int(re.search(r"(\d+) files written", result.stdout)[1])
    assert written > 2, result.stdout  # the edited page, another page whose related list changed, papers.json
    assert re.search(rf"search updated \(1 of {len(before)} parts\)", result.stdout), result.stdout


def edit(site: Path, step: int) -> None:
    papers = sorted((site / "content" / "papers").glob("*.md"))
    if step == 0:
        papers[5].write_text(papers[5].read_text(encoding="utf-8") + "\nMore notes.\n", encoding="utf-8")
    elif step == 1:
        papers[9].unlink()
    elif step == 2:  # more papers: more parts
        synth.write_entries(site / "content" / "papers", PAPERS + 30)
    elif step == 3:  # a template change reaches every page
        folder = site / "themes" / "default" / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        text = (ROOT / "themes" / "default" / "templates" / "paper.html").read_text(encoding="utf-8")
        text = text.replace('<h2 id="notes-heading"', '<h2 data-x id="notes-heading"')
        (folder / "paper.html").write_text(text, encoding="utf-8")
    elif step == 4:  # fewer papers: fewer parts
        for path in papers[: len(papers) - 12]:
            path.unlink()


def test_incremental_index_equals_clean_index_part_by_part(tmp_path, small_parts):
    site = make_list(tmp_path / "site")
    incremental, clean = site / "_site", site / "_clean"
    assert run(site, "build").exit_code == 0
    counts = set()
    for step in range(5):
        edit(site, step)
        assert run(site, "build").exit_code == 0
        assert run(site, "build", "--clean", "--out", str(clean)).exit_code == 0
        assert tree(incremental) == tree(clean), step
        assert search_content(incremental) == search_content(clean), step
        assert set(part_inodes(incremental)) == set(search_content(incremental)), step  # no stale part left
        counts.add(len(search_content(incremental)))
    assert len(counts) >= 2  # the part count changed on the way


def test_a_part_not_made_with_its_key_is_made_again(tmp_path, small_parts):
    site = make_list(tmp_path / "site")
    assert run(site, "build").exit_code == 0
    out = site / "_site"
    name = json.loads((out / "pagefind" / "parts.json").read_text())["parts"][1]
    (out / "pagefind" / name / search_parts.KEY_FILE).write_text("00" * 16)
    path = sorted((site / "content" / "papers").glob("*.md"))[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nx\n", encoding="utf-8")
    result = run(site, "build")
    assert "search updated" in result.stdout or "search rebuilt" in result.stdout
    clean = site / "_clean"
    assert run(site, "build", "--clean", "--out", str(clean)).exit_code == 0
    assert search_content(out) == search_content(clean)


def test_an_index_of_one_bundle_is_replaced_by_parts(tmp_path):
    site = make_list(tmp_path / "site", 6)
    assert run(site, "build").exit_code == 0
    out = site / "_site"
    (out / "pagefind" / "pagefind.js").write_text("// an index of an older papershelf\n")
    (out / "pagefind" / "fragment").mkdir()
    (out / "pagefind" / "parts.json").unlink()
    result = run(site, "build")
    assert result.exit_code == 0 and "nothing changed" not in result.stdout
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == ["p00", "parts.json"]
    assert json.loads((out / "pagefind" / "parts.json").read_text()) == {"version": 1, "parts": ["p00"]}


def test_without_search_there_is_no_index(tmp_path):
    site = make_list(tmp_path / "site", 6)
    assert run(site, "build", "--no-search").exit_code == 0
    assert not (site / "_site" / "pagefind").exists()


def test_serve_refreshes_only_the_part_of_a_saved_note(tmp_path, small_parts):
    from generator.build.driver import BuildOptions
    from generator.core.config import load_config
    from generator.preview.rebuild import Rebuilder
    from generator.preview.session import preview_of

    site = make_list(tmp_path / "site")
    config = load_config(site)
    options = BuildOptions(out=site / "_site", base_url="/", search=True, jobs=2)
    rebuilder = Rebuilder(site, options)
    rebuilder(search=True)
    out = site / "_site"
    before = part_inodes(out)
    path = sorted((site / "content" / "papers").glob("*.md"))[11]
    path.write_text(path.read_text(encoding="utf-8") + "\nSaved: quaxomatic.\n", encoding="utf-8")
    rebuilder([str(path)])  # the quick rebuild: pages only
    assert part_inodes(out) == before
    preview_of(config, options, rebuilder, host="127.0.0.1", port=0).index_search()
    after = part_inodes(out)
    (name,) = [n for n in before if after[n] != before[n]]
    assert any(b"quaxomatic" in data for data in search_content(out)[name][1].values())
    rebuilder.settle()
    clean = site / "_clean"
    assert run(site, "build", "--clean", "--out", str(clean)).exit_code == 0
    assert search_content(out) == search_content(clean)
