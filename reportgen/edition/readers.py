"""Readers of tabular files, one per file extension (a small registry).

Each reader returns the header and the rows as strings, with the line (CSV)
or row number (XLSX) of every row, so that errors can name the cell.
"""
from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..yamlio import CONTROL, read_text

MAX_BYTES = 5_000_000     # a table file; the largest of the reference editions is under 3 kB
MAX_ROWS = 5_000          # rows of a table; the longest reference table has 56


@dataclass
class Grid:
    """A table file as read: header cells, then rows with their source line."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    sheet: str | None = None


READERS: dict[str, Callable[[Path], Grid]] = {}


def reader(*extensions: str):
    """Register a reader for file extensions."""
    def register(func: Callable[[Path], Grid]) -> Callable[[Path], Grid]:
        for ext in extensions:
            READERS[ext] = func
        return func
    return register


def read_grid(path: Path) -> Grid:
    try:
        read = READERS[path.suffix.lower()]
    except KeyError:
        raise DataError(f"format de fichier non pris en charge ({path.suffix})", path,
                        hint="utilisez .csv, .tsv ou .xlsx") from None
    if path.is_dir():
        raise DataError("c'est un dossier, pas un fichier de tableau", path,
                        hint=f"remplacez-le par le fichier {path.name}, ou renommez le dossier")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError(f"fichier de tableau illisible ({exc.strerror})", path) from None
    if size > MAX_BYTES:
        raise DataError(f"fichier de tableau trop gros : {_megabytes(size)} Mo, "
                        f"{_megabytes(MAX_BYTES)} Mo au plus", path,
                        hint="un tableau imprimé tient en quelques pages : retirez les lignes qui ne sont "
                             "pas imprimées, ou découpez-le en plusieurs tableaux")
    grid = read(path)
    if len(grid.rows) > MAX_ROWS:
        raise DataError(f"plus de {MAX_ROWS:,} lignes dans ce tableau".replace(",", "\u202f"), path,
                        grid.rows[MAX_ROWS][0],
                        hint="un tableau imprimé tient en quelques pages : découpez-le en plusieurs tableaux")
    return grid


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".replace(".", ",")


@reader(".csv", ".tsv")
def read_csv(path: Path) -> Grid:
    text = read_text(path, DataError, hint="enregistrez-le en UTF-8 ; dans Excel : « Enregistrer sous » → "
                                          "« CSV UTF-8 (délimité par des points-virgules) »",
                     controls=False)     # a NUL byte in a cell would reach the PDF and break the workbook
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DataError("fichier vide : la première ligne doit donner les noms de colonnes", path, 1)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else (";" if ";" in lines[0] else ",")
    parsed = csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True)
    try:
        header = next(parsed)
        rows = []
        for record in parsed:
            line = parsed.line_num
            if not record or (len(record) == 1 < len(header) and not record[0].strip()):   # a blank line
                continue
            rows.append((line, record))
            if len(rows) > MAX_ROWS:    # read_grid says so; no need to read a huge file to the end
                break
    except csv.Error as exc:
        raise DataError(f"CSV illisible : {exc}", path, parsed.line_num,
                        hint="vérifiez les guillemets de cette ligne") from None
    width = len(header)
    for line, record in rows:
        if len(record) > width:
            raise DataError(f"{len(record)} cellules pour {width} colonnes", path, line,
                            hint=f"une cellule contient-elle un « {delimiter} » sans guillemets ?")
        if len(record) < width:   # a missing separator shifts every cell after it: never guess
            missing = width - len(record)
            raise DataError(f"{len(record)} cellules pour {width} colonnes : "
                            f"{'il manque une cellule' if missing == 1 else f'il manque {missing} cellules'}",
                            path, line,
                            hint=f"une cellule vide s'écrit quand même, entre deux « {delimiter} »")
    return Grid([h.strip() for h in header], [(n, [c.strip() for c in r]) for n, r in rows])


@reader(".xlsx")
def read_xlsx(path: Path) -> Grid:
    import pandas as pd  # deferred: pandas is only needed for spreadsheets

    try:
        # one row more than allowed is enough for read_grid to refuse a sheet that is too long
        frame = pd.read_excel(path, header=None, dtype=str, keep_default_na=False, nrows=MAX_ROWS + 2)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds; all mean "unreadable"
        raise DataError(f"classeur illisible : {exc}", path) from None
    values = frame.fillna("").values.tolist()
    if not values:
        raise DataError("classeur vide", path, 1)
    header = [str(h).strip() for h in values[0]]
    rows = [(i + 2, [str(c).strip() for c in row]) for i, row in enumerate(values[1:])]
    for line, cells in [(1, header), *rows]:     # as in a CSV: no control character (NUL…) in a cell
        for name, cell in zip(header, cells):
            if CONTROL.search(cell):
                raise DataError(f"caractère de contrôle interdit U+{ord(CONTROL.search(cell)[0]):04X} "
                                "dans la cellule", path, line, column=name,
                                hint="retirez ce caractère invisible (souvent collé depuis un autre logiciel)")
    return Grid(header, rows, sheet=str(frame.attrs.get("sheet", "")) or None)
