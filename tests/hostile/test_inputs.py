"""Hostile and careless input files: each break once seen in the wild, run through the real CLI.

Dumps with control characters, FIFOs and devices, oversized or mis-encoded files, prose,
cut listings, reserved file names, piped input, and every file-system error: each gives
either a clean import with a warning naming ``file:line`` or one error line and exit 1.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.core.library import load_library

from ..conftest import EPOCH, FIXTURES, SEEDS, run, seed_paths, snapshot, user_files

EXE = Path(sys.executable).with_name("papershelf")
DAILY = SEEDS / "hf-daily-papers-deepseek.txt"
ONE_LINE = re.compile(r"^\S.*: error: .+ \(.+\)$")


def papers(site: Path) -> dict:
    return load_library(site / "content" / "papers").entries


def cli(site: Path, *args: str, stdin: bytes | None = None, timeout: float = 60,
        shell: bool = False, limit_memory: bool = False) -> subprocess.CompletedProcess:
    """The installed command in a real process, in the site folder, with a timeout."""
    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    command = args[0] if shell else [str(EXE), *args]
    return subprocess.run(command, cwd=site, input=stdin, capture_output=True, timeout=timeout,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, shell=shell,
                          executable="/bin/bash" if shell else None,
                          preexec_fn=cap_memory if limit_memory else None, check=False)


def one_error_line(stderr: str | bytes) -> str:
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    (line,) = text.strip().splitlines()
    assert ONE_LINE.match(line), line
    return line


# item 17: control characters in a dump


def test_control_characters_are_removed_with_a_warning_naming_file_and_line(site, tmp_path):
    lines = DAILY.read_text(encoding="utf-8").split("\n")
    assert lines[12].startswith("Insights into DeepSeek-V3")
    lines[12] = "Insights into \x1b[31mDeepSeek-V3\x1b[0m" + lines[12][len("Insights into DeepSeek-V3"):]
    lines[14] = lines[14].replace("rapid", "rapid\x08\x08", 1)
    lines[20] = "\x00" + lines[20]
    dump = tmp_path / "dirty.txt"
    dump.write_text("\n".join(lines), encoding="utf-8")

    result = run(site, "import", str(dump))
    assert result.exit_code == 0, result.output
    for number in (13, 15, 21):
        assert re.search(rf"dirty\.txt:{number}(:\d+)?: warning: control character", result.stderr), \
            result.stderr
    entry = next(e for e in papers(site).values() if e.get("title", "").startswith("Insights"))
    text = (site / "content" / "papers" / f"{entry.slug}.md").read_text(encoding="utf-8")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    assert entry.get("title") == ("Insights into DeepSeek-V3: Scaling Challenges and Reflections "
                                  "on Hardware for AI Architectures")
    assert "rapid scaling" in entry.get("abstract")
    built = run(site, "build", "--no-search")
    assert built.exit_code == 0, built.output


# item 18: only regular files, and not too big


def test_a_fifo_is_refused_at_once_not_waited_on(site, tmp_path):
    fifo = tmp_path / "listing.txt"
    os.mkfifo(fifo)
    done = cli(site, "import", str(fifo), timeout=20)
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert line.startswith(f"{fifo}: error: not a regular file")
    assert list((site / "content" / "papers").iterdir()) == []


def test_dev_zero_is_refused_without_reading_it(site):
    done = cli(site, "import", "/dev/zero", timeout=20, limit_memory=True)
    assert done.returncode == 1, done.stderr
    line = one_error_line(done.stderr)
    assert line.startswith("/dev/zero: error: not a regular file")


def test_an_oversized_dump_is_one_clear_error(site, tmp_path, monkeypatch):
    from generator.ingest.sources import reading

    monkeypatch.setattr(reading, "MAX_DUMP_BYTES", 10_000)
    result = run(site, "import", str(seed_paths(site)[1]))
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert "hf-daily-papers-deepseek.txt: error: too big for a pasted listing" in line
    assert list((site / "content" / "papers").iterdir()) == []


# item 19: prose is not a listing

EMAIL = """Hi Bob,

