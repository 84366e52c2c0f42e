"""The bench's results: rows of paired values (or why a run failed), Markdown tables, the machine.

Kept apart from the runs so that a measure that failed (over the memory cap, over the
time limit, a crash) still becomes a row that says so, instead of stopping the bench.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .measure import MB, Run

HEADERS = ("measure", "papershelf", "Hugo", "ratio", "per-pair ratios", "target (at N=10,000)")


def log(message: str) -> None:
    """Progress, on stderr so that stdout holds only the report."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def why_failed(done: Run) -> str:
    """Why a run gave no figure ("over 12 GB ...", "exit 1: ..."), or "" when it succeeded."""
    if done.failure:
        return done.failure
    if done.status != 0:
        tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or [""]
        return f"exit {done.status}: {tail[0][:100]}"
    return ""


@dataclass
class Row:
    """One measure: values of papershelf (a) and Hugo (b) per pair, and how to show and judge them."""

    label: str
    unit: str  # "s", "MB" or "KB"
    a: list[float | None] = field(default_factory=list)
    b: list[float | None] = field(default_factory=list)
    target: str = ""
    judge: Callable[[float | None, float | None], bool] | None = None
    note: str = ""
    failed_a: str = ""  # why papershelf's runs gave no figure
    failed_b: str = ""  # why Hugo's did

    def add(self, side: str, value: float | None, failed: str = "") -> None:
        """One pair's value for side "a" (papershelf) or "b" (Hugo), or None and why it failed."""
        (self.a if side == "a" else self.b).append(None if failed else value)
        if failed and not getattr(self, f"failed_{side}"):
            setattr(self, f"failed_{side}", failed)

    def median(self, values: list[float | None]) -> float | None:
        """Median of the values measured (None where a run failed or was not possible)."""
        known = [v for v in values if v is not None]
        return statistics.median(known) if known else None

    def ratios(self) -> list[float]:
        """papershelf / Hugo for each pair where both were measured."""
        return [a / b for a, b in zip(self.a, self.b, strict=False) if a is not None and b]

    def cells(self) -> list[str]:
        """The table cells of this row."""
        ma, mb = self.median(self.a), self.median(self.b)
        ratios = self.ratios()
        ratio = f"{statistics.median(ratios):.2f}x" if ratios else "—"
        pairs = " ".join(f"{r:.2f}" for r in ratios) or "—"
        verdict = ""
        if self.target:
            if self.judge is None or ma is None:
                verdict = f"{self.target}" + (": missed" if self.failed_a else "")
            else:
                verdict = f"{self.target}: {'met' if self.judge(ma, mb) else 'missed'}"
        label = self.label + (f" ({self.note})" if self.note else "")
        shown_a = f"failed: {self.failed_a}" if ma is None and self.failed_a else fmt(ma, self.unit)
        shown_b = f"failed: {self.failed_b}" if mb is None and self.failed_b else fmt(mb, self.unit)
        return [label, shown_a, shown_b, ratio, pairs, verdict]


def fmt(value: float | None, unit: str) -> str:
    """A number for the table: seconds to 3 significant places, sizes in whole MB or KB."""
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"
    if unit == "MB":
        return f"{value / MB:.0f} MB"
    if unit == "KB":
        return f"{value / 1024:.0f} KB"
    return f"{value:g}"


def table(rows: list[Row], headers: tuple[str, ...] = HEADERS) -> str:
    """Rows as a Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "| --- | ---: | ---: | ---: | --- | --- |"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def import_table(rows: list[Row]) -> str:
    """The import rows (papershelf only) as a Markdown table."""
    lines = ["| import | papershelf (median) | runs | target |", "| --- | ---: | --- | --- |"]
    for row in rows:
        cells = row.cells()
        runs = " ".join(fmt(v, row.unit).replace(" s", "") for v in row.a)
        lines.append(f"| {cells[0]} | {cells[1]} | {runs} | {cells[5]} |")
    return "\n".join(lines)


# ----- papershelf --debug phases ------------------------------------------------------------------

_PHASE = re.compile(r"^\s*(\d+\.\d+) s  (.+?)\s*$")


def phases(stderr: str) -> dict[str, float]:
    """The seconds each step took, from the lines ``papershelf --debug build`` prints.

    Each line gives the time since the start and the step's name, with counts and the
    peak memory in parentheses (``  1.234 s  read entries (10000 parsed) (peak 90 MB)``);
    the step's own time is the difference with the line before. Names lose their
    parentheses, so that runs with different counts agree.
    """
    found: dict[str, float] = {}
    before = 0.0
    for line in stderr.splitlines():
        match = _PHASE.match(line)
        if not match:
            continue
        at = float(match[1])
        name = re.sub(r"\d+", "N", re.sub(r"\s*\([^)]*\)", "", match[2])).strip() or match[2]
        found[name] = found.get(name, 0.0) + at - before
        before = at
    return found


def median_phases(runs: list[dict[str, float]]) -> dict[str, float]:
    """Per step, the median of its time over runs (in the order steps first appear)."""
    names = list(dict.fromkeys(name for run in runs for name in run))
    return {name: statistics.median([run.get(name, 0.0) for run in runs]) for name in names}


# ----- machine ------------------------------------------------------------------------------------


def machine(papershelf: str, version: Callable[[list[str]], str], source: str,
            hugo: str, pagefind: str) -> list[str]:
    """What the figures were measured on."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {cpu}, {cores} cores, {ram} RAM; {platform.system()} {platform.release()}",
        f"- papershelf: {version([papershelf, '--version'])} from {source}; "
        f"Python {platform.python_version()}",
        f"- Hugo: {version([hugo, 'version'])}",
        f"- Pagefind: {version([pagefind, '--version'])}",
        f"- Chromium: {version(['/usr/bin/chromium', '--version'])}",
    ]


def source_of(env: dict[str, str]) -> str:
    """Which generator/ the papershelf runs use, with its git commit when it is a checkout."""
    where = "import generator, os; print(os.path.dirname(generator.__file__))"
    done = subprocess.run([sys.executable, "-c", where], capture_output=True, text=True, env=env,
                          cwd="/", check=False)  # not this folder: "" on sys.path would find ./generator
    folder = Path(done.stdout.strip() or ".").parent
    commit = subprocess.run(["git", "-C", str(folder), "describe", "--always", "--dirty"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return f"{folder}" + (f" (commit {commit})" if commit else "")


def load() -> str:
    """The load averages (1, 5, 15 min), to print next to figures on a shared machine."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
