"""The rules of validate that are about names: what a tag may be, and which entry file names
no command reads or publishes, with the words every command uses for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.config import load_config
from generator.core.errors import ConfigError
from generator.core.folder import odd_entry_error
from generator.core.validate import (
    is_tag_name,
    name_error,
    not_utf8_name_error,
    readable_name,
    shown_name,
    utf8_name,
)

TAGS = ["moe", "c++", "v1.5", "vision-language", "_x", "数学", "Model_2"]
NOT_TAGS = ["", "two words", "-moe", ".x", "+x", "a/b", "a#b", "moe\n", 7, None]


@pytest.mark.parametrize("tag", TAGS)
def test_tag_names(tag):
    assert is_tag_name(tag)


@pytest.mark.parametrize("tag", NOT_TAGS)
def test_not_tag_names(tag):
    assert not is_tag_name(tag)


def test_site_yaml_tag_rules_follow_the_one_tag_rule(tmp_path):
    for tag in NOT_TAGS[:-2]:
        (tmp_path / "site.yaml").write_text(f"title: t\ntag_rules:\n  {tag!r}: [word]\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="must map a tag"):
            load_config(tmp_path)
    (tmp_path / "site.yaml").write_text("title: t\ntag_rules:\n  c++: [word]\n", encoding="utf-8")
    assert load_config(tmp_path).tag_rules == (("c++", ("word",)),)


NOT_UTF8 = b"caf\xe9.md".decode("utf-8", "surrogateescape")


def test_a_name_that_is_not_utf8_is_judged_and_worded_in_one_place(tmp_path):
    assert utf8_name("café.md") and utf8_name("plain.md") and not utf8_name(NOT_UTF8)
    assert readable_name(NOT_UTF8) == "caf\ufffd.md" and readable_name("café.md") == "café.md"
    error = not_utf8_name_error(tmp_path / NOT_UTF8)
    assert error.path == tmp_path / "caf\ufffd.md"
    assert error.message == "file name is not UTF-8, so it cannot be an entry's name (its page's URL)"
    assert error.hint == "rename the file with a UTF-8 name"
    assert odd_entry_error(tmp_path / NOT_UTF8).message == error.message  # import, resolve, check
    assert name_error(NOT_UTF8) == "the file name is not UTF-8 (byte 0xe9)"  # build
    assert shown_name(NOT_UTF8) == "caf\\xe9.md"


def test_names_build_refuses():
    assert name_error("fine name, ünïcode.md") is None
    assert name_error("line\nbreak.md") == "the file name holds the character U+000A"
    assert name_error("sep\u2028.md") == "the file name holds the character U+2028"
    assert shown_name("line\nbreak.md") == "line\\u000abreak.md"


def test_a_link_or_folder_named_like_an_entry_is_not_an_entry(tmp_path):
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "link.md").symlink_to(tmp_path / "folder.md")
    assert odd_entry_error(tmp_path / "link.md").message.startswith("is a symbolic link")
    assert odd_entry_error(tmp_path / "folder.md").message == "is not a regular file, so it is not an entry"
    assert odd_entry_error(Path(tmp_path / "folder.md")).path == tmp_path / "folder.md"
