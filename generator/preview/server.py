"""``serve``: build, serve the site on 127.0.0.1, rebuild on change and reload open pages.

The server is handed a builder callable and the paths to watch; it knows nothing of how
building works. Pages get a small reload script injected as they are sent (the built
files never contain it); the script listens on a Server-Sent Events stream. A failed
rebuild keeps the last good site served, with the error laid over every page until the
next good build. The search index is refreshed in the background once edits settle.

The server is hardened for a busy or hostile local network: a deep listen queue, a fixed
pool of worker threads, a deadline for every request (slow or idle connections are
closed), and a connection closed after any answer that left a request body unread. Event
streams are handed from the worker to one broadcasting thread, so open pages hold a
socket each, not a worker, and are not cut by the request deadline.
"""

from __future__ import annotations

import contextlib
import errno
import html
import http.server
import io
import json
import mimetypes
import os
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

EVENTS_PATH = "__papershelf__/events"
SCRIPT_PATH = "__papershelf__/reload.js"
PORT_ATTEMPTS = 20
HEARTBEAT = 15.0
REQUEST_TIMEOUT = 10.0  # seconds a client has to send a whole request (and to stay idle between two)
SEND_TIMEOUT = 10.0  # seconds an answer may take to be sent
STREAM_TIMEOUT = 2.0  # seconds an event may take to reach a page before its stream is dropped
WORKERS = 32  # threads answering requests; more clients wait in the listen queue
LISTEN_QUEUE = 512  # connections the kernel holds until a worker is free
SEARCH_SETTLE = 0.5  # s without a rebuild before the search index is refreshed in the background
MAX_STREAMS = 256  # open pages listening for reloads; a stream beyond is closed (the page retries)

EXTRA_TYPES = {
    ".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript",
    ".json": "application/json", ".xml": "application/xml", ".svg": "image/svg+xml",
    ".bib": "text/plain; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".css": "text/css", ".html": "text/html; charset=utf-8", ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream", ".pf_meta": "application/octet-stream",
    ".pf_filter": "application/octet-stream", ".webmanifest": "application/manifest+json",
}

RELOAD_JS = """\
// papershelf serve: reload when the site is rebuilt (never part of a built site).
(() => {
  const source = new EventSource(%s);
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("failed", () => location.reload());
  // the search index was refreshed after an edit: a search page searches it again
  source.addEventListener("search", () => document.getElementById("search-results") && location.reload());
})();
"""


