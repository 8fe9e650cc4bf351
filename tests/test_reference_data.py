"""Transcription check: every figure of the reference editions' tables is printed in the report.

The published reports' extractions live beside the project (``../shared/seeds``); the
test is skipped where they are not, and fails there under ``REPORTGEN_REQUIRE_REFERENCES``
(as in CI). A cell passes when its text, or at least its number
(a unit printed on another line is joined to the figure in a few cells), is in the report.
"""
from __future__ import annotations

import re

import pytest

from conftest import REPO, SHARED, require_shared
from reportgen.edition.datastore import DataStore

REFERENCE_TEXTS = SHARED / "seeds"
REFERENCES = {
    "artois/2017": "000_593b1b6dbff558aa.txt",
    "lille-douai/2019": "001_e079be71184a875c.txt",
    "landes/2017": "002_ba317f8360aef064.txt",
    "ardeche/2023": "004_2f348c66fb279bd1.txt",
}
NUMBER = re.compile(r"^[+\-]?\s?\d{1,3}(?:\s\d{3})*(?:,\d+)?|^[+\-]?\s?\d+(?:,\d+)?")


def norm(text: str) -> str:
    text = re.sub(r" \^\{(ème|ère|er|e)\}", r"\1", text)   # superscripts as the extraction writes them
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(params=sorted(REFERENCES.items()), ids=lambda item: f"{item[0]}-{item[1]}")
def reference(request):
    """(published text, normalised; the edition's data) for each reference edition."""
    edition, extraction = request.param
    source = require_shared(REFERENCE_TEXTS / extraction)
    return norm(source.read_text(encoding="utf-8")), DataStore.load(REPO / "data" / edition)


def test_every_table_figure_is_printed_in_the_reference(reference):
    printed, store = reference
    missing = []
    for table in store.tables.values():
        for row in table.rows:
            for cell in row.cells[1:]:
                if cell.figure is None:
                    continue
                text = norm(cell.text)
                number = NUMBER.match(text)
                if text not in printed and not (number and number[0].strip() in printed) \
                        and not _printed_number(cell.text, printed):
                    missing.append(f"{table.path.name}:{row.line} « {cell.text} »")
    assert not missing, missing[:20]


def _printed_number(value: str, printed: str) -> bool:
    """A tile or figure passes when its number, as printed or without grouping spaces, is in the report."""
    text = norm(value)
    number = NUMBER.match(text.lstrip("+- ").strip()) if text else None
    if not number:
        return True          # a word ("NC", "Or") or a value with no figure
    digits = number[0].strip()
    compact = digits.replace(" ", "")
    pointed = digits.replace(",", ".")   # a few figures are printed with a decimal point
    dotted = digits.replace(" ", ".")    # or a dot between thousands (« 300.000 »)
    return any(form in printed for form in (text, digits, compact, pointed, dotted))


def test_every_tile_and_figure_is_printed_in_the_reference(reference):
    printed, store = reference
    missing = []
    for name, group in store.kpis.items():
        for tile in (t for top in group.tiles for t in (top, *top.children)):
            for field in ("value", "previous", "evolution"):
                value = getattr(tile, field)
                if value and not value.startswith("=") and not _printed_number(value, printed):
                    missing.append(f"kpis {name}.{tile.key}.{field} « {value} »")
    for key, (value, path) in store.figures.items():
        if not value.startswith("=") and not _printed_number(value, printed):
            missing.append(f"{path.name} {key} « {value} »")
    assert not missing, missing[:20]
