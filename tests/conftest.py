"""Shared fixtures: a fresh site in tmp_path holding the repository's config and seed dumps."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "content" / "sources"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = dt.date(2026, 11, 22)
EPOCH = str(int(dt.datetime(2026, 11, 22, 12, tzinfo=dt.timezone.utc).timestamp()))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty site: the repository's site.yaml, the seed dumps, no entries yet."""
    root = tmp_path / "site"
    (root / "content" / "papers").mkdir(parents=True)
    shutil.copytree(SEEDS, root / "content" / "sources")
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    return root


def seed_paths(root: Path) -> list[Path]:
    """The seed dumps inside a test site, in the order the shell's glob gives them."""
    return sorted((root / "content" / "sources").iterdir())


def run(root: Path, *args: str) -> Result:
    """Run the CLI in-process against ``root`` with a fixed 'today'."""
    runner = CliRunner()
    return runner.invoke(cli, [*args[:1], "--site", str(root), *args[1:]],
                         env={"SOURCE_DATE_EPOCH": EPOCH}, catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
