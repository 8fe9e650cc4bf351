"""Charts: a registry of kinds (``@chart("donut")``), drawn by matplotlib as SVG.

Text stays text in the SVG (``svg.fonttype = none``) so that it is selectable in
the PDF and set in the layout's font. Each chart gets a text alternative made
from its data, in French, with the figures typeset by :mod:`reportgen.french`.
"""
from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import french
from .datastore import ChartSpec, DataStore
from .errors import DataError
from .yamlio import line_of

KIND_NAMES = {
    "donut": "Graphique en anneau", "pie": "Graphique en secteurs", "bar": "Graphique en barres",
    "hbar": "Graphique en barres horizontales", "grouped-bar": "Graphique en barres groupées",
    "line": "Graphique en courbes", "bullet": "Graphique résultat / objectif",
}


@dataclass
class Point:
    label: str
    value: float
    display: str
    target: float | None = None
    target_display: str = ""
    floor: float | None = None
    floor_display: str = ""


@dataclass
class Series:
    name: str
    values: list[float]
    displays: list[str]


@dataclass
class ChartData:
    """A chart with its figures resolved, ready to draw."""

    id: str
    kind: str
    title: str
    unit: str = ""
    source: str = ""
    points: list[Point] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    width: float = 7.0
    height: float = 2.9

    def alt_text(self) -> str:
        """« Graphique en anneau : Population protégée CPAM : Régime général : 730 948 ; … »"""
        head = f"{KIND_NAMES.get(self.kind, 'Graphique')} : {self.title}"
        if self.unit:
            head += f" (en {self.unit})"
        if self.points:
            items = []
            for p in self.points:
                item = f"{p.label} : {p.display}"
                if p.target_display:
                    item += f" (objectif {p.target_display}"
                    item += f", socle {p.floor_display})" if p.floor_display else ")"
                items.append(item)
            body = " ; ".join(items)
        else:
            body = " ; ".join(
                f"{s.name} : " + ", ".join(f"{c} {d}" for c, d in zip(self.categories, s.displays))
                for s in self.series)
        return f"{head}. {body}."

    def digest(self, theme: dict) -> str:
        payload = json.dumps([self.__dict__, theme, DRAWING], default=lambda o: o.__dict__, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def file_name(data: ChartData, theme: dict) -> str:
    """Where a chart is drawn, under the edition's build folder: one file per look and figures."""
    return f"charts/{data.id}-{data.digest(theme)}.svg"


SCREEN_WIDTH = 3.6   # inches: a phone's width, where the printed text size is read as is


def for_screen(data: ChartData) -> ChartData:
    """The chart drawn again for a phone: narrow, so its text is not shrunk below reading size."""
    rows = len(data.points) if data.kind in ("hbar", "bullet") else 0   # wrapped labels need height
    return replace(data, id=f"{data.id}.ecran", width=SCREEN_WIDTH, height=max(data.height, 3.0, 0.65 * rows + 0.4))


DRAWERS: dict[str, Callable[[Any, ChartData, dict], None]] = {}


def chart(kind: str):
    """Register a drawing function for a chart kind."""
    def register(func):
        DRAWERS[kind] = func
        return func
    return register


class MissingValue(Exception):
    """A chart whose figures are still « à renseigner »: a draft shows a frame instead."""


CHART_KEYS = {"kind", "title", "unit", "source", "height", "data", "categories", "series", "table",
              "column", "rows"}
POINT_KEYS = {"label", "value", "target", "floor"}
SERIES_KEYS = {"name", "values"}
PARTS = ("donut", "pie")    # parts of a whole: no negative part, and not all zero


def _line_at(raw: Any, key: str | None, spec: ChartSpec) -> int | None:
    """The line of ``key`` in the chart's YAML, or of the chart itself."""
    return line_of(raw, key) or line_of(raw) or spec.line


def _known(raw: dict, known: set[str], what: str, spec: ChartSpec) -> None:
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        raise DataError(f"graphique « {spec.id} » : clé inconnue « {unknown[0]} »{what}", spec.path,
                        _line_at(raw, unknown[0], spec), hint=f"clés possibles : {', '.join(sorted(known))}")


def _list_of(raw: dict, key: str, spec: ChartSpec, mappings: bool, example: str) -> list:
    """``raw[key]``: a list (of mappings), or the chart's file and line say what is expected."""
    value = raw.get(key) or []
    if not isinstance(value, list) or (mappings and not all(isinstance(v, dict) for v in value)):
        raise DataError(f"graphique « {spec.id} » : « {key}: » attend une liste"
                        + (" de « {…} »" if mappings else ""), spec.path, _line_at(raw, key, spec),
                        hint=f"écrivez par exemple {example}")
    return value


def _number(store: DataStore, raw: Any, spec: ChartSpec, what: str, line: int | None) -> tuple[float, str]:
    if raw is None or raw == "":
        raise DataError(f"graphique « {spec.id} » : {what} manque", spec.path, line,
                        hint="écrivez le chiffre tel qu'imprimé (\"1 234,5\") ou « =tableau.ligne.colonne »")
    try:
        value = store.value(raw)
    except KeyError as exc:
        raise DataError(f"graphique « {spec.id} » : {exc.args[0]}", spec.path, line) from None
    if value.display == french.MISSING:
        raise MissingValue(spec.id)
    if value.figure is None:
        raise DataError(f"graphique « {spec.id} » : {what} « {raw} » n'est pas un chiffre",
                        spec.path, line, hint="écrivez le chiffre tel qu'imprimé (\"1 234,5\") ou renvoyez à un "
                                              "chiffre avec « =tableau.ligne.colonne »")
    if french.too_long(value.figure):
        raise DataError(f"graphique « {spec.id} » : {what} a plus de {french.MAX_DIGITS} chiffres",
                        spec.path, line, hint="vérifiez le chiffre : un rapport n'imprime pas de nombre aussi long")
    return float(value.figure.value), value.display


def prepare(spec: ChartSpec, store: DataStore) -> ChartData:
    """Resolve a chart's values (``=`` references included) and check its shape.

    Every mistake is reported in the chart's YAML file, at the line of the key at fault.
    """
    raw = spec.raw
    kind = raw["kind"]
    if not isinstance(kind, str) or kind not in DRAWERS:
        raise DataError(f"type de graphique « {kind} » inconnu", spec.path, _line_at(raw, "kind", spec),
                        hint=f"types possibles : {', '.join(sorted(DRAWERS))}")
    _known(raw, CHART_KEYS, "", spec)
    data = ChartData(spec.id, kind, french.typeset_prose(str(raw.get("title", ""))),
                     str(raw.get("unit", "")), str(raw.get("source", "")))
    if "height" in raw:
        height = raw["height"]
        if isinstance(height, bool) or not isinstance(height, (int, float)) or not 0.5 <= height <= 10:
            raise DataError(f"graphique « {spec.id} » : hauteur « {height} » impossible", spec.path,
                            _line_at(raw, "height", spec), hint="un nombre de pouces entre 0.5 et 10, par exemple 2.5")
        data.height = float(height)
    if kind in ("grouped-bar", "line"):
        data.categories = [str(c) for c in _list_of(raw, "categories", spec, False, '[Jan, "Fév"]')]
        for s in _list_of(raw, "series", spec, True, '- {name: "2017", values: ["1 200", "1 300"]}'):
            _known(s, SERIES_KEYS, " dans une série", spec)
            line = _line_at(s, "values", spec)
            raw_values = _list_of(s, "values", spec, False, '["1 200", "=tableau.ligne.colonne"]')
            values, displays = zip(*[_number(store, v, spec, "la valeur", line) for v in raw_values]) \
                if raw_values else ((), ())
            if len(values) != len(data.categories):
                raise DataError(f"graphique « {spec.id} » : la série « {s.get('name')} » a {len(values)} "
                                f"valeurs pour {len(data.categories)} catégories", spec.path, line)
            data.series.append(Series(str(s.get("name", "")), list(values), list(displays)))
        if not data.series:
            raise DataError(f"graphique « {spec.id} » : « series » manquant", spec.path,
                            _line_at(raw, "series", spec))
    elif "table" in raw:
        data.points = _points_from_table(raw, spec, store)
    else:
        for item in _list_of(raw, "data", spec, True, '- {label: Régime général, value: "730 948"}'):
            _known(item, POINT_KEYS, " dans « data »", spec)
            line = _line_at(item, "value", spec)
            value, display = _number(store, item.get("value"), spec, "la valeur", line)
            point = Point(french.typeset_prose(str(item.get("label", ""))), value, display)
            if "target" in item:
                point.target, point.target_display = _number(store, item["target"], spec, "l'objectif",
                                                             _line_at(item, "target", spec))
            if "floor" in item:
                point.floor, point.floor_display = _number(store, item["floor"], spec, "le socle",
                                                           _line_at(item, "floor", spec))
            if kind in PARTS and value < 0:
                raise _negative_part(spec, point.label, display, line)
            data.points.append(point)
        if not data.points:
            raise DataError(f"graphique « {spec.id} » : « data » manquant", spec.path, _line_at(raw, "data", spec))
    if kind in PARTS and not any(p.value for p in data.points):
        raise DataError(f"graphique « {spec.id} » : toutes les parts valent 0, il n'y a rien à dessiner",
                        spec.path, _line_at(raw, "data" if "data" in raw else "table", spec),
                        hint="vérifiez les valeurs, ou retirez le graphique")
    if "height" not in raw and kind == "hbar":
        data.height = min(0.24 * len(data.points) + 0.45, 4.5)   # bars keep one thickness
    return data


def _negative_part(spec: ChartSpec, label: str, display: str, line: int | None, origin: str = "") -> DataError:
    return DataError(f"graphique « {spec.id} » : la part « {label} » vaut {display}{origin} ; un graphique "
                     f"en {'anneau' if spec.raw.get('kind') == 'donut' else 'secteurs'} ne montre que des "
                     "parts positives", spec.path, line,
                     hint="vérifiez la valeur, ou dessinez des barres (« kind: hbar ») : elles partent "
                          "à gauche du zéro")


def _points_from_table(raw: dict, spec: ChartSpec, store: DataStore) -> list[Point]:
    """``table: name`` + ``column: key``: one point per row of the table that holds a figure.

    ``rows: [key, …]`` keeps only those rows, in that order. A donut or pie shows parts of
    a whole: there, rows of kind ``subtotal`` and ``total`` are left out unless listed.
    """
    skipped = {"section", "header", "text"}
    if raw.get("kind") in PARTS:
        skipped |= {"subtotal", "total"}
    name = str(raw["table"])
    table = store.tables.get(name)
    if table is None:
        raise DataError(f"graphique « {spec.id} » : tableau « {name} » inconnu", spec.path,
                        _line_at(raw, "table", spec),
                        hint="le nom est celui du fichier de data/…/tables/, sans extension")
    try:
        col = table.column(str(raw.get("column", table.columns[-1].key)))
    except KeyError as exc:
        raise DataError(f"graphique « {spec.id} » : {exc.args[0]}", spec.path,
                        _line_at(raw, "column", spec)) from None
    try:
        wanted = [str(k) for k in _list_of(raw, "rows", spec, False, "[ij, autres-prestations]")]
        rows = [table.row(k) for k in wanted] if wanted else \
            [r for r in table.rows if r.kind not in skipped]
    except KeyError as exc:
        raise DataError(f"graphique « {spec.id} » : {exc.args[0]}", spec.path, _line_at(raw, "rows", spec)) from None
    store.used.update(f"{name}.{r.key}.{table.columns[col].key}" for r in rows)
    if any(r.cells[col].missing for r in rows):
        raise MissingValue(spec.id)
    figured = [r for r in rows if r.cells[col].figure is not None]
    points = [Point(french.typeset_prose(r.label.rstrip(" :")), float(r.cells[col].figure.value),
                    r.cells[col].display) for r in figured]
    if not points:
        raise DataError(f"graphique « {spec.id} » : aucune ligne chiffrée dans « {name} »",
                        spec.path, _line_at(raw, "table", spec))
    for row, point in zip(figured, points):
        if raw.get("kind") in PARTS and point.value < 0:   # the value is in the table: its line is named
            raise _negative_part(spec, point.label, point.display, _line_at(raw, "table", spec),
                                 f" ({table.path.name}:{row.line})")
    return points


# Text sizes of the charts, in points: steps of the layout's type scale, read from the
# ``type_scale`` of the layout.yml beside the layout's fonts, so that a chart's labels match
# the captions and tables around it. Nothing is drawn under MIN_SIZE.
TEXT_SIZES = {"caption": 7.5, "small": 8.5}
MIN_SIZE = 7.0
DRAWING = "type-scale-1"   # part of each chart's file name: changed when the drawing changes
_sizes = dict(TEXT_SIZES)


def text_sizes(fonts_dir: Path) -> dict[str, float]:
    """The chart text sizes that the layout declares (``type_scale:`` in layout.yml)."""
    from .yamlio import load_yaml

    sizes = dict(TEXT_SIZES)
    declared = fonts_dir.parent / "layout.yml"
    scale = (load_yaml(declared) or {}).get("type_scale") if declared.is_file() else None
    if isinstance(scale, dict):
        for step in sizes:
            value = scale.get(step)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sizes[step] = max(float(value), MIN_SIZE)
    return sizes


def _fs(step: str) -> float:
    return _sizes[step]


def _setup(fonts_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, rcParams

    for ttf in sorted(fonts_dir.glob("*.ttf")):
        font_manager.fontManager.addfont(str(ttf))
    _sizes.update(text_sizes(fonts_dir))
    rcParams.update({
        "svg.fonttype": "none", "font.family": "Lato", "font.size": _fs("small"),
        "legend.fontsize": _fs("small"), "xtick.labelsize": _fs("small"), "ytick.labelsize": _fs("small"),
        "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "reportgen",
        "axes.edgecolor": "#7a869a", "axes.labelcolor": "#1d2b44", "xtick.color": "#1d2b44",
        "ytick.color": "#1d2b44",
    })


def draw(data: ChartData, target: Path, theme: dict, fonts_dir: Path) -> Path:
    """Draw one chart to an SVG file (written atomically)."""
    _setup(fonts_dir)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(data.width, data.height))
    try:
        DRAWERS[data.kind](ax, data, theme)
        with warnings.catch_warnings():   # labels too long for the width: drawn as they come
            warnings.filterwarnings("ignore", "Tight layout not applied", UserWarning)
            fig.tight_layout()
        tmp = target.with_suffix(".tmp.svg")
        fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
        tmp.replace(target)
    finally:
        plt.close(fig)
    return target


def _palette(theme: dict) -> list[str]:
    return [theme["primary"], theme["accent"], "#7fb2e5", "#f4a259", "#5c6f91", "#b8c7e0", "#2e8b57",
            "#c75d5d"]


def _tick(text: str) -> str:
    return text.replace(french.NNBSP, " ")


def _fit(label: str, data: ChartData, width: int = 16) -> str:
    """A label on several lines in a chart drawn for a phone, so that the bars keep their room."""
    if data.width > SCREEN_WIDTH:
        return label
    import textwrap

    return "\n".join(textwrap.wrap(label, width)) or label


@chart("donut")
def _donut(ax, data: ChartData, theme: dict, hole: float = 0.45) -> None:
    values = [p.value for p in data.points]
    wedges, _ = ax.pie(values, colors=_palette(theme)[: len(values)], startangle=90, counterclock=False,
                       wedgeprops={"width": 1 - hole if hole else 1, "edgecolor": "white"})
    labels = [_fit(f"{p.label} : {_tick(p.display)}", data, 40) for p in data.points]
    if data.width < 5:   # narrow: legend under the ring
        ax.legend(wedges, labels, loc="upper center", bbox_to_anchor=(0.5, 0), frameon=False, fontsize=_fs("small"))
    else:
        ax.legend(wedges, labels, loc="center left", bbox_to_anchor=(1, 0.5), frameon=False)
    ax.set_aspect("equal")


@chart("pie")
def _pie(ax, data: ChartData, theme: dict) -> None:
    _donut(ax, data, theme, hole=0)


@chart("bar")
def _bar(ax, data: ChartData, theme: dict) -> None:
    labels = [_fit(p.label, data, 12) for p in data.points]
    bars = ax.bar(labels, [p.value for p in data.points], color=theme["primary"])
    ax.bar_label(bars, labels=[p.display for p in data.points], padding=2, fontsize=_fs("small"))
    ax.tick_params(axis="x", labelrotation=0 if len(labels) < 7 else 45)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)


