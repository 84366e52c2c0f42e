"""Theme lookup: the site's own files override the built-in theme one file at a time.

Order (like MkDocs ``custom_dir``): ``theme_dir`` from site.yaml, then the
site's ``themes/<theme>/``, then papershelf's built-in default theme. Each
holds ``templates/`` and ``assets/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from generator.core.config import Config
from generator.core.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # generator/


def builtin_theme_dir() -> Path:
    """The default theme: inside the package when installed, else the repository's themes/."""
    packaged = PACKAGE_DIR / "themes" / "default"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "themes" / "default"


@dataclass(frozen=True)
class Theme:
    """The theme folders in lookup order, first wins."""

    folders: tuple[Path, ...]

    @property
    def template_dirs(self) -> list[str]:
        """Jinja search path."""
        return [str(f / "templates") for f in self.folders if (f / "templates").is_dir()]

    def assets(self) -> dict[str, Path]:
        """Asset path inside ``assets/`` -> the file that wins for it."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            root = folder / "assets"
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file():
                        found[path.relative_to(root).as_posix()] = path
        return dict(sorted(found.items()))

    def files(self) -> list[Path]:
        """Every file of every theme folder, for change detection."""
        return sorted(p for f in self.folders if f.is_dir() for p in f.rglob("*") if p.is_file())

    def fingerprint(self) -> str:
        """A digest of every theme file's path and bytes: changes when any file changes."""
        digest = hashlib.blake2b(digest_size=16)
        for path in self.files():
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()


def load_theme(config: Config) -> Theme:
    """Resolve the theme folders of a site; a missing ``theme_dir`` is a ConfigError."""
    folders: list[Path] = []
    if config.theme_dir:
        custom = (config.root / config.theme_dir).resolve()
        if not custom.is_dir():
            raise ConfigError(f"theme_dir {config.theme_dir!r} is not a folder", path=config.path,
                              hint="create it or remove theme_dir")
        folders.append(custom)
    local = (config.root / "themes" / config.theme).resolve()
    if local.is_dir():
        folders.append(local)
    builtin = builtin_theme_dir().resolve()
    if builtin not in folders:
        if config.theme != "default" and not local.is_dir():
            raise ConfigError(f"no theme {config.theme!r} in themes/", path=config.path)
        folders.append(builtin)
    return Theme(tuple(folders))
