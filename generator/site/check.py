"""``papershelf check``: every rule of the entry schema, over every entry file.

Also what only ``check`` looks for: ``*.md`` names that are not regular files (a symbolic
link is never read) or not UTF-8 (shown with U+FFFD) or holding control characters (both
refused by build), and control characters in the text (warnings: build leaves them out).
Temporary files left by a killed import are removed on the way.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from generator.core.config import Config
from generator.core.entries import key_lines, read_entry_file
from generator.core.errors import Diagnostic, EntryError, PapershelfError
from generator.core.folder import odd_entry_error, remove_stale_temps, survey_folder
from generator.core.validate import control_characters, control_values, name_error, problems, shown_name
from generator.site.model import build_model, paper_of
from generator.site.theme import load_theme


def entry_count(config: Config) -> int:
    """How many entry files there are (regular ``*.md`` files, as ``check`` reads them)."""
    return len(survey_folder(config.papers_dir)[0])


def check_entries(config: Config) -> list[Diagnostic]:
    """Errors and warnings for every entry file, in file order; duplicates of one arXiv id
    (errors) and of one ``bibkey`` (warnings) too."""
    found: list[Diagnostic] = []
    by_arxiv: dict[str, list[tuple[Path, int | None]]] = defaultdict(list)
    by_bibkey: dict[str, list[tuple[Path, int | None]]] = defaultdict(list)
    papers = []
    folder = config.papers_dir
    names, odd, temps = survey_folder(folder)
    remove_stale_temps(folder, temps)
    for name in odd:
        exc = odd_entry_error(folder / name)
        found.append(Diagnostic(exc.path, None, f"{exc.message} ({exc.hint})", "error"))
    readable = []
    for name, _ in names:
        if (why := name_error(name)) is not None:  # build refuses such a name too
            found.append(Diagnostic(folder / shown_name(name), None, f"{why} (rename the file)", "error"))
        else:
            readable.append(folder / name)
    for path in readable:
        try:
            read = read_entry_file(path)
            text, entry = read.text, read.entry
        except FileNotFoundError:
            continue  # removed while checking
        except EntryError as exc:
            found.append(Diagnostic(path, exc.line, exc.message + (f" ({exc.hint})" if exc.hint else ""),
                                    "error", exc.column))
            continue
        lines = key_lines(text)
        broken = False
        # warnings: build leaves these characters out of every output, as import does
        for line, column, message in control_characters(text):
            found.append(Diagnostic(path, line, message, "warning", column))
        for key, message in control_values(entry.meta):
            found.append(Diagnostic(path, lines.get(key), message, "warning"))
        for severity, key, message in problems(entry.meta):
            found.append(Diagnostic(path, lines.get(key), message, severity))
            broken = broken or severity == "error"
        if not broken:
            papers.append(paper_of(path.stem, entry, str(path)))
        if isinstance(entry.get("arxiv"), str):
            by_arxiv[entry.get("arxiv")].append((path, lines.get("arxiv")))
        if isinstance(entry.get("bibkey"), str) and entry.get("bibkey").strip():
            by_bibkey[entry.get("bibkey").strip()].append((path, lines.get("bibkey")))
    found.extend(_repeats(by_arxiv, by_bibkey))
    found.extend(_site_problems(config, papers))
    return found


def _repeats(by_arxiv: dict[str, list[tuple[Path, int | None]]],
             by_bibkey: dict[str, list[tuple[Path, int | None]]]) -> list[Diagnostic]:
    """An arXiv id in two entries (an error: one paper, two entries) and a ``bibkey`` in two
    (a warning: papers.bib keeps its keys unique by adding their slugs to the later papers')."""
    found = []
    for arxiv_id, places in by_arxiv.items():
        for path, line in places[1:]:
            found.append(Diagnostic(path, line, f"arXiv id {arxiv_id} is also in {places[0][0].name} "
                                    "(merge the two entries)", "error"))
    for bibkey, places in by_bibkey.items():
        for path, line in places[1:]:
            found.append(Diagnostic(path, line, f"bibkey {bibkey} is also in {places[0][0].name} (papers.bib "
                                    "adds a slug to all but one; give each paper its own key)", "warning"))
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
