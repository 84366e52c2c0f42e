"""Related papers: which other papers of the list each paper's page suggests, most similar
first. tf-idf over the words of a paper's title, abstract and notes (plus its
tags), cosine similarity, at most ``LIMIT`` papers at or above ``THRESHOLD``. Pure: texts in,
lists out. ``terms`` is cheap and per paper (a build keeps it per entry); ``related_lists``
needs every paper's terms (idf depends on the whole list) and loads numpy and scipy, so a
build calls it only when some paper's terms changed, and then updates the last build's
similarities (``related_matrix.updated``) when it can, rather than starting over."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Mapping
from typing import NamedTuple

from generator.site.related_matrix import MATRIX_SETTINGS, Similarities, Terms, similarities

LIMIT = 5  # related papers per page at most
THRESHOLD = 0.18  # cosine similarity below which a paper is not shown as related (tuned on tests/site)
TITLE_WEIGHT = 2  # a title's words count this many times
TAG_WEIGHT = 1  # a shared tag counts as much as a shared word
SETTINGS = ("tfidf-5", LIMIT, THRESHOLD, TITLE_WEIGHT, TAG_WEIGHT, *MATRIX_SETTINGS)

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
    return lists_of(similarities(papers, threshold, limit, jobs), limit)


def lists_of(model: Similarities, limit: int = LIMIT, only=None) -> dict[str, tuple[Related, ...]]:
    """The related lists a model of the papers' similarities gives: each paper's first
    ``limit`` pairs (the model keeps them most similar first, ties by slug); of the papers
    at positions ``only`` (a numpy array), if given."""
    import numpy as np

    assert limit <= model.depth, "the model knows fewer pairs per paper than asked"
    rows, cols, scores = model.pairs
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    top = rank < limit
    if only is not None:
        top &= np.isin(rows, only)
    slugs = model.slugs
    positions = range(len(slugs)) if only is None else only.tolist()
    found: dict[str, list[Related]] = {slugs[r]: [] for r in positions}
    for r, c, score in zip(rows[top].tolist(), cols[top].tolist(), scores[top].tolist(), strict=True):
        found[slugs[r]].append(Related(slugs[c], score / 100))
    return {slug: tuple(items) for slug, items in found.items()}
