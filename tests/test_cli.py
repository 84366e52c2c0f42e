"""The command line itself: every command explains itself with an example, error and
warning lines have one shape, and ``serve`` hands its options to the preview unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.core.errors import Diagnostic, PapershelfError, capped_lines, format_line
from tests.conftest import run


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(name):
    command = cli.commands[name]
    assert command.help and command.help.strip().splitlines()[0].endswith(".")
    assert f"Example: papershelf {name}" in " ".join(command.help.split())
    shown = CliRunner().invoke(cli, [name, "--help"])
    assert shown.exit_code == 0
    assert command.help.strip().splitlines()[0] in shown.output
    assert f"papershelf {name}" in " ".join(shown.output.split())


def test_the_group_help_lists_every_command():
    shown = CliRunner().invoke(cli, ["--help"]).output
    assert "Quick start:" in shown
    for name in cli.commands:
        assert f"  {name} " in shown


@pytest.mark.parametrize(("parts", "line"), [
    ({"path": "a.md", "line": 3, "column": 7, "severity": "error", "hint": "fix it"},
     "a.md:3:7: error: bad (fix it)"),
    ({"path": "a.md", "line": 3, "severity": "warning"}, "a.md:3: warning: bad"),
    ({"path": "a.md", "column": 7, "severity": "warning"}, "a.md: warning: bad"),
    ({"severity": "error", "hint": "fix it"}, "error: bad (fix it)"),
    ({"path": "a.md", "hint": "fix it"}, "a.md: bad (fix it)"),
    ({}, "bad"),
])
def test_one_shape_for_every_line(parts, line):
    assert format_line("bad", **parts) == line


def test_errors_diagnostics_and_the_capped_count_share_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    error = PapershelfError("bad", path=tmp_path / "a.md", line=3, hint="fix it")
    assert str(error) == "a.md:3: bad (fix it)"
    assert str(PapershelfError("bad")) == "bad"
    assert str(Diagnostic(Path("a.md"), 3, "odd", "warning", 2)) == "a.md:3:2: warning: odd"
    alike = [Diagnostic("a.md", n, f"line {n} is odd") for n in range(1, 14)]
    lines = list(capped_lines(alike, per_kind=10))
    assert lines[9:] == ["a.md:10: warning: line 10 is odd",
                         "a.md: warning: ... and 3 more warnings like this"]


def test_an_error_is_one_line_on_stderr(site):
    (site / "site.yaml").write_text("title: [unclosed\n")
    result = CliRunner().invoke(cli, ["check", "--site", str(site)])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{site / 'site.yaml'}:") and ": error: " in line


def test_serve_hands_its_options_to_the_preview(site, monkeypatch):
    from generator.preview import session

    seen = {}
    monkeypatch.setattr(session, "serve_site", lambda config, options, **kw: seen.update(
        config=config, options=options, **kw))
    assert run(site, "serve", "--no-search", "--port", "8123", "--host", "127.0.0.2").exit_code == 0
    assert seen["config"].root == site.resolve() and seen["options"].out == (site / "_site").resolve()
    assert not seen["options"].search and seen["options"].jobs == 1
    assert (seen["host"], seen["port"], seen["on_ready"]) == ("127.0.0.2", 8123, None)
    assert run(site, "serve", "--open").exit_code == 0
    assert seen["options"].search and callable(seen["on_ready"])
