"""Where entries live and how an entry file is edited: the names made from slugs, and the
bytes a fill writes, read back as every command reads an entry."""

from __future__ import annotations

import codecs

import pytest

from generator.core.entries import Entry, read_entry_file
from generator.core.errors import EntryError
from generator.core.folder import ENTRY_SUFFIX, entry_file_name, entry_path
from generator.core.frontmatter_edit import update_front_matter
from generator.core.library import Library, create_entry, save_entry, update_entry


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
