"""The README's screenshots: docs/{index,paper}-{light,dark}.png, 960x640, from the current theme.

Builds this repository's site into .artifacts/docs-site/ (as `make audit` does), serves it on
127.0.0.1 and photographs the top of the index and of one paper page in Debian's Chromium with
Playwright, in light and dark. PNGs are reduced to a 256-colour palette when `pngquant` is on
the PATH (Debian package pngquant), else kept as Chromium writes them.

Usage: .venv/bin/python scripts/docs_screenshots.py   (or `make docs-screenshots`)
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit import CHROMIUM, ROOT, Handler, build, copy_site

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PAPER = "insights-into-deepseek-v3-scaling-challenges-and-reflections-on-hardware-for-ai"
SIZE = {"width": 960, "height": 640}
DOCS = ROOT / "docs"


def optimise(path: Path) -> None:
    """Quantise to 256 colours in place when pngquant is installed (apt-get install pngquant)."""
    if shutil.which("pngquant"):
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--strip", "--output", str(path), "256",
                        str(path)], check=False)


def main() -> int:
    from playwright.sync_api import sync_playwright

    site = ROOT / ".artifacts" / "docs-site"
    copy_site(ROOT, site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Handler, directory=str(site / "_site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        build(site, origin)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for scheme in ("light", "dark"):
                context = browser.new_context(viewport=SIZE, color_scheme=scheme)
                page = context.new_page()
                for name, path in (("index", ""), ("paper", f"papers/{PAPER}/")):
                    page.goto(origin + path)
                    target = DOCS / f"{name}-{scheme}.png"
                    page.screenshot(path=str(target))
                    optimise(target)
                    print(f"{target.relative_to(ROOT)}: {target.stat().st_size // 1024} KiB")
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
