"""Parser for text copied from Hugging Face Daily Papers listings and paper search pages.

An entry is a title line, an abstract paragraph and an optional metadata run
(org line or ``• N authors``, a lone ``·``, then ``Mon D[, YYYY] [upvotes]``).
Page chrome is skipped anywhere; blocks that fit no entry become warnings.

Prose is not a listing. The rule, in the order it is applied:

1. A file is a Daily Papers listing when its metadata runs describe most of its
   entries: at least half of them have the lone ``·`` line (a date or ``N
   authors`` line alone is not enough; prose holds those). Entries without a
   run are then taken as they are (the last one, cut, gets a warning below).
2. Any other file must read like a search page, which lists titles and abstracts
   only. An entry there is a paper when its title looks like a title (one line
   of at most TITLE_MAX characters, with two letters in a row, not ending like a
   sentence or a greeting: ``.``, ``,``, ``;``, ``:``, ``!``) and its abstract
   looks like one (a single paragraph of ABSTRACT_MIN to ABSTRACT_MAX characters,
   of at least two sentences, using one of the words of research in RESEARCH_WORDS:
   ``propose``, ``model``, ``results``...). Entries that do not are skipped with a
   warning; and when the text skipped (paragraphs outside an entry, titles
   without an abstract, refused entries) is as much as the papers, the file is
   prose and nothing in it is imported.
3. Work stays linear in the file's size; and a file holding no ``·`` at all whose
   blank-line-separated paragraphs number more than 4 x its length / ABSTRACT_MIN
   + CHROME_ALLOWANCE (too many, too short to be titles and abstracts) is refused
   before it is parsed, in one pass of the regex engine (~0.1 s for 6 MB).

A listing cut short is a warning. Cut after the ``·`` line: the warning names that
line. Cut after the authors line or the abstract: a Daily Papers listing whose last
entry has no date line while at least half of the others have one names the line
where that entry starts (a cut entry's lone title line is a warning of its own).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from generator.core.errors import Diagnostic
from generator.ingest.records import MonthDay, Record
from generator.ingest.sources.text import Block, split_blocks

CHROME = frozenset(
    line.casefold()
    for line in (
        "new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
        "byAK and the research community", "Submit", "Submit paper", "Papers", "Trending",
        "Trending Papers", "Daily", "Weekly", "Monthly", "Previous", "Next", "Load more",
        "View all", "Search", "Upvote", "Sign Up", "Log In", "Hugging Face", "Models",
        "Datasets", "Spaces", "Posts", "Docs", "Pricing", "Enterprise", "Paper page",
        "Collections", "Community",
    )
)

MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
DATE_LINE = re.compile(
    r"(?P<mon>[A-Za-z]{3})[a-z]*\.?\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?(?:\s+(?P<up>\d+))?"
)
AUTHORS_LINE = re.compile(r"[•·]?\s*(?P<n>\d+)\s+authors?", re.IGNORECASE)
DOT = "·"
TITLE_MAX = 300
ORG_MAX = 80
ABSTRACT_MAX = 5000  # arXiv allows 1,920 characters; prose runs on
ABSTRACT_MIN = 200  # about 30 words; shorter abstracts are rare, notes and news are short
NOT_TITLE_ENDINGS = (".", ",", ";", ":", "!")
TITLE_WORD = re.compile(r"[^\W\d_]{2}")
SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?:\s+(?=[\"\u201c(\[\w])|\s*\Z)")
# Words every research abstract uses at least one of, and newsletters, letters and stories
# rarely do; "we" and "our" are not among them (letters use them as much).
RESEARCH_WORDS = re.compile(
    r"\b(?:this (?:paper|work|study|article|report|survey|thesis)|propos\w*|present(?:s|ed)?|"
    r"introduc\w*|methods?|models?|approach\w*|framework\w*|algorithm\w*|results?|"
    r"experiment\w*|benchmark\w*|datasets?|data|evaluat\w*|performance|analy[sz]\w*|theor\w*|"
    r"prove[sn]?|demonstrat\w*|investigat\w*|achiev\w*|outperform\w*|accuracy|learning|"
    r"training|tasks?|empirical\w*|novel|state-of-the-art|simulation\w*|measure\w*|"
    r"estimat\w*|observ\w*|paper)\b", re.IGNORECASE)
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
CHROME_ALLOWANCE = 1000  # paragraphs of page chrome a long paste may hold


@dataclass(frozen=True)
class Token:
    """One classified piece of a dump: text, org, authors, dot, date or chrome."""

    kind: str
    line: int
    value: object = None
    org_like: bool = False  # a lone short line just before a dot: an org line or a title


@dataclass
class Draft:
    """An entry being assembled from tokens."""

    line: int
    title: str
    abstract: str | None = None
    paragraphs: int = 0
    fields: dict = field(default_factory=dict)
    dot_line: int | None = None  # the lone middle dot, which a date line follows


def parse(text: str, source: str) -> tuple[list[Record], list[Diagnostic]]:
    """Parse a Hugging Face listing into records and warnings for the blocks that do not fit."""
    if DOT not in text and _too_many_paragraphs(text):
        return [], []
    tokens = list(_tokens(split_blocks(text)))
    listing = Listing(source)
    for index, token in enumerate(tokens):
        listing.take(token, tokens, index)
    listing.finish()
    return listing.result()


@dataclass
class Listing:
    """One pass over a dump's tokens: the entry being assembled, the records and warnings so
    far, and what the rules of the module docstring count to tell a listing from prose."""

    source: str
    records: list[Record] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    draft: Draft | None = None
    orphan: bool = False  # inside a metadata run that belongs to no paper
    skipped: int = 0  # blocks of text that fit no entry
    judged: list[tuple[Record, bool]] = field(default_factory=list)  # paper-like without metadata?
    described: int = 0  # records with a '·' line
    last_whole: bool = True  # the last entry had an abstract (else its cut is reported already)
    dot_warned: bool = False

    def take(self, token: Token, tokens: list[Token], index: int) -> None:
        """Add the token at ``index`` of ``tokens`` (the ones after it tell a title from an
        abstract)."""
        if token.kind == "chrome":
            return
        draft = self.draft
        if token.org_like and draft is not None and draft.abstract is not None and not draft.fields:
            token = Token("org", token.line, token.value.text)
        if token.kind == "text":
            self._text(token.value, tokens, index)
        else:
            self._meta(token)

    def finish(self) -> None:
        """Close the entry being assembled: a record, or a warning when it has no abstract."""
        draft, self.draft = self.draft, None
        if draft is None:
            return
        self.last_whole = draft.abstract is not None
        if draft.abstract is None:
            self._warn(draft.line, "title without an abstract (cut mid-entry?), skipped: "
                       f"{draft.title!r}", text=True)
            return
        self.dot_warned = draft.dot_line is not None and "date" not in draft.fields
        if self.dot_warned:
            self._warn(draft.dot_line, "metadata cut after the '·' line (no date): imported "
                       "without a date")
        record = Record(source=self.source, line=draft.line, format="hf", title=draft.title,
                        abstract=draft.abstract, **draft.fields)
        self.records.append(record)
        self.described += draft.dot_line is not None
        self.judged.append((record, draft.dot_line is None and _paper_like(draft)))

    def result(self) -> tuple[list[Record], list[Diagnostic]]:
        """The records and warnings of the whole dump (rules 1 and 2 of the module docstring)."""
        if not self.described or 2 * self.described < len(self.records):  # a search page, or prose
            return _search_page(self.judged, self.skipped, self.warnings, self.source)
        return self.records, self.warnings + self._cut_short()

    def _text(self, block: Block, tokens: list[Token], index: int) -> None:
        """A text block: the abstract (or a further paragraph of it), a new title, or a
        warning for text outside an entry."""
        self.orphan = False
        draft = self.draft
        if draft is not None and draft.abstract is None:
            following = _next_text(tokens, index)
            if not (_title_like(block) and following is not None and not _title_like(following)):
                draft.abstract, draft.paragraphs = block.text, 1
                return
        elif draft is not None and not draft.fields and not _title_like(block):
            draft.abstract += "\n\n" + block.text
            draft.paragraphs += 1
            return
        self.finish()
        if _title_like(block):
            self.draft = Draft(line=block.line, title=block.text)
        else:
            self._warn(block.line, "text outside an entry (expected a one-line title), skipped",
                       text=True)

    def _meta(self, token: Token) -> None:
        """A metadata line: part of the entry's run (a date line closes it), or a warning."""
        if self.draft is not None and self.draft.abstract is None:
            self.finish()  # warns: the title has no abstract
            self.orphan = True
        if self.draft is None:
            page_date = not self.records and not self.warnings and token.kind == "date"
            if not (self.orphan or page_date):
                self._warn(token.line, "metadata line without a paper above it, skipped")
            self.orphan = True
            return
        _add_meta(self.draft, token)
        if token.kind == "date":
            self.finish()

    def _warn(self, line: int, message: str, text: bool = False) -> None:
        self.warnings.append(Diagnostic(self.source, line, message))
        self.skipped += text

    def _cut_short(self) -> list[Diagnostic]:
        """A warning when the last entry of a dated listing has no date line (cut short)."""
        last, dated = self.records[-1], sum(r.date is not None for r in self.records[:-1])
        if self.last_whole and not self.dot_warned and last.date is None and dated \
                and 2 * dated >= len(self.records) - 1:
            return [Diagnostic(self.source, last.line, "the last entry has no date line, unlike "
                               "the others (listing cut short?): imported without a date")]
        return []


