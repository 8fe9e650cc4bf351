"""Collecting the year's figures through spreadsheets, and reading them back.

:func:`export` writes one XLSX workbook for an edition: a sheet of instructions, one sheet
per table that still has values « à renseigner » (last year's figures filled and locked,
the cells to fill in yellow), a sheet of key figures and one of the figures cited in the
text. A hidden sheet records which cell goes where.

:func:`import_workbooks` reads filled workbooks back. Every cell is checked (a figure as
printed, a placeholder such as « NC », no negative count); every problem is reported with
its sheet and cell (« offre-de-soins!D4 »); if there is any, nothing is written. Writing
the same workbook twice changes nothing.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .. import french
from .datastore import DataStore
from ..errors import DataError
from ..files import replacing, write_text
from ..project import EditionPaths
from .readers import read_grid
from .tables import load_table
from ..yamlio import load_plain

MISSING = french.MISSING
MAP_SHEET = "_reportgen"
GUIDE_SHEET = "Mode d'emploi"
KPI_SHEET = "Chiffres clés"
FIG_SHEET = "Chiffres du texte"
GUIDE = [
    "Collecte des chiffres du rapport d'activité {edition}",
    "",
    "1. Chaque feuille correspond à un tableau du rapport ; les cases jaunes sont à remplir.",
    "2. Les cases grises (l'année précédente, les libellés) sont verrouillées : ne les changez pas.",
    "3. Écrivez chaque chiffre comme il doit être imprimé : 1 234,5 ; 12 % ; 3,2 € ; -4,1 %.",
    "   Les signes « - », « NC », « ns » sont acceptés là où il n'y a pas de chiffre.",
    "4. Une case laissée vide reste « à renseigner » : vous pourrez la remplir plus tard.",
    "5. Ne renommez ni les feuilles ni les en-têtes de colonnes ; n'ajoutez pas de lignes.",
    "6. Renvoyez le classeur à l'équipe communication, qui le lit avec :",
    "   reportgen collect import {edition} <classeur.xlsx>",
]


@dataclass
class Target:
    """Where a workbook cell goes: a table cell, a key figure or a figure of the text."""

    sheet: str
    cell: str
    kind: str        # table | kpi | figure
    file: str        # path relative to the edition's data folder
    key: str         # table: « line:column » ; kpi: « group.key » ; figure: « dotted.key »
    evolution: bool = False


def _sheet_name(name: str, used: set[str]) -> str:
    base = name[:31]
    candidate, n = base, 2
    while candidate in used:
        candidate = f"{base[:28]}~{n}"
        n += 1
    used.add(candidate)
    return candidate


def _is_evolution(label: str) -> bool:
    low = label.lower()
    return any(word in low for word in ("volution", "écart", "ecart", "variation")) or low.strip() == "%"


def export(paths: EditionPaths, target: Path) -> Path:
    """Write the collection workbook of an edition; returns its path."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill, Protection

    store = DataStore.load(paths.data)
    fill = PatternFill("solid", fgColor="FFF2CC")
    locked_fill = PatternFill("solid", fgColor="E7EAF0")
    bold = Font(bold=True)
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE_SHEET
    for row, line in enumerate(GUIDE, 1):
        guide.cell(row, 1, line.format(edition=paths.name)).font = bold if row == 1 else Font()
    guide.column_dimensions["A"].width = 100
    used = {GUIDE_SHEET, MAP_SHEET, KPI_SHEET, FIG_SHEET}
    targets: list[Target] = []
    for table in store.tables.values():
        if not table.missing():
            continue
        ws = wb.create_sheet(_sheet_name(table.id, used))
        ws.cell(1, 1, table.title or table.id).font = bold
        ws.cell(1, 3, f"fichier : tables/{table.path.name}")
        ws.cell(2, 1, "Clé").font = bold
        for c, col in enumerate(table.columns, 2):
            head = ws.cell(2, c, col.label or col.key)
            head.font = bold
            if col.type == "number" and c > 2:
                head.comment = Comment("Un chiffre tel qu'imprimé : 1 234,5 ; 12 % ; 3,2 €", "reportgen")
        for r, row in enumerate(table.rows, 3):
            ws.cell(r, 1, row.key).fill = locked_fill
            for c, (col, cell) in enumerate(zip(table.columns, row.cells), 2):
                slot = ws.cell(r, c)
                if cell.missing:
                    slot.fill = fill
                    slot.protection = Protection(locked=False)
                    targets.append(Target(ws.title, slot.coordinate, "table", f"tables/{table.path.name}",
                                          f"{row.line}:{col.key}", _is_evolution(col.label or col.key)))
                else:
                    slot.value = cell.text
                    slot.fill = locked_fill
        ws.column_dimensions["A"].width = 18
        ws.column_dimensions["B"].width = 48
        for c in range(3, len(table.columns) + 2):
            ws.column_dimensions[ws.cell(2, c).column_letter].width = 18
        ws.protection.sheet = True
    tiles = [(group, tile) for group in store.kpis.values()
             for top in group.tiles for tile in (top, *top.children) if tile.missing]
    if tiles:
        ws = wb.create_sheet(KPI_SHEET)
        for c, head in enumerate(["Groupe", "Clé", "Libellé", "Année précédente", "Valeur"], 1):
            ws.cell(1, c, head).font = bold
        for r, (group, tile) in enumerate(tiles, 2):
            ws.cell(r, 1, group.id)
            ws.cell(r, 2, tile.key)
            ws.cell(r, 3, tile.label)
            ws.cell(r, 4, tile.previous)
            value = ws.cell(r, 5)
            value.fill = fill
            value.protection = Protection(locked=False)
            targets.append(Target(ws.title, value.coordinate, "kpi", f"kpis/{group.path.name}",
                                  f"{group.id}.{tile.key}"))
        for col, width in zip("ABCDE", (26, 22, 60, 20, 20)):
            ws.column_dimensions[col].width = width
        ws.protection.sheet = True
    figures = [(key, path) for key, (value, path) in store.figures.items() if value.strip() == MISSING]
    if figures:
        ws = wb.create_sheet(FIG_SHEET)
        ws.cell(1, 1, "Clé (citée dans le texte)").font = bold
        ws.cell(1, 2, "Valeur").font = bold
        for r, (key, path) in enumerate(figures, 2):
            ws.cell(r, 1, key)
            value = ws.cell(r, 2)
            value.fill = fill
            value.protection = Protection(locked=False)
            targets.append(Target(ws.title, value.coordinate, "figure", f"figures/{path.name}", key))
        ws.column_dimensions["A"].width = 50
        ws.column_dimensions["B"].width = 22
        ws.protection.sheet = True
    mapping = wb.create_sheet(MAP_SHEET)
    mapping.append(["feuille", "cellule", "sorte", "fichier", "clé", "évolution"])
    for t in targets:
        mapping.append([t.sheet, t.cell, t.kind, t.file, t.key, "oui" if t.evolution else ""])
    mapping.sheet_state = "hidden"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=ws.title == GUIDE_SHEET)
    with replacing(target) as tmp:
        wb.save(tmp)
    return target


