"""Tables: a CSV (or XLSX) of printed cells plus a YAML spec beside it.

A table keeps every cell as printed; numeric cells are parsed with
:mod:`reportgen.french` so that they are checked and typeset, never recomputed.
A computed column appears only where the spec asks for it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import french
from ..errors import DataError, did_you_mean, gathered
from .readers import read_grid
from ..yamlio import line_of, load_yaml

ROW_KINDS = ("", "section", "dont", "dont2", "subtotal", "subtotal2", "subtotal3", "total", "emphasis", "header",
             "text")     # in the order the messages list them
NOTE_MARK = re.compile(r"\s?\[\^(\w+)\]")   # « EHPAD [^1] », « 1 809[^2] »: a note under the table
MERGE_LEFT, MERGE_UP = "<<", "^^"
SPEC_KEYS = {"title", "columns", "header", "source", "notes", "size", "orientation",
             "placeholders", "computed", "caption", "label"}
SIZES = ("normal", "small")
ORIENTATIONS = ("portrait", "landscape")
CAPTIONS = ("shown", "hidden")    # « hidden »: the title names the table (web, workbook) but is not printed


def slugify(text: str) -> str:
    """« Régime général : » → ``regime-general``."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Column:
    key: str
    label: str
    type: str = "number"   # number | text


@dataclass
class Cell:
    text: str                      # as printed in the source
    display: str = ""              # typeset for the page
    figure: french.Figure | None = None
    colspan: int = 1
    rowspan: int = 1
    merged: bool = False           # covered by a neighbour's span
    numeric: bool = False          # in a numeric column: aligned as a figure, even "-" or "ns"
    trend: str = ""                # an arrow printed with the figure: ↑ ↓ ↗ ↘ → ±
    trend_before: bool = False     # the arrow comes before the figure
    marks: list[str] = field(default_factory=list)   # numbers of the table notes it calls

    @property
    def missing(self) -> bool:
        """Still « à renseigner »: the figure has not been collected yet."""
        return self.text == french.MISSING


@dataclass
class Row:
    kind: str
    key: str
    cells: list[Cell]
    line: int

    @property
    def label(self) -> str:
        return self.cells[0].text


@dataclass
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    id: str
    title: str
    columns: list[Column]
    header: list[list[HeaderCell]]
    rows: list[Row]
    path: Path
    spec_path: Path
    source: str = ""
    notes: list[str] = field(default_factory=list)
    size: str = "normal"
    orientation: str = "portrait"
    caption: str = "shown"         # « hidden »: the title is the table's name, not printed above it

    def missing(self) -> list[str]:
        """« file:line (colonne X) » of each value still to collect."""
        return [f"{self.path.name}:{row.line} (colonne « {col.key} »)" for row in self.rows
                for col, cell in zip(self.columns, row.cells) if cell.missing]

    @property
    def numbered_notes(self) -> bool:
        """Notes called from cells by ``[^n]`` are printed with their numbers."""
        return any(cell.marks for row in self.rows for cell in row.cells)

    def column(self, key: str) -> int:
        for i, col in enumerate(self.columns):
            if key in (col.key, slugify(col.key)):
                return i
        known = ", ".join(c.key for c in self.columns[1:])
        raise KeyError(f"colonne « {key} » inconnue dans le tableau « {self.id} » (colonnes : {known})")

    def row(self, key: str) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(f"ligne « {key} » inconnue dans le tableau « {self.id} »"
                       f" (lignes : {', '.join(r.key for r in self.rows[:12])}…)")

    def cell(self, row_key: str, column_key: str) -> Cell:
        return self.row(row_key).cells[self.column(column_key)]


RELATIVE_YEAR = re.compile(r"^N(?:-(\d))?$")