@chart("hbar")
def _hbar(ax, data: ChartData, theme: dict) -> None:
    points = data.points[::-1]
    values = [p.value for p in points]
    diverging = min(values) < 0     # evolutions: bars go left of zero, in the accent colour
    colors = [theme["accent"] if v < 0 else theme["primary"] for v in values] if diverging \
        else theme["primary"]
    bars = ax.barh([_fit(p.label, data) for p in points], values, color=colors)
    ax.bar_label(bars, labels=[_tick(p.display) for p in points], padding=3, fontsize=_fs("small"))
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    if diverging:
        low, high = min(values + [0]), max(values + [0])
        room = (high - low) * 0.18      # space for the labels beyond the longest bars
        ax.set_xlim(low - room, high + room)
        ax.axvline(0, color="#7a869a", linewidth=0.8)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)


@chart("grouped-bar")
def _grouped(ax, data: ChartData, theme: dict) -> None:
    n = len(data.series)
    width = 0.8 / n
    colors = _palette(theme)
    for i, s in enumerate(data.series):
        xs = [x + (i - (n - 1) / 2) * width for x in range(len(data.categories))]
        bars = ax.bar(xs, s.values, width, label=s.name, color=colors[i % len(colors)])
        if len(data.categories) * n <= 24:
            ax.bar_label(bars, labels=s.displays, padding=2, fontsize=_fs("caption"))
    ax.set_xticks(range(len(data.categories)), [_fit(c, data, 12) for c in data.categories])
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.legend(frameon=False, fontsize=_fs("small"))


