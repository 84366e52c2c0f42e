"""Entry files under attack: symlinks, odd line endings, curated layouts, aliases, duplicates,
control characters, unreadable and half-written files. Every command keeps every curated byte."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
import threading
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core.entries import parse_entry, read_entry
from generator.ingest.merge import fill

from ..arxiv_server import FakeArxiv, demo_records
from ..conftest import run, seed_paths
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
        self.authors = self.doi = self.bibkey = self.venue = self.url = self.code = self.project = None
        self.comment, self.abstract = "12 pages: yes", "An abstract, filled:\nwith a colon & an ampersand."


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curated_files())
def test_the_editor_changes_only_the_lines_it_fills(case):
    from generator.core.frontmatter_edit import update_front_matter

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
    from generator.core.config import load_config
    from generator.ingest import importer

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
    from generator.core.config import load_config
    from generator.ingest.importer import apply_import, plan_import

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
    assert result.exit_code == 0  # a warning: build leaves the character out of every output
    assert f"ctrl.md:{line}:" in result.output and ": warning: " in result.output
    assert "control character" in result.output
    built = run(site, "build", "--no-search")
    assert built.exit_code == 0, built.output


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
    from generator.core.frontmatter_edit import update_front_matter

    data, _ = curated(b"\r\n", True), None
    meta = parse_entry(data.decode("utf-8-sig"), Path("x.md")).meta
    new = update_front_matter(data, meta, {**meta, "arxiv": "2505.09343"}, Path("x.md"))
    front = new.decode("utf-8-sig").split("---")[1]
    assert yaml.safe_load(front)["arxiv"] == "2505.09343"


# --- new entries are created exclusively, under short temporary names -------------------------------


def _listing(site: Path) -> Path:
    return next(p for p in seed_paths(site) if p.name == "arxiv-listing.txt")


def test_an_entry_the_curator_creates_while_import_runs_is_not_overwritten(site):
    """import plans `arxiv-2505.09343.md` as new; the curator saves a file of that name (their
    own notes on the paper) before import writes it: it is merged into, never replaced."""
    from generator.core.config import load_config
    from generator.ingest import importer

    config = load_config(site)
    plan = importer.plan_import(config, [_listing(site)])
    target = config.papers_dir / "arxiv-2505.09343.md"
    assert any(c.kind == "new" and c.entry.slug == target.stem for c in plan.changes)
    mine = b"---\ntitle: My own entry\ndate: 2025-05-14\n---\nMy notes, typed while importing.\n"
    target.write_bytes(mine)
    importer.apply_import(config, plan, jobs=1)
    data = target.read_bytes()
    assert data.startswith(b"---\ntitle: My own entry\n")
    assert data.endswith(b"---\nMy notes, typed while importing.\n")
    assert read_entry(target).get("arxiv") == "2505.09343"  # the import's fields filled in


def test_an_entry_with_a_long_file_name_is_updated_or_named_and_the_others_written(site):
    """A curated entry named with 245 letters (legal: 248 bytes with `.md`) that the listing
    updates: its temporary file must not be too long a name, and it must not stop the others."""
    long_name = "a" * 245 + ".md"
    (papers(site) / long_name).write_text('---\ntitle: Long name\narxiv: "2505.09343"\n---\nMy notes\n',
                                          encoding="utf-8")
    result = run(site, "import", str(_listing(site)))
    assert result.exit_code == 0, result.output
    assert not re.search(r"\.md\.\d+\.tmp", result.output), result.output
    assert len(list(papers(site).glob("*.md"))) == 10, sorted(p.name[:20] for p in papers(site).glob("*.md"))
    assert read_entry(papers(site) / long_name).body == "My notes\n"
    assert read_entry(papers(site) / long_name).get("title") == "Long name"


def test_an_entry_that_cannot_be_written_is_one_line_and_the_others_are_written(site, monkeypatch):
    """Any file-system error on one entry (here: permission denied) names that entry in one
    line, exit 1, and every other entry of the listing is still written."""
    from generator.core import library

    (papers(site) / "mine.md").write_text('---\ntitle: Mine\narxiv: "2505.09343"\n---\nMy notes\n',
                                          encoding="utf-8")
    real = library._replace_if

    def refuse(path, data, still):
        if path.name == "mine.md":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, data, still)

    monkeypatch.setattr(library, "_replace_if", refuse)
    result = run(site, "import", str(_listing(site)))
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert "mine.md" in line and ": error: " in line and "ermission denied" in line, line
    assert len(list(papers(site).glob("*.md"))) == 10
    assert (papers(site) / "mine.md").read_bytes().endswith(b"---\nMy notes\n")
    assert not [p for p in papers(site).iterdir() if p.name.endswith(".tmp")]


def test_creating_an_entry_never_replaces_a_file_of_its_name(tmp_path):
    """`add` and `import` create entries with `create_entry`: over an existing file (saved
    meanwhile) only its empty keys are filled; over a link or a folder nothing is written."""
    from generator.core.entries import Entry
    from generator.core.errors import EntryError
    from generator.core.library import create_entry

    mine = tmp_path / "paper.md"
    mine.write_bytes(b"---\ntitle: Mine\nstatus: read\n---\nMy notes.\n")
    new = Entry("paper", {"title": "Theirs", "arxiv": "2505.09343", "status": "to-read"}, "")
    written = create_entry(tmp_path, new)
    assert written is not None and written.meta == {"title": "Mine", "status": "read", "arxiv": "2505.09343"}
    assert mine.read_bytes() == b"---\ntitle: Mine\narxiv: '2505.09343'\nstatus: read\n---\nMy notes.\n"
    assert create_entry(tmp_path, new) is None  # nothing left to fill
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(EntryError):
        create_entry(tmp_path, Entry("folder", {"title": "T"}, ""))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.md", "paper.md"]


def test_temporary_entry_names_are_short_and_papershelfs():
    """Whatever the entry's name, its temporary file has a short name the stale-temp sweep knows."""
    from generator.core.folder import _TEMP, temp_name

    name = temp_name()
    assert len(name) < 40 and name.startswith(".") and name.endswith(".tmp") and _TEMP.match(name)
    assert temp_name() != name


