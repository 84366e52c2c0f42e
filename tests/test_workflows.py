"""The GitHub Pages workflow (this repository's and the one ``init`` writes): a real workflow
linter passes both, and the steps the README's "Publish on GitHub Pages" promises are there,
read from the parsed YAML. Why: a workflow only runs on GitHub, so nothing else here would
notice a wrong input, an outdated action or a cache that is restored but never saved.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.core.config import CACHE_DIR
from tests.conftest import ROOT

WORKFLOWS = [ROOT / ".github" / "workflows" / "pages.yml", ROOT / "generator" / "skeleton" / "pages.yml"]
ACTIONLINT = Path(sys.executable).parent / "actionlint"
# The current major version of each action, from its repository's releases (README: the table).
CURRENT = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "actions/configure-pages": "v6",
    "actions/cache/restore": "v6",
    "actions/cache/save": "v6",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
}


def actionlint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(ACTIONLINT), "-no-color", *map(str, paths)], capture_output=True, text=True)


def test_actionlint_passes_both_workflows():
    done = actionlint(*WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The linter does read the files: a cache save without its key, or an action on a
    retired runtime, is reported."""
    text = WORKFLOWS[0].read_text()
    keyless = tmp_path / "keyless.yml"
    save_key = "          key: ${{ steps.build-cache.outputs.cache-primary-key }}\n"
    keyless.write_text(text.replace(save_key, ""))
    old = tmp_path / "old.yml"
    old.write_text(text.replace("actions/checkout@v7", "actions/checkout@v4"))
    for broken, says in ((keyless, 'missing input "key"'), (old, "node20")):
        done = actionlint(broken)
        assert done.returncode == 1 and says in done.stdout, done.stdout


def _steps(path: Path) -> tuple[dict, list[dict]]:
    flow = yaml.safe_load(path.read_text())
    return flow, flow["jobs"]["build"]["steps"]


def _index(steps: list[dict], action: str) -> int:
    (found,) = [i for i, s in enumerate(steps) if s.get("uses", "").split("@")[0] == action]
    return found


@pytest.mark.parametrize("path", WORKFLOWS, ids=["repository", "init"])
def test_current_action_versions(path):
    flow, _ = _steps(path)
    used = [s["uses"] for job in flow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert sorted(used) == sorted(f"{a}@{v}" for a, v in CURRENT.items())


@pytest.mark.parametrize("path", WORKFLOWS, ids=["repository", "init"])
def test_the_build_cache_is_restored_before_the_build_and_saved_after(path):
    """Hugo's convention: restore the newest cache by prefix, save a new one under a run-unique
    key; the key names the Python and what decides the papershelf version."""
    _, steps = _steps(path)
    build = next(i for i, s in enumerate(steps) if "make build" in s.get("run", ""))
    restore, save = steps[_index(steps, "actions/cache/restore")], steps[_index(steps, "actions/cache/save")]
    assert _index(steps, "actions/cache/restore") < build < _index(steps, "actions/cache/save")
    assert build < _index(steps, "actions/upload-pages-artifact")
    folders = {CACHE_DIR, "_site"}
    assert set(restore["with"]["path"].split()) == folders == set(save["with"]["path"].split())
    key = restore["with"]["key"]
    assert key.endswith("-${{ github.run_id }}")
    assert restore["with"]["restore-keys"].strip() == key.removesuffix("${{ github.run_id }}")
    assert "${{ steps.python.outputs.python-version }}" in key and "hashFiles('Makefile'" in key
    assert save["with"]["key"] == f"${{{{ steps.{restore['id']}.outputs.cache-primary-key }}}}"
    python = steps[_index(steps, "actions/setup-python")]
    assert python["id"] == "python" and python["with"]["cache"] == "pip"
    assert "Makefile" in python["with"]["cache-dependency-path"].split()


@pytest.mark.parametrize("path", WORKFLOWS, ids=["repository", "init"])
def test_the_site_is_built_with_the_pages_address_and_deployed(path):
    flow, steps = _steps(path)
    pages = steps[_index(steps, "actions/configure-pages")]
    (build,) = [s for s in steps if "make build" in s.get("run", "")]
    assert f"${{{{ steps.{pages['id']}.outputs.base_url }}}}/" in build["run"]
    assert steps[_index(steps, "actions/upload-pages-artifact")]["with"]["path"] == "_site"
    assert flow["jobs"]["deploy"]["needs"] == "build"
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_the_readme_lists_the_actions_the_workflow_uses():
    section = ROOT.joinpath("README.md").read_text().split("## Publish on GitHub Pages")[1].split("\n## ")[0]
    listed = dict(re.findall(r"`(actions/[\w/-]+)@(v\d+)`", section))
    assert listed == CURRENT