class EventHub:
    """Open Server-Sent Events streams, written to by whoever publishes (no thread per page).

    A stream that cannot take an event within STREAM_TIMEOUT is dropped: the page reconnects.
    Messages are sent one at a time, so two never interleave on a stream.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()  # guards ``streams``
        self.sending = threading.Lock()  # one message at a time
        self.streams: list[socket.socket] = []

    def add(self, stream: socket.socket) -> bool:
        """Start sending events to ``stream``; False (and nothing kept) when too many are open."""
        stream.settimeout(STREAM_TIMEOUT)
        with self.lock:
            if len(self.streams) >= MAX_STREAMS:
                return False
            self.streams.append(stream)
        return self.send(b": connected\n\n", [stream])

    def send(self, message: bytes, streams: list[socket.socket] | None = None) -> bool:
        """Write ``message`` to every stream (or to ``streams``); closes those that fail."""
        with self.lock:
            targets = list(self.streams if streams is None else streams)
        failed = []
        with self.sending:
            for stream in targets:
                try:
                    stream.sendall(message)
                except OSError:
                    failed.append(stream)
        for stream in failed:
            self.drop(stream)
        return not failed

    def drop(self, stream: socket.socket) -> None:
        """Stop sending to ``stream`` and close it."""
        with self.lock:
            if stream in self.streams:
                self.streams.remove(stream)
        _close(stream)

    def close(self) -> None:
        """Close every stream (the server is stopping)."""
        with self.lock:
            streams, self.streams = self.streams, []
        for stream in streams:
            _close(stream)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@dataclass
class LiveState:
    """What the server shows: the output folder, the base path, the last build error, open pages."""

    root: Path
    base_path: str
    error: str = ""
    hub: EventHub = field(default_factory=EventHub)

    def publish(self, event: str, data: str) -> None:
        """Send an event to every open page."""
        self.hub.send(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())

    def heartbeat(self) -> None:
        """A comment line to every open page: keeps proxies from closing the stream, finds gone pages."""
        self.hub.send(b": keep-alive\n\n")


def content_type(path: Path) -> str:
    """The MIME type to send ``path`` with (Pagefind's files and WebAssembly included)."""
    return EXTRA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def resolve_request(live: LiveState, raw_path: str) -> tuple[str, Path | None]:
    """Map a request path to ('file', path), ('redirect'|'events'|'script'|'missing', None).

    Anything outside the base path, with ``..`` in it once decoded, or resolving outside
    the output folder is missing: no path traversal.
    """
    path = unquote(urlsplit(raw_path).path)
    if "\0" in path or not path.startswith(live.base_path):
        return "missing", None
    rel = path[len(live.base_path):]
    if rel == EVENTS_PATH:
        return "events", None
    if rel == SCRIPT_PATH:
        return "script", None
    parts = [p for p in rel.split("/") if p]
    if any(p in {".", ".."} or "\\" in p for p in parts):
        return "missing", None
    target = live.root.joinpath(*parts)
    try:
        resolved = target.resolve()
        resolved.relative_to(live.root.resolve())
    except (ValueError, OSError):
        return "missing", None
    if resolved.is_dir():
        if not path.endswith("/"):
            return "redirect", None
        resolved = resolved / "index.html"
    return ("file", resolved) if resolved.is_file() else ("missing", None)


def inject(page: bytes, live: LiveState) -> bytes:
    """Add the reload script, and the build error if there is one, to an HTML page."""
    script = f'<script src="{live.base_path}{SCRIPT_PATH}"></script>'
    banner = ""
    if live.error:
        banner = ('<div id="papershelf-error" role="alert" style="position:fixed;inset:0 0 auto 0;'
                  'z-index:99999;background:#8b0000;color:#fff;padding:1rem 1.5rem;'
                  'font:16px/1.5 monospace;white-space:pre-wrap">'
                  f"<strong>Build failed</strong> (the page below is the last good build)\n"
                  f"{html.escape(live.error)}</div>")
    marker = b"</body>"
    at = page.rfind(marker)
    extra = (banner + script).encode()
    return page[:at] + extra + page[at:] if at >= 0 else page + extra


class _DeadlineIO(socket.SocketIO):
    """A socket reader that fails once the request's deadline has passed, however slowly
    bytes trickle in (a per-read timeout alone lets a client send one byte every few seconds)."""

    def __init__(self, sock: socket.socket, handler: Any) -> None:
        super().__init__(sock, "rb")
        self.handler = handler

    def readinto(self, buffer: Any) -> int | None:
        remaining = self.handler.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request took too long")
        self._sock.settimeout(remaining)
        try:
            return super().readinto(buffer)
        finally:
            self._sock.settimeout(SEND_TIMEOUT)


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Answers GET and HEAD from ``live``: built files (HTML pages with the reload script
    injected), the reload script and the event stream; 404 for anything else. Bound to a
    server's state by ``make_handler``."""

    live: LiveState
    stopping: threading.Event  # set when the server stops: no new event stream is kept
    server_version = "papershelf"
    protocol_version = "HTTP/1.1"
    timeout = SEND_TIMEOUT
    deadline = 0.0

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # (leaving it open would keep the socket from closing)
        self.rfile = io.BufferedReader(_DeadlineIO(self.connection, self))

    def handle_one_request(self) -> None:
        self.deadline = time.monotonic() + REQUEST_TIMEOUT  # read at call time: tests shorten it
        super().handle_one_request()

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _not_allowed(self) -> None:
        self._send(405, b"405 Method Not Allowed\n", "text/plain; charset=utf-8", head=False,
                   extra={"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def _respond(self, head: bool) -> None:
        kind, path = resolve_request(self.live, self.path)
        if kind == "events" and head:
            self._send(200, b"", "text/event-stream", head)
        elif kind == "events":
            self._events()
        elif kind == "script":
            body = (RELOAD_JS % json.dumps(self.live.base_path + EVENTS_PATH)).encode()
            self._send(200, body, "text/javascript", head)
        elif kind == "redirect":
            self._send(301, b"", "text/plain", head, extra={"Location": urlsplit(self.path).path + "/"})
        elif kind == "file":
            body = path.read_bytes()
            mime = content_type(path)
            if mime.startswith("text/html"):
                body = inject(body, self.live)
            self._send(200, body, mime, head)
        else:
            missing = self.live.root / "404.html"
            body = inject(missing.read_bytes(), self.live) if missing.is_file() else b"404 Not Found\n"
            self._send(404, body, "text/html; charset=utf-8", head)

    def _unread_body(self) -> bool:
        """Whether the request announced a body (none is ever read: it must not be taken
        for the next request on this connection)."""
        length = self.headers.get("Content-Length", "").strip()
        return self.command not in ("GET", "HEAD") or length not in ("", "0") or \
            "Transfer-Encoding" in self.headers

    def _send(self, code: int, body: bytes, mime: str, head: bool, extra: dict | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if self._unread_body():
            self.send_header("Connection", "close")  # (send_header sets close_connection too)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """Answer with the stream's headers, then hand the socket to the hub: this worker
        is free again and the request deadline no longer applies."""
        if self._unread_body():
            self._send(400, b"400 Bad Request\n", "text/plain; charset=utf-8", head=False)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        if self.stopping.is_set() or not self.server.detach(self.connection, self.live.hub.add):
            self.close_connection = True


def make_handler(live: LiveState, stop: threading.Event) -> type[PreviewHandler]:
    """A request handler class bound to ``live`` (GET and HEAD only)."""
    return type("Handler", (PreviewHandler,), {"live": live, "stopping": stop})


class LiveServer(http.server.HTTPServer):
    """An HTTP server answering with a fixed pool of daemon worker threads.

    Accepted connections wait in a bounded queue for a worker; when it is full the accept
    loop waits, and further clients wait in the kernel's listen queue (``LISTEN_QUEUE``).
    A worker may ``detach`` its connection (an event stream): it is then not closed here.
    """

    allow_reuse_address = True
    request_queue_size = LISTEN_QUEUE

    def __init__(self, address: tuple[str, int], handler: type, workers: int = WORKERS) -> None:
        self.jobs: queue.Queue = queue.Queue(maxsize=workers * 4)
        self.closing = threading.Event()
        self.detached: set[socket.socket] = set()
        self.detached_lock = threading.Lock()
        super().__init__(address, handler)  # (closes the server when the port is taken)
        for _ in range(workers):
            threading.Thread(target=self._work, daemon=True).start()

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        """Queue the connection for a worker (waiting while the queue is full)."""
        while not self.closing.is_set():
            try:
                self.jobs.put((request, client_address), timeout=0.2)
                return
            except queue.Full:
                continue
        self.shutdown_request(request)

    def _work(self) -> None:
        while True:
            request, client_address = self.jobs.get()
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                with self.detached_lock:
                    kept = request in self.detached
                    self.detached.discard(request)
                if not kept:
                    self.shutdown_request(request)

    def detach(self, request: socket.socket, keeper: Callable[[socket.socket], bool]) -> bool:
        """Hand ``request`` over to ``keeper`` (which closes it when done); False if it declined."""
        with self.detached_lock:
            self.detached.add(request)
        if keeper(request):
            return True
        with self.detached_lock:
            self.detached.discard(request)
        return False

    def shutdown(self) -> None:
        """Stop the accept loop, even while it waits for room in the queue."""
        self.closing.set()
        super().shutdown()

    def server_close(self) -> None:
        """Stop accepting; queued connections are closed, workers die with the process."""
        self.closing.set()
        super().server_close()
        while True:
            try:
                self.shutdown_request(self.jobs.get_nowait()[0])
            except queue.Empty:
                break

    def handle_error(self, request, client_address) -> None:
        """A page that went away mid-answer (a reload does that) is normal; anything else is one line."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            print(f"request from {client_address[0]} failed: {type(error).__name__}: {error}",
                  file=sys.stderr, flush=True)


def bind(host: str, port: int, handler: type, attempts: int = PORT_ATTEMPTS) -> tuple[LiveServer, str]:
    """Bind ``port``, or the next free one; returns the server and a note when the port moved."""
    for candidate in range(port, port + attempts):
        try:
            server = LiveServer((host, candidate), handler)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or port == 0:
                raise
            continue
        note = "" if candidate == port else f"port {port} is busy; using {candidate} instead"
        return server, note
    raise OSError(errno.EADDRINUSE, f"ports {port}-{port + attempts - 1} are all busy")


@dataclass
class Watcher:
    """Threads that feed file changes into one queue: folders recursively, single files by their folder."""

    folders: list[Path]
    files: list[Path]
    stop: threading.Event
    changes: queue.Queue = field(default_factory=queue.Queue)
    failure: str = ""  # why watching stopped, if it did

    def start(self) -> None:
        """Begin watching in background threads."""
        from watchfiles import watch

        def pump(paths: Iterable[Path], recursive: bool, keep: Callable[[str], bool]) -> None:
            try:
                for batch in watch(*paths, recursive=recursive, stop_event=self.stop, step=10,
                                   debounce=500, raise_interrupt=False):
                    picked = {path for _, path in batch if keep(path)}
                    if picked:
                        self.changes.put(picked)
            except Exception as exc:  # told once by the main loop, not as a thread's traceback
                self.failure = f"{type(exc).__name__}: {exc}"

        folders = [f for f in self.folders if f.is_dir()]
        if folders:
            threading.Thread(target=pump, args=(folders, True, lambda p: True), daemon=True).start()
        names = {str(f) for f in self.files}
        parents = sorted({f.parent for f in self.files})
        threading.Thread(target=pump, args=(parents, False, lambda p: p in names), daemon=True).start()

    def wait(self, timeout: float | None = None) -> set[str]:
        """The next changes, merged with any that follow within a few milliseconds."""
        found = set(self.changes.get(timeout=timeout))
        while True:
            try:
                found |= self.changes.get(timeout=0.002)
            except queue.Empty:
                return found


class SearchRefresher:
    """Re-index search in a background thread once edits have settled; one run at a time.
    ``index`` returns whether it changed the index; then ``changed`` is called (open search
    pages are told to search again)."""

    def __init__(self, index: Callable[[], bool], changed: Callable[[], None] = lambda: None,
                 settle: float = SEARCH_SETTLE) -> None:
        self.index = index
        self.changed = changed
        self.settle = settle
        self.due = threading.Event()
        self.last_request = 0.0
        self.stop = threading.Event()
        threading.Thread(target=self._loop, daemon=True).start()

    def request(self) -> None:
        """Ask for a refresh ``settle`` seconds after the latest request."""
        self.last_request = time.monotonic()
        self.due.set()

    def _loop(self) -> None:
        while not self.stop.is_set():
            if not self.due.wait(timeout=0.5):
                continue
            quiet = time.monotonic() - self.last_request
            if quiet < self.settle:
                time.sleep(self.settle - quiet)
                continue
            self.due.clear()
            try:
                if self.index():
                    self.changed()
            except Exception as exc:  # reported, never fatal to the preview
                print(f"search index not refreshed: {exc}", flush=True)


@dataclass(frozen=True)
class Preview:
    """What ``serve`` needs: how to build and index, what to watch, where and how to serve."""

    build: Callable[[list[str]], tuple[bool, str]]  # (changed paths) -> (files written, summary)
    settle: Callable[[], None] | None  # after pages were told to reload: the rest of the work
    index_search: Callable[[], bool] | None  # -> whether the index changed
    root: Path
    base_path: str
    watch_folders: list[Path]
    watch_files: list[Path]
    host: str = "127.0.0.1"
    port: int = 8000
    error: str = ""  # the first build failed: shown over the pages until a rebuild succeeds


def run_preview(preview: Preview, *, echo: Callable[[str], None], failure: type[Exception],
                on_ready: Callable[[str], None] | None = None, stop: threading.Event | None = None) -> None:
    """Serve until ``stop`` is set or Ctrl-C; rebuild on every change. ``failure`` is the
    exception type of a build the user can fix (reported, not fatal)."""
    stop = stop or threading.Event()
    live = LiveState(root=preview.root, base_path=preview.base_path, error=preview.error)
    server, note = bind(preview.host, preview.port, make_handler(live, stop))
    if note:
        echo(note)
    refresher = (SearchRefresher(preview.index_search, lambda: live.publish("search", ""))
                 if preview.index_search else None)
    try:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        threading.Thread(target=_heartbeat, args=(live, stop), daemon=True).start()
        watcher = Watcher(preview.watch_folders, preview.watch_files, stop)
        watcher.start()
        url = f"http://{preview.host}:{server.server_address[1]}{preview.base_path}"
        echo(f"Serving {preview.root.name}/ on {url} (Ctrl-C to stop)")
        if on_ready:
            on_ready(url)
        told = False
        while not stop.is_set():
            if watcher.failure and not told:
                echo(f"watching for changes stopped ({watcher.failure}); restart serve to rebuild again")
                told = True
            try:
                changed = watcher.wait(timeout=0.25)
            except queue.Empty:
                continue
            _rebuild(preview, live, refresher, echo, failure, sorted(changed))
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        stop.set()
        if refresher:
            refresher.stop.set()
        server.shutdown()
        server.server_close()
        live.hub.close()


def _heartbeat(live: LiveState, stop: threading.Event) -> None:
    """Keep the open pages' event streams alive until ``stop``."""
    while not stop.wait(HEARTBEAT):
        live.heartbeat()


def _rebuild(preview: Preview, live: LiveState, refresher: SearchRefresher | None,
             echo: Callable[[str], None], failure: type[Exception], changed: list[str]) -> None:
    started = time.perf_counter()
    names = ", ".join(os.path.basename(p) for p in changed[:3]) + (" ..." if len(changed) > 3 else "")
    try:
        wrote, summary = preview.build(changed)
    except Exception as exc:  # the preview goes on: the last good site stays served
        message = str(exc) if isinstance(exc, failure) else f"internal error: {type(exc).__name__}: {exc}"
        live.error = message
        echo(f"rebuild failed: {message}")
        live.publish("failed", message)
        return
    recovered = bool(live.error)
    live.error = ""
    if wrote or recovered:
        live.publish("reload", f"{time.perf_counter() - started:.3f}")
        if refresher and wrote:
            refresher.request()
    if preview.settle:
        try:
            preview.settle()
        except Exception as exc:  # a cache that could not be written only costs time later
            echo(f"build cache not saved: {exc}")
    echo(f"{names}: {summary}")
