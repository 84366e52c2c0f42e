"""``papershelf check``: every rule of the entry schema, over every entry file."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .config import Config
from .entries import key_lines, parse_entry
from .errors import Diagnostic, EntryError
from .library import entry_paths
from .validate import problems


def check_entries(config: Config) -> list[Diagnostic]:
    """Errors and warnings for every entry file, in file order; duplicates of one arXiv id too."""
    found: list[Diagnostic] = []
    by_arxiv: dict[str, list[tuple[Path, int | None]]] = defaultdict(list)
    for path in entry_paths(config.papers_dir):
        try:
            text = path.read_text(encoding="utf-8")
            entry = parse_entry(text, path)
        except UnicodeDecodeError:
            found.append(Diagnostic(path, None, "not UTF-8 text", "error"))
            continue
        except EntryError as exc:
            found.append(Diagnostic(path, exc.line, exc.message, "error", exc.column))
            continue
        lines = key_lines(text)
        for severity, key, message in problems(entry.meta):
            found.append(Diagnostic(path, lines.get(key), message, severity))
        if isinstance(entry.get("arxiv"), str):
            by_arxiv[entry.get("arxiv")].append((path, lines.get("arxiv")))
    for arxiv_id, places in by_arxiv.items():
        for path, line in places[1:]:
            first = places[0][0].name
            found.append(Diagnostic(path, line, f"arXiv id {arxiv_id} is also in {first} "
                                    "(merge the two entries)", "error"))
    return found
