"""``papershelf init``'s Makefile installs papershelf from where the running one came from
(PEP 610 ``direct_url.json``), so a new site builds on a fresh machine without edits."""

from __future__ import annotations

import subprocess

import pytest

from generator import __version__, scaffold


@pytest.mark.parametrize(("origin", "requirement"), [
    ({"url": "https://github.com/you/papershelf", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
     "papershelf @ git+https://github.com/you/papershelf@abc123"),
    ({"url": "https://example.org/papershelf-0.1.0-py3-none-any.whl",
      "archive_info": {"hashes": {"sha256": "00"}}},
     "papershelf @ https://example.org/papershelf-0.1.0-py3-none-any.whl"),
    ({"url": "file:///home/me/papershelf", "dir_info": {"editable": True}},
     "papershelf @ file:///home/me/papershelf"),
    ({"url": "https://github.com/you/mono", "vcs_info": {"vcs": "git", "commit_id": "f00"},
      "subdirectory": "tools/papershelf"},
     "papershelf @ git+https://github.com/you/mono@f00#subdirectory=tools/papershelf"),
    ({}, None),
    ({"dir_info": {}}, None),
])
def test_requirement_from_direct_url(origin, requirement):
    assert scaffold.requirement_from(origin) == requirement


def test_without_a_recorded_origin_the_released_version(monkeypatch):
    monkeypatch.setattr(scaffold.importlib.metadata, "distribution",
                        lambda name: (_ for _ in ()).throw(scaffold.importlib.metadata.PackageNotFoundError))
    assert scaffold.install_requirement() == f"papershelf=={__version__}"


def test_the_makefile_gives_pip_the_requirement_unchanged(tmp_path, monkeypatch):
    """``#`` and ``$`` in a URL would be a comment and a variable in make."""
    odd = "papershelf @ git+https://host/a$b@c1#subdirectory=x"
    monkeypatch.setattr(scaffold, "install_requirement", lambda: odd)
    scaffold.create_site(tmp_path / "site", title="t")
    shown = subprocess.run(["make", "-s", "-C", str(tmp_path / "site"), "--eval",
                            "show: ; @printf '%s\\n' '$(PAPERSHELF)'", "show"],
                           capture_output=True, text=True, check=True).stdout
    assert shown == odd + "\n"
