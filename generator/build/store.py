"""Each paper's parsed entry and HTML fragments for the pages being rendered: from this
build's parsing, else from the cache, read in batches; the fragments (abstract and notes as
HTML) rendered only when their text or the renderers changed, and sent to the cache as they
come so a big build need not hold them all."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from generator.build.cache_rows import CacheRows
from generator.build.facts import Fragments
from generator.core.digests import digest, installed_key
from generator.core.entries import Entry
from generator.site.markup import text_html

if TYPE_CHECKING:
    from generator.site.notes import NotesRenderer

KeyedFragments = dict[str, tuple[bytes, Fragments]]  # slug: (key of the text, fragments)


class EntryStore:
    """Entries and fragments of papers, looked up once and kept for the build."""

    def __init__(self, rows: CacheRows, parsed: dict[str, Entry]) -> None:
        self._rows = rows
        self._parsed = parsed  # by this build
        self._entries: dict[str, Entry] = {}  # read from the cache
        self._stored: KeyedFragments = {}  # read from the cache
        self._asked: set[str] = set()  # slugs whose stored fragments were looked up
        self._notes: NotesRenderer | None = None
        self.new_fragments: KeyedFragments = {}  # rendered by this build and not yet stored

    def preload(self, slugs: Iterable[str], fragments: bool = True) -> None:
        """Read the entries (and stored fragments) of ``slugs`` from the cache in batches."""
        slugs = list(slugs)
        missing = [s for s in slugs if s not in self._parsed and s not in self._entries]
        self._entries.update(self._rows.entries(missing))
        if fragments:
            wanted = [s for s in slugs if s not in self._asked]
            self._asked.update(wanted)
            self._stored.update((slug, (key, html)) for slug, key, html in self._rows.fragments(wanted))

    def entry(self, slug: str) -> Entry:
        """The parsed entry: from this build, else from the cache."""
        if slug in self._parsed:
            return self._parsed[slug]
        if slug not in self._entries:
            self.preload([slug])
        return self._entries[slug]

    def fragments(self, slug: str) -> Fragments:
        """The abstract and notes of a paper as HTML, rendered once per text change."""
        entry = self.entry(slug)
        abstract = entry.get("abstract") or ""
        key = digest(self._renderers, abstract, entry.body)
        for known in (self.new_fragments, self._stored):
            if slug in known and known[slug][0] == key:
                return known[slug][1]
        if slug not in self._asked:  # (workers find everything asked for before they started)
            self.preload([slug])
            if slug in self._stored and self._stored[slug][0] == key:
                return self._stored[slug][1]
        if self._notes is None:
            from generator.site.notes import NotesRenderer  # Markdown loads only when a note must be rendered
            self._notes = NotesRenderer()
        html = (text_html(abstract), self._notes.render(entry.body))
        self.new_fragments[slug] = (key, html)
        return html

    def take_new_fragments(self) -> KeyedFragments:
        """The fragments rendered since the last call (a render worker sends them back)."""
        made, self.new_fragments = self.new_fragments, {}
        return made

    def keep_fragments(self, made: KeyedFragments) -> None:
        """Write fragments to the cache now and forget them here: what needs them again
        reads them back."""
        self._rows.store_fragments(made)
        self._asked.difference_update(made)

    @functools.cached_property
    def _renderers(self) -> tuple:
        """The installed Markdown and MathML converters and sanitiser, and what the sanitiser
        allows: fragments are remade when any of them changes."""
        from generator.site.sanitize import policy_key

        return installed_key(("markdown", "latex2mathml", "nh3")), policy_key()