def load_table(csv_path: Path, year: int | None = None) -> Table:
    """Read a table file and its spec; every cell is validated against its column.

    A column named ``N``, ``N-1``… is a year relative to the edition's ``year``: its header
    prints that year, so the same table serves every edition.
    """
    table_id = csv_path.stem
    spec_path = csv_path.with_suffix(".yml")
    spec = _read_spec(spec_path) if spec_path.exists() else {}   # an edition requires it (datastore)
    grid = read_grid(csv_path)
    names = grid.header
    kind_col = names.index("_kind") if "_kind" in names else None
    key_col = names.index("_key") if "_key" in names else None
    data_idx = [i for i, n in enumerate(names) if n not in ("_kind", "_key")]
    if not data_idx:
        raise DataError("aucune colonne de données", csv_path, 1)

    col_specs = spec.get("columns") or {}
    columns = []
    for pos, i in enumerate(data_idx):
        name = names[i]
        cspec = col_specs.get(name, {}) or {}
        if not isinstance(cspec, dict):
            raise DataError(f"colonne « {name} » : une description {{label: …, type: …}} est attendue",
                            spec_path, line_of(col_specs, name),
                            hint=f'écrivez par exemple « {name}: {{label: "2017"}} »')
        ctype = cspec.get("type", "text" if pos == 0 else "number")
        if ctype not in ("number", "text"):
            raise DataError(f"type de colonne « {ctype} » inconnu (number ou text)", spec_path,
                            line_of(col_specs, name))
        relative = RELATIVE_YEAR.match(name.strip())
        default = str(year - int(relative[1] or 0)) if relative and year else name
        columns.append(Column(name, str(cspec.get("label", default)), ctype))
    for name in col_specs:
        if name not in names:
            raise DataError(f"la colonne « {name} » n'existe pas dans {csv_path.name}", spec_path,
                            line_of(col_specs, name), hint=f"colonnes : {', '.join(names)}")

    placeholders = french.PLACEHOLDERS | {str(p) for p in spec.get("placeholders") or []}
    rows: list[Row] = []
    seen: dict[str, int] = {}
    bad_cells: list[DataError] = []
    for line, record in grid.rows:
        kind = record[kind_col].strip() if kind_col is not None else ""
        if kind not in ROW_KINDS:
            raise DataError(f"type de ligne « {kind} » inconnu", csv_path, line, "_kind",
                            hint=_kind_hint(kind))
        cells = [_cell_with_marks(record[i]) for i in data_idx]
        label = cells[0].text
        key = record[key_col].strip() if key_col is not None else ""
        if not key:   # from the label: a label printed twice gives « libelle », then « libelle-2 »
            key = slugify(label) or f"ligne-{line}"
            if key in seen:
                seen[key] += 1
                key = f"{key}-{seen[key]}"
            else:
                seen[key] = 1
        for col, cell in zip(columns, cells):
            try:
                _check_cell(cell, col, kind, placeholders, csv_path, line, grid.sheet)
            except DataError as exc:    # every bad cell of the file is reported, not the first only
                bad_cells.append(exc)
        rows.append(Row(kind, key, cells, line))
    if bad_cells:
        raise gathered(bad_cells)
    _check_keys(rows, csv_path, key_col is not None)
    _apply_merges(rows, csv_path)
    table = Table(
        id=table_id, title=str(spec.get("title", "")), columns=columns, header=[], rows=rows,
        path=csv_path, spec_path=spec_path, source=str(spec.get("source", "")),
        notes=[str(n) for n in spec.get("notes") or []],
        size=str(spec.get("size", "normal")), orientation=str(spec.get("orientation", "portrait")),
        caption=str(spec.get("caption", "shown")),
    )
    _check_marks(table, csv_path)
    _add_computed(table, spec.get("computed") or [], spec)
    table.header = _build_header(spec, table, spec_path)
    return table


def _read_spec(spec_path: Path) -> dict:
    """The table's description: a mapping of known keys, each of the right shape."""
    spec: Any = load_yaml(spec_path)
    if spec is None:
        # only comments: a table printed with no title, source or notes, as the comments say;
        # an empty file or « ~ » is more likely a description lost or not yet written
        lines = [x.strip() for x in spec_path.read_text(encoding="utf-8").splitlines() if x.strip()]
        if not lines or not all(x.startswith("#") for x in lines):
            raise DataError("description de tableau vide", spec_path, 1,
                            hint="écrivez au moins « title: » (le titre imprimé au-dessus du tableau), "
                                 "ou un commentaire « # … » qui dit pourquoi il n'en a pas")
        spec = {}
    if not isinstance(spec, dict):
        raise DataError("la description du tableau doit être une suite de clés", spec_path, 1,
                        hint="title: …, source: …, columns: … (une clé par ligne)")
    for key in spec:
        if key not in SPEC_KEYS:
            raise DataError(f"clé inconnue « {key} »", spec_path, line_of(spec, key),
                            hint=did_you_mean(str(key), sorted(SPEC_KEYS))
                            or f"clés possibles : {', '.join(sorted(SPEC_KEYS))}")
    shapes = {"columns": (dict, "une description par nom de colonne (« 2017: {label: …} »)"),
              "header": (list, "une liste de lignes d'en-tête"),
              "notes": (list, "une liste de notes, une par ligne (« - texte »)"),
              "placeholders": (list, "une liste de mots (« [\"Non communiqué\"] »)"),
              "computed": (list, "une liste de colonnes calculées (« - {key: …, from: …, to: …} »)")}
    for key, (kind, expected) in shapes.items():
        if spec.get(key) is not None and not isinstance(spec[key], kind):
            raise DataError(f"« {key}: » attend {expected}", spec_path, line_of(spec, key))
    for key, allowed in (("size", SIZES), ("orientation", ORIENTATIONS), ("caption", CAPTIONS)):
        if key in spec and spec[key] not in allowed:
            raise DataError(f"« {key}: {spec[key]} » inconnu", spec_path, line_of(spec, key),
                            hint=f"valeurs possibles : {', '.join(allowed)}")
    if spec.get("caption") == "hidden" and not str(spec.get("title") or "").strip():
        raise DataError("« caption: hidden » sans « title: » : le titre non imprimé nomme le tableau", spec_path,
                        line_of(spec, "caption"),
                        hint="écrivez le titre dans « title: » (il nomme le tableau pour les lecteurs d'écran "
                             "et dans le classeur, sans être imprimé)")
    return spec


