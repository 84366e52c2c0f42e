"""The builds behind ``serve``: which changes a rebuild looks at, what a failure leaves
behind, and the first build that a preview starts from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.build.driver import BuildOptions
from generator.core.errors import BuildError, EntryError
from generator.preview.rebuild import FirstBuild, Rebuilder, entry_changes, first_build
from tests.conftest import run, seed_paths


@dataclass
class FakeState:
    commits: int = 0

    def commit(self) -> None:
        self.commits += 1


@dataclass
class FakeReport:
    written: list[str] = field(default_factory=lambda: ["index.html"])
    deleted: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.written)} files written"


@dataclass
class FakeBuild:
    """Stands for build.driver.build: records each call, fails when told to."""

    calls: list[tuple[BuildOptions, object, list[str] | None]] = field(default_factory=list)
    fail: BaseException | None = None
    report: FakeReport = field(default_factory=FakeReport)

    def __call__(self, config, options, state, changed=None):
        self.calls.append((options, state, changed))
        if self.fail is not None:
            raise self.fail
        return self.report, FakeState()

    @property
    def changed(self) -> list[str] | None:
        return self.calls[-1][2]


@pytest.fixture
def rebuild(site: Path) -> tuple[Rebuilder, FakeBuild]:
    fake = FakeBuild()
    options = BuildOptions(out=site / "_site", base_url="/", search=True, jobs=1)
    return Rebuilder(site, options, build=fake), fake


def papers(site: Path, *names: str) -> list[str]:
    return [str(site / "content" / "papers" / name) for name in names]


def test_edited_entry_files_are_all_a_rebuild_looks_at(site):
    folder = site / "content" / "papers"
    edited = papers(site, "a.md", "b.md")
    assert entry_changes(edited, folder) == edited
    assert entry_changes([*edited, str(site / "site.yaml")], folder) is None
    assert entry_changes([str(site / "content" / "notes.md")], folder) is None


def test_a_changed_entry_file_is_handed_to_the_build_alone(site, rebuild):
    rebuilder, fake = rebuild
    assert rebuilder(search=True) == (True, "1 files written")
    options, _, changed = fake.calls[-1]
    assert changed is None and options.search and not options.trust_outputs and not options.defer_save
    assert rebuilder(papers(site, "a.md")) == (True, "1 files written")
    options, state, changed = fake.calls[-1]
    assert changed == papers(site, "a.md")
    assert options.trust_outputs and options.defer_save and not options.search
    assert isinstance(state, FakeState), "the state of the build before is handed on"
    rebuilder([str(site / "site.yaml")])
    assert fake.changed is None, "anything but an entry: look at everything"


def test_nothing_written_is_told(site, rebuild):
    rebuilder, fake = rebuild
    fake.report = FakeReport(written=[])
    assert rebuilder(papers(site, "a.md")) == (False, "0 files written")


def test_files_of_a_failed_rebuild_are_looked_at_again(site, rebuild):
    rebuilder, fake = rebuild
    fake.fail = EntryError("bad status", path=papers(site, "a.md")[0])
    with pytest.raises(EntryError):
        rebuilder(papers(site, "a.md"))
    fake.fail = None
    rebuilder(papers(site, "b.md"))
    assert fake.changed == papers(site, "a.md", "b.md")
    rebuilder(papers(site, "c.md"))
    assert fake.changed == papers(site, "c.md"), "forgotten once built"


def test_a_surprise_drops_the_state_kept_in_memory(site, rebuild):
    rebuilder, fake = rebuild
    rebuilder(search=True)
    fake.fail = BuildError("a template is broken")
    with pytest.raises(BuildError):
        rebuilder(papers(site, "a.md"))
    assert rebuilder.state is not None, "an error the user can fix keeps the state"
    fake.fail = RuntimeError("a bug")
    with pytest.raises(RuntimeError):
        rebuilder(papers(site, "a.md"))
    assert rebuilder.state is None
    fake.fail = None
    rebuilder(papers(site, "a.md"))
    assert fake.calls[-1][1] is None, "the next build reads the cache afresh"


def test_settle_writes_the_cache_left_in_memory(site, rebuild):
    rebuilder, _ = rebuild
    rebuilder.settle()  # nothing built yet: nothing to write
    rebuilder(papers(site, "a.md"))
    rebuilder.settle()
    assert rebuilder.state.commits == 1


def test_a_first_build_that_fails_is_served_only_over_an_earlier_site(site, rebuild):
    rebuilder, fake = rebuild
    fake.fail = EntryError("bad status", path="a.md", line=3)
    with pytest.raises(EntryError):
        first_build(rebuilder)
    (site / "_site").mkdir()
    (site / "_site" / "index.html").write_text("<html></html>")
    assert first_build(rebuilder) == FirstBuild(error=fake.fail)
    fake.fail = None
    assert first_build(rebuilder) == FirstBuild(summary="1 files written")


def test_an_edited_entry_is_rebuilt_with_the_real_build(site):
    assert run(site, "import", *map(str, seed_paths(site))).exit_code == 0
    options = BuildOptions(out=site / "_site", base_url="/", search=False, jobs=1)
    rebuilder = Rebuilder(site, options)
    assert first_build(rebuilder).error is None
    (note,) = (site / "content" / "papers").glob("deepseekmoe-*.md")
    note.write_text(note.read_text() + "\nA word about routing.\n")
    wrote, summary = rebuilder([str(note)])
    assert wrote and "files written" in summary
    page = site / "_site" / "papers" / note.stem / "index.html"
    assert "A word about routing." in page.read_text()
    wrote, summary = rebuilder([str(note)])
    assert not wrote and "nothing changed" in summary
    rebuilder.settle()
    assert "nothing changed" in run(site, "build", "--no-search").stdout
