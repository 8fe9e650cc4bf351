"""The report's plan: parts, chapters and sections, from the bookmarks or from the headings' fonts.

The page furniture (running heads, folios) and the sommaire are set aside first: they repeat
what the plan says. With bookmarks, each one is found on its page and its lines taken as a
heading. Without, headings are the short lines set larger (or bolder) than the running text,
their sizes ranked into levels. Level-1 entries whose children each open a page are parts;
otherwise they are chapters, and their children sections (``##``) and subsections (``###``).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ... import french
from .pages import Document, Line, norm

LEADERS = re.compile(r"(?:\s?[.·…]){4,}\s*\d+\s*$|^(?:p\.?\s*)?\d+\s+\S.*\.{3,}")
NUMBERING = re.compile(r"^(?:(?:chapitre|partie|annexe)\s+[\w]+\s*[–—:|.\-]?\s*|(?:\d{1,2}|[A-Z])\s*[|.–—)]\s+)",
                       re.IGNORECASE)


@dataclass
class Heading:
    level: int
    title: str
    page: int
    top: float
    lines: list[Line] = field(default_factory=list)
    children: list["Heading"] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, float]:
        return (self.page, self.top)


def clean_title(title: str) -> str:
    """« Chapitre 3 – L'Assurance Maladie régulatrice » → « L'Assurance Maladie régulatrice »."""
    title = " ".join(title.split())
    stripped = NUMBERING.sub("", title, count=1).strip()
    return stripped or title


def mark_furniture(document: Document) -> None:
    """Running heads, folios and sommaire lines: set aside, never imported as text."""
    seen: dict[tuple[int, str], set[int]] = defaultdict(set)
    for page in document.pages:
        for line in page.lines:
            if _in_margin(line, page.height):
                for frag in line.fragments():
                    seen[(round(frag.top / 4), _shape(frag.text))].add(page.number)
    for page in document.pages:
        for line in page.lines:
            if _in_margin(line, page.height):
                frags = line.fragments()
                if all(len(seen[(round(f.top / 4), _shape(f.text))]) >= 2 or _folio(f.text) for f in frags):
                    line.used = "furniture"
        leaders = [ln for ln in page.lines if not ln.used and LEADERS.search(ln.text)]
        if len(leaders) >= 3:
            for line in leaders:
                line.used = "sommaire"
            # the sommaire's own title and the entries without leaders (a part's name) go with it
            for line in page.lines:
                if not line.used and re.search(r"\d+\s*$", line.text) and len(line.text) < 120:
                    line.used = "sommaire"


def _in_margin(line: Line, height: float) -> bool:
    return line.bottom < 0.09 * height or line.top > 0.91 * height


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", norm(text))


def _folio(text: str) -> bool:
    return bool(re.fullmatch(r"(?:p(?:age|\.)?\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?", text.strip(), re.IGNORECASE))


# --- from the bookmarks ------------------------------------------------------------------------
def bookmarks(path: Path) -> list[tuple[int, str, int]]:
    """(level, title, page) of each bookmark, in order; [] when the PDF has none."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        outline = reader.outline
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError):
        return []
    found: list[tuple[int, str, int]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item) + 1
            except (PyPdfError, KeyError, ValueError, TypeError, AttributeError):
                continue
            if page >= 1:
                found.append((level, " ".join(str(item.title).split()), page))

    walk(outline, 1)
    return found


def headings_from_bookmarks(document: Document, marks: list[tuple[int, str, int]]) -> list[Heading]:
    headings = []
    for level, title, page_number in marks:
        if not 1 <= page_number <= len(document.pages):
            continue
        page = document.pages[page_number - 1]
        own = [ln for ln in page.lines if ln.used != "furniture"]
        if own and sum(ln.used == "sommaire" for ln in own) >= 0.6 * len(own):
            for line in own:
                line.used = "sommaire"
            continue              # the sommaire's own bookmark: the layout writes it
        lines = _find_title(page.lines, title)
        top = lines[0].top if lines else 0.0
        for line in lines:
            line.used = "heading"
            line.heading = title
        headings.append(Heading(level, title, page_number, top, lines))
    return headings


