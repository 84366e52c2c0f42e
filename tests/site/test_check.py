"""``papershelf check``: each rule of the schema, reported with file:line, exit 1 on errors."""

from __future__ import annotations

from tests.conftest import run, seed_paths


def write(site, name, text):
    (site / "content" / "papers" / name).write_text(text, encoding="utf-8")


def test_demo_passes_with_warnings_only(site):
    assert run(site, "import", *map(str, seed_paths(site))).exit_code == 0
    result = run(site, "check")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "24 entries checked: 0 errors, 13 warnings"
    assert sum("no title (run 'papershelf resolve')" in line for line in lines) == 8
    assert sum("no date" in line for line in lines) == 5


def test_each_error_rule_with_its_line(site):
    write(site, "a.md", "---\ntitle: A\ndate: 2025-02-30\nstatus: done\nrating: 7\n"
                        "arxiv: '2401.00001'\n---\nnotes\n")
    write(site, "b.md", "---\ntitle: B\ndate: 2025-01-01\narxiv: '2401.00001'\n---\n")
    write(site, "c.md", "---\ntitle: C\ndate: 2025-01-01\ntags: [a, b\n---\n")
    write(site, "d.md", "---\ntitle: D\ndate: 2025-01-01\nstaus: read\ntags: moe\n---\n")
    result = run(site, "check")
    assert result.exit_code == 1
    out = result.stdout
    assert "content/papers/a.md:3: error: bad date '2025-02-30' (expected YYYY-MM-DD, YYYY-MM or YYYY)" in out
    assert "a.md:4: error: unknown status 'done' (use to-read, reading, read)" in out
    assert "a.md:5: error: rating 7 outside 1-5" in out
    assert "b.md:4: error: arXiv id 2401.00001 is also in a.md" in out
    assert "c.md:4:" in out and "invalid YAML" in out
    assert "d.md:4: warning: unknown key 'staus'; did you mean 'status'?" in out
    assert "d.md:5: error: tags must be a list of text" in out
    assert out.strip().splitlines()[-1] == "4 entries checked: 6 errors, 1 warning"


def test_bad_config_is_one_line(site):
    (site / "site.yaml").write_text("title: x\nthem: dark\n")
    result = run(site, "check")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("site.yaml:2: error: unknown key 'them' (known keys: "
                                          "title, description, author, base_url, language, theme, "
                                          "theme_dir, output_dir, feed_size, per_page, tag_rules, "
                                          "author_aliases)")
