"""Lighthouse, mobile preset, on the curated demo's index, paper page and search (scripts/audit.py):
100 for accessibility, best practices and SEO, at least 95 for performance. About a minute."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from .browsing import ARTIFACTS, ROOT

pytestmark = pytest.mark.lighthouse


def load_audit():
    spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_lighthouse_scores_meet_the_targets(sites, tmp_path):
    audit = load_audit()
    if not (audit.LIGHTHOUSE / "cli" / "index.js").is_file():
        pytest.fail("Lighthouse is missing: run `bash scripts/install-node-tools lighthouse` "
                    "(`make test` does)")
    pages = audit.audit(sites.root, work=tmp_path, reports=ARTIFACTS / "lighthouse-e2e")
    shortfalls = [line for page in pages for line in page.under_target()]
    assert shortfalls == [], audit.table(pages)
