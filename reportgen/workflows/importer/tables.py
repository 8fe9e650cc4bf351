"""Tables found in the pages by the alignment of their words, written as CSV + spec.

No engine draws a table the same way (rules, shaded rows, nothing at all), so tables are
found from what they all share: consecutive lines cut into the same columns, with figures
in them. The columns are the stretches of the page the rows' cells cover (a cell never
crosses a column); the header is the lines just above, cut by the same columns, a header
cell centred over two columns spanning both; the kind of each row comes from its weight
(bold: a subtotal, the last and heaviest: the total; bold without figures: a section) and
from its indentation (« dont »). A table continued on the next page with the same columns
is joined to it. Figures are kept exactly as printed, a trend arrow set apart with the figure it
follows. A bar chart printed with its values is read as a table of labels and values; a part's
contents (headings and page numbers, no leaders) is no table. A table with no title is named
after its first label, never its rank, so that another layout of it gets the same name.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

import yaml

from ... import french
from ...edition.tables import HeaderCell, slugify
from .outline import clean_title
from .pages import Document, Line, Page, Segment, norm

SIGNS = {"-", "--", "—", "–", "/", "ns", "n.s.", "nd", "n.d.", "NC", "nc", "ND", "NS"}
SOURCE = re.compile(r"^(sources?|champ|lecture|note|notes)\s*[:：]", re.IGNORECASE)
NOTE_LINE = re.compile(r"^(?:\((\d{1,2})\)|(\d{1,2})[.)]?|(\*+))\s+(.+)$")
MARK = re.compile(r"^\(?(\d{1,2}|\*+)\)?$")
TOTAL = re.compile(r"^(total|ensemble)\b", re.IGNORECASE)
DONT = re.compile(r"^dont\b", re.IGNORECASE)
SUITE = re.compile(r"\s*[(\[]?\s*suite\s*[)\]]?\s*$", re.IGNORECASE)
TREND = re.compile(r"^\[?[↑↓↗↘→±]\]?\s*|\s*\[?[↑↓↗↘→±]\]?$")
BIG = 1.4          # × body size: a line this large is no table row (a key figure, a title)


def is_figure(text: str) -> bool:
    """A printed figure, a sign standing for one (« - », « nd »), or a figure with its trend arrow
    (« 242 842 ↓ », « ↗ 12,5 % »)."""
    text = TREND.sub("", text.strip()) or text.strip()
    return text in SIGNS or french.parse_figure(text) is not None


@dataclass
class Cell:
    text: str
    marks: list[str] = field(default_factory=list)   # note calls printed after it


@dataclass
class Row:
    kind: str
    cells: list[Cell]
    page: int
    weight: int = 400
    indent: float = 0.0
    numeric: bool = True


@dataclass
class FoundTable:
    """A table read from the pages: its header, its rows, its title, source and notes."""

    pages: list[int]
    slots: list[tuple[float, float]]                 # each column's stretch of the page
    header: list[list[HeaderCell]]
    rows: list[Row]
    title: str = ""
    source: str = ""
    notes: list[str] = field(default_factory=list)
    first: Line | None = None                        # where it is placed in the text
    lines: list[Line] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)  # what lowers its confidence
    id: str = ""
    text_columns: set[int] = field(default_factory=set)

    @property
    def width(self) -> int:
        return len(self.slots)

    def stem(self) -> str:
        """The base of its file name: its title, else « tableau- » and its first label (else its first
        column names), the same whatever layout printed it: never its rank on the page."""
        title = slugify(self.title)[:40].strip("-")
        if title:
            return title
        label = next((r.cells[0].text for r in self.rows if r.cells[0].text not in ("", "^^")), "")
        if not label and self.header:
            label = " ".join(self.column_names()[:2])
        label = slugify(label)[:32].strip("-")
        return f"tableau-{label}" if label else ""

    @property
    def confidence(self) -> float:
        """From 0 to 1: 1 when every figure fell in a column and every numeric column parses."""
        score = 1.0
        cells = sum(len(r.cells) for r in self.rows) or 1
        loose = sum(1 for d in self.doubts if d.startswith("cellule"))
        score -= min(0.4, 2.0 * loose / cells)
        score -= 0.1 * sum(1 for d in self.doubts if d.startswith("colonne"))
        score -= 0.1 * sum(1 for d in self.doubts if d.startswith("en-tête"))
        score -= 0.05 * sum(1 for d in self.doubts if d.startswith("renvoi"))
        if self.width < 3:
            score -= 0.05
        return max(0.0, round(score, 2))

    def column_names(self) -> list[str]:
        """Unique names for the CSV's header: the lowest header row's texts, joined with the ones above."""
        names = [""] * self.width
        grid = _header_grid(self.header, self.width)
        for col in range(self.width):
            parts = []
            for row in grid:
                text = row[col]
                if text and (not parts or parts[-1] != text):
                    parts.append(text)
            names[col] = " ".join(parts)
        names[0] = names[0] or "Libellé"
        seen: Counter = Counter()
        for i, name in enumerate(names):
            name = name or f"Colonne {i + 1}"
            name = name.replace(";", ",").replace("\n", " ")
            seen[name] += 1
            names[i] = name if seen[name] == 1 else f"{name} ({seen[name]})"
        return names

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(["_kind", *self.column_names()])
        for row in self.rows:
            writer.writerow([row.kind, *[c.text + "".join(f"[^{m}]" for m in c.marks) for c in row.cells]])
        return out.getvalue()

    def spec_text(self, pdf_name: str) -> str:
        names = self.column_names()
        spec: dict = {}
        if self.title:
            spec["title"] = self.title
        single = len(self.header) <= 1 and all(c.colspan == 1 and c.rowspan == 1 for r in self.header for c in r)
        columns = {}
        for col, name in enumerate(names):
            entry = {}
            printed = self.header[0][col].text if single and self.header else None
            if col == 0 and single and not (printed or ""):
                entry["label"] = ""
            if col in self.text_columns and col > 0:
                entry["type"] = "text"
            if entry:
                columns[name] = entry
        if columns:
            spec["columns"] = columns
        if not single:
            spec["header"] = [[c.text if c.colspan == 1 and c.rowspan == 1 else
                               {"text": c.text, **({"colspan": c.colspan} if c.colspan > 1 else {}),
                                **({"rowspan": c.rowspan} if c.rowspan > 1 else {})} for c in row]
                              for row in self.header]
        if self.source:
            spec["source"] = self.source
        if self.notes:
            spec["notes"] = list(self.notes)
        pages = ", ".join(str(p) for p in self.pages)
        head = (f"# Importé de {pdf_name}, page{'s' if len(self.pages) > 1 else ''} {pages} : {len(self.rows)} "
                f"lignes, {self.width} colonnes, confiance {french_percent(self.confidence)}.\n"
                "# Vérifiez chaque chiffre sur le PDF, le type de chaque ligne (_kind) et l'en-tête ; puis "
                "retirez ces lignes.\n")
        for doubt in self.doubts:
            head += f"# À vérifier : {doubt}\n"
        body = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=110) if spec else ""
        return head + body


def french_percent(value: float) -> str:
    return f"{round(value * 100)} %"


def _header_grid(header: list[list[HeaderCell]], width: int) -> list[list[str]]:
    """Each header row as one text per column (a spanning cell repeated under each of its columns)."""
    grid = [[""] * width for _ in header]
    taken = [[False] * width for _ in header]
    for r, row in enumerate(header):
        col = 0
        for cell in row:
            while col < width and taken[r][col]:
                col += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if r + dr < len(header) and col + dc < width:
                        taken[r + dr][col + dc] = True
                        grid[r + dr][col + dc] = cell.text if dr == 0 else ""
            col += cell.colspan
    return grid


# --- finding the tables of a page ----------------------------------------------------------------
def _cell_parts(segment: Segment) -> tuple[str, list[str]]:
    """A segment's text and its note calls (small raised digits after it: « FAC⁽³⁾ »)."""
    size = segment.size
    base = max(w.bottom for w in segment.words if w.size >= 0.92 * size)
    words, marks = [], []
    for word in segment.words:
        small = word.size < 0.92 * size or word.bottom < base - 0.15 * size
        if small and MARK.match(word.text) and words:
            marks.append(MARK.match(word.text)[1])
        else:
            words.append(word.text)
    text = " ".join(words)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return text, marks


