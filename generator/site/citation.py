"""Papers beyond arXiv: their DOI, outside links and venue, as pages and BibTeX cite them.

Entries (and the dumps they came from) are untrusted: a URL becomes a link only when it is
http or https with a host, and a DOI only when it has a DOI's shape (``10.NNNN/...``). Whether
a venue is a journal or proceedings is not in the entry; it is read from the venue's name:
proceedings when it says so (``Proceedings``, ``Conference``, ``Workshop``, ``Symposium``...)
or names a well-known conference (``NeurIPS``, ``ICML``, ``ACL``, ``CVPR``...) and is not
a journal by name (``Journal``, ``Transactions``, ``Letters``, ``Proceedings of the IEEE``,
PNAS), else a journal.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_PROCEEDINGS = re.compile(
    r"\b(?:proc(?:eedings|\.)?|conference|conf\.|workshops?|symposium|colloquium|congress|meeting|"
    r"neurips|nips|icml|iclr|acl|emnlp|naacl|eacl|aacl|coling|conll|lrec|cvpr|iccv|eccv|wacv|bmvc|"
    r"aaai|ijcai|kdd|sigir|sigmod|vldb|www|wsdm|cikm|recsys|uai|aistats|colt|corl|rss|icra|iros|"
    r"interspeech|icassp|chi|uist|osdi|sosp|nsdi|usenix|isca|asplos|pldi|popl|icse|fse|"
    r"mlsys|icde|siggraph|miccai|ecai|ecml|pkdd)\b",
    re.IGNORECASE)
# journals whose names say "Proceedings" (PNAS, Proc. IEEE) or that print a conference's papers
_JOURNAL = re.compile(r"\b(?:journal|transactions|letters|magazine|pnas)\b|\bproceedings of the "
                      r"(?:ieee|national academy|royal society|american mathematical)\b", re.IGNORECASE)


def safe_url(value: Any) -> str:
    """``value`` when it is an http(s) URL with a host (and nothing that could end an
    attribute or a line), else empty: only such URLs become links."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    if not url or any(c.isspace() or not c.isprintable() for c in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def doi_of(value: Any) -> str:
    """The DOI in ``value`` when it has a DOI's shape (a ``doi:`` or doi.org prefix dropped)."""
    if not isinstance(value, str):
        return ""
    doi = value.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
    return doi if _DOI.fullmatch(doi) else ""


def doi_url(doi: str) -> str:
    """``https://doi.org/<doi>`` with the DOI percent-encoded for a URL path ("/" kept)."""
    return "https://doi.org/" + quote(doi, safe="/")


def is_proceedings(venue: str) -> bool:
    """Whether a venue's name reads as conference or workshop proceedings (else: a journal)."""
    return not _JOURNAL.search(venue) and bool(_PROCEEDINGS.search(venue))


def outside_links(meta: dict[str, Any]) -> list[dict[str, str]]:
    """The DOI, the paper's own URL, its code and its project page, when present and safe."""
    links = []
    if doi := doi_of(meta.get("doi")):
        links.append({"kind": "doi", "label": "DOI", "href": doi_url(doi)})
    for key, label in (("url", "Paper"), ("code", "Code"), ("project", "Project page")):
        if href := safe_url(meta.get(key)):
            links.append({"kind": key, "label": label, "href": href})
    return links


def scholar_venue(venue: str) -> dict[str, str]:
    """Google Scholar's tag for a venue: ``citation_conference_title`` for proceedings, else
    ``citation_journal_title``; nothing without a venue."""
    if not venue:
        return {}
    return {"citation_conference_title" if is_proceedings(venue) else "citation_journal_title": venue}
