"""The entry file: YAML front matter then the curator's notes, read and written byte-exactly.

``parse_entry(format_entry(e)) == e`` and, for files this module wrote,
``format_entry(parse_entry(text)) == text``. The notes body is kept verbatim:
not stripped, not re-encoded. Dates load as ``datetime.date``; curator-added
keys are kept after the known ones, in their own order.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import EntryError

FIELD_ORDER = (
    "title", "arxiv", "date", "updated", "org", "org_handle", "authors", "authors_count",
    "upvotes", "comment", "tags", "categories", "status", "rating", "added", "sources",
    "abstract",
)
DATE_FIELDS = frozenset({"date", "updated", "added"})
STATUSES = ("to-read", "reading", "read")
DEFAULT_STATUS = STATUSES[0]
ABSTRACT_WIDTH = 88

_OPEN = re.compile(r"\A---[ \t]*\r?\n")
_CLOSE = re.compile(r"^---[ \t]*\r?$\n?", re.MULTILINE)


@dataclass
class Entry:
    """One paper: its slug (the file name, never changed), front matter and notes."""

    slug: str
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""

    def get(self, key: str, default: Any = None) -> Any:
        """The front matter value of ``key``, or ``default`` when absent."""
        return self.meta.get(key, default)


# Loading: libyaml's C parser when present; dates stay strings so that a bad
# date is our error with a line number rather than a crash inside PyYAML.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that leaves timestamps as strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """Safe dumper: dates plain, tag and category lists inline, the abstract folded."""


class _Folded(str):
    """A string written as a folded block scalar."""


class _Inline(list):
    """A list written in flow style: ``tags: [moe, reasoning]``."""


_Dumper.add_representer(
    _Folded, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style=">")
)
_Dumper.add_representer(
    _Inline, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", list(v), flow_style=True)
)


def split_front_matter(text: str, path: Path | str) -> tuple[str, str, int]:
    """Split an entry into (front matter YAML, body, line number where the YAML starts)."""
    opening = _OPEN.match(text)
    if not opening:
        raise EntryError(
            "no front matter", path=path, line=1,
            hint="an entry starts with a line '---', its YAML fields, then another '---'",
        )
    closing = _CLOSE.search(text, opening.end())
    if not closing:
        raise EntryError(
            "front matter is not closed", path=path, line=1,
            hint="add a line '---' after the YAML fields",
        )
    return text[opening.end():closing.start()], text[closing.end():], 2


def load_yaml(source: str, path: Path | str, first_line: int = 1) -> Any:
    """Load YAML, turning syntax errors into an EntryError with file:line:column."""
    try:
        return yaml.load(source, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None and mark.line >= source.count("\n"):  # at the end: point at its start
            mark = getattr(exc, "context_mark", None) or mark
        line = mark.line + first_line if mark else first_line
        column = mark.column + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise EntryError(f"invalid YAML: {problem}", path=path, line=line, column=column,
                         hint="fix the front matter syntax") from exc


def parse_entry(text: str, path: Path) -> Entry:
    """Parse an entry file's text; raise EntryError (with line) when it cannot be read."""
    front, body, first_line = split_front_matter(text, path)
    meta = load_yaml(front, path, first_line)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise EntryError("front matter must be a mapping of 'key: value' lines",
                         path=path, line=first_line)
    for key in DATE_FIELDS & meta.keys():
        meta[key] = _as_date(meta[key])
    return Entry(slug=path.stem, meta=meta, body=body)


def key_lines(text: str) -> dict[str, int]:
    """The line number of each top-level front matter key (for error messages)."""
    try:
        front, _, first_line = split_front_matter(text, "")
        node = yaml.compose(front, Loader=_Loader)
    except (EntryError, yaml.YAMLError):
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + first_line
            for key, _ in node.value if isinstance(key, yaml.ScalarNode)}


def read_entry(path: Path) -> Entry:
    """Read and parse one entry file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise EntryError("not UTF-8 text", path=path, hint="save the file as UTF-8") from exc
    return parse_entry(text, path)


def _as_date(value: Any) -> Any:
    """ISO date strings become dates; anything else is left for validation to report."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def ordered_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Known keys in schema order, then the curator's own keys in theirs; empty values dropped."""
    known = {key: meta[key] for key in FIELD_ORDER if key in meta}
    extra = {key: value for key, value in meta.items() if key not in known}
    return {key: value for key, value in {**known, **extra}.items() if not is_empty(value)}


def is_empty(value: Any) -> bool:
    """An absent value: None, an empty string or an empty list (such keys are not written)."""
    return value is None or value == "" or value == []


def format_entry(entry: Entry) -> str:
    """Serialise an entry: '---', fields in schema order, '---', then the notes verbatim."""
    meta = ordered_meta(entry.meta)
    abstract = meta.pop("abstract", None)
    for key in ("tags", "categories"):
        if isinstance(meta.get(key), list):
            meta[key] = _Inline(meta[key])
    head = _dump(meta, width=1 << 30) if meta else ""
    if abstract is not None:
        value = _Folded(abstract) if isinstance(abstract, str) else abstract
        head += _dump({"abstract": value}, width=ABSTRACT_WIDTH)
    return f"---\n{head}---\n{entry.body}"


def _dump(data: dict[str, Any], width: int) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=width,
                     default_flow_style=False)
