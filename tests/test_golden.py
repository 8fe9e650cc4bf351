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


def _compare(text: str, name: str) -> None:
    golden = GOLDEN_DIR / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                            "golden", "built", n=2))
        raise AssertionError(f"the HTML differs from {name} (UPDATE_GOLDEN=1 to accept):\n" + diff[:4000])


@pytest.mark.parametrize("edition", ["demo/2020", "magazine/2020"])
def test_document_html_matches_golden(demo_build, edition):
    project, _ = demo_build
    _compare(build(project, edition).html.read_text(encoding="utf-8"), f"{edition.replace('/', '-')}.html")


def test_web_page_matches_golden(demo_build):
    """The web edition's page, after its finishing (notes, captions, inline charts)."""
    project, _ = demo_build
    _compare(build(project, "demo/2020").web.read_text(encoding="utf-8"), "demo-2020-web.html")
