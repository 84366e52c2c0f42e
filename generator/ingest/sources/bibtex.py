"""Parser for BibTeX files: a Zotero (Better BibTeX or built-in) export, a Google Scholar,
Semantic Scholar or arXiv "Export BibTeX citation" snippet, a hand-kept ``library.bib``.

bibtexparser v2 splits the file into blocks and resolves ``@string`` macros; field values
are LaTeX-decoded with pylatexenc (configured as bibtexparser's LatexDecodingMiddleware,
math ``$...$`` kept verbatim) only for the fields a paper uses, names after they are split
(so ``{Barnes and Noble}`` stays one author). Every entry type is a paper; ``@comment``
and ``@preamble`` are ignored, unknown fields never fail. A block bibtexparser cannot
parse is a warning naming its first line, and the rest imports.

Where an arXiv id may be: ``eprint`` (with ``archiveprefix``/``eprinttype`` arXiv, or
id-shaped), a ``journal``/``note``/``volume`` such as ``arXiv preprint arXiv:2312.00752``
or ``abs/2312.00752`` (Semantic Scholar, DBLP's CoRR), an arxiv.org ``url``, or a DOI
``10.48550/arXiv.2312.00752`` (then not kept as the paper's DOI: it only repeats the id).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from typing import Any

from generator.core.errors import Diagnostic
from generator.core.identifiers import normalize_arxiv_id
from generator.core.partial_dates import YEARS, PartialDate
from generator.ingest.records import Record
from generator.ingest.sources.text import CONTROLS

_ARXIV_IN_TEXT = re.compile(
    r"\b(?:arxiv|corr)\b[^0-9]{0,40}?(?:abs/)?(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})",
    re.IGNORECASE)
_ARXIV_ONLY_NOTE = re.compile(
    r"(?:arxiv(?:\s+preprint)?\s*:?\s*)?(?:arxiv:)?\s*(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})"
    r"(?:v\d+)?(?:\s*\[[^\]]*\])?", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.IGNORECASE)
_PREPRINT_VENUE = re.compile(r"\s*(?:arxiv|corr)\b", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"10\.\d{4,9}/\S+")  # Crossref's pattern for the DOIs it registers
_CITATION_KEY = re.compile(r"[^\s,{}()\"#%'=\\~]+")  # what BibTeX can cite back
_DOI_LINK = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
_TEX_ESCAPE = re.compile(r"\\([_%&#$~])")
# What the LaTeX parser reads besides braces: macros, math, comments, active characters and
# the ligatures LaTeX makes of ``--``, quotes and ``!``` / ``?```.
_LATEX_SYNTAX = re.compile(r"[\\$%~^_&#]|--|``|''|[!?]`")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def parse(text: str, source: str) -> tuple[list[Record], list[Diagnostic]]:
    """Parse a BibTeX file into one record per entry, and a warning per block it skips."""
    import bibtexparser
    from bibtexparser import middlewares

    logging.getLogger("bibtexparser").addHandler(logging.NullHandler())  # failures are reported below
    logging.getLogger("bibtexparser").propagate = False
    library = bibtexparser.parse_string(text, append_middleware=[middlewares.MonthIntMiddleware(True)])
    records, warnings = [], []
    for block in library.failed_blocks:
        warnings.append(Diagnostic(source, block.start_line + 1, _failure(block)))
    strings = {key.lower(): str(block.value) for key, block in library.strings_dict.items()}
    for entry in library.entries:
        for field in entry.fields:
            if isinstance(field.value, str) and "#" in field.value:
                field.value = concatenated(field.value, strings) or field.value
        record = to_record(entry, source)
        if record is None:
            warnings.append(Diagnostic(source, entry.start_line + 1,
                                       f"entry {_clean(entry.key)!r} has no title or arXiv id; skipped"))
        else:
            records.append(record)
    warnings.sort(key=lambda w: w.line or 0)
    return records, warnings


def concatenated(value: str, strings: dict[str, str]) -> str | None:
    """A ``#`` concatenation (``icml # " (ICML)"``) with its macros resolved (bibtexparser
    resolves a lone macro only); None when ``value`` is not one."""
    parts, at = [], 0
    while True:
        at = _skip_space(value, at)
        part, at = _operand(value, at, strings)
        if part is None:
            return None
        parts.append(part)
        at = _skip_space(value, at)
        if at == len(value):
            return "".join(parts) if len(parts) > 1 else None
        if value[at] != "#":
            return None
        at += 1


def _skip_space(value: str, at: int) -> int:
    while at < len(value) and value[at].isspace():
        at += 1
    return at


def _operand(value: str, at: int, strings: dict[str, str]) -> tuple[str | None, int]:
    """One operand of a concatenation at ``at``: its text and where it ends."""
    if at >= len(value):
        return None, at
    if value[at] in "{\"":
        depth, end = 0, at
        for end in range(at, len(value)):
            char = value[end]
            depth += (char == "{") - (char == "}")
            if depth == 0 and end > at and (char == "}" if value[at] == "{" else char == '"'):
                return value[at + 1:end], end + 1
        return None, at
    match = re.compile(r"[A-Za-z_][\w:.+-]*|\d+").match(value, at)
    if not match:
        return None, at
    name = match[0].lower()
    if name.isdigit():
        return name, match.end()
    return strings.get(name, match[0] if name[:3] in _MONTHS else None), match.end()


def _failure(block: Any) -> str:
    key = getattr(block, "key", None)
    if key is not None and type(block).__name__ == "DuplicateBlockKeyBlock":
        return f"citation key {_clean(key)!r} used again; this entry skipped (give it its own key)"
    return "malformed BibTeX entry skipped (check its braces, quotes and commas)"


def to_record(entry: Any, source: str) -> Record | None:
    """The paper one entry describes; None when it has neither a title nor an arXiv id."""
    fields = {f.key.lower(): f.value for f in entry.fields}
    raw_doi = _verbatim(fields.get("doi"))
    doi = _DOI_PREFIX.sub("", raw_doi) if raw_doi else None
    arxiv = _arxiv(fields, doi)
    if doi and (_ARXIV_DOI.fullmatch(doi) or not _DOI_SHAPE.fullmatch(doi)):
        doi = None  # an arXiv DOI repeats the id; "n/a" or a bare URL is no DOI (nor an identity)
    title = _text(fields.get("title"))
    if title and _ARXIV_ONLY_NOTE.fullmatch(title):
        title = None  # ``arXiv:2505.09343``, as papers.bib names a paper without a title
    if not title and not arxiv:
        return None
    names = _authors(fields.get("author"))
    journal = _text(fields.get("journal")) or _text(fields.get("journaltitle"))
    venue = journal or _text(fields.get("booktitle"))
    note = _text(fields.get("note"))
    return Record(
        source=source, line=entry.start_line + 1, format="bibtex", title=title,
        abstract=_text(fields.get("abstract")), arxiv=arxiv, date=_date(fields),
        authors=names[0] if names else None,
        authors_count=len(names[0]) if names and not names[1] else None,
        comment=None if note is None or _arxiv_only(note) else note,
        doi=doi or None, bibkey=entry.key if _CITATION_KEY.fullmatch(entry.key) else None,
        venue=None if venue is None or _PREPRINT_VENUE.match(venue) else venue,
        url=_url(fields), keywords=_keywords(fields.get("keywords")),
    )


@functools.lru_cache(maxsize=1)
def _decoder() -> tuple[Any, Any]:
    """pylatexenc's decoder as bibtexparser's LatexDecodingMiddleware sets it up, and the
    parser's macro table, built once (pylatexenc builds it again for every value unless given)."""
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
    from pylatexenc.latexwalker import get_default_latex_context_db as walker_context

    context = get_default_latex_context_db()
    literal = {"textasciicircum": "^", "textasciitilde": "~", "textbackslash": "\\",
               "textbraceleft": "{", "textbraceright": "}"}  # as papers.bib escapes them
    context.add_context_category("papershelf-bibtex", prepend=True, macros=[
        MacroTextSpec("url", simplify_repl="%s"),
        *(MacroTextSpec(name, simplify_repl=text) for name, text in literal.items())])
    decoder = LatexNodes2Text(latex_context=context, keep_braced_groups=False, math_mode="verbatim")
    return decoder, walker_context()


