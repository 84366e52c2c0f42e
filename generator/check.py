"""``papershelf check``: every rule of the entry schema, over every entry file."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .config import Config
from .entries import key_lines, parse_entry
from .errors import Diagnostic, EntryError, PapershelfError
from .library import entry_paths
from .site import build_model, paper_of
from .theme import load_theme
from .validate import problems


def check_entries(config: Config) -> list[Diagnostic]:
    """Errors and warnings for every entry file, in file order; duplicates of one arXiv id too."""
    found: list[Diagnostic] = []
    by_arxiv: dict[str, list[tuple[Path, int | None]]] = defaultdict(list)
    papers = []
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
        broken = False
        for severity, key, message in problems(entry.meta):
            found.append(Diagnostic(path, lines.get(key), message, severity))
            broken = broken or severity == "error"
        if not broken:
            papers.append(paper_of(path.stem, entry, str(path)))
        if isinstance(entry.get("arxiv"), str):
            by_arxiv[entry.get("arxiv")].append((path, lines.get("arxiv")))
    for arxiv_id, places in by_arxiv.items():
        for path, line in places[1:]:
            first = places[0][0].name
            found.append(Diagnostic(path, line, f"arXiv id {arxiv_id} is also in {first} "
                                    "(merge the two entries)", "error"))
    found.extend(_site_problems(config, papers))
    return found


def _site_problems(config: Config, papers: list) -> list[Diagnostic]:
    """What would stop a build beyond single entries: two pages with one URL, a missing theme."""
    found = []
    for check in (lambda: build_model(config, papers), lambda: load_theme(config)):
        try:
            check()
        except PapershelfError as exc:
            found.append(Diagnostic(exc.path or config.path, exc.line,
                                    exc.message + (f" ({exc.hint})" if exc.hint else ""), "error"))
    return found
