"""Importing dumps into a site: the demo list, idempotence, curated data, bad inputs."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core.entries import format_entry, parse_entry, read_entry
from generator.core.library import load_library
from tests.conftest import FIXTURES, ROOT, TODAY, run, seed_paths, snapshot


def import_seeds(site: Path):
    result = run(site, "import", *map(str, seed_paths(site)))
    assert result.exit_code == 0, result.output
    return result


def entries(site: Path):
    return load_library(site / "content" / "papers").entries


def by_title(site: Path, start: str):
    (entry,) = [e for e in entries(site).values() if (e.get("title") or "").startswith(start)]
    return entry


def test_demo_reading_list(site):
    result = import_seeds(site)
    assert result.stdout.strip() == "24 papers: 24 new, 0 updated, 0 unchanged; 0 warnings"
    papers = entries(site)
    assert len(papers) == 24
    assert sum(1 for e in papers.values() if e.get("title")) == 16
    with_id = {e.get("arxiv") for e in papers.values() if e.get("arxiv")}
    assert len(with_id) == 10
    assert by_title(site, "Insights into DeepSeek-V3").get("arxiv") == "2505.09343"
    assert by_title(site, "DeepSeek-Prover-V2").get("arxiv") == "2504.21801"

    insights = by_title(site, "Insights into DeepSeek-V3")
    assert (insights.get("org"), insights.get("org_handle")) == ("DeepSeek", "deepseek-ai")
    assert insights.get("date") == dt.date(2025, 5, 14)
    assert insights.get("sources") == ["arxiv-listing.txt", "hf-daily-papers-deepseek.txt"]
    assert insights.get("comment").startswith("This is the author's version")

    moe = by_title(site, "DeepSeekMoE")
    assert (moe.get("date"), moe.get("authors_count")) == (dt.date(2024, 1, 11), 17)
    assert moe.get("sources") == ["hf-daily-papers-deepseek.txt", "hf-papers-search-deepseek.txt"]

    daily = [e for e in papers.values() if "hf-daily-papers-deepseek.txt" in e.get("sources")]
    assert len(daily) == 12
    yearless = ["DeepSeek vs. o3-mini", "Medical Reasoning", "Safety Evaluation",
                "Mixture of Tunable", "Comprehensive Analysis", "Visual Reasoning"]
    assert {by_title(site, t).get("date").year for t in yearless} == {2025}
    assert by_title(site, "DeepSeek vs. o3-mini").get("date") == dt.date(2025, 4, 10)
    assert by_title(site, "DeepSeek-Prover-V2").get("date") == dt.date(2025, 4, 30)

    for entry in papers.values():
        assert entry.get("status") == "to-read"
        assert entry.get("added") == TODAY
        assert entry.body == ""
    assert "moe" in moe.get("tags")
    assert "theorem-proving" in by_title(site, "DeepSeek-Prover:").get("tags")
    assert (site / "content/papers/arxiv-2504.02495.md").is_file()


def test_committed_demo_matches_a_fresh_import(site):
    """content/papers/ in the repository is what importing the seeds produces, plus what a
    curator adds by hand: a status, a rating, notes."""
    import_seeds(site)
    committed = snapshot(ROOT / "content" / "papers")
    fresh = snapshot(site / "content" / "papers")
    assert set(committed) == set(fresh)
    curated = 0
    for name in fresh:
        mine = read_entry(ROOT / "content" / "papers" / name)
        entry = read_entry(site / "content" / "papers" / name)
        entry.meta.update({k: mine.get(k) for k in ("added", "status", "rating") if mine.get(k)})
        expected = format_entry(type(entry)(entry.slug, entry.meta, mine.body)).encode()
        assert committed[name] == expected, name
        curated += bool(mine.body.strip())
    assert curated >= 5, "the demo shows what notes look like"


def test_second_import_changes_no_byte(site):
    import_seeds(site)
    before = snapshot(site / "content" / "papers")
    result = import_seeds(site)
    assert result.stdout.strip() == "24 papers: 0 new, 0 updated, 24 unchanged; 0 warnings"
    assert snapshot(site / "content" / "papers") == before


def test_dumps_imported_one_by_one_merge_the_same_papers(site):
    for path in reversed(seed_paths(site)):
        assert run(site, "import", str(path)).exit_code == 0
    papers = entries(site)
    assert len(papers) == 24
    assert by_title(site, "Insights into DeepSeek-V3").get("arxiv") == "2505.09343"
    assert by_title(site, "Insights into DeepSeek-V3").get("date") == dt.date(2025, 5, 14)


notes = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200) | st.sampled_from(
    ["---\n", "\n---\ntitle: fake\n---\n", "trailing spaces   \n\n", "Ünïcödé ✓\n"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=notes, status=st.sampled_from(["to-read", "reading", "read"]),
       rating=st.none() | st.integers(1, 5),
       tags=st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), max_size=3),
       title=st.none() | st.text(min_size=1, max_size=60).filter(str.strip),
       which=st.integers(0, 23))
def test_curated_data_is_sacred(site, body, status, rating, tags, title, which):
    papers = site / "content" / "papers"
    if not any(papers.iterdir()):
        import_seeds(site)
    path = sorted(papers.iterdir())[which]
    entry = read_entry(path)
    entry.body = body
    entry.meta.update(status=status, tags=tags)
    if rating:
        entry.meta["rating"] = rating
    if title:
        entry.meta["title"] = title.strip()
    path.write_text(format_entry(entry), encoding="utf-8", newline="")
    before = snapshot(papers)
    result = run(site, "import", *map(str, seed_paths(site)))
    assert result.exit_code == 0
    assert snapshot(papers) == before


def test_fill_only_on_an_existing_entry_keeps_curated_values(site):
    hf = site / "content/sources/hf-daily-papers-deepseek.txt"
    assert run(site, "import", str(hf)).exit_code == 0
    (path,) = (site / "content/papers").glob("insights-into-deepseek-v3-*.md")
    entry = read_entry(path)
    entry.meta.update(title="My own title", status="read", rating=5, tags=["hardware"])
    entry.body = "\nMy notes.\n"
    path.write_text(format_entry(entry), encoding="utf-8")
    result = run(site, "import", str(site / "content/sources/arxiv-listing.txt"))
    assert result.exit_code == 0
    assert "8 new, 2 updated" in result.stdout
    merged = read_entry(path)
    assert merged.body == "\nMy notes.\n"
    assert (merged.get("title"), merged.get("status"), merged.get("rating"), merged.get("tags")) == \
        ("My own title", "read", 5, ["hardware"])
    assert merged.get("arxiv") == "2505.09343"
    assert merged.get("sources") == ["hf-daily-papers-deepseek.txt", "arxiv-listing.txt"]


def test_year_flag_and_fallback_warning(site, tmp_path):
    dump = tmp_path / "yearless.txt"
    dump.write_text("A Yearless Paper\n\nAn abstract for a listing whose dates never show a year, "
                    "so nothing in the dump can tell which year it is.\n\n·\nMar 3 2\n")
    result = run(site, "import", "--dry-run", str(dump))
    assert "yearless.txt: warning: dates without a year: assumed 2026" in result.stderr
    result = run(site, "import", "--year", "2023", str(dump))
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert entries(site)["a-yearless-paper"].get("date") == dt.date(2023, 3, 3)


def test_dry_run_writes_nothing_and_lists_changes(site):
    result = run(site, "import", "--dry-run", *map(str, seed_paths(site)))
    assert result.exit_code == 0
    assert "would create content/papers/arxiv-2504.02495.md" in result.stdout.replace(str(site) + "/", "")
    assert "dry run" in result.stdout
    assert list((site / "content" / "papers").iterdir()) == []


def test_slug_collisions_get_numbered(site, tmp_path):
    base = "A" * 10 + " Long Shared Title Prefix That Goes On For More Than Eighty Characters In Total"
    dump = tmp_path / "collide.txt"
    abstract = ("We propose a method for {} and evaluate it on three benchmarks. The results show "
                "that the approach matches stronger models at a fraction of their training cost, "
                "and the ablations explain where the gains come from.")
    dump.write_text(f"{base} Version One\n\n{abstract.format('routing')}\n\n"
                    f"{base} Version Two\n\n{abstract.format('pruning')}\n")
    assert run(site, "import", "--year", "2025", str(dump)).exit_code == 0
    names = sorted(p.stem for p in (site / "content" / "papers").iterdir())
    assert len(names) == 2 and names[1] == names[0] + "-2"


@pytest.mark.parametrize(("name", "message"), [
    ("empty.txt", "empty file"),
    ("prose.txt", "no Hugging Face entry found"),
])
def test_rejected_files_write_nothing(site, name, message):
    result = run(site, "import", str(FIXTURES / name), str(seed_paths(site)[0]))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(str(FIXTURES / name)) or name in line
    assert f"error: {message}" in line
    assert "Traceback" not in result.output
    assert list((site / "content" / "papers").iterdir()) == []


def test_binary_file_is_rejected(site, tmp_path):
    blob = tmp_path / "paper.pdf"
    blob.write_bytes(b"%PDF-1.7\n\x00\x01\x02\xff")
    result = run(site, "import", str(blob))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "binary file" in result.stderr
    assert list((site / "content" / "papers").iterdir()) == []


def test_partly_broken_files_import_the_rest(site):
    result = run(site, "import", str(FIXTURES / "hf-cut.txt"), str(FIXTURES / "arxiv-bad-id.txt"))
    assert result.exit_code == 0
    assert "hf-cut.txt:15: warning: title without an abstract" in result.stderr
    assert "arxiv-bad-id.txt:8: warning: malformed arXiv id" in result.stderr
    assert "4 papers: 4 new" in result.stdout and "2 warnings" in result.stdout
    assert len(list((site / "content" / "papers").iterdir())) == 4


def test_broken_entry_file_stops_import_before_writing(site):
    import_seeds(site)
    bad = site / "content/papers/arxiv-2504.02495.md"
    bad.write_text("---\ntitle: [unclosed\n---\n")
    before = snapshot(site / "content" / "papers")
    result = run(site, "import", str(FIXTURES / "arxiv-variants.txt"))
    assert result.exit_code == 1
    assert "arxiv-2504.02495.md:2" in result.stderr and "invalid YAML" in result.stderr
    assert snapshot(site / "content" / "papers") == before


def test_format_override(site):
    result = run(site, "import", "--format", "arxiv", str(seed_paths(site)[1]))
    assert result.exit_code == 1 and "no arXiv entry found" in result.stderr


def test_real_subprocess_from_the_venv(site):
    exe = Path(sys.executable).with_name("papershelf")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000"}
    done = subprocess.run([str(exe), "import", *map(str, seed_paths(site))], cwd=site / "content",
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "24 papers: 24 new, 0 updated, 0 unchanged; 0 warnings"
    bad = subprocess.run([str(exe), "import", str(FIXTURES / "empty.txt")], cwd=site,
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert bad.stderr.strip().endswith("error: empty file (paste a listing into it or remove it)")
    assert "Traceback" not in bad.stderr
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("papershelf, version ")


def test_no_site_found_is_one_clear_line(tmp_path):
    exe = Path(sys.executable).with_name("papershelf")
    done = subprocess.run([str(exe), "check"], cwd=tmp_path, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "no site.yaml" in done.stderr


def test_parse_entry_of_every_demo_file_round_trips():
    for path in sorted((ROOT / "content" / "papers").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert format_entry(parse_entry(text, path)) == text


def test_an_edit_made_during_an_import_is_kept(site):
    """The plan is made from the files as read; one edited before the write is merged afresh."""
    from generator.core.config import load_config
    from generator.ingest.importer import apply_import, plan_import

    hf = site / "content/sources/hf-daily-papers-deepseek.txt"
    assert run(site, "import", str(hf)).exit_code == 0
    config = load_config(site)
    plan = plan_import(config, [site / "content/sources/arxiv-listing.txt"], today=TODAY)
    (path,) = (site / "content/papers").glob("insights-into-deepseek-v3-*.md")
    entry = read_entry(path)
    entry.meta["status"] = "read"
    path.write_text(format_entry(type(entry)(entry.slug, entry.meta, "Written while importing.\n")))
    apply_import(config, plan)
    merged = read_entry(path)
    assert merged.get("status") == "read" and merged.body == "Written while importing.\n"
    assert merged.get("arxiv") == "2505.09343", "the import's additions are applied too"


def test_dry_run_writes_no_cache_either(site):
    assert run(site, "import", "--dry-run", *map(str, seed_paths(site))).exit_code == 0
    assert not (site / ".papershelf-cache").exists()
