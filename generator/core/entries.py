"""The entry file: YAML front matter then the curator's notes, read and written byte-exactly.

``parse_entry(format_entry(e)) == e`` and, for files this module wrote,
``format_entry(parse_entry(text)) == text``. The notes body is kept verbatim:
not stripped, not re-encoded, whatever its line ends. Dates load as
``datetime.date`` (``date`` may be partial: ``2017`` or ``2017-12``, a
``PartialDate``); curator-added keys are kept after the known ones, in their own order.

Entries are the curator's, so not trusted: a UTF-8 BOM and CRLF/CR line ends are read
like LF; YAML anchors and aliases (an alias bomb stalls any reader) and duplicate keys
(YAML keeps the last one silently) are errors with file:line; an ``arxiv`` id typed
unquoted keeps its digits as written (``2505.10010``, not the number ``2505.1001``).
Each check is behind a cheap test on the text, so normal entries pay microseconds.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.core.errors import EntryError
from generator.core.partial_dates import PartialDate, partial_date

FIELD_ORDER = (
    "title", "arxiv", "doi", "bibkey", "date", "updated", "venue", "org", "org_handle", "authors",
    "authors_count", "upvotes", "comment", "url", "code", "project", "tags", "categories", "status",
    "rating", "added", "sources", "abstract",
)
DATE_FIELDS = frozenset({"date", "updated", "added"})
STATUSES = ("to-read", "reading", "read")
DEFAULT_STATUS = STATUSES[0]
ABSTRACT_WIDTH = 88

_OPEN = re.compile(r"\A\ufeff?---[ \t]*(?:\r\n?|\n)")
_CLOSE = re.compile(r"(?<=[\r\n])---[ \t]*(?:\r\n?|\n|\Z)")
# Cheap pre-tests: an anchor or alias may start here; a line may start a top-level key.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])[&*][^\s,\[\]{}]")
_ARXIV_SOURCE = re.compile(r"^arxiv[ \t]*:[ \t]*([^\s#'\"]+)[ \t]*(?:#.*)?$", re.MULTILINE)


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


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A mapping that gives one key twice (YAML itself would keep the last silently)."""


class _TagRefused(yaml.constructor.ConstructorError):
    """An explicit tag for a type no field takes and no page can show (``!!binary``...)."""


