"""``papershelf init``: a new site that imports and builds, never written over existing files,
whose Makefile installs papershelf from where the running one came from (PEP 610
``direct_url.json``), so a new site builds on a fresh machine without edits."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from generator import __version__, scaffold
from tests.conftest import ROOT, run


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


def test_init_creates_a_working_site(tmp_path):
    from click.testing import CliRunner

    from generator.cli import cli
    target = tmp_path / "new-list"
    result = CliRunner().invoke(cli, ["init", str(target), "--title", 'My "list"'])
    assert result.exit_code == 0, result.output
    assert (target / "site.yaml").is_file() and (target / "content/papers").is_dir()
    shutil.copy(SEED := ROOT / "content/sources/arxiv-listing.txt", target / "content/sources")
    assert run(target, "import", str(SEED)).exit_code == 0
    assert len(list((target / "content/papers").glob("*.md"))) == 10
    again = CliRunner().invoke(cli, ["init", str(target)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_init_never_overwrites_files(tmp_path):
    from click.testing import CliRunner

    from generator.cli import cli
    target = tmp_path / "repo"
    (target / ".github" / "workflows").mkdir(parents=True)
    (target / "Makefile").write_text("all:\n\techo mine\n")
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 1 and "would overwrite Makefile" in result.output
    assert (target / "Makefile").read_text() == "all:\n\techo mine\n"
    assert not (target / "site.yaml").exists()


def test_workflow_is_the_one_init_writes(tmp_path):
    from click.testing import CliRunner

    from generator.cli import cli
    assert CliRunner().invoke(cli, ["init", str(tmp_path / "new")]).exit_code == 0
    written = (tmp_path / "new" / ".github" / "workflows" / "pages.yml").read_text()
    assert written == (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    for action in ("actions/checkout", "actions/setup-python", "actions/configure-pages",
                   "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert f"uses: {action}@" in written
    assert "make build BASE_URL=" in written
