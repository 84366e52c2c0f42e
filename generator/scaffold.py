"""``papershelf init``: the files of a new, empty reading-list site."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

from . import __version__
from .config import CONFIG_NAME
from .errors import ConfigError
from .library import write_atomic

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
            text = text.replace("{requirement}", install_requirement())
        write_atomic(directory / target, text)
        written.append(directory / target)
    return written


def install_requirement() -> str:
    """How the new site's CI installs papershelf: the git URL it came from, else this version."""
    try:
        direct = importlib.metadata.distribution("papershelf").read_text("direct_url.json")
        origin = json.loads(direct) if direct else {}
    except (importlib.metadata.PackageNotFoundError, ValueError):
        origin = {}
    vcs = origin.get("vcs_info")
    if vcs and origin.get("url"):
        return f"papershelf @ git+{origin['url']}@{vcs.get('commit_id', '')}".rstrip("@")
    return f"papershelf=={__version__}"


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