def _too_many_paragraphs(text: str) -> bool:
    """True when ``text`` has far more paragraphs than it has room for abstracts: a search
    page is mostly abstracts of ABSTRACT_MIN characters or more, one short title each, so
    prose made of many short paragraphs is refused in one pass of the regex engine, before
    the parser spends its per-paragraph time on it."""
    room = 4 * len(text) // ABSTRACT_MIN + CHROME_ALLOWANCE
    return sum(1 for _ in PARAGRAPH_BREAK.finditer(text)) > room


def _search_page(judged: list[tuple[Record, bool]], skipped: int, warnings: list[Diagnostic],
                 source: str) -> tuple[list[Record], list[Diagnostic]]:
    """The papers of a listing without metadata lines; none when it reads like prose."""
    for record, paper_like in judged:
        if not paper_like:
            warnings.append(Diagnostic(
                source, record.line, "title and text that do not read like a paper (no metadata "
                "line, and the title or the abstract is not shaped like one), skipped: "
                f"{record.title!r}"))
    records = [record for record, paper_like in judged if paper_like]
    skipped += len(judged) - len(records)
    warnings.sort(key=lambda warning: warning.line or 0)
    return ([] if skipped >= len(records) else records), warnings


def _paper_like(draft: Draft) -> bool:
    """A title and abstract with no metadata line, as search pages list papers: the title
    reads like a title, the abstract like an abstract (rule 2 of the module docstring).
    Each test is one bounded regex pass over at most ABSTRACT_MAX characters."""
    abstract = draft.abstract
    return (draft.paragraphs == 1 and ABSTRACT_MIN <= len(abstract) <= ABSTRACT_MAX
            and not draft.title.endswith(NOT_TITLE_ENDINGS)
            and TITLE_WORD.search(draft.title) is not None
            and _sentences(abstract) >= 2 and RESEARCH_WORDS.search(abstract) is not None)


