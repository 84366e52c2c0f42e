"""The arithmetic behind related papers: each paper's tf-idf row, and its most similar papers
at or above the threshold (three times as many as shown). Kept between builds as a
``Similarities`` value, so that a one-note edit recomputes only the rows it touched instead
of every paper against every other.

An updated value equals, bit for bit, one made from scratch over the same terms: a row is
weighted by the same function whichever rows are weighted with it, and a similarity is the
same float32 sparse product of the same two rows (row ``i`` against the transpose, summed in
the order of row ``i``'s columns), whichever other rows are multiplied with it. The rows an
edit touches are its paper's and those of every paper sharing a term whose document
frequency moved (their idf moved), plus any paper whose kept pairs, once those rows' are
dropped, no longer tell its first ones; a change of the list of papers, which moves every
idf, is recomputed whole."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from generator.core.parallel import fork_map

MAX_DF = 0.05  # terms in more than this share of the papers carry little signal and cost the most
MAX_DF_FLOOR = 8  # ... but a small list keeps terms shared by up to this many papers
MIN_DF = 2  # a term of one paper alone cannot relate two papers
KEEP = 60  # terms kept per paper, the heaviest
BLOCK = 128  # rows of the similarity matrix made at a time (memory: up to BLOCK x papers floats)
MAX_TOUCHED = 0.2  # past this share of rows touched, an update costs what a fresh start does
KEPT_PER_DEPTH = 3  # pairs kept per paper, in multiples of the pairs shown: an edit that drops
# some from a paper's list still leaves enough to know its first ones without a new product
MATRIX_SETTINGS = (MAX_DF, MAX_DF_FLOOR, MIN_DF, KEEP)  # what the numbers depend on

Terms = tuple[tuple[str, ...], tuple[int, ...]]  # a paper's distinct terms and their counts
Pairs = tuple[Any, Any, Any]  # numpy arrays: rows, columns, scores in hundredths (int16)


@dataclass(frozen=True)
class Similarities:
    """The papers' tf-idf matrix and, for each paper, the papers most similar to it at or above
    ``threshold``: ``pairs`` ordered by row, score (highest first), then column, rows and
    columns being positions in ``slugs`` (sorted), scores in hundredths. A row ``cut`` holds
    the exact first of its pairs, at least ``depth`` of them; any other row holds them all."""

    slugs: tuple[str, ...]
    threshold: float
    depth: int
    df: dict[str, int]  # how many papers use each term
    vocabulary: tuple[str, ...]  # the matrix's columns, sorted
    matrix: Any  # scipy.sparse.csr_matrix, float32, rows of length 1 (or empty)
    pairs: Pairs
    cut: Any  # numpy bool per row
    updated: int = 0  # rows made again by the update that gave this model
    changed: Any = None  # rows whose pairs that update may have changed (None: all, a fresh start)


def similarities(papers: Mapping[str, Terms], threshold: float, depth: int, jobs: int = 1) -> Similarities:
    """The model of ``papers`` (slug -> terms) from scratch, keeping at least ``depth`` pairs
    per paper; the products over ``jobs`` processes."""
    slugs = tuple(sorted(papers))
    df: Counter[str] = Counter()
    for slug in slugs:
        df.update(papers[slug][0])
    vocabulary = _vocabulary(df, len(slugs))
    matrix = _matrix(_weights([papers[s] for s in slugs], vocabulary, df, len(slugs)),
                     len(slugs), len(vocabulary))
    model = Similarities(slugs, threshold, depth, dict(df), vocabulary, matrix, _no_pairs(),
                         _no_cut(len(slugs)))
    return _with_rows(model, range(len(slugs)), jobs)


def updated(model: Similarities, papers: Mapping[str, Terms],
            before: Mapping[str, Terms]) -> Similarities | None:
    """``model`` brought up to ``papers``, whose papers ``before`` had those terms then (every
    other paper's terms are the model's); ``None`` when the list of papers changed or the edit
    touches so many rows that starting over costs the same (then call ``similarities``)."""
    import numpy as np

    slugs = tuple(sorted(papers))
    if slugs != model.slugs:
        return None
    n = len(slugs)
    df = _moved_df(model.df, papers, before)
    moved = {t for slug in before for t in (*before[slug][0], *papers[slug][0])
             if _counts(model.df.get(t, 0), n) or _counts(df.get(t, 0), n)}
    moved = {t for t in moved if model.df.get(t, 0) != df.get(t, 0)}
    touched = sorted({i for i, slug in enumerate(slugs)
                      if slug in before or (moved and not moved.isdisjoint(papers[slug][0]))})
    if len(touched) > MAX_TOUCHED * n:
        return None
    vocabulary = _vocabulary(df, n) if any(
        _counts(model.df.get(t, 0), n) != _counts(df.get(t, 0), n) for t in moved) else model.vocabulary
    rows = np.array(touched, dtype=np.int32)
    matrix = _patched(model, vocabulary, rows,
                      _weights([papers[slugs[i]] for i in touched], vocabulary, df, n))
    everyone = np.arange(n, dtype=np.int32)
    theirs = _pairs(matrix @ matrix[rows].T.tocsr(), everyone, rows, model.threshold)  # (u, touched)
    pairs, cut, changed = _merged(model, rows, theirs)
    model = replace(model, df=df, vocabulary=vocabulary, matrix=matrix, pairs=pairs, cut=cut)
    rank = np.bincount(pairs[0], minlength=n)
    short = np.flatnonzero(cut & (rank < model.depth))  # too few exact pairs left: made again
    again = np.union1d(rows, short).astype(np.int32)
    return replace(_with_rows(model, again), updated=len(again), changed=np.union1d(again, changed))


def _merged(model: Similarities, rows, theirs: Pairs) -> tuple[Pairs, Any, Any]:
    """The model's pairs of the rows not in ``rows``, without the papers ``rows``, merged with
    their new pairs with those papers ``theirs``; only the rows that lose or gain a pair are
    sorted again. In a cut row, no pair after its last kept one can be known (a pair it
    dropped may come first), so none is kept. Also gives the new cut flags and the rows
    whose pairs changed."""
    import numpy as np

    old_rows, old_cols, _ = model.pairs
    in_rows = np.isin(old_rows, rows)
    lost = np.isin(old_cols, rows)
    new = ~np.isin(theirs[0], rows)
    changed = np.union1d(old_rows[lost & ~in_rows], theirs[0][new])
    mine = np.isin(old_rows, changed)
    parts = [tuple(a[mine & ~lost] for a in model.pairs), tuple(a[new] for a in theirs)]
    merged_rows, merged_cols, scores = _joined(parts)
    known = np.concatenate([np.ones(len(parts[0][0]), bool), np.zeros(len(parts[1][0]), bool)])
    order = np.lexsort((merged_cols, -scores, merged_rows))
    merged_rows, merged_cols, scores, known = (a[order] for a in (merged_rows, merged_cols, scores, known))
    last_known = np.full(len(model.slugs), -1)
    np.maximum.at(last_known, merged_rows[known], np.flatnonzero(known))
    sure = ~model.cut[merged_rows] | (np.arange(len(merged_rows)) <= last_known[merged_rows])
    pairs, cut_rows = _best((merged_rows[sure], merged_cols[sure], scores[sure]), model.depth)
    cut = model.cut.copy()
    cut[cut_rows] = True
    same = ~in_rows & ~mine
    return _by_row([tuple(a[same] for a in model.pairs), pairs]), cut, changed


def _with_rows(model: Similarities, rows: Sequence[int], jobs: int = 1) -> Similarities:
    """``model`` with the pairs of ``rows`` made again from its matrix, in blocks over
    ``jobs`` processes."""
    import numpy as np

    everyone = np.arange(len(model.slugs), dtype=np.int32)
    rows = np.asarray(rows, dtype=np.int32)
    transposed = model.matrix.T.tocsr()

    def products(starts: Sequence[int]) -> list[tuple[Pairs, Any]]:  # each block's rows whole: cut here
        return [_best(_pairs(model.matrix[rows[start:start + BLOCK]] @ transposed, rows[start:start + BLOCK],
                             everyone, model.threshold), model.depth) for start in starts]

    starts = range(0, len(rows), BLOCK)
    found = [p for part in fork_map(products, starts, jobs if len(starts) > 1 else 1) for p in part]
    others = ~np.isin(model.pairs[0], rows)
    cut = model.cut.copy()
    cut[rows] = False
    for _, cut_rows in found:
        cut[cut_rows] = True
    pairs = _by_row([tuple(a[others] for a in model.pairs), *(p for p, _ in found)])
    return replace(model, pairs=pairs, cut=cut)


def _counts(df: int, n: int) -> bool:
    """Whether a term used by ``df`` of ``n`` papers is one of the matrix's columns."""
    return MIN_DF <= df <= max(MAX_DF * n, MAX_DF_FLOOR)


