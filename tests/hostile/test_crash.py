"""``kill -9`` at every point of a build: the next build gives exactly what a clean build
gives, nothing a killed build left stays behind, and no worker or Pagefind outlives it.

Builds run as real processes over a synthetic list of a few hundred papers (enough for
forked render workers). Most kills are at deterministic points: ``PAPERSHELF_CRASH_AT``
makes the build SIGKILL itself there (``parallel.crash_point``). Two more kill it from
outside the moment its staging folders appear on disk.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import synth
from tests.conftest import EPOCH, ROOT, snapshot

PAPERS = 450  # over parallel.PARALLEL_MIN: the render is spread over forked workers
PART = "100"  # papers per search part: 8 parts, indexed two at a time
SITE_YAML = (ROOT / "site.yaml").read_text(encoding="utf-8")


def papershelf(site: Path, *args: str, crash: str = "", wait: bool = True):
    """Run ``papershelf ARGS --site SITE`` in a new process (killed at ``crash``, if given)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PAPERSHELF_CRASH_AT": crash,
           "PAPERSHELF_SEARCH_PART": PART}
    command = [sys.executable, "-c", "from generator.cli import main; main()", args[0], "--site", str(site),
               "--jobs", "2", *args[1:]]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def make_list(root: Path) -> Path:
    """A site of PAPERS synthetic entries, not built yet."""
    synth.write_entries(root / "content" / "papers", PAPERS)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    return root


def edit_list(root: Path) -> None:
    """Changes an in-place build writes: notes, a title (list pages, exports), a removed paper."""
    papers = sorted((root / "content" / "papers").glob("*.md"))
    for path in papers[:40]:
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more line of notes.\n", encoding="utf-8")
    first = papers[50]
    text = re.sub(r"(?m)^title: .*$", "title: A renamed paper", first.read_text(encoding="utf-8"), count=1)
    first.write_text(text, encoding="utf-8")
    papers[60].unlink()


def leftovers(root: Path, out: Path) -> list[str]:
    """What killed builds leave: staging and old folders, search bundles, temporary files."""
    found = [p.name for p in root.iterdir() if p.name.startswith(f".{out.name}.")]
    if out.is_dir():
        found += [p.name for p in out.iterdir() if p.name.startswith(".pagefind-")]
        found += [str(p.relative_to(out)) for p in out.rglob(".*.tmp")]
    return found


def survivors(root: Path) -> list[str]:
    """Processes still running that were started on this site (workers, Pagefind)."""
    alive = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(root) in cmdline:
            alive.append(f"{proc.name}: {cmdline}")
    return alive


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """What clean builds give, before and after ``edit_list``, with and without search."""
    root = make_list(tmp_path_factory.mktemp("reference") / "site")
    result = {}
    for stage in ("before", "after"):
        if stage == "after":
            edit_list(root)
        for search in (True, False):
            out = root / f"{stage}-{search}"
            flags = [] if search else ["--no-search"]
            done = papershelf(root, "build", "--clean", "--out", str(out), *flags)
            assert done.returncode == 0, done.stderr
            result[f"{stage}-{search}"] = snapshot(out)
    return result


VARYING = re.compile(r"pagefind/p\d+/(filter/|index/|pagefind\.[^/]*\.pf_meta$)")
ENTRY = re.compile(r"pagefind/p\d+/pagefind-entry\.json")


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    """A site's files, byte for byte, except the parts of each Pagefind bundle (one per part
    of the index) whose names and bytes differ from run to run even over the same pages (its
    filter and index chunks); of those, the number of pages indexed is kept. Its page
    fragments, each part's key and ``parts.json`` are compared."""
    kept = {path: data for path, data in files.items() if not VARYING.match(path)}
    for path in [p for p in kept if ENTRY.fullmatch(p)]:
        entry = json.loads(kept[path])
        kept[path] = repr(sorted((lang, v["page_count"]) for lang, v in entry["languages"].items())).encode()
    return kept


def assert_repaired(root: Path, expected: dict[str, bytes], *flags: str, repairs: bool = True) -> None:
    out = root / "_site"
    done = papershelf(root, "build", *flags)
    assert done.returncode == 0, done.stderr
    assert repairs is ("nothing changed" not in done.stdout), done.stdout
    assert leftovers(root, out) == []
    got, expected = comparable(snapshot(out)), comparable(expected)
    assert sorted(got) == sorted(expected)
    assert [p for p in got if got[p] != expected[p]] == []
    again = papershelf(root, "build", *flags)  # and the repair is itself recorded
    assert again.returncode == 0 and "nothing changed" in again.stdout, again.stdout + again.stderr


FRESH = ["staged", "forked", "search-started", "search-indexed", "search-part-swapped", "search-listed",
         "swapped", "written"]
