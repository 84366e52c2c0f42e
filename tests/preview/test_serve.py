"""``papershelf serve`` as a real process: pages, live reload, errors in the browser, safety."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

from tests.conftest import ctrl_c_stops, run, seed_paths


@contextmanager
def serving(site: Path, *args: str):
    exe = Path(sys.executable).with_name("papershelf")
    process = subprocess.Popen([str(exe), "serve", "--site", str(site), *args], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, bufsize=1, preexec_fn=ctrl_c_stops)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Serving" in line:
                break
        else:
            raise AssertionError("".join(lines))
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
        reader.start()
        yield url, process, lines
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


class Events:
    """A Server-Sent Events client collecting events in the background."""

    def __init__(self, url: str) -> None:
        host, port = url.split("//")[1].split("/")[0].split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.connection.request("GET", "/__papershelf__/events")
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"
        self.events: list[tuple[str, str]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event = ""
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    self.events.append((event, line[6:]))
        except (OSError, ValueError):
            pass

    def wait_for(self, name: str, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(1 for e, _ in self.events if e == name) >= count:
                return
            time.sleep(0.02)
        raise AssertionError(f"no {name!r} event; got {self.events}")


def get(url: str, method: str = "GET") -> tuple[int, str, bytes]:
    try:
        with urlopen(Request(url, method=method)) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except Exception as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def raw_get(url: str, path: str) -> int:
    host, port = url.split("//")[1].split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    connection.endheaders()
    return connection.getresponse().status


@pytest.fixture
def imported(site):
    assert run(site, "import", *map(str, seed_paths(site))).exit_code == 0
    return site


def test_pages_assets_reload_errors_and_recovery(imported):
    site = imported
    (note,) = (site / "content" / "papers").glob("deepseekmoe-*.md")
    with serving(site, "--port", "0", "--no-search") as (url, _process, _lines):
        status, kind, body = get(url)
        assert status == 200 and kind == "text/html; charset=utf-8"
        assert b"/__papershelf__/reload.js" in body
        assert b"__papershelf__" not in (site / "_site" / "index.html").read_bytes()
        assert get(url + "assets/style.css")[:2] == (200, "text/css")
        assert get(url + "feed.xml")[1] == "application/xml"
        assert get(url, "HEAD")[2] == b""
        assert get(url, "POST")[0] == 405
        assert get(url + "tags")[0] == 200  # redirected to tags/
        for path in ("/../site.yaml", "/%2e%2e/site.yaml", "/%2E%2E%2Fsite.yaml", "/..%2fsite.yaml",
                     "/papers/../../site.yaml", "/content/papers/", "/%00"):
            assert raw_get(url, path) == 404, path

        events = Events(url)
        page = f"{url}papers/{note.stem}/"
        note.write_text(note.read_text() + "\nA brand new observation about routing.\n")
        events.wait_for("reload")
        assert b"A brand new observation about routing." in get(page)[2]

        good = note.read_text()
        note.write_text(good.replace("status: to-read", "status: [broken"))
        events.wait_for("failed")
        status, _, body = get(page)
        assert status == 200 and b"papershelf-error" in body
        assert f"{note.name}:".encode() in body and b"Build failed" in body
        assert b"A brand new observation about routing." in body  # the last good page, still served

        note.write_text(good)
        events.wait_for("reload", 2)
        assert b"papershelf-error" not in get(page)[2]


def test_ctrl_c_stops_cleanly_and_a_busy_port_moves(imported):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with serving(imported, "--port", str(port), "--no-search") as (url, process, lines):
            assert f":{port + 1}/" in url or f":{port}/" not in url
            assert any(f"port {port} is busy" in line for line in lines)
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0
    assert not [p for p in (imported / "_site").rglob("*.tmp")]


def test_an_open_page_reloads_by_itself_and_search_catches_up(imported, browser):
    site = imported
    (note,) = (site / "content" / "papers").glob("deepseekmoe-*.md")
    with serving(site, "--port", "0") as (url, _process, _lines):
        tab = browser.new_page()
        tab.goto(f"{url}papers/{note.stem}/")
        assert tab.locator(".notes").count() == 0
        note.write_text(note.read_text() + "\nZygomorphic routing is my word of the day.\n")
        tab.wait_for_selector(".notes", timeout=30000)
        assert "Zygomorphic routing" in tab.text_content(".notes")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            tab.goto(f"{url}search/?q=zygomorphic")
            tab.wait_for_function("document.querySelector('#search-status').textContent.length > 0")
            if tab.locator("#search-results li").count():
                break
            time.sleep(0.5)
        assert tab.text_content("#search-results .row-title a").startswith("DeepSeekMoE")
        tab.close()


def test_serve_requires_a_site(tmp_path):
    exe = Path(sys.executable).with_name("papershelf")
    done = subprocess.run([str(exe), "serve"], cwd=tmp_path, capture_output=True, text=True,
                          check=False, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert done.returncode == 1 and "no site.yaml" in done.stderr


def test_a_failed_rebuild_is_remembered_until_fixed(imported):
    site = imported
    papers = sorted((site / "content" / "papers").glob("*.md"))
    broken, other = papers[0], papers[1]
    good = broken.read_text()
    with serving(site, "--port", "0", "--no-search") as (url, _process, _lines):
        events = Events(url)
        broken.write_text(good.replace("status: to-read", "status: [oops"))
        events.wait_for("failed")
        other.write_text(other.read_text() + "\nAnother note.\n")
        events.wait_for("failed", 2)  # the broken file is looked at again, and still fails
        assert b"papershelf-error" in get(url)[2]
        broken.write_text(good)
        events.wait_for("reload")
        assert b"papershelf-error" not in get(url)[2]
        status, kind, body = get(url + "__papershelf__/events", "HEAD")
        assert (status, kind, body) == (200, "text/event-stream", b""), "HEAD answers, not streams"
