"""Build behaviour: failures leave the last good site, theme overrides, URL collisions."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import build_demo, run, snapshot


def break_entry(site):
    (path,) = (site / "content" / "papers").glob("deepseekmoe-*.md")
    path.write_text(path.read_text().replace("status: to-read", "status: finished"))
    return path


def override_template(site, name, text):
    folder = site / "themes" / "default" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


@pytest.mark.parametrize("clean", [False, True], ids=["incremental", "clean"])
def test_a_broken_entry_fails_the_build_and_keeps_the_site(site, clean):
    out = build_demo(site)
    before = snapshot(out)
    path = break_entry(site)
    result = run(site, "build", *(["--clean"] if clean else []))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{path}:") or f"{path.name}:" in line
    assert "unknown status 'finished'" in line
    assert snapshot(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")
                and p.name != ".papershelf-cache"], "no staging folder left behind"


@pytest.mark.parametrize("clean", [False, True], ids=["incremental", "clean"])
def test_a_broken_template_fails_the_build_and_keeps_the_site(site, clean):
    out = build_demo(site)
    before = snapshot(out)
    broken = override_template(site, "tag.html", "{% extends 'base.html' %}\n{% block content %}\n"
                                                 "{{ tag.name }\n{% endblock %}\n")
    result = run(site, "build", *(["--clean"] if clean else []))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert f"{broken}:3:" in line or "tag.html:3:" in line
    assert snapshot(out) == before
    shutil.rmtree(site / "themes")
    assert run(site, "build").exit_code == 0


def test_a_runtime_template_error_names_the_template_line(site):
    build_demo(site)
    override_template(site, "stats.html", "{% extends 'base.html' %}\n{% block content %}\n"
                                          "{{ stats.nope.deeper }}\n{% endblock %}\n")
    result = run(site, "build")
    assert result.exit_code == 1
    assert "stats.html:3:" in result.stderr and "nope" in result.stderr


def test_site_templates_override_the_theme_one_file_at_a_time(site):
    build_demo(site)
    override_template(site, "404.html", "{% extends 'base.html' %}{% block content %}"
                                        "<h1>Lost in the stacks</h1>{% endblock %}\n")
    assert run(site, "build").exit_code == 0
    assert "Lost in the stacks" in (site / "_site" / "404.html").read_text()
    assert "Lost in the stacks" not in (site / "_site" / "index.html").read_text()
    custom = site / "my-theme" / "assets"
    custom.mkdir(parents=True)
    (custom / "style.css").write_text("body { color: rebeccapurple; }\n")
    config = site / "site.yaml"
    config.write_text(config.read_text() + "theme_dir: my-theme\n")
    assert run(site, "build").exit_code == 0
    assert (site / "_site" / "assets" / "style.css").read_text() == "body { color: rebeccapurple; }\n"
    assert "Lost in the stacks" in (site / "_site" / "404.html").read_text()


def tag_two_papers_with_one_url(site):
    """Tags 'Theorem Proving' and 'theorem-proving', which both want /tags/theorem-proving/."""
    (first, second) = sorted((site / "content" / "papers").glob("deepseek-*.md"))[:2]
    first.write_text(first.read_text().replace("tags: [", "tags: [Theorem Proving, "))
    second.write_text(second.read_text().replace("tags: [", "tags: [theorem-proving, "))


def test_two_pages_with_one_url_are_refused(site):
    build_demo(site)
    tag_two_papers_with_one_url(site)
    result = run(site, "build")
    assert result.exit_code == 1
    assert "tags/theorem-proving/" in result.stderr and "two pages" in result.stderr


def test_no_change_build_writes_nothing(site):
    out = build_demo(site)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    result = run(site, "build")
    assert result.exit_code == 0 and "nothing changed" in result.stdout
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stamps


def test_search_catches_up_after_builds_without_it(site):
    build_demo(site)
    (path,) = (site / "content" / "papers").glob("deepseekmoe-*.md")
    path.write_text(path.read_text() + "\nA note.\n")
    assert "search skipped" in run(site, "build", "--no-search").stdout
    assert "search rebuilt" in run(site, "build").stdout
    assert "nothing changed" in run(site, "build").stdout


def test_big_sites_build_on_several_processes_with_the_same_result_and_errors(site):
    """Past 400 papers the build parses, derives and renders in worker processes."""
    build_demo(site)
    papers = site / "content" / "papers"
    for number, source in enumerate(sorted(papers.glob("*.md")) * 20):
        (papers / f"copy-{number:03d}.md").write_text(source.read_text() + f"\nCopy {number}.\n")
    result = run(site, "build", "--no-search", "--jobs", "1", "--out", str(site / "one"))
    assert result.exit_code == 0, result.stderr
    assert run(site, "build", "--no-search", "--jobs", "2", "--out", str(site / "two")).exit_code == 0
    assert snapshot(site / "one") == snapshot(site / "two")
    broken = papers / "copy-317.md"
    broken.write_text(broken.read_text().replace("status: to-read", "status: someday"))
    result = run(site, "build", "--no-search", "--jobs", "2", "--clean")
    assert result.exit_code == 1
    assert "copy-317.md:" in result.stderr and "unknown status 'someday'" in result.stderr


@pytest.mark.parametrize("out", [".", "content", "content/papers/x", "..", "themes/default"])
def test_an_output_folder_that_would_replace_the_site_is_refused(site, out):
    build_demo(site)
    (site / "themes" / "default").mkdir(parents=True)
    before = snapshot(site / "content")
    result = run(site, "build", "--no-search", "--out", str(site / out))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "would replace" in line
    assert snapshot(site / "content") == before and (site / "site.yaml").is_file()


def test_a_folder_of_other_files_is_not_replaced(site, tmp_path):
    mine = tmp_path / "docs"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    build_demo(site)
    result = run(site, "build", "--no-search", "--out", str(mine))
    assert result.exit_code == 1 and "did not make" in result.stderr
    assert (mine / "notes.txt").read_text() == "keep me\n"


def test_check_reports_what_would_stop_a_build(site):
    build_demo(site)
    tag_two_papers_with_one_url(site)
    config = site / "site.yaml"
    config.write_text(config.read_text() + "theme_dir: nowhere\n")
    result = run(site, "check")
    assert result.exit_code == 1
    assert "two pages would have the URL 'tags/theorem-proving/'" in result.stdout
    assert "theme_dir 'nowhere' is not a folder" in result.stdout


def test_the_tags_page_counts_every_paper_of_the_list(site):
    out = build_demo(site)
    papers = len(list((site / "content" / "papers").glob("*.md")))
    tags = (out / "tags" / "index.html").read_text()
    assert f"tags across {papers} papers." in tags
    (path,) = (site / "content" / "papers").glob("deepseekmoe-*.md")
    path.unlink()  # one paper fewer: the tags page says so, incrementally too
    assert run(site, "build").exit_code == 0
    assert f"tags across {papers - 1} papers." in (out / "tags" / "index.html").read_text()