Are we still on for the reading group on Thursday? I thought we could go through the
DeepSeek papers you sent around last week, and maybe the survey too.

Thanks,
Alice
"""


def essay(size: int) -> str:
    """Prose in the shapes a copied web page or e-book has: headings, paragraphs, dialogue."""
    parts, number = [], 0
    while sum(map(len, parts)) < size:
        number += 1
        parts.append(f"Chapter {number}: The Long Road North")
        parts.append(f"It was the {number}th morning of the journey, and the road had turned to mud. "
                     "The travellers said little; each kept to the rhythm of the cart and to "
                     "their own thoughts about the city they had left behind them.")
        parts.append('"Do you think we will reach the river by nightfall?" asked the younger one.')
        parts.append("Nobody answered. The horse slowed at the bend, where the old milestone "
                     "leaned against the hedge, and the driver got down to walk beside it")
        parts.append("A Note On The Map")
        parts.append("The map in the front of this book was drawn from memory, years later, "
                     "and the distances on it should not be trusted.")
    return "\n\n".join(parts) + "\n"


@pytest.mark.parametrize("text", [EMAIL, EMAIL.replace(",\n", "\n"), essay(2_000_000)],
                         ids=["email", "email-without-commas", "essay"])
def test_prose_makes_no_papers(site, tmp_path, text):
    dump = tmp_path / "notes.txt"
    dump.write_text(text, encoding="utf-8")
    result = run(site, "import", str(dump))
    assert result.exit_code == 1, result.output
    line = one_error_line(result.stderr)
    assert "notes.txt: error: no Hugging Face entry found" in line
    assert list((site / "content" / "papers").iterdir()) == []


def test_real_dumps_of_every_shape_still_import(site):
    shapes = [*seed_paths(site), FIXTURES / "hf-variants.txt", FIXTURES / "arxiv-variants.txt"]
    result = run(site, "import", *map(str, shapes))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith("34 papers: 34 new")
    titles = {e.get("title") for e in papers(site).values()}
    assert "StarCoder 2 and The Stack v2: The Next Generation" in titles  # a title+abstract page
    assert "Paper Without Any Metadata" in titles


NEWSLETTER = """Minutes of the Garden Club

The committee met in the village hall and agreed to buy new tools for the allotments, to \
repaint the shed before the summer fair, and to ask the council about the broken fence by the pond.

Parish News

The church roof appeal has reached its target thanks to the generous gifts of many families, \
and the scaffolding will come down before the harvest festival at the end of September.
"""

EMAIL_WITH_DATE = """Hi Bob

Thanks for the draft, I read it on the train this morning and left a few comments in the \
margins about the second section and the related work, which I think still misses a couple \
of the recent papers we talked about.

Mar 3
"""


@pytest.mark.parametrize("text", [NEWSLETTER, EMAIL_WITH_DATE], ids=["newsletter", "email-with-date"])
def test_prose_of_other_shapes_makes_no_papers(site, tmp_path, text):
    """Short headings with a paragraph each are not a search page (the paragraphs do not read
    like abstracts), and one date line does not make a Daily Papers listing."""
    dump = tmp_path / "notes.txt"
    dump.write_text(text, encoding="utf-8")
    result = run(site, "import", str(dump))
    assert list((site / "content" / "papers").glob("*.md")) == []
    assert result.exit_code == 1
    assert "notes.txt: error: no Hugging Face entry found" in one_error_line(result.stderr)


@pytest.mark.parametrize("tail", ["", "\n\n" + max(DAILY.read_text(encoding="utf-8").split("\n\n"), key=len)],
                         ids=["bare", "with-one-abstract"])
def test_megabytes_of_tiny_paragraphs_are_refused_quickly(site, tmp_path, tail):
    """6 MB of ``x`` paragraphs (2 million of them) once took about 100 s and made ``x.md``;
    a file with no room for that many abstracts is refused before it is parsed."""
    dump = tmp_path / "xs.txt"
    dump.write_text("x\n\n" * 2_000_000 + tail, encoding="utf-8")
    done = cli(site, "import", str(dump), timeout=30)
    assert done.returncode == 1, done.stderr
    assert "xs.txt: error: no Hugging Face entry found" in one_error_line(done.stderr)
    assert list((site / "content" / "papers").glob("*.md")) == []


# item 20: one line for every file-system error, and for bad FILE arguments


@contextlib.contextmanager
def mounted(folder: Path, options: str):
    """A small tmpfs at ``folder``; yields False where this machine forbids mounting."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, check=False) if shutil.which("mount") else None
    try:
        yield done is not None and done.returncode == 0
    finally:
        if done is not None and done.returncode == 0:
            subprocess.run(["umount", str(folder)], check=False)


