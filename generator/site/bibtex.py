"""BibTeX for papers: one ``@misc`` entry each, keyed by the paper's permanent slug.

BibTeX counts every brace in a field, escaped or not (``\\}`` still closes a group), so
text from dumps is written brace-balanced: each special character becomes a LaTeX
command whose only braces are an empty pair, and control characters are dropped.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import quote

_SPECIAL = re.compile(r"[&%$#_{}~^\\]")
_REPLACE = {"~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
            "{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f{}\\\"]")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:.+-]+")


def bibtex_key(slug: str) -> str:
    """The citation key of a paper: its slug when that is a safe key (every slug papershelf
    makes is), else the slug with unsafe runs as ``-`` and a short digest of the real name, so
    a hand-named file (``Attention Is All You Need.md``, ``x},title={y.md``) can neither
    break the entry nor take another paper's key."""
    if not _KEY_UNSAFE.search(slug):
        return slug
    tag = hashlib.blake2b(slug.encode("utf-8", "surrogateescape"), digest_size=3).hexdigest()
    return f"{_KEY_UNSAFE.sub('-', slug).strip('-') or 'paper'}-{tag}"


def escape_bibtex(text: str) -> str:
    """Escape BibTeX/LaTeX special characters with balanced braces; Unicode is kept (biber
    and bibtex8 read UTF-8); whitespace runs become one space, control characters go."""
    text = " ".join(text.split())
    if not text.isprintable():  # cheap pre-test: almost every text is printable
        text = _CONTROL.sub("", text)
    return _SPECIAL.sub(lambda m: _REPLACE.get(m[0], "\\" + m[0]), text)


def bibtex_url(url: str) -> str:
    """A URL for a ``url`` field (read verbatim by biblatex): characters that would unbalance
    the field or end it are percent-encoded, the rest kept as is."""
    return _URL_UNSAFE.sub(lambda m: quote(m[0], safe=""), url)


def bibtex_entry(key: str, meta: dict[str, Any], url: str) -> str:
    """A ``@misc`` entry with ``eprint``/``archivePrefix`` for arXiv papers (the arXiv style)."""
    fields: list[tuple[str, str]] = []
    title = escape_bibtex(meta.get("title") or "") or \
        escape_bibtex(f"arXiv:{meta['arxiv']}" if meta.get("arxiv") else key)
    fields.append(("title", "{" + title + "}"))
    if authors := meta.get("authors"):
        fields.append(("author", " and ".join(escape_bibtex(a) for a in authors)))
    elif meta.get("org"):
        fields.append(("organization", escape_bibtex(meta["org"])))
    if date := meta.get("date"):
        fields.append(("year", str(date.year)))
    if arxiv := meta.get("arxiv"):
        fields += [("eprint", escape_bibtex(arxiv)), ("archivePrefix", "arXiv")]
        if categories := meta.get("categories"):
            fields.append(("primaryClass", escape_bibtex(categories[0])))
        url = f"https://arxiv.org/abs/{arxiv}"
    fields.append(("url", bibtex_url(url)))
    if comment := escape_bibtex(meta.get("comment") or ""):
        fields.append(("note", comment))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(key)},\n{body}\n}}\n"
