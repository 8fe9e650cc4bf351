"""Tables longer than a page: cut where the pages fall, each piece titled « (suite) ».

A table's title is the first row of its header, so WeasyPrint repeats both on every page
a table runs over; but it may leave a lone row on the last page or push a subtotal away
from its components, and it cannot add « (suite) ». So the builder lays the document out
once and, for each table that runs over several pages, measures its rows, header and
columns (:func:`measure`). It then decides the pieces (:func:`find_breaks`): the first
cut where the rows no longer fit below the table's start on its first page, the next ones
by filling fresh pages with the measured rows, each cut moved so that no piece breaks badly
(:func:`place_breaks`). Every cut is reckoned from the table's start and its rows' heights,
never from where the pages fell: a table laid out already cut gives the cuts it would have
uncut, so a build may start from the last build's cuts and keep them after one layout when
nothing before the table moved (:func:`fingerprint` says when a cut may be tried again). The tables are
rendered again as pieces that each open a page, the title followed by « (suite) », with
the column widths of the first layout, so that every row keeps its height and the pages
keep their contents. A cut moved up pushes what follows down: the builder measures again
until nothing moves.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .writing import boxes
from ..edition.tables import MERGE_UP, Table

SUBTOTALS = {"subtotal", "subtotal2", "subtotal3", "total"}
SAFETY = 4.0   # CSS px kept free at the foot of each page, for rounding


@dataclass
class Cut:
    """How one use of a table is printed: where its pieces start, and its column widths."""

    rows: list[int]
    widths: list[float] = field(default_factory=list)
    width: float = 0.0
    fingerprint: str = ""      # the table's contents and looks when it was measured (:func:`fingerprint`)


@dataclass
class Measure:
    pages: dict[int, list[int]] = field(default_factory=dict)   # page number → row indexes
    heights: dict[int, float] = field(default_factory=dict)     # row index → height
    header: float = 0.0        # the header rows, the title row among them
    capacity: float = 0.0      # height of a page's content area
    widths: list[float] = field(default_factory=list)
    width: float = 0.0
    top: float | None = None   # where its first row starts, on the first page that has one
    bottom: float = 0.0        # where that page's room ends (above its footnotes)
    starts: list[int] = field(default_factory=list)   # the first row of each piece it is printed in


def measure(document) -> dict[str, Measure]:
    """Rows, header, title and columns of every table use, as laid out."""
    found: dict[str, Measure] = {}
    seen: set[int] = set()      # the pieces of a cut table (a piece over two pages has two boxes)
    opening: dict[str, bool] = {}   # a piece of the table just began: its first row is next
    for number, page in enumerate(document.pages):
        page_box = page._page_box
        for box in boxes(page_box):
            tag = getattr(box, "element_tag", None)
            element = getattr(box, "element", None)
            if element is None or tag is None:
                continue
            use = element.get("data-t")
            if use is None:
                continue
            m = found.setdefault(use, Measure(capacity=page_box.height))
            if tag == "table" and id(element) not in seen:
                seen.add(id(element))
                opening[use] = True
            if tag == "thead" and not m.header:
                m.header = box.margin_height()
            elif tag == "table" and not m.widths:
                m.widths = list(getattr(box, "column_widths", None) or [])
                m.width = box.width
            elif tag == "tr" and element.get("data-row") is not None:
                row = int(element.get("data-row"))
                if opening.pop(use, False):
                    m.starts.append(row)
                if m.top is None:
                    m.top, m.bottom = box.position_y, _room_end(page_box)
                m.heights[row] = max(m.heights.get(row, 0.0), box.margin_height())
                rows = m.pages.setdefault(number, [])
                if row not in rows:
                    rows.append(row)
    return found


def _room_end(page_box) -> float:
    """Where the content of a page must end: the foot of its content box, or its footnotes' top."""
    bottom = page_box.content_box_y() + page_box.height
    for child in page_box.children:
        if type(child).__name__ == "FootnoteAreaBox" and child.children:
            bottom = min(bottom, child.position_y)
    return bottom