def _cell_text(value: Any) -> str:
    """A workbook value as the printed text reportgen reads (« 1234.5 » → « 1 234,5 »)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        return french.format_number(number, max(0, -number.normalize().as_tuple().exponent)).replace(
            french.NNBSP, " ").replace(french.MINUS, "-")
    return str(value).strip()


def _check(text: str, target: Target, problems: list[str]) -> None:
    where = f"{target.sheet}!{target.cell}"
    if text in french.PLACEHOLDERS:
        return
    figure = french.parse_figure(text)
    if figure is None:
        problems.append(f"{where} : « {text} » n'est pas un chiffre (écrivez 1 234,5 ; 12 % ; 3,2 €)")
    elif figure.value < 0 and not target.evolution:
        problems.append(f"{where} : « {text} » est négatif, ce qui n'est possible que pour une évolution")
    elif figure.unit == "%" and abs(figure.value) > 1000:
        problems.append(f"{where} : « {text} » est hors des valeurs possibles pour un pourcentage")


def import_workbooks(paths: EditionPaths, workbooks: list[Path]) -> list[str]:
    """Read filled workbooks into the edition's data; all or nothing. Returns what changed."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    problems: list[str] = []
    values: dict[tuple[str, str, str], str] = {}     # (kind, file, key) → text
    for book in workbooks:
        try:
            wb = load_workbook(book, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise DataError(f"ce fichier n'est pas un classeur Excel (.xlsx) lisible : {exc.__class__.__name__}",
                            book, hint="enregistrez-le au format « Classeur Excel (.xlsx) »") from None
        if MAP_SHEET not in wb.sheetnames:
            raise DataError("ce classeur ne vient pas de « reportgen collect export » (feuille de "
                            "correspondance absente)", book, hint="repartez du classeur exporté")
        targets = [Target(*[str(v or "") for v in row[:5]], evolution=row[5] == "oui")
                   for row in wb[MAP_SHEET].iter_rows(min_row=2, values_only=True) if row[0]]
        expected_headers = _expected_headers(paths, targets)
        for sheet in sorted({t.sheet for t in targets}):
            if sheet not in wb.sheetnames:
                problems.append(f"{book.name} : la feuille « {sheet} » manque")
                continue
            if sheet in expected_headers:
                ws = wb[sheet]
                for c, label in enumerate(expected_headers[sheet], 2):
                    found = _cell_text(ws.cell(2, c).value)
                    if found != label:
                        problems.append(f"{sheet}!{ws.cell(2, c).coordinate} : en-tête « {found} » au lieu "
                                        f"de « {label} » (ne renommez pas les colonnes)")
        for t in targets:
            if t.sheet not in wb.sheetnames:
                continue
            text = _cell_text(wb[t.sheet][t.cell].value)
            if not text:
                continue
            _check(text, t, problems)
            values[(t.kind, t.file, t.key)] = text
    if problems:
        raise DataError(f"{len(problems)} case(s) à corriger, rien n'a été écrit : " + " ; ".join(problems[:12])
                        + (" ; …" if len(problems) > 12 else ""), workbooks[0])
    return _write(paths, values)


def _expected_headers(paths: EditionPaths, targets: list[Target]) -> dict[str, list[str]]:
    """The column headers each table sheet was exported with."""
    headers = {}
    for t in targets:
        if t.kind == "table" and t.sheet not in headers and (paths.data / t.file).exists():
            headers[t.sheet] = [c.label or c.key for c in load_table(paths.data / t.file).columns]
    return headers


def _write(paths: EditionPaths, values: dict[tuple[str, str, str], str]) -> list[str]:
    """Prepare every changed file in memory, then write them; returns one line per file."""
    outputs: dict[Path, str] = {}
    counts: dict[Path, int] = {}
    by_file: dict[tuple[str, str], dict[str, str]] = {}
    for (kind, file, key), text in values.items():
        by_file.setdefault((kind, file), {})[key] = text
    for (kind, file), changes in sorted(by_file.items()):
        path = paths.data / file
        if kind == "table":
            outputs[path], counts[path] = _table_text(path, changes)
        else:
            data = load_plain(path)
            changed = 0
            for key, text in changes.items():
                node = _find(data, key, kind)
                if node is not None and str(node[0][node[1]]) != text:
                    node[0][node[1]] = text
                    changed += 1
            if changed:
                outputs[path] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
                counts[path] = changed
    report = []
    for path, text in outputs.items():
        if counts[path] == 0:
            continue
        write_text(path, text)
        report.append(f"{path.relative_to(paths.data)} : {counts[path]} valeur(s) renseignée(s)")
    return report


def _find(data: Any, key: str, kind: str) -> tuple[Any, Any] | None:
    if kind == "figure":
        *parents, last = key.split(".")
        node = data
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        return (node, last) if isinstance(node, dict) and last in node else None
    group, tile_key = key.split(".", 1)
    raw = data.get(group)
    tiles = raw.get("tiles") if isinstance(raw, dict) else raw
    for tile in tiles or []:
        for t in (tile, *(tile.get("dont") or [])):
            if str(t.get("key")) == tile_key:
                return (t, "value")
    return None


def _table_text(path: Path, changes: dict[str, str]) -> tuple[str, int]:
    table = load_table(path)
    grid = read_grid(path)
    names = grid.header
    by_line = {line: list(record) for line, record in grid.rows}
    keys = {c.key: names.index(c.key) for c in table.columns if c.key in names}
    changed = 0
    for key, text in changes.items():
        line, col = key.split(":", 1)
        record = by_line.get(int(line))
        if record is None or col not in keys:
            continue
        if record[keys[col]] != text:
            record[keys[col]] = text
            changed += 1
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(names)
    for line, _ in grid.rows:
        writer.writerow(by_line[line])
    return out.getvalue(), changed