# Explicit tags refused, with what to write instead: they make datetimes, bytes, sets and
# pair lists, which the schema, the pages and papers.json cannot hold (a crash, not a line).
_REFUSED_TAGS = {
    "tag:yaml.org,2002:timestamp": "write a date as YYYY-MM-DD, without the tag",
    "tag:yaml.org,2002:binary": "write the text itself, without the tag",
    "tag:yaml.org,2002:set": "write a list [a, b] instead",
    "tag:yaml.org,2002:omap": "write a mapping or a list instead",
    "tag:yaml.org,2002:pairs": "write a mapping or a list instead",
}


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that leaves timestamps as strings, refuses duplicate keys and the explicit
    tags of ``_REFUSED_TAGS``, and reads the top-level keys as the names written.

    Keys are compared as YAML does, by tag and value, not by Python equality (``1`` and
    ``true`` are two keys, though ``1 == True``). A top-level key that is not a string
    (``1:``, ``true:``) is kept as written (``"1"``, ``"true"``): front matter keys are
    names, and papers.json needs string keys.
    """

    _root: Any = None

    def construct_document(self, node: yaml.Node) -> Any:
        self._root = node
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) == len(node.value) and (node is not self._root
                                                or all(type(key) is str for key in mapping)):
            return mapping  # the usual case: distinct string keys
        return self._careful_mapping(node, deep)

    def _careful_mapping(self, node: yaml.MappingNode, deep: bool) -> dict:
        """The mapping built key by key: keys equal in Python but not in YAML both kept."""
        root = node is self._root
        result: dict = {}
        seen = set()
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            name = key
            if root and not isinstance(key, str) and isinstance(key_node, yaml.ScalarNode):
                name = key_node.value  # the name as written
            if (key, key_node.tag) in seen or name in result:
                what = f"key {name!r} is given twice" if (key, key_node.tag) in seen or root else \
                    f"key {key_node.value!r} is the same as an earlier key to papershelf"
                raise _DuplicateKey(None, None, what, key_node.start_mark)
            seen.add((key, key_node.tag))
            result[name] = self.construct_object(value_node, deep=deep)
        return result

    def refuse_tag(self, node: yaml.Node) -> Any:
        """Raise for an explicit tag of ``_REFUSED_TAGS``, at its line."""
        short = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise _TagRefused(None, None, f"the tag {short} is not allowed in an entry",
                          node.start_mark, note=_REFUSED_TAGS[node.tag])


for _tag in _REFUSED_TAGS:
    _Loader.add_constructor(_tag, _Loader.refuse_tag)


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
_Dumper.add_representer(PartialDate, lambda d, v: d.represent_data(v.yaml_value()))
_Dumper.add_representer(
    _Inline, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", list(v), flow_style=True)
)


def split_front_matter(text: str, path: Path | str) -> tuple[str, str, int]:
    """Split an entry into (front matter YAML, body, line number where the YAML starts).

    A leading BOM is skipped and the YAML comes back with LF line ends (lines counted as an
    editor counts them, CRLF, CR or LF); the body is the rest of the text, verbatim.
    """
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
    front = text[opening.end():closing.start()]
    if "\r" in front:
        front = front.replace("\r\n", "\n").replace("\r", "\n")
    return front, text[closing.end():], 2


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
        if isinstance(exc, _DuplicateKey):
            raise EntryError(problem, path=path, line=line, column=column, hint="keep one of them") from exc
        if isinstance(exc, _TagRefused):
            raise EntryError(problem, path=path, line=line, column=column, hint=exc.note) from exc
        raise EntryError(f"invalid YAML: {problem}", path=path, line=line, column=column,
                         hint="fix the front matter syntax") from exc


def parse_entry(text: str, path: Path) -> Entry:
    """Parse an entry file's text; raise EntryError (with line) when it cannot be read.

    A BOM and CRLF/CR line ends are accepted; the body is given back verbatim.
    """
    front, body, first_line = split_front_matter(text, path)
    if ("&" in front or "*" in front) and _MAYBE_ANCHOR.search(front):
        _refuse_anchors(front, path, first_line)
    meta = load_yaml(front, path, first_line)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise EntryError("front matter must be a mapping of 'key: value' lines",
                         path=path, line=first_line)
    arxiv = meta.get("arxiv")
    if isinstance(arxiv, (int, float)) and not isinstance(arxiv, bool):
        written = _ARXIV_SOURCE.search(front)
        if written:
            meta["arxiv"] = written.group(1)
    for key in DATE_FIELDS & meta.keys():
        meta[key] = _as_date(meta[key], partial_allowed=key == "date")
    return Entry(slug=path.stem, meta=meta, body=body)


def _refuse_anchors(front: str, path: Path | str, first_line: int) -> None:
    """Raise on the first YAML anchor or alias (they can make a tiny file expand to gigabytes)."""
    try:
        for event in yaml.parse(front, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise EntryError(
                    "YAML anchors and aliases (&name, *name) are not allowed in an entry",
                    path=path, line=event.start_mark.line + first_line, column=event.start_mark.column + 1,
                    hint="write the value out, or quote it if the & or * is text")
    except yaml.YAMLError:
        return  # a syntax error: loading reports it with its line


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


def read_bytes(path: Path) -> bytes:
    """The bytes of an entry file, never through a symbolic link; EntryError when unreadable."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if os.path.islink(path):
            raise EntryError("is a symbolic link; entries are read only from regular files", path=path,
                             hint="replace the link by a copy of the file, or remove it") from exc
        raise EntryError(f"cannot read: {exc.strerror}", path=path,
                         hint="check the file's permissions") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a folder or device named like an entry
        os.close(fd)
        raise EntryError("is not a regular file, so it is not an entry", path=path,
                         hint="rename it so that its name does not end in .md")
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read()
        except OSError as exc:
            raise EntryError(f"cannot read: {exc.strerror}", path=path,
                             hint="check that it is a regular file you can read") from exc


def decode(data: bytes, path: Path | str) -> str:
    """UTF-8 text of an entry (a BOM allowed); EntryError naming the line and column otherwise."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise EntryError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path=path, line=line,
                         column=column, hint="save the file as UTF-8") from exc


@dataclass(frozen=True)
class EntryFile:
    """One entry file as read: its bytes, its text and the entry parsed from it."""

    data: bytes
    text: str
    entry: Entry


def read_entry_file(path: Path, data: bytes | None = None) -> EntryFile:
    """The one way an entry file is read (import, check, build): its bytes (``data`` when the
    caller already holds them), never through a symbolic link, decoded as UTF-8 and parsed;
    EntryError naming the file, line and column otherwise."""
    if data is None:
        data = read_bytes(path)
    text = decode(data, path)
    return EntryFile(data, text, parse_entry(text, path))


def read_entry(path: Path) -> Entry:
    """Read and parse one entry file."""
    return read_entry_file(path).entry


def _as_date(value: Any, partial_allowed: bool = False) -> Any:
    """ISO date strings become dates (``date`` also takes a year or a year-month, as a
    PartialDate); anything else is left for validation to report."""
    if partial_allowed and (partial := partial_date(value)) is not None:
        return partial
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
