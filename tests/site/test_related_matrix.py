"""Updating the similarities after an edit gives the model a fresh start gives, bit for bit:
the matrix, the df, the vocabulary and every pair, for every kind of edit (a new rare word, a
word that joins or leaves the vocabulary, a word whose df moves, counts only, several papers
at once), on a corpus whose words follow a Zipf law like real abstracts."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from generator.site import related_matrix
from generator.site.related import LIMIT, THRESHOLD, lists_of
from generator.site.related_matrix import Similarities, similarities, updated

WORDS = [f"w{i}" for i in range(4000)]
ZIPF = [1 / (rank + 1) for rank in range(len(WORDS))]


TOPICS = 40  # papers of one topic share its words, so many have more similar papers than shown


def corpus(n: int, seed: int = 7) -> dict[str, tuple[tuple[str, ...], tuple[int, ...]]]:
    """``n`` papers of 40 to 120 words drawn by a Zipf law (a few words in most papers, most
    words in few), plus 10 to 30 words of one of ``TOPICS`` topics (60 words each)."""
    rng = random.Random(seed)
    papers = {}
    for i in range(n):
        topic = rng.randrange(TOPICS)
        words = rng.choices(WORDS, ZIPF, k=rng.randint(40, 120))
        counts = Counter(words + rng.choices([f"t{topic}x{j}" for j in range(60)], k=rng.randint(10, 30)))
        papers[f"p{i:05d}"] = (tuple(counts), tuple(counts.values()))
    return papers


def assert_same(got: Similarities, fresh: Similarities) -> None:
    assert got.slugs == fresh.slugs and got.vocabulary == fresh.vocabulary and got.df == fresh.df
    for name in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(got.matrix, name), getattr(fresh.matrix, name)), name
    assert got.matrix.data.tobytes() == fresh.matrix.data.tobytes()
    assert lists_of(got) == lists_of(fresh)
    for row in range(len(fresh.slugs)):  # each row the exact first of the fresh row's pairs
        mine, theirs = (tuple(a[m.pairs[0] == row].tolist() for a in m.pairs[1:]) for m in (got, fresh))
        if got.cut[row]:
            assert mine[0] == theirs[0][:len(mine[0])] and mine[1] == theirs[1][:len(mine[1])]
            assert len(mine[0]) >= min(LIMIT, len(theirs[0]))
        else:
            assert mine == theirs and not fresh.cut[row]


def edited(papers, slug: str, add: dict[str, int] = {}, drop: tuple[str, ...] = ()):  # noqa: B006
    words, counts = papers[slug]
    merged = Counter(dict(zip(words, counts, strict=True)))
    merged.update(add)
    for word in drop:
        del merged[word]
    return {**papers, slug: (tuple(merged), tuple(merged.values()))}


def df_of(papers, word: str) -> int:
    return sum(word in words for words, _ in papers.values())


@pytest.fixture(scope="module")
def base():
    papers = corpus(1500)
    return papers, similarities(papers, THRESHOLD, LIMIT)


def check(base, after, slugs) -> Similarities:
    papers, model = base
    got = updated(model, after, {slug: papers[slug] for slug in slugs})
    assert got is not None
    assert_same(got, similarities(after, THRESHOLD, LIMIT))
    assert_changed_rows_tell(model, got)
    return got


def assert_changed_rows_tell(model: Similarities, got: Similarities) -> None:
    """The lists of the rows an update says it changed, over the old lists, are the new lists."""
    assert {**lists_of(model), **lists_of(got, only=got.changed)} == lists_of(got)


def test_a_new_word_of_one_paper_changes_its_row_only(base):
    papers, model = base
    after = edited(papers, "p00042", {"neverseenbefore": 1})
    got = check(base, after, ["p00042"])
    assert got.vocabulary is model.vocabulary  # nothing moved: the columns kept


def test_a_word_that_joins_the_vocabulary_renumbers_the_columns(base):
    papers, _ = base
    lonely = next(w for w in WORDS[::-1] if df_of(papers, w) == 1)
    owner = next(s for s, (words, _) in papers.items() if lonely in words)
    other = "p00007" if owner != "p00007" else "p00008"
    after = edited(papers, other, {lonely: 3})
    got = check(base, after, [other])
    assert lonely in got.vocabulary and lonely not in base[1].vocabulary


def test_a_word_that_leaves_the_vocabulary(base):
    papers, _ = base
    pair = next(w for w in WORDS[::-1] if df_of(papers, w) == 2)
    owner = next(s for s, (words, _) in papers.items() if pair in words)
    got = check(base, edited(papers, owner, drop=(pair,)), [owner])
    assert pair not in got.vocabulary


def test_a_shared_word_moves_the_rows_of_every_paper_using_it(base):
    papers, model = base
    word = next(w for w in WORDS[200:] if 10 <= df_of(papers, w) <= 40)
    slug = next(s for s, (words, _) in papers.items() if word not in words)
    after = edited(papers, slug, {word: 2})
    got = check(base, after, [slug])
    moved = [i for i in range(len(got.slugs)) if not np.array_equal(got.matrix[i].data, model.matrix[i].data)]
    assert len(moved) > 5  # the papers using the word weigh it anew


def test_counts_only_and_several_papers_at_once(base):
    papers, _ = base
    slug = "p00100"
    after = edited(papers, slug, {papers[slug][0][0]: 5})
    after = edited(after, "p00200", {"neverseen": 1, "w3000": 2}, drop=(papers["p00200"][0][-1],))
    after = edited(after, "p01499", drop=papers["p01499"][0][:10])
    check(base, after, [slug, "p00200", "p01499"])


def test_many_random_edits_in_a_row_stay_exact(base):
    """Words of any frequency added and dropped, and papers moved from one topic to another
    (which takes them out of many lists that held more papers than they show)."""
    papers, model = base
    rng = random.Random(3)
    started_over = 0
    for _ in range(30):
        slugs = rng.sample(sorted(papers), rng.randint(1, 3))
        after = papers
        for slug in slugs:
            words = after[slug][0]
            added = {rng.choice(WORDS): rng.randint(1, 3) for _ in range(rng.randint(0, 4))}
            dropped = tuple(rng.sample(words, min(len(words) - 1, rng.randint(0, 3))))
            if rng.random() < 0.5:  # to another topic
                added.update({f"t{rng.randrange(TOPICS)}x{j}": 2 for j in range(0, 60, 3)})
                dropped = tuple({*dropped, *(w for w in words if w.startswith("t"))})
            after = edited(after, slug, added, drop=dropped)
        got = updated(model, after, {slug: papers[slug] for slug in slugs})
        fresh = similarities(after, THRESHOLD, LIMIT)
        if got is None:  # too many rows touched: the caller starts over
            got, started_over = fresh, started_over + 1
        else:
            assert_changed_rows_tell(model, got)
        assert_same(got, fresh)
        papers, model = after, got
    assert started_over <= 20  # most were updates (moving topic touches half of this small list)


def test_a_changed_list_of_papers_or_too_many_rows_start_over(base, monkeypatch):
    papers, model = base
    fewer = {s: t for s, t in papers.items() if s != "p00001"}
    assert updated(model, fewer, {}) is None
    common = max(WORDS[:300], key=lambda w: df_of(papers, w) <= 75 and df_of(papers, w))
    slug = next(s for s, (words, _) in papers.items() if common not in words)
    monkeypatch.setattr(related_matrix, "MAX_TOUCHED", 0.01)
    assert updated(model, edited(papers, slug, {common: 1}), {slug: papers[slug]}) is None


def test_the_model_over_several_processes_is_the_same(base, monkeypatch):
    papers, model = base
    monkeypatch.setattr(related_matrix, "BLOCK", 100)
    assert_same(similarities(papers, THRESHOLD, LIMIT, jobs=2), model)


def test_a_paper_whose_shown_papers_all_drift_away_is_listed_anew(base):
    """A paper with more similar papers than kept: all it kept drift away from it (counts
    only, so no df moves and its own row is not touched). What it kept no longer tells its
    first papers: its pairs are made again."""
    papers, model = base
    row = int(np.flatnonzero(model.cut)[0])
    mine = set(papers[model.slugs[row]][0])
    kept = [model.slugs[c] for c in model.pairs[1][model.pairs[0] == row].tolist()]
    after = papers
    for slug in kept:
        own = next(w for w in after[slug][0] if w not in mine)
        after = edited(after, slug, {own: 40})
    got = check(base, after, kept)
    assert lists_of(got)[model.slugs[row]] != lists_of(model)[model.slugs[row]]
