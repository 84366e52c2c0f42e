"""People's names compared as text: one Unicode form and single spaces, so that the same name
typed twice is one author, and nothing more (no guessing that "A. Gu" is "Albert Gu")."""

from __future__ import annotations

import unicodedata


def normal_name(name: str) -> str:
    """``name`` in Unicode NFKC (full-width letters, ligatures and no-break spaces become the
    plain ones), its runs of white space one space, its ends trimmed."""
    return " ".join(unicodedata.normalize("NFKC", name).split())
