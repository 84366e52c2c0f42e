"""Measuring processes: wall time and rusage of a child, RSS of its process tree, reload events.

Times are wall clock around the child's whole life (fork to reaped), peak RSS
is the kernel's ``ru_maxrss`` from ``wait4``: the largest single process among
the child and the descendants it waited for, not a sum. The optional sampler
adds up RSS and PSS of the whole tree from /proc every few milliseconds, which
is what forked workers (sharing copy-on-write pages) really cost.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024
GB = 1024 * MB


@dataclass
class Run:
    """One finished child process."""

    seconds: float
    maxrss: int  # bytes, ru_maxrss of wait4: the largest single process of the tree
    status: int
    stdout: str
    stderr: str
    tree_rss: int = 0  # bytes, the largest sampled sum of RSS over the process tree
    tree_pss: int = 0  # bytes, the same for PSS (shared pages divided among their users)
    failure: str = ""  # why the bench stopped it ("over 12 GB", "over the 1800 s limit"), or ""

    def check(self, what: str) -> Run:
        """Raise when the child failed, with the tail of what it said."""
        if self.failure:
            raise RuntimeError(f"{what} failed: {self.failure}")
        if self.status != 0:
            tail = (self.stderr.strip() or self.stdout.strip()).splitlines()[-5:]
            raise RuntimeError(f"{what} failed (exit {self.status}): " + " | ".join(tail))
        return self


def run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        sample: bool = False, timeout: float = 3600, cap: int | None = None, watch: bool = False,
        pss_every: float = 0.0) -> Run:
    """Run ``cmd`` to the end; time it, reap it with wait4 and, if asked, sample its tree's memory.

    ``sample`` samples RSS and PSS of the process tree every 20 ms; ``watch`` only its RSS, every
    0.1 s (cheap enough for a run of many GB); ``pss_every`` both, every that many seconds (for a
    long run, where every 20 ms would cost it time). Past ``timeout`` seconds, or once the summed RSS of
    the tree goes over ``cap`` bytes, the whole tree is killed and ``Run.failure`` says why.
    Files earlier runs wrote are flushed to disk first, untimed (``os.sync``): otherwise the
    kernel's writeback of one run's thousands of files lands in the next run's time.
    """
    os.sync()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)  # its own process group: killed as a whole
        stopper = Stopper(proc.pid, timeout)
        sampler = None
        if sample or watch or cap or pss_every:  # PSS only when asked: reading smaps costs CPU time
            interval = pss_every or (0.02 if sample else 0.1)
            sampler = TreeSampler(proc.pid, interval=interval, cap=cap, stopper=stopper,
                                  pss=bool(sample or pss_every))
        if sampler:
            sampler.start()
        stopper.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            stopper.cancel()
            stopper.kill_rest()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
        if sampler:
            sampler.stop()
        out.seek(0)
        err.seek(0)
        return Run(seconds=seconds, maxrss=usage.ru_maxrss * 1024, status=proc.returncode,
                   stdout=out.read().decode("utf-8", "replace"), stderr=err.read().decode("utf-8", "replace"),
                   tree_rss=sampler.peak_rss if sampler else 0, tree_pss=sampler.peak_pss if sampler else 0,
                   failure=stopper.reason or _killed(proc.returncode))


def _killed(code: int) -> str:
    """What a child's death by SIGKILL most likely means when the bench did not send it."""
    return "killed (SIGKILL: out of memory?)" if code == -9 else ""


class Stopper(threading.Thread):
    """Kills a process group after ``timeout`` seconds, or when asked (``stop``), saying why."""

    def __init__(self, pid: int, timeout: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.timeout = pid, timeout
        self.reason = ""
        self._cancel = threading.Event()

    def run(self) -> None:
        if not self._cancel.wait(self.timeout):
            self.stop(f"over the {self.timeout:g} s limit")

    def stop(self, reason: str) -> None:
        """Kill the whole group now (once), remembering why."""
        if not self.reason:
            self.reason = reason
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)

    def cancel(self) -> None:
        self._cancel.set()

    def kill_rest(self) -> None:
        """After a stop, make sure no straggler of the group (a grandchild) lives on."""
        if self.reason:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)


class TreeSampler(threading.Thread):
    """Peak summed RSS and PSS of a process and all its descendants, read from /proc."""

    def __init__(self, pid: int, interval: float = 0.02, cap: int | None = None,
                 stopper: Stopper | None = None, pss: bool = True) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.cap, self.stopper, self.pss = pid, interval, cap, stopper, pss
        self.peak_rss = self.peak_pss = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss = pss = 0
            for pid in tree(self.pid):
                rss += _rss(pid)
                pss += _pss(pid) if self.pss else 0
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            if self.cap and rss > self.cap and self.stopper is not None:
                self.stopper.stop(f"over {gb(self.cap)} (process tree RSS {gb(rss)} when stopped)")
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._stop_event.set()
        self.join()


def gb(size: int) -> str:
    """A size in GB for a message, e.g. "12 GB" or "1.5 GB"."""
    return f"{size / 1024 ** 3:.3g} GB"


