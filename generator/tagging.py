"""site.yaml ``tag_rules``: tag new entries whose title or abstract names a keyword."""

from __future__ import annotations

import re
from collections.abc import Sequence

Rules = Sequence[tuple[str, Sequence[str]]]


Rule = tuple[str, re.Pattern[str], tuple[str, ...]]


def compile_rules(rules: Rules) -> list[Rule]:
    """Per tag: a case-insensitive whole-word pattern for its keywords, and the keywords
    lowercased with single spaces (a quick test that rules most texts out)."""
    compiled = []
    for tag, keywords in rules:
        words = [k.split() for k in keywords if k.strip()]
        if words:
            pattern = "|".join(r"\s+".join(map(re.escape, w)) for w in words)
            compiled.append((tag, re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE),
                             tuple(" ".join(w).lower() for w in words)))
    return compiled


def tags_for(compiled: list[Rule], *texts: str | None) -> list[str]:
    """The tags whose keywords occur in any of ``texts``, in rule order."""
    haystack = "\n".join(t for t in texts if t)
    flat = " ".join(haystack.split()).lower()
    return [tag for tag, pattern, quick in compiled
            if any(k in flat for k in quick) and pattern.search(haystack)]