def _vocabulary(df: Mapping[str, int], n: int) -> tuple[str, ...]:
    return tuple(sorted(t for t, count in df.items() if _counts(count, n)))


def _moved_df(df: Mapping[str, int], papers: Mapping[str, Terms],
              before: Mapping[str, Terms]) -> dict[str, int]:
    """``df`` with the papers of ``before`` counted with their new terms instead."""
    moved = dict(df)
    for slug, (words, _) in before.items():
        for t in words:
            moved[t] -= 1
            if not moved[t]:
                del moved[t]
        for t in papers[slug][0]:
            moved[t] = moved.get(t, 0) + 1
    return moved


def _weights(rows: Sequence[Terms], vocabulary: Sequence[str], df: Mapping[str, int], n: int):
    """The l2-normalised tf-idf weights (sublinear tf, smoothed idf) of ``rows`` over the
    ``vocabulary`` columns, each row cut to its KEEP heaviest terms (the rest barely move a
    cosine, and cost the most): (row positions, columns, float32 weights). A row's weights
    depend on its own terms and their df only, never on the other rows given."""
    import numpy as np

    index = {t: i for i, t in enumerate(vocabulary)}
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in vocabulary])
    sizes = [len(words) for words, _ in rows]
    cols = np.fromiter((index.get(t, -1) for words, _ in rows for t in words), np.int32, sum(sizes))
    counts = np.fromiter((c for _, row in rows for c in row), np.float64, sum(sizes))
    positions = np.repeat(np.arange(len(rows), dtype=np.int32), sizes)
    known = cols >= 0
    positions, cols = positions[known], cols[known]
    weights = (1.0 + np.log(counts[known])) * idf[cols]
    order = np.lexsort((cols, -weights, positions))  # each row's terms, heaviest first
    positions, cols, weights = positions[order], cols[order], weights[order]
    kept = np.arange(len(positions)) - np.searchsorted(positions, positions, side="left") < KEEP
    positions, cols, weights = positions[kept], cols[kept], weights[kept]
    norms = np.sqrt(np.bincount(positions, weights * weights, minlength=len(rows)))
    weights /= np.where(norms > 0, norms, 1.0)[positions]
    return positions, cols, weights.astype(np.float32)


