"""Visiting pages in Chromium for the end-to-end suite: what a page loaded, logged and looks like.

A ``Visit`` records every request, failure and console error of one page; ``inspect_page``
runs the in-browser checks (checks.js, axe-core) and keeps the results as plain data, so
one load serves every test that asks about the same page, scheme and screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_JS = ARTIFACTS / "node" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHECKS_JS = (Path(__file__).with_name("checks.js")).read_text(encoding="utf-8")

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
SCHEMES = ("light", "dark")

MIN_CONTRAST = 4.5  # WCAG AA for body text; applied to every text, large or not
MIN_TEXT_PX = 16
MAX_LINE_CHARS = 75
AXE_BLOCKING = ("serious", "critical")
LOCAL_HOST = "127.0.0.1"
NON_NETWORK_SCHEMES = ("data", "blob", "about")


def axe_source() -> str:
    """axe.min.js as installed by scripts/install-node-tools; a clear failure when it is missing."""
    if not AXE_JS.is_file():
        raise RuntimeError(f"{AXE_JS.relative_to(ROOT)} is missing: run "
                           "`bash scripts/install-node-tools axe` (`make test` does)")
    return AXE_JS.read_text(encoding="utf-8")


def is_local(url: str) -> bool:
    """Whether a request stays on this machine's test server (or needs no network at all)."""
    parts = urlsplit(url)
    return parts.scheme in NON_NETWORK_SCHEMES or parts.hostname == LOCAL_HOST


def block_external(context) -> None:
    """Abort any request that would leave 127.0.0.1; the visit still records it as external."""
    context.route(lambda url: not is_local(url), lambda route: route.abort("blockedbyclient"))


@dataclass
class Visit:
    """One page in a tab, with everything it requested and logged since it was opened."""

    page: Any
    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    expected_status: dict[str, int] = field(default_factory=dict)
    home: str = ""  # the site's home URL, for tests that navigate within it

    @classmethod
    def open(cls, context) -> Visit:
        """A new tab of ``context`` whose traffic and console are recorded."""
        visit = cls(context.new_page())
        page = visit.page
        page.on("request", visit._on_request)
        page.on("requestfailed", lambda r: visit.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", visit._on_response)
        page.on("console", visit._on_console)
        page.on("pageerror", lambda error: visit.console_errors.append(f"uncaught: {error}"))
        return visit

    def _on_request(self, request) -> None:
        self.requests.append(request.url)
        if not is_local(request.url):
            self.external.append(request.url)

    def _on_response(self, response) -> None:
        expected = self.expected_status.get(response.url.split("#")[0], 200)
        if response.status >= 400 and response.status != expected:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        # The browser logs the 404 status of a page asked for on purpose: that is the page under test.
        if self.expected_status.get(where) == 404 and "404" in message.text:
            return
        self.console_errors.append(f"{message.text} [{where}]")

    def goto(self, url: str, status: int = 200, ready: str | None = None) -> None:
        """Load ``url``, expecting ``status``; then wait for the page's own readiness condition."""
        self.expected_status[url] = status
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == status, (url, response and response.status)
        if ready:
            self.page.wait_for_function(ready, timeout=15_000)
        self.page.evaluate("() => document.fonts.ready.then(() => true)")

    def problems(self) -> dict[str, list[str]]:
        """What went wrong while loading: empty lists when the page loaded cleanly."""
        return {"console errors": self.console_errors, "failed requests": self.failed,
                "external requests": self.external}

    def close(self) -> None:
        self.page.close()


def press_tab_until(page, selector: str, limit: int = 80) -> int:
    """Press Tab until the focused element matches ``selector``; how many presses it took."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("sel => document.activeElement.matches(sel)", selector):
            return count
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab")


def run_checks(page, expression: str) -> Any:
    """Evaluate one ``papershelfChecks`` call in the page (defining the checks first if needed)."""
    if not page.evaluate("() => Boolean(window.papershelfChecks)"):
        page.evaluate(CHECKS_JS)
    return page.evaluate(f"() => papershelfChecks.{expression}")


def run_axe(page, axe: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page (WCAG 2.x A/AA and best practices), trimmed to plain data."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(axe)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [" ".join(map(str, n["target"])) for n in v["nodes"]][:5]}
            for v in result["violations"]]


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The axe violations that fail the suite: impact serious or critical."""
    return [v for v in violations if v["impact"] in AXE_BLOCKING]


def low_contrast(page, minimum: float = MIN_CONTRAST) -> list[dict[str, Any]]:
    """Texts whose contrast with their effective background is below ``minimum``."""
    return run_checks(page, f"contrast({minimum})")


def small_text(page, minimum: float = MIN_TEXT_PX) -> list[dict[str, Any]]:
    """Visible texts rendered smaller than ``minimum`` px."""
    return run_checks(page, f"smallText({minimum})")


def overflow(page) -> dict[str, Any]:
    """Whether the page scrolls sideways, and what sticks out."""
    return run_checks(page, "overflow()")


def long_lines(page, maximum: float = MAX_LINE_CHARS) -> list[dict[str, Any]]:
    """Blocks of running text in <main> whose lines hold more than ``maximum`` characters."""
    return [m for m in run_checks(page, "measure()") if m["chars"] > maximum]


@dataclass
class PageReport:
    """Everything the suite checks about one page type, in one colour scheme, on one screen."""

    url: str
    problems: dict[str, list[str]]
    contrast: list[dict[str, Any]]
    axe: list[dict[str, Any]]
    small_text: list[dict[str, Any]]
    overflow: dict[str, Any]
    measure: list[dict[str, Any]]
    chrome: dict[str, Any]
    screenshot: Path | None

    def show(self, value: Any) -> str:
        """A failure message: the page and the offending data, readable."""
        return f"{self.url}\n{json.dumps(value, indent=1, ensure_ascii=False)}"


CHROME_JS = """() => {
  const box = (s) => {
    const r = document.querySelector(s)?.getBoundingClientRect();
    return r && [r.left, r.right];
  };
  return {viewport: document.documentElement.clientWidth, header: box('.site-header'),
          footer: box('.site-footer'), main: box('main'),
          background: getComputedStyle(document.body).backgroundColor};
}"""


def inspect_page(context, url: str, *, status: int, ready: str | None, axe: str | None,
                 screenshot: Path | None) -> PageReport:
    """Load ``url`` in a new tab of ``context`` and run every check on it (axe-core when given)."""
    visit = Visit.open(context)
    try:
        visit.goto(url, status=status, ready=ready)
        page = visit.page
        report = PageReport(
            url=url, problems=visit.problems(), contrast=low_contrast(page),
            axe=run_axe(page, axe) if axe else [],
            small_text=small_text(page), overflow=overflow(page), measure=run_checks(page, "measure()"),
            chrome=page.evaluate(CHROME_JS), screenshot=screenshot)
        if screenshot:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        return report
    finally:
        visit.close()