def _sentences(text: str) -> int:
    return sum(1 for _ in SENTENCE_END.finditer(text))


def _add_meta(draft: Draft, token: Token) -> None:
    if token.kind == "org":
        handle, _, name = token.value.partition(" ")
        draft.fields.update(org=name or handle, org_handle=handle)
    elif token.kind == "authors":
        draft.fields["authors_count"] = token.value
    elif token.kind == "dot":
        draft.dot_line = token.line
    elif token.kind == "date":
        date, upvotes = token.value
        draft.fields["date"] = date
        if upvotes is not None:
            draft.fields["upvotes"] = upvotes


def _title_like(block: Block) -> bool:
    """One line, not too long, not ending like a sentence: titles never end with a period."""
    line = block.lines[0]
    return len(block.lines) == 1 and len(line) <= TITLE_MAX and not line.endswith(".")


def _next_text(tokens: list[Token], index: int) -> Block | None:
    """The text block right after ``index`` (page chrome skipped), if metadata does not come first."""
    for position in range(index + 1, len(tokens)):
        token = tokens[position]
        if token.kind == "text":
            return token.value
        if token.kind != "chrome":
            return None
    return None


def _tokens(blocks: list[Block]) -> Iterator[Token]:
    """Classify lines: metadata lines stand alone, runs of other lines form text blocks."""
    lines = [(block.line + i, text, block_index)
             for block_index, block in enumerate(blocks) for i, text in enumerate(block.lines)]
    kinds = [_meta_kind(text) for _, text, _ in lines]
    run: list[tuple[int, str]] = []
    run_block = None

    def flush() -> Iterator[Token]:
        if run:
            texts = tuple(t for _, t in run)
            if all(t.casefold() in CHROME for t in texts):
                yield Token("chrome", run[0][0])
            else:
                yield Token("text", run[0][0], Block(run[0][0], texts))
            run.clear()

    for i, (number, text, block_index) in enumerate(lines):
        kind = kinds[i]
        org_like = kind is None and _before_dot(kinds, i + 1) and len(text) <= ORG_MAX \
            and text.casefold() not in CHROME
        if org_like and lines[i + 1][2] == block_index:
            kind = ("org", text)
        elif org_like and (not run or run_block != block_index) \
                and (i + 1 == len(lines) or lines[i + 1][2] != block_index):
            # a one-line block, then blank lines, then the dot: org line or title, parse decides
            yield from flush()
            yield Token("text", number, Block(number, (text,)), org_like=True)
            continue
        if kind is None:
            if run and run_block != block_index:
                yield from flush()
            run_block = block_index
            run.append((number, text))
            continue
        yield from flush()
        yield Token(kind[0], number, kind[1])
    yield from flush()


def _before_dot(kinds: list, index: int) -> bool:
    """True when the lines from ``index`` are a lone dot, possibly after an authors line."""
    ahead = [k[0] if k else None for k in kinds[index:index + 2]]
    return ahead[:1] == ["dot"] or ahead == ["authors", "dot"]


def _meta_kind(text: str) -> tuple[str, object] | None:
    if text == DOT:
        return ("dot", None)
    if match := AUTHORS_LINE.fullmatch(text):
        return ("authors", int(match["n"]))
    if (match := DATE_LINE.fullmatch(text)) and (date := _date(match)) is not None:
        upvotes = int(match["up"]) if match["up"] else None
        return ("date", (date, upvotes))
    return None


def _date(match: re.Match) -> dt.date | MonthDay | None:
    month = MONTHS.get(match["mon"].lower())
    day = int(match["day"])
    if month is None or not 1 <= day <= 31:
        return None
    if match["year"]:
        try:
            return dt.date(int(match["year"]), month, day)
        except ValueError:
            return None
    try:
        dt.date(2000, month, day)  # a leap year: accepts Feb 29
    except ValueError:
        return None
    return MonthDay(month, day)
