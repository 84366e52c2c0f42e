"""A GitHub Pages deploy of a big reading list, on this machine: cold against warm.

Why: the Pages workflow restores ``.papershelf-cache/`` and ``_site/`` before it builds. This
measures what that buys, shaped like a runner's job: every warm run gets a fresh checkout
(entry files with new modification times, in the same folder as before), the cache and the
output folder restored from a tar archive (as ``actions/cache`` keeps them), one changed note,
and a new virtual environment with papershelf installed from a wheel (untimed, as pip's
cache makes it on a runner). The cold run is today's deploy: the same build with nothing
restored. Both build with search, as the workflow does. Prints medians.

    .venv/bin/python scripts/deploy_timing.py --n 10000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import synth  # noqa: E402
from bench.run import SITE_YAML  # noqa: E402

BASE_URL = "https://user.github.io/list/"


def sh(*cmd: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def venv_with(wheel: Path, where: Path) -> Path:
    """A new virtual environment with papershelf from ``wheel``: a runner's ``make build`` install."""
    shutil.rmtree(where, ignore_errors=True)
    sh(sys.executable, "-m", "venv", where)
    sh(where / "bin" / "pip", "install", "-q", wheel)
    return where / "bin" / "papershelf"


def checkout(repo: Path, dest: Path) -> None:
    """A fresh checkout of ``repo`` at ``dest``: same bytes, new files and modification times."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(repo, dest, copy_function=shutil.copyfile)


def timed_build(papershelf: Path, site: Path) -> tuple[float, str]:
    start = time.perf_counter()
    out = sh(papershelf, "build", "--base-url", BASE_URL, cwd=site)
    return time.perf_counter() - start, out.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="papers in the list")
    parser.add_argument("--runs", type=int, default=3, help="cold and warm builds each")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / ".work" / "deploy")
    args = parser.parse_args(argv)

    work = args.workdir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    repo, site = work / "repo", work / "checkout"
    synth.write_entries(repo / "content" / "papers", args.n)
    (repo / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    sh(sys.executable, "-m", "build", "--wheel", "--outdir", work / "dist", ROOT)
    wheel = next((work / "dist").glob("papershelf-*.whl"))

    cold = []
    for run in range(args.runs):
        papershelf = venv_with(wheel, work / "venv")
        checkout(repo, site)
        seconds, summary = timed_build(papershelf, site)
        cold.append(seconds)
        print(f"cold {run + 1}: {seconds:.2f} s  ({summary})", flush=True)

    # The previous deploy's cache, as actions/cache saves it: a tar archive of both folders.
    archive = work / "cache.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(site / ".papershelf-cache", ".papershelf-cache")
        tar.add(site / "_site", "_site")
    note = sorted((repo / "content" / "papers").iterdir())[args.n // 2].name

    warm, installs = [], []
    for run in range(args.runs):
        start = time.perf_counter()
        papershelf = venv_with(wheel, work / "venv")
        installs.append(time.perf_counter() - start)
        checkout(repo, site)
        with tarfile.open(archive) as tar:
            tar.extractall(site, filter="tar")
        with open(site / "content" / "papers" / note, "a", encoding="utf-8") as f:
            f.write(f"\nRead again before deploy {run + 1}.\n")
        seconds, summary = timed_build(papershelf, site)
        warm.append(seconds)
        print(f"warm {run + 1}: {seconds:.2f} s  ({summary})", flush=True)

    cold_m, warm_m = statistics.median(cold), statistics.median(warm)
    print(f"\nN = {args.n:,}, {os.cpu_count()} cores, build with search, medians of {args.runs}:")
    print(f"  cold deploy build (nothing restored):          {cold_m:.2f} s")
    print(f"  warm deploy build (cache restored, one note):  {warm_m:.2f} s  ({cold_m / warm_m:.1f}x faster)")
    print(f"  new venv and papershelf with its dependencies from pip's cache: "
          f"{statistics.median(installs):.1f} s")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