def _numeric(segment: Segment) -> bool:
    return is_figure(_cell_parts(segment)[0])


def _candidate(line: Line, body: float) -> bool:
    """A line that can be a row of figures: two cells or more, at least one a figure."""
    if line.used or line.size > BIG * body:
        return False
    segments = line.segments()
    if len(segments) < 2:
        return False
    numbers = sum(1 for s in segments[1:] if _numeric(s))
    return numbers >= 1 and (not _numeric(segments[0]) or numbers >= 1)


def find_tables(document: Document, titles: list[str] | None = None) -> list[FoundTable]:
    """The tables of every page, a table continued over pages joined; a list of ``titles`` (the
    bookmarks' headings) with their page numbers is a contents list, set aside as such."""
    found = []
    for page in document.pages:
        found += _page_tables(page, document)
    tables = []
    for table in _join_continued(found, document):
        if titles and _contents_list(table, titles):
            for line in table.lines:
                line.used = "sommaire"
            continue
        finish(table)
        tables.append(table)
    return tables


def _contents_list(table: FoundTable, titles: list[str]) -> bool:
    """Rows that name the report's headings, each with a page number after it, the numbers rising
    (the contents of a part, with no leaders): no table."""
    rows = [r for r in table.rows if r.kind != "section"]
    if len(rows) < 3:
        return False
    numbers, texts = [], []
    for row in rows:
        filled = [c.text for c in row.cells if c.text]
        if len(filled) < 2 or not re.fullmatch(r"\d{1,4}", filled[-1]):
            return False
        numbers.append(int(filled[-1]))
        texts.append(norm(" ".join(filled[:-1])))
    if numbers != sorted(numbers):
        return False
    known = {norm(t) for title in titles for t in (title, clean_title(title)) if len(t) > 8}
    named = sum(1 for text in texts if any(k in text or text in k for k in known if len(text) > 8))
    return named >= 0.6 * len(rows)