def _kind_hint(kind: str) -> str:
    """The row kinds, or the one ``kind`` was most likely meant to be."""
    kinds = [k for k in ROW_KINDS if k]
    said = did_you_mean(kind, kinds)
    return (f"{said} " if said else "") + f"types possibles : {', '.join(kinds)} ou vide"


def _check_keys(rows: list[Row], path: Path, written: bool) -> None:
    """Each row key names one row: ``fig()`` and charts would otherwise cite the first silently."""
    first: dict[str, int] = {}
    for row in rows:
        if row.key in first:
            raise DataError(f"la clé de ligne « {row.key} » est aussi celle de la ligne {first[row.key]}",
                            path, row.line, "_key" if written else None,
                            hint="donnez à l'une des deux lignes une clé à elle dans la colonne « _key »")
        first[row.key] = row.line


def _cell_with_marks(text: str) -> Cell:
    marks = NOTE_MARK.findall(text)
    return Cell(NOTE_MARK.sub("", text).strip() if marks else text, marks=marks)


def _check_marks(table: Table, csv_path: Path) -> None:
    """Each ``[^n]`` calls the n-th line of ``notes:``; a call with no note is an error."""
    for row in table.rows:
        for col, cell in zip(table.columns, row.cells):
            for mark in cell.marks:
                if not (mark.isdigit() and 1 <= int(mark) <= len(table.notes)):
                    raise DataError(f"renvoi [^{mark}] sans note correspondante", csv_path, row.line, col.key,
                                    hint=f"le tableau a {len(table.notes)} note(s) dans « notes: » de "
                                         f"{table.spec_path.name} ; [^1] renvoie à la première")


_ARROW_BEFORE = re.compile(r"^\[?([↑↓↗↘→±])\]?\s*(.*)$")
_ARROW_AFTER = re.compile(r"^(.*?)\s*\[?([↑↓↗↘→±])\]?$")
TREND_CLASSES = {"↑": "up", "↓": "down", "↗": "rising", "↘": "falling", "→": "flat", "±": "flat"}


def _split_trend(cell: Cell) -> str:
    """« ↗ 12,5 % », « 12,5 % [↑] » → the figure's text, with the arrow kept on the cell."""
    text = cell.text
    if m := _ARROW_BEFORE.match(text):
        cell.trend, cell.trend_before = m[1], True
        return m[2]
    if (m := _ARROW_AFTER.match(text)) and m[1]:
        cell.trend = m[2]
        return m[1]
    return text


def _check_cell(cell: Cell, col: Column, kind: str, placeholders: set[str], path: Path,
                line: int, sheet: str | None) -> None:
    text = cell.text
    if text in (MERGE_LEFT, MERGE_UP):
        return
    text = _split_trend(cell) if col.type == "number" else text
    figure = french.parse_figure(text) if text else None
    if figure is not None and french.too_long(figure):
        raise DataError(f"« {text[:20]}… » a plus de {french.MAX_DIGITS} chiffres", path, line, col.key,
                        hint="vérifiez la cellule : un rapport n'imprime pas de nombre aussi long")
    cell.figure = figure
    if col.type == "number" and kind not in ("header", "text") and figure is None \
            and text not in placeholders:
        raise DataError(
            f"« {text} » n'est pas un nombre", path, line, col.key,
            hint="écrivez le chiffre tel qu'imprimé (1 234,5 ; 12 % ; -3,2), un des signes "
                 "« - », « / », « ns », ou déclarez la colonne « type: text »")
    cell.numeric = col.type == "number"
    cell.display = french.format_figure(figure) if figure is not None else french.typeset_prose(text)


