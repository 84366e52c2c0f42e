"""site.yaml: the defaults of a minimal file, and one ConfigError at path:line for each bad value.

Every command starts by loading site.yaml, so a mistake in it must come back as one line
naming the file and the line to fix (never a traceback, never a silently ignored key).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator.core.config import (
    CACHE_DIR,
    SCHEMA,
    Config,
    find_site_root,
    host_missing,
    load_config,
    normalize_base_url,
)
from generator.core.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent.parent


def site_with(tmp_path: Path, text: str | bytes) -> Path:
    """A site folder whose site.yaml holds ``text``."""
    path = tmp_path / "site.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return tmp_path


def config_error(tmp_path: Path, text: str | bytes) -> ConfigError:
    """The one ConfigError that loading ``text`` raises."""
    with pytest.raises(ConfigError) as caught:
        load_config(site_with(tmp_path, text))
    assert type(caught.value) is ConfigError
    return caught.value


DEFAULTS = {"title": "Reading list", "description": "Papers I am reading, with notes.", "author": "",
            "base_url": "/", "language": "en", "theme": "default", "theme_dir": None,
            "output_dir": "_site", "feed_size": 50, "per_page": 100, "tag_rules": (), "author_aliases": ()}


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n", "{}\n", "~\n"])
def test_an_empty_site_yaml_gives_every_default(tmp_path, text):
    config = load_config(site_with(tmp_path, text))
    assert dataclasses.asdict(config) == {"root": tmp_path, **DEFAULTS}


def test_a_minimal_site_yaml_sets_what_it_says_and_defaults_the_rest(tmp_path):
    config = load_config(site_with(tmp_path, "title: My list\nper_page: 0\n"))
    assert config.title == "My list" and config.per_page == 0
    assert {k: getattr(config, k) for k in DEFAULTS if k not in ("title", "per_page")} == \
        {k: v for k, v in DEFAULTS.items() if k not in ("title", "per_page")}


def test_every_key_can_be_set(tmp_path):
    text = ("title: T\ndescription: D\nauthor: A\nbase_url: https://x.org/r\nlanguage: fr\n"
            "theme: dark\ntheme_dir: mine\noutput_dir: public\nfeed_size: 5\nper_page: 7\n"
            "tag_rules:\n  moe: [mixture of experts, MoE]\n  code: software\n"
            "author_aliases:\n  Albert Gu: [A. Gu]\n")
    config = load_config(site_with(tmp_path, text))
    assert dataclasses.asdict(config) == {
        "root": tmp_path, "title": "T", "description": "D", "author": "A",
        "base_url": "https://x.org/r/", "language": "fr", "theme": "dark", "theme_dir": "mine",
        "output_dir": "public", "feed_size": 5, "per_page": 7,
        "tag_rules": (("moe", ("mixture of experts", "MoE")), ("code", ("software",))),
        "author_aliases": (("Albert Gu", ("A. Gu",)),),
    }
    assert set(SCHEMA) == set(DEFAULTS)


def test_the_repository_and_skeleton_site_yaml_load(tmp_path):
    config = load_config(ROOT)
    assert config.title == "DeepSeek reading list"
    assert dict(config.tag_rules)["moe"][0] == "mixture-of-experts"
    skeleton = (ROOT / "generator" / "skeleton" / "site.yaml").read_text().replace("{title}", "Mine")
    assert load_config(site_with(tmp_path, skeleton)).title == "Mine"


def test_paths_derive_from_the_root(tmp_path):
    config = Config(root=tmp_path)
    assert config.papers_dir == tmp_path / "content" / "papers"
    assert config.sources_dir == tmp_path / "content" / "sources"
    assert config.cache_dir == tmp_path / CACHE_DIR == tmp_path / ".papershelf-cache"
    assert config.path == tmp_path / "site.yaml"


def test_a_config_is_frozen(tmp_path):
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config(root=tmp_path).title = "x"  # type: ignore[misc]


def test_a_byte_order_mark_is_accepted(tmp_path):
    assert load_config(site_with(tmp_path, b"\xef\xbb\xbftitle: T\n")).title == "T"


# ---- base_url --------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "loaded"), [
    ("/", "/"),
    ("/repo", "/repo/"),
    ("/repo/", "/repo/"),
    ("'  /repo  '", "/repo/"),
    ("''", "/"),
    ("'   '", "/"),
    ("https://u.github.io/repo", "https://u.github.io/repo/"),
    ("https://u.github.io/repo/", "https://u.github.io/repo/"),
    ("https://example.org", "https://example.org/"),
    ("repo", "repo/"),  # relative: kept, with its slash (views make links root-relative)
])
def test_base_url_always_ends_with_a_slash(tmp_path, written, loaded):
    assert load_config(site_with(tmp_path, f"base_url: {written}\n")).base_url == loaded
    assert normalize_base_url(written.strip("'")) == loaded


def test_host_missing_explains_why_a_hostless_base_url_has_no_sitemap():
    assert host_missing("https://u.github.io/repo/") == ""
    assert host_missing("http://localhost:8000/") == ""
    for base in ("/", "/repo/", "repo/", "//host-without-scheme/"):
        why = host_missing(base)
        assert why.startswith(f"base_url {base!r} has no scheme and host") and "sitemap.xml" in why


# ---- errors ------------------------------------------------------------------------------------

def test_no_site_yaml_is_a_config_error_naming_the_folder(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.path == tmp_path and caught.value.line is None
    assert "no site.yaml here" in str(caught.value) and "papershelf init" in caught.value.hint


def test_invalid_yaml_is_a_config_error_at_its_line_and_column(tmp_path):
    error = config_error(tmp_path, "title: T\nauthor: [unclosed\nlanguage: en\n")
    assert error.path == tmp_path / "site.yaml"
    assert error.message.startswith("invalid YAML: ")
    assert error.line == 3 and error.column == 9


def test_a_tab_indent_is_a_config_error_at_its_line(tmp_path):
    error = config_error(tmp_path, "title: T\ntag_rules:\n\tmoe: [MoE]\n")
    assert error.line == 3 and error.message.startswith("invalid YAML")


def test_two_documents_are_a_config_error(tmp_path):
    error = config_error(tmp_path, "title: A\n---\ntitle: B\n")
    assert error.line == 2 and error.path == tmp_path / "site.yaml"


@pytest.mark.parametrize("text", ["- title\n- author\n", "just text\n", "42\n"])
def test_a_site_yaml_that_is_not_a_mapping_is_a_config_error_at_line_1(tmp_path, text):
    error = config_error(tmp_path, text)
    assert (error.message, error.line) == ("site.yaml must be a mapping of 'key: value' lines", 1)


def test_an_unknown_key_is_a_config_error_at_its_line_listing_the_known_keys(tmp_path):
    error = config_error(tmp_path, "title: T\n\n# the theme\nthem: dark\n")
    assert (error.message, error.line, error.path) == ("unknown key 'them'", 4, tmp_path / "site.yaml")
    assert error.hint == "known keys: " + ", ".join(SCHEMA)
    assert str(error) == (f"{tmp_path / 'site.yaml'}:4: unknown key 'them' (known keys: "
                          + ", ".join(SCHEMA) + ")")


def test_an_unknown_key_that_yaml_reads_as_a_number_is_reported_at_its_line(tmp_path):
    """YAML reads ``2024: x`` as the integer key 2024; its line is known all the same."""
    error = config_error(tmp_path, "title: T\n2024: x\n")
    assert error.message == "unknown key 2024"
    assert error.line == 2


@pytest.mark.parametrize(("line", "message"), [
    ("title: 3", "title must be a str"),
    ("title: [a, b]", "title must be a str"),
    ("title:", "title must be a str"),
    ("description: {a: 1}", "description must be a str"),
    ("author: 2025-01-01", "author must be a str"),
    ("base_url: 8000", "base_url must be a str"),
    ("language: yes", "language must be a str"),
    ("theme: null", "theme must be a str"),
    ("theme_dir: 5", "theme_dir must be a str"),
    ("theme_dir: [a]", "theme_dir must be a str"),
    ("output_dir: 1", "output_dir must be a str"),
    ("feed_size: ten", "feed_size must be a int"),
    ("feed_size: 2.5", "feed_size must be a int"),
    ("feed_size: true", "feed_size must be a int"),
    ("per_page: '10'", "per_page must be a int"),
    ("per_page: false", "per_page must be a int"),
    ("tag_rules: [moe]", "tag_rules must be a dict"),
    ("tag_rules: moe", "tag_rules must be a dict"),
    ("tag_rules:", "tag_rules must be a dict"),
    ("feed_size: 0", "feed_size must be at least 1"),
    ("feed_size: -5", "feed_size must be at least 1"),
    ("per_page: -1", "per_page must be at least 0"),
    ("output_dir: ''", "output_dir must name a folder"),
    ("output_dir: '   '", "output_dir must name a folder"),
])
def test_each_invalid_value_is_one_config_error_at_its_line(tmp_path, line, message):
    error = config_error(tmp_path, f"# site\ntitle: fine\n\n{line}\n" if not line.startswith("title")
                         else f"# site\nauthor: fine\n\n{line}\n")
    assert (error.message, error.line, error.path) == (message, 4, tmp_path / "site.yaml")


@pytest.mark.parametrize("rules", [
    "{two words: [x]}",
    "{'': [x]}",
    "{-moe: [x]}",
    "{moe: 3}",
    "{moe: [x, 3]}",
    "{moe: [[x]]}",
    "{moe: {x: y}}",
    "{moe: null}",
    "{1: [x]}",
])
def test_a_bad_tag_rule_is_a_config_error_at_the_tag_rules_line(tmp_path, rules):
    error = config_error(tmp_path, f"title: T\ntag_rules: {rules}\n")
    assert error.message.startswith("tag_rules: ") and "must map a tag" in error.message
    assert error.line == 2


def test_tag_rules_keep_their_order_and_a_single_keyword_becomes_a_list(tmp_path):
    text = "tag_rules:\n  zeta: one\n  alpha: [a, b]\n  c++: [cpp]\n  v1.5: []\n"
    assert load_config(site_with(tmp_path, text)).tag_rules == (
        ("zeta", ("one",)), ("alpha", ("a", "b")), ("c++", ("cpp",)), ("v1.5", ()))


def test_a_site_yaml_that_is_not_utf8_is_a_config_error_at_its_line(tmp_path):
    """A Latin-1 ``é`` must come back as one ConfigError naming site.yaml, not a traceback."""
    error = config_error(tmp_path, b"title: T\nauthor: Ren\xe9\n")
    assert error.path == tmp_path / "site.yaml"
    assert error.line == 2


# ---- find_site_root ---------------------------------------------------------------------------

def test_the_site_root_is_the_nearest_folder_with_a_site_yaml(tmp_path):
    site_with(tmp_path, "title: outer\n")
    inner = tmp_path / "content" / "papers"
    inner.mkdir(parents=True)
    assert find_site_root(inner) == tmp_path.resolve()
    nested = tmp_path / "nested"
    nested.mkdir()
    site_with(nested, "")
    assert find_site_root(nested / ".") == nested.resolve()


def test_a_folder_named_site_yaml_does_not_make_a_site(tmp_path):
    (tmp_path / "site.yaml").mkdir()
    start = tmp_path / "a"
    start.mkdir()
    with pytest.raises(ConfigError, match=r"no site\.yaml in"):
        find_site_root(start)


def test_no_site_yaml_above_is_a_config_error_with_a_hint(tmp_path):
    if any((folder / "site.yaml").is_file() for folder in tmp_path.resolve().parents):
        pytest.skip("a site.yaml lies above the temporary folder")
    with pytest.raises(ConfigError) as caught:
        find_site_root(tmp_path)
    assert str(tmp_path.resolve()) in caught.value.message
    assert "--site DIR" in caught.value.hint and "papershelf init DIR" in caught.value.hint


# ---- author_aliases ------------------------------------------------------------------------------

def test_author_aliases_map_each_spelling_normalised_to_its_canonical_name(tmp_path):
    text = "author_aliases:\n  'Albert  Gu': [A. Gu, 'Ａｌｂｅｒｔ Gu', Albert Gu]\n  Tri Dao: T. Dao\n"
    config = load_config(site_with(tmp_path, text))
    assert config.author_aliases == (("Albert Gu", ("A. Gu",)), ("Tri Dao", ("T. Dao",)))


@pytest.mark.parametrize(("text", "line", "message"), [
    ("title: x\nauthor_aliases:\n  Albert Gu: [A. Gu]\n  Tri Dao: [T. Dao, ' A.  Gu']\n", 4,
     "'A. Gu' is listed under both 'Albert Gu' and 'Tri Dao'"),
    ("author_aliases:\n  Albert Gu: [A. Gu]\n  A. Gu: [Gu A.]\n", 3,
     "'A. Gu' is a name of its own and a spelling of 'Albert Gu'"),
    ("author_aliases:\n  Albert Gu: [A. Gu]\n  Albert  Gu: [Gu, A.]\n", 3, "'Albert Gu' is listed twice"),
    ("author_aliases:\n  Albert Gu: 3\n", 2, "'Albert Gu' must map an author's name to a list"),
    ("author_aliases:\n  Albert Gu: ['']\n", 2, "'Albert Gu' must map an author's name to a list"),
    ("\nauthor_aliases: [Albert Gu]\n", 2, "author_aliases must be a dict"),
])
def test_a_bad_author_alias_is_an_error_at_its_line(tmp_path, text, line, message):
    error = config_error(tmp_path, text)
    assert error.line == line and error.path == tmp_path / "site.yaml"
    assert message in error.message, error.message