def _page_tables(page: Page, document: Document) -> list[FoundTable]:
    lines = [ln for ln in page.lines if not ln.used]
    body = document.body_size
    tables = []
    i = floor = 0
    while i < len(lines):
        if not _candidate(lines[i], body):
            i += 1
            continue
        # the rows: candidate lines, with the label-only lines between them (sections, wrapped labels)
        block = [i]
        j = i + 1
        while j < len(lines):
            prev = lines[block[-1]]
            gap = lines[j].top - prev.bottom
            if gap > 2.2 * prev.size:
                break
            if _candidate(lines[j], body):
                block.append(j)
            elif lines[j].size <= BIG * body and gap <= 2.2 * prev.size and _next_candidate(lines, j, body):
                block.append(j)
            elif gap < 0.5 * prev.size and prev.size * 0.95 <= lines[j].size <= prev.size * 1.05:
                block.append(j)       # a label wrapped onto the next line, after the last row (a note
                                      # set smaller under the table is not)
            else:
                break
            j += 1
        # the lines before the first row of figures head the columns: years (« 2016 2017 »,
        # « 2017 (en €) »), words over the columns, a header wrapped over several lines
        weights = Counter(lines[k].weight for k in block if _candidate(lines[k], body))
        rows_weight = min(weights, key=lambda w: (-weights[w], w)) if weights else 400
        first_row = next((n for n, k in enumerate(block) if _candidate(lines[k], body)
                          and not _heads_columns(lines[k], body, rows_weight)), 0)
        heads = [n for n in range(first_row) if _heads_columns(lines[block[n]], body, rows_weight)]
        if heads:
            del block[:heads[-1] + 1]
        candidates = [k for k in block if _candidate(lines[k], body)]
        rows = [lines[k] for k in candidates]
        chart = _chart_like(rows)
        values = _labelled_values(rows) if chart else None
        if (len(candidates) < 2 and not _headed_row(lines, block[0], floor, body)) or (chart and not values):
            i = j
            continue
        block = _leading_labels(lines, block, floor, body) + block
        table = _read_table(page, lines, block, document, values)
        if table is not None:
            tables.append(table)
            floor = j
        i = j
    return tables


def _figure_start(line: Line) -> float:
    """Where a row's figures begin: the left of its second cell."""
    segments = line.segments()
    return segments[1].x0 if len(segments) > 1 else line.x1


def _leading_labels(lines: list[Line], block: list[int], floor: int, body: float) -> list[int]:
    """The label-only lines between a table's header and its first row of figures (« Hors IJ »,
    « Fonctionnement », a section's name): the table's own rows, so that its header is found above
    them. Taken only when a header line is right above them; else they are running text."""
    first = lines[block[0]]
    label_x, figures_x = first.segments()[0].x0, _figure_start(first)
    taken: list[int] = []
    k = block[0] - 1
    below = first
    while k >= floor and len(taken) < 8:
        line = lines[k]
        if line.used or below.top - line.bottom > 2.2 * line.size:
            return []
        if not (0.95 * first.size <= line.size <= 1.05 * first.size and len(line.segments()) == 1
                and label_x - 2 <= line.x0 and line.x1 < figures_x - first.size):
            break
        taken.insert(0, k)
        below = line
        k -= 1
    if not taken or k < floor:
        return []
    head = lines[k]
    segments = head.segments()
    over_figures = len(segments) == 1 and segments[0].x0 >= figures_x - 2 * first.size
    return taken if _heads_columns(head, body) or over_figures else []


def _headed_row(lines: list[Line], start: int, floor: int, body: float) -> bool:
    """A table of one row of figures: three cells or more right under a header line cut into as
    many cells, each header cell the nearest to the cell under it."""
    row = lines[start]
    segments = row.segments()
    if start - 1 < floor or len(segments) < 3:
        return False
    head = lines[start - 1]
    heads = head.segments()
    if head.used or row.top - head.bottom > 1.7 * max(head.size, row.size) or not _heads_columns(head, body) \
            or len(heads) != len(segments):
        return False
    return all(min(range(len(heads)), key=lambda n: abs(heads[n].center - s.center)) == i
               for i, s in enumerate(segments))


