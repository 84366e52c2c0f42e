"""``papershelf init``: the files of a new, empty reading-list site."""

from __future__ import annotations

from pathlib import Path

from .config import CONFIG_NAME
from .errors import ConfigError
from .library import write_atomic

SKELETON = Path(__file__).parent / "skeleton"

# target path in the new site -> skeleton file
FILES = {
    CONFIG_NAME: "site.yaml",
    ".gitignore": "gitignore",
}
FOLDERS = ("content/sources", "content/papers")


def create_site(directory: Path, *, title: str) -> list[Path]:
    """Write a new site into ``directory``; refuses to overwrite an existing one."""
    if (directory / CONFIG_NAME).exists():
        raise ConfigError("a site already exists here", path=directory / CONFIG_NAME,
                          hint="choose an empty folder")
    written = []
    for folder in FOLDERS:
        keep = directory / folder / ".gitkeep"
        write_atomic(keep, "")
        written.append(keep)
    for target, name in FILES.items():
        text = (SKELETON / name).read_text(encoding="utf-8")
        if name == "site.yaml":
            text = text.replace("{title}", _yaml_string(title))
        write_atomic(directory / target, text)
        written.append(directory / target)
    return written


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
