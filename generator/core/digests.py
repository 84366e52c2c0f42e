"""Short, stable digests of values and of the installed renderers: the keys that tell a build
what changed since the last one (its outputs' keys, its cache's entries, its fragments)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import re
from collections.abc import Iterable, Sequence
from typing import Any

from generator.core.folder import file_key

# What outputs are made with besides papershelf: upgrading any of them renders everything again.
RENDERERS = ("markdown", "latex2mathml", "nh3", "jinja2", "feedgen", "yaml", "slugify", "markupsafe")


# The distribution that installs each renderer module (its ``*.dist-info`` folder names the version).
DISTRIBUTIONS = {"markdown": "Markdown", "latex2mathml": "latex2mathml", "nh3": "nh3", "jinja2": "Jinja2",
                 "feedgen": "feedgen", "yaml": "PyYAML", "slugify": "python-slugify",
                 "markupsafe": "MarkupSafe"}


def installed_key(modules: Sequence[str]) -> tuple:
    """Tells installed versions of ``modules`` apart without importing them: the name of each
    one's ``*.dist-info`` folder (which holds the version) and the size of its ``__init__``.
    Not the file's times: a CI runner installs the same versions into a new virtual environment
    on every run, and its restored build cache must still count as made with them. A module of
    no known distribution is told by its ``__init__``'s file key, which an upgrade replaces.
    (One folder listing, not ``importlib.metadata``: a no-op build pays for this key.)"""
    found, listings = [], {}
    for name in modules:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec and spec.origin else None
        st = os.stat(origin) if origin and os.path.exists(origin) else None
        if st is None:
            found.append((name, None, None))
            continue
        version = _dist_info(os.path.dirname(os.path.dirname(origin)), DISTRIBUTIONS.get(name), listings)
        found.append((name, version, st.st_size) if version else (name, None, file_key(st)))
    return tuple(found)


def _dist_info(folder: str, distribution: str | None, listings: dict[str, list[str]]) -> str | None:
    """The ``<name>-<version>.dist-info`` folder of ``distribution`` in ``folder``, if any."""
    if distribution is None:
        return None
    if folder not in listings:
        try:
            listings[folder] = [n for n in os.listdir(folder) if n.endswith(".dist-info")]
        except OSError:
            listings[folder] = []
    wanted = _normalized(distribution)
    matches = [n for n in listings[folder] if _normalized(n.split("-", 1)[0]) == wanted]
    return matches[0] if len(matches) == 1 else None


def _normalized(name: str) -> str:
    """A distribution name as packaging compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def digest(*parts: Any) -> bytes:
    """A short, stable digest of picklable values (no sets: their order is not stable)."""
    return hashlib.blake2b(pickle.dumps(parts, protocol=4), digest_size=16).digest()


def digest_bytes(parts: Iterable[bytes]) -> bytes:
    """A digest of a sequence of digests: much cheaper than ``digest`` over long lists."""
    return hashlib.blake2b(b"".join(parts), digest_size=16).digest()