YEAR = re.compile(r"^(?:19|20)\d{2}(?:\s*[/–-]\s*(?:19|20)?\d{2})?(?:\s*\(.{1,12}\)|\s+\D.*)?$")


def _header_text(text: str) -> bool:
    """A text that heads a column: words, or a year (« 2017 », « 2013 (%) », « 2017/2016 »)."""
    text = text.strip()
    return bool(YEAR.match(text)) or not is_figure(text)


def _heads_columns(line: Line, body: float, rows_weight: int = 0) -> bool:
    """A line of a table's header: several cells, none of them a figure other than a year; or,
    set bolder than the rows, words but for a number or two (« Nb art. | 1235 ou 1376 »)."""
    segments = line.segments()
    if line.size > BIG * body or len(segments) < 2:
        return False
    words = sum(1 for s in segments if _header_text(_cell_parts(s)[0]))
    return words == len(segments) or (bool(rows_weight) and line.weight > rows_weight
                                      and words >= 2 * (len(segments) - words))


def _chart_like(rows: list[Line]) -> bool:
    """The labels of a chart, not a table: figures scattered over the columns, or labels not aligned."""
    slots = _slots(rows)
    if len(slots) < 2:
        return True
    filled = [sum(1 for s in ln.segments() if _slot_of(s.center, slots) > 0) for ln in rows]
    if len(slots) > 2 and sum(filled) / len(rows) < 0.6 * (len(slots) - 1):
        return True
    starts = Counter(round(ln.segments()[0].x0) for ln in rows)
    aligned = max(sum(n for x, n in starts.items() if abs(x - x0) <= 1.5) for x0 in starts)
    return len(rows) >= 3 and aligned < 0.4 * len(rows)


def _labelled_values(rows: list[Line]) -> list[tuple[float, float]] | None:
    """The two columns of a bar chart printed with its values: each row a label, its cells aligned
    on one edge, and one figure beside it wherever its bar ends; None for any other rows."""
    if len(rows) < 3:
        return None
    cuts = [ln.segments() for ln in rows]
    if any(len(c) != 2 or _numeric(c[0]) or not _numeric(c[1]) or c[1].x0 <= c[0].x1 for c in cuts):
        return None
    starts, ends = [c[0].x0 for c in cuts], [c[0].x1 for c in cuts]
    if max(starts) - min(starts) > 2 and max(ends) - min(ends) > 2:
        return None
    return [(min(starts), max(ends)), (min(c[1].x0 for c in cuts), max(c[1].x1 for c in cuts))]


def _right_aligned(rows: list[Line]) -> bool:
    """Whether the rows' labels end at one edge (set flush right)."""
    ends = [ln.segments()[0].x1 for ln in rows]
    return max(ends) - min(ends) <= 2


def _next_candidate(lines: list[Line], j: int, body: float) -> bool:
    """Whether a row of figures follows closely: the line is inside the table, not after it (rows
    with no figure, their labels wrapped, may come between)."""
    for k in range(j + 1, min(len(lines), j + 12)):
        if lines[k].top - lines[k - 1].bottom > 2.2 * lines[k - 1].size or lines[k].size > lines[j].size * 1.1:
            return False
        if _candidate(lines[k], body):
            return True
        if abs(lines[k].x0 - lines[j].x0) > 3 * lines[j].size:
            return False
    return False


def _slots(lines: list[Line], body: float | None = None) -> list[tuple[float, float]]:
    """The columns: the stretches the row cells cover, merged where they overlap (with ``body``, of
    the rows of figures only)."""
    spans = sorted((s.x0, s.x1) for ln in lines if body is None or _candidate(ln, body) for s in ln.segments())
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _slot_of(x: float, slots: list[tuple[float, float]]) -> int:
    """The column whose stretch holds ``x`` (else the nearest, the boundaries half-way between)."""
    for k in range(len(slots)):
        right = (slots[k][1] + slots[k + 1][0]) / 2 if k + 1 < len(slots) else float("inf")
        if x <= right:
            return k
    return len(slots) - 1