def _find_title(lines: list[Line], title: str) -> list[Line]:
    """The lines of a page that print ``title`` (on one line or several, with « Chapitre 3 » above)."""
    want = norm(title)
    free = [ln for ln in lines if ln.used in ("", "heading") and norm(ln.text)]
    best: list[Line] = []
    for i, line in enumerate(free):
        text = norm(line.text)
        if text not in want:
            continue
        taken = [line]
        joined = text
        for nxt in free[i + 1:i + 4]:
            candidate = f"{joined} {norm(nxt.text)}"
            if candidate in want and nxt.top - taken[-1].bottom < 1.2 * nxt.size:
                taken.append(nxt)
                joined = candidate
            else:
                break
        if len(joined) > len(" ".join(norm(x.text) for x in best)):
            best = taken
        if joined == want:
            break
    if best and len(" ".join(norm(x.text) for x in best)) < 0.5 * len(want):
        return []
    return best


# --- from the fonts ----------------------------------------------------------------------------
def headings_from_fonts(document: Document) -> list[Heading]:
    """Short lines larger or bolder than the running text, one level per style, largest first."""
    body, weight = document.body_size, document.body_weight
    found: list[tuple[tuple[float, int], Line]] = []
    for page in document.pages:
        lines = [ln for ln in page.lines if not ln.used]
        for i, line in enumerate(lines):
            text = line.text.strip()
            if len(line.fragments()) > 1 or len(text) > 110 or len(text) < 2 or len(text.split()) > 16:
                continue
            if french.parse_figure(text) is not None or text[-1] in ",;":
                continue
            bigger = line.size >= body * 1.15
            bolder = line.weight >= 700 > weight and line.size >= body * 0.98
            if not (bigger or bolder):
                continue
            found.append(((round(line.size), line.weight >= 700), line))
    if not found:
        return []
    styles = Counter(style for style, _ in found)
    pages_of: dict = defaultdict(set)
    for style, line in found:
        pages_of[style].add(line.page)
    # a style seen on one page only (the cover's title) makes no level
    ranked = sorted((s for s in styles if len(pages_of[s]) > 1 or styles[s] > 1 and min(pages_of[s]) > 1),
                    key=lambda s: (-s[0], not s[1]))[:3]
    level_of = {style: n for n, style in enumerate(ranked, 1)}
    headings: list[Heading] = []
    previous: Line | None = None
    for style, line in found:
        level = level_of.get(style)
        if level is None or (line.page == 1 and level == 1 and len(document.pages) > 2):
            previous = None
            continue
        last = headings[-1] if headings else None
        if last and previous is not None and last.level == level and previous.page == line.page \
                and line.top - previous.bottom < 0.8 * line.size:
            last.title = f"{last.title} {line.text.strip()}"       # a title on two lines
            last.lines.append(line)
        else:
            headings.append(Heading(level, line.text.strip(), line.page, line.top, [line]))
        line.used = "heading"
        previous = line
    return headings


# --- the plan ----------------------------------------------------------------------------------
@dataclass
class Plan:
    mode: str                     # « parts » or « chapters »
    parts: list[Heading]          # level 1 entries (parts, or chapters in « chapters » mode)
    numbered_label: str = ""      # « Chapitre » when the titles print it


def plan(headings: list[Heading], document: Document) -> Plan:
    """Nest the headings, then tell parts from chapters: parts hold chapters that open pages."""
    if not headings:
        return Plan("chapters", [])
    top_level = min(h.level for h in headings)
    roots: list[Heading] = []
    stack: list[Heading] = []
    for heading in headings:
        heading.level -= top_level - 1
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        if stack:
            stack[-1].children.append(heading)
        else:
            roots.append(heading)
        stack.append(heading)
    label = ""
    for heading in headings:
        match = re.match(r"^(chapitre|partie)\s+\w+", heading.title, re.IGNORECASE)
        if match and heading.level == 1:
            label = match[1].capitalize()
    deep = any(grand for root in roots for child in root.children for grand in [child.children] if grand)
    children = [child for root in roots for child in root.children]
    opening = [c for c in children if _opens_page(c, document)]
    if deep and children and len(opening) >= 0.6 * len(children) and label != "Chapitre":
        return Plan("parts", roots, label)
    return Plan("chapters", roots, label)


def _opens_page(heading: Heading, document: Document) -> bool:
    """Whether nothing but furniture comes before the heading on its page."""
    page = document.pages[heading.page - 1]
    return not any(ln.bottom <= heading.top and ln.used not in ("furniture",) and ln not in heading.lines
                   for ln in page.lines)
