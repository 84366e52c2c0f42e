"""Related papers: which other papers of the list each paper's page suggests, most similar
first. tf-idf over the words of a paper's title, abstract and notes (plus its
tags), cosine similarity, at most ``LIMIT`` papers at or above ``THRESHOLD``. Pure: texts in,
lists out. ``terms`` is cheap and per paper (a build keeps it per entry); ``related_lists``
needs every paper's terms (idf depends on the whole list) and loads numpy and scipy, so a
build calls it only when some paper's terms changed."""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from generator.core.parallel import fork_map

LIMIT = 5  # related papers per page at most
THRESHOLD = 0.18  # cosine similarity below which a paper is not shown as related (tuned on tests/site)
MAX_DF = 0.05  # terms in more than this share of the papers carry little signal and cost the most
MAX_DF_FLOOR = 8  # ... but a small list keeps terms shared by up to this many papers
MIN_DF = 2  # a term of one paper alone cannot relate two papers
TITLE_WEIGHT = 2  # a title's words count this many times
TAG_WEIGHT = 1  # a shared tag counts as much as a shared word
KEEP = 60  # terms kept per paper, the heaviest
BLOCK = 128  # rows of the similarity matrix made at a time (memory: up to BLOCK x papers floats)
SETTINGS = ("tfidf-3", LIMIT, THRESHOLD, MAX_DF, MAX_DF_FLOOR, MIN_DF, TITLE_WEIGHT, TAG_WEIGHT, KEEP)