def _read_table(page: Page, lines: list[Line], block: list[int], document: Document,
                columns: list[tuple[float, float]] | None = None) -> FoundTable | None:
    """The table of the lines ``block``; ``columns``, when given, are its columns (a bar chart's
    labels and values), else they are found from its rows."""
    body = document.body_size
    block_lines = [lines[k] for k in block]
    slots = columns or _slots(block_lines, body)
    if len(slots) < 2:
        return None
    left, right = slots[0][0], slots[-1][1]
    table = FoundTable([page.number], slots, [], [])
    # rows
    label_x = Counter(round(ln.segments()[0].x0) for ln in block_lines
                      if _candidate(ln, body) and _slot_of(ln.segments()[0].center, slots) == 0)
    base = min(label_x, key=lambda x: (-label_x[x], x)) if label_x else left
    pending: Line | None = None
    for k, line in zip(block, block_lines):
        if _candidate(line, body):
            row = _row(line, slots, base, table)
            if pending is not None:       # a label begun on the line above (the figures at its foot)
                row.cells[0].text = f"{_join_label(pending)} {row.cells[0].text}".strip()
                pending = None
            table.rows.append(row)
            table.lines.append(line)
            continue
        segs = line.segments()
        only_label = all(_slot_of(s.center, slots) == 0 for s in segs)
        before = line.top - (table.lines[-1].bottom if table.lines else line.top)
        after_line = lines[k + 1] if k + 1 < len(lines) else None
        after = (after_line.top - line.bottom) if after_line is not None else 99
        tight = 0.45 * line.size
        table.lines.append(line)
        if table.rows and before < tight and (before <= after or not only_label):
            _continue_row(table.rows[-1], line, slots)
        elif only_label and after < tight and after_line is not None and _candidate(after_line, body):
            pending = line
        else:
            text, marks = _cell_parts(Segment([w for s in segs for w in s.words]))
            cells = [Cell(text, marks)] + [Cell("") for _ in slots[1:]]
            table.rows.append(Row("section", cells, page.number, line.weight, segs[0].x0 - base, numeric=False))
    if not table.rows:
        return None
    if columns and len({round(r.indent) for r in table.rows}) > 1 and _right_aligned(block_lines):
        for row in table.rows:        # labels set flush right: their left edge tells no indentation
            row.indent = 0.0
    table.first = block_lines[0]
    _header_and_title(table, page, lines, block[0], document, left, right, 2.2 if columns else 1.7)
    _source_and_notes(table, lines, block[-1], left, right)
    _kinds(table, document)
    _arrows_to_figures(table)
    for line in table.lines:
        line.used = "table"
    return table


ARROW = re.compile(r"^\[?[↑↓↗↘→±]\]?$")


def _arrows_to_figures(table: FoundTable) -> None:
    """A column of trend arrows, with no header of its own: each arrow printed after the figure on
    its left (« 242 842 ↓ »), as the figure's own cell; a sign set flush right in it (« - » where the
    figure on its left is missing) is that figure."""
    if any(c.colspan > 1 or c.rowspan > 1 for row in table.header for c in row):
        return
    for col in range(table.width - 1, 1, -1):
        texts = [r.cells[col].text for r in table.rows if r.cells[col].text]
        if not any(ARROW.match(t) for t in texts) or not all(ARROW.match(t) or t in SIGNS for t in texts) \
                or any(row[col].text for row in table.header):
            continue
        for row in table.rows:
            left, cell = row.cells[col - 1], row.cells.pop(col)
            left.text = f"{left.text} {cell.text}".strip()
            left.marks += cell.marks
        for row in table.header:
            del row[col]
        table.slots[col - 1] = (table.slots[col - 1][0], table.slots[col][1])
        del table.slots[col]


def _join_label(line: Line) -> str:
    return _cell_parts(Segment(line.words))[0]


def _row(line: Line, slots: list[tuple[float, float]], base: float, table: FoundTable) -> Row:
    cells = [Cell("") for _ in slots]
    segments = line.segments()
    for seg in segments:
        k = _slot_of(seg.center, slots)
        text, marks = _cell_parts(seg)
        if seg.x0 < slots[k][0] - 2 or seg.x1 > slots[k][1] + 2:
            table.doubts.append(f"cellule « {text} » (page {line.page}) à cheval sur deux colonnes")
        if cells[k].text:
            table.doubts.append(f"cellule « {cells[k].text} » et « {text} » (page {line.page}) dans la même colonne")
            cells[k].text += " " + text
        else:
            cells[k].text = text
        cells[k].marks += marks
    first = segments[0]
    indent = first.x0 - base if _slot_of(first.center, slots) == 0 else 0.0
    return Row("", cells, line.page, first.weight, indent)


def _continue_row(row: Row, line: Line, slots: list[tuple[float, float]]) -> None:
    """A cell's text wrapped onto a second line: appended to the cell it continues."""
    for seg in line.segments():
        k = _slot_of(seg.center, slots)
        text, marks = _cell_parts(seg)
        cell = row.cells[k]
        cell.text = f"{cell.text} {text}".strip() if not cell.text.endswith("-") else cell.text + text
        cell.marks += marks


