"""The ``papershelf`` command: a thin click layer over the library functions."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from generator import __version__
from generator.core.config import Config, find_site_root, load_config
from generator.core.entries import STATUSES
from generator.core.errors import (
    Diagnostic,
    InputsRejected,
    PapershelfError,
    capped_lines,
    display_path,
    format_line,
    os_error,
)
from generator.core.folder import entry_path
from generator.ingest.sources import FORMATS

PROGRESS_MIN = 300  # show a progress bar for imports writing more entries than this


class PapershelfGroup(click.Group):
    """A group that turns PapershelfError, and the file-system errors a user can fix (full
    disk, permissions, link loops...), into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PapershelfError as exc:
            if ctx.params.get("debug"):
                raise
            for error in getattr(exc, "errors", None) or [exc]:
                _error_line(error)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted; every file is whole", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # the reader went away (`papershelf check | head`): stop quietly
            _quiet_stdout()
            ctx.exit(SIGPIPE_EXIT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            error = os_error(exc) if isinstance(exc, OSError) else None
            if error is not None:
                _error_line(error)
                ctx.exit(1)
            click.echo(f"error: internal error: {type(exc).__name__}: {exc} "
                       "(rerun with --debug for the traceback)", err=True)
            ctx.exit(70)


SIGPIPE_EXIT = 141  # what a shell reports for a program stopped by SIGPIPE


def _quiet_stdout() -> None:
    """Send what is left of standard output nowhere (its reader has closed the pipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _error_line(error: PapershelfError) -> None:
    click.echo(format_line(error.message, path=error.path, line=error.line, column=error.column,
                           severity="error", hint=error.hint), err=True)


@contextlib.contextmanager
def _blame(folder: Path):
    """Name ``folder`` in a file-system error that names no file (a disk filling up on write)."""
    try:
        yield
    except OSError as exc:
        error = os_error(exc, folder)
        if error is None:
            raise
        raise error from exc


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
    from generator.scaffold import create_site

    written = create_site(directory, title=title)
    for path in written:
        click.echo(f"created {display_path(path)}")
    click.echo(f"next: put pasted listings in {display_path(directory / 'content' / 'sources')} "
               "and run 'papershelf import content/sources/*'")


@cli.command("import")
@site_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--year", type=click.IntRange(1991, 2999),
              help="Year of dates shown without one (default: inferred).")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Dump format (default: detected per file).")
@click.option("-v", "--verbose", is_flag=True, help="List every file written.")
def import_(site_dir: Path | None, files: tuple[Path, ...], dry_run: bool, year: int | None,
            fmt: str | None, verbose: bool) -> None:
    """Import pasted listings FILES... into content/papers/.

    Merges papers already in the reading list (same arXiv id, DOI, title or
    abstract), filling only empty fields: notes, tags, status and rating are
    never changed. A listing piped in (FILE '-', or <(command) in bash) is kept as
    content/sources/pasted-DATE.txt. Example: papershelf import content/sources/*
    """
    from generator.ingest.importer import apply_import, plan_import

    config = open_site(site_dir)
    with contextlib.ExitStack() as stack:
        stack.enter_context(_entries_lock(config, dry_run))
        paths, piped = _dump_paths(config, files, stack)
        try:
            plan = plan_import(config, paths, fmt=fmt, year=year, today=today(),
                               use_cache=not dry_run)
        except InputsRejected as exc:  # name a piped listing as given, not its temporary copy
            for error in exc.errors:
                error.path = piped[error.path].given if error.path in piped else error.path
            raise
        _print_plan(config, plan, dry_run, verbose)
        for paste in piped.values():
            _keep_piped(paste, dry_run)
        if not dry_run:
            with _blame(config.papers_dir):
                apply_import(config, plan, progress=_progress("Writing entries"))
        click.echo(plan.summary() + (" (dry run: nothing written)" if dry_run else ""))


def _print_plan(config: Config, plan, dry_run: bool, verbose: bool) -> None:
    """The plan's warnings (alike ones capped) and, on demand, each file it writes."""
    for line in capped_lines(plan.warnings):
        click.echo(line, err=True)
    if not (dry_run or verbose):
        return
    for change in plan.changes:
        if change.kind != "unchanged":
            path = display_path(entry_path(config.papers_dir, change.entry.slug))
            verb = ("would create" if dry_run else "created") if change.kind == "new" else \
                ("would update" if dry_run else "updated")
            click.echo(f"{verb} {path}" + (f" ({', '.join(change.fields)})"
                                           if change.kind == "updated" else ""))


def _entries_lock(config: Config, dry_run: bool = False) -> contextlib.AbstractContextManager:
    """The site's lock over content/papers/ (``import``, ``resolve`` and ``add`` take turns);
    a dry run writes nothing and takes none."""
    from generator.core.locks import site_lock

    return contextlib.nullcontext() if dry_run else site_lock(config.root)


@dataclass(frozen=True)
class _Paste:
    """A listing read from a pipe: as given, its bytes, and where it is kept."""

    given: Path
    data: bytes
    target: Path


def _dump_paths(config: Config, files: tuple[Path, ...], stack: contextlib.ExitStack
                ) -> tuple[list[Path], dict[Path, _Paste]]:
    """The dump files to import, each checked (regular, readable, not too big); every bad
    one is reported, one line each, before anything is parsed. A piped listing is read into
    a temporary copy named as it will be kept (``sources:`` records that name)."""
    from generator.ingest.sources.reading import check_dump_path, is_pipe_argument, pasted_name, read_pipe

    paths, piped, errors = [], {}, []
    for path in files:
        try:
            if not is_pipe_argument(path):
                check_dump_path(path)
                paths.append(path)
                continue
            given = Path("stdin") if str(path) == "-" else path
            if str(path) == "-":
                data = read_pipe(click.get_binary_stream("stdin"), given)
            else:
                with _blame(path), open(path, "rb") as stream:
                    data = read_pipe(stream, path)
            target = pasted_name(config.sources_dir, data, today().isoformat())
            copy = Path(stack.enter_context(tempfile.TemporaryDirectory())) / target.name
            copy.write_bytes(data)
            paths.append(copy)
            piped[copy] = _Paste(given, data, target)
        except PapershelfError as exc:
            errors.append(exc)
    if errors:
        raise InputsRejected(errors)
    return paths, piped


def _keep_piped(paste: _Paste, dry_run: bool) -> None:
    """Save a piped listing that imported into content/sources/, so that its entries name a
    file the researcher can find (not ``63`` or ``-``); the same paste again is not saved twice."""
    from generator.core.library import write_atomic_bytes

    verb = "would save" if dry_run else "saved"
    if paste.target.exists():
        return
    if not dry_run:
        with _blame(paste.target.parent):
            write_atomic_bytes(paste.target, paste.data)
    click.echo(f"{verb} the piped listing as {display_path(paste.target)}", err=True)


@contextlib.contextmanager
def _build_bar():
    """A progress callback drawing a bar on a terminal (for full renders of big sites)."""
    if not sys.stdout.isatty():
        yield None
        return
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total > PROGRESS_MIN:
            bar = click.progressbar(length=total, label="Rendering")
            bar.__enter__()
        if bar is not None:
            bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _progress(label: str):
    """A progress bar over batches of work, counted in items, when on a terminal."""
    def wrap(batches):
        total = sum(len(batch) for batch in batches)
        if total <= PROGRESS_MIN or not sys.stdout.isatty():
            return iter(batches)
        return _bar(batches, total, label)
    return wrap


def _bar(batches, total, label):
    with click.progressbar(length=total, label=label) as bar:
        for batch in batches:
            yield batch
            bar.update(len(batch))


@cli.command()
@site_option
@click.pass_context
def check(ctx: click.Context, site_dir: Path | None) -> None:
    """Validate site.yaml and every entry; exit 1 when there are errors.

    Reports YAML errors with file:line:column, unknown statuses, bad dates,
    ratings outside 1-5 and arXiv ids used twice; untitled or undated entries
    are warnings. Example: papershelf check
    """
    from generator.site.check import check_entries, entry_count

    config = open_site(site_dir)
    found = check_entries(config)
    for line in capped_lines(found):
        click.echo(line)
    errors = sum(1 for d in found if d.severity == "error")
    entries = entry_count(config)
    click.echo(f"{entries} entries checked: {errors} error{'s' * (errors != 1)}, "
               f"{len(found) - errors} warning{'s' * (len(found) - errors != 1)}")
    if errors:
        ctx.exit(1)


@cli.command()
@site_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: _site in the site folder).")
@click.option("--base-url", metavar="URL",
              help="Where the site is served from, e.g. https://you.github.io/repo/ "
              "(default: site.yaml).")
@click.option("--no-search", is_flag=True, help="Skip the Pagefind search index.")
@click.option("--clean", is_flag=True, help="Ignore the build cache and render every page.")
@click.option("--jobs", type=click.IntRange(0, 64), default=0,
              help="Processes to render with (0: one per core).")
def build(site_dir: Path | None, out: Path | None, base_url: str | None, no_search: bool, clean: bool,
          jobs: int) -> None:
    """Render the site into _site/ (or --out).

    Renders only what changed since the last build; a failed build leaves the
    previous site whole. Example: papershelf build --base-url https://you.github.io/papers/
    """
    from generator.build.driver import BuildOptions
    from generator.build.driver import build as build_site
    from generator.core.config import host_missing

    config = open_site(site_dir)
    options = BuildOptions.for_site(config, out, base_url, not no_search, clean, jobs)
    with _build_bar() as progress, _blame(options.out):
        report, _ = build_site(config, options, progress=progress)
    if click.get_current_context().find_root().params.get("debug"):
        for name, seconds in report.phases:
            click.echo(f"{seconds:8.3f} s  {name}", err=True)
    if reason := host_missing(options.base_url):
        click.echo(str(Diagnostic(config.path, None, reason)), err=True)
    click.echo(report.summary())


@cli.command()
@site_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port (the next free one if it is busy).")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option("--no-search", is_flag=True, help="Skip the Pagefind search index.")
def serve(site_dir: Path | None, host: str, port: int, open_browser: bool, no_search: bool) -> None:
    """Build, serve the site locally and rebuild it as you edit.

    Open pages reload by themselves after each rebuild; a failed rebuild shows
    its error over the page until it is fixed. The search index is refreshed
    in the background. Example: papershelf serve --open
    """
    from generator.build.driver import BuildOptions
    from generator.preview.session import serve_site

    config = open_site(site_dir)
    options = BuildOptions.for_site(config, search=not no_search, jobs=1)
    serve_site(config, options, host=host, port=port, echo=click.echo, report_error=_error_line,
               on_ready=_open_in_browser if open_browser else None)


def _open_in_browser(url: str) -> None:
    import webbrowser

    webbrowser.open(url)


# The online commands import arxiv_api (requests, lxml, arxiv) on use, keeping other commands quick.
API_URL_HELP = "The arXiv API query URL (default: $PAPERSHELF_ARXIV_API, else the public arXiv API)."


@cli.command()
@site_option
@click.option("--refresh", is_flag=True, help="Ask the API again instead of using cached answers.")
@click.option("--api-url", metavar="URL", help=API_URL_HELP)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def resolve(site_dir: Path | None, refresh: bool, api_url: str | None, dry_run: bool) -> None:
    """Fill titles, authors, categories and arXiv ids from the arXiv API.

    Entries without an id are searched by exact title, checked against their
    abstract; entries with an id but no title or authors are looked up by id,
    100 a request. Only empty fields are filled: notes, tags, status and
    rating never change. Requests are at least 3 s apart; answers are cached
    in content/.arxiv-cache.json, so a second run sends none (--refresh asks
    again). Example: papershelf resolve
    """
    from generator.online.arxiv_client import ArxivError, api_settings
    from generator.online.jobs import open_lookup, plan_resolve, run_resolve
    from generator.online.matching import RESOLVED, Report

    config = open_site(site_dir)
    settings = api_settings(api_url, os.environ)
    job = plan_resolve(config, open_lookup(config, settings, refresh=refresh, dry_run=dry_run))
    if needed := job.requests_needed():
        click.echo(f"asking the arXiv API: {needed} request{'s' * (needed != 1)}, "
                   f"{settings.delay:g} s apart", err=True)
    report = Report(config.papers_dir)
    try:
        with _entries_lock(config, dry_run):
            run_resolve(job, report, write=not dry_run, progress=_outcome_bar)
    except ArxivError:
        if report.of(RESOLVED):  # what was kept, before the error line
            click.echo("\n".join(report.lines(dry_run)))
        raise
    click.echo("\n".join(report.lines(dry_run)))


def _outcome_bar(outcomes, length: int):
    if not sys.stdout.isatty():
        return outcomes
    return _bar_of(outcomes, length)


def _bar_of(outcomes, length: int):
    with click.progressbar(outcomes, length=length, label="Resolving") as bar:
        yield from bar


@cli.command()
@site_option
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag the new entries (repeatable).")
@click.option("--status", type=click.Choice(STATUSES), default=STATUSES[0], show_default=True,
              help="Reading status of the new entries.")
@click.option("--api-url", metavar="URL", help=API_URL_HELP)
@click.pass_context
def add(ctx: click.Context, site_dir: Path | None, ids: tuple[str, ...], tags: tuple[str, ...],
        status: str, api_url: str | None) -> None:
    """Add papers by arXiv id, arXiv:id or abs/PDF URL, resolved from the arXiv API.

    Ids already in the reading list are reported, not added twice; an id
    arXiv does not know is not added (exit 1). Offline, each entry is created
    with its id only: run 'papershelf resolve' later.
    Example: papershelf add 2505.09343 https://arxiv.org/abs/2401.06066 --tag moe
    """
    from generator.online.arxiv_client import api_settings
    from generator.online.jobs import add_papers, check_tags, open_lookup, parse_ids

    config = open_site(site_dir)
    wanted, tag_list = parse_ids(ids), check_tags(tags)
    lookup = open_lookup(config, api_settings(api_url, os.environ))
    with _entries_lock(config):
        report = add_papers(config, lookup, wanted, status=status, tags=tag_list, today=today())
    click.echo("\n".join(report.lines()))
    if report.not_found:
        ctx.exit(1)


@cli.group()
def fetch() -> None:
    """Fetch paper lists from online sources into content/sources/ and import them.

    Example: papershelf fetch hf-daily --week 2025-W20
    """


@fetch.command("hf-daily")
@site_option
@click.argument("day", required=False, metavar="[DATE]")
@click.option("--week", metavar="YYYY-Www", help="An ISO week instead of a day, e.g. 2025-W20.")
@click.option("--month", metavar="YYYY-MM", help="A month instead of a day, e.g. 2025-05.")
@click.option("--refresh", is_flag=True, help="Fetch again even if the file is already saved.")
@click.option("--api-url", metavar="URL",
              help="The Hugging Face server (default: $PAPERSHELF_HF_API, else https://huggingface.co).")
@click.pass_context
def fetch_hf_daily(ctx: click.Context, site_dir: Path | None, day: str | None, week: str | None,
                   month: str | None, refresh: bool, api_url: str | None) -> None:
    """Save Hugging Face's daily papers of DATE (default: today, UTC), a --week or a
    --month as content/sources/hf-daily-PERIOD.json, then import that file.

    A file already saved is imported without asking again (--refresh asks).
    Example: papershelf fetch hf-daily 2025-05-14
    """
    from generator.online.hf_client import hf_settings
    from generator.online.hf_fetch import fetch_daily, period_of, utc_today

    config = open_site(site_dir)
    period = period_of(day, week, month, utc_today(os.environ))
    with _blame(config.sources_dir):
        fetched = fetch_daily(config, period, hf_settings(api_url, os.environ), refresh=refresh)
    click.echo(fetched.message(period), err=True)
    if fetched.outcome != "empty":
        ctx.invoke(import_, site_dir=config.root, files=(fetched.path,))


def main() -> None:
    """Console-script entry point."""
    # papershelf builds many small objects and keeps most of them to the end of a run:
    # collecting cycles rarely (every 50,000 allocations, not 700) saves up to a third
    # of the time on big reading lists and never lets memory grow unchecked.
    gc.set_threshold(50_000, 20, 20)
    try:
        cli.main(prog_name="papershelf")
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    # Every file is written and closed by now: skip tearing down the objects of a big
    # reading list one by one (half a second at 10,000 papers).
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # output the reader no longer wanted
        code = code or SIGPIPE_EXIT
    sys.stderr.flush()
    os._exit(code or 0)