def inject(monkeypatch, site: Path, code: int, filename: str | None) -> None:
    """Make every file opened for writing in content/papers fail with ``code``, as the
    file system would (``filename`` is what the error names)."""
    real_open = os.open
    folder = str(site / "content" / "papers")

    def failing(path, flags, *args, **kwargs):
        if os.fspath(path).startswith(folder) and flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(code, os.strerror(code), filename)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing)


@pytest.mark.parametrize(("options", "code", "message"), [
    ("size=8k", errno.ENOSPC, "content/papers: error: no space left on device (free some disk space, "
                              "then run the command again)"),
    ("ro,size=64k", errno.EROFS, "content/papers: error: read-only file system (make the folder "
                                 "writable or work on a copy, then run the command again)"),
])
def test_full_or_read_only_disk_is_one_line(site, monkeypatch, options, code, message):
    folder = site / "content" / "papers"
    with mounted(folder, options) as real:
        if not real:
            inject(monkeypatch, site, code, None)
        monkeypatch.chdir(site)
        result = run(site, "import", *map(str, seed_paths(site)))
    assert result.exit_code == 1, result.output
    assert one_error_line(result.stderr) == message


@pytest.mark.parametrize(("code", "what"), [
    (errno.EACCES, "permission denied (check the owner and permissions of the file or folder)"),
    (errno.EPERM, "operation not permitted (check the owner and permissions of the file or folder)"),
    (errno.ELOOP, "too many levels of symbolic links (a link points back to itself: fix or remove it)"),
    (errno.EISDIR, "is a folder (give the path of a file)"),
    (errno.ENOENT, "no such file or folder (check the path)"),
    (errno.EIO, "input/output error (the disk may be failing: copy your files elsewhere)"),
])
def test_file_system_errors_are_one_line_with_the_path(site, monkeypatch, code, what):
    target = site / "content" / "papers" / "x.md"
    inject(monkeypatch, site, code, str(target))
    monkeypatch.chdir(site)
    result = run(site, "import", *map(str, seed_paths(site)))
    assert result.exit_code == 1, result.output
    assert one_error_line(result.stderr) == f"content/papers/x.md: error: {what}"


def test_bad_file_arguments_are_one_line_each(site, tmp_path, monkeypatch):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    unreadable = tmp_path / "secret.txt"
    shutil.copy(DAILY, unreadable)
    real_open = os.open

    def guarded(path, *args, **kwargs):
        if os.fspath(path) == str(unreadable):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    missing = tmp_path / "missing.txt"
    result = run(site, "import", str(missing), str(folder), str(loop), str(unreadable))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"{missing}: error: no such file or folder (check the path)",
        f"{folder}: error: is a folder (give the files inside it, e.g. {folder}/*.txt)",
        f"{loop}: error: too many levels of symbolic links (a link points back to itself: "
        "fix or remove it)",
        f"{unreadable}: error: permission denied (check the owner and permissions of the file "
        "or folder)",
    ]
    assert "Usage:" not in result.output


def test_invalid_utf8_is_reported_by_line_and_column(site, tmp_path):
    dump = tmp_path / "latin1.txt"
    dump.write_bytes(b"Title\n\nAn abstract about caf\xe9s and \xc3\xa9l\xe8ves.\n")
    result = run(site, "import", str(dump))
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"{dump}:3:22: error: not UTF-8 text"), line


