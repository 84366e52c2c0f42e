"""The builds behind ``serve``: one full build, then quick rebuilds of what was edited.

The preview server only calls a builder; this module makes that builder from a site
folder and its build options. A rebuild re-reads site.yaml, trusts the outputs of the
build before it and keeps that build's state in memory, leaving the cache write to
``settle`` (after open pages were told to reload). When only entry files changed, the
build looks at those alone; any other change (a template, site.yaml) means everything.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path

from generator.build.cache import BuildState
from generator.build.driver import BuildOptions, BuildReport
from generator.build.driver import build as build_site
from generator.core.config import Config, load_config
from generator.core.errors import PapershelfError

Build = Callable[..., tuple[BuildReport, BuildState]]  # build.driver.build's shape


def entry_changes(changed: Collection[str], papers_dir: Path) -> list[str] | None:
    """The changed entry files, or None (look at everything) when anything else changed."""
    papers = str(papers_dir.resolve())
    if all(os.path.dirname(os.path.abspath(path)) == papers for path in changed):
        return list(changed)
    return None


class Rebuilder:
    """Builds a site into ``options.out`` again and again, keeping the last build's state.

    Files changed since the last successful build are remembered: after a failed rebuild
    the next one looks at them again, whatever changed in between.
    """

    def __init__(self, root: Path, options: BuildOptions, build: Build = build_site) -> None:
        self.root = root
        self.options = options
        self.build = build
        self.state: BuildState | None = None
        self.unbuilt: set[str] = set()  # changed since the last successful build

    def __call__(self, changed: list[str] | None = None, search: bool = False) -> tuple[bool, str]:
        """Build everything (``changed`` None) or after ``changed`` paths were edited; the search
        index only when ``search`` and the options allow it. Returns (files written or deleted,
        the build's summary line)."""
        config = load_config(self.root)
        if changed is not None:
            self.unbuilt.update(changed)
        quick = changed is not None
        options = replace(self.options, search=search and self.options.search, trust_outputs=quick,
                          defer_save=quick)
        try:
            report, self.state = self.build(config, options, self.state,
                                            changed=self._changed_entries(config) if changed else None)
        except PapershelfError:
            raise
        except Exception:
            self.state = None  # after a surprise, trust nothing kept in memory
            raise
        self.unbuilt.clear()
        return bool(report.written or report.deleted), report.summary()

    def _changed_entries(self, config: Config) -> list[str] | None:
        return entry_changes(sorted(self.unbuilt), config.papers_dir)

    def search_pages(self) -> dict[str, bytes] | None:
        """The paper pages the last build left, with their keys: what the search index is made
        from (asked with the output folder locked, so they are the pages on disk); None before
        a build succeeded."""
        state = self.state
        if state is None or state.records is None:
            return None
        return state.indexed_pages()

    def settle(self) -> None:
        """Write the build cache a rebuild left in memory (once pages are reloading)."""
        if self.state:
            self.state.commit()


@dataclass(frozen=True)
class FirstBuild:
    """How the build ``serve`` starts with went: its summary, or the error to show over the
    pages of the site built before."""

    summary: str = ""
    error: PapershelfError | None = None


def first_build(rebuilder: Rebuilder) -> FirstBuild:
    """The full build (search index included) that ``serve`` starts with. A failure is raised
    when no site was built before (there is nothing to serve), else kept to be shown."""
    try:
        return FirstBuild(summary=rebuilder(search=True)[1])
    except PapershelfError as exc:
        if not (rebuilder.options.out / "index.html").exists():
            raise
        return FirstBuild(error=exc)


def warm_up() -> None:
    """Load what the first rebuild after an edit needs, so that one is as quick as the rest."""
    import feedgen.feed  # noqa: F401
    import latex2mathml.converter  # noqa: F401

    from generator.site.notes import NotesRenderer

    NotesRenderer().render("*warm* 'up' | x |\n|---|\n| 1 |\n\n[^1]\n\n[^1]: $x$\n")
