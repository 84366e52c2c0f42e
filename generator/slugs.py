"""File names for new entries: the title slugified, or ``arxiv-<id>``; -2, -3 on collision."""

from __future__ import annotations

from slugify import slugify

SLUG_MAX = 80


def base_slug(title: str | None, arxiv_id: str | None) -> str:
    """The slug a paper would get before collisions are considered."""
    if title:
        slug = slugify(title, max_length=SLUG_MAX, word_boundary=True, save_order=True)
        if slug:
            return slug
    if arxiv_id:
        return "arxiv-" + arxiv_id.replace("/", "-")
    return "paper"


def unique_slug(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not in ``taken`` (case-insensitively)."""
    folded = {slug.casefold() for slug in taken}
    candidate, number = base, 1
    while candidate.casefold() in folded:
        number += 1
        candidate = f"{base}-{number}"
    return candidate
