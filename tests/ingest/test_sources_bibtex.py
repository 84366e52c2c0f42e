"""The BibTeX parser on files in the shapes Zotero, Google Scholar, Semantic Scholar and arXiv
write, and on a hand-written file with every awkward case."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.core.partial_dates import PartialDate
from generator.ingest.merge import group_records
from generator.ingest.records import Record
from generator.ingest.sources import detect_format, parse_dump
from generator.ingest.tagging import keyword_tag, merged_tags
from tests.conftest import FIXTURES, SEEDS

BIB = FIXTURES / "bibtex"


def records(name):
    dump = parse_dump(BIB / name)
    assert dump.format == "bibtex"
    return {r.bibkey: r for r in dump.records}, [str(w) for w in dump.warnings]


def test_every_export_is_detected_as_bibtex_and_the_seeds_are_not():
    for path in BIB.glob("*.bib"):
        assert detect_format(path.read_text(encoding="utf-8")) == "bibtex", path.name
    for path in SEEDS.iterdir():
        assert detect_format(path.read_text(encoding="utf-8")) != "bibtex"
    assert detect_format("@comment{x,\n}\nNot a paper.\n") != "bibtex"
    assert detect_format("Contact me @ home, or @twitter{x} later\n") != "bibtex"


def test_better_bibtex_export():
    found, warnings = records("zotero-better-bibtex.bib")
    assert warnings == [] and len(found) == 23
    attention = found["vaswaniAttentionAllYou2017"]
    assert attention.title == "Attention Is All You Need"
    assert attention.arxiv == "1706.03762" and attention.doi is None
    assert attention.venue == "Advances in Neural Information Processing Systems"
    assert attention.date == PartialDate(2017, 12) and attention.date.month_known
    assert attention.authors[6] == "Łukasz Kaiser" and attention.authors_count == 8
    assert attention.keywords == ("Computer Science - Computation and Language",
                                  "Computer Science - Machine Learning", "transformers")
    assert attention.url is None  # neither the file path nor anything else is a link
    mamba = found["guMambaLinearTimeSequence2024"]
    assert mamba.title == "Mamba: Linear-Time Sequence Modeling with Selective State Spaces"
    # the arXiv DOI only repeats the id
    assert (mamba.arxiv, mamba.doi, mamba.venue) == ("2312.00752", None, None)
    lecun = found["lecunDeepLearning2015"]
    assert (lecun.doi, lecun.venue, lecun.arxiv) == ("10.1038/nature14539", "Nature", None)
    silver = found["silverMasteringGameGo2016"]
    assert silver.authors[-1] == "Laurent Sifre" and "others" not in silver.authors
    assert silver.authors_count is None  # "and others": the count is unknown
    assert found["hochreiterLongShortTermMemory1997"].authors == ("Sepp Hochreiter", "Jürgen Schmidhuber")
    assert found["scholkopfSupportVectorLearning1997"].authors == ("Bernhard Schölkopf",)
    assert found["huLoRALowRankAdaptation2021"].authors[3] == "Zeyuan Allen-Zhu"
    dropout = found["srivastavaDropoutSimpleWay2014"]
    assert dropout.url == "http://jmlr.org/papers/v15/srivastava14a.html"
    assert dropout.date == PartialDate(2014)
    assert found["bishopPatternRecognitionMachine2006"].venue is None
    insights = found["zhaoInsightsDeepSeekV3Scaling2025"]
    assert (insights.arxiv, insights.doi) == ("2505.09343", "10.1145/3695053.3731412")
    assert insights.venue == "Proceedings of the 52nd Annual International Symposium on Computer Architecture"


def test_better_biblatex_export():
    found, warnings = records("zotero-better-biblatex.bib")
    assert warnings == []
    mamba = found["guMambaLinearTimeSequence2023"]
    assert (mamba.arxiv, mamba.doi, mamba.url, mamba.date) == ("2312.00752", None, None, dt.date(2023, 12, 1))
    lecun = found["lecunDeepLearning2015"]
    assert (lecun.venue, lecun.date, lecun.doi) == ("Nature", dt.date(2015, 5, 28), "10.1038/nature14539")
    bert = found["devlinBERTPretrainingDeep2019"]
    assert (bert.arxiv, bert.doi, bert.date) == ("1810.04805", "10.18653/v1/N19-1423", PartialDate(2019, 6))
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"


def test_zotero_builtin_export():
    found, warnings = records("zotero-builtin.bib")
    assert warnings == []
    lecun = found["lecun_deep_2015"]
    assert lecun.line == 2 and lecun.date == PartialDate(2015, 5)
    assert lecun.url == "https://www.nature.com/articles/nature14539"
    assert lecun.comment == "Publisher: Nature Publishing Group"
    assert lecun.abstract.startswith("Deep learning allows computational models")
    assert lecun.keywords == ("Computer science", "Mathematics and computing")
    mamba = found["gu_mamba_2024"]
    assert mamba.title == "Mamba: Linear-Time Sequence Modeling with Selective State Spaces"
    assert (mamba.arxiv, mamba.doi, mamba.url, mamba.comment) == ("2312.00752", None, None, None)
    muller = found["muller_uber_2019"]
    assert muller.title == "Über die Größe von Sprachmodellen & Daten"
    assert muller.authors == ("Jörg Müller", "María García", "Søren Østergaard")
    assert muller.venue == "Proceedings of the Workshop on Natural Language Processing & Linguistics"
    assert muller.date == PartialDate(2019, 12)


def test_google_scholar_export():
    found, _ = records("google-scholar.bib")
    he = found["he2016deep"]
    assert he.venue == "Proceedings of the IEEE conference on computer vision and pattern recognition"
    assert (he.arxiv, he.doi, he.date) == (None, None, PartialDate(2016))
    mamba = found["gu2023mamba"]
    assert (mamba.arxiv, mamba.venue) == ("2312.00752", None)  # "arXiv preprint arXiv:..." is no venue
    llama = found["touvron2023llama"]
    assert llama.arxiv == "2307.09288" and len(llama.authors) == 10 and llama.authors_count is None


def test_semantic_scholar_and_arxiv_exports():
    found, _ = records("semantic-scholar.bib")
    mamba = found["Gu2023MambaLS"]
    assert (mamba.arxiv, mamba.venue) == ("2312.00752", None)  # journal "ArXiv", volume "abs/..."
    assert mamba.url == "https://api.semanticscholar.org/CorpusID:265551773"
    assert found["Vaswani2017AttentionIA"].authors[1] == "Noam M. Shazeer"
    assert found["Jumper2021HighlyAP"].authors[4] == "Augustin Žídek"
    (arxiv,) = records("arxiv-export.bib")[0].values()
    assert arxiv.title == "Mamba: Linear-Time Sequence Modeling with Selective State Spaces"
    assert (arxiv.arxiv, arxiv.url, arxiv.date) == ("2312.00752", None, PartialDate(2024))


def test_awkward_file():
    found, warnings = records("edge-cases.bib")
    assert warnings == [
        "edge-cases.bib:24: warning: malformed BibTeX entry skipped (check its braces, quotes and commas)",
        "edge-cases.bib:51: warning: entry 'notitle2020' has no title or arXiv id; skipped"]
    assert list(found) == ["kim2023attention", "doi_only_2018", "url_id_2021", "doi_id_2022",
                           "old_style_2001", None]
    odd = found[None]  # "not a key" cannot be cited back; "n/a" is no DOI (nor an identity)
    assert (odd.title, odd.doi, odd.date) == ("Odd Key and a Non-DOI", None, PartialDate(2001))
    kim = found["kim2023attention"]
    assert kim.title == ("Attention $O(n^2)$ is not all you need: Research & practice with "
                         "$\\mathcal{O}(\\log n)$ memory")
    assert kim.authors == ("Sun-Young Kim", "José de la Cruz", "Google DeepMind")
    assert kim.authors_count is None
    assert kim.venue == "Proceedings of the 40th International Conference on Machine Learning (ICML)"
    assert (kim.arxiv, kim.date, kim.comment) == ("2307.01234", dt.date(2023, 7, 23), "Oral presentation")
    assert kim.keywords == ("efficient attention", "Long Context", "C++")
    doi_only = found["doi_only_2018"]
    assert (doi_only.doi, doi_only.arxiv) == ("10.1234/ABC.DEF-5678", None)
    assert doi_only.date == PartialDate(2018, 3)
    assert found["url_id_2021"].arxiv == "2101.00001" and found["url_id_2021"].url is None
    assert (found["doi_id_2022"].arxiv, found["doi_id_2022"].doi) == ("2202.00002", None)
    assert found["doi_id_2022"].date == dt.date(2022, 2, 14)
    old = found["old_style_2001"]
    assert (old.arxiv, old.authors) == ("hep-th/9901001", ("John Smith Jr.",))
    assert old.date == PartialDate(1999, 1)


def test_control_characters_are_removed_and_no_entry_is_an_error(tmp_path):
    path = tmp_path / "lib.bib"
    path.write_text("@article{k,\n  title = {Bell\x07 {T}itle \x1b[31mred},\n  year = 2020\n}\n")
    dump = parse_dump(path)
    assert dump.records[0].title == "Bell Title red"
    assert str(dump.warnings[0]).startswith("lib.bib:2:")
    empty = tmp_path / "empty.bib"
    empty.write_text("@comment{nothing here}\n@string{x = {y}}\n")
    from generator.core.errors import DumpError
    with pytest.raises(DumpError, match="no BibTeX entry found"):
        parse_dump(empty, "bibtex")


def test_doi_identity_is_case_insensitive_and_keywords_become_tag_names():
    one = Record("a.bib", 1, "bibtex", title="One title", doi="10.1038/NATURE14539")
    two = Record("b.bib", 1, "bibtex", title="Another title", doi="10.1038/nature14539")
    other = Record("b.bib", 5, "bibtex", title="Third", doi="10.1038/nature14540")
    groups, _ = group_records([], [one, two, other])
    assert [len(g.records) for g in groups] == [2, 1]
    assert keyword_tag("Computer Science - Machine Learning") == "computer-science-machine-learning"
    assert keyword_tag("C++") == "c++" and keyword_tag(" -- ") is None
    assert merged_tags(["moe"], ["MoE", "Long Context", "moe"]) == ["moe", "long-context"]


def test_the_fast_path_reads_braces_as_the_latex_parser_does():
    """Values with nothing but braces for LaTeX skip pylatexenc; it would give the same text."""
    import bibtexparser

    from generator.ingest.sources.bibtex import _LATEX_SYNTAX, _decoder, latex_to_text

    decoder, _ = _decoder()
    checked = 0
    for path in BIB.glob("*.bib"):
        for entry in bibtexparser.parse_string(path.read_text(encoding="utf-8")).entries:
            for field in entry.fields:
                value = str(field.value)
                if not _LATEX_SYNTAX.search(value):
                    checked += 1
                    assert " ".join(latex_to_text(value).split()) == \
                        " ".join(decoder.latex_to_text(value).split())
    assert checked > 300
    assert latex_to_text(r"{\"o} -- \& $\alpha$") == "ö – & $\\alpha$"
