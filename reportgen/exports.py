"""The printed tables as spreadsheets: one CSV per table and one XLSX workbook per edition.

Readers who want the figures get, beside the PDF (``build/<caisse>-<année>/donnees/``):

- ``<table-id>.csv``: UTF-8 with a BOM and ``;`` between cells, as French Excel opens them.
  The file is a clean rectangle: one row per header level, then one row per printed row,
  the row label first. Title, source and notes are not in the CSV (they would break the
  rectangle); they are in the workbook.
- ``<nom-du-pdf>-tableaux.xlsx``: a « Sommaire » sheet linking to one sheet per table; each
  sheet shows the title, the header (merged as printed), real numbers formatted as printed,
  subtotals, totals and emphasised rows (``emphasis``) in bold, then the notes and the source.
  A percentage is a real Excel percentage (16,98 % is 0.1698); a unit, an arrow, a comment or
  a note call « (1) » is shown by the cell's number format, the cell keeping the number.

Values are always the printed ones (``Cell.figure``, ``Cell.display``), never recomputed.

CSV rules, in detail:

- A header cell spanning several columns or rows is written once, in its first column and
  row; the cells it covers are left empty (as a merged cell of the body is).
- A figure is written as French Excel reads a number: decimal comma, no thousands separator,
  the printed decimals (``1037,00``, ``16,98``). When every figure of a column has the same
  unit, the unit goes in the header (« Évolution (%) », unless the header already shows it)
  and the cells hold the bare number; in a column mixing units, each cell keeps its unit
  (``16,98 %``, which French Excel also reads as a number).
- A figure printed with a comment (« 40 693 (données 2006) »), a mark (« 1 809* ») or an
  arrow (« ↗ +4,3 % ») is written as printed text, and so are words such as « - » or « ns ».
- Note calls (``[^1]``) are left out; spaces are plain spaces; a label printed on several
  lines is written on one.

Every text is typeset as the page prints it (:func:`reportgen.french.typeset_prose`), except
that a cell cannot print a superscript: a header written « 1 ^{er} janvier » (the PDF's
« 1<sup>er</sup> ») is the plain text « 1er janvier », in the CSV and in the workbook.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import french
from .files import write_bytes
from .tables import NOTE_MARK, Cell, HeaderCell, Row, Table

SUMMARY_SHEET = "Sommaire"
BOLD_KINDS = {"subtotal", "subtotal2", "subtotal3", "total", "section", "header", "emphasis"}
INDENT = {"dont": 1, "dont2": 2}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_USE = re.compile(r'data-table="([^"]+):\d+"')

HEADER_FILL = "E7EAF0"
SECTION_FILL = "F2F5FA"
TOTAL_FILL = "DBE5F3"


# --- what the caller may want -----------------------------------------------------------------
def table_chapters(chapters: Iterable) -> dict[str, list[str]]:
    """Which chapters print each table, in the order of the report: ``{table id: [chapter]}``.

    ``chapters`` are the rendered :class:`~reportgen.content.Chapter` objects; a chapter is
    named as printed (« Chapitre 1 – Les dépenses »). The keys are the tables the report prints.
    """
    found: dict[str, list[str]] = {}
    for chapter in chapters:
        name = french.typeset_text(" – ".join(x for x in (getattr(chapter, "label", ""), chapter.title) if x))
        for table_id in _USE.findall(chapter.html or ""):
            places = found.setdefault(table_id, [])
            if name and name not in places:
                places.append(name)
    return found


def export_tables(tables: Mapping[str, Table], out: Path, name: str,
                  chapters: Mapping[str, Sequence[str]] | None = None) -> list[Path]:
    """Write ``<id>.csv`` for each table and ``<name>-tableaux.xlsx`` into ``out``.

    ``tables`` are the tables the edition prints, in the order wanted in the workbook;
    ``name`` is the PDF's name without ``.pdf``; ``chapters`` (optional, see
    :func:`table_chapters`) adds the chapters to the « Sommaire » sheet. Each file is written
    to a temporary file, then renamed. The folder ``out`` belongs to the export: CSV files and
    workbooks of tables no longer printed are removed. Returns the written paths.
    """
    name = name.removesuffix(".pdf")
    # everything is prepared before the first file is written: an error changes nothing
    files = {out / f"{table.id}.csv": csv_text(table).encode("utf-8-sig") for table in tables.values()}
    if tables:
        files[out / f"{name}-tableaux.xlsx"] = workbook_bytes(tables, name, chapters or {})
    out.mkdir(parents=True, exist_ok=True)
    written = [write_bytes(path, data) for path, data in files.items()]
    keep = {p.name for p in written}
    for old in [*out.glob("*.csv"), *out.glob("*-tableaux.xlsx"), *out.glob(".*.part")]:
        if old.name not in keep:
            old.unlink(missing_ok=True)
    return written


# --- what every export shares -----------------------------------------------------------------
@dataclass
class _HeaderPlace:
    row: int
    col: int
    cell: HeaderCell
    rows: int          # rowspan, clipped to the header
    cols: int          # colspan, clipped to the table


def _header_places(table: Table) -> list[_HeaderPlace]:
    """Each header cell at its row and first column, spans laid out as in an HTML table."""
    width, height = len(table.columns), len(table.header)
    taken: set[tuple[int, int]] = set()
    places = []
    for r, cells in enumerate(table.header):
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            rows = max(1, min(cell.rowspan, height - r))
            cols = max(1, min(cell.colspan, width - c))
            places.append(_HeaderPlace(r, c, cell, rows, cols))
            taken |= {(r + dr, c + dc) for dr in range(rows) for dc in range(cols)}
            c += cell.colspan
    return places


def _header_text(cell: HeaderCell) -> str:
    """A header cell as plain text, as printed: note calls left out, « 1 ^{er} » written « 1er »."""
    return french.typeset_prose(NOTE_MARK.sub("", cell.text))


def _printed(cell: Cell) -> str:
    """The cell as the page prints it, arrow included, without note calls."""
    text = cell.display
    if cell.trend:
        text = (f"{cell.trend} {text}" if cell.trend_before else f"{text} {cell.trend}").strip()
    return text


def _plain_figure(cell: Cell) -> bool:
    """A figure that is a number and nothing else (no comment, mark or arrow)."""
    fig = cell.figure
    return (cell.numeric and fig is not None and not cell.missing and not fig.suffix
            and not fig.mark and not cell.trend)


def _body_cells(table: Table) -> Iterable[tuple[Row, int, Cell]]:
    for row in table.rows:
        if row.kind in ("header", "text"):
            continue
        for c, cell in enumerate(row.cells):
            if not cell.merged:
                yield row, c, cell


def _column_units(table: Table) -> dict[int, str]:
    """The unit shared by every figure of a numeric column, where there is one."""
    units: dict[int, set[str]] = {}
    for _, c, cell in _body_cells(table):
        if c and _plain_figure(cell):
            units.setdefault(c, set()).add(cell.figure.unit)
    return {c: found.pop() for c, found in units.items() if len(found) == 1 and "" not in found}


# --- CSV ------------------------------------------------------------------------------------------
def _spaces(text: str) -> str:
    return text.replace(french.NNBSP, " ").replace(french.NBSP, " ")


def _csv_text(text: str) -> str:
    return " ".join(_spaces(text).split("\n")).strip()


def _csv_number(figure: french.Figure, with_unit: bool) -> str:
    value = figure.value if figure.value != 0 else abs(figure.value)
    text = format(value, f".{figure.decimals}f").replace(".", ",")
    return f"{text} {figure.unit}" if with_unit and figure.unit else text


def csv_rows(table: Table) -> list[list[str]]:
    """The header rows, then one row per printed row: what the CSV file holds."""
    width = len(table.columns)
    units = _column_units(table)
    places = _header_places(table)
    # the unit of a column goes into the lowest header cell above it, if that cell covers
    # only columns of that same unit; otherwise each cell of the column keeps its unit
    in_header: set[int] = set()
    suffixes: dict[int, str] = {}
    last = len(table.header) - 1
    for i, place in enumerate(places):
        if place.row + place.rows - 1 != last:
            continue
        covered = range(place.col, place.col + place.cols)
        unit = units.get(place.col)
        if unit and all(units.get(c) == unit for c in covered):
            in_header.update(covered)
            if unit not in place.cell.text:
                suffixes[i] = f"({unit})"
    header = [[""] * width for _ in table.header]
    for i, place in enumerate(places):
        text = _csv_text(_header_text(place.cell))
        header[place.row][place.col] = " ".join(x for x in (text, suffixes.get(i, "")) if x)
    lines = header
    for row in table.rows:
        if row.kind == "text":
            lines.append([_csv_text(row.cells[0].display)] + [""] * (width - 1))
            continue
        line = []
        for c, cell in enumerate(row.cells):
            if cell.merged:
                line.append("")
            elif c and row.kind != "header" and _plain_figure(cell):
                line.append(_csv_number(cell.figure, c not in in_header))
            else:
                line.append(_csv_text(_printed(cell)))
        lines.append(line)
    return lines


def csv_text(table: Table) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(csv_rows(table))
    return buffer.getvalue()


# --- XLSX -----------------------------------------------------------------------------------------
def sheet_names(table_ids: Iterable[str], reserved: Iterable[str] = (SUMMARY_SHEET,)) -> list[str]:
    """Valid and unique sheet names: 31 characters at most, none of []:*?/\\ ."""
    used = {r.lower() for r in reserved}
    names = []
    for table_id in table_ids:
        base = _SHEET_FORBIDDEN.sub("-", table_id).strip("'").strip() or "tableau"
        candidate, n = base[:31], 2
        while candidate.lower() in used:
            suffix = f"-{n}"
            candidate, n = base[:31 - len(suffix)] + suffix, n + 1
        used.add(candidate.lower())
        names.append(candidate)
    return names


def _format_section(before: str, digits: str, percent: bool, after: str) -> str:
    """One section of a number format; the texts around are quoted, each in one piece."""
    quoted = (lambda text: f'"{text}"' if text else "")
    if percent:   # « 16,98 % »: the % makes Excel show the value times 100
        return f'{quoted(before)}{digits}" "%{quoted(after)}'
    return f"{quoted(before)}{digits}{quoted(after)}"


def number_format(figure: french.Figure, before: str = "", after: str = "") -> str | None:
    """An Excel number format showing ``figure`` as printed: grouping, decimals, sign, unit.

    ``before`` and ``after`` are printed around it (an arrow, a note call). A percentage is
    a real Excel percentage (the value is divided by 100); other units, a mark (« * ») and a
    comment (« (données 2006) ») are shown by the format, the cell keeping the number. None
    when the text around cannot go into a format (a double quote).
    """
    percent = figure.unit == "%"
    unit = f" {figure.unit}" if figure.unit and not percent else ""
    after = "".join((unit, figure.mark, f" {figure.suffix}" if figure.suffix else "", after))
    if '"' in before + after:
        return None
    digits = "#,##0" + ("." + "0" * figure.decimals if figure.decimals else "")
    plus = "+" if figure.signed else ""
    return ";".join((_format_section(before + plus, digits, percent, after),
                     _format_section(before + "-", digits, percent, after),
                     _format_section(before, digits, percent, after)))


def _xlsx_value(figure: french.Figure) -> int | float:
    value: Decimal = figure.value / 100 if figure.unit == "%" else figure.value
    if figure.unit != "%" and figure.decimals == 0:
        return int(value)
    return float(value)


def _xlsx_text(text: str) -> str:
    return text.replace(french.NNBSP, french.NBSP)


def _calls(cell: Cell) -> str:
    return "".join(f" ({m})" for m in cell.marks)


def workbook_bytes(tables: Mapping[str, Table], name: str,
                   chapters: Mapping[str, Sequence[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    bold = Font(bold=True)
    link = Font(color="0563C1", underline="single")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_SHEET
    wb.properties.title = f"Tableaux de {name}.pdf"
    wb.properties.creator = "reportgen"
    names = sheet_names(t.id for t in tables.values())
    with_chapters = any(chapters.get(t.id) for t in tables.values())

    summary.cell(1, 1, f"Les tableaux du rapport {name}.pdf").font = Font(bold=True, size=13)
    summary.cell(2, 1, "Une feuille par tableau, avec les chiffres tels qu'imprimés ; "
                       "cliquez sur un titre pour ouvrir sa feuille. Chaque tableau existe aussi "
                       "en fichier CSV dans le même dossier.")
    heads = ["N°", "Tableau", *(["Chapitre"] if with_chapters else []), "Feuille", "Fichier CSV", "Source"]
    for c, text in enumerate(heads, 1):
        head = summary.cell(4, c, text)
        head.font, head.fill = bold, header_fill
    for n, (table, sheet) in enumerate(zip(tables.values(), names), 1):
        values = [n, _xlsx_text(french.typeset_prose(table.title or table.id)),
                  *([" ; ".join(chapters.get(table.id, []))] if with_chapters else []),
                  sheet, f"{table.id}.csv", _xlsx_text(french.typeset_prose(table.source))]
        for c, value in enumerate(values, 1):
            summary.cell(4 + n, c, value)
        title = summary.cell(4 + n, 2)
        title.hyperlink = Hyperlink(ref=title.coordinate, location=f"'{sheet.replace(chr(39), chr(39) * 2)}'!A1",
                                    tooltip="Ouvrir la feuille du tableau")
        title.font = link
        _write_sheet(wb.create_sheet(sheet), table)
    widths = [5, 60, *([40] if with_chapters else []), 24, 28, 40]
    for c, width in enumerate(widths, 1):
        summary.column_dimensions[get_column_letter(c)].width = width
    summary.freeze_panes = "A5"

    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_times(buffer.getvalue())


# openpyxl writes the time of the save into the workbook's properties and into every zip entry:
# they are set to one constant, so that two builds of the same tables give the same file
FIXED_TIME = (1980, 1, 1, 0, 0, 0)      # the earliest time a zip entry can hold
_CORE_DATES = re.compile(r"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def _fixed_times(xlsx: bytes) -> bytes:
    """The same workbook, its dates (properties and zip entries) set to :data:`FIXED_TIME`."""
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*FIXED_TIME)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():      # openpyxl's order, which is the same at each save
            data = source.read(entry)
            if entry.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(lambda m: m[1] + stamp + m[3], data.decode("utf-8")).encode("utf-8")
            fixed = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    return out.getvalue()


def _write_sheet(ws, table: Table) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    width = len(table.columns)
    ws.cell(1, 1, _xlsx_text(french.typeset_prose(table.title or table.id))).font = Font(bold=True, size=12)

    top = 2
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    for place in _header_places(table):
        r, c = top + place.row, 1 + place.col
        text = _xlsx_text(_header_text(place.cell))
        ws.cell(r, c, text or None)
        if place.rows > 1 or place.cols > 1:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + place.rows - 1,
                           end_column=c + place.cols - 1)
    first_data = top + len(table.header)
    for r in range(top, first_data):
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(horizontal="left" if c == 1 else "center", vertical="center",
                                       wrap_text=True)

    fills = {"section": PatternFill("solid", fgColor=SECTION_FILL),
             "subtotal2": PatternFill("solid", fgColor=SECTION_FILL),
             "subtotal3": PatternFill("solid", fgColor=TOTAL_FILL),
             "total": PatternFill("solid", fgColor=TOTAL_FILL),
             "header": header_fill}
    lengths = [0] * width
    for i, row in enumerate(table.rows):
        r = first_data + i
        font = bold if row.kind in BOLD_KINDS else None
        fill = fills.get(row.kind)
        if row.kind == "text":
            cell = ws.cell(r, 1, _xlsx_text(row.cells[0].display))
            cell.font = Font(italic=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if width > 1:
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
            continue
        for c, src in enumerate(row.cells):
            cell = ws.cell(r, c + 1)
            if font:
                cell.font = font
            if fill:
                cell.fill = fill
            if src.merged:
                continue
            shown = _printed(src) + _calls(src)
            fmt = None
            if c and row.kind != "header" and src.numeric and src.figure is not None and not src.missing:
                before = f"{src.trend} " if src.trend and src.trend_before else ""
                after = (f" {src.trend}" if src.trend and not src.trend_before else "") + _calls(src)
                fmt = number_format(src.figure, before, after)
            if fmt:
                cell.value = _xlsx_value(src.figure)
                cell.number_format = fmt
            else:
                cell.value = _xlsx_text(shown) or None
                if c == 0 or row.kind == "header":
                    cell.alignment = Alignment(wrap_text=True, vertical="top", indent=INDENT.get(row.kind, 0),
                                               horizontal="center" if c and row.kind == "header" else None)
                elif src.numeric:
                    cell.alignment = Alignment(horizontal="right")
            lengths[c] = max(lengths[c], *(len(x) for x in shown.split("\n")))
            if src.colspan > 1 or src.rowspan > 1:
                ws.merge_cells(start_row=r, start_column=c + 1, end_row=r + src.rowspan - 1,
                               end_column=c + src.colspan)

    r = first_data + len(table.rows) + 1
    for n, note in enumerate(table.notes, 1):
        text = french.typeset_prose(NOTE_MARK.sub("", note))
        ws.cell(r, 1, _xlsx_text(f"({n}) {text}" if table.numbered_notes else text))
        r += 1
    if table.source:
        ws.cell(r, 1, _xlsx_text(french.typeset_prose(table.source))).font = Font(italic=True)

    for place in _header_places(table):
        if place.cols == 1:
            lengths[place.col] = max(lengths[place.col], min(len(_header_text(place.cell)), 30))
    for c, length in enumerate(lengths):
        limit = (12, 60) if c == 0 else (10, 30)
        ws.column_dimensions[get_column_letter(c + 1)].width = max(limit[0], min(limit[1], length + 2))
    ws.freeze_panes = ws.cell(first_data, 2)
    if table.orientation == "landscape":
        ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

