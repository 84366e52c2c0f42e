"""The checkers themselves: small pages with a known fault must fail the very checks the suite
applies to the site (a passing suite means nothing if its checks cannot fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .browsing import blocking, long_lines, low_contrast, overflow, run_axe, small_text

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def load(new_context):
    """``load(name, scheme, viewport)``: a fixture page in a tab; tabs are closed with the module."""
    tabs = []

    def open_fixture(name: str, scheme: str = "light", viewport: str = "desktop"):
        page = new_context(scheme, viewport).new_page()
        page.set_content((FIXTURES / name).read_text(encoding="utf-8"))
        tabs.append(page)
        return page

    yield open_fixture
    for page in tabs:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_good_page_passes_every_check(load, axe, scheme, viewport):
    page = load("good.html", scheme, viewport)
    assert low_contrast(page) == []
    assert blocking(run_axe(page, axe)) == []
    assert small_text(page) == [] and not overflow(page)["scrolls"] and long_lines(page) == []


def test_the_contrast_checker_finds_pale_text_panels_and_opacity(load):
    found = {p["text"]: p["ratio"] for p in low_contrast(load("bad-contrast.html", "light"))}
    assert set(found) == {"Pale grey text on a white page.", "Grey text on a dark panel.",
                          "Text faded by opacity."}
    assert 2.7 < found["Pale grey text on a white page."] < 2.9
    assert 2.2 < found["Grey text on a dark panel."] < 2.4


def test_the_contrast_checker_sees_the_dark_scheme(load):
    found = {p["text"] for p in low_contrast(load("bad-contrast.html", "dark"))}
    assert "Text that only fails in dark mode." in found
    assert "Pale grey text on a white page." not in found


def test_axe_reports_low_contrast_as_serious(load, axe):
    violations = blocking(run_axe(load("bad-contrast.html", "light"), axe))
    assert [v["id"] for v in violations] == ["color-contrast"]


def test_axe_reports_a_field_without_a_label_as_critical(load, axe):
    violations = blocking(run_axe(load("missing-label.html"), axe))
    assert {v["id"]: v["impact"] for v in violations}.get("label") == "critical"


def test_the_layout_checkers_find_sideways_scrolling_small_text_and_long_lines(load):
    phone = load("bad-layout.html", "light", "phone")
    assert overflow(phone)["scrolls"] and "p.wide" in {c["element"] for c in overflow(phone)["culprits"]}
    assert [p["text"] for p in small_text(phone)] == ["Fine print at twelve pixels."]
    desktop = load("bad-layout.html", "light", "desktop")
    assert any(line["text"].startswith("A paragraph that runs") for line in long_lines(desktop))
