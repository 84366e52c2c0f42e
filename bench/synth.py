"""A deterministic synthetic reading list: entry files, and the same papers as HF and arXiv dumps.

Sizes follow a real reading list: a ~10-word title, a ~1.3k-character abstract,
~0.4k characters of notes with a list, a link and a small table, LaTeX in about
one abstract and one note in ten, 3 of 60 tags, a mix of statuses and ratings,
dates spread over 2019-2025. Word frequencies are Zipf-like over a vocabulary
of common terms plus a long tail of rare ones, so a search index is as big as a
real one. The same seed gives the same bytes.

What related-paper lists and author and organisation pages feed on is there too:
each paper belongs to one of ``TOPICS`` research topics, and about a quarter of
the words of its abstract and notes come from that topic's own vocabulary (so
papers of a topic resemble each other, as real ones do); 70% of papers list 1-15
authors drawn from a pool of ~3N names with Zipf-Mandelbrot weights (a few
prolific authors, a long tail of one-paper authors); half name a Hugging Face
organisation (``org``/``org_handle``).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from generator.core.entries import Entry, format_entry

SEED = 20240514
SEARCH_WORD = "hallucination"  # in ~7% of papers: the search query of the download figure



def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


COMMON = _split(
    "model language training data attention transformer reasoning benchmark performance learning "
    "inference tokens layers parameters scaling alignment evaluation retrieval generation vision "
    "agents policy reward optimization gradient pretraining fine-tuning context memory latency "
    "throughput accuracy robustness safety efficiency sparsity experts routing quantization "
    "distillation compression decoding sampling search planning tools code mathematics proofs "
    "theorem multimodal images video speech audio graphs embeddings representations datasets "
    "annotation supervision feedback preference instruction chat dialogue summarization translation "
    "classification segmentation detection diffusion adapter kernel hardware cluster communication "
    "pipeline sharding precision stability convergence generalization transfer curriculum synthetic "
    "verification hallucination calibration uncertainty interpretability circuits probing steering "
    "jailbreak privacy fairness bias multilingual tokenizer vocabulary positional rotary window cache"
)
ADJECTIVES = _split(
    "efficient scalable robust sparse dense adaptive hierarchical contrastive causal unified "
    "lightweight open-source multilingual long-context low-rank mixture-based self-supervised "
    "reinforced modular recursive compositional faithful interpretable structured generative "
    "discriminative latent implicit explicit parallel distributed federated continual zero-shot few-shot"
)
VERBS = _split(
    "improves outperforms reduces enables scales accelerates stabilizes unifies simplifies extends "
    "generalizes matches surpasses preserves compresses aligns grounds decomposes verifies bootstraps"
)
TASKS = _split(
    "question answering|code generation|theorem proving|machine translation|image captioning|"
    "visual question answering|long-document summarization|mathematical reasoning|tool use|"
    "web navigation|speech recognition|protein folding|retrieval-augmented generation|"
    "instruction following|text-to-image synthesis|program repair|table understanding|"
    "open-domain dialogue|video understanding|molecule design",
    "|",
)
ORGS = (("deepseek-ai", "DeepSeek"), ("google", "Google"), ("meta-llama", "Meta Llama"),
        ("Qwen", "Qwen"), ("allenai", "Ai2"), ("microsoft", "Microsoft"), ("nvidia", "NVIDIA"),
        ("mistralai", "Mistral AI"), ("HuggingFaceTB", "Hugging Face Smol Models Research"),
        ("openbmb", "OpenBMB"), ("THUDM", "Z.ai"), ("apple", "Apple"))
SYLLABLES = _split("ka ro mi zu te vo la ne shi pa dri quo ven tal mor xe fi gan bel sor "
             "lu pre nox zen hal cor vir ast mel tor")
LATEX = (r"$O(n \log n)$", r"$\alpha = 0.5$", r"$\mathbb{R}^{d}$", r"$x_t \sim p_\theta$",
         r"$\sum_{i=1}^{k} w_i$", r"$\nabla_\theta \mathcal{L}$", r"$\epsilon$-greedy",
         r"$2^{16}$", r"$\sqrt{d_k}$", r"$\frac{1}{2}\|x\|^2$")
TAGS = _split(
    "reasoning moe vision-language theorem-proving safety code evaluation reinforcement-learning "
    "chinese-nlp agents alignment attention benchmarks calibration compression continual-learning "
    "data-curation diffusion distillation efficiency embeddings federated-learning fine-tuning "
    "graphs hallucination hardware inference interpretability kernels long-context math memory "
    "multilingual multimodal optimization parallelism planning pretraining privacy quantization "
    "retrieval robotics robustness rlhf scaling-laws search speech sparsity summarization "
    "synthetic-data tokenization tool-use translation uncertainty video world-models "
    "instruction-tuning datasets surveys systems"
)
assert len(TAGS) == 60 and len(set(TAGS)) == 60
STATUS_WEIGHTS = (("to-read", 60), ("reading", 15), ("read", 25))
FIRST_DAY, LAST_DAY = dt.date(2019, 1, 1), dt.date(2025, 12, 31)
TOPICS, TOPIC_WORDS, TOPIC_SHARE = 40, 20, 0.25
GIVEN = _split(
    "Wei Jing Yu Xin Hao Lei Min Jun Yan Tao Li Chen Ming Hui Ying Zhi Rui Kai Jie Feng Anna Maria "
    "David Michael Sarah James Laura Daniel Emma Thomas Sofia Lucas Julia Ahmed Fatima Omar Aisha "
    "Ravi Priya Arjun Ananya Rahul Neha Vikram Sanjay Hiroshi Yuki Takeshi Sakura Kenji Minji Jiwoo "
    "Seojun Hana Ivan Olga Dmitri Elena Pierre Claire Hugo Camille Jonas Lena Felix Marta Pablo Lucia "
    "Diego Carmen Ali Leila Kofi Amara Noah Olivia Liam Ava Ethan Mia Samuel Grace Victor Nina Oscar"
)


def author_pool(size: int, seed: int) -> tuple[list[str], list[float]]:
    """``size`` distinct names with cumulative Zipf-Mandelbrot weights (1 / (rank + 20) ** 0.7)."""
    rng = random.Random(seed)
    names: set[str] = set()
    ordered = []
    while len(ordered) < size:
        family = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        name = f"{rng.choice(GIVEN)} {family}"
        if name not in names:
            names.add(name)
            ordered.append(name)
    cumulative, total = [], 0.0
    for rank in range(size):
        total += 1 / (rank + 20) ** 0.7
        cumulative.append(total)
    return ordered, cumulative


def _authors(rng: random.Random, pool: tuple[list[str], list[float]]) -> tuple[str, ...]:
    """1-15 distinct authors (most papers 3-7), drawn by weight from ``pool``."""
    count = rng.choices(range(1, 16), weights=(4, 8, 12, 14, 14, 12, 10, 7, 5, 4, 3, 2, 2, 1, 1))[0]
    chosen: list[str] = []
    while len(chosen) < count:
        name = rng.choices(pool[0], cum_weights=pool[1])[0]
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


@dataclass(frozen=True)
class Paper:
    """What the generator knows of one synthetic paper (dump and entry views come from it)."""

    title: str
    abstract: str
    arxiv: str
    date: dt.date
    updated: dt.date | None
    org: tuple[str, str] | None
    authors_count: int | None
    upvotes: int | None
    comment: str
    tags: tuple[str, ...]
    status: str
    rating: int | None
    added: dt.date
    notes: str
    authors: tuple[str, ...] = ()
    topic: int = 0


class Words:
    """Zipf-distributed words: the common terms first, then a long tail of made-up rare ones."""

    def __init__(self, rng: random.Random, tail: int = 6000) -> None:
        rare = set()
        while len(rare) < tail:
            rare.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
        self.words = list(COMMON) + sorted(rare)
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(self.words))]
        total = 0.0
        self.cumulative = []
        for w in weights:
            total += w
            self.cumulative.append(total)

    def sample(self, rng: random.Random, k: int) -> list[str]:
        """``k`` words drawn with Zipf weights; with a topic set, some come from its vocabulary."""
        drawn = rng.choices(self.words, cum_weights=self.cumulative, k=k)
        if self.topic is not None:
            vocabulary = self.topics[self.topic]
            drawn = [rng.choice(vocabulary) if rng.random() < TOPIC_SHARE and w != SEARCH_WORD else w
                     for w in drawn]  # the query word is kept: its hit count stays as it was
        return drawn

    topic: int | None = None  # the topic of the paper being written (set by ``papers``)

    def make_topics(self, rng: random.Random) -> None:
        """``TOPICS`` vocabularies of ``TOPIC_WORDS`` words each, from the middle of the Zipf list.

        Mid-frequency words: frequent enough to be shared by a topic's papers, rare enough
        overall that text similarity (tf-idf, BM25) notices them.
        """
        middle = self.words[len(COMMON) + 200:len(COMMON) + 3000]
        self.topics = [rng.sample(middle, TOPIC_WORDS) for _ in range(TOPICS)]


def _codename(index: int) -> str:
    """A unique, pronounceable model name for paper ``index``: keeps titles distinct."""
    parts, n = [], index
    while True:
        parts.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
        if n == 0:
            break
    return "".join(parts).capitalize() + f"-{(index * 7) % 90 + 1}B"


def _sentence(rng: random.Random, words: Words) -> str:
    w = words.sample(rng, 12)
    a = rng.choice
    shapes = (
        f"We propose a {a(ADJECTIVES)} approach to {w[0]} {w[1]} that {a(VERBS)} {w[2]} {w[3]} "
        f"across {rng.randint(3, 40)} {w[4]} settings",
        f"Existing {w[0]} methods struggle with {w[1]} {w[2]} when {w[3]} is {a(ADJECTIVES)}",
        f"Our {a(ADJECTIVES)} {w[0]} {a(VERBS)} strong baselines on {a(TASKS)} while using "
        f"{rng.randint(2, 9)}x fewer {w[1]}",
        f"Experiments on {w[0]} and {w[1]} {w[2]} show that {w[3]} {w[4]} {a(VERBS)} {w[5]} {w[6]}",
        f"We further analyse how {w[0]} {w[1]} interacts with {w[2]} {w[3]} and {w[4]} {w[5]}",
        f"The resulting {a(ADJECTIVES)} {w[0]} reaches {rng.randint(40, 99)}.{rng.randint(0, 9)}% on "
        f"{w[1]} {w[2]} benchmarks, a gain of {rng.randint(1, 15)} points",
        f"Code, {w[0]} checkpoints and {w[1]} {w[2]} are released to foster research on {a(TASKS)}",
    )
    return rng.choice(shapes)


def _abstract(rng: random.Random, words: Words, codename: str, latex: bool) -> str:
    sentences = [f"We introduce {codename}, a {rng.choice(ADJECTIVES)} model for {rng.choice(TASKS)}"]
    while sum(len(s) + 2 for s in sentences) < rng.randint(1150, 1450):
        sentences.append(_sentence(rng, words))
    if latex:
        at = rng.randrange(1, len(sentences))
        sentences[at] += f" with {rng.choice(LATEX)} cost per step"
    return ". ".join(sentences) + "."


def _notes(rng: random.Random, words: Words, index: int, latex: bool) -> str:
    w = words.sample(rng, 16)
    formula = f" The bound is {rng.choice(LATEX)}." if latex else ""
    return (
        f"Read for the {w[0]} {w[1]} section; the {w[2]} ablation is the interesting part.{formula}\n\n"
        f"- {w[3].capitalize()} {w[4]} matters more than {w[5]} size\n"
        f"- Compare with the {w[6]} baseline before citing\n"
        f"- Open question: does {w[7]} {w[8]} transfer?\n\n"
        f"Code: [repository](https://github.com/example/paper-{index}), see also the {w[9]} appendix.\n\n"
        f"| setting | score |\n| --- | --- |\n| {w[10]} | {rng.randint(40, 99)}.{rng.randint(0, 9)} |\n"
        f"| {w[11]} {w[12]} | {rng.randint(40, 99)}.{rng.randint(0, 9)} |\n"
    )


def _title(rng: random.Random, words: Words, codename: str) -> str:
    w = words.sample(rng, 4)
    return (f"{codename}: {rng.choice(ADJECTIVES).capitalize()} {w[0].capitalize()} {w[1].capitalize()} "
            f"for {rng.choice(TASKS).title()} with {w[2].capitalize()} {w[3].capitalize()}")


def _tags(rng: random.Random) -> tuple[str, ...]:
    chosen: list[str] = []
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(TAGS))]
    while len(chosen) < 3:
        tag = rng.choices(TAGS, weights=weights)[0]
        if tag not in chosen:
            chosen.append(tag)
    return tuple(chosen)


def papers(n: int, seed: int = SEED) -> list[Paper]:
    """``n`` synthetic papers; the same ``(n, seed)`` always gives the same list."""
    rng = random.Random(seed)
    words = Words(rng)
    words.make_topics(random.Random(seed + 1))
    extra = random.Random(seed + 2)  # authors and topics: kept apart from the stream of the other fields
    pool = author_pool(max(2000, 3 * n), seed + 3)
    span = (LAST_DAY - FIRST_DAY).days
    statuses, status_weights = zip(*STATUS_WEIGHTS, strict=True)
    result, ids = [], set()
    for index in range(n):
        codename = _codename(index)
        words.topic = extra.randrange(TOPICS)
        authors = _authors(extra, pool) if extra.random() < 0.7 else ()
        date = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        while True:
            arxiv = f"{date:%y%m}.{rng.randrange(10000, 99999):05d}"
            if arxiv not in ids:
                ids.add(arxiv)
                break
        status = rng.choices(statuses, weights=status_weights)[0]
        result.append(Paper(
            title=_title(rng, words, codename),
            abstract=_abstract(rng, words, codename, latex=rng.random() < 0.1),
            arxiv=arxiv,
            date=date,
            updated=date + dt.timedelta(days=rng.randint(5, 200)) if rng.random() < 0.3 else None,
            org=rng.choice(ORGS) if rng.random() < 0.5 else None,
            authors_count=_count(rng, authors),
            upvotes=rng.randint(0, 300) if rng.random() < 0.7 else None,
            comment=f"{rng.randint(8, 60)} pages, {rng.randint(2, 12)} figures" if rng.random() < 0.4 else "",
            tags=_tags(rng),
            status=status,
            rating=rng.randint(1, 5) if status == "read" and rng.random() < 0.6 else None,
            added=min(date + dt.timedelta(days=rng.randint(0, 60)), LAST_DAY),
            notes=_notes(rng, words, index, latex=rng.random() < 0.1),
            authors=authors,
            topic=words.topic,
        ))
    words.topic = None
    return result


def _count(rng: random.Random, authors: tuple[str, ...]) -> int | None:
    """The author count: the list's length, or for 30% of the papers without a list, a count alone."""
    known = rng.randint(1, 40) if rng.random() < 0.7 else None  # drawn always: keeps the stream
    return len(authors) if authors else (known if known and rng.random() < 0.3 else None)


