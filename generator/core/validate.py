"""The entry schema as rules: what ``check`` reports and what ``build`` refuses.

Also the one judge of the names things are given: what a tag may be, and which entry file
names cannot be read or published, with the words every command uses to say so.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.core.entries import DATE_FIELDS, FIELD_ORDER, STATUSES
from generator.core.errors import EntryError
from generator.core.identifiers import normalize_arxiv_id
from generator.core.partial_dates import PartialDate

TEXT_FIELDS = ("title", "org", "org_handle", "comment", "abstract", "doi", "bibkey", "venue",
               "url", "code", "project")
LIST_FIELDS = ("authors", "tags", "categories", "sources")
COUNT_FIELDS = ("authors_count", "upvotes")
EARLIEST_YEAR = 1800  # dates before this, or more than a year ahead, are surely typos
MAX_REPORTED = 3  # control characters reported one by one per file; then a count
# C0 controls but tab, LF and CR, DEL, lone surrogates (a YAML "\\uD800") and the
# noncharacters U+FFFE/U+FFFF: not allowed in XML (or in UTF-8), meaningless in a reading list.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# What an entry's file name must not hold: any control character (a line break too), a
# line or paragraph separator, a noncharacter, or a byte that is not UTF-8 (Python reads
# it as a lone surrogate). Such a name cannot be a URL, a manifest line or a message.
_BAD_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_NOT_UTF8 = "file name is not UTF-8"
_BREAK = re.compile(r"\r\n|\r|\n")
# What a tag may be (tags become URLs and site.yaml keys): a letter, digit or underscore,
# then those or '.', '+', '-'.
_TAG_NAME = re.compile(r"[\w][\w.+-]*")


def problems(meta: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Yield (severity, key, message) for each rule ``meta`` breaks."""
    for key in TEXT_FIELDS:
        if key in meta and not isinstance(meta[key], str):
            yield "error", key, f"{key} must be text"
    for key in LIST_FIELDS:
        value = meta.get(key)
        if key in meta and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            yield "error", key, f"{key} must be a list of text, like [a, b]"
    for key in COUNT_FIELDS:
        value = meta.get(key)
        if key in meta and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            yield "error", key, f"{key} must be a whole number"
    for key in sorted(DATE_FIELDS & meta.keys()):
        if not isinstance(meta[key], dt.date):
            expected = "YYYY-MM-DD, YYYY-MM or YYYY" if key == "date" else "YYYY-MM-DD"
            yield "error", key, f"bad {key} {meta[key]!r} (expected {expected})"
    soon = dt.date.today() + dt.timedelta(days=366)
    for key in sorted(DATE_FIELDS & meta.keys()):
        value = meta[key]
        if isinstance(value, dt.date) and (value.year < EARLIEST_YEAR or value > soon):
            shown = value.text() if isinstance(value, PartialDate) else value.isoformat()
            yield "warning", key, f"implausible {key} {shown} (before {EARLIEST_YEAR} or " \
                                  "more than a year ahead; a typo?)"
    if "arxiv" in meta:
        value = meta["arxiv"]
        if not isinstance(value, str) or normalize_arxiv_id(value) != value:
            yield "error", "arxiv", f"bad arxiv id {value!r} (expected e.g. 2505.09343, no version)"
    if "status" in meta and meta["status"] not in STATUSES:
        yield "error", "status", f"unknown status {meta['status']!r} (use {', '.join(STATUSES)})"
    if "rating" in meta:
        rating = meta["rating"]
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            yield "error", "rating", f"rating {rating!r} outside 1-5"
    if not meta.get("title"):
        hint = "run 'papershelf resolve'" if meta.get("arxiv") else "add a title"
        yield "warning", "title", f"no title ({hint})"
    if not meta.get("date"):
        yield "warning", "date", "no date (add date: YYYY-MM-DD)"
    for key in meta.keys() - set(FIELD_ORDER):
        close = difflib.get_close_matches(str(key), FIELD_ORDER, n=1, cutoff=0.8)
        if close:
            yield "warning", key, f"unknown key {key!r}; did you mean {close[0]!r}?"


