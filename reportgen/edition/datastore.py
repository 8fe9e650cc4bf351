"""All the figures of one edition (``data/<caisse>/<year>/``), loaded and cross-checked.

The store answers ``resolve("table.row.column")`` for the prose (``fig()``) and
for chart references (``=…``): every printed figure has exactly one source.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import french, paths
from ..errors import DataError, ReportError, gathered
from .readers import READERS
from .tables import Table, load_table
from ..yamlio import line_of, load_yaml


@dataclass
class Tile:
    key: str
    label: str
    value: str = ""            # typeset figure, or "" for a text tile
    figure: french.Figure | None = None
    prefix: str = ""
    sub: str = ""
    evolution: str = ""
    evolution_figure: french.Figure | None = None
    text: str = ""
    unit: str = ""
    previous: str = ""         # the N-1 value, typeset
    previous_label: str = ""   # "2018", "en 2018"…
    trend: str = ""            # up | down | rising | falling | flat, from the evolution or as given
    children: list["Tile"] = field(default_factory=list)   # the « dont » tiles it splits into

    @property
    def missing(self) -> bool:
        """Still « à renseigner »: the figure has not been collected yet."""
        return self.value == french.MISSING


TRENDS = {"up": "↑", "down": "↓", "rising": "↗", "falling": "↘", "flat": "→"}


@dataclass
class Email:
    address: str
    label: str = ""


@dataclass
class Contact:
    title: str
    phone: str = ""
    phone_note: str = ""
    hours: str = ""
    emails: list[Email] = field(default_factory=list)
    address: list[str] = field(default_factory=list)
    web: str = ""
    lines: list[str] = field(default_factory=list)


@dataclass
class ContactList:
    id: str
    title: str
    entries: list[Contact]
    path: Path


@dataclass
class TileGroup:
    id: str
    title: str
    tiles: list[Tile]
    path: Path


@dataclass
class RosterGroup:
    title: str
    rows: list[list[str]] = field(default_factory=list)
    groups: list["RosterGroup"] = field(default_factory=list)


@dataclass
class Roster:
    id: str
    title: str
    subtitle: str
    columns: list[str]
    groups: list[RosterGroup]
    notes: list[str]
    path: Path


@dataclass
class ChartSpec:
    id: str
    raw: dict
    path: Path
    line: int | None


@dataclass
class GlossaryEntry:
    term: str
    definition: str


@dataclass
class Value:
    """A resolved figure: what to print, the parsed figure if numeric, where it comes from."""

    display: str
    figure: french.Figure | None
    origin: str


class DataStore:
    """The edition's tables, tiles, figures, charts, rosters and glossary."""

    def __init__(self, root: Path):
        self.root = root
        self.tables: dict[str, Table] = {}
        self.kpis: dict[str, TileGroup] = {}
        self.figures: dict[str, tuple[str, Path]] = {}
        self.charts: dict[str, ChartSpec] = {}
        self.rosters: dict[str, Roster] = {}
        self.glossary: list[GlossaryEntry] = []
        self.contacts: dict[str, ContactList] = {}
        self.used: set[str] = set()

    # --- loading ------------------------------------------------------------------------------
    @classmethod
    def load(cls, root: Path) -> "DataStore":
        """Every data file read and checked; the mistakes of all of them are reported together.

        Each table file, each entry of a YAML file is checked on its own: a build stops with
        all their errors at once (:class:`~reportgen.errors.DataErrors`), ``check`` lists each.
        Charts are resolved once everything else has loaded without error, since they cite it.
        """
        if not root.is_dir():
            raise DataError("dossier de données introuvable", root,
                            hint="créez-le : chaque édition a son dossier data/<caisse>/<année>/")
        store = cls(root)
        problems: list[ReportError] = []

        def gather(func, *args):
            try:
                return func(*args)
            except ReportError as exc:
                problems.append(exc)
                return None

        tables_dir = root / "tables"
        if tables_dir.is_dir():
            for path in sorted(tables_dir.iterdir()):
                gather(store._load_table, path)
        for folder, make, target in (("kpis", _tile_group, store.kpis), ("lists", _roster, store.rosters),
                                     ("charts", _chart_spec, store.charts),
                                     ("contacts", _contacts, store.contacts)):
            for path, key, value, line in store._entries(folder, problems):
                made = gather(make, key, value, path, line)
                if made is not None:
                    target[key] = made
        for path in gather(_yaml_files, root / "figures") or []:
            gather(store._read_figures, path)
        glossary = root / "glossary.yml"
        if glossary.exists() or glossary.is_symlink():
            store.glossary = gather(_read_glossary, glossary, root) or []
        clash = set(store.tables) & {k.split(".")[0] for k in store.figures}
        if clash:
            problems.append(DataError(f"« {sorted(clash)[0]} » est à la fois un tableau et un groupe de chiffres",
                                      root / "figures", hint="renommez le groupe dans figures/"))
        if not problems:      # a chart cites tables and tiles: checked against a complete store only
            store._check_charts(problems)
        if problems:
            raise gathered(problems)
        return store

    def _load_table(self, path: Path) -> None:
        """One file of ``tables/``: a table with its description, or a description with its table."""
        root = self.root
        if path.suffix.lower() in READERS or path.suffix == ".yml":
            _in_data(path, root)
        if path.suffix.lower() in READERS:
            if not path.is_file():
                raise DataError("ce tableau est un dossier, pas un fichier", path,
                                hint="remplacez-le par le fichier de données du tableau")
            if path.stem in self.tables:
                raise DataError(f"le tableau « {path.stem} » existe en deux formats", path)
            if not path.with_suffix(".yml").is_file():
                raise DataError("tableau sans description", path,
                                hint=f"créez {path.stem}.yml à côté, avec au moins « title: »")
            self.tables[path.stem] = load_table(path, int(root.name) if root.name.isdigit() else None)
        elif path.suffix == ".yml" and not any(path.with_suffix(ext).exists() for ext in READERS):
            raise DataError("description de tableau sans fichier de données", path,
                            hint=f"ajoutez {path.stem}.csv à côté")

    def _check_charts(self, problems: list[ReportError] | None = None) -> None:
        """Every chart resolved once now, so that its mistakes are reported in its own file.

        A chart is otherwise prepared where a chapter places it; an error found there would
        name the chapter. Values still « à renseigner » are listed by :meth:`missing`. With
        ``problems``, each chart's mistake is noted there and the others are checked.
        """
        from ..render import charts   # deferred: the charts module reads this one's types

        used = set(self.used)
        for spec in self.charts.values():
            try:
                charts.prepare(spec, self)
            except charts.MissingValue:
                pass
            except ReportError as exc:
                if problems is None:
                    raise
                problems.append(exc)
        self.used = used   # resolving is not citing: « tableau jamais imprimé » still counts uses

    def missing(self) -> list[str]:
        """Every value still « à renseigner », with its place: tables, key figures, figures."""
        found = [place for table in self.tables.values() for place in table.missing()]
        for group in self.kpis.values():
            for tile in (t for top in group.tiles for t in (top, *top.children)):
                if tile.missing or tile.previous == french.MISSING:
                    found.append(f"{group.path.name} (chiffre clé « {group.id}.{tile.key} »)")
        found += [f"{path.name} (chiffre « {key} »)" for key, (value, path) in self.figures.items()
                  if value.strip() == french.MISSING]
        for chart in self.charts.values():
            values = [p.get("value") for p in chart.raw.get("data") or [] if isinstance(p, dict)]
            values += [v for s in chart.raw.get("series") or [] for v in s.get("values") or []]
            found += [f"{chart.path.name} (graphique « {chart.id} »)"
                      for v in values if str(v).strip() == french.MISSING]
        return found

    def _entries(self, folder: str, problems: list[ReportError]):
        """Each top-level entry of every YAML file in a folder; a key defined twice is an error.

        A file's mistake is noted in ``problems`` and the other files are read.
        """
        origin: dict[str, Path] = {}
        try:
            files = _yaml_files(self.root / folder)
        except ReportError as exc:
            problems.append(exc)
            return
        for path in files:
            try:
                content = load_yaml(path) or {}
            except ReportError as exc:
                problems.append(exc)
                continue
            if not isinstance(content, dict):
                problems.append(DataError("le fichier doit être une suite de clés « nom: … »", path, 1))
                continue
            if folder == "lists" and _one_roster(content):
                content = {path.stem: content}  # one roster per file, named after the file
            for key, value in content.items():
                if key in origin:
                    problems.append(DataError(f"« {key} » est déjà défini dans {origin[key].name}", path,
                                              line_of(content, key)))
                    continue
                origin[key] = path
                yield path, key, value, line_of(content, key)

    def _read_figures(self, path: Path) -> None:
        self._add_figures(load_yaml(path) or {}, path, "")

    def _add_figures(self, mapping: Any, path: Path, prefix: str, line: int | None = 1) -> None:
        if not isinstance(mapping, dict):
            raise DataError("les chiffres doivent être donnés par clés", path, line,
                            hint="écrivez « nom: \"1 234\" », un chiffre par ligne")
        for key, value in mapping.items():
            full = f"{prefix}{key}"
            at = line_of(mapping, key)
            if isinstance(value, dict):
                self._add_figures(value, path, full + ".", at)
                continue
            if full in self.figures:
                raise DataError(f"le chiffre « {full} » est déjà défini dans "
                                f"{self.figures[full][1].name}", path, at)
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                what = ("vide" if value is None else "une liste" if isinstance(value, list)
                        else "lu comme oui/non" if isinstance(value, bool) else f"« {value} »")
                raise DataError(f"le chiffre « {full} » est {what} : un chiffre ou un texte imprimé est attendu",
                                path, at, hint='écrivez-le entre guillemets, tel qu\'imprimé : "1 234,5"')
            _figure_field(value, path, at, f"le chiffre « {full} »", required=False)
            self.figures[full] = (str(value), path)

    # --- resolution ---------------------------------------------------------------------------
    def resolve(self, ref: str) -> Value:
        """``table.row.column``, ``kpis.group.tile`` or a key of ``figures/``.

        An unknown reference says which known ones are closest (« proches : … »), as the
        other directives do for their names.
        """
        try:
            return self._resolve(ref)
        except KeyError as exc:
            message = str(exc.args[0]) if exc.args else f"« {ref} » inconnu"
            close = self.close_refs(ref)
            if close:   # the closest references say more than the list of every row or column
                message = re.sub(r" \((?:lignes|colonnes) : [^()]*\)$", "", message)
                message += f" (proches : {', '.join(close)})"
            raise KeyError(message) from None

    def close_refs(self, ref: str, count: int = 3) -> list[str]:
        """The known references closest to ``ref`` (:mod:`difflib`), among the tables, tile groups
        and figures whose name is closest to its first part."""
        head = ref.split(".")[0]
        heads = set(self.tables) | {k.split(".")[0] for k in self.figures} | ({"kpis"} if self.kpis else set())
        near = [head] if head in heads else difflib.get_close_matches(head, heads, n=3, cutoff=0.6)
        candidates: list[str] = []
        for name in near:
            if name in self.tables:
                table = self.tables[name]
                candidates += [f"{name}.{row.key}.{col.key}" for row in table.rows for col in table.columns[1:]]
            elif name == "kpis":
                candidates += [f"kpis.{group.id}.{tile.key}" for group in self.kpis.values()
                               for top in group.tiles for tile in (top, *top.children)]
            candidates += [key for key in self.figures if key.split(".")[0] == name]
        return difflib.get_close_matches(ref, candidates, n=count, cutoff=0.6)

    def _resolve(self, ref: str) -> Value:
        self.used.add(ref)
        if ref in self.figures:
            text, path = self.figures[ref]
            figure = french.parse_figure(text)
            return Value(french.format_figure(figure) if figure else french.typeset_prose(text),
                         figure, path.name)
        parts = ref.split(".")
        if parts[0] == "kpis" and len(parts) == 3:
            group = self.kpis.get(parts[1])
            if group is None:
                raise KeyError(f"groupe de chiffres clés « {parts[1]} » inconnu")
            for tile in (t for top in group.tiles for t in (top, *top.children)):
                if tile.key == parts[2]:
                    return Value(tile.value or tile.text, tile.figure, group.path.name)
            raise KeyError(f"chiffre clé « {parts[2]} » inconnu dans « {parts[1]} »")
        if parts[0] in self.tables:
            if len(parts) != 3:
                raise KeyError(f"« {ref} » : écrivez tableau.ligne.colonne")
            table = self.tables[parts[0]]
            cell = table.cell(parts[1], parts[2])
            return Value(cell.display, cell.figure, f"{table.path.name}:{table.row(parts[1]).line}")
        raise KeyError(f"« {ref} » ne correspond à aucun tableau, chiffre clé ni chiffre de figures/")

    def value(self, item: Any) -> Value:
        """A chart or tile value: a printed figure, or a ``=reference``."""
        text = str(item).strip()
        if text.startswith("="):
            return self.resolve(text[1:].strip())
        figure = french.parse_figure(text)
        return Value(french.format_figure(figure) if figure else text, figure, "")


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml"))
    for path in found:
        _in_data(path, folder.parent)
    return found


