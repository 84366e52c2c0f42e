"""The related papers of every paper for one build, exact under incremental builds: each
paper's terms are made again only when its entry changed, and the lists (which depend on
every paper, through idf) only when some paper's terms changed; both kept in the build cache,
keyed by what they are made from. numpy and scipy load only for that recomputation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.build.cache_rows import CacheRows
from generator.build.facts import EntryFacts
from generator.build.store import EntryStore
from generator.core.digests import digest, digest_bytes, installed_key
from generator.site.related import SETTINGS, Related, related_lists, terms

LISTS = "related-lists"  # blob: (settings, {slug: (entry digest, terms key)}, inputs key, lists, key)
TERMS = "related-terms"  # blob: {slug: (terms key, terms)}


@dataclass(frozen=True)
class RelatedLists:
    """Every paper's related papers, and a digest of them all (papers.json shows them)."""

    lists: Mapping[str, tuple[Related, ...]]
    key: bytes

    def page_key(self, slug: str, row_keys: Mapping[str, bytes]) -> bytes:
        """What a paper page shows of its related papers: their list rows (title and link), in
        order (not their scores: papers.json shows those)."""
        items = self.lists.get(slug, ())
        if not items:
            return b""
        return digest_bytes(r.slug.encode() + b"\0" + row_keys[r.slug] for r in items)


def related_for(records: Mapping[str, EntryFacts], store: EntryStore, rows: CacheRows) -> RelatedLists:
    """The related lists of the papers of ``records``: from the cache while no paper's terms
    changed, else computed again from every paper's terms (themselves cached per entry)."""
    settings = digest(SETTINGS, installed_key(("numpy", "scipy")))
    cached = rows.blob(LISTS)
    if not (isinstance(cached, tuple) and len(cached) == 5 and cached[0] == settings):
        cached = (settings, {}, b"", {}, b"")
    known: dict[str, tuple[bytes, bytes]] = cached[1]
    keys: dict[str, tuple[bytes, bytes]] = {}
    made: dict[str, dict[str, int]] = {}
    for slug, facts in records.items():
        seen = known.get(slug)
        if seen is not None and seen[0] == facts.digest:
            keys[slug] = seen
        else:
            made[slug] = _terms(store, slug, facts)
            keys[slug] = (facts.digest, digest(made[slug]))
    inputs = digest(settings, sorted((slug, key) for slug, (_, key) in keys.items()))
    if inputs == cached[2]:
        lists, key = cached[3], cached[4]
    else:
        everything = _all_terms(records, store, rows, keys, made)
        lists = related_lists(everything)
        key = digest(sorted((slug, tuple(items)) for slug, items in lists.items()))
        rows.store_blob(TERMS, {slug: (keys[slug][1], everything[slug]) for slug in everything})
    if made or inputs != cached[2] or len(known) != len(keys):
        rows.store_blob(LISTS, (settings, keys, inputs, lists, key))
    return RelatedLists(lists, key)


def _terms(store: EntryStore, slug: str, facts: EntryFacts) -> dict[str, int]:
    """One paper's terms, from its entry: title, abstract, notes and tags."""
    entry = store.entry(slug)
    meta = entry.meta
    return terms(str(meta.get("title") or ""), str(meta.get("abstract") or ""), entry.body,
                 facts.paper.tags)


def _all_terms(records: Mapping[str, EntryFacts], store: EntryStore, rows: CacheRows,
               keys: Mapping[str, tuple[bytes, bytes]],
               made: Mapping[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Every paper's terms: made by this build, else the cached ones of the same key, else
    made from the entry (a cache that lost them)."""
    stored = rows.blob(TERMS) if len(made) < len(records) else None
    stored = stored if isinstance(stored, dict) else {}
    everything = {}
    for slug, facts in records.items():
        if slug in made:
            everything[slug] = made[slug]
            continue
        seen = stored.get(slug)
        fresh = seen is not None and seen[0] == keys[slug][1]
        everything[slug] = seen[1] if fresh else _terms(store, slug, facts)
    return everything
