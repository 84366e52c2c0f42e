"""A build never destroys what is not its own, never trusts a stale record of the site,
and says in one line what stopped it: the output guard, the build journal, the
per-folder lock, the bounded stats chart and the file-system errors."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from generator.build.driver import BuildOptions, build
from generator.core.config import load_config
from tests.conftest import EPOCH, build_demo, run, seed_paths, snapshot


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert ": error: " in line and "internal error" not in line
    return line


def clean_copy(site: Path, *flags: str) -> dict[str, bytes]:
    """What a clean build gives, built into a fresh folder."""
    out = site.parent / f"reference-{len(list(site.parent.iterdir()))}"
    assert run(site, "build", "--no-search", "--clean", "--out", str(out), *flags).exit_code == 0
    return snapshot(out)


def add_to_notes(site: Path, count: int, text: str = "A new line of notes.") -> list[Path]:
    papers = sorted((site / "content" / "papers").glob("*.md"))[:count]
    for path in papers:
        path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
    return papers


# ----- the output guard ---------------------------------------------------------------------

def test_a_hand_written_folder_holding_nojekyll_is_not_replaced(site, tmp_path):
    docs = tmp_path / "docs"
    (docs / "css").mkdir(parents=True)
    (docs / ".nojekyll").write_text("")
    (docs / "index.html").write_text("<p>my own page</p>\n")
    (docs / "css" / "mine.css").write_text("p { color: red }\n")
    before = snapshot(docs)
    build_demo(site, "--no-search")
    line = one_error_line(run(site, "build", "--no-search", "--out", str(docs)))
    assert "did not make" in line
    assert snapshot(docs) == before


def test_a_file_added_to_a_built_site_stops_a_build_that_would_replace_it(site):
    out = build_demo(site, "--no-search")
    assert (out / ".nojekyll").is_file() and (out / ".papershelf-manifest").is_file()
    (out / "CNAME").write_text("papers.example.org\n")
    line = one_error_line(run(site, "build", "--no-search", "--clean"))
    assert "CNAME" in line and "did not make" in line
    assert (out / "CNAME").read_text() == "papers.example.org\n"
    (out / "CNAME").unlink()
    assert run(site, "build", "--no-search", "--clean").exit_code == 0


# ----- the journal: failed builds are repaired --------------------------------------------------

def test_a_build_that_fails_while_writing_is_repaired_by_the_next(site, monkeypatch):
    import generator.build.writer as build_module

    build_demo(site, "--no-search")
    add_to_notes(site, 6)
    real, calls = build_module._write_replace, []

    def fail_after_two(path, data):
        calls.append(path)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    monkeypatch.setattr(build_module, "_write_replace", fail_after_two)
    line = one_error_line(run(site, "build", "--no-search"))
    assert "disk is full" in line and "_site" in line
    monkeypatch.setattr(build_module, "_write_replace", real)
    repaired = run(site, "build", "--no-search")
    assert repaired.exit_code == 0 and "nothing changed" not in repaired.stdout
    assert snapshot(site / "_site") == clean_copy(site)


def test_a_pagefind_crash_is_one_line_with_its_message_and_the_site_is_repaired(site):
    build_demo(site)
    config = site / "site.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^language: .*$", "language: " + "e" * 300, good), encoding="utf-8")
    line = one_error_line(run(site, "build"))
    assert "Pagefind failed: it crashed: " in line and "RUST_BACKTRACE" not in line
    assert "out of bounds" in line
    config.write_text(good, encoding="utf-8")
    again = run(site, "build")
    assert again.exit_code == 0 and "nothing changed" not in again.stdout
    site_files = {p: b for p, b in snapshot(site / "_site").items() if not p.startswith("pagefind/")}
    assert site_files == clean_copy(site)


# ----- serve's state in memory against builds from another process --------------------------------

def serve_like(site: Path) -> tuple[BuildOptions, object]:
    """A first build as ``serve`` does it: the state is then kept in memory."""
    config = load_config(site)
    options = BuildOptions(out=site / "_site", base_url="/", search=False, jobs=1)
    _, state = build(config, options)
    return options, state


def serve_rebuild(site: Path, options: BuildOptions, state, changed: list[Path]):
    """A rebuild after an edit, as ``serve`` does it (trusting its state, saving later)."""
    fast = replace(options, trust_outputs=True, defer_save=True)
    report, state = build(load_config(site), fast, state, changed=[str(p) for p in changed])
    state.commit()
    return report, state


def test_serve_notices_a_build_with_another_base_url_from_another_shell(site):
    build_demo(site, "--no-search")
    options, state = serve_like(site)
    assert run(site, "build", "--no-search", "--base-url", "/repo/").exit_code == 0
    assert "/repo/" in (site / "_site" / "index.html").read_text()
    edited = add_to_notes(site, 1)
    serve_rebuild(site, options, state, edited)
    assert snapshot(site / "_site") == clean_copy(site)
    again = run(site, "build", "--no-search")
    assert again.exit_code == 0 and "nothing changed" in again.stdout


def test_serve_after_a_clean_build_from_another_shell_keeps_building(site):
    build_demo(site, "--no-search")
    options, state = serve_like(site)
    assert run(site, "build", "--no-search", "--clean").exit_code == 0
    edited = add_to_notes(site, 2)
    report, state = serve_rebuild(site, options, state, edited)  # no 'readonly database'
    assert report.written
    assert snapshot(site / "_site") == clean_copy(site)
    more = add_to_notes(site, 1, "And one more.")
    serve_rebuild(site, options, state, more)
    assert snapshot(site / "_site") == clean_copy(site)


# ----- one build at a time per output folder ---------------------------------------------------

def papershelf(site: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.Popen([sys.executable, "-c", "from generator.cli import main; main()", args[0],
                             "--site", str(site), *args[1:]], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@contextlib.contextmanager
def lock_held_elsewhere(site: Path, lock: str = "output_lock(site, site / '_site')"):
    """Another process holding a lock of ``site`` (its output folder's, or ``lock``, an
    expression of ``generator.core.locks`` over ``site``); yields the process."""
    code = ("import sys, time; from pathlib import Path; from generator.core.locks import *\n"
            "site = Path(sys.argv[1])\n"
            f"with {lock}:\n"
            "    print('held', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(site)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_a_second_build_waits_for_the_first_and_says_for_whom(site):
    build_demo(site, "--no-search")
    add_to_notes(site, 3)
    with lock_held_elsewhere(site) as holder:
        second = papershelf(site, "build", "--no-search")
        time.sleep(1.5)
        assert second.poll() is None  # waiting
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    waits = [line for line in err.splitlines() if line.startswith("waiting")]
    assert waits == [f"waiting for process {holder.pid}, which is building into {site / '_site'}"]
    assert snapshot(site / "_site") == clean_copy(site)


def test_a_build_that_may_not_wait_names_the_holder(site):
    from generator.core.locks import LockError

    build_demo(site, "--no-search")
    config = load_config(site)
    options = BuildOptions(out=site / "_site", base_url="/", search=False, lock_timeout=0.2)
    with lock_held_elsewhere(site) as holder, pytest.raises(LockError) as caught:
        build(config, options)
    assert f"process {holder.pid} is building into" in str(caught.value)


def test_builds_started_together_all_succeed_and_give_a_clean_site(site):
    build_demo(site, "--no-search")
    add_to_notes(site, 4)
    flags = ([], ["--clean"], [], ["--clean"])
    builds = [papershelf(site, "build", "--no-search", *more) for more in flags]
    for process in builds:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert all(line.startswith("waiting for process ") or ": warning: base_url" in line
                   for line in err.strip().splitlines()), err
    assert snapshot(site / "_site") == clean_copy(site)


# ----- the stats chart is bounded ---------------------------------------------------------------

@pytest.mark.parametrize("date", ["9999-12-31", "3025-06-01", "1200-01-01"])
def test_an_implausible_date_leaves_the_stats_page_small(site, date):
    build_demo(site, "--no-search")
    path = sorted((site / "content" / "papers").glob("*.md"))[0]
    path.write_text(re.sub(r"(?m)^date: .*$", f"date: {date}", path.read_text(encoding="utf-8"), count=1)
                    if "\ndate: " in path.read_text(encoding="utf-8")
                    else path.read_text(encoding="utf-8").replace("---\n", f"---\ndate: {date}\n", 1),
                    encoding="utf-8")
    assert run(site, "build", "--no-search").exit_code == 0
    page = (site / "_site" / "stats" / "index.html").read_text(encoding="utf-8")
    months = re.search(r'<svg class="columns-svg[^>]*viewBox="0 0 (\d+) 100"', page)
    assert months and int(months.group(1)) // 10 <= 12 * 5  # the demo's papers span a few years
    assert len(page) < 100_000
    assert date[:4] not in page


# ----- file-system and cache errors: one line, the previous site kept --------------------------

@contextlib.contextmanager
def small_disk(folder: Path, monkeypatch, code: int):
    """A tmpfs at ``folder``; inside the block, writing to it fails with ``code`` (ENOSPC:
    filled up; EROFS: remounted read-only). Where this machine does not let the tests
    mount, and for EACCES (root may write anywhere), the same error is raised by
    papershelf's write functions instead."""
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(folder)], capture_output=True).returncode == 0
    try:
        yield _Trigger(folder, monkeypatch, code, mounted)
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


