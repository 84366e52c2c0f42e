"""``import``, ``resolve`` and ``add`` take turns over content/papers/: one holds the site's lock,
a second waits, saying once for which process, and then runs on what the first wrote."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import seed_paths

from .test_build_safety import papershelf


@contextlib.contextmanager
def entries_lock_held_elsewhere(site: Path):
    """Another process holding ``site``'s entries lock; yields it."""
    code = ("import sys, time; from pathlib import Path; from generator.locks import site_lock\n"
            "with site_lock(Path(sys.argv[1])):\n"
            "    print('held', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(site)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_an_import_waits_for_the_holder_of_the_entries_and_says_for_whom(site):
    with entries_lock_held_elsewhere(site) as holder:
        second = papershelf(site, "import", *map(str, seed_paths(site)))
        time.sleep(1.5)
        assert second.poll() is None  # waiting, nothing written yet
        assert not list((site / "content" / "papers").glob("*.md"))
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert f"waiting for process {holder.pid}, which is writing entries of {site}" in err
    assert "24 new" in out


def test_a_dry_run_does_not_wait(site):
    with entries_lock_held_elsewhere(site):
        dry = papershelf(site, "import", "--dry-run", *map(str, seed_paths(site)))
        out, err = dry.communicate(timeout=60)
    assert dry.returncode == 0, err
    assert "waiting" not in err and "dry run" in out