def test_utf16_with_a_bom_imports_like_utf8(site, tmp_path):
    text = DAILY.read_text(encoding="utf-8")
    for name, encoding in (("le.txt", "utf-16"), ("be.txt", "utf-16-be")):
        data = text.encode(encoding)
        (tmp_path / name).write_bytes(data if encoding == "utf-16" else b"\xfe\xff" + data)
    plain = run(site, "import", "--dry-run", str(DAILY))
    for name in ("le.txt", "be.txt"):
        result = run(site, "import", "--dry-run", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert result.stdout == plain.stdout


def test_utf16_without_a_bom_is_named_not_called_binary(site, tmp_path):
    dump = tmp_path / "nobom.txt"
    dump.write_bytes(DAILY.read_text(encoding="utf-8").encode("utf-16-le"))
    result = run(site, "import", str(dump))
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line == f"{dump}: error: UTF-16 text without a byte-order mark (save it as UTF-8)"


def test_a_real_binary_file_is_still_binary(site, tmp_path):
    blob = tmp_path / "paper.pdf"
    blob.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x00\x01\x02" * 50)
    result = run(site, "import", str(blob))
    assert result.exit_code == 1
    assert "error: binary file" in one_error_line(result.stderr)


def test_repeated_warnings_are_capped_with_a_count(site, tmp_path):
    head = DAILY.read_text(encoding="utf-8")
    dump = tmp_path / "noisy.txt"
    dump.write_text(head + "\n\n" + "This line is not a title and fits no entry.\n\n" * 50_000,
                    encoding="utf-8")
    result = run(site, "import", str(dump))
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 12
    assert lines[-1] == "noisy.txt: warning: ... and 49,990 more warnings like this"
    assert "50000 warnings" in result.stdout


# item 21: cut dumps and comment joins


def test_a_dump_cut_after_its_dot_line_warns(site, tmp_path):
    lines = DAILY.read_text(encoding="utf-8").rstrip("\n").split("\n")
    dot = max(i for i, line in enumerate(lines) if line.strip() == "·")
    dump = tmp_path / "cut.txt"
    dump.write_text("\n".join(lines[:dot + 1]) + "\n", encoding="utf-8")
    result = run(site, "import", str(dump))
    assert result.exit_code == 0, result.output
    assert f"cut.txt:{dot + 1}: warning: metadata cut after the '·' line" in result.stderr


@pytest.mark.parametrize("keep", ["authors", "abstract"])
def test_a_dump_cut_before_its_dot_line_warns(site, tmp_path, keep):
    """Cut after the authors line or after the last abstract, the last paper of a Daily
    Papers listing (every other entry has a date) imports without a date, with a warning
    naming the line where that entry starts."""
    lines = DAILY.read_text(encoding="utf-8").rstrip("\n").split("\n")
    dot = max(i for i, line in enumerate(lines) if line.strip() == "·")
    end = dot if keep == "authors" else dot - 2  # drop '·' and the date / also the authors line
    assert lines[end - 1].strip() and lines[dot - 1].strip().endswith("authors")
    previous_date = dot - 1 - lines[dot - 1::-1].index("·") + 1  # the entry before: its date line
    title = next(i for i in range(previous_date + 1, end) if lines[i].strip())
    dump = tmp_path / "cut.txt"
    dump.write_text("\n".join(lines[:end]) + "\n", encoding="utf-8")
    result = run(site, "import", str(dump))
    assert result.exit_code == 0, result.output
    assert f"cut.txt:{title + 1}: warning: the last entry has no date line" in result.stderr
    assert result.stdout.strip().startswith("12 papers: 12 new")


def test_comment_paragraphs_join_without_doubled_punctuation(site, tmp_path):
    abstract = ("We train a family of models on a new corpus and report results on standard "
                "benchmarks, with ablations of every design choice in the appendix.")
    dump = tmp_path / "listing.txt"
    dump.write_text(f"{abstract}\n\nAccepted at the Workshop on Large Language Models,\n\n"
                    "18 pages\n\narXiv:2401.00001\nCreated: 2024-01-01\n", encoding="utf-8")
    result = run(site, "import", str(dump))
    assert result.exit_code == 0, result.output
    (entry,) = papers(site).values()
    assert entry.get("comment") == "Accepted at the Workshop on Large Language Models, 18 pages"


# item 23: reserved file names and piped input

RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)