def test_a_killed_writes_short_temporary_file_is_removed(site):
    dead = 2 ** 22 + 12345  # above any pid_max default on this machine: no such process
    stale = papers(site) / f".ps-{dead}-7.tmp"
    stale.write_bytes(b"---\ntitle: half")
    live = papers(site) / f".ps-{os.getpid()}-7.tmp"
    live.write_bytes(b"being written by a live process")
    assert run(site, "check").exit_code == 0
    assert not stale.exists() and live.exists()


def test_a_folder_named_like_a_new_entry_is_one_line_naming_it_and_other_entries_are_written(site):
    """`content/papers/arxiv-2504.21801.md/` (a folder) and a listing that makes that slug: the
    new entry takes the next free name (`-2`), every entry is written, the folder is left alone
    (and `check` reports it)."""
    folder = papers(site) / "arxiv-2504.21801.md"
    folder.mkdir()
    (folder / "inside.txt").write_text("mine\n")
    result = run(site, "import", str(_listing(site)))
    assert result.exit_code == 0, result.output
    assert not re.search(r"\.md\.\d+\.tmp", result.output + result.stderr), result.output
    written = sorted(p.name for p in papers(site).glob("*.md") if p.is_file())
    assert len(written) == 10, written
    assert "arxiv-2504.21801-2.md" in written
    assert folder.is_dir() and (folder / "inside.txt").read_text() == "mine\n"


