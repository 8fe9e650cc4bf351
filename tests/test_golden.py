"""Golden HTML: the fixture editions' documents before WeasyPrint, compared line by line.

After an intended change of layout or content, regenerate with:
    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
and review the diff of tests/golden/ before committing it.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from reportgen.builder import build

GOLDEN_DIR = Path(__file__).parent / "golden"


@pytest.mark.parametrize("edition", ["demo/2020", "magazine/2020"])
def test_document_html_matches_golden(demo_build, edition):
    project, _ = demo_build
    html = build(project, edition).html.read_text(encoding="utf-8")
    GOLDEN = GOLDEN_DIR / f"{edition.replace('/', '-')}.html"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(html, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    if html != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), html.splitlines(True),
                                            "golden", "built", n=2))
        raise AssertionError(f"the HTML differs from {GOLDEN.name} "
                             "(UPDATE_GOLDEN=1 to accept):\n" + diff[:4000])


def test_web_page_matches_golden(demo_build):
    """The web edition's page, after its finishing (notes, captions, inline charts)."""
    project, _ = demo_build
    page = build(project, "demo/2020").web.read_text(encoding="utf-8")
    GOLDEN = GOLDEN_DIR / "demo-2020-web.html"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(page, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    if page != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), page.splitlines(True),
                                            "golden", "built", n=2))
        raise AssertionError(f"the page differs from {GOLDEN.name} (UPDATE_GOLDEN=1 to accept):\n" + diff[:4000])
