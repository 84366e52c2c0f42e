"""Edits saved while ``import`` rewrites the same entries are never lost.

Another process plays the curator: it appends lines to the notes of random entries as fast
as it can, most in one write, some as an editor that saves in place in two writes
(truncate, then write; like an editor, it saves over the file it read, and reads again
when the file was replaced since), while imports update every one of those entries, round after round.
Afterwards every edit it made is in its file, and every import added its source.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from generator.core.entries import Entry, read_entry
from generator.core.library import save_entry

from ..conftest import run

PAPERS = 120
ROUNDS = 6

CURATOR = textwrap.dedent("""
    import json, os, random, sys, time
    from pathlib import Path
    folder, stop, log = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    paths = sorted(folder.glob("*.md"))
    rng = random.Random(7)
    done = []
    i = 0
    while not stop.exists():
        path = rng.choice(paths)
        line = f"edit {i}\\n".encode()
        if i % 5 == 0:  # an editor that saves in place in two writes
            with path.open("r+b") as handle:
                data = handle.read() + line
                if os.stat(path).st_ino != os.fstat(handle.fileno()).st_ino:
                    continue  # replaced since it was opened: "changed on disk", read it again
                handle.seek(0)
                handle.truncate(0)
                handle.write(data[:len(data) // 2])
                handle.flush()
                time.sleep(0.001)
                handle.write(data[len(data) // 2:])
        else:
            with path.open("ab") as handle:
                handle.write(line)
        done.append([path.name, line.decode()])
        i += 1
        time.sleep(0.0005)
    log.write_text(json.dumps(done))
""")


def abstract(number: int) -> str:
    return (f"Paper number {number} studies concurrent edits of a reading list; its abstract is long enough "
            f"to be recognised as itself and nothing else, token {number * 7919}.")


def listing(folder: Path, name: str) -> Path:
    """An arXiv listing of every paper, in the shape arXiv pages are copied in."""
    blocks = [f"{abstract(n)}\n\narXiv:2401.{n:05d}\nCreated: 2024-01-{n % 28 + 1:02d}\n"
              for n in range(PAPERS)]
    path = folder / name
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def test_no_edit_is_lost_while_imports_update_the_same_entries(site, tmp_path):
    papers = site / "content" / "papers"
    for n in range(PAPERS):
        save_entry(papers, Entry(f"paper-{n:03d}", {"title": f"Paper {n}", "abstract": abstract(n)},
                                 "Notes.\n"))
    stop, log = tmp_path / "stop", tmp_path / "log.json"
    curator = subprocess.Popen([sys.executable, "-c", CURATOR, str(papers), str(stop), str(log)])
    try:
        time.sleep(0.2)
        for round_ in range(ROUNDS):
            result = run(site, "import", str(listing(tmp_path, f"round-{round_}.txt")))
            assert result.exit_code == 0, result.output
            assert f"{PAPERS} updated" in result.output, result.output
    finally:
        stop.touch()
        curator.wait(timeout=30)
    edits = json.loads(log.read_text())
    assert len(edits) > 500, "the curator made too few edits for the test to mean anything"
    texts = {path.name: path.read_text(encoding="utf-8") for path in papers.glob("*.md")}
    lost = [(name, line) for name, line in edits if line not in texts[name]]
    assert lost == [], f"{len(lost)} of {len(edits)} edits lost"
    for path in papers.glob("*.md"):
        entry = read_entry(path)
        assert entry.get("sources") == [f"round-{r}.txt" for r in range(ROUNDS)], path.name
        assert entry.get("arxiv") == f"2401.{int(path.stem[-3:]):05d}"
