"""The Jinja environment: strict about undefined names, escaping by default, errors at template:line.

A theme author's typo must stop the build with the template and line to fix (never render an
empty string), and text from entries must reach the page escaped. Templates are written into
a small theme in the test's temporary folder and loaded through ``make_environment``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.errors import BuildError
from generator.site.templates import make_environment, render
from generator.site.theme import Theme

TEMPLATES = {
    "undefined.html": "<h1>\n{{ page.title }}\n{{ missing }}\n</h1>\n",
    "attribute.html": "{% for p in papers %}\n{{ p.title }}\n{{ p.nope }}\n{% endfor %}\n",
    "condition.html": "\n\n{% if flag %}yes{% endif %}\n",
    "defaults.html": "{{ missing | default('none') }}|{{ 'yes' if missing is defined else 'no' }}\n",
    "child.html": '{% extends "parent.html" %}\n{% block main %}\n{{ paper.title }}\n{{ paper.typo }}\n'
                  "{% endblock %}\n",
    "parent.html": "<main>\n{% block main %}{% endblock %}\n</main>\n",
    "includes.html": 'one\ntwo\n{% include "included.html" %}\n',
    "included.html": "a\n{{ nowhere }}\n",
    "broken_include.html": 'one\n{% include "absent.html" %}\n',
    "syntax.html": "fine\n{% if %}\n{% endif %}\n",
    "value.html": "<p>{{ value }}</p><a title=\"{{ value }}\" href=\"{{ href }}\">x</a>\n",
    "safe.html": "{{ html | safe }}|{{ html }}\n",
    "feed.xml": "<title>{{ value }}</title>\n",
    "keys.html": "{{ d.items }}|{{ d.keys }}|{{ d.title }}|{{ obj.real }}\n",
    "blocks.html": "<ul>\n  {% for x in xs %}\n  <li>{{ x }}</li>\n  {% endfor %}\n</ul>\n",
    "division.html": "a\n{{ 1 // zero }}\n",
}


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    """A theme holding only ``TEMPLATES``."""
    folder = tmp_path / "theme"
    (folder / "templates").mkdir(parents=True)
    for name, text in TEMPLATES.items():
        (folder / "templates" / name).write_text(text, encoding="utf-8")
    return Theme((folder,))


@pytest.fixture
def env(theme):
    return make_environment(theme)


def failure(env, name: str, context: dict | None = None) -> BuildError:
    with pytest.raises(BuildError) as caught:
        render(env, name, context or {})
    return caught.value


def where(error: BuildError) -> tuple[str, int | None]:
    return Path(str(error.path)).name, error.line


def test_an_undefined_variable_is_a_build_error_naming_template_and_line(env):
    error = failure(env, "undefined.html", {"page": {"title": "T"}})
    assert where(error) == ("undefined.html", 3)
    assert "'missing' is undefined" in error.message
    assert str(error).endswith("undefined.html:3: template error: UndefinedError: 'missing' is undefined")


def test_a_missing_key_of_a_view_dict_is_a_build_error_at_its_line(env):
    error = failure(env, "attribute.html", {"papers": [{"title": "T"}]})
    assert where(error) == ("attribute.html", 3) and "nope" in error.message


def test_an_undefined_name_in_a_condition_is_an_error_too(env):
    assert where(failure(env, "condition.html")) == ("condition.html", 3)


def test_default_and_is_defined_still_work_under_strict_undefined(env):
    assert render(env, "defaults.html", {}) == "none|no\n"


def test_an_error_in_a_block_names_the_child_template_line(env):
    error = failure(env, "child.html", {"paper": {"title": "T"}})
    assert where(error) == ("child.html", 4) and "typo" in error.message


def test_an_error_in_an_included_template_names_the_included_file(env):
    assert where(failure(env, "includes.html")) == ("included.html", 2)


def test_a_missing_include_names_the_including_template_and_line(env):
    error = failure(env, "broken_include.html")
    assert where(error) == ("broken_include.html", 2)
    assert "'absent.html' not found in the theme" in error.message


def test_a_missing_template_is_a_build_error_naming_it(env):
    error = failure(env, "nowhere.html")
    assert "'nowhere.html' not found in the theme" in error.message
    assert error.hint == "check the theme folders"


def test_a_syntax_error_is_a_build_error_naming_template_and_line(env):
    error = failure(env, "syntax.html")
    assert where(error) == ("syntax.html", 2) and error.message.startswith("template error: ")


def test_any_other_failure_while_rendering_names_template_and_line(env):
    error = failure(env, "division.html", {"zero": 0})
    assert where(error) == ("division.html", 2) and "ZeroDivisionError" in error.message


def test_values_are_escaped_in_text_and_attributes(env):
    value = '<script>alert("x")</script> & \'q\''
    html = render(env, "value.html", {"value": value, "href": "javascript:x\"><b>"})
    assert "<script>" not in html and "<b>" not in html
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;"
    assert html == f'<p>{escaped}</p><a title="{escaped}" href="javascript:x&#34;&gt;&lt;b&gt;">x</a>\n'


def test_xml_templates_are_escaped_too(env):
    assert render(env, "feed.xml", {"value": "</title><x>"}) == "<title>&lt;/title&gt;&lt;x&gt;</title>\n"


def test_only_html_marked_safe_is_left_as_is(env):
    assert render(env, "safe.html", {"html": "<em>a</em>"}) == "<em>a</em>|&lt;em&gt;a&lt;/em&gt;\n"


def test_a_dotted_name_looks_up_a_view_dict_key_before_the_dict_method(env):
    """``paper.items`` in a template is the view's ``items`` key, not ``dict.items``."""
    view = {"items": "the items", "keys": "the keys", "title": "T"}
    assert render(env, "keys.html", {"d": view, "obj": 3}) == "the items|the keys|T|3\n"


def test_block_tags_leave_no_blank_lines_or_indents_and_the_final_newline_stays(env):
    assert render(env, "blocks.html", {"xs": [1, 2]}) == "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n"


def test_with_a_cache_dir_compiled_templates_are_kept_for_the_next_process(theme, tmp_path):
    cache = tmp_path / "cache" / "jinja"
    env = make_environment(theme, cache_dir=cache)
    assert render(env, "blocks.html", {"xs": [1]}) == "<ul>\n  <li>1</li>\n</ul>\n"
    kept = list(cache.iterdir())
    assert len(kept) == 1
    again = make_environment(theme, cache_dir=cache)
    assert render(again, "blocks.html", {"xs": [2]}) == "<ul>\n  <li>2</li>\n</ul>\n"
    assert list(cache.iterdir()) == kept


def test_without_a_cache_dir_nothing_is_written(theme, tmp_path):
    render(make_environment(theme), "blocks.html", {"xs": []})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theme"]