class _Trigger:
    def __init__(self, folder: Path, monkeypatch, code: int, mounted: bool) -> None:
        self.folder, self.monkeypatch, self.code, self.mounted = folder, monkeypatch, code, mounted

    def fail(self) -> None:
        if not self.mounted or self.code not in (errno.ENOSPC, errno.EROFS):  # root ignores modes
            import generator.build.writer as build_module
            import generator.build.writer as pages_module

            def refuse(path, *_):
                raise OSError(self.code, os.strerror(self.code), str(path))
            self.monkeypatch.setattr(build_module, "_write_replace", refuse)
            self.monkeypatch.setattr(pages_module, "write_output", refuse)
        elif self.code == errno.EROFS:
            subprocess.run(["mount", "-o", "remount,ro", str(self.folder)], check=True)
        else:
            with contextlib.suppress(OSError), open(self.folder / "filler", "wb") as filler:
                while True:
                    filler.write(b"\0" * (1 << 20))

    def heal(self) -> None:
        self.monkeypatch.undo()
        if self.mounted and self.code == errno.EROFS:
            subprocess.run(["mount", "-o", "remount,rw", str(self.folder)], check=True)
        (self.folder / "filler").unlink(missing_ok=True)


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "disk is full"), (errno.EROFS, "read-only"),
                                             (errno.EACCES, "permission denied")])