@chart("line")
def _line(ax, data: ChartData, theme: dict) -> None:
    colors = _palette(theme)
    for i, s in enumerate(data.series):
        ax.plot(data.categories, s.values, marker="o", label=s.name, color=colors[i % len(colors)])
    ax.grid(axis="y", color="#dde3ec", linewidth=0.6)
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(french.format_number(v))))
    if len(data.series) > 1:
        ax.legend(frameon=False, fontsize=_fs("small"))


@chart("bullet")
def _bullet(ax, data: ChartData, theme: dict) -> None:
    labels = [_fit(p.label, data) for p in data.points][::-1]
    points = data.points[::-1]
    ys = range(len(points))
    top = max(max(p.value, p.target or 0, p.floor or 0) for p in points) * 1.15
    ax.barh(ys, [top] * len(points), color=theme["light"], height=0.7)
    ax.barh(ys, [p.value for p in points], color=theme["primary"], height=0.32)
    for y, p in zip(ys, points):
        if p.target is not None:
            ax.plot([p.target, p.target], [y - 0.3, y + 0.3], color=theme["accent"], linewidth=2.5)
        if p.floor is not None:
            ax.plot([p.floor, p.floor], [y - 0.3, y + 0.3], color="#7a869a", linewidth=1.5,
                    linestyle=(0, (2, 1)))
        ax.text(p.value, y + 0.22, " " + _tick(p.display), va="bottom", fontsize=_fs("small"))
    ax.set_yticks(list(ys), labels)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color=theme["accent"], linewidth=2.5, label="Objectif"),
                       Line2D([], [], color="#7a869a", linewidth=1.5, linestyle=(0, (2, 1)), label="Socle")],
              frameon=False, fontsize=_fs("small"), loc="lower right")