def test_a_symlink_named_like_a_new_entry_is_not_replaced(site, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\ntitle: Elsewhere\n---\n")
    link = papers(site) / "arxiv-2504.21801.md"
    link.symlink_to(outside)
    assert run(site, "import", str(_listing(site))).exit_code == 0
    assert link.is_symlink() and outside.read_text() == "---\ntitle: Elsewhere\n---\n"
    assert (papers(site) / "arxiv-2504.21801-2.md").is_file()


# --- names that are not UTF-8 ------------------------------------------------------------------------


def test_an_entry_file_name_that_is_not_utf8_is_one_line_in_check_and_build(site):
    """`caf\\xe9.md` (Latin-1, as old zips and Windows copies give): an error in `check` naming
    it (with a replacement character), and `import` refuses in one line, writing nothing."""
    (papers(site) / "good.md").write_text("---\ntitle: Good\ndate: 2024-01-01\n---\n", encoding="utf-8")
    bad = os.path.join(os.fsencode(papers(site)), b"caf\xe9.md")
    with open(bad, "wb") as handle:
        handle.write(b"---\ntitle: Latin-1 name\ndate: 2024-01-01\n---\n")
    checked = run(site, "check")
    assert checked.exit_code == 1, checked.output
    assert "caf\ufffd.md" in checked.output and "UTF-8" in checked.output, checked.output
    before = sorted(os.listdir(os.fsencode(papers(site))))
    imported = run(site, "import", str(_listing(site)))
    assert imported.exit_code == 1, imported.output
    (line,) = imported.stderr.strip().splitlines()
    assert "caf\ufffd.md" in line and ": error: " in line, line
    assert sorted(os.listdir(os.fsencode(papers(site)))) == before


def test_a_dump_whose_file_name_is_not_utf8_is_one_line_or_imports(site):
    """`import content/sources/list\\xe9.txt` (a Latin-1 file name): imported, and `sources:`
    records the name readably (the byte shown as a replacement character)."""
    listing = _listing(site)
    odd = os.path.join(os.fsencode(listing.parent), b"list\xe9.txt")
    with open(odd, "wb") as handle:
        handle.write(listing.read_bytes())
    result = run(site, "import", os.fsdecode(odd))
    assert result.exit_code == 0, result.output
    entries = [read_entry(p) for p in papers(site).glob("*.md")]
    assert len(entries) == 10
    assert all(e.get("sources") == ["list\ufffd.txt"] for e in entries), entries[0].meta
    assert run(site, "check").exit_code == 0


# --- explicitly typed YAML values --------------------------------------------------------------------

DATETIME = "---\ntitle: A\ndate: !!timestamp 2024-01-01T10:00:00Z\n---\n"  # a datetime, not a date
BYTES_KEY = "---\ntitle: A\ndate: 2024-01-01\n!!binary aGVsbG8=: x\n---\n"  # a bytes key
SET = "---\ntitle: A\ndate: 2024-01-01\nseen: !!set {a, b}\n---\n"
PAIRS = "---\ntitle: A\ndate: 2024-01-01\nseen: !!omap [a: 1]\n---\n"


@pytest.mark.parametrize(("text", "line", "command"), [
    (DATETIME, 3, ["check"]), (DATETIME, 3, ["build", "--no-search"]),
    (BYTES_KEY, 4, ["check"]), (BYTES_KEY, 4, ["build", "--no-search"]),
    (SET, 4, ["check"]), (PAIRS, 4, ["build", "--no-search"]),
], ids=["datetime-check", "datetime-build", "bytes-key-check", "bytes-key-build", "set-check", "omap-build"])
def test_explicitly_typed_yaml_values_are_one_line_not_a_crash(site, text, line, command):
    """`!!timestamp`, `!!binary`, `!!set`, `!!omap`: values no field takes and no page can show.
    One line naming the file and line, exit 1."""
    write_entry(site, "typed.md", text.encode())
    result = run(site, *command)
    assert result.exit_code == 1, result.output
    assert f"typed.md:{line}" in result.output and "tag" in result.output, result.output


def test_explicit_plain_tags_are_still_read(site):
    """`!!str 2024` and `!!int "3"` only say what a plain value is: they are fine."""
    path = write_entry(site, "plain.md",
                       b'---\ntitle: !!str 2024\ndate: 2024-01-01\nrating: !!int "3"\n---\n')
    assert read_entry(path).meta["title"] == "2024" and read_entry(path).meta["rating"] == 3
    assert run(site, "check").exit_code == 0


def test_keys_one_and_true_are_not_duplicates(site):
    """YAML 1.1 reads `1:` and `true:` as 1 and True, equal in Python: not the same key."""
    path = write_entry(site, "keys.md", b"---\ntitle: A\ndate: 2024-01-01\n1: x\ntrue: y\n0: z\nno: w\n"
                                        b"1.0: v\n---\n")
    assert read_entry(path).meta["title"] == "A"
    result = run(site, "check")
    assert "twice" not in result.output, result.output
    twice = write_entry(site, "twice.md", b"---\ntitle: A\ndate: 2024-01-01\nyes: x\ntrue: y\n---\n")
    result = run(site, "check")
    assert result.exit_code == 1 and "twice.md:5" in result.output and "twice" in result.output
    twice.unlink()


# --- content/papers that is not a folder --------------------------------------------------------------


@pytest.mark.parametrize("command", [["check"], ["build", "--no-search"], ["import"]])
def test_a_papers_path_that_is_a_file_is_one_error_line(site, command):
    """`content/papers` replaced by a file (a bad sync, a wrong copy): one line naming it, not
    '0 entries checked' or an empty reading list published."""
    folder = papers(site)
    folder.rmdir()
    folder.write_text("not a folder\n")
    args = [*command, str(_listing(site))] if command == ["import"] else command
    result = run(site, *args)
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert "content/papers" in line and ": error: " in line, line
    assert folder.read_text() == "not a folder\n"