@pytest.mark.parametrize("flags", [[], ["--clean"]])
def test_a_full_or_read_only_disk_is_one_line_and_the_site_survives(site, tmp_path, monkeypatch,
                                                                     code, words, flags):
    build_demo(site, "--no-search")
    with small_disk(tmp_path / "disk", monkeypatch, code) as disk:
        out = disk.folder / "_site"
        assert run(site, "build", "--no-search", "--out", str(out)).exit_code == 0
        before = snapshot(out)
        add_to_notes(site, 5)
        disk.fail()
        line = one_error_line(run(site, "build", "--no-search", "--out", str(out), *flags))
        assert words in line and str(disk.folder) in line
        assert not flags or snapshot(out) == before  # a fresh build leaves the old site whole
        disk.heal()
        assert run(site, "build", "--no-search", "--out", str(out)).exit_code == 0
        assert snapshot(out) == clean_copy(site)
        assert [p.name for p in disk.folder.iterdir() if p.name != "_site"] == []


def test_a_cache_that_cannot_be_written_is_one_line_naming_it(site, monkeypatch):
    from generator.build.cache import BuildState

    build_demo(site, "--no-search")
    add_to_notes(site, 2)

    def broken(self, **changes):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(BuildState, "save", broken)
    line = one_error_line(run(site, "build", "--no-search"))
    assert re.search(r"\.papershelf-cache/build-\w+\.sqlite: error: the build cache cannot be used: "
                     r"database or disk is full", line)
    monkeypatch.undo()
    assert run(site, "build", "--no-search").exit_code == 0
    assert snapshot(site / "_site") == clean_copy(site)


# ----- the output guard: the manifest, not the cache, proves a folder is papershelf's ----------

