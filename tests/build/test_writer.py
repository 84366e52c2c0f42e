"""Writing a site never leaves it half-made: a file is replaced whole or not at all, a fresh
folder goes in whole or not at all, and a folder that cannot be renamed has its contents
swapped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.build import writer
from generator.build.output_folder import MANIFEST, manifest_bytes, read_manifest
from generator.build.writer import build_fresh, swap_site, write_in_place
from tests.conftest import snapshot


def a_site(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / MANIFEST).write_bytes(manifest_bytes(files))
    return folder


def test_an_atomic_replace_keeps_the_mode_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "index.html"
    target.write_text("old")
    os.chmod(target, 0o640)
    writer._write_replace(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_an_atomic_write_makes_missing_folders(tmp_path):
    writer._write_replace(tmp_path / "a" / "b" / "index.html", b"new")
    assert (tmp_path / "a" / "b" / "index.html").read_bytes() == b"new"


def test_a_failed_atomic_replace_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "index.html"
    target.write_text("old")

    def refuse(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        writer._write_replace(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]
    assert target.read_text() == "old"


def test_in_place_writes_only_what_differs_and_deletes_what_went(tmp_path):
    out = a_site(tmp_path / "_site", {"index.html": "same", "old/index.html": "gone", "a.html": "before"})
    begun = []
    done = write_in_place(out, {"index.html": b"same", "a.html": b"after", "b.html": b"new"},
                          ["index.html", "a.html", "b.html"], ["index.html", "old/index.html", "a.html"],
                          lambda: begun.append(True))
    assert begun == [True]
    assert done.written == ["a.html", "b.html"] and done.deleted == ["old/index.html"]
    assert not (out / "old").exists()  # an emptied folder goes too
    assert read_manifest(out) == {"index.html", "a.html", "b.html"}
    assert (out / "a.html").read_text() == "after"


def test_a_failing_fresh_build_leaves_the_old_folder_whole(tmp_path):
    out = a_site(tmp_path / "_site", {"index.html": "old site", "papers/a/index.html": "a"})
    before = snapshot(out)
    begun = []

    def fill(staging: Path) -> None:
        (staging / "index.html").write_text("new site")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        build_fresh(out, fill, lambda: begun.append(True))
    assert snapshot(out) == before
    assert begun == []  # the output was never touched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]  # no staging folder left


def test_a_fresh_build_replaces_the_folder_whole(tmp_path):
    out = a_site(tmp_path / "_site", {"index.html": "old site", "stale.html": "old"})

    def fill(staging: Path) -> None:
        a_site(staging, {"index.html": "new site"})

    build_fresh(out, fill, lambda: None)
    assert snapshot(out) == {"index.html": b"new site", MANIFEST: manifest_bytes(["index.html"])}
    assert os.stat(out).st_mode & 0o777 == 0o755
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]  # the old site is gone


def test_a_folder_that_cannot_be_renamed_has_its_contents_swapped(tmp_path):
    out = a_site(tmp_path / "_site", {"index.html": "old site", "stale/index.html": "old"})
    staging = a_site(out / ".papershelf-new-1-x", {"index.html": "new site", "papers/a/index.html": "a"})
    swap_site(staging, out)  # a staging folder inside the output: the mount point case
    assert snapshot(out) == {"index.html": b"new site", "papers/a/index.html": b"a",
                             MANIFEST: manifest_bytes(["index.html", "papers/a/index.html"])}
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "index.html", "papers"]  # nothing left over


def test_a_busy_folder_falls_back_on_the_contents_swap(tmp_path, monkeypatch):
    out = a_site(tmp_path / "_site", {"index.html": "old site"})
    staging = a_site(tmp_path / "._site.new-1-x", {"index.html": "new site"})
    real_rename = os.rename

    def busy(source, target):
        if Path(source) == out:
            raise OSError(16, "Device or resource busy")
        return real_rename(source, target)

    monkeypatch.setattr(os, "rename", busy)
    swap_site(staging, out)
    assert (out / "index.html").read_text() == "new site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]
