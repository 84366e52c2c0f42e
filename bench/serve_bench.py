"""The preview servers: from an entry file saved to the reload message, and the servers' memory.

Both servers run side by side (papershelf ``serve --no-search``, ``hugo server``); after
one unmeasured warm-up edit each, every pair saves a note on each side (atomic replace)
and times the reload message on papershelf's event stream / Hugo's livereload websocket.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .measure import Listener, LiveReloadListener, Server, SseListener, free_port
from .report import Row, log
from .size_bench import TARGETS

if TYPE_CHECKING:
    from .size_bench import SizeBench


def serve(bench: SizeBench) -> list[Row]:
    """The serve latency row and the serve memory row."""
    latency = Row("serve: save to reload message", "s", target="≤ 0.2 s",
                  judge=lambda a, b: a <= TARGETS["serve"])
    rss = Row("serve: peak RSS (wait4)", "MB")
    if bench.args.no_serve:
        latency.note = rss.note = "skipped: --no-serve"
        return [latency, rss]
    if not bench.tools.has_serve():
        latency.note = rss.note = "missing: this papershelf has no serve command"
        return [latency, rss]
    log(f"N={bench.n}: starting papershelf serve and hugo server")
    ps_port, hugo_port = free_port(), free_port()
    ready_timeout = 120 + bench.n / 20
    ps_server = Server([bench.tools.papershelf, "serve", "--site", str(bench.sites.papershelf),
                        "--port", str(ps_port), "--no-search"], f"http://127.0.0.1:{ps_port}/",
                       env=bench.tools.env)
    hugo_server = None
    listeners: list[Listener] = []
    try:
        ps_server.wait_ready(ready_timeout)
        hugo_server = Server([bench.tools.hugo, "server", "--source", str(bench.sites.hugo),
                              "--bind", "127.0.0.1", "--port", str(hugo_port)],
                             "Web Server is available at", env=bench.tools.env)
        hugo_server.wait_ready(ready_timeout)
        listeners = [SseListener(ps_port), LiveReloadListener(hugo_port)]
        time_saves(bench, latency, *listeners)
    except Exception as exc:  # a server that does not start: the row says why, the bench goes on
        latency.note = f"failed: {str(exc).splitlines()[0][:160]}"
    finally:
        for listener in listeners:
            listener.close()
        ps_server.stop()
        if hugo_server is not None:
            hugo_server.stop()
    rss.a.append(ps_server.maxrss or None)
    rss.b.append(hugo_server.maxrss or None if hugo_server else None)
    return [latency, rss]


def time_saves(bench: SizeBench, latency: Row, ps_events: Listener, hugo_events: Listener) -> None:
    """Save a note on each side per pair (after a warm-up) and time its reload message."""
    time.sleep(bench.args.settle)
    sides = (("papershelf", ps_events, latency.a), ("hugo", hugo_events, latency.b))
    missed = {"papershelf": 0, "hugo": 0}
    for pair in range(-1, bench.pairs):  # pair -1: the warm-up edit, not counted
        which = "warm-up" if pair < 0 else f"pair {pair + 1}/{bench.pairs}"
        bench.pair(f"serve edit, {which}")
        for side, events, values in sides:
            slug = bench.sites.slugs[(pair * 53 + 29) % len(bench.sites.slugs)]
            events.drain()
            bench.sites.edit(side, slug, f"Edited in serve pair {pair + 1}.")
            saved = time.perf_counter()
            got = events.wait(bench.args.timeout)
            if pair >= 0:
                values.append(got[0] - saved if got else None)
                missed[side] += got is None
            time.sleep(bench.args.settle)
    if any(missed.values()):
        latency.note = "no reload within {:g} s: {}".format(
            bench.args.timeout, ", ".join(f"{k} {v}x" for k, v in missed.items() if v))