def tree(pid: int) -> list[int]:
    """``pid`` and its living descendants (via /proc/PID/task/TID/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def cpu_busy(interval: float = 1.0) -> float:
    """The share of all CPUs that was busy (not idle, not waiting for I/O) over ``interval`` seconds."""
    def read() -> tuple[int, int]:
        with open("/proc/stat") as handle:
            fields = [int(x) for x in handle.readline().split()[1:9]]
        return fields[3] + fields[4], sum(fields)

    idle0, total0 = read()
    time.sleep(interval)
    idle1, total1 = read()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_for_idle(limit: float, busy: float = 0.15) -> bool:
    """Wait until the CPUs are (nearly) idle, at most ``limit`` seconds; False when they never were."""
    deadline = time.monotonic() + limit
    while True:
        if cpu_busy() <= busy:
            return True
        if time.monotonic() >= deadline:
            return False


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----- long-running servers ------------------------------------------------------------------------


class Server:
    """A server process whose output is watched for a line saying it is ready."""

    def __init__(self, cmd: list[str], ready: str, *, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.cmd, self.ready_text = cmd, ready
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.maxrss = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            self.lines.append(line)
            if self.ready_text in line:
                self._ready.set()
        self._ready.set()  # the output ended: stop waiting

    def wait_ready(self, timeout: float) -> None:
        """Wait for the ready line; raise with the server's last words if it died or took too long."""
        if not self._ready.wait(timeout) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError(f"{self.cmd[0]} did not get ready: " + " | ".join(self.lines[-5:]))

    def stop(self, grace: float = 10) -> None:
        """Ctrl-C, then kill after ``grace`` seconds; keeps the peak RSS from wait4."""
        if self.proc.returncode is not None:
            return
        self.proc.send_signal(2)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                self.maxrss = usage.ru_maxrss * 1024
                return
            time.sleep(0.05)
        self.proc.kill()
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.maxrss = usage.ru_maxrss * 1024


class Listener(threading.Thread):
    """Reads a reload channel in the background and queues (arrival time, message) per reload."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.events: queue.Queue[tuple[float, str]] = queue.Queue()
        self.sock: socket.socket | None = None

    def drain(self) -> None:
        """Forget reloads that arrived so far."""
        while not self.events.empty():
            self.events.get_nowait()

    def wait(self, timeout: float) -> tuple[float, str] | None:
        """The next reload (time, message), or None after ``timeout`` seconds."""
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        """Close the connection (the thread ends with it)."""
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)
            self.sock.close()


class SseListener(Listener):
    """papershelf serve's Server-Sent Events stream: one event per ``event: reload`` line."""

    def __init__(self, port: int, path: str = "/__papershelf__/events", timeout: float = 10) -> None:
        super().__init__()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n".encode())
        self.sock.settimeout(None)
        self.start()

    def run(self) -> None:
        assert self.sock is not None
        buffer = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter()
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if line.strip() == b"event: reload":
                    self.events.put((now, "reload"))


class LiveReloadListener(Listener):
    """Hugo's livereload websocket (``/livereload``), spoken over a raw socket: one event per reload."""

    def __init__(self, port: int, timeout: float = 10) -> None:
        super().__init__()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        host = f"127.0.0.1:{port}"
        self.sock.sendall((f"GET /livereload HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\nOrigin: http://{host}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("livereload: connection closed during the handshake")
            head += chunk
        head, self._rest = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"livereload: no websocket upgrade: {head[:80]!r}")
        self._send(json.dumps({"command": "hello",
                               "protocols": ["http://livereload.com/protocols/official-7"]}).encode())
        self.sock.settimeout(None)
        self.start()

    def _send(self, payload: bytes, opcode: int = 1) -> None:
        assert self.sock is not None
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        size = len(payload)
        if size < 126:
            header += bytes([0x80 | size])
        elif size < 1 << 16:
            header += bytes([0x80 | 126]) + size.to_bytes(2, "big")
        else:
            header += bytes([0x80 | 127]) + size.to_bytes(8, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _recv_exact(self, size: int) -> bytes:
        assert self.sock is not None
        while len(self._rest) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self._rest += chunk
        data, self._rest = self._rest[:size], self._rest[size:]
        return data

    def run(self) -> None:
        try:
            while True:
                first, second = self._recv_exact(2)
                opcode, size = first & 0x0F, second & 0x7F
                if size == 126:
                    size = int.from_bytes(self._recv_exact(2), "big")
                elif size == 127:
                    size = int.from_bytes(self._recv_exact(8), "big")
                mask = self._recv_exact(4) if second & 0x80 else b""
                payload = self._recv_exact(size)
                now = time.perf_counter()
                if mask:
                    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                if opcode == 8:
                    return
                if opcode == 9:
                    self._send(payload, opcode=10)
                elif opcode == 1 and b'"reload"' in payload:
                    self.events.put((now, payload.decode("utf-8", "replace")))
        except (OSError, EOFError):
            return
