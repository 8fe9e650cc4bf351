"""Layout preflight: after WeasyPrint, each page is looked at for what a reviewer would catch.

- a heading that ends a page, with nothing of its section under it;
- text that runs out of the page's box to the right (a long address, a wide table);
- a table row left alone on a page (the long-table cutting should prevent it).

Each finding is a warning naming the page; ``--strict`` makes it an error.
"""
from __future__ import annotations

from pathlib import Path

from .errors import ReportWarning
from .pdf import boxes

TOLERANCE = 2.0   # CSS px: rounding


def _text(box) -> str:
    return " ".join(b.text for b in boxes(box) if type(b).__name__ == "TextBox").strip()


def check_pages(document, source: Path) -> list[ReportWarning]:
    return [ReportWarning(f"page {number + 1} : {message}", source) for number, message in findings(document)]


def findings(document) -> list[tuple[int, str]]:
    """(page index, what is wrong) for each page of a laid-out document."""
    found = []
    per_page: list[dict[str, int]] = []
    for number, page in enumerate(document.pages):
        rows: dict[str, int] = {}
        per_page.append(rows)
        page_box = page._page_box
        roots = [c for c in page_box.children if getattr(c, "element_tag", None) == "html"]
        if not roots:
            continue
        flow = list(boxes(roots[0]))
        right = page_box.content_box_x() + page_box.width
        lines = [b for b in flow if type(b).__name__ == "LineBox"]
        for head in (b for b in flow if getattr(b, "element_tag", None) in ("h2", "h3", "h4")
                     and type(b).__name__ == "BlockBox"):
            bottom = head.position_y + head.margin_height() - 1
            if lines and not any(line.position_y >= bottom for line in lines):
                found.append((number, f"l'intertitre « {_text(head)[:60]} » finit la page, "
                                      "sans rien de sa section sous lui"))
        for box in flow:
            if type(box).__name__ == "TextBox" and box.position_x + box.width > right + TOLERANCE:
                found.append((number, f"« {box.text[:40]} » dépasse de la page à droite"))
                break
        for box in flow:
            if getattr(box, "element_tag", None) == "tr" and box.element is not None and box.element.get("data-t"):
                rows[box.element.get("data-t")] = rows.get(box.element.get("data-t"), 0) + 1
    totals: dict[str, int] = {}
    for rows in per_page:
        for use, count in rows.items():
            totals[use] = totals.get(use, 0) + count
    for number, rows in enumerate(per_page):   # a table of one row is not a lone row
        for use, count in rows.items():
            if count == 1 and totals[use] > 1:
                found.append((number, f"une seule ligne du tableau « {use.split(':')[0]} »"))
    return found
