"""arXiv identifiers: recognise, normalise (no prefix, no version) and date them."""

from __future__ import annotations

import re

# New style (0704 onwards): YYMM.NNNN or YYMM.NNNNN; old style: archive[.SUB]/YYMMNNN.
_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_OLD = r"(?P<old>[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})"
ARXIV_ID = re.compile(rf"(?:{_NEW}|{_OLD})(?:v\d+)?")

_PREFIXES = re.compile(
    r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)", re.IGNORECASE
)


def normalize_arxiv_id(text: str) -> str | None:
    """Return the bare id (``2505.09343``) of an id, ``arXiv:`` id or abs/PDF URL, else None."""
    candidate = _PREFIXES.sub("", text.strip())
    candidate = re.sub(r"\.pdf$", "", candidate)
    match = ARXIV_ID.fullmatch(candidate.rstrip("/"))
    if not match:
        return None
    return match.group("new") or match.group("old")


def arxiv_id_month(arxiv_id: str) -> tuple[int, int] | None:
    """The (year, month) an arXiv id was issued in, read from its YYMM digits."""
    digits = arxiv_id.split("/")[-1][:4]
    if not digits.isdigit():
        return None
    yy, mm = int(digits[:2]), int(digits[2:])
    if not 1 <= mm <= 12:
        return None
    return (1900 + yy if yy >= 91 else 2000 + yy), mm
