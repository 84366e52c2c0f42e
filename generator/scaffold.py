"""``papershelf init``: the files of a new, empty reading-list site."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

from generator import __version__
from generator.core.config import CONFIG_NAME
from generator.core.errors import ConfigError
from generator.core.library import write_atomic

SKELETON = Path(__file__).parent / "skeleton"

# target path in the new site -> skeleton file
FILES = {
    CONFIG_NAME: "site.yaml",
    ".gitignore": "gitignore",
    "Makefile": "Makefile",
    ".github/workflows/pages.yml": "pages.yml",
}
FOLDERS = ("content/sources", "content/papers")


def create_site(directory: Path, *, title: str) -> list[Path]:
    """Write a new site into ``directory``; refuses to overwrite any file that is already there."""
    if (directory / CONFIG_NAME).exists():
        raise ConfigError("a site already exists here", path=directory / CONFIG_NAME,
                          hint="choose an empty folder")
    existing = [target for target in FILES if (directory / target).exists()]
    if existing:
        raise ConfigError(f"would overwrite {', '.join(existing)}", path=directory,
                          hint="choose an empty folder, or move those files away first")
    written = []
    for folder in FOLDERS:
        keep = directory / folder / ".gitkeep"
        write_atomic(keep, "")
        written.append(keep)
    for target, name in FILES.items():
        text = (SKELETON / name).read_text(encoding="utf-8")
        if name == "site.yaml":
            text = text.replace("{title}", _yaml_string(title))
        if name == "Makefile":
            text = text.replace("{requirement}", _make_value(install_requirement()))
        write_atomic(directory / target, text)
        written.append(directory / target)
    return written


def install_requirement() -> str:
    """Where the new site's ``make build`` (and so its Pages workflow) installs papershelf from:
    where the running papershelf was installed from, as pip recorded it (PEP 610
    ``direct_url.json``: a git URL and commit, an archive or wheel, a local folder), else the
    released version. papershelf is not on the package index under a name pip would find by
    itself, so a bare version alone would leave the new site unbuildable."""
    try:
        direct = importlib.metadata.distribution("papershelf").read_text("direct_url.json")
        origin = json.loads(direct) if direct else {}
    except (importlib.metadata.PackageNotFoundError, ValueError):
        origin = {}
    return requirement_from(origin) or f"papershelf=={__version__}"


def requirement_from(origin: dict) -> str | None:
    """A PEP 508 requirement for a PEP 610 record, or None when it names no source."""
    url = origin.get("url") if isinstance(origin, dict) else None
    if not isinstance(url, str) or not url:
        return None
    vcs = origin.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs"):
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        url = f"{vcs['vcs']}+{url}" + (f"@{commit}" if commit else "")
    subdirectory = origin.get("subdirectory")
    if subdirectory:
        url += f"#subdirectory={subdirectory}"
    return f"papershelf @ {url}"


def _make_value(text: str) -> str:
    """``text`` as a Makefile variable value: ``#`` would start a comment, ``$`` a reference."""
    return text.replace("$", "$$").replace("#", "\\#")


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
