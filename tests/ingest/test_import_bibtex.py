"""Importing BibTeX libraries with the seed dumps: one entry per paper, curated bytes kept."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from generator.core.library import load_library
from generator.core.partial_dates import PartialDate
from tests.conftest import FIXTURES, run, seed_paths, snapshot

BIB = FIXTURES / "bibtex"
MAMBA_LISTING = """\
Foundation models, now powering most of the exciting applications in deep learning, are \
almost universally based on the Transformer architecture and its core attention module.

arXiv:2312.00752
Created: 2023-12-01
"""


def entries(site: Path):
    return load_library(site / "content" / "papers").entries


def by_title(site: Path, start: str):
    (entry,) = [e for e in entries(site).values() if (e.get("title") or "").startswith(start)]
    return entry


def with_bib(site: Path, *names: str) -> list[Path]:
    for name in names:
        shutil.copy(BIB / name, site / "content" / "sources" / name)
    return [site / "content" / "sources" / name for name in names]


def test_a_zotero_export_and_the_seed_dumps_give_one_entry_per_paper(site):
    (bib,) = with_bib(site, "zotero-better-bibtex.bib")
    result = run(site, "import", *map(str, seed_paths(site)))
    assert result.exit_code == 0, result.output
    # 24 seed papers, 23 in the export, 4 of them in both (by arXiv id or title)
    assert result.stdout.strip() == "43 papers: 43 new, 0 updated, 0 unchanged; 0 warnings"
    papers = entries(site)
    assert len(papers) == 43
    moe = by_title(site, "DeepSeekMoE")  # the same paper in the .bib and the Hugging Face dumps
    assert moe.get("sources") == ["hf-daily-papers-deepseek.txt", "hf-papers-search-deepseek.txt",
                                  "zotero-better-bibtex.bib"]
    assert (moe.get("arxiv"), moe.get("bibkey")) == ("2401.06066", "daiDeepSeekMoEUltimateExpert2024")
    assert moe.get("date") == dt.date(2024, 1, 11)  # the full date, not the export's 2024-01
    assert "moe" in moe.get("tags") and "computer-science-computation-and-language" in moe.get("tags")
    insights = by_title(site, "Insights into DeepSeek-V3")
    assert insights.get("doi") == "10.1145/3695053.3731412"
    assert insights.get("venue").endswith("Symposium on Computer Architecture")
    assert insights.get("sources") == ["arxiv-listing.txt", "hf-daily-papers-deepseek.txt",
                                       "zotero-better-bibtex.bib"]
    assert by_title(site, "StarCoder 2").get("arxiv") == "2402.19173"
    lecun = by_title(site, "Deep Learning")
    assert (lecun.get("doi"), lecun.get("venue"), lecun.get("date")) == \
        ("10.1038/nature14539", "Nature", PartialDate(2015, 5))
    assert lecun.get("authors") == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]
    assert lecun.get("tags") == ["computer-science", "mathematics-and-computing"]
    assert by_title(site, "Support Vector Learning").get("date") == PartialDate(1997)
    text = (site / "content" / "papers" / f"{lecun.slug}.md").read_text()
    assert "date: 2015-05\n" in text and "bibkey: lecunDeepLearning2015\n" in text

    before = snapshot(site / "content" / "papers")
    again = run(site, "import", *map(str, seed_paths(site)))
    assert again.stdout.strip() == "43 papers: 0 new, 0 updated, 43 unchanged; 0 warnings"
    assert snapshot(site / "content" / "papers") == before
    assert bib.name in {s for e in entries(site).values() for s in e.get("sources")}


def test_a_reimport_after_a_curators_edits_changes_no_byte(site):
    (bib,) = with_bib(site, "zotero-better-bibtex.bib")
    assert run(site, "import", str(bib)).exit_code == 0
    folder = site / "content" / "papers"
    lecun = next(p for p in folder.iterdir() if p.name.startswith("deep-learning"))
    text = lecun.read_text().replace("status: to-read", "status: read  # finally\nrating: 5")
    text = text.replace("title: Deep Learning", "title: Deep learning (the Nature review)")
    text = text.replace("tags: [computer-science, mathematics-and-computing]", "tags: [survey]")
    lecun.write_bytes((text + "My notes.\n").replace("\n", "\r\n").encode())
    mamba = next(p for p in folder.iterdir() if p.name.startswith("mamba"))
    mamba.write_text(mamba.read_text().replace("\nadded:", "\nshelf: ssm  # my own key\nadded:"))
    before = snapshot(folder)
    result = run(site, "import", str(bib))
    assert result.stdout.strip() == "23 papers: 0 new, 0 updated, 23 unchanged; 0 warnings"
    assert snapshot(folder) == before


def test_a_full_date_refines_a_partial_one_and_nothing_else_changes(site):
    (scholar,) = with_bib(site, "google-scholar.bib")
    assert run(site, "import", str(scholar)).exit_code == 0
    path = site / "content" / "papers" / "mamba-linear-time-sequence-modeling-with-selective-state-spaces.md"
    text = path.read_text()
    assert "date: 2023\n" in text
    text = text.replace("status: to-read", "status: reading # since Monday\nabstract: Mine.")
    text = text.replace("date: 2023\n", "date: 2023  # Scholar's year\n")
    path.write_bytes(text.replace("\n", "\r\n").encode())
    listing = site / "content" / "sources" / "mamba-arxiv.txt"
    listing.write_text(MAMBA_LISTING)
    result = run(site, "import", str(listing))
    assert result.stdout.strip() == "1 paper: 0 new, 1 updated, 0 unchanged; 0 warnings", result.output
    expected = text.replace("date: 2023  #", "date: 2023-12-01  #").replace(
        "- google-scholar.bib\n", "- google-scholar.bib\n- mamba-arxiv.txt\n")
    assert path.read_bytes() == expected.replace("\n", "\r\n").encode()


def test_a_doi_merges_papers_across_files_whatever_its_case(site, tmp_path):
    (builtin,) = with_bib(site, "zotero-builtin.bib")
    other = tmp_path / "other.bib"
    other.write_text("@article{lecun2015,\n  title = {Deep learning: a review},\n"
                     "  doi = {10.1038/NATURE14539},\n  year = {2015}\n}\n")
    result = run(site, "import", str(builtin), str(other))
    assert result.stdout.strip().startswith("3 papers: 3 new"), result.output
    lecun = by_title(site, "Deep learning")
    assert lecun.get("sources") == ["zotero-builtin.bib", "other.bib"]


def test_a_malformed_entry_is_a_warning_and_the_rest_imports(site):
    (bib,) = with_bib(site, "edge-cases.bib")
    result = run(site, "import", str(bib))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "edge-cases.bib:24: warning: malformed BibTeX entry skipped (check its braces, quotes and commas)",
        "edge-cases.bib:51: warning: entry 'notitle2020' has no title or arXiv id; skipped"]
    assert result.stdout.strip() == "6 papers: 6 new, 0 updated, 0 unchanged; 2 warnings"
    kim = by_title(site, "Attention $O(n^2)$")
    assert kim.get("tags") == ["efficient-attention", "long-context", "c++"]
    assert "others" not in kim.get("authors") and kim.get("authors_count") is None


def test_a_file_without_entries_is_one_error_line(site, tmp_path):
    path = tmp_path / "empty.bib"
    path.write_text("@comment{exported from nowhere}\n@preamble{\"x\"}\n")
    result = run(site, "import", "--format", "bibtex", str(path))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "empty.bib: error: no BibTeX entry found" in line
    assert list((site / "content" / "papers").iterdir()) == []


def test_papers_bib_written_by_the_site_imports_back_as_the_same_papers(site, tmp_path):
    with_bib(site, "zotero-better-bibtex.bib", "edge-cases.bib")
    assert run(site, "import", *map(str, seed_paths(site))).exit_code == 0
    assert run(site, "build", "--no-search").exit_code == 0
    empty = tmp_path / "empty"
    (empty / "content" / "papers").mkdir(parents=True)
    (empty / "site.yaml").write_bytes((site / "site.yaml").read_bytes())
    result = run(empty, "import", str(site / "_site" / "papers.bib"))
    assert result.exit_code == 0 and "warning" not in result.stderr, result.output
    originals, copies = entries(site), entries(empty)
    assert len(copies) == len(originals) == 49

    def identity(entry):
        return entry.get("arxiv") or as_latex_reads(entry.get("title"))

    def as_latex_reads(title):  # papers.bib keeps a typed "--", which LaTeX reads as an en dash
        return title.replace("--", "\N{EN DASH}") if title else title

    by_id = {identity(e): e for e in copies.values()}
    for original in originals.values():
        copy = by_id[identity(original)]
        assert copy.get("title") == as_latex_reads(original.get("title"))
        assert copy.get("arxiv") == original.get("arxiv")
        assert copy.get("authors") == original.get("authors")
        assert copy.get("doi") == original.get("doi")
        assert copy.get("venue") == original.get("venue")
        date, back = original.get("date"), copy.get("date")
        assert back == date and type(back) is type(date), original.slug