def _matrix(weights, n: int, width: int):  # -> scipy.sparse.csr_matrix
    from scipy import sparse

    rows, cols, values = weights
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(n, width))
    matrix.sort_indices()
    return matrix


def _patched(model: Similarities, vocabulary: tuple[str, ...], rows, weights):
    """The model's matrix over ``vocabulary`` with ``rows`` replaced by ``weights`` (whose
    row positions count within ``rows``)."""
    import numpy as np

    old = model.matrix.tocoo()
    old_rows, old_cols, old_values = old.row, old.col, old.data
    if vocabulary is not model.vocabulary:  # columns renumbered; the kept rows use none that left
        index = {t: i for i, t in enumerate(vocabulary)}
        old_cols = np.array([index.get(t, -1) for t in model.vocabulary], dtype=np.int32)[old_cols]
    kept = ~np.isin(old_rows, rows)
    new_rows, new_cols, new_values = weights
    return _matrix((np.concatenate([old_rows[kept], rows[new_rows]]),
                    np.concatenate([old_cols[kept], new_cols]),
                    np.concatenate([old_values[kept], new_values])), len(model.slugs), len(vocabulary))


def _pairs(block, row_ids, col_ids, threshold: float) -> Pairs:
    """The entries of a product ``block`` (its rows are papers ``row_ids``, its columns
    papers ``col_ids``) at or above ``threshold``, a paper with itself left out; scores in
    hundredths (rounded as shown)."""
    import numpy as np

    at = np.flatnonzero(block.data >= threshold)
    rows = row_ids[np.searchsorted(block.indptr, at, side="right") - 1]
    cols = col_ids[block.indices[at]]
    scores = np.rint(block.data[at].astype(np.float64) * 100).astype(np.int16)
    other = rows != cols
    return rows[other], cols[other], scores[other]


def _joined(parts: Sequence[Pairs]) -> Pairs:
    import numpy as np

    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))  # type: ignore[return-value]


def _by_row(parts: Sequence[Pairs]) -> Pairs:
    """Pairs of disjoint sets of rows, each in order, as one in order (a stable sort by row)."""
    import numpy as np

    rows, cols, scores = _joined(parts)
    order = np.argsort(rows, kind="stable")
    return rows[order], cols[order], scores[order]


def _best(pairs: Pairs, depth: int) -> tuple[Pairs, Any]:
    """``pairs`` by row, score (highest first), then column, each row cut to its first
    ``KEPT_PER_DEPTH * depth``; and the rows that lost some."""
    import numpy as np

    rows, cols, scores = pairs
    order = np.lexsort((cols, -scores, rows))
    rows, cols, scores = rows[order].astype(np.int32), cols[order].astype(np.int32), scores[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    kept = rank < KEPT_PER_DEPTH * depth
    return (rows[kept], cols[kept], scores[kept]), np.unique(rows[~kept])


def _no_pairs() -> Pairs:
    import numpy as np

    return np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.int16)


def _no_cut(n: int):
    import numpy as np

    return np.zeros(n, bool)