def data_folder(root: Path) -> Path:
    """The project's ``data/`` folder, of which ``root`` (``data/<caisse>/<année>``) is an edition."""
    return root.parents[1] if len(root.parents) > 1 and root.parents[1].name == "data" else root


def _in_data(path: Path, root: Path) -> None:
    """A data file is read only if it lies in the project's ``data/``, symbolic links followed.

    A link to a file elsewhere would print that file (or leak it in the web edition).
    """
    if not paths.within(path, [data_folder(root)]):
        raise DataError("fichier de données hors du dossier data/ du projet (lien symbolique ?)", path,
                        hint="copiez le fichier lui-même dans le dossier de l'édition, à la place du lien")


def _figure_field(value: Any, path: Path, line: int | None, what: str,
                  required: bool = True) -> tuple[str, french.Figure | None]:
    """A printed figure of a data file, typeset; ``required=False`` lets a text through."""
    if value is None or value == "":
        return "", None
    if isinstance(value, (bool, list, dict)):
        raise DataError(f"{what} doit être un chiffre écrit tel qu'imprimé", path, line,
                        hint='écrivez-le entre guillemets : "1 234,5"')
    text = str(value).strip()
    if text == french.MISSING:
        return french.MISSING, None
    figure = french.parse_figure(text)
    if figure is None:
        if not required:
            return french.typeset_prose(text), None
        raise DataError(f"{what} « {text} » n'est pas un chiffre", path, line,
                        hint="écrivez-le tel qu'imprimé (1 234 ; 12,5 % ; 3 304) ou utilisez « text: »")
    if french.too_long(figure):
        raise DataError(f"{what} « {text[:20]}… » a plus de {french.MAX_DIGITS} chiffres", path, line,
                        hint="vérifiez-le : un rapport n'imprime pas de nombre aussi long")
    return french.format_figure(figure), figure


