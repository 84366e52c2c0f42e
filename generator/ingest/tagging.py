"""Tags of new entries: site.yaml ``tag_rules`` (a keyword named in the title or abstract),
and a source's own tags (Zotero's ``keywords``) made into tag names.

A keyword matches case-insensitively as a whole word (or words: any run of spaces or line
breaks between them): ``RL`` tags "RL-based (RL)" but not "URL".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

Rules = Sequence[tuple[str, Sequence[str]]]
Rule = tuple[str, tuple[str, ...]]


def compile_rules(rules: Rules) -> list[Rule]:
    """Per tag, its keywords lowercased with single spaces."""
    compiled = []
    for tag, keywords in rules:
        words = tuple(" ".join(k.split()).lower() for k in keywords if k.strip())
        if words:
            compiled.append((tag, words))
    return compiled


def tags_for(compiled: list[Rule], *texts: str | None) -> list[str]:
    """The tags whose keywords occur in any of ``texts``, in rule order."""
    flat = " ".join(" ".join(t for t in texts if t).split()).lower()
    return [tag for tag, words in compiled if any(_whole_word(flat, word) for word in words)]


def _whole_word(text: str, word: str) -> bool:
    """``word`` occurs in ``text`` with no letter, digit or underscore right before or after."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        before_ok = start == 0 or not _word_char(text[start - 1])
        if before_ok and (end == len(text) or not _word_char(text[end])):
            return True
        start = text.find(word, start + 1)
    return False


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


TAG_MAX = 60  # a longer keyword is a phrase, cut at this many characters
_NOT_IN_TAG = re.compile(r"[^\w.+]+")


def keyword_tag(keyword: str) -> str | None:
    """A source's keyword as a tag name (``Computer Science - Machine Learning`` ->
    ``computer-science-machine-learning``, ``C++`` -> ``c++``); None when nothing is left."""
    tag = _NOT_IN_TAG.sub("-", keyword.casefold()).lstrip("-.+").rstrip("-.")
    return tag[:TAG_MAX].rstrip("-.") or None


def merged_tags(rule_tags: Sequence[str], keywords: Iterable[str]) -> list[str]:
    """The rules' tags, then the keywords' tags not already there."""
    tags = list(rule_tags)
    for keyword in keywords:
        tag = keyword_tag(keyword)
        if tag and tag not in tags:
            tags.append(tag)
    return tags
