"""Surgical front-matter edits: fill or add keys in an entry file, every other byte kept.

An entry file is the curator's: ``import`` and ``resolve`` may only fill empty
fields and append to ``sources``. Re-emitting the whole front matter would
change their own values (``1.10`` -> ``1.1``, ``yes`` -> ``true``), drop their
comments and empty keys, and rewrite line ends. So the edit works on the raw
text: each top-level key's lines are found from ``yaml.compose`` marks, a
missing key is inserted at its place in ``entries.FIELD_ORDER``, an empty one
has its lines replaced (so has a partial ``date: 2017`` that a full date of that
period refines: the one value an edit may change), ``sources`` gets new
``- item`` lines after its last item, and the new lines use the file's own line
end. The result is parsed
again; if it does not give exactly the wanted front matter, the edit is
refused with one error line rather than written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from generator.core.entries import (
    FIELD_ORDER,
    Entry,
    _Loader,
    decode,
    format_entry,
    is_empty,
    read_entry_file,
)
from generator.core.errors import EntryError
from generator.core.partial_dates import more_precise

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_FENCE = re.compile(r"---[ \t]*(?:\r\n|\r|\n)?\Z")
BOM = "\ufeff"


def update_front_matter(data: bytes, before: dict[str, Any], after: dict[str, Any],
                        path: Path | str) -> bytes:
    """``data`` (an entry file whose front matter parses to ``before``) with its front matter
    made ``after`` by filling empty keys, adding missing ones and appending to ``sources``.

    Raises EntryError when that cannot be done without touching other lines.
    """
    text = decode(data, path)  # as read_entry_file decodes it: a BOM is kept, as U+FEFF
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    lines = _LINE.findall(text)
    close = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if not lines or not _FENCE.match(lines[0]) or close is None:
        raise _refusal(path, "its front matter is not a '---' block")
    newline = _ending(lines[0]) or "\n"
    front = lines[1:close]
    spans = _spans(front, path)
    edits = _edits(front, spans, before, after, newline, path)
    out = [lines[0]]
    inserts: dict[int, list[str]] = {}
    replaced: dict[int, tuple[int, list[str]]] = {}
    for kind, start, end, new in edits:
        if kind == "insert":
            inserts.setdefault(start, []).extend(new)
        else:
            replaced[start] = (end, new)
    index = 0
    while index <= len(front):
        out += inserts.get(index, [])
        if index == len(front):
            break
        if index in replaced:
            end, new = replaced[index]
            out += new
            index = end
            continue
        out.append(front[index])
        index += 1
    new = ((BOM if bom else "") + "".join(out + lines[close:])).encode("utf-8")
    _verify(new, after, path)
    return new


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def _spans(front: list[str], path: Path | str) -> dict[str, tuple[int, int, Any]]:
    """Each top-level key: (first line, line after its value, value node), indexes into ``front``."""
    source = "".join(line.rstrip("\r\n") + "\n" for line in front)
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise _refusal(path, "its front matter is not valid YAML") from exc
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise _refusal(path, "its front matter is not a mapping")
    spans = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value in spans:
            raise _refusal(path, "its front matter has a complex or repeated key")
        end = value.end_mark.line + (1 if value.end_mark.column > 0 else 0)
        spans[key.value] = (key.start_mark.line, max(end, key.start_mark.line + 1), value)
    return spans


def _edits(front: list[str], spans: dict, before: dict, after: dict, newline: str,
           path: Path | str) -> list[tuple[str, int, int, list[str]]]:
    """(``insert`` | ``replace``, first line, end line, new lines) for each key to change."""
    if before.keys() - after.keys():
        raise _refusal(path, f"a key would be removed ({', '.join(sorted(before.keys() - after.keys()))})")
    edits = []
    missing = []
    for key, value in after.items():
        if key in before and before[key] == value:
            continue
        if key not in spans:
            if not is_empty(value):
                missing.append(key)
            continue
        start, end, node = spans[key]
        old = before.get(key)
        if key == "sources" and isinstance(old, list) and old and value[:len(old)] == old:
            appended = _append_items(front, node, value[len(old):], newline)
            if appended is not None:
                edits.append(("insert", end, end, appended))
                continue
        refined = key == "date" and more_precise(old, value)
        if not is_empty(old) and not refined and not (key == "sources" and isinstance(value, list)):
            raise _refusal(path, f"{key} would be overwritten", start)
        if refined and node.start_mark.line == start and \
                (line := _value_replaced(front, node, value)) is not None:
            edits.append(("replace", start, start + 1, [line]))
            continue
        while end > start + 1 and _blank_or_comment(front[end - 1]):
            end -= 1  # keep the curator's comments after the value
        edits.append(("replace", start, end, _key_lines(key, value, newline)))
    for key in sorted(missing, key=_order):
        at = _insert_at(key, spans, len(front), path)
        edits.append(("insert", at, at, _key_lines(key, after[key], newline)))
    return edits


def _value_replaced(front: list[str], node: Any, value: Any) -> str | None:
    """The line of a one-line plain scalar with only its value replaced (``date: 2017  # y``
    keeps its spacing and comment), or None when the value is not that simple."""
    if not isinstance(node, yaml.ScalarNode) or node.style or node.start_mark.line != node.end_mark.line:
        return None
    line = front[node.start_mark.line]
    text = _key_lines("k", value, "\n")
    if len(text) != 1:
        return None
    return line[:node.start_mark.column] + text[0][len("k: "):].rstrip("\n") + line[node.end_mark.column:]


def _blank_or_comment(line: str) -> bool:
    return not line.strip() or line.startswith("#")


def _order(key: str) -> int:
    return FIELD_ORDER.index(key)


def _insert_at(key: str, spans: dict, length: int, path: Path | str) -> int:
    """Where a missing key goes: after the present known key just before it in FIELD_ORDER,
    else before the first present known key after it, else at the end of the front matter."""
    if key not in FIELD_ORDER:
        raise _refusal(path, f"{key!r} is not a key papershelf knows where to put")
    rank = _order(key)
    earlier = [k for k in spans if k in FIELD_ORDER and _order(k) < rank]
    if earlier:
        return spans[max(earlier, key=_order)][1]
    later = [k for k in spans if k in FIELD_ORDER and _order(k) > rank]
    if later:
        return spans[min(later, key=_order)][0]
    return length


def _append_items(front: list[str], node: Any, items: list[Any], newline: str) -> list[str] | None:
    """``- item`` lines in the style of the list's last item, or None when it is not a plain
    block list of one-line items (the key is then rewritten whole)."""
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        return None
    last = node.value[-1]
    if not isinstance(last, yaml.ScalarNode) or last.start_mark.line != last.end_mark.line:
        return None
    prefix = front[last.start_mark.line][:last.start_mark.column]
    if prefix.strip() != "-":
        return None
    lines = []
    for item in items:
        dumped = _key_lines("k", item, "\n")
        if len(dumped) != 1:
            return None
        lines.append(prefix + dumped[0][len("k: "):].rstrip("\n") + newline)
    return lines


def _key_lines(key: str, value: Any, newline: str) -> list[str]:
    """The lines ``format_entry`` writes for one key, with the file's own line end."""
    text = format_entry(Entry("x", {key: value}, ""))
    body = text[len("---\n"):-len("---\n")]
    return [line.rstrip("\n") + newline for line in body.splitlines(keepends=True)]


def _verify(data: bytes, after: dict[str, Any], path: Path | str) -> None:
    """Refuse an edit whose bytes, read back as every command reads an entry, do not give
    exactly the merged front matter."""
    try:
        parsed = read_entry_file(Path(path), data).entry.meta
    except EntryError as exc:
        raise _refusal(path, "the edit would not parse") from exc
    if parsed != after:
        raise _refusal(path, "the edit would not give the merged fields back")


def _refusal(path: Path | str, why: str, line: int | None = None) -> EntryError:
    return EntryError(f"cannot fill this entry without rewriting it: {why}", path=path,
                      line=line + 2 if line is not None else None,
                      hint="fill the fields by hand, or simplify its front matter")
