"""File names for new entries: the title slugified, or ``arxiv-<id>``; -2, -3 on collision."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from slugify import slugify

SLUG_MAX = 80
# Device names Windows reserves whatever the extension: ``con.md`` cannot be checked out there.
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{device}{n}" for device in ("com", "lpt") for n in range(10)])


def portable(slug: str) -> str:
    """``slug``, or ``slug-paper`` when it is a name Windows reserves (``con``, ``com1``...)."""
    return f"{slug}-paper" if slug.casefold() in WINDOWS_RESERVED else slug


def capped(slug: str, limit: int = SLUG_MAX) -> str:
    """``slug`` cut to ``limit`` characters when longer, ending in a digest of the whole, so
    two long slugs that start alike stay apart (a URL segment is a file name: 255 bytes)."""
    if len(slug) <= limit:
        return slug
    tail = hashlib.blake2b(slug.encode(), digest_size=4).hexdigest()
    return f"{slug[:limit - len(tail) - 1].rstrip('-')}-{tail}"


def base_slug(title: str | None, arxiv_id: str | None) -> str:
    """The slug a paper would get before collisions are considered."""
    if title:
        slug = slugify(title, max_length=SLUG_MAX, word_boundary=True, save_order=True)
        if slug:
            return portable(slug)
    if arxiv_id:
        return "arxiv-" + arxiv_id.replace("/", "-")
    return "paper"


class SlugRegistry:
    """The slugs in use, compared case-insensitively (two files must not differ only by case)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._folded = {slug.casefold() for slug in taken}

    def claim(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``...: the first free one, now taken."""
        candidate, number = base, 1
        while candidate.casefold() in self._folded:
            number += 1
            candidate = f"{base}-{number}"
        self._folded.add(candidate.casefold())
        return candidate

