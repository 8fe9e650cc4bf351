"""The printed tables as open data and as spreadsheets, beside the PDF in ``donnees/``.

Readers who want the figures get, in ``build/<caisse>-<année>/donnees/``:

- ``<table-id>.csv``, the **open data**: one tidy CSV per table (UTF-8 without BOM, ``,``
  between cells, CRLF, RFC 4180), described by ``datapackage.json``. One header row (a
  two-level header is flattened « Groupe — Colonne »), the row label first, under a name;
  ``type_de_ligne`` says what each row is (:data:`ROW_TYPES`: detail, section, subtotal,
  total…); figures are plain numbers (``1037.00``, ``16.98``: dot decimal, no thousands
  separator, no unit); the unit of a column is in ``datapackage.json``, or, in a column
  mixing units, in a column ``unite`` (or ``<colonne> — unité``). A case printed without a
  figure (« - », « ns », « NC ») or with more than one (an arrow, a comment « (données 2006) »,
  a mark « * », a note call) leaves the number empty, or bare, and keeps its printed text in
  ``<colonne> — texte imprimé``. ``cle_ligne``, last, names each row (its ``_key``, or the
  key drawn from its label): the primary key, the same from one year to the next.
- ``datapackage.json``: a Frictionless Data Package (v2): one tabular resource per table
  with its title, description (chapters, notes), source, and the schema of its CSV (types,
  units in the custom property ``unit``, descriptions), and for the package its title, date
  (``created``: the manifest's ``open_data.published``, else 1 January of the year after the
  report, never the clock), publisher (the organisation) and licence (``open_data.licence``:
  Licence Ouverte 2.0 by default).
- ``imprime/<table-id>.csv``: the table as printed, for French Excel: UTF-8 with a BOM and
  ``;`` between cells; one row per header level, then one row per printed row, the row label
  first. Title, source and notes are not in it; they are in the workbook.
- ``<nom-du-pdf>-tableaux.xlsx``: a « Sommaire » sheet (with the licence) linking to one sheet
  per table; each sheet shows the title, the header (merged as printed), real numbers
  formatted as printed, subtotals, totals and emphasised rows (``emphasis``) in bold, then the
  notes and the source. A percentage is a real Excel percentage (16,98 % is 0.1698); a unit,
  an arrow, a comment or a note call « (1) » is shown by the cell's number format, the cell
  keeping the number.

Values are always the printed ones (``Cell.figure``, ``Cell.display``), never recomputed.
A column is numeric when its spec says so, and also when it is declared ``type: text`` but
every one of its cases is a figure or a word without figure (:func:`numeric_columns`): its
figures are numbers in every export, not texts.

Rules of the printed CSV (``imprime/``), in detail:

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
« 1<sup>er</sup> ») is the plain text « 1er janvier », in the CSV and in the workbook. The
open data and its package use plain spaces where the page prints narrow ones.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import french
from ..edition.config import OpenData
from ..files import write_bytes
from ..edition.tables import NOTE_MARK, Cell, HeaderCell, Row, Table, slugify

SUMMARY_SHEET = "Sommaire"
BOLD_KINDS = {"subtotal", "subtotal2", "subtotal3", "total", "section", "header", "emphasis"}
INDENT = {"dont": 1, "dont2": 2}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_USE = re.compile(r'data-table="([^"]+):\d+"')

HEADER_FILL = "E7EAF0"
SECTION_FILL = "F2F5FA"
TOTAL_FILL = "DBE5F3"

PRINTED = "imprime"                  # the folder of the CSV files as printed, for French Excel
PACKAGE = "datapackage.json"
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"

#: ``type_de_ligne`` of the open data: each row kind of a table (``_kind``), in French.
ROW_TYPES = {"": "ligne", "section": "section", "dont": "dont", "dont2": "dont-niveau-2",
             "subtotal": "sous-total", "subtotal2": "sous-total-niveau-2", "subtotal3": "sous-total-niveau-3",
             "total": "total", "emphasis": "mise-en-valeur", "header": "en-tete", "text": "texte"}
ROW_TYPE_FIELD, UNIT_FIELD, KEY_FIELD = "type_de_ligne", "unite", "cle_ligne"
LABEL = "Libellé"                    # the name of a row-label column printed without a header
SEPARATOR = " — "                    # between the levels of a flattened header, and before a companion's role
UNIT_WORDS = {"%": "pourcentage (%)", "‰": "pour mille (‰)", "€": "euros (€)", "k€": "milliers d'euros (k€)",
              "M€": "millions d'euros (M€)", "j": "jours", "h": "heures"}


# --- what the caller may want -----------------------------------------------------------------
def table_chapters(chapters: Iterable) -> dict[str, list[str]]:
    """Which chapters print each table, in the order of the report: ``{table id: [chapter]}``.

    ``chapters`` are the rendered :class:`~reportgen.edition.content.Chapter` objects; a chapter is
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