def slug_of(paper: Paper, index: int) -> str:
    """The entry file name: unique and stable (the codename keeps titles apart)."""
    return f"p{index:05d}-" + paper.title.split(":")[0].lower()


def entry_of(paper: Paper, index: int) -> Entry:
    """The paper as papershelf's entry (front matter in schema order, notes as the body)."""
    meta = {
        "title": paper.title, "arxiv": paper.arxiv, "date": paper.date, "updated": paper.updated,
        "org": paper.org[1] if paper.org else None, "org_handle": paper.org[0] if paper.org else None,
        "authors": list(paper.authors) or None, "authors_count": paper.authors_count,
        "upvotes": paper.upvotes, "comment": paper.comment,
        "tags": list(paper.tags), "status": paper.status, "rating": paper.rating, "added": paper.added,
        "sources": ["hf-daily-papers.txt"], "abstract": paper.abstract,
    }
    return Entry(slug_of(paper, index), {k: v for k, v in meta.items() if v is not None}, paper.notes)


def write_entries(folder: Path, n: int, seed: int = SEED) -> list[Path]:
    """Write ``n`` entry files into ``folder`` (created); returns their paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, paper in enumerate(papers(n, seed)):
        entry = entry_of(paper, index)
        path = folder / f"{entry.slug}.md"
        path.write_text(format_entry(entry), encoding="utf-8")
        paths.append(path)
    return paths


# ----- dumps --------------------------------------------------------------------------------------

HF_HEADER = ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
             "byAK and the research community\n\nOct 27\n\n")
PAGE_YEAR = LAST_DAY.year  # HF shows this year's dates without the year


def hf_dump(items: list[Paper]) -> str:
    """A pasted Hugging Face Daily Papers listing of ``items``.

    Dates of the page's own year (the latest) show as ``Mon D``, older ones
    as ``Mon D, YYYY``, as on the real page.
    """
    rng = random.Random(len(items))
    blocks = []
    for paper in items:
        meta = []
        if paper.org and rng.random() < 0.6:
            meta.append(f"{paper.org[0]} {paper.org[1]}")
        elif paper.authors_count:
            meta.append(f"  • {paper.authors_count} authors")
        day = paper.date
        when = f"{day:%b} {day.day}" + ("" if day.year == PAGE_YEAR else f", {day.year}")
        votes = f" {paper.upvotes}" if paper.upvotes is not None else ""
        block = f"{paper.title}\n\n{paper.abstract}\n\n"
        block += "\n".join([*meta, "·", when + votes]) + "\n"
        blocks.append(block)
    return HF_HEADER + "\n".join(blocks)


def arxiv_dump(items: list[Paper]) -> str:
    """A pasted arXiv listing of ``items``: abstract, optional comment, id, Created/Updated."""
    blocks = []
    for paper in items:
        block = paper.abstract + "\n\n"
        if paper.comment:
            block += paper.comment + "\n\n"
        block += f"arXiv:{paper.arxiv}\nCreated: {paper.date.isoformat()}"
        if paper.updated:
            block += f" Updated: {paper.updated.isoformat()}"
        blocks.append(block + "\n")
    return "\n".join(blocks)


def write_dumps(folder: Path, n: int, seed: int = SEED + 1, overlap: float = 0.3) -> tuple[Path, Path]:
    """An ``n``-entry HF dump and an ``n``-entry arXiv dump sharing ``overlap`` of their papers.

    The shared papers merge on import (same abstract), as they do when a
    researcher pastes both listings.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shared = int(n * overlap)
    pool = papers(2 * n - shared, seed)
    hf_items, arxiv_items = pool[:n], pool[n - shared:]
    hf_path, arxiv_path = folder / f"hf-daily-papers-{n}.txt", folder / f"arxiv-listing-{n}.txt"
    hf_path.write_text(hf_dump(hf_items), encoding="utf-8")
    arxiv_path.write_text(arxiv_dump(arxiv_items), encoding="utf-8")
    return hf_path, arxiv_path
