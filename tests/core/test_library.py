"""Where entries live and how an entry file is edited: the names made from slugs, and the
bytes a fill writes, read back as every command reads an entry."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from generator.core.entries import Entry, read_entry_file
from generator.core.errors import EntryError
from generator.core.folder import ENTRY_SUFFIX, entry_file_name, entry_path
from generator.core.frontmatter_edit import update_front_matter
from generator.core.library import Library, ReplacedFiles, create_entry, save_entry, update_entry


def test_every_entry_file_name_is_made_in_one_place(tmp_path):
    assert ENTRY_SUFFIX == ".md" and entry_file_name("moe") == "moe.md"
    assert entry_path(tmp_path, "moe") == tmp_path / "moe.md" == Library(tmp_path).path_of("moe")
    assert save_entry(tmp_path, Entry("a.b", {"title": "A"})) == tmp_path / "a.b.md"
    create_entry(tmp_path, Entry("new", {"title": "New"}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.b.md", "new.md"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_fill_keeps_a_bom_and_the_line_ends_and_reads_back_as_merged(tmp_path, newline):
    data = codecs.BOM_UTF8 + f"---{newline}title: A  # mine{newline}---{newline}Notes.{newline}".encode()
    before = read_entry_file(tmp_path / "a.md", data).entry.meta
    new = update_front_matter(data, before, {**before, "arxiv": "2505.09343"}, tmp_path / "a.md")
    assert new == codecs.BOM_UTF8 + (f"---{newline}title: A  # mine{newline}arxiv: '2505.09343'{newline}"
                                     f"---{newline}Notes.{newline}").encode()
    assert read_entry_file(tmp_path / "a.md", new).entry.meta == {"title": "A", "arxiv": "2505.09343"}


def test_a_fill_that_would_not_read_back_as_merged_is_refused(tmp_path):
    data = b"---\ntitle: A\n---\n"
    with pytest.raises(EntryError, match="would not give the merged fields back"):
        update_front_matter(data, {"title": "A"}, {"title": "A", "rating": "\u2028"}, tmp_path / "a.md")


def test_update_entry_writes_the_fill_through_the_one_reader(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(codecs.BOM_UTF8 + b"---\ntitle: A\n---\n")
    written = update_entry(path, lambda now: {**now.meta, "status": "read"})
    assert written == Entry("a", {"title": "A", "status": "read"}, "")
    assert path.read_bytes() == codecs.BOM_UTF8 + b"---\ntitle: A\nstatus: read\n---\n"


def _entry(tmp_path):
    path = save_entry(tmp_path, Entry("a-paper", {"title": "A paper"}, "Notes.\n"))
    return path, path.read_bytes()


def _fill_status(now):
    return {**now.meta, "status": "read"}


def test_an_edit_written_to_the_old_file_a_moment_after_an_update_is_appended(tmp_path):
    """An editor that opened the file just before the rename and appends just after."""
    path, _ = _entry(tmp_path)
    late = path.open("ab")  # opened before the update replaces the file
    watch = ReplacedFiles()
    assert update_entry(path, _fill_status, watch) is not None
    late.write(b"A line added late.\n")
    late.close()
    assert b"A line added late." not in path.read_bytes()  # it landed in the replaced file
    watch.settle()
    text = path.read_text(encoding="utf-8")
    assert "A line added late.\n" in text and "status: read" in text and watch.errors == []


def _rewritten_late(tmp_path, notes: bytes) -> tuple[Path, ReplacedFiles]:
    """An entry updated while an editor had it open, which then rewrote it in place."""
    path, before = _entry(tmp_path)
    late = path.open("r+b")
    watch = ReplacedFiles()
    update_entry(path, _fill_status, watch)
    late.truncate(0)
    late.write(before.replace(b"Notes.", notes))
    late.close()
    return path, watch


def test_a_file_rewritten_in_place_a_moment_after_an_update_is_merged_again(tmp_path):
    path, watch = _rewritten_late(tmp_path, b"Notes, rewritten.")
    watch.settle()
    text = path.read_text(encoding="utf-8")
    assert "Notes, rewritten." in text and "status: read" in text and watch.errors == []


def test_an_old_file_rewritten_while_the_new_one_is_edited_is_kept_beside_it(tmp_path):
    path, watch = _rewritten_late(tmp_path, b"Old file's notes.")
    path.write_bytes(path.read_bytes() + b"New file's notes.\n")
    watch.settle()
    assert "New file's notes." in path.read_text(encoding="utf-8")
    beside = path.with_name(path.name + ".edited")
    assert "Old file's notes." in beside.read_text(encoding="utf-8")
    assert [str(e) for e in watch.errors] == [
        f"{path}: was saved while papershelf replaced it; that version is kept beside it "
        f"(merge {beside.name} into it by hand, then delete {beside.name})"]


def test_old_files_left_alone_are_only_closed(tmp_path):
    path, _ = _entry(tmp_path)
    watch = ReplacedFiles()
    update_entry(path, _fill_status, watch)
    after = path.read_bytes()
    watch.settle()
    assert path.read_bytes() == after and watch.errors == [] and sorted(tmp_path.iterdir()) == [path]
