"""Layout preflight: after WeasyPrint, each page is looked at for what a reviewer would catch.

- a heading that ends a page, with nothing of its section under it;
- text that runs out of the page's box to the right (a long address, a wide table);
- a table row left alone on a page (the long-table cutting should prevent it);
- a page whose lowest printed thing ends above half its height (a block that jumped to the
  next page, a chapter that ends early), the first and last pages and full-colour pages aside;
- a character printed in a font the layout does not name (a glyph missing from its fonts, that
  the system found elsewhere) or in no font at all: the layout must ship what it prints.

Each finding is a warning naming the page; ``--strict`` makes it an error.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import ReportWarning
from .writing import boxes

TOLERANCE = 2.0   # CSS px: rounding
#: (chapter id, opening words of a block, its element id) → (chapter file, line) where the block
#: is written, or None
Locate = Callable[[str, str, str], "tuple[Path, int] | None"]
#: CSS generic families: a box that names only these asks for a font of the system, not the layout's.
GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "emoji", "math",
           "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded"}


def _text(box) -> str:
    return " ".join(b.text for b in boxes(box) if type(b).__name__ == "TextBox").strip()


def check_pages(document, source: Path, locate: Locate | None = None) -> list[ReportWarning]:
    return warnings(findings(document), source, locate)


def warnings(found: list, source: Path, locate: Locate | None = None, first: int = 1) -> list[ReportWarning]:
    """The findings as warnings; one that proposes a cut names the chapter file and line of the cut."""
    out = []
    for number, message, *balance in found:
        share, cuts = balance if balance and locate else ("", [])   # « la page finit à 17 % de sa hauteur »
        for chapter, words, ident in cuts:
            where = locate(chapter, words, ident)
            if where:
                out.append(ReportWarning(f"page {number + first} : {share} ; une nouvelle page avant "
                                         f"« {words} » l'équilibrerait avec la précédente : écrivez "
                                         "{{ new_page() }} avant cette ligne", *where))
                break
        else:
            out.append(ReportWarning(f"page {number + first} : {message}", source))
    return out


def findings(document) -> list[tuple]:
    """(page index, what is wrong) for each page of a laid-out document; a half-empty page that
    a page break earlier would balance adds how full it is and the blocks that could open it
    ([chapter id, opening words, element id], best first)."""
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
    found += missing_glyphs(document)
    found += half_empty_pages(document)
    totals: dict[str, int] = {}
    for rows in per_page:
        for use, count in rows.items():
            totals[use] = totals.get(use, 0) + count
    for number, rows in enumerate(per_page):   # a table of one row is not a lone row
        for use, count in rows.items():
            if count == 1 and totals[use] > 1:
                found.append((number, f"une seule ligne du tableau « {use.split(':')[0]} »"))
    return found


def _runs(box):
    """(text, font family or None when no font has the glyph) of each glyph run of a text box."""
    from weasyprint.text.ffi import ffi, pango

    layout = box.pango_layout
    layout.reactivate(box.style)         # WeasyPrint lets go of the shaping once a line is laid out
    try:
        raw = layout.text.encode()
        line, _ = layout.get_first_line()
        run = line.runs[0] if line != ffi.NULL and line.runs != ffi.NULL else ffi.NULL
        while run != ffi.NULL:
            item, glyphs = run.data.item, run.data.glyphs
            text = raw[item.offset:item.offset + item.length].decode(errors="replace")
            desc = pango.pango_font_describe_with_absolute_size(item.analysis.font)
            family = ffi.string(pango.pango_font_description_get_family(desc)).decode()
            pango.pango_font_description_free(desc)
            unknown = any(glyphs.glyphs[i].glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG
                          for i in range(glyphs.num_glyphs))
            yield text, None if unknown else family
            run = run.next
    finally:
        layout.deactivate()


def missing_glyphs(document) -> list[tuple[int, str]]:
    """Characters printed in a font the box's ``font-family`` does not name: a glyph missing
    from the layout's fonts, drawn from a system font (or from none, as a blank box).

    Only characters not yet seen printed in a named font, for the same font, are shaped again:
    the check costs little on a long document.
    """
    found = []
    fine: dict[tuple, set[str]] = {}
    for number, page in enumerate(document.pages):
        missing: dict[str, str] = {}
        for box in boxes(page._page_box):
            if type(box).__name__ != "TextBox" or not box.text.strip() or getattr(box, "pango_layout", None) is None:
                continue
            named = {f.lower() for f in box.style["font_family"]}
            if not named - GENERIC:
                continue
            key = (tuple(sorted(named)), box.style["font_weight"], box.style["font_style"])
            known = fine.setdefault(key, set())
            if set(box.text) <= known:
                continue
            for text, family in _runs(box):
                if family is not None and family.lower() in named:
                    known.update(text)
                    continue
                for char in text:
                    if not char.isspace() and char not in missing:
                        missing[char] = family or ""
        if missing:
            chars = ", ".join(f"« {c} » (U+{ord(c):04X}{', en ' + f if f else ''})" for c, f in missing.items())
            found.append((number, f"caractère absent des polices de la mise en page : {chars}"))
    return found


HALF = 0.55   # a page whose content ends above this fraction of its height is half empty


def _extent(page_box, area: float) -> tuple[float | None, bool]:
    """The lowest printed thing of a page (None: nothing), and whether a coloured box fills it."""
    lowest = None
    for child in page_box.children:
        if getattr(child, "element_tag", None) != "html" and type(child).__name__ != "FootnoteAreaBox":
            continue
        for box in boxes(child):
            kind = type(box).__name__
            style = getattr(box, "style", None)
            painted = style is not None and (style["background_color"].alpha > 0
                                             or bool(style["background_image"] and style["background_image"][0][0] != "none")
                                             or any(style[f"border_{side}_width"] for side in ("top", "bottom")))
            if not (kind == "TextBox" and box.text.strip() or "Replaced" in kind or painted):
                continue
            if kind == "TextBox" and style["color"].alpha == 0:
                continue   # text that is not printed (a mark for the bookmarks)
            if painted and box.border_width() * box.border_height() > 0.8 * area:
                return lowest, True
            bottom = box.border_box_y() + box.border_height()
            lowest = bottom if lowest is None else max(lowest, bottom)
    return lowest, False


BREAKABLE = {"p", "h2", "h3", "h4", "h5", "ul", "ol", "li", "div", "figure", "section", "blockquote", "table"}


def _break_points(page_box) -> list[tuple[object, str]]:
    """(box, chapter id) of each block that starts on a page inside a chapter, top to bottom:
    the places where a page break could be asked for."""
    found = []

    def walk(box, chapter: str, parent) -> None:
        element = getattr(box, "element", None)
        if element is not None and element is not parent:
            classes = (element.get("class") or "").split()
            if element.tag == "section" and "chapter" in classes:
                chapter = element.get("id") or chapter
            elif chapter and element.tag in BREAKABLE and type(box).__name__ in ("BlockBox", "ListItemBox",
                                                                                  "TableWrapperBox"):
                found.append((box, chapter))
        for child in getattr(box, "children", None) or []:
            walk(child, chapter, element)

    walk(page_box, "", None)
    return found


def _balance(before_box, lowest: float, height: float) -> list[list[str]]:
    """Where a page break on the page before a half-empty one would leave both pages above
    :data:`HALF`: [chapter id, opening words, element id] of the blocks that could open the half-empty page,
    the best balance first (a heading rather than a paragraph when they come close)."""
    top, bottom = before_box.content_box_y(), before_box.content_box_y() + before_box.height
    scored = {}
    points = _break_points(before_box)
    flow_end = max((box.position_y + box.margin_height() for box, _ in points), default=top)
    for box, chapter in points:
        start = box.position_y
        after = lowest + flow_end - start     # what follows the break moves down to the next page
        if start <= top + TOLERANCE or start < HALF * height or after < HALF * height or after > bottom - TOLERANCE:
            continue
        words = " ".join(_text(box).split()[:8])
        key = (chapter, words, box.element.get("id") or "")
        if words and key not in scored:
            heading = getattr(box, "element_tag", "") in ("h2", "h3", "h4")
            scored[key] = abs(start - after) - (0.1 * height if heading else 0)
    return [list(key) for key in sorted(scored, key=scored.get)]


def half_empty_pages(document) -> list[tuple]:
    """Pages whose lowest text, rule, box or image ends above :data:`HALF` of the page height.

    The first and last pages (cover, back cover) and pages that a coloured box fills
    (dividers) are not looked at: they are meant to hold little. When a page break before a
    block of the page above would leave both pages fuller than :data:`HALF` (the last page of
    a part, before its divider), the finding names that block.
    """
    found = []
    last = len(document.pages) - 1
    extents = []
    for page in document.pages:
        page_box = page._page_box
        extents.append(_extent(page_box, page_box.margin_width() * page_box.margin_height()))
    for number, page in enumerate(document.pages):
        height = page._page_box.margin_height()
        lowest, full = extents[number]
        if number in (0, last) or full or lowest is None or lowest >= HALF * height:
            continue
        share = f"la page finit à {round(100 * lowest / height)} % de sa hauteur"
        message = f"{share} : un bloc a sauté à la page suivante ou le chapitre finit tôt"
        before, full_before = extents[number - 1]
        cuts = []
        if number > 1 and before is not None and not full_before:
            cuts = _balance(document.pages[number - 1]._page_box, lowest, height)
        found.append((number, message, share, cuts) if cuts else (number, message))
    return found