@dataclass(frozen=True)
class About:
    """What the open-data package and the workbook say of the edition (:meth:`of` a manifest)."""

    report: str = ""                 # « Rapport d'activité 2017 – CPAM de l'Artois »
    subject: str = ""                # « Rapport d'activité 2017 de la CPAM de l'Artois »
    organisation: str = ""
    year: int | None = None
    published: str = ""              # AAAA-MM-JJ, or ""
    licence: tuple[str, str, str] = field(default_factory=lambda: OpenData().licence_terms)  # name, title, path
    keywords: tuple[str, ...] = ()

    @classmethod
    def of(cls, manifest) -> "About":
        report = f"{manifest.title} {manifest.year} – {manifest.organisation}"
        return cls(report=_plain(report), subject=_plain(manifest.subject or report),
                   organisation=_plain(manifest.organisation), year=manifest.year,
                   published=manifest.open_data.published, licence=manifest.open_data.licence_terms,
                   keywords=tuple(str(k) for k in manifest.keywords))

    @property
    def created(self) -> str:
        """The package's date: published, else 1 January of the year after the report's; "" without either."""
        if self.published:
            return f"{self.published}T00:00:00Z"
        return f"{self.year + 1}-01-01T00:00:00Z" if self.year else ""

    @property
    def licence_line(self) -> str:
        name, title, path = self.licence
        return f"Licence : {title} ({name}), {path}"


def export_tables(tables: Mapping[str, Table], out: Path, name: str,
                  chapters: Mapping[str, Sequence[str]] | None = None, about: About | None = None) -> list[Path]:
    """Write the open data, the printed CSV files and the workbook of ``tables`` into ``out``.

    ``out/<id>.csv`` (tidy) for each table, ``out/datapackage.json``, the two together in
    ``out/<name>-donnees.zip`` (the web edition offers it), ``out/imprime/<id>.csv`` (as
    printed) and ``out/<name>-tableaux.xlsx``. ``tables`` are the tables the edition
    prints, in the order wanted in the workbook and the package; ``name`` is the PDF's name
    without ``.pdf``; ``chapters`` (optional, see :func:`table_chapters`) names where each
    table is printed; ``about`` (:meth:`About.of` the manifest) gives the package its title,
    publisher, date and licence. Each file is written to a temporary file, then renamed. The
    folder ``out`` belongs to the export: files of tables no longer printed are removed.
    Returns the written paths.
    """
    name = name.removesuffix(".pdf")
    about = about or About(report=f"{name}.pdf", subject=f"{name}.pdf")
    chapters = chapters or {}
    # everything is prepared before the first file is written: an error changes nothing
    tidy = {table.id: tidy_table(table) for table in tables.values()}
    files = {out / f"{table_id}.csv": data.csv_bytes() for table_id, data in tidy.items()}
    files |= {out / PRINTED / f"{table.id}.csv": csv_text(table).encode("utf-8-sig") for table in tables.values()}
    if tables:
        files[out / f"{name}-tableaux.xlsx"] = workbook_bytes(tables, name, chapters, about)
        package = data_package(tables, tidy, name, chapters, about)
        files[out / PACKAGE] = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        files[out / f"{name}-donnees.zip"] = package_zip(
            {PACKAGE: files[out / PACKAGE], **{f"{t}.csv": files[out / f"{t}.csv"] for t in tidy}})
    out.mkdir(parents=True, exist_ok=True)
    written = [write_bytes(path, data) for path, data in files.items()]
    keep = set(written)
    for folder in (out, out / PRINTED):
        for old in [*folder.glob("*.csv"), *folder.glob("*-tableaux.xlsx"), *folder.glob(PACKAGE),
                    *folder.glob("*-donnees.zip"),
                    *folder.glob(".*.part")]:
            if old not in keep:
                old.unlink(missing_ok=True)
    return written