def test_titles_that_are_windows_device_names_make_portable_file_names(site, tmp_path):
    titles = ["CON", "NUL", "aux", "com1", "LPT9", "Prn", "COM0"]
    dump = tmp_path / "devices.txt"
    dump.write_text("".join(f"{t}\n\nAn abstract for the paper called {t}, long enough to read as "
                            "one.\n\nacme Acme\n·\nMay 1, 2025 3\n\n" for t in titles),
                    encoding="utf-8")
    result = run(site, "import", str(dump))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (site / "content" / "papers").iterdir())
    assert len(names) == len(titles)
    assert not [n for n in names if RESERVED.fullmatch(n)], names


def test_piped_listing_is_saved_and_recorded_by_a_real_name(site):
    command = f"{EXE} import <(cat {DAILY})"
    done = cli(site, command, shell=True)
    assert done.returncode == 0, done.stderr
    saved = site / "content" / "sources" / "pasted-2026-11-22.txt"
    assert saved.read_bytes() == DAILY.read_bytes()
    assert b"saved the piped listing as content/sources/pasted-2026-11-22.txt" in done.stderr
    for entry in papers(site).values():
        assert entry.get("sources") == ["pasted-2026-11-22.txt"]
    again = cli(site, "import", "-", stdin=DAILY.read_bytes())
    assert again.returncode == 0, again.stderr
    assert b"12 unchanged" in again.stdout
    assert sorted(p.name for p in (site / "content" / "sources").iterdir()) == sorted(
        [p.name for p in SEEDS.iterdir()] + ["pasted-2026-11-22.txt"])


@pytest.mark.parametrize("argument", ["/dev/stdin", "/dev/fd/0"])
def test_a_redirected_stdin_is_recorded_by_a_real_name(site, argument):
    """`import /dev/stdin < listing.txt`: stdin is that file, so entries record its real name
    (not `stdin` or `0`, which name no file)."""
    listing = next(p for p in seed_paths(site) if p.name == "arxiv-listing.txt")
    with listing.open("rb") as handle:
        done = subprocess.run([str(EXE), "import", argument], cwd=site, stdin=handle,
                              capture_output=True, timeout=60, check=False,
                              env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr
    entries = papers(site)
    assert len(entries) == 10
    for entry in entries.values():
        assert entry.get("sources") == ["arxiv-listing.txt"]
    assert sorted(p.name for p in (site / "content" / "sources").iterdir()) == sorted(
        p.name for p in SEEDS.iterdir())  # no pasted copy of a file already there


def test_dev_stdin_that_is_a_pipe_is_kept_as_a_paste(site):
    done = cli(site, "import", "/dev/stdin", stdin=DAILY.read_bytes())
    assert done.returncode == 0, done.stderr
    for entry in papers(site).values():
        assert entry.get("sources") == ["pasted-2026-11-22.txt"]
    assert (site / "content" / "sources" / "pasted-2026-11-22.txt").read_bytes() == DAILY.read_bytes()


def test_piped_listing_in_a_dry_run_writes_nothing(site):
    before = snapshot(site)
    done = cli(site, "import", "--dry-run", "-", stdin=DAILY.read_bytes())
    assert done.returncode == 0, done.stderr
    assert b"12 papers: 12 new" in done.stdout
    assert snapshot(site) == before


def test_a_piped_paste_that_is_not_a_listing_is_not_kept(site):
    before = user_files(site)
    done = cli(site, "import", "-", stdin=EMAIL.encode())
    assert done.returncode == 1
    assert one_error_line(done.stderr).startswith("stdin: error: no Hugging Face entry found")
    assert user_files(site) == before
