"""Golden HTML: the demo edition's document before WeasyPrint, compared line by line.

After an intended change of layout or content, regenerate with:
    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
and review the diff of tests/golden/ before committing it.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "demo-2020.html"


def test_document_html_matches_golden(demo_build):
    _, result = demo_build
    html = result.html.read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(html, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    if html != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), html.splitlines(True),
                                            "golden", "built", n=2))
        raise AssertionError("the HTML differs from tests/golden/demo-2020.html "
                             "(UPDATE_GOLDEN=1 to accept):\n" + diff[:4000])
