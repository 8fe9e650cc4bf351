"""Readers of tabular files, one per file extension (a small registry).

Each reader returns the header and the rows as strings, with the line (CSV)
or row number (XLSX) of every row, so that errors can name the cell.
"""
from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError


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
    return read(path)


@reader(".csv", ".tsv")
def read_csv(path: Path) -> Grid:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"le fichier n'est pas en UTF-8 (octet {exc.start})", path,
                        hint="dans Excel : « Enregistrer sous » → CSV UTF-8") from None
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
            if not any(cell.strip() for cell in record) and not record:
                continue
            rows.append((line, record))
    except csv.Error as exc:
        raise DataError(f"CSV illisible : {exc}", path, parsed.line_num,
                        hint="vérifiez les guillemets de cette ligne") from None
    width = len(header)
    for line, record in rows:
        if len(record) > width:
            raise DataError(f"{len(record)} cellules pour {width} colonnes", path, line,
                            hint=f"une cellule contient-elle un « {delimiter} » sans guillemets ?")
        record.extend([""] * (width - len(record)))
    return Grid([h.strip() for h in header], [(n, [c.strip() for c in r]) for n, r in rows])


@reader(".xlsx")
def read_xlsx(path: Path) -> Grid:
    import pandas as pd  # deferred: pandas is only needed for spreadsheets

    try:
        frame = pd.read_excel(path, header=None, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds; all mean "unreadable"
        raise DataError(f"classeur illisible : {exc}", path) from None
    values = frame.fillna("").values.tolist()
    if not values:
        raise DataError("classeur vide", path, 1)
    header = [str(h).strip() for h in values[0]]
    rows = [(i + 2, [str(c).strip() for c in row]) for i, row in enumerate(values[1:])]
    return Grid(header, rows, sheet=str(frame.attrs.get("sheet", "")) or None)
