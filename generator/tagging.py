"""site.yaml ``tag_rules``: tag new entries whose title or abstract names a keyword."""

from __future__ import annotations

import re
from collections.abc import Sequence

Rules = Sequence[tuple[str, Sequence[str]]]


def compile_rules(rules: Rules) -> list[tuple[str, re.Pattern[str]]]:
    """One case-insensitive whole-word pattern per tag, matching any of its keywords."""
    compiled = []
    for tag, keywords in rules:
        words = [r"\s+".join(map(re.escape, k.split())) for k in keywords if k.strip()]
        if words:
            compiled.append((tag, re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE)))
    return compiled


def tags_for(compiled: list[tuple[str, re.Pattern[str]]], *texts: str | None) -> list[str]:
    """The tags whose keywords occur in any of ``texts``, in rule order."""
    haystack = "\n".join(t for t in texts if t)
    return [tag for tag, pattern in compiled if pattern.search(haystack)]