GROUP_KEYS = {"title", "tiles"}
TILE_KEYS = {"key", "label", "value", "text", "prefix", "unit", "sub", "evolution", "previous",
             "previous_label", "trend", "dont"}


def _unknown_key(raw: dict, known: set[str], what: str, path: Path) -> None:
    """A key the block does not read is a typing error: it would be silently left out."""
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        raise DataError(f"{what} : clé inconnue « {unknown[0]} »", path,
                        line_of(raw, unknown[0]) or line_of(raw), hint=f"clés possibles : {', '.join(sorted(known))}")


def _tile_group(key: str, value: Any, path: Path, line: int | None = None) -> TileGroup:
    if isinstance(value, list):
        value = {"tiles": value}
    if not isinstance(value, dict) or not isinstance(value.get("tiles"), list):
        raise DataError(f"le groupe « {key} » doit avoir une liste « tiles: »", path,
                        line_of(value, "tiles") or line,
                        hint="tiles: puis une ligne « - {key: …, value: …, label: …} » par chiffre clé")
    _unknown_key(value, GROUP_KEYS, f"groupe « {key} »", path)
    tiles = [_tile(raw, n, key, value, path) for n, raw in enumerate(value["tiles"], 1)]
    keys = [t.key for tile in tiles for t in (tile, *tile.children)]
    double = next((k for k in keys if keys.count(k) > 1), None)
    if double:
        raise DataError(f"deux chiffres clés s'appellent « {double} » dans le groupe « {key} »", path,
                        line_of(value, "tiles"), hint="chaque « key » d'un groupe doit être unique")
    return TileGroup(key, str(value.get("title", "")), tiles, path)


