"""What the online tests share: a local stand-in for the arXiv API, never the real one, and
helpers to write and read a site's entries."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from generator.core.entries import Entry, read_entry
from generator.core.library import save_entry
from tests.arxiv_server import FakeArxiv, demo_records
from tests.conftest import run

DEMO = {rec["arxiv"]: rec for rec in demo_records()}
VL = DEMO["2403.05525"]  # DeepSeek-VL
V3 = DEMO["2505.09343"]  # Insights into DeepSeek-V3


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def fast_and_never_online(monkeypatch):
    """No 3 s pacing in tests, and a default API URL where nothing listens (never the real arXiv)."""
    monkeypatch.setenv("PAPERSHELF_ARXIV_DELAY", "0")
    monkeypatch.setenv("PAPERSHELF_ARXIV_TIMEOUT", "5")
    monkeypatch.setenv("PAPERSHELF_ARXIV_API", f"http://127.0.0.1:{free_port()}/api/query")


@pytest.fixture
def api():
    """A local arXiv API on a free port, stopped after the test."""
    server = FakeArxiv().start()
    yield server
    server.stop()


def papers(site: Path) -> Path:
    return site / "content" / "papers"


def write(site: Path, slug: str, body: str = "", **meta) -> Path:
    return save_entry(papers(site), Entry(slug, meta, body))


def read(site: Path, slug: str) -> Entry:
    return read_entry(papers(site) / f"{slug}.md")


def resolve(site: Path, api: FakeArxiv | None = None, *args: str):
    url = api.url if api else f"http://127.0.0.1:{free_port()}/api/query"
    return run(site, "resolve", "--api-url", url, *args)


