"""The related papers of every paper for one build, exact under incremental builds: each
paper's terms are made again only when its entry changed, and the lists (which depend on
every paper, through idf) only when some paper's terms changed; both kept in the build cache,
keyed by what they are made from. Then the last build's similarities are updated in the rows
the changed terms touch (``related_matrix.updated``, equal to a fresh start bit for bit), or
made again when the list of papers changed. numpy and scipy load only for that."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.build.cache_rows import CacheRows
from generator.build.facts import EntryFacts
from generator.build.store import EntryStore
from generator.core.digests import digest, digest_bytes, installed_key
from generator.core.parallel import fork_map, jobs_for
from generator.site.related import LIMIT, SETTINGS, THRESHOLD, Related, Terms, lists_of, terms
from generator.site.related_matrix import Similarities, similarities, updated

LISTS = "related-lists"  # blob: (settings, {slug: (entry digest, terms key)}, inputs key, lists, key)
TERMS = "related-terms"  # blob: {slug: (terms key, terms)}
MODEL = "related-model"  # blob: (settings, inputs key, Similarities)


@dataclass(frozen=True)
class RelatedLists:
    """Every paper's related papers, and a digest of them all (papers.json shows them)."""

    lists: Mapping[str, tuple[Related, ...]]
    key: bytes
    how: str = "cached"  # or "updated (N rows)", "made anew": what ``--debug`` says of this build's

    def page_key(self, slug: str, row_keys: Mapping[str, bytes]) -> bytes:
        """What a paper page shows of its related papers: their list rows (title and link), in
        order (not their scores: papers.json shows those)."""
        items = self.lists.get(slug, ())
        if not items:
            return b""
        return digest_bytes(r.slug.encode() + b"\0" + row_keys[r.slug] for r in items)


def related_for(records: Mapping[str, EntryFacts], store: EntryStore, rows: CacheRows,
                jobs: int = 1) -> RelatedLists:
    """The related lists of the papers of ``records``: from the cache while no paper's terms
    changed, else computed again from every paper's terms (themselves cached per entry)."""
    settings = digest(SETTINGS, installed_key(("numpy", "scipy")))
    cached = rows.blob(LISTS)
    if not (isinstance(cached, tuple) and len(cached) == 5 and cached[0] == settings):
        cached = (settings, {}, b"", {}, b"")
    known: dict[str, tuple[bytes, bytes]] = cached[1]
    keys = {slug: known[slug] for slug, facts in records.items()
            if slug in known and known[slug][0] == facts.digest}
    made = _made(records, [slug for slug in records if slug not in keys], store, jobs)
    keys.update((slug, (records[slug].digest, digest(made[slug]))) for slug in made)
    inputs = digest(settings, sorted((slug, key) for slug, (_, key) in keys.items()))
    how = "cached"
    if inputs == cached[2]:
        lists, key = cached[3], cached[4]
    else:
        everything, before = _all_terms(records, store, rows, keys, made, known)
        model, how = _model(rows, (settings, cached[2]), everything, before, jobs)
        # an update starts from the last build's model, whose lists are the cached ones
        lists = lists_of(model) if model.changed is None else {
            **cached[3], **lists_of(model, only=model.changed)}
        key = digest(sorted((slug, tuple(items)) for slug, items in lists.items()))
        rows.store_blob(TERMS, {slug: (keys[slug][1], everything[slug]) for slug in everything})
        rows.store_blob(MODEL, (settings, inputs, model))
    if made or inputs != cached[2] or len(known) != len(keys):
        rows.store_blob(LISTS, (settings, keys, inputs, lists, key))
    return RelatedLists(lists, key, how)


def _made(records: Mapping[str, EntryFacts], slugs: list[str], store: EntryStore,
          jobs: int) -> dict[str, Terms]:
    """The terms of the papers ``slugs`` from their entries (over ``jobs`` processes when
    there are many)."""
    store.preload(slugs, fragments=False)  # (workers never touch the database)

    def make(chunk: Sequence[str]) -> list[tuple[str, Terms]]:
        return [(slug, _terms(store, slug, records[slug])) for slug in chunk]

    return {slug: made for part in fork_map(make, slugs, jobs_for(len(slugs), jobs)) for slug, made in part}


def _terms(store: EntryStore, slug: str, facts: EntryFacts) -> Terms:
    """One paper's terms, from its entry: title, abstract, notes and tags."""
    entry = store.entry(slug)
    meta = entry.meta
    return terms(str(meta.get("title") or ""), str(meta.get("abstract") or ""), entry.body,
                 facts.paper.tags)


def _model(rows: CacheRows, last: tuple[bytes, bytes], everything: Mapping[str, Terms],
           before: Mapping[str, Terms] | None, jobs: int) -> tuple[Similarities, str]:
    """The similarities of ``everything``: the last build's (``last`` = its settings and
    inputs key) updated where the papers of ``before`` changed their terms, else made anew;
    and which of the two."""
    cached = rows.blob(MODEL) if before is not None else None
    if isinstance(cached, tuple) and len(cached) == 3 and cached[:2] == last \
            and isinstance(cached[2], Similarities):
        model = updated(cached[2], everything, before)
        if model is not None:
            return model, f"updated ({model.updated} rows)"
    return similarities(everything, THRESHOLD, LIMIT, jobs), "made anew"


def _all_terms(records: Mapping[str, EntryFacts], store: EntryStore, rows: CacheRows,
               keys: Mapping[str, tuple[bytes, bytes]], made: Mapping[str, Terms],
               known: Mapping[str, tuple[bytes, bytes]]) -> tuple[dict[str, Terms], dict[str, Terms] | None]:
    """Every paper's terms: made by this build, else the cached ones of the same key, else
    made from the entry (a cache that lost them). And the last build's terms of the papers
    whose terms changed (``None`` when some are unknown: a new paper, a cache that lost them)."""
    stored = rows.blob(TERMS) if len(made) < len(records) else None
    stored = stored if isinstance(stored, dict) else {}
    everything: dict[str, Terms] = {}
    before: dict[str, Terms] | None = {}
    for slug, facts in records.items():
        last = known.get(slug, (b"", b""))[1]
        seen = stored.get(slug)
        if slug in made:
            everything[slug] = made[slug]
            if before is not None and last != keys[slug][1]:
                if seen is None or seen[0] != last:
                    before = None
                else:
                    before[slug] = seen[1]
            continue
        fresh = seen is not None and seen[0] == keys[slug][1]
        everything[slug] = seen[1] if fresh else _terms(store, slug, facts)
    return everything, before
