"""The benchmark runs end to end at a tiny N, so that ``make bench`` cannot rot (no timing asserted);
its memory cap and time limit stop a process tree; its synthetic list has what the pages use."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from bench import synth
from bench.measure import MB, run
from bench.report import Row, phases

ROOT = Path(__file__).resolve().parent.parent
ROWS = (
    "cold build, no search", "cold build with search", "no-op build, fresh process",
    "one-note edit, fresh-process build", "one-note edit with search, fresh-process build",
    "serve: save to reload message", "serve with search: note saved to its new word found",
    "process tree, summed RSS (Pagefind included)",
    "peak RSS, cold, no search: largest process", "process tree, summed RSS",
    "process tree, summed PSS", "peak RSS, cold with search", "peak memory, cold with search",
    "serve: peak RSS",
    "search download", "HF + ", "re-import, no change",
)


@pytest.mark.bench
def test_bench_runs_end_to_end(tmp_path: Path) -> None:
    assert shutil.which("hugo"), "hugo is not installed: make test installs it (scripts/install-system-deps)"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", "20", "--pairs", "1", "--dump-size", "40",
         "--settle", "0.3", "--timeout", "15", "--idle-wait", "0", "--forget", "0",
         "--workdir", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = done.stdout
    assert "## N = 20 papers" in report
    table_lines = [line for line in report.splitlines() if line.startswith("| ")]
    for row in ROWS:
        matching = [line for line in table_lines if row in line]
        assert matching, f"no row {row!r} in:\n{report}"
        cells = [c.strip() for c in matching[0].strip("|").split("|")]
        assert cells[1] not in ("", "—"), f"row {row!r} has no papershelf figure:\n{report}"
    assert "failed:" not in report and "missing:" not in report, report
    assert not (tmp_path / "work").exists(), "the work folder is removed afterwards"


# ----- the limits: a build over them is killed, whole, and says why ---------------------------------

def _grandchild(tmp_path: Path, body: str) -> list[str]:
    """A Python child that starts a grandchild running ``body`` and writes the grandchild's pid."""
    script = tmp_path / "grandchild.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    parent = (f"import subprocess, sys; p = subprocess.Popen([sys.executable, {str(script)!r}]); "
              f"open({str(tmp_path / 'pid')!r}, 'w').write(str(p.pid)); p.wait()")
    return [sys.executable, "-c", parent]


