"""The benchmark runs end to end at a tiny N, so that ``make bench`` cannot rot (no timing asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = (
    "cold build, no search", "cold build with search", "no-op build, fresh process",
    "one-note edit, fresh-process build", "serve: save to reload message",
    "peak RSS, cold, no search: largest process", "process tree, summed RSS",
    "process tree, summed PSS", "peak RSS, cold with search", "serve: peak RSS",
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
