"""The ``papershelf`` command: a thin click layer over the library functions."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from . import __version__
from .check import check_entries
from .config import Config, find_site_root, load_config
from .errors import PapershelfError, display_path, location
from .importer import ImportAborted, apply_import, plan_import
from .scaffold import create_site
from .sources import FORMATS

PROGRESS_MIN = 300  # show a progress bar for imports writing more entries than this


class PapershelfGroup(click.Group):
    """A group that turns PapershelfError into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ImportAborted as exc:
            if ctx.params.get("debug"):
                raise
            for error in exc.errors:
                _error_line(error)
            ctx.exit(1)
        except PapershelfError as exc:
            if ctx.params.get("debug"):
                raise
            _error_line(exc)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted; every file is whole", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(f"error: internal error: {type(exc).__name__}: {exc} "
                       "(rerun with --debug for the traceback)", err=True)
            ctx.exit(70)


def _error_line(error: PapershelfError) -> None:
    where = location(error.path, error.line, error.column)
    text = f"{where}: error: {error.message}" if where else f"error: {error.message}"
    if error.hint:
        text += f" ({error.hint})"
    click.echo(text, err=True)


def site_option(command):
    """The ``--site DIR`` option every command takes."""
    return click.option(
        "--site", "site_dir", type=click.Path(file_okay=False, path_type=Path),
        help="The site folder (default: the nearest folder upwards holding site.yaml).",
    )(command)


def open_site(site_dir: Path | None) -> Config:
    """Load the config of ``--site`` or of the nearest site above the working folder."""
    return load_config(site_dir.resolve() if site_dir else find_site_root(Path.cwd()))


def today() -> dt.date:
    """Today, or the day of ``SOURCE_DATE_EPOCH`` when set (reproducible imports)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


@click.group(cls=PapershelfGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="papershelf")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
def cli(debug: bool) -> None:
    """papershelf: pasted paper listings in, a Markdown reading list and a static site out.

    \b
    Quick start:
      papershelf init my-list && cd my-list
      papershelf import ~/Downloads/hf-daily.txt
      papershelf build
    """


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Reading list", show_default=True, help="The site title.")
def init(directory: Path, title: str) -> None:
    """Create a new reading-list site in DIRECTORY.

    Writes site.yaml, content/sources/, content/papers/, .gitignore and the
    GitHub Pages workflow. Example: papershelf init my-list
    """
    written = create_site(directory, title=title)
    for path in written:
        click.echo(f"created {display_path(path)}")
    click.echo(f"next: put pasted listings in {display_path(directory / 'content' / 'sources')} "
               "and run 'papershelf import content/sources/*'")


@cli.command("import")
@site_option
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--year", type=click.IntRange(1991, 2999),
              help="Year of dates shown without one (default: inferred).")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Dump format (default: detected per file).")
@click.option("-v", "--verbose", is_flag=True, help="List every file written.")
def import_(site_dir: Path | None, files: tuple[Path, ...], dry_run: bool, year: int | None,
            fmt: str | None, verbose: bool) -> None:
    """Import pasted listings FILES... into content/papers/.

    Merges papers already in the reading list (same arXiv id, title or
    abstract), filling only empty fields: notes, tags, status and rating are
    never changed. Example: papershelf import content/sources/*
    """
    config = open_site(site_dir)
    plan = plan_import(config, list(files), fmt=fmt, year=year, today=today())
    for warning in plan.warnings:
        click.echo(str(warning), err=True)
    if dry_run or verbose:
        for change in plan.changes:
            if change.kind != "unchanged":
                path = display_path(config.papers_dir / f"{change.entry.slug}.md")
                verb = ("would create" if dry_run else "created") if change.kind == "new" else \
                    ("would update" if dry_run else "updated")
                click.echo(f"{verb} {path}" + (f" ({', '.join(change.fields)})"
                                               if change.kind == "updated" else ""))
    if not dry_run:
        apply_import(config, plan, progress=_progress("Writing entries"))
    click.echo(plan.summary() + (" (dry run: nothing written)" if dry_run else ""))


def _progress(label: str):
    def wrap(items):
        items = list(items)
        if len(items) <= PROGRESS_MIN or not sys.stdout.isatty():
            return iter(items)
        return _bar(items, label)
    return wrap


def _bar(items, label):
    with click.progressbar(items, label=label) as bar:
        yield from bar


@cli.command()
@site_option
@click.pass_context
def check(ctx: click.Context, site_dir: Path | None) -> None:
    """Validate site.yaml and every entry; exit 1 when there are errors.

    Reports YAML errors with file:line:column, unknown statuses, bad dates,
    ratings outside 1-5 and arXiv ids used twice; untitled or undated entries
    are warnings. Example: papershelf check
    """
    config = open_site(site_dir)
    found = check_entries(config)
    for diagnostic in found:
        click.echo(str(diagnostic))
    errors = sum(1 for d in found if d.severity == "error")
    entries = len(list(config.papers_dir.glob("*.md")))
    click.echo(f"{entries} entries checked: {errors} error{'s' * (errors != 1)}, "
               f"{len(found) - errors} warning{'s' * (len(found) - errors != 1)}")
    if errors:
        ctx.exit(1)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="papershelf")
