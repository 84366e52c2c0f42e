"""What the Pages workflow relies on: ``.papershelf-cache/`` and ``_site/`` restored into a
fresh checkout at the same path make the next build incremental; restored elsewhere, or made
by another papershelf version, they are not trusted and the build is a full one.

A fresh checkout is simulated as a runner sees it: the same bytes in new files (new
modification and change times), the two folders unpacked from a tar archive as
``actions/cache`` keeps them.
"""

from __future__ import annotations

import re
import shutil
import tarfile
from pathlib import Path

import pytest

from generator.build import cache as buildstate
from tests.conftest import build_demo, make_site, run, snapshot

FOLDERS = (".papershelf-cache", "_site")
NOTE = "deepseekmoe-towards-ultimate-expert-specialization-in-mixture-of-experts.md"


@pytest.fixture
def deployed(tmp_path: Path) -> tuple[Path, Path]:
    """A built site at ``tmp_path/repo/site`` and the cache archive of that build."""
    site = make_site(tmp_path / "repo" / "site")
    build_demo(site, "--no-search")
    archive = tmp_path / "cache.tar"
    with tarfile.open(archive, "w") as tar:
        for name in FOLDERS:
            tar.add(site / name, name)
    return site, archive


def fresh_checkout(site: Path, dest: Path, archive: Path) -> Path:
    """``site``'s sources copied to ``dest`` as new files, then the cache archive unpacked."""
    staged = dest.with_name(dest.name + "-src")
    shutil.copytree(site, staged, copy_function=shutil.copyfile,
                    ignore=shutil.ignore_patterns(*FOLDERS))
    shutil.rmtree(site, ignore_errors=True) if dest == site else None
    staged.rename(dest)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="tar")
    return dest


def written(output: str) -> tuple[int, int]:
    match = re.search(r"(\d+) files? written, \d+ deleted, (\d+) unchanged", output)
    assert match, output
    return int(match[1]), int(match[2])


def test_a_restore_at_the_same_path_builds_only_the_changed_note(deployed):
    site, archive = deployed
    fresh_checkout(site, site, archive)
    with open(site / "content" / "papers" / NOTE, "a", encoding="utf-8") as f:
        f.write("\nRead again.\n")
    result = run(site, "build", "--no-search")
    assert result.exit_code == 0, result.output
    changed, unchanged = written(result.output)
    assert changed <= 3 and unchanged > 60, result.output  # its page and a few site-wide files
    rebuilt = snapshot(site / "_site")
    assert run(site, "build", "--no-search", "--clean").exit_code == 0
    assert snapshot(site / "_site") == rebuilt, "the incremental build gives a clean build's bytes"


def test_a_restore_at_another_path_is_a_full_build(deployed, tmp_path):
    """The cache is keyed by the output folder's absolute path: another checkout folder
    does not reuse it (the workflow's runner checks out at the same path every run)."""
    site, archive = deployed
    other = fresh_checkout(site, tmp_path / "elsewhere", archive)
    result = run(other, "build", "--no-search")
    assert result.exit_code == 0, result.output
    assert written(result.output)[1] == 0, result.output


def test_a_cache_of_another_papershelf_version_is_refused(deployed, monkeypatch):
    site, archive = deployed
    fresh_checkout(site, site, archive)
    monkeypatch.setattr(buildstate, "__version__", "0.0.0+other")
    result = run(site, "build", "--no-search")
    assert result.exit_code == 0, result.output
    assert written(result.output)[1] == 0, result.output


def test_a_new_virtual_environment_with_the_same_renderers_reuses_the_cache(deployed):
    """A runner installs Markdown, Jinja and the rest anew each run: same versions, new files.
    The outputs must not all count as stale then (they would be rendered again, if not written)."""
    import os

    import markdown
    from click.testing import CliRunner

    from generator.cli import cli
    from tests.conftest import EPOCH

    site, archive = deployed
    fresh_checkout(site, site, archive)
    init = Path(markdown.__file__)
    st = init.stat()
    os.utime(init, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # as a new install: new times
    try:
        result = CliRunner().invoke(cli, ["--debug", "build", "--site", str(site), "--no-search"],
                                    env={"SOURCE_DATE_EPOCH": EPOCH}, catch_exceptions=False)
    finally:
        os.utime(init, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert result.exit_code == 0, result.output
    stale = re.search(r"compared \((\d+) stale\)", result.output)
    assert stale and int(stale[1]) == 0, result.output
