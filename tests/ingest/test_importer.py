"""The import job's write steps, one entry file at a time: what is written, what is
remembered, and what an entry that cannot be written gives back."""

from __future__ import annotations

import os
from pathlib import Path

from generator.core.entries import Entry, read_entry
from generator.core.errors import EntryError
from generator.core.folder import entry_path
from generator.core.library import Library, load_library, save_entry
from generator.ingest.importer import Change, Written, remember_written, write_change, write_changes
from generator.ingest.merge import entry_keys
from generator.ingest.records import Record

RECORD = Record(source="d.txt", line=1, format="hf", title="Paper A", abstract="About A.")
PLANNED = Entry("paper-a", {"title": "Paper A", "status": "to-read", "abstract": "About A."}, "")


def library(folder: Path) -> Library:
    return load_library(folder, keys_of=entry_keys)


def test_a_new_entry_is_created_as_planned(tmp_path):
    written = write_change(tmp_path, library(tmp_path), Change("new", PLANNED, records=(RECORD,)))
    assert isinstance(written, Written) and written.slug == "paper-a"
    assert written.entry is None  # the planned entry: not sent back
    assert written.key is not None and written.identity == entry_keys(PLANNED)
    assert read_entry(entry_path(tmp_path, "paper-a")) == PLANNED


def test_an_update_is_merged_into_the_file_as_it_is_now(tmp_path):
    base = Entry("paper-a", {"title": "Paper A", "status": "to-read"}, "")
    save_entry(tmp_path, Entry("paper-a", {"title": "Paper A", "status": "read"}, "Notes.\n"))  # edited since
    change = Change("updated", Entry("paper-a", {**base.meta, "abstract": "About A."}, ""),
                    ("abstract",), base, (RECORD,))
    written = write_change(tmp_path, None, change)
    now = read_entry(entry_path(tmp_path, "paper-a"))
    assert now.get("status") == "read" and now.get("abstract") == "About A." and now.body == "Notes.\n"
    assert written == Written("paper-a", now, None, None)  # not the planned entry: sent back


def test_an_entry_removed_meanwhile_is_not_brought_back(tmp_path):
    change = Change("updated", PLANNED, ("abstract",), Entry("paper-a", {"title": "Paper A"}), (RECORD,))
    assert write_change(tmp_path, None, change) is None
    assert not entry_path(tmp_path, "paper-a").exists()


def test_an_entry_that_cannot_be_read_is_its_error_and_the_others_are_written(tmp_path):
    broken = entry_path(tmp_path, "paper-a")
    broken.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    os.utime(broken, (1, 1))  # old: not an editor's save in progress
    update = Change("updated", PLANNED, ("abstract",), Entry("paper-a", {"title": "Paper A"}), (RECORD,))
    other = Entry("paper-b", {"title": "Paper B"}, "")
    results = write_changes(tmp_path, None, [update, Change("new", other)])
    assert isinstance(results[0], EntryError) and results[0].path == broken
    assert results[1] == Written("paper-b", None, None, None)
    assert read_entry(entry_path(tmp_path, "paper-b")) == other


def test_remember_written_keeps_the_planned_or_the_merged_entry(tmp_path):
    lib = library(tmp_path)
    merged = Entry("paper-b", {"title": "Paper B", "status": "read"}, "")
    changes = [Change("new", PLANNED), Change("updated", Entry("paper-b", {"title": "Paper B"}))]
    results = [Written("paper-a", None, (1, 2, 3), "keys-a"), Written("paper-b", merged, (4, 5, 6), "keys-b"),
               EntryError("cannot write", path=tmp_path / "paper-c.md")]
    remember_written(lib, changes, results)
    assert lib.entries == {"paper-a": PLANNED, "paper-b": merged}
    assert lib.cached_keys("paper-a") == "keys-a" and lib.known["paper-b"][0] == (4, 5, 6)