def test_a_hand_written_folder_put_where_papershelf_once_built_is_not_adopted(site, tmp_path):
    docs = tmp_path / "docs"
    build_demo(site, "--no-search")
    assert run(site, "build", "--no-search", "--out", str(docs)).exit_code == 0
    shutil.rmtree(docs)
    docs.mkdir()
    (docs / ".nojekyll").write_text("")
    (docs / "index.html").write_text("<p>my own page</p>\n")
    (docs / "CNAME").write_text("me.example.org\n")
    before = snapshot(docs)
    result = run(site, "build", "--no-search", "--out", str(docs))
    assert result.exit_code == 1, "the build adopted a folder without a manifest: " + result.output
    assert "did not make" in one_error_line(result)
    assert snapshot(docs) == before


def test_an_output_dir_that_is_a_file_is_refused_and_kept(site):
    build_demo(site, "--no-search")
    notes = site / "mynotes.txt"
    notes.write_text("my precious notes\n")
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\noutput_dir: mynotes.txt\n", encoding="utf-8")
    result = run(site, "build", "--no-search")
    assert notes.is_file() and notes.read_text() == "my precious notes\n"
    assert not list(site.glob(".mynotes.txt.old-*"))
    assert "mynotes.txt" in one_error_line(result)


def test_an_output_dir_that_is_a_link_is_built_through_like_out(site):
    build_demo(site, "--no-search")
    (site / "deploy").mkdir()
    (site / "docs").symlink_to("deploy")
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\noutput_dir: docs\n", encoding="utf-8")
    result = run(site, "build", "--no-search")
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".docs.")]
    assert leftovers == []
    assert result.exit_code == 0, result.output
    assert (site / "docs").is_symlink() and (site / "deploy" / "index.html").is_file()


@contextlib.contextmanager
def tmpfs_at(out: Path):
    """A small tmpfs mounted at ``out`` (a new folder) for the test's span."""
    out.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(out)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield out
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)


def test_an_output_folder_that_is_a_mount_point_builds_and_repairs(site):
    with tmpfs_at(site / "_site") as out:
        assert run(site, "import", *map(str, seed_paths(site))).exit_code == 0
        first = run(site, "build", "--no-search")
        assert first.exit_code == 0, first.output
        assert snapshot(out) == clean_copy(site)
        add_to_notes(site, 3)
        again = run(site, "build", "--no-search", "--clean")
        assert again.exit_code == 0, again.output
        assert snapshot(out) == clean_copy(site)
        assert run(site, "build", "--no-search").stdout.count("nothing changed") == 1


# ----- entries a build cannot publish: one line naming the file --------------------------------

def _entry(site: Path, name: str, text: str) -> Path:
    path = site / "content" / "papers" / name
    path.write_bytes(text.encode("utf-8"))
    return path


XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _no_forbidden_character_in_outputs(site: Path) -> None:
    for path, data in snapshot(site / "_site").items():
        if path.endswith((".html", ".xml", ".json", ".bib")):
            assert not XML_FORBIDDEN.search(data.decode("utf-8")), path


@pytest.mark.parametrize("text", [
    '---\ntitle: "A\\bB"\ndate: 2024-01-01\n---\n',            # escape in a double-quoted title
    "---\ntitle: A\ndate: 2024-01-01\ntags: [\"a\\0b\"]\n---\n",  # NUL in a tag
    "---\ntitle: A\ndate: 2024-01-01\n---\nnotes \x0c with a form feed\n",  # raw in the notes
])
def test_a_control_character_in_an_entry_is_removed_from_every_output(site, text):
    """'check' names the file and line; 'build' publishes the entry without the character
    (item 17: a stray ESC in a note must not stop the site), never an internal error."""
    _entry(site, "hostile.md", text)
    checked = run(site, "check")
    assert checked.exit_code == 0 and "hostile.md:" in checked.output and ": warning: " in checked.output
    result = run(site, "build", "--no-search")
    assert result.exit_code == 0, result.output
    assert (site / "_site" / "papers" / "hostile" / "index.html").is_file()
    _no_forbidden_character_in_outputs(site)


@pytest.mark.parametrize("escape", ["\\uFFFE", "\\uFFFF"])
def test_a_noncharacter_in_an_entry_is_caught_by_check_and_build(site, escape):
    _entry(site, "hostile.md", f'---\ntitle: "A{escape}B"\ndate: 2024-01-01\n---\n')
    checked = run(site, "check")
    assert checked.exit_code == 0 and "hostile.md:2: warning: title: noncharacter" in checked.output
    result = run(site, "build", "--no-search")
    assert result.exit_code == 0, result.output
    assert "<title>AB" in (site / "_site" / "papers" / "hostile" / "index.html").read_text(encoding="utf-8")
    _no_forbidden_character_in_outputs(site)


