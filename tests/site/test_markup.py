"""Text to HTML: math, LaTeX text commands, and notes rendered with only the extensions they need."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site.markup import plain_text, teaser, text_html
from generator.site.notes import NotesRenderer

PIECES = [
    "A plain sentence.", "It's \"quoted\" -- and --- dashed... <<angled>>",
    "| a | b |\n|---|---|\n| 1 | 2 |", "```python\nprint('x')\n```", "~~~\ncode\n~~~",
    "A claim[^1].\n\n[^1]: The note.", "$x_1 + y$ and $$\\frac{a}{b}$$",
    "- one\n- two\n\n1. first\n2. second", "[a link](https://example.org) and <https://example.org>",
    "*em* __strong__ `code $x$`", "# Heading\n\n> a quote", "costs $5 and $10", "<b>raw</b> & ampersand",
    "pipe | alone", "a--b", "'single'", "---", "| x |\n| -- |\n| a -- b |", "Setext\n---",
    "x\n\n- - -\n\n--not a rule", "<<guillemets>>", "| a | b | c |\n|--|--|\n| 1 | 2 |",
    "| a |\n|:--|\n| -- |", "  | a | b |\n  | --- | --- |", "| a | b |\n| --- | --- |\ntext after",
]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6), st.sampled_from(["\n\n", "\n", " "]))
def test_leaving_out_unused_extensions_changes_nothing(pieces, glue):
    text = glue.join(pieces)
    renderer = NotesRenderer()
    assert renderer.render(text) == renderer.render(text, every_extension=True)


def test_math_text_commands_and_escapes():
    html = text_html(r"We show $\textit{proper methods}$ give 100\% of $\mathcal{O}(n)$ <b>gain</b>.")
    assert "<em>proper methods</em>" in html and "100%" in html
    assert "<math" in html and "&lt;b&gt;gain&lt;/b&gt;" in html
    assert plain_text(r"$\textbf{Bold}$ and \% sign") == "Bold and % sign"
    assert teaser("word " * 100, 20).endswith("…") and len(teaser("word " * 100, 20)) <= 21


def test_broken_latex_is_shown_as_source():
    assert '<code class="tex">$\\frac{a}{$</code>' in text_html(r"Broken $\frac{a}{$ formula.")


def test_empty_notes_skip_markdown():
    assert NotesRenderer().render("  \n\n") == ""