def _plain(text: str) -> str:
    """A text of the open data: typeset as printed, with plain spaces, on one line."""
    return _csv_text(french.typeset_prose(text))


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


_CODE = re.compile(r"^[+\-]?0\d")      # « 01000 », « 0612 »: a code written with digits, not a number


def _printed(cell: Cell) -> str:
    """The cell as the page prints it, arrow included, without note calls; a code as written."""
    text = french.typeset_prose(cell.text) if _CODE.match(cell.text.strip()) else cell.display
    if cell.trend:
        text = (f"{cell.trend} {text}" if cell.trend_before else f"{text} {cell.trend}").strip()
    return text


def _body_cells(table: Table) -> Iterable[tuple[Row, int, Cell]]:
    for row in table.rows:
        if row.kind in ("header", "text"):
            continue
        for c, cell in enumerate(row.cells):
            if not cell.merged:
                yield row, c, cell


def numeric_columns(table: Table) -> set[int]:
    """The columns whose cases are figures: the ``number`` columns, and a column declared
    ``type: text`` whose every case is a figure (or a word without figure: « - », « ns »), with
    one figure at least and no code such as « 01000 » that a number would lose."""
    found = {c for c, col in enumerate(table.columns) if c and col.type == "number"}
    cells: dict[int, list[Cell]] = {}
    for _, c, cell in _body_cells(table):
        if c and c not in found:
            cells.setdefault(c, []).append(cell)
    for c, column in cells.items():
        figures = [x for x in column if x.figure is not None and not x.missing]
        if figures and not any(_CODE.match(x.text.strip()) for x in figures) and all(
                x.figure is not None or x.text.strip() in french.PLACEHOLDERS for x in column):
            found.add(c)
    return found


def _figure(cell: Cell, c: int, numeric: set[int]) -> french.Figure | None:
    """The figure of a case of a numeric column, None for a word (« - », « ns », « à renseigner »)."""
    return cell.figure if c in numeric and not cell.missing else None


def _plain_figure(cell: Cell, c: int, numeric: set[int]) -> bool:
    """A figure that is a number and nothing else (no comment, mark or arrow)."""
    fig = _figure(cell, c, numeric)
    return fig is not None and not fig.suffix and not fig.mark and not cell.trend


def _column_units(table: Table, numeric: set[int]) -> dict[int, str]:
    """The unit shared by every figure of a numeric column, where there is one."""
    units: dict[int, set[str]] = {}
    for _, c, cell in _body_cells(table):
        if c and _plain_figure(cell, c, numeric):
            units.setdefault(c, set()).add(cell.figure.unit)
    return {c: found.pop() for c, found in units.items() if len(found) == 1 and "" not in found}


# --- CSV ------------------------------------------------------------------------------------------
def _spaces(text: str) -> str:
    return text.replace(french.NNBSP, " ").replace(french.NBSP, " ")


def _csv_text(text: str) -> str:
    return " ".join(_spaces(text).split("\n")).strip()


def _number(figure: french.Figure) -> str:
    """The figure as a plain number: dot decimal, its printed decimals, no sign on a zero."""
    value = figure.value if figure.value != 0 else abs(figure.value)
    return format(value, f".{figure.decimals}f")


def _csv_number(figure: french.Figure, with_unit: bool) -> str:
    text = _number(figure).replace(".", ",")
    return f"{text} {figure.unit}" if with_unit and figure.unit else text


