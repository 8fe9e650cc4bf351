"""Next year's edition from this year's: carry the structure over, move N into N-1.

:func:`new_edition` copies an edition's ``content/`` and ``data/`` into the next year:
- table columns named by a year move on by one year: the new « 2024 » column is empty,
  « à renseigner », and the new « 2023 » takes what the old edition printed for 2023;
  columns named ``N``, ``N-1``… shift the same way; other figures are to collect again;
- key figures keep last year's value as ``previous`` and wait for the new one;
- the figures cited in the text are to collect again;
- chapters are copied and flagged ``review: à réécrire`` in their front matter; the page
  breaks fitted by hand to last year's pages (``{{ new_page() }}``) are taken out.

:func:`status` lists what is still to fill or to review; :func:`restated` compares an
edition's N-1 figures with what the previous edition printed for that year.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import french
from ..edition.datastore import DataStore
from ..errors import ConfigError, ReportWarning
from ..project import EditionPaths, Project
from ..edition.readers import read_grid
from ..edition.tables import RELATIVE_YEAR, load_table
from ..yamlio import load_plain

MISSING = french.MISSING
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
REVIEW = "à réécrire"
NEW_PAGE = re.compile(r"(?m)^[ \t]*\{\{-?\s*new_page\(\s*\)\s*-?\}\}[ \t]*\n?")


def previous_edition(project: Project, caisse: str, year: int) -> str | None:
    """The latest edition of the caisse before ``year``."""
    years = sorted(int(name.split("/")[1]) for name in project.editions()
                   if name.split("/")[0] == caisse and name.split("/")[1].isdigit())
    earlier = [y for y in years if y < year]
    return f"{caisse}/{earlier[-1]}" if earlier else None


def new_edition(project: Project, target: str, source: str | None = None) -> list[str]:
    """Create ``target`` (caisse/année) from ``source``; returns what was done, line by line."""
    caisse, _, year_text = target.partition("/")
    if not year_text.isdigit():
        raise ConfigError(f"« {target} » : écrivez caisse/année, par exemple ardeche/2024", None)
    year = int(year_text)
    source = source or previous_edition(project, caisse, year)
    if source is None:
        raise ConfigError(f"aucune édition de « {caisse} » avant {year} à reprendre", None,
                          hint="donnez-la avec --from caisse/année")
    old = project.edition(source)
    if old.caisse != caisse:    # the copy would print the other caisse's name, territory, signatory, address
        raise ConfigError(f"« --from {source} » est une autre caisse que « {caisse} » : new ne prépare que "
                          "l'année suivante d'une même caisse, dont il reprend le nom, le territoire, le "
                          "signataire et l'adresse", None,
                          hint=f'pour une nouvelle caisse, écrivez : reportgen init {target} --organisation '
                               '"CPAM de …"')
    new = EditionPaths(project, caisse, year_text)
    if new.content.exists() or new.data.exists():
        raise ConfigError(f"l'édition « {target} » existe déjà : rien n'est remplacé", new.content)
    old_year = int(old.year)
    shift = year - old_year
    done = []
    # content: chapters flagged for rewriting, the manifest moved on
    tables = {p.stem for p in (old.data / "tables").glob("*") if p.suffix in (".csv", ".tsv", ".xlsx")}

    def shift_ref(ref: str) -> str:
        """« t.ligne.2023 » names a column of the table t, which moves on with the years."""
        parts = ref.lstrip("=").split(".")
        if len(parts) == 3 and parts[0] in tables:
            parts[2] = _shift_years(parts[2], old_year, shift)
            return ("=" if ref.startswith("=") else "") + ".".join(parts)
        return ref

    shutil.copytree(old.content, new.content)
    for md in sorted(new.content.rglob("*.md")):
        # a figure cited in the text is this year's: « fig("t.ligne.2023") » becomes 2024's
        text = md.read_text(encoding="utf-8")
        text = re.sub(r"\b((?:fig|callout)\(\s*\")([^\"]*)\"", lambda m: f'{m[1]}{shift_ref(m[2])}"', text)
        # a page break fitted to last year's text would not fall right under this year's
        text, fitted = NEW_PAGE.subn("", text)
        md.write_text(text, encoding="utf-8")
        if fitted:
            done.append(f"{md.relative_to(project.root)} : {fitted} saut(s) de page {{{{ new_page() }}}} "
                        "de l'an dernier retiré(s)")
        if _flag_for_review(md):
            done.append(f"{md.relative_to(project.root)} : à réécrire")
    manifest = new.manifest
    manifest.write_text(_shift_years(manifest.read_text(encoding="utf-8"), old_year, shift, exact=True),
                        encoding="utf-8")
    # data: tables rolled forward, key figures and figures to collect again
    shutil.copytree(old.data, new.data)
    for csv_path in sorted((new.data / "tables").glob("*.csv")):
        todo = _roll_table(csv_path, old_year, shift)
        spec = csv_path.with_suffix(".yml")
        if spec.exists():
            spec.write_text(_shift_years(spec.read_text(encoding="utf-8"), old_year, shift), encoding="utf-8")
        done.append(f"{csv_path.relative_to(project.root)} : {todo} valeur(s) à renseigner")
    for path in sorted((new.data / "kpis").glob("*.yml")):
        todo = _roll_kpis(path, old_year, shift)
        done.append(f"{path.relative_to(project.root)} : {todo} chiffre(s) clé(s) à renseigner")
    for path in sorted((new.data / "figures").glob("*.yml")):
        todo = _roll_figures(path)
        done.append(f"{path.relative_to(project.root)} : {todo} chiffre(s) à renseigner")
    for path in sorted((new.data / "charts").glob("*.yml")):
        _roll_charts(path, old_year, shift, shift_ref)
    return done


def _flag_for_review(md: Path) -> bool:
    text = md.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return False
    end = text.index("\n---", 4)
    front = re.sub(r"(?m)^review:.*\n?", "", text[4:end + 1])
    md.write_text(f"---\n{front}review: {REVIEW}{text[end:]}", encoding="utf-8")
    return True


def _shift_years(text: str, old_year: int, shift: int, exact: bool = False) -> str:
    """Years of the old edition's span (or only its own year) move on; comments are left."""
    def move(match: re.Match) -> str:
        y = int(match[1])
        if (exact and y == old_year) or (not exact and old_year - 6 <= y <= old_year):
            return str(y + shift)
        return match[1]

    return "".join(line if line.lstrip().startswith("#") else YEAR.sub(move, line)
                   for line in text.splitlines(keepends=True))


