"""BibTeX for papers: ``@article``, ``@inproceedings`` or ``@misc`` by what is known of each.

The citation key is the entry's ``bibkey`` (kept from an imported ``.bib``, so LaTeX documents
keep citing the same keys) when it is a safe key, else the paper's permanent slug. A paper
with a venue is an ``@inproceedings`` (``booktitle``) when the venue reads as proceedings,
else an ``@article`` (``journal``), see ``citation.is_proceedings``; any other paper is a
``@misc``, with ``eprint``/``archivePrefix``/``primaryClass`` for arXiv papers (the arXiv
style). A date known only to the year or month gives only ``year`` or ``year``/``month``; a
full date adds biblatex's ``date``.

BibTeX counts every brace in a field, escaped or not (``\\}`` still closes a group), so
text from dumps is written brace-balanced: each special character becomes a LaTeX
command whose only braces are an empty pair, and control characters are dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from generator.core.partial_dates import PartialDate
from generator.site.citation import doi_of, is_proceedings, safe_url

_SPECIAL = re.compile(r"[&%$#_{}~^\\]")
_REPLACE = {"~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
            "{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f{}\\\"]")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:./+-]+")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_HEAD = re.compile(r"@(\w+)\{([^,\n]*),\n")


def bibtex_key(slug: str) -> str:
    """A citation key: ``slug`` when it is a safe key (every slug papershelf makes is, and
    so are the keys of Google Scholar, DBLP and Better BibTeX), else ``slug`` with unsafe runs
    as ``-`` and a short digest of the real name, so a hand-named file (``Attention Is All You
    Need.md``, ``x},title={y.md``) or key can neither break the entry nor take another's key."""
    if slug and not _KEY_UNSAFE.search(slug):
        return slug
    tag = hashlib.blake2b(slug.encode("utf-8", "surrogateescape"), digest_size=3).hexdigest()
    return f"{_KEY_UNSAFE.sub('-', slug).strip('-') or 'paper'}-{tag}"


def citation_key(slug: str, meta: dict[str, Any]) -> str:
    """The entry's ``bibkey`` when it has one, else its slug, as a safe key."""
    bibkey = meta.get("bibkey")
    return bibtex_key(bibkey.strip() if isinstance(bibkey, str) and bibkey.strip() else slug)


def escape_bibtex(text: str) -> str:
    """Escape BibTeX/LaTeX special characters with balanced braces; Unicode is kept (biber
    and bibtex8 read UTF-8); whitespace runs become one space, control characters go."""
    text = " ".join(text.split())
    if not text.isprintable():  # cheap pre-test: almost every text is printable
        text = _CONTROL.sub("", text)
    return _SPECIAL.sub(lambda m: _REPLACE.get(m[0], "\\" + m[0]), text)


def bibtex_url(url: str) -> str:
    """A URL or DOI for a ``url``/``doi`` field (read verbatim by biblatex): characters that
    would unbalance the field or end it are percent-encoded, the rest kept."""
    return _URL_UNSAFE.sub(lambda m: quote(m[0], safe=""), url)


def _date_fields(date: Any) -> list[tuple[str, str]]:
    if not isinstance(date, dt.date):
        return []
    fields = [("year", str(date.year))]
    if not isinstance(date, PartialDate) or date.month_known:
        fields.append(("month", _MONTHS[date.month - 1]))
    if not isinstance(date, PartialDate):
        fields.append(("date", date.isoformat()))
    return fields


def _kind(meta: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    venue = meta.get("venue")
    name = escape_bibtex(venue) if isinstance(venue, str) else ""
    if not name:
        return "misc", []
    if is_proceedings(venue):
        return "inproceedings", [("booktitle", name)]
    return "article", [("journal", name)]


def bibtex_entry(key: str, meta: dict[str, Any], url: str) -> str:
    """The BibTeX entry of the paper with slug ``key``; ``url`` (its page) when it has no
    URL, arXiv id or DOI of its own."""
    kind, venue = _kind(meta)
    title = escape_bibtex(meta.get("title") or "") or \
        escape_bibtex(f"arXiv:{meta['arxiv']}" if meta.get("arxiv") else key)
    fields: list[tuple[str, str]] = [("title", "{" + title + "}")]
    if authors := meta.get("authors"):
        fields.append(("author", " and ".join(escape_bibtex(a) for a in authors)))
    elif meta.get("org"):
        fields.append(("organization", escape_bibtex(meta["org"])))
    fields += venue + _date_fields(meta.get("date"))
    if arxiv := meta.get("arxiv"):
        fields += [("eprint", escape_bibtex(arxiv)), ("archivePrefix", "arXiv")]
        if categories := meta.get("categories"):
            fields.append(("primaryClass", escape_bibtex(categories[0])))
    if doi := doi_of(meta.get("doi")):
        fields.append(("doi", bibtex_url(doi)))
    own = safe_url(meta.get("url")) or (f"https://arxiv.org/abs/{arxiv}" if arxiv else "")
    if own or not doi:
        fields.append(("url", bibtex_url(own or url)))
    if comment := escape_bibtex(meta.get("comment") or ""):
        fields.append(("note", comment))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = " + (value if name == "month" else f"{{{value}}}")
                      for name, value in fields)
    return f"@{kind}{{{citation_key(key, meta)},\n{body}\n}}\n"


def unique_keys(entries: Iterable[str], slugs: Iterable[str]) -> Iterable[str]:
    """``entries`` (made by ``bibtex_entry`` for ``slugs``) with each key used once: the first
    entry keeps a repeated key, each later one gets ``-`` and its own slug after it."""
    seen: set[str] = set()
    for entry, slug in zip(entries, slugs, strict=True):
        head = _HEAD.match(entry)
        if head is None:
            yield entry
            continue
        key = head[2]
        while key in seen:
            key = bibtex_key(f"{key}-{slug}")
        seen.add(key)
        yield entry if key == head[2] else f"@{head[1]}{{{key},\n{entry[head.end():]}"