def is_tag_name(tag: object) -> bool:
    """Whether ``tag`` can be a tag: text of letters, digits, '_', '.', '+' or '-' that
    starts with a letter, digit or '_' (``moe``, ``c++``, ``v1.5``)."""
    return isinstance(tag, str) and _TAG_NAME.fullmatch(tag) is not None


def errors(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """Only the (key, message) pairs that make an entry unusable."""
    return [(key, message) for severity, key, message in problems(meta) if severity == "error"]


def control_characters(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, message) for control characters in an entry's text (the first few, then
    how many more): they stop feeds and pages from being valid XML."""
    matches = _CONTROL.finditer(text) if _CONTROL.search(text) else iter(())
    for count, match in enumerate(matches):
        if count == MAX_REPORTED:
            more = len(_CONTROL.findall(text, match.start()))
            yield (*_position(text, match.start()), f"{more} more control characters in this file")
            return
        yield (*_position(text, match.start()), _describe(match.group()))


def control_values(meta: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(key, message) for front matter values holding a control character (written as an
    escape such as "\\e" in a double-quoted string)."""
    for key, value in meta.items():
        texts = value if isinstance(value, list) else [value]
        found = next((m for t in texts if isinstance(t, str) for m in [_CONTROL.search(t)] if m), None)
        if found:
            yield str(key), f"{key}: {_describe(found.group())}"


def has_control(text: str, meta: dict[str, Any]) -> bool:
    """Whether an entry holds a control character, raw or as a YAML escape: a regex search
    over the text, and over the values only when a backslash is there (microseconds)."""
    return bool(_CONTROL.search(text)) or ("\\" in text and next(control_values(meta), None) is not None)


def without_controls(value: Any) -> Any:
    """``value`` (text, or lists and mappings of it) with every control character removed."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [without_controls(v) for v in value]
    if isinstance(value, dict):
        return {k: without_controls(v) for k, v in value.items()}
    return value


def readable_name(name: str) -> str:
    """``name`` as text: a byte that is not UTF-8 (kept by Python as a surrogate) becomes
    U+FFFD, so it can be printed and written into an entry."""
    if name.isascii():
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def utf8_name(name: str) -> bool:
    """Whether a file name read from the disk is UTF-8 (else it holds surrogates)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def not_utf8_name_error(path: Path) -> EntryError:
    """The error of an entry file whose name is not UTF-8 (see ``utf8_name``): no command
    reads it, as it cannot name an entry (its page's URL). The name is shown readably."""
    return EntryError(f"{_NOT_UTF8}, so it cannot be an entry's name (its page's URL)",
                      path=path.with_name(readable_name(path.name)),
                      hint="rename the file with a UTF-8 name")


def name_error(name: str) -> str | None:
    """Why an entry's file name cannot be published (a control character, a byte that is
    not UTF-8), or None."""
    found = _BAD_NAME.search(name)
    if found is None:
        return None
    char = found.group()
    if "\udc80" <= char <= "\udcff":
        return f"the {_NOT_UTF8} (byte 0x{ord(char) - 0xDC00:02x})"
    return f"the file name holds the character U+{ord(char):04X}"


def shown_name(name: str) -> str:
    """``name`` with what ``name_error`` finds written as escapes, for a one-line message."""
    def escape(match: re.Match) -> str:
        code = ord(match.group())
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
    return _BAD_NAME.sub(escape, name)


def _describe(char: str) -> str:
    code = ord(char)
    kind = "lone surrogate" if 0xD800 <= code <= 0xDFFF else \
        "noncharacter" if code >= 0xFFFE else "control character"
    return f"{kind} U+{code:04X} (build leaves it out of every page and feed; remove it)"


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    breaks = list(_BREAK.finditer(before))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, offset - start + 1