def _column_roles(names: list[str], old_year: int, shift: int) -> list[tuple[str, str | None]]:
    """For each column: its new name and the old column whose values it takes (None: to collect)."""
    roles = []
    for pos, name in enumerate(names):
        if name in ("_kind", "_key"):
            roles.append((name, name))
            continue
        if pos == _label_index(names):   # « Année 2023 » in the corner cell moves on too
            roles.append((_shift_years(name, old_year, shift, exact=True), name))
            continue
        rel = RELATIVE_YEAR.match(name.strip())
        if rel:
            k = int(rel[1] or 0)
            source = f"N-{k - shift}" if k - shift > 0 else "N" if k == shift else None
            roles.append((name, source if source in names else None))
            continue
        if YEAR.search(name):
            new_name = _shift_years(name, old_year, shift)
            roles.append((new_name, new_name if new_name in names else None))
            continue
        roles.append((name, None))      # an evolution, a count of the year: collected again
    return roles


def _label_index(names: list[str]) -> int:
    return next(i for i, n in enumerate(names) if n not in ("_kind", "_key"))


def _roll_table(csv_path: Path, old_year: int, shift: int) -> int:
    table = load_table(csv_path)
    text_columns = {c.key for c in table.columns if c.type == "text"}
    grid = read_grid(csv_path)
    names = grid.header
    roles = _column_roles(names, old_year, shift)
    kinds = {row.line: row.kind for row in table.rows}
    label = _label_index(names)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([new for new, _ in roles])
    todo = 0
    for line, record in grid.rows:
        row = []
        for pos, (new_name, source) in enumerate(roles):
            value = record[pos]
            if names[pos] in ("_kind", "_key") or pos == label or names[pos] in text_columns:
                row.append(value)
            elif value in ("<<", "^^"):
                row.append(value)
            elif kinds.get(line) in ("section", "header", "text") and not value.strip():
                row.append("")
            elif source is not None:
                row.append(record[names.index(source)])
            else:
                row.append(MISSING)
                todo += 1
        writer.writerow(row)
    csv_path.write_text(out.getvalue(), encoding="utf-8")
    return todo


def _roll_kpis(path: Path, old_year: int, shift: int = 1) -> int:
    data = load_plain(path)
    todo = 0

    def roll(tile: dict) -> None:
        nonlocal todo
        for key in ("label", "sub"):     # « dépenses globales 2023 » speaks of the edition's year
            if isinstance(tile.get(key), str):
                tile[key] = _shift_years(tile[key], old_year, shift, exact=True)
        if "value" in tile and str(tile["value"]).strip():
            tile["previous"] = tile["value"]
            tile["previous_label"] = str(old_year)
            tile["value"] = MISSING
            todo += 1
        for key in ("evolution", "trend"):
            tile.pop(key, None)
        for child in tile.get("dont") or []:
            roll(child)

    for group in data.values():
        tiles = group.get("tiles") if isinstance(group, dict) else group
        for tile in tiles or []:
            roll(tile)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")
    return todo


def _roll_figures(path: Path) -> int:
    data = load_plain(path)
    todo = 0

    def roll(node: Any) -> Any:
        nonlocal todo
        if isinstance(node, dict):
            return {k: roll(v) for k, v in node.items()}
        todo += 1
        return MISSING

    path.write_text(yaml.safe_dump(roll(data), allow_unicode=True, sort_keys=False, width=110),
                    encoding="utf-8")
    return todo