def _header_and_title(table: FoundTable, page: Page, lines: list[Line], start: int, document: Document,
                      left: float, right: float, reach: float = 1.7) -> None:
    """The lines just above the rows: header lines (cut by the columns), then the title; the first
    line above may stand ``reach`` × its size away (a chart leaves more room under its title)."""
    slots = table.slots
    above: list[Line] = []
    k = start - 1
    current = lines[start]
    while k >= 0 and len(above) < 8:
        line = lines[k]
        room = (reach if not above else 1.7) * max(line.size, current.size)
        if line.used or current.top - line.bottom > room:
            break
        if any(s.x1 < left - 3 * line.size or s.x0 > right + 3 * line.size for s in line.segments()):
            break             # wider than the table: running text (a header cell may overhang it)
        sizes = [f.size for f in line.fragments()]
        if max(sizes) > 1.3 * min(sizes):
            break             # running text beside a key figure: not the table's
        above.insert(0, line)
        current = line
        k -= 1
    over = [ln for ln in page.lines if ln.bottom <= current.top + 0.5 and ln is not current
            and ln.x0 < right and ln.x1 > left]
    heading: list[Line] = []
    if over and over[-1].used == "heading" and current.top - over[-1].bottom <= 3.5 * over[-1].size:
        heading = [over[-1]]           # a heading right above the table: its title as well
        for line in reversed(over[:-1]):
            if line.used != "heading" or heading[0].top - line.bottom > 0.8 * line.size \
                    or abs(line.size - heading[0].size) > 0.5:
                break
            heading.insert(0, line)    # a heading on two lines
    header_lines: list[Line] = []
    title_lines: list[Line] = []
    for line in reversed(above):
        segs = line.segments()
        over_figures = any(_slot_of(s.center, slots) > 0 or s.x1 > slots[0][1] + 2 for s in segs)
        styled = line.weight > document.body_weight or line.size > document.body_size * 1.05
        like_header = header_lines and round(line.size) == round(header_lines[0].size) \
            and line.weight == header_lines[0].weight
        label_free = header_lines and not any(_slot_of(s.center, slots) == 0 for h in header_lines
                                              for s in h.segments())
        if not title_lines and over_figures and len(segs) > 1:
            header_lines.insert(0, line)          # cut by the columns: a header line
        elif not title_lines and len(segs) == 1 and segs[0].x0 > slots[0][1]:
            header_lines.insert(0, line)          # a header over the figures only
        elif not title_lines and over_figures and not styled and not header_lines:
            break                                 # a sentence above the table
        elif not title_lines and len(segs) == 1 and like_header and (label_free or over_figures):
            header_lines.insert(0, line)          # a header cell alone on its line (the label column's)
        elif not title_lines and len(segs) == 1 and styled:
            title_lines.insert(0, line)           # one text set apart above the table: its title
        elif title_lines and len(title_lines) < 3 and len(segs) == 1 \
                and round(line.size) == round(title_lines[0].size) and line.weight == title_lines[0].weight:
            title_lines.insert(0, line)           # a title on two or three lines
        else:
            break
    for line in header_lines + title_lines:
        line.used = "table"
        table.lines.insert(0, line)
    if not title_lines and heading and (header_lines or above == []) and all(ln in header_lines for ln in above):
        # a heading set right above the table titles it: another layout may print it as the
        # table's own title, or not bookmark it, and the table must keep the same title
        printed = " ".join(_join_label(ln) for ln in heading)
        if heading[0].heading:         # as the bookmark spells it: a layout may print it in capitals
            printed = clean_title(heading[0].heading)
        table.title = SUITE.sub("", printed).strip()
        table.first = header_lines[0] if header_lines else table.first
    elif title_lines:
        title = " ".join(_join_label(ln) for ln in title_lines)
        table.title = SUITE.sub("", title).strip()
        table.first = title_lines[0]
    elif header_lines:
        table.first = header_lines[0]
    table.header = _header(header_lines, slots) if header_lines else []
    if not header_lines:
        table.doubts.append("en-tête non trouvé : les colonnes sont nommées « Colonne 2 », « Colonne 3 »…")


def _span(segment: Segment, slots: list[tuple[float, float]], refs: dict[int, float],
          others: set[int], start: int = 0) -> tuple[int, int]:
    """The columns a header cell heads: the run of columns it is centred over (the centres of the
    header cells under it, else of the columns), else its own column; never over the columns of
    the other cells of its line (``others``), nor left of ``start`` (where the cell on its left
    ends its run)."""
    own = _slot_of(segment.center, slots)
    centre = {k: refs.get(k, (slots[k][0] + slots[k][1]) / 2) for k in range(len(slots))}
    single = min(abs(segment.center - centre[k]) for k in range(len(slots)))
    best, error = (own, own), single
    for a in range(start, len(slots)):
        for b in range(a + 1, len(slots)):
            middle = (centre[a] + centre[b]) / 2
            miss = abs(segment.center - middle)
            if miss < 0.2 * (centre[b] - centre[a]) and miss < 0.35 * single and miss < error \
                    and not any(a <= k <= b for k in others):
                best, error = (a, b), miss
    return best


