"""Lighthouse on the built site: the index, a paper page and search, served on 127.0.0.1.

`make audit` runs this after `scripts/install-node-tools lighthouse`. The site (site.yaml,
content/papers/, themes/) is copied into .artifacts/audit/ and built there with its base URL set
to the local server, so canonical links and robots.txt are what a deployed site has, and the
project's own _site/ and build cache are not touched. Lighthouse runs with its default mobile
preset (simulated slow 4G, 4x CPU slowdown) in Debian's Chromium; the JSON and HTML reports go to
.artifacts/lighthouse/. Exits 1 when a score is under target (100 for accessibility, best
practices and SEO; 95 for performance) unless --no-fail.
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


def lighthouse(url: str, name: str) -> dict:
    """Run Lighthouse on one URL; its JSON report."""
    if not (LIGHTHOUSE / "cli" / "index.js").is_file():
        sys.exit("error: Lighthouse is missing: run `bash scripts/install-node-tools lighthouse` "
                 "(make audit does)")
    REPORTS.mkdir(parents=True, exist_ok=True)
    command = ["node", str(LIGHTHOUSE / "cli" / "index.js"), url, "--quiet",
               "--output=json", "--output=html", f"--output-path={REPORTS / name}",
               "--only-categories=" + ",".join(CATEGORIES), f"--chrome-flags={' '.join(CHROME_FLAGS)}"]
    done = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"error: Lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    return json.loads((REPORTS / f"{name}.report.json").read_text(encoding="utf-8"))


def shortfalls(report: dict, category: str) -> list[str]:
    """The scored audits of a category that did not pass, as 'title (score)'."""
    audits = report["audits"]
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            out.append(f"{audit['title']} ({audit['score']:.2f})")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT,
                        help="the site to audit (default: this repository's)")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a score is under target")
    args = parser.parse_args()
    started = time.monotonic()

    site = WORK / "site"
    copy_site(args.site.resolve(), site)
    handler = functools.partial(Handler, directory=str(site / "_site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        out = build(site, origin + "/")
        pages = {"index": origin + "/", "paper": pick_paper(out), "search": origin + "/search/?q=reasoning"}
        reports = {name: lighthouse(url, name) for name, url in pages.items()}
    finally:
        server.shutdown()
        server.server_close()

    version = next(iter(reports.values()))["lighthouseVersion"]
    print(f"Lighthouse {version}, mobile preset, Chromium at {CHROMIUM}, {dt.date.today().isoformat()}")
    print(f"{'page':8} " + " ".join(f"{c:>14}" for c in CATEGORIES))
    failed = []
    for name, report in reports.items():
        scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
        print(f"{name:8} " + " ".join(f"{scores[c]:>14}" for c in CATEGORIES))
        failed += [(name, c, scores[c]) for c in CATEGORIES if scores[c] < CATEGORIES[c]]
        for c in CATEGORIES:
            if scores[c] < 100:
                print(f"         {c}: " + "; ".join(shortfalls(report, c)))
    print(f"urls: {', '.join(f'{n} {u}' for n, u in pages.items())}")
    print(f"reports: {REPORTS.relative_to(ROOT)}/*.report.html; took {time.monotonic() - started:.0f} s")
    if failed:
        print("under target: " + ", ".join(f"{n} {c} {s} (target {CATEGORIES[c]})" for n, c, s in failed))
        return 0 if args.no_fail else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