def latex_to_text(raw: str) -> str:
    """LaTeX as text: accents and symbols decoded, braces dropped, ``$...$`` kept. Text with
    nothing for LaTeX to read but braces (most of a Zotero export) skips the LaTeX parser,
    which costs about 2 ms a value."""
    if not _LATEX_SYNTAX.search(raw):
        return raw.replace("{", "").replace("}", "")
    from pylatexenc.latexwalker import LatexWalker

    decoder, walker_context = _decoder()
    try:
        nodes = LatexWalker(raw, latex_context=walker_context, tolerant_parsing=True).get_latex_nodes()[0]
        return decoder.nodelist_to_text(nodes)
    except Exception:  # pylatexenc gives up on some broken LaTeX: keep the text as written
        return raw.replace("{", "").replace("}", "")


def _text(value: Any) -> str | None:
    """A field's value LaTeX-decoded, control characters removed, whitespace collapsed."""
    return None if value is None else _decoded(str(value))


@functools.lru_cache(maxsize=4096)  # names and venues repeat across entries
def _decoded(raw: str) -> str | None:
    return " ".join(CONTROLS.sub("", latex_to_text(raw)).split()) or None


def _clean(value: Any) -> str:
    return " ".join(CONTROLS.sub("", str(value)).split())


def _verbatim(value: Any) -> str | None:
    """A field not meant as LaTeX (``doi``, ``url``, ``eprint``): braces and escapes removed."""
    if value is None:
        return None
    text = _TEX_ESCAPE.sub(r"\1", _clean(value)).replace("{", "").replace("}", "")
    text = re.sub(r"^\\url", "", text).strip()
    return text or None


