"""BibTeX for papers: one ``@misc`` entry each, keyed by the paper's permanent slug."""

from __future__ import annotations

import re
from typing import Any

_SPECIAL = re.compile(r"([&%$#_{}~^\\])")
_REPLACE = {"~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def escape_bibtex(text: str) -> str:
    """Escape BibTeX/LaTeX special characters; Unicode is kept (biber and bibtex8 read UTF-8)."""
    return _SPECIAL.sub(lambda m: _REPLACE.get(m[1], "\\" + m[1]), " ".join(text.split()))


def bibtex_entry(key: str, meta: dict[str, Any], url: str) -> str:
    """A ``@misc`` entry with ``eprint``/``archivePrefix`` for arXiv papers (the arXiv style)."""
    fields: list[tuple[str, str]] = []
    title = meta.get("title") or (f"arXiv:{meta['arxiv']}" if meta.get("arxiv") else key)
    fields.append(("title", "{" + escape_bibtex(title) + "}"))
    if authors := meta.get("authors"):
        fields.append(("author", " and ".join(escape_bibtex(a) for a in authors)))
    elif meta.get("org"):
        fields.append(("organization", escape_bibtex(meta["org"])))
    if date := meta.get("date"):
        fields.append(("year", str(date.year)))
    if arxiv := meta.get("arxiv"):
        fields += [("eprint", arxiv), ("archivePrefix", "arXiv")]
        if categories := meta.get("categories"):
            fields.append(("primaryClass", categories[0]))
        url = f"https://arxiv.org/abs/{arxiv}"
    fields.append(("url", url))
    if comment := meta.get("comment"):
        fields.append(("note", escape_bibtex(comment)))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"
