"""How ``build`` reads entries: never through a link, even one made while ``serve`` runs, and an
unreadable entry is one error line with its path (exit 1), not an internal error."""

from __future__ import annotations

import errno
import os

from generator.core import entries
from tests.conftest import build_demo, run

from .test_build_safety import one_error_line, serve_like, serve_rebuild


def test_a_link_made_while_serve_runs_is_not_published(site, tmp_path):
    assert run(site, "import", *map(str, sorted((site / "content" / "sources").iterdir()))).exit_code == 0
    options, state = serve_like(site)  # a first build: serve then rescans only the changed files
    assert state.records
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: Secret outside the site\ndate: 2024-01-01\n---\nPrivate.\n")
    link = site / "content" / "papers" / "leak.md"
    link.symlink_to(outside)
    serve_rebuild(site, options, state, [link])
    assert not (site / "_site" / "papers" / "leak").exists()
    assert "Secret outside the site" not in (site / "_site" / "papers.json").read_text()


def test_an_entry_swapped_for_a_link_after_the_scan_is_refused(site, tmp_path, monkeypatch):
    """Between listing the folder and reading a file, the file may become a link: the read
    itself refuses links (O_NOFOLLOW), with one line naming the entry."""
    build_demo(site, "--no-search")
    victim = sorted((site / "content" / "papers").glob("*.md"))[0]
    outside = tmp_path / "secret.md"
    outside.write_text(victim.read_text() + "\nSecret notes.\n")
    real_read = entries.read_bytes

    def swap_then_read(path):
        if path.name == victim.name and not path.is_symlink():
            path.unlink()
            path.symlink_to(outside)
        return real_read(path)

    monkeypatch.setattr(entries, "read_bytes", swap_then_read)
    monkeypatch.setattr("generator.build.scan.read_bytes", swap_then_read)
    os.utime(victim, ns=(1, 1))  # a changed file key: the build reads it again
    result = run(site, "build", "--no-search", "--jobs", "1")
    line = one_error_line(result)
    assert victim.name in line and "symbolic link" in line
    assert "Secret notes" not in (site / "_site" / "papers.json").read_text()


def test_an_unreadable_entry_is_one_line_in_build(site, monkeypatch):
    build_demo(site, "--no-search")
    victim = sorted((site / "content" / "papers").glob("*.md"))[0]
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if os.fspath(path).endswith(victim.name):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    os.utime(victim, ns=(1, 1))
    result = run(site, "build", "--no-search", "--jobs", "1")
    line = one_error_line(result)
    assert victim.name in line and "cannot read" in line
