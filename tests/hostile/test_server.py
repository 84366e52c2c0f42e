"""The preview server under load and abuse: many clients, slow clients, smuggled requests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.preview import server as serve

PAGE = b"<!DOCTYPE html><html><head><title>x</title></head><body><p>hello</p></body></html>\n"


@contextmanager
def live_server(root: Path) -> Iterator[tuple[int, serve.LiveState]]:
    """The real preview server over ``root`` on a free port of 127.0.0.1, stopped afterwards."""
    stop = threading.Event()
    live = serve.LiveState(root=root, base_path="/")
    server, _ = serve.bind("127.0.0.1", 0, serve.make_handler(live, stop))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], live
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_bytes(PAGE)
    return tmp_path


def request(port: int, raw: bytes, timeout: float) -> bytes:
    """Send ``raw`` and read until the server closes the connection (or ``timeout`` passes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        return read_until_closed(sock, timeout)


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            piece = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            return data + b"<reset>"
        if not piece:
            return data + b"<closed>"
        data += piece
    return data + b"<open>"


def test_200_concurrent_clients_all_get_an_answer(folder):
    with live_server(folder) as (port, _):
        get = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

        def client(_: int) -> bytes:
            try:
                return request(port, get, timeout=5)
            except OSError as exc:
                return repr(exc).encode()

        start = threading.Barrier(200, timeout=30)

        def together(n: int) -> bytes:
            start.wait()
            return client(n)

        with ThreadPoolExecutor(200) as pool:
            answers = list(pool.map(together, range(200)))
    failed = [a[:80] for a in answers if not (a.startswith(b"HTTP/1.1 200 ") and b"<p>hello</p>" in a)]
    assert failed == []


def test_a_slowloris_connection_is_closed_within_the_timeout(folder, monkeypatch):
    monkeypatch.setattr(serve, "REQUEST_TIMEOUT", 1.0, raising=False)
    with live_server(folder) as (port, _), socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n")
        closed = False
        while time.monotonic() - started < 8:  # one header byte every 0.3 s: never finishes
            try:
                sock.sendall(b"X")
            except OSError:
                closed = True
                break
            sock.settimeout(0.3)
            try:
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except ConnectionResetError:
                closed = True
                break
        elapsed = time.monotonic() - started
    assert closed, "the server kept a trickling connection open for 8 s"
    assert elapsed < 3


def test_an_idle_connection_is_closed_within_the_timeout(folder, monkeypatch):
    monkeypatch.setattr(serve, "REQUEST_TIMEOUT", 1.0, raising=False)
    with live_server(folder) as (port, _), socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /index.html HTTP/1.1\r\nHo")
        assert read_until_closed(sock, 5).endswith((b"<closed>", b"<reset>"))
        assert time.monotonic() - started < 3


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_a_request_body_is_never_served_as_a_second_request(folder, method):
    smuggled = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
    raw = (f"{method} /index.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: {len(smuggled)}\r\n\r\n"
           .encode() + smuggled)
    with live_server(folder) as (port, _):
        answer = request(port, raw, timeout=5)
    assert answer.count(b"HTTP/1.1 ") == 1, answer
    assert answer.startswith(b"HTTP/1.1 405 ")
    assert b"\r\nConnection: close\r\n" in answer
    assert answer.endswith(b"<closed>")


def test_a_get_with_a_body_is_answered_once_and_closed(folder):
    smuggled = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
    raw = (b"GET /missing HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n" % len(smuggled)
           + smuggled)
    with live_server(folder) as (port, _):
        answer = request(port, raw, timeout=5)
    assert answer.count(b"HTTP/1.1 ") == 1, answer
    assert answer.startswith(b"HTTP/1.1 404 ") and answer.endswith(b"<closed>")


def test_keep_alive_still_serves_several_requests_on_one_connection(folder):
    get = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
    with live_server(folder) as (port, _):
        answer = request(port, get * 2 + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5)
    assert answer.count(b"HTTP/1.1 200 ") == 3 and answer.endswith(b"<closed>")


def test_event_streams_outlive_the_timeout_and_do_not_exhaust_the_workers(folder, monkeypatch):
    monkeypatch.setattr(serve, "REQUEST_TIMEOUT", 1.0, raising=False)
    with live_server(folder) as (port, live):
        streams = []
        for _ in range(80):  # more pages open than worker threads
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /__papershelf__/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
            streams.append(sock)
        try:
            for sock in streams:
                head = sock.recv(4096)
                assert head.startswith(b"HTTP/1.1 200 ") and b"text/event-stream" in head
            page = request(port, b"GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5)
            assert page.startswith(b"HTTP/1.1 200 ")
            time.sleep(1.5)  # past the request timeout: streams stay open
            live.publish("reload", "0.1")
            for sock in streams:
                got = b""
                while b"event: reload" not in got:
                    piece = sock.recv(4096)
                    assert piece, got
                    got += piece
        finally:
            for sock in streams:
                sock.close()