def _gone(pid: int) -> bool:
    """Whether ``pid`` has ended (dead, or a zombie waiting to be reaped), waiting up to 5 s."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_memory_cap_kills_the_whole_tree_and_says_so(tmp_path: Path) -> None:
    cmd = _grandchild(tmp_path, """
        import time
        block = bytearray(300 * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])  # touch every page: resident
        time.sleep(60)
    """)
    done = run(cmd, cap=150 * MB, timeout=60)
    assert done.failure.startswith("over 0.146 GB"), done.failure
    assert done.tree_rss > 150 * MB
    assert _gone(int((tmp_path / "pid").read_text()))


def test_time_limit_kills_the_whole_tree_and_says_so(tmp_path: Path) -> None:
    done = run(_grandchild(tmp_path, "import time; time.sleep(60)"), timeout=1)
    assert done.failure == "over the 1 s limit"
    assert _gone(int((tmp_path / "pid").read_text()))


def test_a_run_within_its_limits_has_no_failure() -> None:
    done = run([sys.executable, "-c", "print('ok')"], cap=2048 * MB, timeout=60)
    assert (done.failure, done.status, done.stdout.strip()) == ("", 0, "ok")
    assert done.tree_rss > 0


def test_a_failed_run_is_a_row_value_not_a_crash() -> None:
    row = Row("cold build with search", "s", target="≤ 0.7x", judge=lambda a, b: True)
    row.add("a", 12.0, "over 12 GB (process tree RSS 12.1 GB when stopped)")
    row.add("b", 30.0)
    cells = row.cells()
    assert cells[1] == "failed: over 12 GB (process tree RSS 12.1 GB when stopped)"
    assert cells[2] == "30.00 s" and cells[3] == "—" and cells[5] == "≤ 0.7x: missed"


def test_debug_steps_are_read_as_durations() -> None:
    said = ("   0.100 s  scanned (peak 40 MB)\nsome other line\n"
            "   1.600 s  planned 124 outputs (peak 50 MB)\n"
            "   2.000 s  related lists (12 changed) (peak 61 MB)\n")
    found = phases(said)
    assert list(found) == ["scanned", "planned N outputs", "related lists"]
    assert [round(v, 3) for v in found.values()] == [0.1, 1.5, 0.4]


# ----- the synthetic list: authors, organisations and topics, sizes as before -------------------------

@pytest.fixture(scope="module")
def papers() -> list[synth.Paper]:
    return synth.papers(2000)


def test_synthetic_sizes_stay_as_documented(papers: list[synth.Paper]) -> None:
    def mean(values: list[int]) -> float:
        return sum(values) / len(values)

    assert 1150 <= mean([len(p.abstract) for p in papers]) <= 1450
    assert 70 <= mean([len(p.title) for p in papers]) <= 100
    assert 350 <= mean([len(p.notes) for p in papers]) <= 500
    with_word = sum(synth.SEARCH_WORD in p.title + p.abstract + p.notes for p in papers) / len(papers)
    assert 0.05 <= with_word <= 0.10


def test_synthetic_authors_repeat_like_a_real_list(papers: list[synth.Paper]) -> None:
    listed = [p.authors for p in papers if p.authors]
    assert 0.6 <= len(listed) / len(papers) <= 0.8
    assert all(1 <= len(a) <= 15 and len(set(a)) == len(a) for a in listed)
    assert all(p.authors_count == len(p.authors) for p in papers if p.authors)
    counts = Counter(name for names in listed for name in names)
    assert counts.most_common(1)[0][1] >= 10  # prolific authors...
    assert sum(1 for c in counts.values() if c == 1) > len(counts) / 3  # ...and a long tail
    assert 0.3 <= sum(1 for p in papers if p.org) / len(papers) <= 0.7
    entry = synth.entry_of(next(p for p in papers if p.authors), 0)
    assert entry.meta["authors"] and all(isinstance(a, str) for a in entry.meta["authors"])


def test_synthetic_papers_of_a_topic_share_words(papers: list[synth.Paper]) -> None:
    """Papers of one topic share distinctive words (those in under 5% of abstracts): what
    text similarity feeds on, so related lists are not empty; papers of two topics hardly do."""
    def words(paper: synth.Paper) -> set[str]:
        return set(re.findall(r"[a-z]+", paper.abstract.lower()))

    seen = Counter(word for paper in papers for word in words(paper))

    def shared(pairs: list[tuple[synth.Paper, synth.Paper]]) -> float:
        rare = [{w for w in words(a) & words(b) if seen[w] < 0.05 * len(papers)} for a, b in pairs]
        return sum(map(len, rare)) / len(pairs)

    by_topic: dict[int, list[synth.Paper]] = {}
    for paper in papers:
        by_topic.setdefault(paper.topic, []).append(paper)
    assert len(by_topic) == synth.TOPICS
    same = [(group[i], group[i + 1]) for group in by_topic.values() for i in range(0, 10, 2)]
    other = [(a, b) for a, b in itertools.pairwise(papers) if a.topic != b.topic][:200]
    assert shared(same) >= 3
    assert shared(same) > 5 * shared(other)


def test_synthetic_list_is_deterministic() -> None:
    assert synth.papers(50) == synth.papers(50)


# ----- the search download counts every request of the query, whatever the bundle's layout --------

PARTED_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>
<script type="module">
const parts = (await (await fetch("/pagefind/parts.json")).json()).parts;
const sizes = await Promise.all(parts.map(async (p) => (await (await fetch(`/pagefind/${p}/index.bin`))
  .arrayBuffer()).byteLength));
document.body.dataset.results = String(sizes.length);
window.benchDone = true;
</script></body></html>"""


@pytest.mark.bench
def test_search_download_sums_a_search_split_into_parts(tmp_path: Path, browser) -> None:
    from bench import search_bytes

    site = tmp_path / "site"
    (site / "page").mkdir(parents=True)
    (site / "page" / "index.html").write_text(PARTED_PAGE, encoding="utf-8")
    parts = ["p00", "p01", "p02"]
    (site / "pagefind").mkdir()
    (site / "pagefind" / "parts.json").write_text(json.dumps({"version": 1, "parts": parts}))
    for i, part in enumerate(parts):
        (site / "pagefind" / part).mkdir()
        (site / "pagefind" / part / "index.bin").write_bytes(os.urandom(10_000 * (i + 1)))
    sites = {"parted": (site, "/page/", search_bytes.HUGO_DONE)}
    found = search_bytes.measure(sites, timeout=60, browser=browser)["parted"]
    assert found.results == 3
    assert found.pagefind_requests == 1 + len(parts)
    assert 60_000 < found.pagefind_bytes < 60_000 + 4 * 1024  # the parts, parts.json and headers
    assert found.total_bytes > found.pagefind_bytes  # the page itself is not the bundle