def _tile(raw: Any, n: int, group: str, parent: Any, path: Path, nested: bool = False) -> Tile:
    """One tile; ``dont:`` lists the tiles it splits into (printed under it, as printed)."""
    if not isinstance(raw, dict) or "label" not in raw:
        raise DataError(f"chiffre clé n° {n} du groupe « {group} » : « label » manquant", path,
                        line_of(raw) or line_of(parent, "dont" if nested else "tiles"),
                        hint="un chiffre clé s'écrit - {key: …, value: \"1 234\", label: …}")
    if not isinstance(raw["label"], str) or not raw["label"].strip():   # « label: » left empty, or a number
        raise DataError(f"chiffre clé n° {n} du groupe « {group} » : « label » doit être un texte non vide",
                        path, line_of(raw, "label") or line_of(raw),
                        hint='écrivez le libellé imprimé sous le chiffre, entre guillemets : label: "assurés"')
    _unknown_key(raw, TILE_KEYS, f"chiffre clé « {raw['label']} »", path)
    line = line_of(raw, "value")
    display, figure = _figure_field(raw.get("value"), path, line, "la valeur")
    evo, evo_fig = _figure_field(raw.get("evolution"), path, line_of(raw, "evolution"), "l'évolution")
    if figure is None and not raw.get("text") and str(raw.get("value", "")).strip() != french.MISSING:
        raise DataError(f"chiffre clé « {raw['label']} » sans « value » ni « text »", path, line_of(raw))
    previous, _ = _figure_field(raw.get("previous"), path, line_of(raw, "previous"), "la valeur N-1")
    trend = str(raw.get("trend", "") or "")
    if trend and trend not in TRENDS:
        raise DataError(f"tendance « {trend} » inconnue", path, line_of(raw, "trend"),
                        hint=f"valeurs possibles : {', '.join(TRENDS)}")
    if not trend and evo_fig is not None:
        trend = "flat" if evo_fig.value == 0 else ("rising" if evo_fig.value > 0 else "falling")
    parts = raw.get("dont") or []
    if parts and (nested or not isinstance(parts, list)):
        raise DataError(f"chiffre clé « {raw['label']} » : « dont » attend une liste de chiffres clés, "
                        "sur un seul niveau", path, line_of(raw, "dont"))
    children = [_tile(child, k, group, raw, path, nested=True) for k, child in enumerate(parts, 1)]
    return Tile(key=str(raw.get("key") or f"tile-{n}"), label=french.typeset_prose(str(raw["label"])),
                value=display, figure=figure, prefix=str(raw.get("prefix", "")),
                sub=french.typeset_prose(str(raw.get("sub", ""))), evolution=evo,
                evolution_figure=evo_fig, text=str(raw.get("text", "")).strip(),
                unit=str(raw.get("unit", "")), previous=previous,
                previous_label=str(raw.get("previous_label", "N-1")), trend=trend, children=children)