def csv_rows(table: Table) -> list[list[str]]:
    """The header rows, then one row per printed row: what the CSV file holds."""
    width = len(table.columns)
    numeric = numeric_columns(table)
    units = _column_units(table, numeric)
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
            elif c and row.kind != "header" and _plain_figure(cell, c, numeric):
                line.append(_csv_number(cell.figure, c not in in_header))
            else:
                line.append(_csv_text(_printed(cell)))
        lines.append(line)
    return lines


def csv_text(table: Table) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(csv_rows(table))
    return buffer.getvalue()


# --- the open data: tidy CSV files and their data package ------------------------------------------
@dataclass
class TidyField:
    """A column of a tidy CSV, as its schema describes it."""

    name: str
    type: str = "string"           # string | integer | number
    description: str = ""
    unit: str = ""
    constraints: dict = field(default_factory=dict)

    def schema(self) -> dict:
        out = {"name": self.name, "type": self.type, "description": _plain(self.description)}
        if self.unit:
            out["unit"] = self.unit
        if self.constraints:
            out["constraints"] = self.constraints
        return out


@dataclass
class Tidy:
    """A table as open data: its fields and its rows, every value a text as the CSV holds it."""

    fields: list[TidyField]
    rows: list[list[str]]

    def csv_bytes(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n")
        writer.writerow([f.name for f in self.fields])
        writer.writerows(self.rows)
        return buffer.getvalue().encode("utf-8")


def _unit_words(unit: str) -> str:
    return UNIT_WORDS.get(unit, unit)


def _unique(names: list[str]) -> list[str]:
    """The names, a repeated one followed by « (2) », « (3) »… (compared without case)."""
    used: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 2
        while candidate.lower() in used:
            candidate, n = f"{name} ({n})", n + 1
        used.add(candidate.lower())
        out.append(candidate)
    return out


def column_names(table: Table) -> list[str]:
    """One name per column: its header cells top to bottom, « Groupe — Colonne ».

    The row-label column without a header takes the column's name in the data file, unless
    that is a bare identifier (« libelle »), then « Libellé »; another column without a
    header takes its name in the data file.
    """
    levels: list[list[str]] = [[] for _ in table.columns]
    for place in _header_places(table):
        text = _csv_text(_header_text(place.cell))
        for c in range(place.col, place.col + place.cols):
            if text and text not in levels[c]:
                levels[c].append(text)
    names = []
    for c, (col, found) in enumerate(zip(table.columns, levels)):
        name = SEPARATOR.join(found)
        if not name:
            key = _csv_text(col.key)
            if c == 0:
                name = LABEL if not key or re.fullmatch(r"[a-z0-9_\-]+", key) else key
            else:
                name = key or f"Colonne {c + 1}"
        names.append(name)
    return names


def _owners(table: Table) -> dict[tuple[int, int], Cell]:
    """Each merged case of the body, (row, column), and the case that covers it."""
    owners: dict[tuple[int, int], Cell] = {}
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            if not cell.merged and (cell.colspan > 1 or cell.rowspan > 1):
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if dr or dc:
                            owners.setdefault((r + dr, c + dc), cell)
    return owners


def _has_more(cell: Cell, figure: french.Figure | None) -> bool:
    """The case prints more than a number and its unit: a word, an arrow, a comment, a mark, a call."""
    if figure is None:
        return bool(cell.text.strip())
    return bool(figure.suffix or figure.mark or cell.trend or cell.marks)


@dataclass
class _Shape:
    """What the tidy CSV of a table needs to know of its columns before writing a row."""

    numeric: set[int]
    figures: dict[int, list[french.Figure]]      # the figures of each numeric column
    more: set[int]                               # numeric columns with a case that prints more than a number
    mixed: list[int]                             # numeric columns mixing units
    row_unit: bool                               # their unit is the same along each row: one column « unite »

    @classmethod
    def of(cls, table: Table) -> "_Shape":
        numeric = numeric_columns(table)
        figures: dict[int, list[french.Figure]] = {c: [] for c in numeric}
        more: set[int] = set()
        per_row: list[set[str]] = []
        for _, c, cell in _body_cells(table):
            if c in numeric:
                figure = _figure(cell, c, numeric)
                if figure is not None:
                    figures[c].append(figure)
                if _has_more(cell, figure):
                    more.add(c)
        mixed = sorted(c for c, found in figures.items() if len({f.unit for f in found}) > 1)
        for row in table.rows:
            if row.kind not in ("header", "text"):
                per_row.append({_row_figure(row, c, numeric).unit for c in mixed
                                if _row_figure(row, c, numeric) is not None})
        return cls(numeric, figures, more, mixed, bool(mixed) and all(len(units) <= 1 for units in per_row))

    def unit(self, c: int) -> str:
        """The one unit of a numeric column, "" when it has none or several."""
        units = {f.unit for f in self.figures[c]}
        return units.pop() if len(units) == 1 else ""

    def plan(self, width: int) -> list[tuple[str, int]]:
        """The fields in order, each (role, column): label, row type, [unit], each column with its
        companions (« — unité », « — texte imprimé »), the key."""
        plan = [("label", 0), ("type", -1)] + ([("row-unit", -1)] if self.row_unit else [])
        for c in range(1, width):
            plan.append(("value", c))
            if c in self.mixed and not self.row_unit:
                plan.append(("unit", c))
            if c in self.more:
                plan.append(("printed", c))
        return plan + [("key", -1)]


def _row_figure(row: Row, c: int, numeric: set[int]) -> french.Figure | None:
    cell = row.cells[c]
    return None if cell.merged else _figure(cell, c, numeric)


ROW_TYPE_TEXT = ("Rôle de la ligne : ligne (ordinaire), section (titre d'un groupe de lignes), dont (détail de la "
                 "ligne au-dessus), dont-niveau-2, sous-total, sous-total-niveau-2, sous-total-niveau-3, total, "
                 "mise-en-valeur, en-tete (en-tête répété dans le tableau), texte (ligne de texte). Un total ou un "
                 "sous-total reprend d'autres lignes, et une ligne « dont » détaille celle qu'elle suit : ne les "
                 "additionnez pas avec elles")


def _tidy_field(role: str, c: int, name: str, names: list[str], shape: _Shape,
                field_of: dict[tuple[str, int], str]) -> TidyField:
    """The description of one field of the tidy CSV (see :meth:`_Shape.plan` for the roles)."""
    value = field_of.get(("value", c), "")
    if role == "label":
        return TidyField(name, description="Libellé de la ligne, tel qu'imprimé (sans les appels de note)")
    if role == "type":
        return TidyField(name, description=ROW_TYPE_TEXT,
                         constraints={"required": True, "enum": list(dict.fromkeys(ROW_TYPES.values()))})
    if role == "row-unit":
        shown = ", ".join(f"« {field_of[('value', x)]} »" for x in shape.mixed)
        return TidyField(name, description=f"Unité des chiffres de la ligne dans les colonnes {shown} "
                                           "(vide : un nombre sans unité)")
    if role == "key":
        return TidyField(name, description="Clé de la ligne, unique dans le tableau et la même d'une année à "
                                           "l'autre (celle que cite le texte du rapport)",
                         constraints={"required": True, "unique": True})
    if role == "unit":
        return TidyField(name, description=f"Unité du chiffre de « {value} » sur cette ligne (vide : un nombre "
                                           "sans unité)")
    if role == "printed":
        return TidyField(name, description=f"La case de « {value} » telle qu'imprimée, quand elle dit plus qu'un "
                                           "nombre (un mot comme « - » ou « ns », une flèche, un commentaire, un "
                                           "appel de note)")
    if c not in shape.numeric:
        return TidyField(name, description=f"Colonne « {names[c]} » du tableau, texte tel qu'imprimé")
    said = [f"Colonne « {names[c]} » du tableau : chiffres tels qu'imprimés"]
    unit = shape.unit(c)
    if unit:
        said.append(f"unité : {_unit_words(unit)}")
    elif c in shape.mixed:
        said.append(f"l'unité de chaque ligne est dans « {field_of.get(('row-unit', -1)) or field_of[('unit', c)]} »")
    if c in shape.more:
        said.append(f"vide quand la case n'imprime pas de chiffre, le texte imprimé est alors dans "
                    f"« {field_of[('printed', c)]} »")
    integer = all(f.decimals == 0 for f in shape.figures[c])
    return TidyField(name, "integer" if integer else "number", " ; ".join(said), unit=unit)


def _tidy_value(role: str, c: int, r: int, row: Row, shape: _Shape, owners: dict[tuple[int, int], Cell]) -> str:
    """What one case of the tidy CSV holds (see :meth:`_Shape.plan` for the roles)."""
    if role == "type":
        return ROW_TYPES[row.kind]
    if role == "key":
        return row.key
    if row.kind == "text":      # a line of text across the table: its label only
        return _csv_text(row.cells[0].display) if role == "label" else ""
    if role == "row-unit":
        units = [f.unit for f in (_row_figure(row, x, shape.numeric) for x in shape.mixed) if f is not None]
        return units[0] if units and row.kind != "header" else ""
    cell = row.cells[c]
    if role == "label" or c not in shape.numeric:     # a merged label or text: the case that covers it
        return "" if row.kind == "header" and role != "label" else _csv_text(_printed(owners.get((r, c), cell)))
    if row.kind == "header" or cell.merged:           # a header repeated in the body; a figure written once
        return ""
    figure = _figure(cell, c, shape.numeric)
    if role == "value":
        return _number(figure) if figure is not None else ""
    if role == "unit":
        return figure.unit if figure is not None else ""
    return _csv_text(_printed(cell) + _calls(cell)) if _has_more(cell, figure) else ""


def tidy_table(table: Table) -> Tidy:
    """The table as open data (see the module's docstring): fields, then one row per printed row."""
    shape = _Shape.of(table)
    names = column_names(table)
    plan = shape.plan(len(table.columns))
    fixed = {"label": names[0], "type": ROW_TYPE_FIELD, "row-unit": UNIT_FIELD, "key": KEY_FIELD}
    roles = {"value": "", "unit": f"{SEPARATOR}unité", "printed": f"{SEPARATOR}texte imprimé"}
    unique = _unique([fixed[role] if role in fixed else names[c] + roles[role] for role, c in plan])
    field_of = dict(zip(plan, unique))
    fields = [_tidy_field(role, c, name, names, shape, field_of) for (role, c), name in zip(plan, unique)]
    owners = _owners(table)
    rows = [[_tidy_value(role, c, r, row, shape, owners) for role, c in plan] for r, row in enumerate(table.rows)]
    return Tidy(fields, rows)


def _lower_first(text: str) -> str:
    """« Rapport d'activité 2017… » inside a sentence: « rapport d'activité 2017… »."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _resource_names(table_ids: Iterable[str]) -> list[str]:
    """Names a data package accepts (lowercase letters, digits, « - », « _ », « . »), unique."""
    names, used = [], set()
    for table_id in table_ids:
        base = re.sub(r"[^a-z0-9._-]+", "-", slugify(table_id) or "tableau").strip("-") or "tableau"
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        names.append(candidate)
    return names


def data_package(tables: Mapping[str, Table], tidy: Mapping[str, Tidy], name: str,
                 chapters: Mapping[str, Sequence[str]], about: About) -> dict:
    """``datapackage.json``: the Frictionless Data Package (v2) of the tidy CSV files."""
    resources = []
    for table, resource in zip(tables.values(), _resource_names(t.id for t in tables.values())):
        data = tidy[table.id]
        content = data.csv_bytes()
        places = chapters.get(table.id, [])
        said = [f"Tableau imprimé dans le {_lower_first(about.subject)}"
                + (f" ({'chapitres' if len(places) > 1 else 'chapitre'} : {' ; '.join(map(_plain, places))})"
                   if places else "") + ", une ligne du fichier par ligne imprimée, dans l'ordre",
                "les chiffres sont ceux du rapport, jamais recalculés ; « type_de_ligne » distingue les "
                "lignes de détail, les sections, les sous-totaux et le total"]
        if table.notes:
            notes = [_plain(NOTE_MARK.sub("", n)) for n in table.notes]
            said.append("notes du tableau : " + " ".join(
                f"({n}) {text}" if table.numbered_notes else text for n, text in enumerate(notes, 1)))
        item = {"name": resource, "type": "table", "path": f"{table.id}.csv", "format": "csv",
                "mediatype": "text/csv", "encoding": "utf-8", "bytes": len(content),
                "hash": f"sha256:{hashlib.sha256(content).hexdigest()}",
                "title": _plain(table.title or table.id), "description": _plain(" ; ".join(said).rstrip(".") + ".")}
        item["sources"] = [{"title": _plain(_source(table, about))}]
        item["schema"] = {"fields": [f.schema() for f in data.fields], "missingValues": [""],
                          "primaryKey": [data.fields[-1].name]}
        resources.append(item)
    name_, title, path = about.licence
    package = {"$schema": PROFILE, "name": _resource_names([name])[0],
               "title": f"{about.report} : les tableaux",
               "description": _plain(
                   f"Les tableaux imprimés dans le {_lower_first(about.subject)}, un fichier CSV chacun (UTF-8, "
                   "séparateur « , », une ligne d'en-tête, nombres à point décimal, sans séparateur des milliers "
                   "ni unité : les unités sont décrites ici). Les chiffres sont ceux du rapport, jamais "
                   f"recalculés. Le classeur {name}-tableaux.xlsx et le dossier {PRINTED}/ donnent les mêmes "
                   "tableaux tels qu'imprimés.")}
    if about.created:
        package["created"] = about.created
    if about.keywords:
        package["keywords"] = list(about.keywords)
    if about.organisation:
        package["contributors"] = [{"title": about.organisation, "roles": ["publisher"]}]
    package["licenses"] = [{"name": name_, "path": path, "title": title}]
    package["sources"] = [{"title": about.subject}]
    package["resources"] = resources
    return package


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
                   chapters: Mapping[str, Sequence[str]], about: About | None = None) -> bytes:
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
                       "en fichier CSV dans le même dossier, en données ouvertes décrites par "
                       f"{PACKAGE}, et tel qu'imprimé dans le dossier {PRINTED}.")
    summary.cell(3, 1, _xlsx_text(french.typeset_prose((about or About()).licence_line)))
    heads = ["N°", "Tableau", *(["Chapitre"] if with_chapters else []), "Feuille", "Fichier CSV", "Source"]
    for c, text in enumerate(heads, 1):
        head = summary.cell(4, c, text)
        head.font, head.fill = bold, header_fill
    for n, (table, sheet) in enumerate(zip(tables.values(), names), 1):
        values = [n, _xlsx_text(french.typeset_prose(table.title or table.id)),
                  *([" ; ".join(chapters.get(table.id, []))] if with_chapters else []),
                  sheet, f"{table.id}.csv", _xlsx_text(french.typeset_prose(_source(table, about or About())))]
        for c, value in enumerate(values, 1):
            summary.cell(4 + n, c, value)
        title = summary.cell(4 + n, 2)
        title.hyperlink = Hyperlink(ref=title.coordinate, location=f"'{sheet.replace(chr(39), chr(39) * 2)}'!A1",
                                    tooltip="Ouvrir la feuille du tableau")
        title.font = link
        _write_sheet(wb.create_sheet(sheet), table, about or About())
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


def package_zip(members: Mapping[str, bytes]) -> bytes:
    """The open data in one file to download: the package first, then the CSV files, dated
    :data:`FIXED_TIME` so that two builds give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)
    return out.getvalue()


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


def _source(table: Table, about: About) -> str:
    """The table's printed source, else the report it is printed in: every sheet says where it comes from."""
    if table.source:
        return table.source
    return f"Source : {about.subject}" if about.subject else ""


def _write_sheet(ws, table: Table, about: About) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    width = len(table.columns)
    numeric = numeric_columns(table)
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
            if c and row.kind != "header" and _figure(src, c, numeric) is not None:
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
                elif c in numeric:
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
    if _source(table, about):
        ws.cell(r, 1, _xlsx_text(french.typeset_prose(_source(table, about)))).font = Font(italic=True)

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

