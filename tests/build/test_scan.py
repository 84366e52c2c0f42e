"""Which files are entries: the folder's regular ``*.md`` files, and in ``serve`` the changed
files a watcher reports, of which links, dot files and files elsewhere are not entries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.build.facts import EntryFacts
from generator.build.scan import load_records, rescan_entries, scan_entries
from generator.core.errors import EntryError
from generator.core.folder import file_key

ENTRY = "---\ntitle: {title}\ndate: 2024-01-02\ntags: [moe]\n---\nNotes.\n"


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "papers"
    folder.mkdir(parents=True)
    for slug in ("b-paper", "a-paper"):
        (folder / f"{slug}.md").write_text(ENTRY.format(title=slug))
    return folder


def facts_of(papers: Path) -> dict[str, EntryFacts]:
    return load_records(scan_entries(papers), {}).records


def test_the_scan_lists_regular_entry_files_in_name_order(papers, tmp_path):
    (papers / "notes.txt").write_text("not an entry")
    scan = scan_entries(papers)
    assert list(scan) == ["a-paper", "b-paper"]
    assert scan["a-paper"] == (str(papers / "a-paper.md"), file_key(os.stat(papers / "a-paper.md")))


def test_a_rescan_takes_new_and_changed_entries_and_drops_removed_ones(papers):
    records = facts_of(papers)
    (papers / "c-paper.md").write_text(ENTRY.format(title="c"))
    (papers / "b-paper.md").unlink()
    scan = rescan_entries(papers, records, [str(papers / "c-paper.md"), str(papers / "b-paper.md")])
    assert list(scan) == ["a-paper", "c-paper"]
    assert scan["c-paper"][1] == file_key(os.stat(papers / "c-paper.md"))


def test_a_rescan_ignores_links_dot_files_and_files_outside_the_folder(papers, tmp_path):
    records = facts_of(papers)
    outside = tmp_path / "secret.md"
    outside.write_text(ENTRY.format(title="secret"))
    (papers / "leak.md").symlink_to(outside)
    (papers / ".hidden.md").write_text(ENTRY.format(title="hidden"))
    (papers / "sub").mkdir()
    (papers / "sub" / "deeper.md").write_text(ENTRY.format(title="deeper"))
    (papers / "folder.md").mkdir()
    changed = [str(p) for p in (outside, papers / "leak.md", papers / ".hidden.md",
                                papers / "sub" / "deeper.md", papers / "folder.md")]
    assert list(rescan_entries(papers, records, changed)) == ["a-paper", "b-paper"]


def test_an_entry_turned_into_a_link_leaves_the_rescan(papers, tmp_path):
    records = facts_of(papers)
    outside = tmp_path / "secret.md"
    outside.write_text(ENTRY.format(title="secret"))
    (papers / "a-paper.md").unlink()
    (papers / "a-paper.md").symlink_to(outside)
    assert list(rescan_entries(papers, records, [str(papers / "a-paper.md")])) == ["b-paper"]


def test_only_changed_bytes_are_parsed_again(papers):
    first = load_records(scan_entries(papers), {})
    assert sorted(first.parsed) == ["a-paper", "b-paper"]
    os.utime(papers / "a-paper.md", ns=(1, 1))  # a new file key, the same bytes
    again = load_records(scan_entries(papers), first.records)
    assert again.parsed == {} and again.records["a-paper"].digest == first.records["a-paper"].digest
    assert again.records["b-paper"] is first.records["b-paper"]
    (papers / "b-paper.md").write_text(ENTRY.format(title="edited"))
    parsed = load_records(scan_entries(papers), again.records).parsed
    assert list(parsed) == ["b-paper"] and parsed["b-paper"].meta["title"] == "edited"


def test_an_entry_breaking_a_schema_rule_names_its_file_and_line(papers):
    (papers / "a-paper.md").write_text("---\ntitle: A\ndate: 2024-01-02\nstatus: someday\n---\n")
    with pytest.raises(EntryError) as caught:
        load_records(scan_entries(papers), {})
    assert caught.value.path == papers / "a-paper.md" and caught.value.line == 4
