"""Shared fixtures: a fresh site in tmp_path holding the repository's config and seed dumps."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "content" / "sources"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = dt.date(2026, 11, 22)
EPOCH = str(int(dt.datetime(2026, 11, 22, 12, tzinfo=dt.timezone.utc).timestamp()))


def ctrl_c_stops() -> None:
    """``preexec_fn`` for a server the test stops with SIGINT, as Ctrl-C in a terminal does:
    a test run started in the background (``cmd &`` without job control, nohup) ignores
    SIGINT, the child would inherit that, and then SIGINT would never stop it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def make_site(root: Path) -> Path:
    """An empty site at ``root``: the repository's site.yaml, the seed dumps, no entries yet."""
    (root / "content" / "papers").mkdir(parents=True)
    shutil.copytree(SEEDS, root / "content" / "sources")
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty site in this test's temporary folder."""
    return make_site(tmp_path / "site")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo site imported and built once per test module (do not modify it)."""
    root = make_site(tmp_path_factory.mktemp("demo") / "site")
    build_demo(root)
    return root


def seed_paths(root: Path) -> list[Path]:
    """The seed dumps inside a test site, in the order the shell's glob gives them."""
    return sorted((root / "content" / "sources").iterdir())


def run(root: Path, *args: str) -> Result:
    """Run the CLI in-process against ``root`` with a fixed 'today'."""
    runner = CliRunner()
    return runner.invoke(cli, [*args[:1], "--site", str(root), *args[1:]],
                         env={"SOURCE_DATE_EPOCH": EPOCH}, catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def user_files(site: Path) -> dict[str, bytes]:
    """Every file of a site but papershelf's caches and locks (``.papershelf-cache/``)."""
    return {path: data for path, data in snapshot(site).items() if not path.startswith(".papershelf-cache/")}


def build_demo(root: Path, *extra: str) -> Path:
    """Import the seeds into the site at ``root`` and build it; returns the output folder."""
    result = run(root, "import", *map(str, seed_paths(root)))
    assert result.exit_code == 0, result.output
    result = run(root, "build", *extra)
    assert result.exit_code == 0, result.output
    return root / "_site"


@contextlib.contextmanager
def static_server(folder: Path, prefix: str = "/") -> Iterator[str]:
    """Serve ``folder`` at ``http://127.0.0.1:PORT{prefix}`` (404 outside it); yields that URL."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            clean = path.split("?", 1)[0].split("#", 1)[0]
            if not clean.startswith(prefix):
                return str(folder / "\0missing")
            return super().translate_path("/" + clean[len(prefix):])

        def send_error(self, code, message=None, explain=None):
            missing = folder / "404.html"
            if code == 404 and missing.is_file():
                body = missing.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                return
            super().send_error(code, message, explain)

        def log_message(self, *args):
            pass

    handler = functools.partial(Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, shared by the browser tests of a run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
