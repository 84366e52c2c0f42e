"""The preview's loop with a stand-in builder: a change is rebuilt and pages reload; a failed
rebuild is one line, shown over the pages, and the server goes on until a good build."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.request import urlopen

from generator.core.errors import EntryError
from generator.preview.server import Preview, run_preview

PAGE = "<!DOCTYPE html><html><body><p>hello</p></body></html>\n"


class Builder:
    """Fails while ``broken`` is set; counts the cache writes asked for."""

    def __init__(self) -> None:
        self.broken: EntryError | None = None
        self.settled = 0
        self.calls: list[list[str]] = []

    def __call__(self, changed: list[str]) -> tuple[bool, str]:
        self.calls.append(changed)
        if self.broken:
            raise self.broken
        return True, "1 files written"

    def settle(self) -> None:
        self.settled += 1


def wait_for(lines: list[str], count: int, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(lines) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(lines) >= count, lines
    return lines


def test_a_failed_rebuild_is_one_line_and_the_preview_goes_on(tmp_path: Path):
    out, papers = tmp_path / "_site", tmp_path / "content" / "papers"
    out.mkdir()
    papers.mkdir(parents=True)
    (out / "index.html").write_text(PAGE)
    (tmp_path / "site.yaml").write_text("title: t\n")
    (papers / "a.md").write_text("---\nstatus: read\n---\n")
    builder, lines, stop = Builder(), [], threading.Event()
    preview = Preview(build=builder, settle=builder.settle, index_search=None, root=out, base_path="/",
                      watch_folders=[tmp_path / "content"], watch_files=[tmp_path / "site.yaml"],
                      port=0)
    thread = threading.Thread(target=run_preview, args=(preview,), daemon=True,
                              kwargs={"echo": lines.append, "failure": EntryError, "stop": stop})
    thread.start()
    try:
        url = wait_for(lines, 1)[0].split(" on ", 1)[1].split(" ", 1)[0]
        time.sleep(0.5)  # (the watcher starts in the background)
        builder.broken = EntryError("unknown status", path="a.md", line=3)
        (papers / "a.md").write_text("---\nstatus: [oops\n---\n")
        assert wait_for(lines, 2)[1:] == ["rebuild failed: a.md:3: unknown status"]
        assert builder.calls[-1] == [str(papers / "a.md")] and builder.settled == 0
        page = urlopen(url).read().decode()
        assert "papershelf-error" in page and "a.md:3: unknown status" in page and "hello" in page

        builder.broken = None
        (papers / "a.md").write_text("---\nstatus: read\n---\n")
        assert wait_for(lines, 3)[2:] == ["a.md: 1 files written"]
        assert builder.settled == 1
        assert "papershelf-error" not in urlopen(url).read().decode()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