def test_a_newline_in_an_entry_file_name_does_not_block_clean_builds(site):
    papers = site / "content" / "papers"
    (papers / "good.md").write_text("---\ntitle: Good\ndate: 2024-01-01\n---\n", encoding="utf-8")
    (papers / "a\nb.md").write_text("---\ntitle: Newline\ndate: 2024-01-01\n---\n", encoding="utf-8")
    checked = run(site, "check")
    assert checked.exit_code == 1 and "a\\u000ab.md: error: the file name holds the character U+000A" \
        in checked.output, checked.output
    first = run(site, "build", "--no-search")
    if first.exit_code == 1:  # refused up front: fine, if it says which file in one line
        assert "a" in one_error_line(first)
        return
    assert first.exit_code == 0, first.output
    again = run(site, "build", "--no-search", "--clean")
    assert again.exit_code == 0, again.output


def test_an_entry_file_name_that_is_not_utf8_is_one_line_in_build(site):
    papers = site / "content" / "papers"
    (papers / "good.md").write_text("---\ntitle: Good\ndate: 2024-01-01\n---\n", encoding="utf-8")
    bad = os.path.join(os.fsencode(papers), b"caf\xe9.md")
    with open(bad, "wb") as handle:
        handle.write(b"---\ntitle: Latin-1 name\ndate: 2024-01-01\n---\n")
    built = run(site, "build", "--no-search")
    assert built.exit_code != 70, built.output
    if built.exit_code == 1:
        assert "caf" in one_error_line(built)


def test_a_tag_too_long_for_a_file_name_is_caught_by_check_or_built(site):
    """A tag is the curator's word, however long: its page gets a capped URL segment that
    ends in a digest, so two long tags that start alike keep apart pages."""
    _entry(site, "long-tag.md", "---\ntitle: A\ndate: 2024-01-01\ntags: ['" + "a" * 300 + "']\n---\n")
    _entry(site, "longer-tag.md", "---\ntitle: B\ndate: 2024-01-02\ntags: ['" + "a" * 301 + "']\n---\n")
    built = run(site, "build", "--no-search")
    assert built.exit_code == 0, built.output
    pages = [p for p in (site / "_site" / "tags").iterdir() if p.name.startswith("aaa")]
    assert len(pages) == 2 and all(len(p.name) <= 80 and (p / "index.html").is_file() for p in pages)
    assert run(site, "check").exit_code == 0


def test_a_file_system_error_in_a_fresh_build_names_the_output_folder_not_the_staging_one(site, monkeypatch):
    import generator.build.writer as pages_module

    build_demo(site, "--no-search")

    def refuse(path, *_):
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), str(path))

    monkeypatch.setattr(pages_module, "write_output", refuse)
    line = one_error_line(run(site, "build", "--no-search", "--clean"))
    assert "._site.new-" not in line and "_site" + os.sep in line and "too long" in line


def test_a_killed_imports_temporary_file_is_removed_by_the_next_build(site):
    build_demo(site, "--no-search")
    papers = site / "content" / "papers"
    entry = sorted(papers.glob("*.md"))[0]
    temp = papers / f".{entry.name}.999999.tmp"
    temp.write_bytes(entry.read_bytes()[:40])
    old = time.time() - 3600
    os.utime(temp, (old, old))
    assert run(site, "build", "--no-search").exit_code == 0
    assert not temp.exists()


@pytest.mark.parametrize("point", ["moved-aside", "swapped"])
def test_a_build_into_a_mount_point_killed_while_swapping_is_repaired(site, point):
    with tmpfs_at(site / "_site") as out:
        build_demo(site, "--no-search")
        add_to_notes(site, 3)
        killed = subprocess.run([sys.executable, "-c", "from generator.cli import main; main()", "build",
                                 "--site", str(site), "--no-search", "--clean"],
                                env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PAPERSHELF_CRASH_AT": point},
                                capture_output=True, timeout=300)
        assert killed.returncode == -9
        repaired = run(site, "build", "--no-search")
        assert repaired.exit_code == 0 and "nothing changed" not in repaired.stdout, repaired.output
        assert snapshot(out) == clean_copy(site)
