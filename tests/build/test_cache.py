"""The build cache on its own: what a build saves is what the next one loads; a cache it
cannot use is discarded, never a crash; the journal tells a build that another one was
killed while writing, or that another process built since."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from generator.build import cache
from generator.build.cache import BuildState, cache_path
from generator.build.facts import CacheUpdate, EntryFacts, PaperSummary
from generator.core.entries import Entry
from generator.site.model import Paper


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path


def out_of(root: Path) -> Path:
    return root / "_site"


def an_update(title: str = "A paper") -> CacheUpdate:
    paper = Paper("a-paper", "a-paper.md", dt.date(2024, 1, 2), dt.date(2024, 2, 3), None, ("moe",), "read")
    facts = EntryFacts((1, 2, 3), b"digest", paper, b"site", b"row", b"export")
    entry = Entry("a-paper", {"title": title}, "Notes.")
    return CacheUpdate(site_key=b"site", search_key=b"search", content_key=b"content",
                       records={"a-paper": facts}, entries={"a-paper": entry},
                       fragments={"a-paper": (b"fragment-key", ("<p>abstract</p>", "<p>notes</p>"))},
                       summaries={"a-paper": PaperSummary({"title": title}, "@misc{a}", '{"a": 1}')},
                       outputs={"papers/a-paper/index.html": b"key", "index.html": b"key2"},
                       search_pages={"papers/a-paper/index.html": b"indexed"})


def saved(root: Path, update: CacheUpdate | None = None) -> None:
    state = BuildState.open(root, out_of(root))
    state.begin()
    state.save(update=update or an_update())
    state.close()


def test_what_a_build_saves_is_what_the_next_one_loads(root):
    update = an_update()
    saved(root, update)
    state = BuildState.open(root, out_of(root))
    assert not state.unfinished
    assert (state.site_key, state.search_key, state.content_key) == (b"site", b"search", b"content")
    assert state.outputs == update.outputs
    assert state.stats == {"a-paper": (1, 2, 3)}
    assert state.records is None  # read only when asked for
    assert state.load_records() == update.records
    assert dict(state.rows.entries(["a-paper", "missing"])) == update.entries
    assert list(state.rows.fragments(["a-paper"])) == [("a-paper", b"fragment-key", ("<p>abstract</p>",
                                                                                      "<p>notes</p>"))]
    assert dict(state.rows.summaries(["a-paper"])) == update.summaries
    assert dict(state.rows.texts("bib", ["a-paper"])) == {"a-paper": "@misc{a}"}
    assert state.indexed_pages() == update.search_pages  # what serve indexes in the background
    state.close()


def test_a_second_save_replaces_the_first_and_drops_what_went(root):
    saved(root)
    state = BuildState.open(root, out_of(root))
    state.load_records()
    state.begin()
    state.save(update=CacheUpdate(b"site2", b"s", b"c", {}, {}, {}, {}, {"index.html": b"k"}, {}))
    state.close()
    again = BuildState.open(root, out_of(root))
    assert again.load_records() == {} and again.outputs == {"index.html": b"k"}
    assert again.indexed_pages() == {}
    assert list(again.rows.entries(["a-paper"])) == []
    again.close()


def test_a_cache_of_another_format_is_discarded(root, monkeypatch):
    monkeypatch.setattr(cache, "FORMAT", cache.FORMAT - 1)
    saved(root)
    monkeypatch.undo()
    state = BuildState.open(root, out_of(root))
    assert state.outputs == {} and state.site_key == b"" and state.load_records() == {}
    assert list(state.rows.entries(["a-paper"])) == [] and state.indexed_pages() == {}
    state.close()


def test_the_index_key_of_a_page_is_saved_with_the_page_and_dropped_with_it(root):
    saved(root)
    page = "papers/a-paper/index.html"
    for outputs, indexed in [({page: b"key", "index.html": b"key2"}, {page: b"indexed"}),  # unchanged
                             ({page: b"new key", "index.html": b"key2"}, {page: b"reindexed"}),
                             ({"index.html": b"key2"}, {})]:
        state = BuildState.open(root, out_of(root))
        state.begin()
        state.save(update=replace(an_update(), outputs=outputs, search_pages=indexed))
        state.close()
        again = BuildState.open(root, out_of(root))
        assert (again.outputs, again.indexed_pages()) == (outputs, indexed)
        again.close()


@pytest.mark.parametrize("junk", [b"", b"not a database at all" * 100, b"SQLite format 3\0" + b"\xff" * 4000])
def test_an_unreadable_cache_file_is_discarded_not_a_crash(root, junk):
    path = cache_path(root, out_of(root))
    path.parent.mkdir(parents=True)
    path.write_bytes(junk)
    state = BuildState.open(root, out_of(root))
    assert state.outputs == {} and state.load_records() == {} and not state.unfinished
    state.begin()
    state.save(update=an_update())
    state.close()
    assert BuildState.open(root, out_of(root)).outputs == an_update().outputs


def test_an_unreadable_index_is_forgotten(root):
    saved(root)
    state = BuildState.open(root, out_of(root))
    with state._db:
        state._db.execute("UPDATE meta SET value = ? WHERE name = 'index'", (b"not a pickle",))
    assert state.load_records() == {} and state.outputs == {} and state.site_key == b""
    state.close()


def test_a_build_that_began_and_did_not_save_is_unfinished(root):
    saved(root)
    state = BuildState.open(root, out_of(root))
    state.begin()
    state.close()  # killed before the save
    state = BuildState.open(root, out_of(root))
    assert state.unfinished
    state.load_records()
    state.begin()
    state.save(update=an_update())
    assert not state.unfinished
    state.close()
    assert not BuildState.open(root, out_of(root)).unfinished


def test_a_deferred_save_is_written_at_commit(root):
    saved(root)
    state = BuildState.open(root, out_of(root))
    state.begin()
    state.save(update=an_update("Renamed"), defer=True)
    assert BuildState.open(root, out_of(root)).unfinished  # not written yet
    state.commit()
    other = BuildState.open(root, out_of(root))
    assert not other.unfinished
    assert dict(other.rows.summaries(["a-paper"]))["a-paper"].row == {"title": "Renamed"}


def test_a_state_is_not_current_once_another_one_wrote(root):
    saved(root)
    kept = BuildState.open(root, out_of(root))  # serve's, kept in memory
    assert kept.is_current()
    kept.load_records()
    kept.begin()
    kept.save(update=an_update("Late"), defer=True)
    assert kept.is_current()
    other = BuildState.open(root, out_of(root))  # a build from another shell
    other.begin()
    other.save(update=an_update())
    other.close()
    assert not kept.is_current()
    kept.commit()  # dropped: the other build's save stays
    assert kept.stale and not kept.is_current()
    fresh = BuildState.open(root, out_of(root))
    assert dict(fresh.rows.summaries(["a-paper"]))["a-paper"].row == {"title": "A paper"}


def test_a_state_is_not_current_once_its_file_was_replaced(root):
    saved(root)
    kept = BuildState.open(root, out_of(root))
    path = cache_path(root, out_of(root))
    path.unlink()
    assert not kept.is_current()
    saved(root)
    assert not kept.is_current()
