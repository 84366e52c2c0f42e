"""Every page type in Chromium: clean loads, phone and desktop layout, contrast, axe-core, screenshots."""

from __future__ import annotations

import pytest

from .browsing import MAX_LINE_CHARS, SCHEMES, SCREENSHOTS, VIEWPORTS, blocking
from .conftest import BASES, PAGE_TYPES

KINDS = list(PAGE_TYPES)


@pytest.mark.parametrize("base", list(BASES))
@pytest.mark.parametrize("kind", KINDS)
def test_page_loads_with_no_error_and_no_request_off_this_machine(report, base, kind):
    for scheme, viewport in (("light", "desktop"), ("dark", "phone")):
        page = report(base, kind, scheme, viewport)
        assert page.problems == {"console errors": [], "failed requests": [], "external requests": []}, \
            page.show(page.problems)


@pytest.mark.parametrize("kind", KINDS)
def test_on_a_phone_nothing_scrolls_sideways_and_text_is_at_least_16px(report, kind):
    for scheme in SCHEMES:
        page = report("root", kind, scheme, "phone")
        assert not page.overflow["scrolls"], page.show(page.overflow)
        assert page.small_text == [], page.show(page.small_text)


@pytest.mark.parametrize("kind", KINDS)
def test_on_a_desktop_the_reading_column_stays_under_75_characters(report, kind):
    page = report("root", kind, "light", "desktop")
    too_long = [m for m in page.measure if m["chars"] > MAX_LINE_CHARS]
    assert too_long == [], page.show(too_long)
    if kind not in ("tags",):  # the tag index is a cloud of short links: no running text
        assert page.measure, page.show("no running text measured")


@pytest.mark.parametrize("kind", KINDS)
def test_header_and_footer_span_the_window_and_the_content_is_centred(report, kind):
    for viewport in VIEWPORTS:
        chrome = report("root", kind, "light", viewport).chrome
        width = chrome["viewport"]
        assert chrome["header"] == [0, width] and chrome["footer"] == [0, width], chrome
        left, right = chrome["main"]
        assert abs(left - (width - right)) <= 1, chrome


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", KINDS)
def test_text_contrast_is_at_least_4_5_to_1(report, kind, scheme):
    for viewport in VIEWPORTS:
        page = report("root", kind, scheme, viewport)
        assert page.contrast == [], page.show(page.contrast)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_serious_or_critical_violation(report, kind, scheme):
    for viewport in VIEWPORTS:
        page = report("root", kind, scheme, viewport)
        assert blocking(page.axe) == [], page.show(page.axe)


def test_dark_mode_follows_the_system_setting(report):
    light = report("root", "index", "light", "desktop").chrome["background"]
    dark = report("root", "index", "dark", "desktop").chrome["background"]
    channels = [int(c) for c in dark[dark.index("(") + 1:-1].split(",")[:3]]
    assert light != dark and max(channels) < 64, (light, dark)


def test_every_page_type_has_screenshots_on_phone_and_desktop_light_and_dark(report):
    for kind in KINDS:
        for scheme in SCHEMES:
            for viewport in VIEWPORTS:
                shot = report("root", kind, scheme, viewport).screenshot
                assert shot == SCREENSHOTS / f"{kind}-{viewport}-{scheme}.png" and shot.stat().st_size > 5000