def fingerprint(table: Table, salt: str) -> str:
    """What a table's cuts depend on besides its place: its rows, header and notes as printed,
    and ``salt`` (the layouts and theme); the file it was read from and its lines do not count."""
    printed = (table.title, table.columns, table.header, [(row.kind, row.cells) for row in table.rows],
               table.source, table.notes, table.size, table.orientation, table.caption)
    return hashlib.sha256(f"{salt}\n{printed!r}".encode()).hexdigest()[:20]


def place_breaks(table: Table, starts: list[int]) -> list[int]:
    """The first row of each piece after the first, moved so no piece breaks badly.

    A piece never starts inside a group of merged cells nor on a subtotal (it takes its
    last component along), never ends on a section heading, and the last piece has at
    least two rows.
    """
    rows = table.rows
    placed: list[int] = []
    for start in starts:
        b = _better_start(table, start, (placed[-1] if placed else 0) + 2)
        if b is not None:
            placed.append(b)
    if placed and len(rows) - placed[-1] < 2:
        last = placed.pop()
        if last - 1 >= (placed[-1] if placed else 0) + 2:
            placed.append(last - 1)
    return placed


def _better_start(table: Table, b: int, low: int) -> int | None:
    rows = table.rows
    while b > low and any(cell.text == MERGE_UP for cell in rows[b].cells):
        b -= 1
    while b > low and rows[b].kind in SUBTOTALS:
        b -= 1
    while b > low and rows[b - 1].kind == "section":
        b -= 1
    return b if b >= low else None


def find_breaks(document, tables: dict[str, Table]) -> dict[str, Cut]:
    """How each table use that runs over several pages should be cut (``{use: Cut}``)."""
    return breaks_of(measure(document), tables)


def settled(measures: dict[str, Measure], breaks: dict[str, Cut]) -> bool:
    """The tables were laid out cut as they should be: this layout is the one to keep."""
    return ({use: cut.rows for use, cut in breaks.items()}
            == {use: m.starts[1:] for use, m in measures.items() if len(m.starts) > 1})


def breaks_of(measures: dict[str, Measure], tables: dict[str, Table]) -> dict[str, Cut]:
    """:func:`find_breaks` from the tables as measured."""
    breaks = {}
    for use, m in measures.items():
        table = tables.get(use.rsplit(":", 1)[0])
        pages = [rows for _, rows in sorted(m.pages.items()) if rows]
        if table is None or len(pages) < 2:
            continue
        n = len(table.rows)
        first = _better_start(table, _first_break(m, n, min(pages[1])), 2)
        if first is None:
            continue
        starts = [first]
        room = m.capacity - m.header - SAFETY
        used = 0.0
        for row in range(first, n):
            height = m.heights.get(row, 0.0)
            if used + height > room and row > starts[-1]:
                better = _better_start(table, row, starts[-1] + 2)
                row_start = better if better is not None else row
                starts.append(row_start)
                used = sum(m.heights.get(r, 0.0) for r in range(row_start, row))
            used += height
        cuts = place_breaks(table, starts)
        if cuts:
            breaks[use] = Cut(cuts, m.widths, m.width)
    return breaks


def _first_break(m: Measure, n: int, fell: int) -> int:
    """The first row that does not fit below the table's start on its first page, reckoned from
    the rows' heights, so the same whether the table was laid out whole or already cut (``fell``:
    where the page fell, if no row is found to fit)."""
    if m.top is None:
        return fell
    room, used, row = m.bottom - m.top - SAFETY, 0.0, 0
    while row < n and used + m.heights.get(row, 0.0) <= room:
        used += m.heights.get(row, 0.0)
        row += 1
    return row if row > 0 else fell


def pieces(n_rows: int, cuts: list[int]) -> list[tuple[int, int]]:
    """``[(start, end), …]`` row ranges of the pieces of a table cut at ``cuts``."""
    bounds = [0, *cuts, n_rows]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]