def _header(lines: list[Line], slots: list[tuple[float, float]]) -> list[list[HeaderCell]]:
    """One or two header rows: a line with a cell spanning columns makes the upper row."""
    placed = []
    for i, line in enumerate(lines):
        refs: dict[int, float] = {}
        for below in lines[i + 1:]:          # the header cells under this line, nearest the rows last
            for seg in below.segments():
                refs[_slot_of(seg.center, slots)] = seg.center
        cells = []
        segments = line.segments()
        start = 0
        for seg in segments:
            others = {_slot_of(o.center, slots) for o in segments if o is not seg}
            span = _span(seg, slots, refs, others, start)
            cells.append((span, _join_label(Line(line.page, seg.words))))
            start = span[1] + 1
        placed.append(cells)
    spanning = [i for i, cells in enumerate(placed) if any(b > a for (a, b), _ in cells)]
    width = len(slots)
    if not spanning:
        texts = [""] * width
        for cells in placed:
            for (a, _), text in cells:
                texts[a] = f"{texts[a]} {text}".strip()
        return [[HeaderCell(t) for t in texts]]
    last = spanning[-1]
    upper: dict[int, tuple[int, str]] = {}      # first column → (last column, text)
    lower = [""] * width
    for i, cells in enumerate(placed):
        for (a, b), text in cells:
            if i <= last and (b > a or any(x <= a <= y for x, (y, _) in upper.items())):
                for x, (y, t) in list(upper.items()):
                    if x <= a <= y:
                        upper[x] = (max(y, b), f"{t} {text}".strip())
                        break
                else:
                    upper[a] = (b, text)
            else:
                lower[a] = f"{lower[a]} {text}".strip()
    top: list[HeaderCell] = []
    bottom: list[HeaderCell] = []
    col = 0
    while col < width:
        if col in upper:
            end, text = upper[col]
            top.append(HeaderCell(text, colspan=end - col + 1))
            bottom += [HeaderCell(lower[c]) for c in range(col, end + 1)]
            col = end + 1
        else:
            top.append(HeaderCell(lower[col], rowspan=2))
            col += 1
    if not any(cell.text for cell in bottom):   # nothing under the spanning cells: one row (an empty
        return [[HeaderCell(cell.text, colspan=cell.colspan) for cell in top]]   # row would print)
    return [top, bottom]


def _source_and_notes(table: FoundTable, lines: list[Line], end: int, left: float, right: float) -> None:
    """The lines under the rows: « Source : … », the notes « (1) … »."""
    k = end + 1
    last = lines[end]
    current = None
    while k < len(lines):
        line = lines[k]
        if line.used or line.top - last.bottom > 2.5 * last.size:
            break
        text = _join_label(line)
        note = NOTE_LINE.match(text)
        if SOURCE.match(text) and text.split()[0].lower().startswith("source"):
            table.source = text
            current = "source"
        elif note and line.size <= last.size * 1.1 and line.x0 >= left - 10:
            table.notes.append(note[4].strip())
            current = "note"
        elif current and line.top - last.bottom < 0.5 * line.size and line.x1 <= right + 10:
            if current == "source":
                table.source += " " + text
            else:
                table.notes[-1] += " " + text
        else:
            break
        line.used = "table"
        table.lines.append(line)
        last = line
        k += 1


