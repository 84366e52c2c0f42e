"""``import``, ``resolve`` and ``add`` take turns over content/papers/: one holds the site's lock,
a second waits, saying once for which process, and then runs on what the first wrote."""

from __future__ import annotations

import time

from tests.conftest import seed_paths

from .test_build_safety import lock_held_elsewhere, papershelf


def test_an_import_waits_for_the_holder_of_the_entries_and_says_for_whom(site):
    with lock_held_elsewhere(site, "site_lock(site)") as holder:
        second = papershelf(site, "import", *map(str, seed_paths(site)))
        time.sleep(1.5)
        assert second.poll() is None  # waiting, nothing written yet
        assert not list((site / "content" / "papers").glob("*.md"))
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert f"waiting for process {holder.pid}, which is writing entries of {site}" in err
    assert "24 new" in out


def test_a_dry_run_does_not_wait(site):
    with lock_held_elsewhere(site, "site_lock(site)"):
        dry = papershelf(site, "import", "--dry-run", *map(str, seed_paths(site)))
        out, err = dry.communicate(timeout=60)
    assert dry.returncode == 0, err
    assert "waiting" not in err and "dry run" in out