WORD = re.compile(r"[a-z][a-z0-9]+")
URL = re.compile(r"https?://\S+|\$[^$]*\$")  # links and inline LaTeX are no words
_STOP_WORDS = """
a about above across after again against all almost alone along already also although always am
among an and another any anyone anything anywhere are around as at back be became because become
becomes been before behind being below beside besides between beyond both but by can cannot could
did do does doing done down due during each either else enough etc even ever every few first for
from further get give go had has have having he her here hers herself him himself his how however i
ie if in including into is it its itself just last least less like made make many may me might more
most mostly much must my myself namely neither never nevertheless new next no nor not now of off
often on once one only onto or other others otherwise our ours ourselves out over own per perhaps
please put rather same see seem seemed seems several she should show shows shown since so some such
than that the their theirs them themselves then there thereby therefore these they this those
though three through thus to together too toward towards two under until up upon us use used uses
using very via was we well were what whatever when where whether which while who whole whom whose
why will with within without would yet you your yours yourself yourselves paper papers propose
proposed proposes present presents introduce introduces approach approaches method methods based
results result work works achieve achieves achieved significantly across existing novel demonstrate
demonstrates experiments extensive state art www http https com org
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


class Related(NamedTuple):
    """One related paper: its slug and cosine similarity (rounded as shown)."""

    slug: str
    score: float


Terms = tuple[tuple[str, ...], tuple[int, ...]]  # a paper's distinct terms and their counts


def terms(title: str, abstract: str, notes: str, tags: tuple[str, ...] = ()) -> Terms:
    """The words (stop words left out) of one paper and its tags (as ``#tag``), with their
    counts. Compact: the words are interned, so 10,000 papers' terms share one copy of each."""
    counts = Counter(_words(title) * TITLE_WEIGHT)
    counts.update(_words(abstract + "\n" + notes))
    for tag in tags if TAG_WEIGHT else ():
        counts["#" + tag.casefold()] += TAG_WEIGHT
    return tuple(map(sys.intern, counts)), tuple(counts.values())


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", URL.sub(" ", text)).casefold()
    return [w for w in WORD.findall(text) if w not in STOP_WORDS]


def related_lists(papers: Mapping[str, Terms], limit: int = LIMIT, threshold: float = THRESHOLD,
                  jobs: int = 1) -> dict[str, tuple[Related, ...]]:
    """Each paper's related papers from every paper's ``terms``: at most ``limit``, most
    similar first (ties by slug), none below ``threshold``. The same terms give the same
    lists, whatever order they come in (and however many ``jobs`` share the work)."""
    slugs = sorted(papers)
    if len(slugs) < 2:
        return {s: () for s in slugs}
    matrix = _tfidf(slugs, papers)
    transposed = matrix.T.tocsr()

    def top(starts: Sequence[int]) -> dict[str, tuple[Related, ...]]:
        found: dict[str, tuple[Related, ...]] = {}
        for start in starts:
            found.update(_top(matrix, transposed, start, slugs, limit, threshold))
        return found

    starts = range(0, len(slugs), BLOCK)
    merged: dict[str, tuple[Related, ...]] = {}
    for part in fork_map(top, starts, jobs if len(starts) > 1 else 1):
        merged.update(part)
    return {slug: merged[slug] for slug in slugs}


def _tfidf(slugs: list[str], papers: Mapping[str, Terms]):  # -> scipy.sparse.csr_matrix
    """The l2-normalised tf-idf rows of the papers (sublinear tf, smoothed idf) over the terms
    that at least MIN_DF and at most the MAX_DF share of them use (in sorted order), each row
    cut to its KEEP heaviest terms (the rest barely move a cosine, and cost the most)."""
    import numpy as np
    from scipy import sparse

    n = len(slugs)
    df: Counter[str] = Counter()
    for slug in slugs:
        df.update(papers[slug][0])
    most = max(MAX_DF * n, MAX_DF_FLOOR)
    vocabulary = sorted(t for t, count in df.items() if MIN_DF <= count <= most)
    index = {t: i for i, t in enumerate(vocabulary)}
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in vocabulary])
    sizes = [len(papers[slug][0]) for slug in slugs]
    cols = np.fromiter((index.get(t, -1) for slug in slugs for t in papers[slug][0]), np.int32, sum(sizes))
    counts = np.fromiter((c for slug in slugs for c in papers[slug][1]), np.float64, sum(sizes))
    rows = np.repeat(np.arange(n, dtype=np.int32), sizes)
    known = cols >= 0
    rows, cols = rows[known], cols[known]
    weights = (1.0 + np.log(counts[known])) * idf[cols]
    order = np.lexsort((cols, -weights, rows))  # each row's terms, heaviest first
    del known, counts
    rows, cols, weights = rows[order], cols[order], weights[order]
    kept = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left") < KEEP
    rows, cols, weights = rows[kept], cols[kept], weights[kept]
    norms = np.sqrt(np.bincount(rows, weights * weights, minlength=n))
    weights /= np.where(norms > 0, norms, 1.0)[rows]
    matrix = sparse.csr_matrix((weights.astype(np.float32), (rows, cols)), shape=(n, len(vocabulary)))
    matrix.sort_indices()
    return matrix


def _top(matrix, transposed, start: int, slugs: list[str], limit: int,
         threshold: float) -> dict[str, tuple[Related, ...]]:
    """The related lists of the papers ``start`` to ``start + BLOCK``: the similarities at or
    above ``threshold`` (few: the product stays sparse), most similar first, ties by slug."""
    import numpy as np

    block = matrix[start:start + BLOCK] @ transposed
    at = np.flatnonzero(block.data >= threshold)
    rows = np.searchsorted(block.indptr, at, side="right") - 1
    cols, scores = block.indices[at], np.round(block.data[at].astype(np.float64), 2)
    del block
    keep = cols != rows + start  # never a paper itself
    rows, cols, scores = rows[keep], cols[keep], scores[keep]
    order = np.lexsort((cols, -scores, rows))
    rows, cols, scores = rows[order], cols[order], scores[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    found: dict[str, list[Related]] = {slugs[r]: [] for r in range(start, min(start + BLOCK, len(slugs)))}
    for r, c, score in zip(rows[rank < limit].tolist(), cols[rank < limit].tolist(),
                           scores[rank < limit].tolist(), strict=True):
        found[slugs[start + r]].append(Related(slugs[c], score))
    return {slug: tuple(items) for slug, items in found.items()}
