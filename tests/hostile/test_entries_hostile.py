"""Entry files under attack: symlinks, odd line endings, curated layouts, aliases, duplicates,
control characters, unreadable and half-written files. Every command keeps every curated byte."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import threading
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.entries import parse_entry, read_entry
from generator.merge import fill

from ..arxiv_server import FakeArxiv, demo_records
from ..conftest import run
from .entry_files import ABSTRACT, arxiv_dump, assert_only_filled, changed_lines

BOM = codecs.BOM_UTF8
CURATED = """---
# my own remarks on this paper
title: Hostile curator \U0001F916 at work
version: 1.10
zip: 012345
flag: yes
hex: 0x1F
time: 1:30
seen: 2024-02-03
nothing: ~
empty_list: []
empty_str: ''
status: reading   # started on the train
tags: [mine, 'yes']
sources: hand.txt
abstract: "{abstract}"
---
My notes.

Line two, with trailing spaces.{spaces}
"""


def papers(site: Path) -> Path:
    return site / "content" / "papers"


def curated(newline: bytes = b"\n", bom: bool = False) -> bytes:
    data = CURATED.format(abstract=ABSTRACT, spaces="  ").encode("utf-8").replace(b"\n", newline)
    return (BOM if bom else b"") + data


def write_entry(site: Path, name: str, data: bytes) -> Path:
    path = papers(site) / name
    path.write_bytes(data)
    return path


# --- item 3: symlinks ------------------------------------------------------------------------------


def test_a_symlinked_entry_is_neither_read_nor_published(site, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: Secret outside the site\ndate: 2024-01-01\n---\nPrivate.\n")
    (papers(site) / "leak.md").symlink_to(outside)
    result = run(site, "check")
    assert result.exit_code == 1
    assert "leak.md" in result.output and "symbolic link" in result.output
    built = run(site, "build", "--no-search")
    assert built.exit_code == 0, built.output
    assert not (site / "_site" / "papers" / "leak").exists()
    assert "Secret outside the site" not in (site / "_site" / "papers.json").read_text()


# --- items 4, 5, 6, 9: import changes only the lines it fills -----------------------------------


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("bom", [False, True], ids=["", "bom"])
def test_import_changes_only_the_lines_it_fills(site, newline, bom):
    path = write_entry(site, "hostile.md", curated(newline, bom))
    before = path.read_bytes()
    result = run(site, "import", str(arxiv_dump(site / "content" / "sources")))
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    after = path.read_bytes()
    checked = run(site, "check")  # item 9: a BOM and CR-only endings are fine
    assert checked.exit_code == 0 and "0 errors" in checked.output, checked.output
    assert after.startswith(BOM) == bom
    assert_only_filled(before, after, {"arxiv", "date", "comment", "sources"}, newline)
    entry = read_entry(path)
    assert entry.get("arxiv") == "2505.09343" and entry.get("date") == dt.date(2025, 5, 14)
    assert entry.get("sources") == ["hand.txt", "listing.txt"]  # item 6: not split into letters
    own = (entry.get("version"), entry.get("zip"), entry.get("flag"), entry.get("hex"))
    assert own == (1.1, 5349, True, 31)
    assert after.endswith(b"My notes." + newline + newline + b"Line two, with trailing spaces.  " + newline)
    for own in (b"version: 1.10", b"zip: 012345", b"nothing: ~", b"empty_list: []", b"empty_str: ''",
                b"# my own remarks", b"\xf0\x9f\xa4\x96", b"status: reading   # started"):
        assert own in after
    again = run(site, "import", str(site / "content" / "sources" / "listing.txt"))
    assert again.exit_code == 0 and path.read_bytes() == after  # a second import changes no byte
    built = run(site, "build", "--no-search")
    assert built.exit_code == 0, built.output
    assert (site / "_site" / "papers" / "hostile" / "index.html").exists()


def test_a_scalar_sources_is_one_file_not_letters(site):
    path = write_entry(site, "one.md", f"---\nsources: one-file.txt\nabstract: '{ABSTRACT}'\n---\n".encode())
    assert run(site, "import", str(arxiv_dump(site / "content" / "sources"))).exit_code == 0
    assert read_entry(path).get("sources") == ["one-file.txt", "listing.txt"]


def test_a_block_sources_list_is_appended_to_in_its_own_style(site):
    data = f"---\nabstract: '{ABSTRACT}'\nsources:\n  - first.txt   # where I saw it\n---\n".encode()
    path = write_entry(site, "list.md", data)
    assert run(site, "import", str(arxiv_dump(site / "content" / "sources"))).exit_code == 0
    after = path.read_bytes()
    assert b"  - first.txt   # where I saw it\n  - listing.txt\n" in after
    removed, added = changed_lines(data, after)
    assert removed == [] and added[-1] == b"  - listing.txt\n"


# --- resolve changes only the lines it fills --------------------------------------------------------


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_resolve_changes_only_the_lines_it_fills(site, monkeypatch, newline):
    monkeypatch.setenv("PAPERSHELF_ARXIV_DELAY", "0")
    vl = next(r for r in demo_records() if r["arxiv"] == "2403.05525")
    api = FakeArxiv().start()
    try:
        api.add(vl)
        text = (f"---\n# resolve me\ntitle: {json.dumps(vl['title'])}\narxiv: ''\nauthors: []\n"
                f"version: 1.10\nwhen: 1:30\nstatus: read  # done\nabstract: {json.dumps(vl['abstract'])}\n"
                "---\nNotes\n")
        data = BOM + text.encode().replace(b"\n", newline)
        path = write_entry(site, "vl.md", data)
        result = run(site, "resolve", "--api-url", api.url)
    finally:
        api.stop()
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after.startswith(BOM)
    assert_only_filled(data, after, {"arxiv", "authors", "authors_count", "categories", "updated"}, newline)
    entry = read_entry(path)
    assert entry.get("arxiv") == "2403.05525" and entry.get("authors") == vl["authors"]
    assert entry.get("version") == 1.1 and entry.get("when") == 90
    assert entry.body.encode() == b"Notes" + newline


def test_resolve_reports_an_entry_it_cannot_fill_safely_and_goes_on(site, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_ARXIV_DELAY", "0")
    vl, v3 = (next(r for r in demo_records() if r["arxiv"] == i) for i in ("2403.05525", "2505.09343"))
    api = FakeArxiv().start()
    try:
        api.add(vl, v3)
        odd = write_entry(site, "odd.md", f"---\n{{title: {json.dumps(vl['title'])}}}\n---\n".encode())
        before = odd.read_bytes()
        plain = write_entry(site, "plain.md", f"---\ntitle: {json.dumps(v3['title'])}\n---\n".encode())
        result = run(site, "resolve", "--api-url", api.url)
    finally:
        api.stop()
    assert result.exit_code == 0, result.output
    assert "odd.md: cannot fill this entry without rewriting it" in result.output
    assert odd.read_bytes() == before
    assert read_entry(plain).get("arxiv") == "2505.09343"


# --- item 5, property: the editor changes only what it fills -------------------------------------

TRICKY = ["1.10", "012345", "yes", "no", "0x1F", "1:30", "2024-02-03", "~", "[]", "''", '""', "null",
          "'quoted: yes'", "\U0001F916 robot", "[a, 'b c']", "{x: 1}", "+1", ".inf", "0o17", "-1", "a - b"]
OWN_KEYS = st.from_regex(r"[a-z][a-z_]{1,8}", fullmatch=True).filter(
    lambda k: k not in ("title", "arxiv", "date", "updated", "org", "org_handle", "authors", "authors_count",
                        "upvotes", "comment", "tags", "categories", "status", "rating", "added", "sources",
                        "abstract", "null", "true", "false", "yes", "no", "on", "off", "y", "n"))


@st.composite
def curated_files(draw):
    own = draw(st.dictionaries(OWN_KEYS, st.sampled_from(TRICKY), max_size=6))
    lines = []
    for key, value in own.items():
        if draw(st.booleans()):
            lines.append("# " + draw(st.sampled_from(["remark", "ünïcödé ✓", "title: not a key"])))
        lines.append(f"{key}: {value}" + draw(st.sampled_from(["", "  # why", " "])))
    known = draw(st.sampled_from([[], ["title: ''"], ["title: Kept Title", "status: read"],
                                  ["sources: one.txt"], ["sources:", "- one.txt"], ["sources: [one.txt]"],
                                  ["tags: []", "arxiv:"], ["date: ~"], ["status: read", "title:", "# why"],
                                  ["sources:", "  - one.txt  # seen", "# more later"],
                                  ["abstract: >-", "  Folded text", "  on two lines."],
                                  ["rating: 3", "arxiv: ''", "title: ~  # later"]]))
    position = draw(st.integers(0, len(lines)))
    lines[position:position] = known
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    bom = draw(st.booleans())
    body = draw(st.sampled_from(["", "Notes.\n", "a\r\nb\rc\n", "---\nnot front matter\n"]))
    text = newline.join(["---", *lines, "---", ""]) + body if body or draw(st.booleans()) else \
        newline.join(["---", *lines, "---"])
    return (BOM if bom else b"") + text.encode("utf-8"), newline.encode()


class _Record:
    """What a dump says: the merge reads these attributes."""

    format = "arxiv"
    source = "listing.txt"
    line = 1

    def __init__(self):
        self.title, self.arxiv = "Filled Title", "2505.09343"
        self.date, self.updated = dt.date(2025, 5, 14), None
        self.org = self.org_handle = self.authors_count = self.upvotes = None
        self.comment, self.abstract = "12 pages: yes", "An abstract, filled:\nwith a colon & an ampersand."


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curated_files())
def test_the_editor_changes_only_the_lines_it_fills(case):
    from generator.frontmatter_edit import update_front_matter

    data, newline = case
    text = data.decode("utf-8-sig")
    before = parse_entry(text, Path("x.md"))
    after_meta = fill(before.meta, [_Record()])
    new = update_front_matter(data, before.meta, after_meta, Path("x.md"))
    filled = {k for k in after_meta if after_meta[k] != before.meta.get(k)}
    assert new.startswith(BOM) == data.startswith(BOM)
    assert_only_filled(data, new, filled, newline)
    again = parse_entry(new.decode("utf-8-sig"), Path("x.md"))
    assert again.meta == after_meta
    assert again.body == before.body


def test_an_entry_the_editor_cannot_place_safely_is_refused_untouched(site):
    odd = write_entry(site, "odd.md", f"---\n{{abstract: '{ABSTRACT}', status: read}}\n---\nMine.\n".encode())
    before = odd.read_bytes()
    other = write_entry(site, "other.md", b"---\ntitle: Other\n---\n")
    dump = arxiv_dump(site / "content" / "sources")
    with dump.open("a", encoding="utf-8") as handle:
        handle.write("\nA second paper, new to the list, about something else entirely.\n\n"
                     "arXiv:2401.00002\nCreated: 2024-01-02\n")
    result = run(site, "import", str(dump))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "odd.md" in line]
    assert len(lines) == 1 and "cannot fill this entry without rewriting it" in lines[0]
    assert odd.read_bytes() == before and other.read_bytes() == b"---\ntitle: Other\n---\n"
    assert (papers(site) / "arxiv-2401.00002.md").exists(), "the rest of the import is written"


# --- item 7: compare-and-swap ----------------------------------------------------------------------


def test_an_edit_saved_between_merge_and_rename_is_kept(site, monkeypatch):
    from generator import importer
    from generator.config import load_config

    path = write_entry(site, "race.md", curated())
    config = load_config(site)
    plan = importer.plan_import(config, [arxiv_dump(site / "content" / "sources")])
    with path.open("ab") as handle:
        handle.write(b"Edit one, before the write.\n")
    real_fill, calls = importer.fill, []

    def fill_then_edit(meta, records):
        calls.append(1)
        if len(calls) == 1:  # the curator saves again while the merge is being computed
            with path.open("ab") as handle:
                handle.write(b"Edit two, during the merge.\n")
        return real_fill(meta, records)

    monkeypatch.setattr(importer, "fill", fill_then_edit)
    importer.apply_import(config, plan, jobs=1)
    after = path.read_bytes()
    assert b"Edit one, before the write.\n" in after and b"Edit two, during the merge.\n" in after
    assert read_entry(path).get("arxiv") == "2505.09343"


def test_a_file_being_saved_in_two_writes_is_waited_for(site):
    from generator.config import load_config
    from generator.importer import apply_import, plan_import

    path = write_entry(site, "saving.md", curated())
    config = load_config(site)
    plan = plan_import(config, [arxiv_dump(site / "content" / "sources")])
    full = curated() + b"Typed while importing.\n"
    path.write_bytes(full[:40])  # the editor truncated the file and wrote its first part

    def finish_saving():
        time.sleep(0.3)
        with path.open("ab") as handle:
            handle.write(full[40:])

    saver = threading.Thread(target=finish_saving)
    saver.start()
    try:
        apply_import(config, plan, jobs=1)
    finally:
        saver.join()
    entry = read_entry(path)
    assert entry.get("arxiv") == "2505.09343" and entry.body.endswith("Typed while importing.\n")


# --- item 14: aliases ------------------------------------------------------------------------------


def test_yaml_aliases_are_an_error_in_check_and_build(site):
    write_entry(site, "bomb.md", b"---\ntitle: Bomb\ndate: 2024-01-01\na: &a [x, x]\nb: [*a, *a]\n---\n")
    result = run(site, "check")
    assert result.exit_code == 1
    assert "bomb.md:4" in result.output and "alias" in result.output
    built = run(site, "build", "--no-search")
    assert built.exit_code == 1 and "bomb.md:4" in built.output and "Traceback" not in built.output


def test_an_alias_bomb_is_refused_quickly(site):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    write_entry(site, "bomb.md", ("---\ntitle: Bomb\n" + "\n".join(levels) + "\n---\n").encode())
    start = time.monotonic()
    result = run(site, "check")
    assert result.exit_code == 1 and "bomb.md:3" in result.output
    assert time.monotonic() - start < 5


# --- item 17 (entries): control characters ----------------------------------------------------------


@pytest.mark.parametrize("where, line", [("notes", 5), ("escaped", 2)])
def test_control_characters_are_reported_with_file_and_line(site, where, line):
    text = {"notes": "---\ntitle: Fine\ndate: 2024-01-01\n---\nA bell \x07 and an escape \x1b[31m.\n",
            "escaped": '---\ntitle: "Red \\e[31m title"\ndate: 2024-01-01\n---\n'}[where]
    write_entry(site, "ctrl.md", text.encode())
    result = run(site, "check")
    assert result.exit_code == 1
    assert f"ctrl.md:{line}" in result.output and "control character" in result.output


# --- item 20 (entries): duplicate keys, unquoted ids, unreadable entries -------------------------


def test_duplicate_keys_are_an_error_in_check_and_build(site):
    write_entry(site, "dup.md", b"---\ntitle: First\ndate: 2024-01-01\ntitle: Second\n---\n")
    result = run(site, "check")
    assert result.exit_code == 1 and "dup.md:4" in result.output and "title" in result.output
    built = run(site, "build", "--no-search")
    assert built.exit_code == 1 and "dup.md:4" in built.output


def test_an_unquoted_arxiv_id_keeps_its_digits(site):
    data = b"---\ntitle: Trailing zero\narxiv: 2505.10010\ndate: 2025-05-14\n---\n"
    path = write_entry(site, "id.md", data)
    assert read_entry(path).get("arxiv") == "2505.10010"
    result = run(site, "check")
    assert result.exit_code == 0, result.output
    assert run(site, "build", "--no-search").exit_code == 0
    assert "2505.10010" in (site / "_site" / "papers" / "id" / "index.html").read_text()


@pytest.mark.parametrize("command", ["check", "import"])
def test_an_unreadable_entry_is_one_line_exit_1(site, monkeypatch, command):
    path = write_entry(site, "locked.md", curated())
    real_open = os.open

    def refuse(file, flags, *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    args = [str(arxiv_dump(site / "content" / "sources"))] if command == "import" else []
    result = run(site, command, *args)
    assert result.exit_code == 1, result.output
    assert "locked.md" in result.output and "ermission denied" in result.output
    assert "internal error" not in result.output


# --- item 23 (entries): a folder named x.md -------------------------------------------------------


def test_a_folder_named_like_an_entry_is_not_counted(site):
    write_entry(site, "real.md", b"---\ntitle: Real\ndate: 2024-01-01\n---\n")
    (papers(site) / "folder.md").mkdir()
    result = run(site, "check")
    assert "1 entries checked" in result.output or "1 entry checked" in result.output, result.output


# --- leftovers of a killed import, and implausible dates --------------------------------------------


def test_temporary_files_of_a_killed_import_are_removed(site):
    write_entry(site, "real.md", b"---\ntitle: Real\ndate: 2024-01-01\n---\n")
    dead = 2 ** 22 + 12345  # above any pid_max default on this machine: no such process
    stale = papers(site) / f".real.md.{dead}.tmp"
    stale.write_bytes(b"---\ntitle: half")
    live = papers(site) / f".real.md.{os.getpid()}.tmp"
    live.write_bytes(b"being written by a live process")
    assert run(site, "check").exit_code == 0
    assert not stale.exists() and live.exists()
    stale.write_bytes(b"again")
    assert run(site, "import", str(arxiv_dump(site / "content" / "sources"))).exit_code == 0
    assert not stale.exists()


@pytest.mark.parametrize("date", ["1700-01-01", "9999-12-31"])
def test_implausible_dates_are_a_check_warning(site, date):
    write_entry(site, "odd.md", f"---\ntitle: Odd\ndate: {date}\n---\n".encode())
    result = run(site, "check")
    assert result.exit_code == 0
    assert "odd.md:3: warning:" in result.output and "implausible" in result.output


def test_yaml_is_still_plain_yaml():
    """The editor's output stays ordinary YAML any tool reads (not only papershelf)."""
    from generator.frontmatter_edit import update_front_matter

    data, _ = curated(b"\r\n", True), None
    meta = parse_entry(data.decode("utf-8-sig"), Path("x.md")).meta
    new = update_front_matter(data, meta, {**meta, "arxiv": "2505.09343"}, Path("x.md"))
    front = new.decode("utf-8-sig").split("---")[1]
    assert yaml.safe_load(front)["arxiv"] == "2505.09343"