def _arxiv(fields: dict[str, Any], doi: str | None) -> str | None:
    """The arXiv id, from the first place that holds one (see the module's docstring)."""
    eprint = _verbatim(fields.get("eprint"))
    prefix = (_verbatim(fields.get("archiveprefix")) or _verbatim(fields.get("eprinttype")) or "").lower()
    if eprint and prefix in ("arxiv", "") and (found := normalize_arxiv_id(eprint)):
        return found
    for name in ("journal", "journaltitle", "note", "howpublished"):
        text = _verbatim(fields.get(name))
        if text and (match := _ARXIV_IN_TEXT.search(text)) and (found := normalize_arxiv_id(match[1])):
            return found
    journal = (_verbatim(fields.get("journal")) or "").lower()
    volume = _verbatim(fields.get("volume"))
    if volume and journal in ("arxiv", "corr") and (found := normalize_arxiv_id(volume.removeprefix("abs/"))):
        return found
    for name in ("url", "howpublished"):
        url = _verbatim(fields.get(name))
        if url and (found := normalize_arxiv_id(url)):
            return found
    if doi and (match := _ARXIV_DOI.fullmatch(doi)):
        return normalize_arxiv_id(match[1])
    return None


def _arxiv_only(note: str) -> bool:
    """A note that only repeats the arXiv id (``arXiv:2312.00752 [cs]``)."""
    return _ARXIV_ONLY_NOTE.fullmatch(note) is not None


def _url(fields: dict[str, Any]) -> str | None:
    """The entry's link when it is neither an arXiv nor a DOI link (those are ids)."""
    url = _verbatim(fields.get("url"))
    if not url or not url.lower().startswith(("http://", "https://")) or " " in url:
        return None
    if normalize_arxiv_id(url) or _DOI_LINK.match(url) or "arxiv.org/" in url.lower():
        return None
    return url


def _authors(value: Any) -> tuple[tuple[str, ...], bool] | None:
    """(names as ``First von Last, Jr``, whether ``and others`` cut the list), or None."""
    if value is None:
        return None
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

    names, others = [], False
    for raw in split_multiple_persons_names(" ".join(str(value).split())):
        if raw.strip().lower() in ("others", "{others}", "et al.", "et al"):
            others = True
            continue
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
            text = " ".join([*parts.first, *parts.von, *parts.last, *parts.jr])
        except Exception:  # a name bibtexparser cannot split: taken as written
            text = raw
        if name := _text(text):
            names.append(name)
    return (tuple(names), others) if names or others else None


def _date(fields: dict[str, Any]) -> dt.date | None:
    """biblatex ``date`` (the start of a range), else ``year`` + ``month`` (+ ``day``): a full
    date, or a PartialDate when only the year or the month is known."""
    text = _verbatim(fields.get("date"))
    if text and (match := _DATE.match(text)):
        year, month, day = match[1], match[2], match[3]
    else:
        found = re.search(r"\d{4}", _verbatim(fields.get("year")) or "")
        if not found:
            return None
        year, month, day = found[0], _month(fields.get("month")), _verbatim(fields.get("day"))
    return _make_date(int(year), int(month) if month else None, day)


def _month(value: Any) -> str | None:
    if isinstance(value, int):
        return str(value)
    text = (_verbatim(value) or "").strip().lower()
    if text.isdigit():
        return text
    return str(_MONTHS.index(text[:3]) + 1) if text[:3] in _MONTHS else None


def _make_date(year: int, month: int | None, day: str | None) -> dt.date | None:
    if year not in YEARS:
        return None
    if month is None or not 1 <= month <= 12:
        return PartialDate(year)
    if day and day.strip().isdigit():
        try:
            return dt.date(year, month, int(day))
        except ValueError:
            pass
    return PartialDate(year, month)


def _keywords(value: Any) -> tuple[str, ...] | None:
    """Zotero's tags: ``,`` or ``;`` separated."""
    text = _text(value)
    if not text:
        return None
    words = tuple(w.strip() for w in re.split(r"[,;]", text) if w.strip())
    return words or None