ROSTER_KEYS = {"title", "subtitle", "columns", "groups", "rows", "notes"}
ROSTER_GROUP_KEYS = {"title", "rows", "groups"}


def _roster_rows(raw: Any, path: Path, line: int | None, width: int) -> list[list[str]]:
    """The rows of a list: each a list of one text per column (``""`` for an empty cell).

    YAML gives the line of mapping keys only: a wrong row is reported at its ``rows:`` line.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise DataError("« rows: » attend une liste de lignes", path, line,
                        hint='une ligne par tiret : - ["Nom", "Qualité"]')
    rows = []
    for n, row in enumerate(raw, 1):
        if not isinstance(row, list):
            raise DataError(f"ligne n° {n} : « {row} » n'est pas une ligne de la liste", path, line,
                            hint="une ligne est une liste d'une valeur par colonne : - ["
                                 + ", ".join(['"…"'] * width) + "]")
        if any(isinstance(c, (list, dict, bool)) for c in row):
            raise DataError(f"ligne n° {n} : une case est un texte (mettez-le entre guillemets)", path, line)
        cells = [str(c) if c is not None else "" for c in row]
        if len(cells) > width:
            raise DataError(f"ligne n° {n} : {len(cells)} cellules pour {width} colonnes", path, line)
        rows.append(cells + [""] * (width - len(cells)))
    return rows


def _roster_groups(raw: Any, path: Path, line: int | None, width: int) -> list[RosterGroup]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise DataError("« groups: » attend une liste de groupes", path, line,
                        hint="un groupe par tiret : - title: … puis rows: ou groups:")
    groups = []
    for item in raw:
        if not isinstance(item, dict):
            raise DataError("un groupe doit avoir « title: » et « rows: » ou « groups: »", path, line)
        _unknown_key(item, ROSTER_GROUP_KEYS, f"groupe « {item.get('title', '')} »", path)
        groups.append(RosterGroup(str(item.get("title", "") or ""),
                                  _roster_rows(item.get("rows"), path, line_of(item, "rows"), width),
                                  _roster_groups(item.get("groups"), path, line_of(item, "groups"), width)))
    return groups


ROSTER_HINT = ("une liste s'écrit title: (le titre imprimé, ou \"\" pour aucun), columns: [Titulaires, Suppléants], "
               "puis ses lignes sous rows: (- [\"Nom\", \"Qualité\"]) ou ses groupes sous groups: "
               "(- title: …, puis rows:) ; voir « Les listes » dans docs/edition-format.md")


def _one_roster(content: dict) -> bool:
    """A file of ``lists/`` holds one list, named after the file, when the keys of a list
    (``title:``, ``columns:``, ``groups:``, ``rows:``…) are written at its top; otherwise each
    top-level key names a list of its own."""
    return any(key in ROSTER_KEYS and not isinstance(value, dict) for key, value in content.items())


def _roster_text(value: dict, key: str, roster: str, path: Path) -> str:
    """``title:`` or ``subtitle:``: a text; left empty (« title: »), nothing is printed."""
    text = value.get(key)
    if text is None:
        return ""
    if isinstance(text, (list, dict)):
        raise DataError(f"liste « {roster} » : « {key}: » attend un texte", path, line_of(value, key),
                        hint=f'écrivez {key}: "…" sur une ligne')
    return str(text)


def _roster(key: str, value: Any, path: Path, line: int | None) -> Roster:
    """One list (:data:`ROSTER_HINT`): its title, columns, then its rows, its groups, or both."""
    if not isinstance(value, dict):
        raise DataError(f"la liste « {key} » doit être une suite de clés : title:, columns:, puis rows: "
                        "ou groups:", path, line, hint=ROSTER_HINT)
    _unknown_key(value, ROSTER_KEYS, f"liste « {key} »", path)
    where = line or line_of(value) or 1
    if "title" not in value:
        raise DataError(f"liste « {key} » : « title: » manquant", path, where,
                        hint="écrivez en tête de la liste title: suivi du titre imprimé au-dessus d'elle "
                             "(title: Composition du Conseil), ou title: \"\" pour une liste sans titre")
    if "groups" not in value and "rows" not in value:
        raise DataError(f"liste « {key} » : ni « rows: » ni « groups: », la liste n'a aucune ligne", path, where,
                        hint="écrivez ses lignes sous rows: (une par tiret : - [\"Nom\", \"Qualité\"]) ou des "
                             "groupes sous groups: (- title: Le collège, puis rows:)")
    for field_name in ("columns", "notes"):
        if value.get(field_name) is not None and not isinstance(value[field_name], list):
            raise DataError(f"liste « {key} » : « {field_name}: » attend une liste", path,
                            line_of(value, field_name), hint=f"écrivez {field_name}: [\"…\", \"…\"]")
    columns = [str(c) for c in value.get("columns") or []]
    width = max(len(columns), 1)
    groups = _roster_groups(value.get("groups"), path, line_of(value, "groups"), width)
    if value.get("rows"):
        groups.insert(0, RosterGroup("", _roster_rows(value["rows"], path, line_of(value, "rows"), width)))
    return Roster(key, _roster_text(value, "title", key, path), _roster_text(value, "subtitle", key, path),
                  columns, groups, [str(n) for n in value.get("notes") or []], path)


def _chart_spec(key: str, value: Any, path: Path, line: int | None) -> ChartSpec:
    if not isinstance(value, dict) or "kind" not in value:
        raise DataError(f"le graphique « {key} » doit avoir un « kind »", path, line,
                        hint="kind: donut, pie, bar, hbar, grouped-bar, line ou bullet")
    return ChartSpec(key, value, path, line)


def _contacts(key: str, value: Any, path: Path, line: int | None) -> ContactList:
    if isinstance(value, list):
        value = {"entries": value}
    if not isinstance(value, dict) or not isinstance(value.get("entries"), list):
        raise DataError(f"les contacts « {key} » doivent avoir une liste « entries: »", path, line)
    known = {"title", "phone", "phone_note", "hours", "email", "address", "web", "lines"}
    entries = []
    for n, item in enumerate(value["entries"], 1):
        if not isinstance(item, dict) or "title" not in item:
            raise DataError(f"contact n° {n} de « {key} » : « title » manquant", path, line_of(item) or line)
        unknown = set(item) - known
        if unknown:
            raise DataError(f"contact « {item['title']} » : clé inconnue « {sorted(unknown)[0]} »", path,
                            line_of(item, sorted(unknown)[0]), hint=f"clés possibles : {', '.join(sorted(known))}")
        for name, kinds in (("lines", list), ("address", (list, str)), ("email", (list, str))):
            if item.get(name) is not None and not isinstance(item[name], kinds):
                raise DataError(f"contact « {item['title']} » : « {name}: » attend "
                                + ("une liste de lignes" if kinds is list else "un texte ou une liste"),
                                path, line_of(item, name))
        raw_emails = item.get("email") or []
        emails = []
        for text in (raw_emails if isinstance(raw_emails, list) else [raw_emails]):
            label, _, address = str(text).rpartition(" : ")
            if "@" not in address or " " in address.strip():
                raise DataError(f"contact « {item['title']} » : adresse électronique « {address} » invalide", path,
                                line_of(item, "email"), hint="écrivez adresse@domaine ou « Libellé : adresse@domaine »")
            emails.append(Email(address.strip(), label.strip()))
        address = item.get("address") or []
        entries.append(Contact(str(item["title"]), str(item.get("phone", "") or ""),
                               str(item.get("phone_note", "") or ""), str(item.get("hours", "") or ""), emails,
                               [str(a) for a in (address if isinstance(address, list) else str(address).splitlines())],
                               str(item.get("web", "") or ""), [str(x) for x in item.get("lines") or []]))
    return ContactList(key, str(value.get("title", "")), entries, path)


def _read_glossary(path: Path, root: Path) -> list[GlossaryEntry]:
    _in_data(path, root)
    return _glossary(load_yaml(path) or [], path)


def _glossary(raw: Any, path: Path) -> list[GlossaryEntry]:
    if isinstance(raw, dict):
        raw = raw.get("entries", [])
    if not isinstance(raw, list):
        raise DataError("le glossaire doit être une liste d'entrées « - {term: …, definition: …} »", path, 1)
    entries = []
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict) or "term" not in item or "definition" not in item:
            raise DataError(f"entrée n° {n} : « term » et « definition » sont attendus", path, line_of(item))
        entries.append(GlossaryEntry(str(item["term"]), str(item["definition"])))
    return entries