def _roll_charts(path: Path, old_year: int, shift: int, shift_ref) -> None:
    """Printed values of charts are last year's: to collect; references follow their data."""
    data = load_plain(path)

    def value(v: Any) -> Any:
        return shift_ref(str(v)) if str(v).startswith("=") else MISSING

    for chart in data.values():
        if isinstance(chart.get("title"), str):
            chart["title"] = _shift_years(chart["title"], old_year, shift, exact=True)
        if "column" in chart:
            chart["column"] = _shift_years(str(chart["column"]), old_year, shift)
        for point in chart.get("data") or []:
            point["value"] = value(point.get("value", ""))
        for series in chart.get("series") or []:
            series["values"] = [value(v) for v in series.get("values") or []]
            if isinstance(series.get("name"), str):
                series["name"] = _shift_years(series["name"], old_year, shift)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")


@dataclass
class Progress:
    chapters: list[str]           # chapters still to rewrite or review
    missing: dict[str, int]       # file → values still « à renseigner »
    # the PDF files built: (« PDF final », « brouillon » or « épreuve », path, up to date)
    files: list[tuple[str, Path, bool]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return not self.chapters and not self.missing


def status(paths: EditionPaths) -> Progress:
    """What is left to do on an edition: chapters to review, values to collect, by file; the PDFs built."""
    chapters = []
    for md in sorted(paths.content.rglob("*.md")):
        head = md.read_text(encoding="utf-8").split("\n---", 1)[0]
        match = re.search(r"(?m)^review:\s*(.+)$", head)
        if match:
            chapters.append(f"{md.name} : {match[1].strip()}")
    missing: dict[str, int] = {}
    for path, _, _ in placeholders(paths):
        missing[path.name] = missing.get(path.name, 0) + 1
    for place in DataStore.load(paths.data).missing():
        name = place.split(":")[0].split(" ")[0]
        missing[name] = missing.get(name, 0) + 1
    return Progress(chapters, missing, paths.built())


def placeholders(paths: EditionPaths) -> list[tuple[Path, str, int | None]]:
    """Values still « à renseigner » in the manifest and the lists of names (``init`` writes
    some), each as (file, « signatory.name », line): what the figures' own check does not see."""
    files = [paths.manifest, *sorted((paths.data / "lists").glob("*.yml"))]
    return [(path, key, line) for path in files for key, line in manifest_missing(path)]


def manifest_missing(manifest: Path) -> list[tuple[str, int | None]]:
    """The values still « à renseigner » of a YAML file that is not figures: the manifest (a
    signatory, a territory left by ``init``), a list of names (``lists/``). Each as (« signatory.name »,
    line), in the order of the file."""
    from ..yamlio import line_of, load_yaml

    found: list[tuple[str, int | None]] = []

    def walk(node: object, where: str, line: int | None) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}.{key}" if where else str(key), line_of(node, key) or line)
        elif isinstance(node, list):
            for value in node:
                walk(value, where, line)
        elif isinstance(node, str) and node.strip() == french.MISSING:
            found.append((where, line))

    walk(load_yaml(manifest, ConfigError), "", None)
    return found


def restated(project: Project, paths: EditionPaths, store: DataStore) -> list[ReportWarning]:
    """N-1 figures that differ from what the previous edition printed for that year."""
    if not paths.year.isdigit():
        return []
    before = previous_edition(project, paths.caisse, int(paths.year))
    if before is None:
        return []
    old_paths = project.edition(before)
    try:
        old = DataStore.load(old_paths.data)
    except Exception:   # noqa: BLE001 - an unreadable old edition is not this build's problem
        return []
    warnings = []
    for table_id, table in store.tables.items():
        old_table = old.tables.get(table_id)
        if old_table is None:
            continue
        for col in table.columns[1:]:
            if not YEAR.search(col.key) or col.key not in {c.key for c in old_table.columns}:
                continue
            for row in table.rows:
                cell = row.cells[table.column(col.key)]
                try:
                    before_cell = old_table.cell(row.key, col.key)
                except KeyError:
                    continue
                if cell.figure and before_cell.figure and cell.figure.value != before_cell.figure.value:
                    warnings.append(ReportWarning(
                        f"« {row.label} », {col.key} : {cell.text} ici, {before_cell.text} dans "
                        f"{old_table.path.relative_to(project.root)} (chiffre rectifié ? celui-ci est gardé)",
                        table.path, row.line))
    for name, group in store.kpis.items():
        old_group = old.kpis.get(name)
        if old_group is None:
            continue
        old_values = {t.key: t for top in old_group.tiles for t in (top, *top.children)}
        for tile in (t for top in group.tiles for t in (top, *top.children)):
            was = old_values.get(tile.key)
            if was and was.figure and tile.previous and tile.previous != was.value:
                warnings.append(ReportWarning(
                    f"chiffre clé « {name}.{tile.key} » : {tile.previous} pour {int(paths.year) - 1} ici, "
                    f"{was.value} dans {old_group.path.relative_to(project.root)} (celui-ci est gardé)",
                    group.path))
    return warnings
