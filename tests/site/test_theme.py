"""Theme lookup: a site's own theme files override the built-in theme one file at a time.

A site restyles one template or one asset by dropping that file into its ``theme_dir`` (or
``themes/<theme>/``); every other file still comes from the built-in theme, and a change to
any theme file changes the fingerprint that tells the build to render again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.config import Config, load_config
from generator.core.errors import ConfigError
from generator.site.templates import make_environment
from generator.site.theme import Theme, builtin_theme_dir, load_theme

BUILTIN = builtin_theme_dir().resolve()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def template_file(theme: Theme, name: str) -> Path:
    """The file Jinja loads for ``name`` under ``theme``."""
    return Path(make_environment(theme).get_template(name).filename)


def test_the_builtin_theme_holds_the_templates_and_assets_a_site_needs():
    assert {"base.html", "index.html", "paper.html", "tag.html", "tags.html", "search.html",
            "stats.html", "404.html"} <= {p.name for p in (BUILTIN / "templates").iterdir()}
    assert "style.css" in {p.name for p in (BUILTIN / "assets").iterdir()}


def test_a_site_without_a_theme_of_its_own_uses_the_builtin_theme(tmp_path):
    theme = load_theme(Config(root=tmp_path))
    assert theme.folders == (BUILTIN,)
    assert theme.template_dirs == [str(BUILTIN / "templates")]
    assert template_file(theme, "paper.html") == BUILTIN / "templates" / "paper.html"


def test_theme_dir_overrides_one_template_and_leaves_the_others_builtin(tmp_path):
    custom = write(tmp_path / "mytheme" / "templates" / "paper.html", "custom paper {{ 1 + 1 }}\n")
    theme = load_theme(Config(root=tmp_path, theme_dir="mytheme"))
    assert theme.folders == (custom.parent.parent.resolve(), BUILTIN)
    env = make_environment(theme)
    assert Path(env.get_template("paper.html").filename) == custom.resolve()
    assert env.get_template("paper.html").render() == "custom paper 2\n"
    assert template_file(theme, "index.html") == BUILTIN / "templates" / "index.html"
    assert template_file(theme, "base.html") == BUILTIN / "templates" / "base.html"


def test_a_theme_dir_template_may_use_the_builtin_macros(tmp_path):
    write(tmp_path / "t" / "templates" / "mine.html",
          '{% from "_macros.html" import status_badge %}[{{ status_badge("read", "Done") }}]')
    env = make_environment(load_theme(Config(root=tmp_path, theme_dir="t")))
    html = env.get_template("mine.html").render()
    assert html.startswith("[<") and "Done" in html and html.endswith("]")
    assert Path(env.get_template("_macros.html").filename) == BUILTIN / "templates" / "_macros.html"


def test_theme_dir_wins_over_the_local_theme_which_wins_over_the_builtin_one(tmp_path):
    for folder in ("custom", "themes/default"):
        write(tmp_path / folder / "templates" / "index.html", f"from {folder}\n")
    write(tmp_path / "themes/default" / "templates" / "tag.html", "local tag\n")
    theme = load_theme(Config(root=tmp_path, theme_dir="custom"))
    assert theme.folders == ((tmp_path / "custom").resolve(), (tmp_path / "themes/default").resolve(),
                             BUILTIN)
    env = make_environment(theme)
    assert env.get_template("index.html").render() == "from custom\n"
    assert env.get_template("tag.html").render() == "local tag\n"
    assert Path(env.get_template("paper.html").filename) == BUILTIN / "templates" / "paper.html"


def test_a_named_local_theme_comes_before_the_builtin_one(tmp_path):
    write(tmp_path / "themes" / "dark" / "assets" / "style.css", "body{background:#000}")
    theme = load_theme(Config(root=tmp_path, theme="dark"))
    assert theme.folders == ((tmp_path / "themes" / "dark").resolve(), BUILTIN)
    assert theme.assets()["style.css"] == (tmp_path / "themes" / "dark" / "assets" / "style.css").resolve()


def test_assets_override_one_file_at_a_time_and_add_new_ones(tmp_path):
    css = write(tmp_path / "t" / "assets" / "style.css", "body{color:red}")
    logo = write(tmp_path / "t" / "assets" / "img" / "logo.svg", "<svg/>")
    assets = load_theme(Config(root=tmp_path, theme_dir="t")).assets()
    builtin = {p.relative_to(BUILTIN / "assets").as_posix() for p in (BUILTIN / "assets").rglob("*")
               if p.is_file()}
    assert set(assets) == builtin | {"img/logo.svg"}
    assert assets["style.css"] == css.resolve()
    assert assets["img/logo.svg"] == logo.resolve()
    assert assets["search.js"] == BUILTIN / "assets" / "search.js"
    assert list(assets) == sorted(assets)


def test_a_theme_dir_without_templates_or_assets_is_skipped_for_them(tmp_path):
    (tmp_path / "empty").mkdir()
    theme = load_theme(Config(root=tmp_path, theme_dir="empty"))
    assert theme.template_dirs == [str(BUILTIN / "templates")]
    assert theme.assets() == load_theme(Config(root=tmp_path)).assets()


def test_an_absolute_theme_dir_is_used_as_it_is(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "templates" / "404.html", "gone\n")
    site = tmp_path / "site"
    site.mkdir()
    theme = load_theme(Config(root=site, theme_dir=str(elsewhere)))
    assert theme.folders[0] == elsewhere.resolve()


def test_the_fingerprint_changes_when_a_theme_file_changes_and_only_then(tmp_path):
    css = write(tmp_path / "t" / "assets" / "style.css", "body{color:red}")
    config = Config(root=tmp_path, theme_dir="t")
    before = load_theme(config).fingerprint()
    assert load_theme(config).fingerprint() == before  # stable
    css.write_text("body{color:blue}")
    edited = load_theme(config).fingerprint()
    assert edited != before
    write(tmp_path / "t" / "templates" / "paper.html", "x")
    added = load_theme(config).fingerprint()
    assert added != edited
    (tmp_path / "t" / "templates" / "paper.html").rename(tmp_path / "t" / "templates" / "tag.html")
    assert load_theme(config).fingerprint() != added  # same bytes, another file name
    assert load_theme(Config(root=tmp_path)).fingerprint() not in (before, edited, added)


def test_files_lists_every_file_of_every_theme_folder(tmp_path):
    css = write(tmp_path / "t" / "assets" / "style.css", "x")
    files = load_theme(Config(root=tmp_path, theme_dir="t")).files()
    assert css.resolve() in files
    assert BUILTIN / "templates" / "base.html" in files and BUILTIN / "assets" / "style.css" in files


def test_a_missing_theme_dir_is_one_config_error_naming_site_yaml(tmp_path):
    (tmp_path / "site.yaml").write_text("title: T\ntheme_dir: my-theme\n")
    config = load_config(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_theme(config)
    assert type(caught.value) is ConfigError
    assert caught.value.path == tmp_path / "site.yaml"
    assert "theme_dir 'my-theme' is not a folder" in str(caught.value)
    assert caught.value.hint == "create it or remove theme_dir"


def test_a_theme_dir_that_is_a_file_is_a_config_error(tmp_path):
    write(tmp_path / "theme.html", "x")
    with pytest.raises(ConfigError, match="is not a folder"):
        load_theme(Config(root=tmp_path, theme_dir="theme.html"))


def test_a_named_theme_that_does_not_exist_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no theme 'dark' in themes/") as caught:
        load_theme(Config(root=tmp_path, theme="dark"))
    assert caught.value.path == tmp_path / "site.yaml"