def _apply_merges(rows: list[Row], path: Path) -> None:
    for r, row in enumerate(rows):
        for c, cell in enumerate(row.cells):
            if cell.text == MERGE_LEFT:
                target = next((x for x in reversed(row.cells[:c]) if not x.merged), None)
                if target is None:
                    raise DataError("« << » sans cellule à gauche", path, row.line)
                target.colspan += 1
                cell.merged = True
            elif cell.text == MERGE_UP:
                above = next((rows[k].cells[c] for k in range(r - 1, -1, -1)
                              if rows[k].cells[c].text != MERGE_UP), None)
                if above is None:
                    raise DataError("« ^^ » sans cellule au-dessus", path, row.line)
                cell.merged = True
                if above.text != MERGE_LEFT:   # under a cell merged left: its owner's span grows once
                    above.rowspan += 1


def _add_computed(table: Table, computed: list, spec: dict) -> None:
    """Evolution columns the spec asks for; from a zero or negative base they print « ns »."""
    line = line_of(spec, "computed")
    for item in computed:
        if not isinstance(item, dict) or "from" not in item or "to" not in item:
            raise DataError("colonne calculée : « from » et « to » sont attendus", table.spec_path,
                            line_of(item) or line, hint='écrivez {key: evol, from: "2016", to: "2017"}')
        try:
            src_new, src_old = table.column(str(item["to"])), table.column(str(item["from"]))
        except KeyError as exc:
            raise DataError(f"colonne calculée : {exc.args[0]}", table.spec_path,
                            line_of(item) or line) from None
        decimals = item.get("decimals", 1)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
            raise DataError(f"colonne calculée : « decimals: {decimals} » doit être un entier de 0 à 6",
                            table.spec_path, line_of(item, "decimals") or line)
        table.columns.append(Column(str(item.get("key", "evolution")),
                                    str(item.get("label", "Évolution (%)")), "number"))
        for row in table.rows:
            new, old = row.cells[src_new].figure, row.cells[src_old].figure
            evo = french.format_evolution(new, old, decimals) if new and old else None
            if evo:
                text = french.format_figure(evo)
            elif new and old:   # a zero or negative base: the evolution means nothing
                text = french.NOT_SIGNIFICANT
            else:
                text = "" if row.kind in ("section", "header") else "-"
            row.cells.append(Cell(text, text, evo, numeric=True))


def _build_header(spec: dict, table: Table, spec_path: Path) -> list[list[HeaderCell]]:
    raw = spec.get("header")
    if not raw:
        return [[HeaderCell(c.label if i or c.key.strip() else "") for i, c in enumerate(table.columns)]]
    rows = []
    width = len(table.columns)
    line = line_of(spec, "header")
    for r, raw_row in enumerate(raw):
        if not isinstance(raw_row, list):
            raise DataError(f"la ligne d'en-tête {r + 1} doit être une liste de cellules", spec_path, line,
                            hint='écrivez - ["", {text: "2017", colspan: 2}]')
        cells = []
        for item in raw_row:
            if isinstance(item, dict):
                spans = [item.get("colspan", 1), item.get("rowspan", 1)]
                if any(isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 100 for n in spans):
                    raise DataError(f"ligne d'en-tête {r + 1} : colspan et rowspan sont des nombres entiers "
                                    "(1, 2…)", spec_path, line_of(item) or line)
                cells.append(HeaderCell(str(item.get("text", "")), *spans))
            elif isinstance(item, list):
                raise DataError(f"ligne d'en-tête {r + 1} : une cellule est un texte ou {{text, colspan, "
                                "rowspan}}", spec_path, line)
            else:
                cells.append(HeaderCell("" if item is None else str(item)))
        rows.append(cells)
    # every header row must cover the columns, counting rowspans from above
    covered = [0] * len(rows)
    for r, cells in enumerate(rows):
        covered[r] += sum(c.colspan for c in cells)
        for c in cells:
            for below in range(r + 1, min(len(rows), r + c.rowspan)):
                covered[below] += c.colspan
    for r, total in enumerate(covered):
        if total != width:
            raise DataError(f"la ligne d'en-tête {r + 1} couvre {total} colonnes, le tableau en a {width}",
                            spec_path, line_of(spec, "header"),
                            hint="comptez les colspan et rowspan de chaque ligne de « header »")
    return rows