IN_PLACE = ["begun", "temp-written", "half-written", "written", "search-started", "search-indexed",
            "search-aside", "search-part-swapped", "search-listed"]


@pytest.mark.parametrize("point", FRESH)
def test_a_first_build_killed_at_any_point_is_repaired(tmp_path, reference, point):
    root = make_list(tmp_path / "site")
    killed = papershelf(root, "build", crash=point)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    time.sleep(0.2)  # what would outlive it has had time to show
    assert survivors(root) == []
    assert_repaired(root, reference["before-True"])


@pytest.mark.parametrize("point", IN_PLACE)
def test_an_in_place_build_killed_at_any_point_is_repaired(tmp_path, reference, point):
    root = make_list(tmp_path / "site")
    assert papershelf(root, "build").returncode == 0
    edit_list(root)
    killed = papershelf(root, "build", crash=point)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    time.sleep(0.2)
    assert survivors(root) == []
    assert_repaired(root, reference["after-True"])


@pytest.mark.parametrize("point", ["moved-aside", "swapped", "half-written"])
def test_a_build_without_search_killed_is_repaired_without_search(tmp_path, reference, point):
    root = make_list(tmp_path / "site")
    assert papershelf(root, "build", "--no-search").returncode == 0
    edit_list(root)
    flags = ["--no-search", *(["--clean"] if point != "half-written" else [])]
    killed = papershelf(root, "build", *flags, crash=point)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert_repaired(root, reference["after-False"], "--no-search")


def kill_when(process: subprocess.Popen, appears) -> None:
    """SIGKILL ``process`` as soon as ``appears()`` finds something on disk."""
    deadline = time.monotonic() + 120
    while not appears():
        assert process.poll() is None, "the build ended before the point it was to be killed at"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    process.kill()
    process.communicate()


def test_a_first_build_killed_from_outside_while_rendering_leaves_nothing(tmp_path, reference):
    root = make_list(tmp_path / "site")
    build = papershelf(root, "build", wait=False)
    kill_when(build, lambda: any(p.name.startswith("._site.new-") and (p / "papers").is_dir()
                                 for p in root.iterdir()))
    time.sleep(0.2)
    assert survivors(root) == []  # the forked render workers died with it
    assert_repaired(root, reference["before-True"])


def test_an_in_place_build_killed_from_outside_while_indexing_leaves_nothing(tmp_path, reference):
    root = make_list(tmp_path / "site")
    assert papershelf(root, "build").returncode == 0
    edit_list(root)
    build = papershelf(root, "build", wait=False)
    kill_when(build, lambda: any(p.name.startswith(".pagefind-new-") for p in (root / "_site").iterdir()))
    time.sleep(0.2)
    assert survivors(root) == []  # Pagefind died with it
    assert_repaired(root, reference["after-True"])


INDEX_IN_BACKGROUND = """
import sys
from pathlib import Path
from generator.build.cache import BuildState
from generator.build.search_index import index_site
root = Path(sys.argv[1])
state = BuildState.open(root, root / "_site")
index_site(root / "_site", state.indexed_pages(), root=root)
"""


@pytest.mark.parametrize("point", ["search-started", "search-aside", "search-part-swapped", "search-listed"])
def test_a_background_index_killed_after_some_parts_is_repaired(tmp_path, reference, point):
    """As ``serve`` does: pages built without search, then the index refreshed on its own and
    killed part-way. No journal marks that; the parts' own keys tell the next build."""
    root = make_list(tmp_path / "site")
    assert papershelf(root, "build").returncode == 0
    edit_list(root)
    assert papershelf(root, "build", "--no-search").returncode == 0
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PAPERSHELF_CRASH_AT": point,
           "PAPERSHELF_SEARCH_PART": PART}
    killed = subprocess.run([sys.executable, "-c", INDEX_IN_BACKGROUND, str(root)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    time.sleep(0.2)
    assert survivors(root) == []
    # killed once every part was in place and listed: only the cache learns the index is whole
    assert_repaired(root, reference["after-True"], repairs=point != "search-listed")


def test_clean_builds_into_two_folders_are_the_same(reference):
    """The comparisons above are meaningful: a clean build is reproducible, search included."""
    assert reference["before-True"].keys() > reference["before-False"].keys()
    assert any(p.startswith("pagefind/") for p in reference["after-True"])
    parts = json.loads(reference["after-True"]["pagefind/parts.json"])["parts"]
    assert len(parts) == 8
    assert all(f"pagefind/{name}/pagefind.js" in reference["after-True"] for name in parts)
    assert reference["before-True"] != reference["after-True"]


@pytest.fixture(autouse=True)
def _no_strays(tmp_path):
    yield
    for line in survivors(tmp_path):  # never leave a process behind, whatever failed
        os.kill(int(line.split(":")[0]), signal.SIGKILL)
    shutil.rmtree(tmp_path, ignore_errors=True)
