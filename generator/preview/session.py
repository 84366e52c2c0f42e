"""One ``serve`` session: the first build, then the server, handed the rebuilder and the
paths to watch. This is where the preview meets the build; the server itself knows
nothing of building."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.build.driver import BuildOptions
from generator.build.search_index import index_site
from generator.core.config import Config
from generator.core.errors import PapershelfError
from generator.preview.rebuild import Rebuilder, first_build, warm_up
from generator.preview.server import Preview, run_preview
from generator.site.theme import load_theme
from generator.site.views import Urls


def serve_site(config: Config, options: BuildOptions, *, host: str, port: int,
               echo: Callable[[str], None], report_error: Callable[[PapershelfError], None],
               on_ready: Callable[[str], None] | None = None) -> None:
    """Build the site of ``config``, then serve ``options.out`` and rebuild on every change
    until Ctrl-C. A first build that fails over a site built before is reported and served
    with its error shown; ``echo`` gets every other line."""
    rebuilder = Rebuilder(config.root, options)
    first = first_build(rebuilder)
    if first.error:
        report_error(first.error)
    else:
        echo(first.summary)
    warm_up()
    preview = preview_of(config, options, rebuilder, host=host, port=port,
                         error=str(first.error) if first.error else "")
    run_preview(preview, echo=echo, failure=PapershelfError, on_ready=on_ready)


def preview_of(config: Config, options: BuildOptions, rebuilder: Rebuilder, *, host: str, port: int,
               error: str = "") -> Preview:
    """What the server is handed: the builder, the search indexer, the output folder and its
    base path, and the site's folders and files to watch."""
    out: Path = options.out
    return Preview(
        build=rebuilder, settle=rebuilder.settle,
        index_search=((lambda: index_site(out, rebuilder.search_pages, root=config.root)[0] > 0)
                      if options.search else None),
        root=out, base_path=Urls.from_base(options.base_url).base_path,
        watch_folders=[config.papers_dir.parent, *load_theme(config).folders],
        watch_files=[config.path], host=host, port=port, error=error)
