"""`papershelf fetch hf-daily` against a local stand-in for the Hugging Face API on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.core.library import load_library
from generator.online import hf_client
from tests.conftest import EPOCH, FIXTURES, TODAY, run, user_files
from tests.online.conftest import free_port

DAILY = FIXTURES / "hf-api" / "daily_papers-2025-05-15.json"


@dataclass
class FakeHf:
    """``/api/daily_papers`` as the Hub answers it: the items of a period, ``limit`` per page
    ``p``; 400 with ``{"error": ...}`` for a day after TODAY; ``script`` answers come first."""

    lists: dict[tuple[str, str], list] = field(default_factory=dict)
    script: list[tuple[int, dict, bytes]] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    raw: dict[tuple[str, str], bytes] = field(default_factory=dict)  # bodies served as they are

    def start(self) -> FakeHf:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append({"path": parts.path, **query})
                status, headers, body = fake.answer(parts.path, query)
                self.send_response(status)
                for name, value in {"Content-Type": "application/json; charset=utf-8", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        if self.script:
            return self.script.pop(0)
        if path != "/api/daily_papers":
            return 404, {}, b'{"error":"Sorry, we can\'t find the page you are looking for."}'
        (kind, value), = [(k, query[k]) for k in ("date", "week", "month") if k in query]
        if kind == "date" and value > TODAY.isoformat():
            return 400, {}, json.dumps({"error": f'"date" must be before {TODAY.isoformat()}'}).encode()
        if (kind, value) in self.raw:
            return 200, {}, self.raw[kind, value]
        limit, page = int(query.get("limit", 50)), int(query.get("p", 0))
        items = self.lists.get((kind, value), [])[page * limit:(page + 1) * limit]
        return 200, {}, json.dumps(items).encode()


@pytest.fixture(autouse=True)
def never_the_real_hub(monkeypatch):
    """No backoff in tests, and a default API where nothing listens (never huggingface.co)."""
    monkeypatch.setenv("PAPERSHELF_HF_BACKOFF", "0")
    monkeypatch.setenv("PAPERSHELF_HF_TIMEOUT", "5")
    monkeypatch.setenv("PAPERSHELF_HF_API", f"http://127.0.0.1:{free_port()}")


@pytest.fixture
def hub():
    server = FakeHf(raw={("date", "2025-05-15"): DAILY.read_bytes()}).start()
    yield server
    server.stop()


def fetch(site: Path, hub: FakeHf | None, *args: str):
    """``papershelf fetch hf-daily --site SITE ARGS`` in-process, against ``hub``."""
    return CliRunner().invoke(cli, ["fetch", "hf-daily", "--site", str(site), *args,
                                    *(("--api-url", hub.url) if hub else ())],
                              env={"SOURCE_DATE_EPOCH": EPOCH}, catch_exceptions=False)


def saved(site: Path, name: str) -> Path:
    return site / "content" / "sources" / name


def titles(site: Path) -> set[str]:
    return {e.get("title") for e in load_library(site / "content" / "papers").entries.values()}


def test_fetch_saves_the_answer_as_it_came_and_imports_it(site, hub):
    result = fetch(site, hub, "2025-05-15")
    assert result.exit_code == 0, result.output
    assert saved(site, "hf-daily-2025-05-15.json").read_bytes() == DAILY.read_bytes()
    assert "saved 3 papers as" in result.stderr
    assert result.stdout.strip() == "3 papers: 3 new, 0 updated, 0 unchanged; 1 warning"
    assert "item 1: projectPage 'javascript:alert(document.cookie)' is not an http(s) URL" in result.stderr
    assert hub.requests == [{"path": "/api/daily_papers", "date": "2025-05-15", "limit": "50", "p": "0"}]
    assert "A Paper With Almost Nothing" in titles(site)


def test_a_saved_file_is_not_fetched_again_unless_refresh(site, hub):
    assert fetch(site, hub, "2025-05-15").exit_code == 0
    before = user_files(site)
    again = fetch(site, hub, "2025-05-15")
    assert again.exit_code == 0, again.output
    assert len(hub.requests) == 1
    assert "already saved; importing it" in again.stderr
    assert again.stdout.strip() == "3 papers: 0 new, 0 updated, 3 unchanged; 1 warning"
    assert user_files(site) == before

    items = json.loads(DAILY.read_bytes())
    hub.raw[("date", "2025-05-15")] = json.dumps(items[:2]).encode()
    refreshed = fetch(site, hub, "2025-05-15", "--refresh")
    assert refreshed.exit_code == 0, refreshed.output
    assert len(hub.requests) == 2
    assert json.loads(saved(site, "hf-daily-2025-05-15.json").read_bytes()) == items[:2]


def test_default_day_is_today(site, hub):
    hub.lists[("date", TODAY.isoformat())] = json.loads(DAILY.read_bytes())[:1]
    result = fetch(site, hub)
    assert result.exit_code == 0, result.output
    assert saved(site, f"hf-daily-{TODAY.isoformat()}.json").exists()


@pytest.mark.parametrize("option, value", [("--week", "2025-W20"), ("--month", "2025-05")])
def test_week_and_month_use_the_api_parameters_and_every_page(site, hub, monkeypatch, option, value):
    monkeypatch.setattr(hf_client, "PAGE_SIZE", 2)
    items = json.loads(DAILY.read_bytes())
    extra = json.loads(json.dumps(items[2]))
    extra["paper"].update(id="2505.11112", title="One More Paper", summary="Another short summary.")
    hub.lists[(option[2:], value)] = [*items, extra, items[0]]  # the last page repeats an item
    result = fetch(site, hub, option, value)
    assert result.exit_code == 0, result.output
    kept = json.loads(saved(site, f"hf-daily-{value}.json").read_bytes())
    assert [item["paper"]["id"] for item in kept] == ["2505.09343", "2505.10475", "2505.11111", "2505.11112"]
    assert [(r[option[2:]], r["p"]) for r in hub.requests] == [(value, "0"), (value, "1"), (value, "2")]
    assert result.stdout.startswith("4 papers: 4 new")


def test_offline_is_one_line_and_writes_nothing(site):
    before = user_files(site)
    port = free_port()
    result = fetch(site, None, "2025-05-15", "--api-url", f"http://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot reach 127.0.0.1:{port} (Connection refused)")
    assert len(result.stderr.strip().splitlines()) == 1
    assert user_files(site) == before


def test_the_environment_variable_points_at_the_server(site, hub, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_HF_API", hub.url)
    result = fetch(site, None, "2025-05-15")
    assert result.exit_code == 0, result.output
    assert len(hub.requests) == 1


def test_a_future_date_is_the_apis_message(site, hub):
    before = user_files(site)
    result = fetch(site, hub, "2099-01-01")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith("error: the Hugging Face API answered HTTP 400 Bad Request to GET ")
    assert f'"date" must be before {TODAY.isoformat()}' in line
    assert "\n" not in line
    assert user_files(site) == before


def test_429_is_retried(site, hub):
    hub.script = [(429, {"Retry-After": "0"}, b'{"error":"Too many requests"}')]
    result = fetch(site, hub, "2025-05-15")
    assert result.exit_code == 0, result.output
    assert len(hub.requests) == 2
    assert saved(site, "hf-daily-2025-05-15.json").read_bytes() == DAILY.read_bytes()


def test_503_every_time_is_reported_after_the_retries(site, hub):
    before = user_files(site)
    hub.script = [(503, {"Retry-After": "0"}, b"<html>busy</html>")] * 10
    result = fetch(site, hub, "2025-05-15")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: the Hugging Face API answered HTTP 503 Service Unavailable (4 tries)")
    assert len(hub.requests) == 4
    assert user_files(site) == before


@pytest.mark.parametrize("body, reason", [
    (b"<html>Hugging Face is down</html>", "not JSON"),
    (b'{"papers": []}', "not a list of papers"),
    (b'[{"paper": {"summary": "no id, no title"}}, 7]', "no item is a paper"),
    (b"[" * 100_000, "not JSON"),
])
def test_a_malformed_answer_is_an_error_and_nothing_is_saved(site, hub, body, reason):
    before = user_files(site)
    hub.raw[("date", "2025-05-15")] = body
    result = fetch(site, hub, "2025-05-15")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: malformed answer from the Hugging Face API")
    assert reason in result.stderr
    assert user_files(site) == before


def test_a_day_without_papers_saves_nothing(site, hub):
    before = user_files(site)
    hub.raw[("date", "2025-05-17")] = b"[]"
    result = fetch(site, hub, "2025-05-17")
    assert result.exit_code == 0, result.output
    assert "no paper is listed for 2025-05-17; nothing saved" in result.stderr
    assert user_files(site) == before


@pytest.mark.parametrize("args, message", [
    (("2025-13-01",), "'2025-13-01' is not a date"),
    (("--week", "2025-W54"), "'2025-W54' is not a week"),
    (("--month", "2025-5"), "'2025-5' is not a month"),
    (("2025-05-14", "--week", "2025-W20"), "give one of DATE, --week and --month"),
])
def test_a_bad_period_asks_nothing(site, hub, args, message):
    result = fetch(site, hub, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {message}")
    assert hub.requests == []


def test_the_saved_file_imports_again_offline_like_make_build(site, hub, tmp_path):
    assert fetch(site, hub, "2025-05-15").exit_code == 0
    hub.stop()
    dumps = sorted(str(p) for p in (site / "content" / "sources").iterdir())  # make build's $(DUMPS)
    result = run(site, "import", *dumps)
    assert result.exit_code == 0, result.output
    before = user_files(site)
    again = run(site, "import", *dumps)
    assert "0 new, 0 updated" in again.stdout
    assert user_files(site) == before
    hub.start()  # the fixture stops it again
