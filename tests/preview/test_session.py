"""What ``serve`` hands the preview server: the rebuilder, the search indexer, the output
folder under its base path, and the site's own folders and files to watch."""

from __future__ import annotations

from dataclasses import replace

from generator.build.driver import BuildOptions
from generator.core.config import load_config
from generator.preview.rebuild import Rebuilder
from generator.preview.session import preview_of


def test_the_server_is_handed_the_builder_and_what_to_watch(site):
    config = load_config(site)
    options = BuildOptions(out=site / "_site", base_url="https://you.github.io/repo/", search=False, jobs=1)
    rebuilder = Rebuilder(site, options)
    preview = preview_of(config, options, rebuilder, host="127.0.0.2", port=8123, error="broken")
    assert preview.build is rebuilder and preview.settle == rebuilder.settle
    assert preview.index_search is None, "--no-search: no index refreshed in the background"
    assert (preview.root, preview.base_path) == (site / "_site", "/repo/")
    assert preview.watch_folders[0] == config.papers_dir.parent and preview.watch_files == [config.path]
    assert (preview.host, preview.port, preview.error) == ("127.0.0.2", 8123, "broken")
    searching = preview_of(config, replace(options, search=True), rebuilder, host="h", port=0)
    assert callable(searching.index_search)
