"""``import``, ``resolve`` and ``add`` take turns over content/papers/: one holds the site's lock,
a second waits, saying once for which process, and then runs on what the first wrote."""

from __future__ import annotations

import select
import time

from tests.conftest import seed_paths

from .test_build_safety import lock_held_elsewhere, papershelf


def test_an_import_waits_for_the_holder_of_the_entries_and_says_for_whom(site):
    with lock_held_elsewhere(site, "site_lock(site)") as holder:
        second = papershelf(site, "import", *map(str, seed_paths(site)))
        said = _first_line(second, timeout=60)  # however long a busy machine takes to start it
        time.sleep(0.5)
        assert second.poll() is None  # waiting, nothing written yet
        assert not list((site / "content" / "papers").glob("*.md"))
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert said == f"waiting for process {holder.pid}, which is writing entries of {site}"
    assert "24 new" in out


def _first_line(process, timeout: float) -> str:
    """The first line ``process`` writes to its standard error, within ``timeout`` seconds."""
    ready, _, _ = select.select([process.stderr], [], [], timeout)
    assert ready, "the command said nothing"
    return process.stderr.readline().rstrip("\n")


def test_a_dry_run_does_not_wait(site):
    with lock_held_elsewhere(site, "site_lock(site)"):
        dry = papershelf(site, "import", "--dry-run", *map(str, seed_paths(site)))
        out, err = dry.communicate(timeout=60)
    assert dry.returncode == 0, err
    assert "waiting" not in err and "dry run" in out