def _kinds(table: FoundTable, document: Document) -> None:
    """Row kinds from weight and indentation: section, dont, dont2, subtotal…, total."""
    rows = table.rows
    plain = Counter(r.weight for r in rows if r.kind != "section")
    base_weight = min(plain, key=lambda w: (-plain[w], w)) if plain else document.body_weight
    indents = sorted({round(r.indent) for r in rows if r.indent > 0.6 * document.body_size * 0.8})
    levels = []
    for x in indents:
        if not levels or x - levels[-1] > 3:
            levels.append(x)
    heavy = sorted({r.weight for r in rows if r.kind != "section" and r.weight > base_weight})
    numbered = [r for r in rows if r.kind != "section"]
    total_row = None
    if numbered and numbered[-1] is rows[-1] and (numbered[-1].weight > base_weight
                                                   and (TOTAL.match(rows[-1].cells[0].text)
                                                        or (heavy and rows[-1].weight == heavy[-1]
                                                            and len(heavy) > 1))):
        total_row = rows[-1]
    sub_weights = sorted({r.weight for r in rows if r.kind != "section" and r.weight > base_weight
                          and r is not total_row})
    if len(sub_weights) == 1:
        names = {sub_weights[0]: "subtotal"}
    elif len(sub_weights) == 2:
        names = {sub_weights[0]: "subtotal", sub_weights[1]: "subtotal3" if sub_weights[1] >= 850 else "subtotal2"}
    else:
        names = {w: ("subtotal", "subtotal2", "subtotal3")[min(i, 2)] for i, w in enumerate(sub_weights)}
    for row in rows:
        label = row.cells[0].text
        if row.kind == "section":
            if row.indent > 2 and levels:
                row.kind = "dont"     # a « dont » label with no figure of its own
            continue
        if row is total_row:
            row.kind = "total"
        elif row.weight > base_weight:
            row.kind = names.get(row.weight, "subtotal")
        elif DONT.match(label) or (levels and row.indent >= levels[0] - 1):
            row.kind = "dont2" if len(levels) > 1 and row.indent >= levels[1] - 1 else "dont"
        if row.kind == "" and TOTAL.match(label) and row is rows[-1]:
            row.kind = "total"


# --- a table continued on the next page ----------------------------------------------------------
def _same_columns(a: FoundTable, b: FoundTable) -> bool:
    if a.width != b.width:
        return False
    return all(abs(x[1] - y[1]) < 8 or abs(x[0] - y[0]) < 8 for x, y in zip(a.slots[1:], b.slots[1:]))


def _join_continued(tables: list[FoundTable], document: Document) -> list[FoundTable]:
    """A table at the foot of a page and one at the top of the next, with the same columns, are one."""
    out: list[FoundTable] = []
    for table in tables:
        prev = out[-1] if out else None
        if prev is not None and table.pages[0] == prev.pages[-1] + 1 and _same_columns(prev, table) \
                and _last_on_page(prev, document) and _first_on_page(table, document) \
                and (not table.title or norm(table.title) == norm(prev.title)) \
                and (not table.header or _header_grid(table.header, table.width)
                     == _header_grid(prev.header, prev.width)):
            if not prev.header and table.header:
                prev.header = table.header
                prev.doubts = [d for d in prev.doubts if not d.startswith("en-tête")]
            prev.rows += table.rows
            prev.pages.append(table.pages[0])
            prev.lines += table.lines
            prev.doubts += [d for d in table.doubts if not d.startswith("en-tête")]
            prev.notes += table.notes
            prev.source = prev.source or table.source
            continue
        out.append(table)
    return out


def _last_on_page(table: FoundTable, document: Document) -> bool:
    page = document.pages[table.pages[-1] - 1]
    bottom = max(ln.bottom for ln in table.lines)
    rest = [ln for ln in page.lines if ln.top > bottom and ln.used not in ("furniture", "table")]
    return len(rest) <= 1


def _first_on_page(table: FoundTable, document: Document) -> bool:
    page = document.pages[table.pages[0] - 1]
    top = min(ln.top for ln in table.lines)
    rest = [ln for ln in page.lines if ln.bottom < top and ln.used not in ("furniture", "table")]
    return len(rest) <= 1


def finish(table: FoundTable) -> None:
    """Last touches once joined: text columns, merged labels, note calls without their note."""
    rows = [r for r in table.rows if r.kind != "section"]
    for col in range(1, table.width):
        texts = [r.cells[col].text for r in rows if r.cells[col].text]
        if any(not is_figure(t) for t in texts):
            table.text_columns.add(col)
            if sum(1 for t in texts if is_figure(t)) > len(texts) / 2:
                table.doubts.append(f"colonne {col + 1} : des cases ne sont pas des chiffres, elle est lue comme "
                                    "du texte")
    if 1 in table.text_columns:      # a label printed once for the rows it groups (merged cell)
        for above, row in zip(table.rows, table.rows[1:]):
            if not row.cells[0].text and (above.cells[0].text or above.cells[0].text == "^^") \
                    and row.kind == above.kind != "section":
                row.cells[0].text = "^^"
    calls = {m for r in table.rows for c in r.cells for m in c.marks}
    wanted = {m for m in calls if m.isdigit() and 1 <= int(m) <= len(table.notes)}
    if calls - wanted:
        table.doubts.append(f"renvoi(s) de note {', '.join(sorted(calls - wanted))} sans note trouvée sous le "
                            "tableau : gardés dans le texte de la case")
    for row in table.rows:
        for cell in row.cells:
            for mark in [m for m in cell.marks if m not in wanted]:
                cell.text = f"{cell.text} ({mark})" if mark.isdigit() else cell.text + mark
            cell.marks = [m for m in cell.marks if m in wanted]
