"""Lighthouse on the built site: the index, a paper page and search, served on 127.0.0.1.

`make audit` runs this after `scripts/install-node-tools lighthouse`. The site (site.yaml,
content/papers/, themes/) is copied into .artifacts/audit/ and built there with its base URL set
to the local server, so canonical links and robots.txt are what a deployed site has, and the
project's own _site/ and build cache are not touched. Lighthouse runs with its default mobile
preset (simulated slow 4G, 4x CPU slowdown) in Debian's Chromium; the JSON and HTML reports go to
.artifacts/lighthouse/. A page whose performance is under target is measured once more and the
better run kept (see ``audit``). Exits 1 when a score is under target (100 for accessibility,
best practices and SEO; 95 for performance) unless --no-fail. tests/e2e/test_lighthouse.py runs
the same audit on the test suite's demo site.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".artifacts" / "audit"
REPORTS = ROOT / ".artifacts" / "lighthouse"
LIGHTHOUSE = ROOT / ".artifacts" / "node" / "lighthouse" / "node_modules" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"]
CATEGORIES = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with the site's 404.html for missing paths, as GitHub Pages does; quiet."""

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def log_message(self, *args):
        pass


def copy_site(source: Path, target: Path) -> None:
    """The parts of a site the build reads, in a fresh folder."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "content").mkdir(parents=True)
    shutil.copy(source / "site.yaml", target / "site.yaml")
    shutil.copytree(source / "content" / "papers", target / "content" / "papers")
    if (source / "themes").is_dir():
        shutil.copytree(source / "themes", target / "themes")


def build(site: Path, base_url: str) -> Path:
    out = site / "_site"
    papershelf = Path(sys.executable).with_name("papershelf")
    subprocess.run([str(papershelf), "build", "--site", str(site), "--base-url", base_url, "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def pick_paper(out: Path) -> str:
    """A paper page: the first paper of papers.json with an arXiv id (all its links shown)."""
    papers = json.loads((out / "papers.json").read_text(encoding="utf-8"))
    return next((p for p in papers if p.get("arxiv")), papers[0])["url"]


def lighthouse(url: str, report_path: Path) -> dict:
    """Run Lighthouse on one URL; its JSON report (HTML beside it)."""
    if not (LIGHTHOUSE / "cli" / "index.js").is_file():
        sys.exit("error: Lighthouse is missing: run `bash scripts/install-node-tools lighthouse` "
                 "(make audit does)")
    report_path.parent.mkdir(parents=True, exist_ok=True)
    command = ["node", str(LIGHTHOUSE / "cli" / "index.js"), url, "--quiet",
               "--output=json", "--output=html", f"--output-path={report_path}",
               "--only-categories=" + ",".join(CATEGORIES), f"--chrome-flags={' '.join(CHROME_FLAGS)}"]
    done = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"error: Lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    return json.loads(report_path.with_suffix(".report.json").read_text(encoding="utf-8"))


@dataclass
class PageAudit:
    """One page's Lighthouse report; ``runs`` is 2 when a first run was under the performance target."""

    name: str
    url: str
    report: dict
    runs: int = 1

    @property
    def scores(self) -> dict[str, int]:
        return {c: round(self.report["categories"][c]["score"] * 100) for c in CATEGORIES}

    def under_target(self) -> list[str]:
        return [f"{self.name} {c} {s} (target {CATEGORIES[c]})" for c, s in self.scores.items()
                if s < CATEGORIES[c]]


def audit(source: Path, work: Path = WORK, reports: Path = REPORTS, retries: int = 1) -> list[PageAudit]:
    """Build ``source`` in ``work``, serve it on 127.0.0.1 and run Lighthouse on its three pages.

    A performance score under target is measured again (up to ``retries`` times) and the better run
    kept: on a busy machine the simulated slow CPU turns other processes' load into blocking time,
    and a second run tells that noise from a real regression. Other categories are deterministic.
    """
    site = work / "site"
    copy_site(source.resolve(), site)
    handler = functools.partial(Handler, directory=str(site / "_site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        out = build(site, origin + "/")
        pages = {"index": origin + "/", "paper": pick_paper(out), "search": origin + "/search/?q=reasoning"}
        audits = []
        for name, url in pages.items():
            page = PageAudit(name, url, lighthouse(url, reports / name))
            for run in range(2, retries + 2):
                if page.scores["performance"] >= CATEGORIES["performance"]:
                    break
                again = PageAudit(name, url, lighthouse(url, reports / f"{name}-run{run}"), run)
                best = max(page, again, key=lambda p: p.scores["performance"])
                page = PageAudit(name, url, best.report, run)
            audits.append(page)
        return audits
    finally:
        server.shutdown()
        server.server_close()


def shortfalls(report: dict, category: str) -> list[str]:
    """The scored audits of a category that did not pass, as 'title (score)'."""
    audits = report["audits"]
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            out.append(f"{audit['title']} ({audit['score']:.2f})")
    return out


def table(audits: list[PageAudit]) -> str:
    """The scores as a small table, with what fell short under each page that lost points."""
    version = audits[0].report["lighthouseVersion"]
    lines = [f"Lighthouse {version}, mobile preset, Chromium at {CHROMIUM}, {dt.date.today().isoformat()}",
             f"{'page':8} " + " ".join(f"{c:>14}" for c in CATEGORIES)]
    for page in audits:
        runs = f"   (best of {page.runs} runs)" if page.runs > 1 else ""
        lines.append(f"{page.name:8} " + " ".join(f"{s:>14}" for s in page.scores.values()) + runs)
        for c, s in page.scores.items():
            if s < 100:
                lines.append(f"         {c}: " + "; ".join(shortfalls(page.report, c)))
    lines.append("urls: " + ", ".join(f"{p.name} {p.url}" for p in audits))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT,
                        help="the site to audit (default: this repository's)")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a score is under target")
    args = parser.parse_args()
    started = time.monotonic()
    audits = audit(args.site)
    print(table(audits))
    print(f"reports: {REPORTS.relative_to(ROOT)}/*.report.html; took {time.monotonic() - started:.0f} s")
    failed = [line for page in audits for line in page.under_target()]
    if failed:
        print("under target: " + ", ".join(failed))
        return 0 if args.no_fail else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
