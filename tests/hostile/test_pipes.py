"""A reader that closes the pipe early (``papershelf check | head -1``) stops papershelf quietly,
as it stops any Unix tool, instead of an internal error."""

from __future__ import annotations

import subprocess
import sys


def test_a_closed_pipe_stops_check_quietly(site):
    papers = site / "content" / "papers"
    for n in range(3000):
        (papers / f"x{n}.md").write_text(f"---\ntitle: Paper {n}\nstatus: nope\n---\n")
    check = subprocess.Popen([sys.executable, "-c", "from generator.cli import main; main()",
                              "check", "--site", str(site)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = check.stdout.readline()
    check.stdout.close()  # what `head -1` does after its line
    err = check.stderr.read().decode()
    code = check.wait(timeout=60)
    assert b"unknown status 'nope'" in first
    assert "internal error" not in err and "Traceback" not in err, err
    assert code == 141
