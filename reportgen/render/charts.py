"""Charts: a registry of kinds (``@chart("donut")``), drawn by matplotlib as SVG.

Text stays text in the SVG (``svg.fonttype = none``) so that it is selectable in
the PDF and set in the layout's font. Each chart gets a text alternative made
from its data, in French, with the figures typeset by :mod:`reportgen.french`.
"""
from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import french
from ..edition.datastore import ChartSpec, DataStore
from ..errors import DataError, did_you_mean
from ..yamlio import line_of

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
    sizes: dict[str, float] = field(default_factory=dict)   # the layout's text sizes; empty: read at drawing
    summary: str = ""        # the takeaway in the words of the report (``summary:``), said first

    @property
    def title_unit(self) -> str:
        """The unit to print after the title, « (en …) », where the title does not say it already."""
        unit = _typeset(self.unit.strip())
        if not unit or _TITLE_UNIT.search(self.title) or unit.lower() in self.title.lower():
            return ""
        return unit

    def alt_text(self) -> str:
        """The chart said in sentences: its summary, then what it shows, its figures, and the
        takeaway its figures give without any judgement (:func:`alt_sentences`)."""
        return " ".join(alt_sentences(self))

    def digest(self, theme: dict) -> str:
        drawn = {k: v for k, v in self.__dict__.items() if k != "summary"}   # not drawn: no new file
        payload = json.dumps([drawn, theme, DRAWING], default=lambda o: o.__dict__, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def file_name(data: ChartData, theme: dict) -> str:
    """Where a chart is drawn, under the edition's build folder: one file per look and figures."""
    return f"charts/{data.id}-{data.digest(theme)}.svg"


SCREEN_WIDTH = 3.6   # inches: a phone's width, where the printed text size is read as is


def for_screen(data: ChartData) -> ChartData:
    """The chart drawn again for a phone: narrow, so its text is not shrunk below reading size."""
    rows = len(data.points) if data.kind in ("hbar", "bullet") else 0   # wrapped labels need height
    return replace(data, id=f"{data.id}.ecran", width=SCREEN_WIDTH, height=max(data.height, 3.0, 0.65 * rows + 0.4))


# --- the text alternative: the chart said in sentences -----------------------------------
# Read aloud by a screen reader (/Alt of the PDF's Figure, <desc> of the web edition's SVG):
# each unit said once, where a reader says it; million and milliard singular below 2; the
# true minus sign (read « moins »); one apostrophe, ’.
MINUS_SIGN = "\u2212"
#: Units a figure carries, as printed (« 26 % », « 1 131 millions d'euros »). Any other unit
#: names what is counted (« départs »): it is said once, after the title (« en nombre de départs »).
_MEASURE = re.compile(r"^(?:%|‰|€|k€|M€|euros?\b|millions?\b|milliards?\b|milliers?\b|points?\b)")
#: Nouns of a number: singular below 2 (« 1,2 million », « 2 millions »).
_MAGNITUDE = re.compile(r"^(million|milliard|millier|point)s?$")
_SYMBOLS = ("%", "‰", "€", "k€", "M€")
#: « Titre (en %) », « Titre (en millions d'euros) », « Titre (%) »: the unit said by the title.
_TITLE_UNIT = re.compile(r"\s*\((?:en\s+(?P<words>[^()]+?)|(?P<sign>%|‰|€))\s*\)\s*$")
_YEAR = re.compile(r"^\d{4}$")
_HYPHEN_MINUS = re.compile(r"(?<![\w\u2212])-(?=\d)")


def agree(word: str, value: float | int | Decimal) -> str:
    """« million », « milliard », « millier », « point »: plural from 2 on (« 1,96 million »,
    « 2 millions »); any other word as written."""
    found = _MAGNITUDE.match(word)
    if not found:
        return word
    return found[1] + ("s" if abs(value) >= 2 else "")


def _minus(text: str) -> str:
    """The true minus sign before a negative figure: a reader says « moins », not « tiret »."""
    return _HYPHEN_MINUS.sub(MINUS_SIGN, text)


def _typeset(text: str) -> str:
    return french.typeset_prose(str(text)).replace("'", "’")


def _units(data: ChartData) -> tuple[str, str, str]:
    """(title without its unit, unit said with each figure, unit said once after the title)."""
    title = data.title
    unit = data.unit.strip()
    found = _TITLE_UNIT.search(title)
    if found:
        title = title[:found.start()]
        unit = unit or (found["words"] or found["sign"]).strip()
    unit = _typeset(unit)
    if not unit:
        return title, "", ""
    if _MEASURE.match(unit):
        return title, unit, ""
    if unit.lower() in title.lower():      # « Nombre de saisines », unit « saisines »: said already
        return title, "", ""
    return title, "", unit


def say(display: str, unit: str = "") -> str:
    """A printed figure as a sentence says it, with the unit of the chart where it carries none:
    « 1,2 millions » → « 1,2 million », « 66 % » with « % des vaccins » → « 66 % des vaccins »,
    « -9,26 » with « % » → « −9,26 % »."""
    figure = french.parse_figure(display)
    if figure is None:
        return _minus(_typeset(display))
    own, tail = figure.unit, ""
    if unit:
        first, _, rest = unit.partition(" ")
        if not own:
            own, tail = first, (" " + rest if rest else "")
        elif agree(first, 2) == agree(own, 2):     # « millions » of « millions d'euros »
            tail = " " + rest if rest else ""
    text = french.format_number(figure.value, figure.decimals, figure.signed)
    if own:
        text += (french.NNBSP if own in _SYMBOLS else french.NBSP) + agree(own, figure.value) + tail
    text += figure.mark
    if figure.suffix:
        text += french.NBSP + french.typeset_prose(figure.suffix)
    return _minus(text.replace("'", "’"))


def _join(labels: list[str]) -> str:
    """« A », « A et B », « A, B et C »."""
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " et " + labels[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _percent(displays: list[str], unit: str) -> bool:
    figures = [french.parse_figure(d) for d in displays]
    return unit.startswith("%") or all(f is not None and f.unit == "%" for f in figures)


def _change(old: str, new: str, unit: str) -> str:
    """« de 146 à 75 (en baisse de 48,6 %) »: from the first figure to the last, with its change;
    for rates, in points (« en hausse de 2,5 points »). An evolution from zero or less is not said."""
    said = f"de {say(old, unit)} à {say(new, unit)}"
    first, last = french.parse_figure(old), french.parse_figure(new)
    if first is None or last is None:
        return said
    if _percent([old, new], unit):
        decimals = max(first.decimals, last.decimals)
        step = french.round_figure(last.value - first.value, decimals)
        amount = french.format_number(abs(step), decimals) + french.NBSP + agree("points", abs(step))
    else:
        evolution = french.format_evolution(last, first)
        if evolution is None:
            return said
        step = evolution.value
        amount = french.format_number(abs(step), evolution.decimals) + french.NNBSP + "%"
    if step == 0:
        return said + " (stable)"
    return said + f" (en {'hausse' if step > 0 else 'baisse'} de {amount})"


def _extremes(labels: list[str], values: list[float], displays: list[str], unit: str) -> str:
    """« Valeur la plus élevée : rejets, avec 1 962 ; la plus faible : remises, avec 6. »
    Ties are named together; of two values, only the higher is said."""
    if len(values) < 2 or len(set(values)) == 1:
        return ""

    def at(value: float, what: str) -> str:
        found = [i for i, v in enumerate(values) if v == value]
        tie = ", à égalité" if len(found) > 1 else ""
        return f"{what}{tie} : {_join([labels[i] for i in found])}, avec {say(displays[found[0]], unit)}"

    highest = at(max(values), "Valeur la plus élevée")
    if len(values) == 2:
        return highest + "."
    return f"{highest} ; {at(min(values), 'la plus faible')}."


def _takeaway(data: ChartData, unit: str) -> str:
    """What the figures say without judgement: the largest part of a whole, the highest and
    lowest values, the change from the first year to the last, the results against their
    objectives. Empty when the figures say nothing plain."""
    points = data.points
    if data.kind in PARTS and points:
        values = [p.value for p in points]
        top = max(values)
        leaders = [p for p in points if p.value == top]
        if len(leaders) == len(points):
            return ""
        said = say(leaders[0].display, unit)
        if len(leaders) > 1:
            return f"Parts les plus grandes, à égalité : {_join([p.label for p in leaders])}, avec {said} chacune."
        half = ", plus de la moitié du total" if top > sum(values) / 2 else ""
        return f"Part la plus grande : {leaders[0].label}, avec {said}{half}."
    if data.kind == "bullet":
        aimed = [p for p in points if p.target is not None]
        if not aimed:
            return ""
        above = [p.label for p in aimed if p.value >= p.target]
        below = [p.label for p in aimed if p.value < p.target]
        if not below:
            return "Résultat au moins égal à l’objectif pour chacun."
        if not above:
            return "Résultat inférieur à l’objectif pour chacun."
        return (f"Résultat au moins égal à l’objectif : {_join(above)} ; "
                f"inférieur à l’objectif : {_join(below)}.")
    if points:
        labels = [p.label for p in points]
        if len(points) >= 2 and all(_YEAR.match(label) for label in labels) \
                and [int(y) for y in labels] == sorted({int(y) for y in labels}):
            return (f"De {labels[0]} à {labels[-1]} : "
                    f"{_change(points[0].display, points[-1].display, unit)}.")
        return _extremes(labels, [p.value for p in points], [p.display for p in points], unit)
    categories = [_typeset(c) for c in data.categories]
    names = [_typeset(s.name) for s in data.series]
    if len(categories) >= 2 and all(_YEAR.match(c) for c in categories) \
            and [int(c) for c in categories] == sorted({int(c) for c in categories}):
        changes = [_change(s.displays[0], s.displays[-1], unit) for s in data.series]
        if len(changes) == 1:
            return f"De {categories[0]} à {categories[-1]} : {changes[0]}."
        return (f"De {categories[0]} à {categories[-1]} : "
                + " ; ".join(f"{n}, {c}" for n, c in zip(names, changes)) + ".")
    if len(names) >= 2 and all(_YEAR.match(n) for n in names) and len(set(names)) == len(names):
        order = sorted(range(len(names)), key=lambda i: int(names[i]))
        old, new = data.series[order[0]], data.series[order[-1]]
        return (f"De {names[order[0]]} à {names[order[-1]]} : "
                + " ; ".join(f"{c}, {_change(a, b, unit)}"
                             for c, a, b in zip(categories, old.displays, new.displays)) + ".")
    if len(data.series) == 1:
        s = data.series[0]
        return _extremes(categories, s.values, s.displays, unit)
    return ""


def alt_sentences(data: ChartData) -> list[str]:
    """The text alternative, sentence by sentence:

    1. the summary written for the chart (``summary:``), if any;
    2. its kind and title, with the unit of what is counted (« en nombre de départs »);
    3. its figures, each with the unit it is measured in (« 26 % », « 1,2 million d’euros »);
    4. the takeaway its figures give (:func:`_takeaway`), if any.
    """
    title, measure, counted = _units(data)
    head = f"{KIND_NAMES.get(data.kind, 'Graphique')} : {title}"
    if counted:
        head += f", en nombre {'d’' if counted[:1].lower() in 'aeiouyhàâéèêëîïôœû' else 'de '}{counted}"
    if data.points:
        items = []
        for p in data.points:
            item = f"{p.label} : {say(p.display, measure)}"
            if p.target_display:
                item += f" (objectif {say(p.target_display, measure)}"
                item += f", socle {say(p.floor_display, measure)})" if p.floor_display else ")"
            items.append(item)
        body = " ; ".join(items)
    else:
        body = " ; ".join(
            f"{_typeset(s.name)} : " + ", ".join(f"{_typeset(c)} {say(d, measure)}"
                                                 for c, d in zip(data.categories, s.displays))
            for s in data.series)
    sentences = [_sentence(data.summary)] if data.summary.strip() else []
    sentences += [_sentence(head), _sentence(body)]
    takeaway = _takeaway(data, measure)
    if takeaway:
        sentences.append(takeaway)
    return [_minus(s.replace("'", "’")) for s in sentences]


# --- the grid: charts drawn at the width they print at ------------------------------------
MM = 1 / 25.4    # inches
GRID = {"width": 176.0, "text": 124.0, "side": 46.0, "gap": 6.0}   # millimetres, as layout.yml declares


def layout_settings(folders: list[Path]) -> dict[str, dict[str, float]]:
    """``type_scale`` and ``grid`` of a layout: each step from the most specific layout.yml that
    sets it (an edition's ``layout/`` folder, the layout, then the layouts it extends)."""
    from ..yamlio import load_yaml

    found: dict[str, dict[str, float]] = {"type_scale": {}, "grid": {}}
    for folder in reversed(folders):      # parents first: the specific folder has the last word
        declared = folder / "layout.yml"
        spec = load_yaml(declared) if declared.is_file() else None
        for key, steps in found.items():
            values = spec.get(key) if isinstance(spec, dict) else None
            if isinstance(values, dict):
                steps.update({str(k): float(v) for k, v in values.items()
                              if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0})
    return found


def grid_of(settings: dict[str, dict[str, float]]) -> dict[str, float]:
    return {**GRID, **settings.get("grid", {})}


def sizes_of(settings: dict[str, dict[str, float]]) -> dict[str, float]:
    scale = settings.get("type_scale", {})
    return {step: max(scale.get(step, size), MIN_SIZE) for step, size in TEXT_SIZES.items()}


def column_width(grid: dict[str, float], columns: int = 1) -> float:
    """The printed width, in inches, of a chart alone (the text area) or one of ``columns`` side by side."""
    columns = max(columns, 1)
    return round((grid["width"] - (columns - 1) * grid["gap"]) / columns * MM, 4)


FEW_BARS = 3   # a column chart of so few bars is drawn at half the text area's width


def placed(data: ChartData, settings: dict[str, dict[str, float]], columns: int = 1) -> ChartData:
    """A chart sized for its place in the grid, with the layout's text sizes: printed at 100 %."""
    if columns == 1 and data.kind == "bar" and len(data.points) <= FEW_BARS:
        columns = 2     # two or three columns across the whole text area would be slabs, not bars
    width = column_width(grid_of(settings), columns)
    height = data.height
    sizes = sizes_of(settings)
    if columns > 1 and data.kind in PARTS:      # the ring, then its legend under it
        labels = _legend_labels(replace(data, width=width), sizes["small"])
        height = min(width, RING) + _legend_height(labels, sizes["small"]) + 0.25
    elif columns > 1 and data.kind not in ("hbar", "bullet"):
        height = max(height, 2.6)          # a narrow chart stays tall enough to read its bars
    if width <= SCREEN_WIDTH and data.kind in ("hbar", "bullet"):   # labels wrapped on narrow charts
        lines = [len(_fit(p.label, replace(data, width=width)).splitlines()) for p in data.points]
        height = max(height, sum(max(0.24, 0.15 * n + 0.08) for n in lines) + 0.45)
    return replace(data, width=width, height=round(height, 3), sizes=sizes)


# A bar that dwarfs the others (more than DWARF times the next one) flattens them to slivers: its
# bar is broken (drawn short, with a break mark, its value printed) and the axis is scaled to the rest.
DWARF = 8.0
SHARE_OF_NEXT = 0.45    # where the second bar ends on a broken axis, as a share of the drawn length


def broken_axis(values: list[float]) -> float | None:
    """The drawn length of the longest bar when it dwarfs the others, else None (a plain axis).

    Only for bars that all start at zero and go one way; the second largest bar then spans
    SHARE_OF_NEXT of the drawn length, so the small bars stay readable.
    """
    if len(values) < 2 or min(values) < 0:
        return None
    first, second = sorted(values, reverse=True)[:2]
    if second <= 0 or first <= DWARF * second:
        return None
    return second / SHARE_OF_NEXT


DRAWERS: dict[str, Callable[[Any, ChartData, dict], None]] = {}


def chart(kind: str):
    """Register a drawing function for a chart kind."""
    def register(func):
        DRAWERS[kind] = func
        return func
    return register


class MissingValue(Exception):
    """A chart whose figures are still « à renseigner »: a draft shows a frame instead."""


CHART_KEYS = {"kind", "title", "unit", "source", "summary", "height", "data", "categories", "series",
              "table", "column", "rows"}
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
                        _line_at(raw, unknown[0], spec),
                        hint=did_you_mean(unknown[0], sorted(known)) or f"clés possibles : {', '.join(sorted(known))}")


def _summary(raw: dict, spec: ChartSpec) -> str:
    """``summary:``: the sentence the text alternative opens with, typeset; refused if not a sentence."""
    if "summary" not in raw:
        return ""
    summary = raw["summary"]
    if not isinstance(summary, str) or not summary.strip():
        raise DataError(f"graphique « {spec.id} » : « summary: » attend une phrase", spec.path,
                        _line_at(raw, "summary", spec),
                        hint="écrivez ce que le graphique montre, en une phrase, ou retirez la ligne : "
                             "summary: \"Le courrier reste le premier canal de saisine.\"")
    return _typeset(" ".join(summary.split()))


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
                     str(raw.get("unit", "")), str(raw.get("source", "")), summary=_summary(raw, spec))
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
    elif "height" not in raw and kind == "bullet":
        data.height = min(0.42 * len(data.points) + 0.6, 4.5)
    elif "height" not in raw and kind in PARTS:
        data.height = 2.4    # a ring beside its legend: the legend's height, not a bar chart's
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
# the captions and tables around it. Nothing is drawn under MIN_SIZE. A chart is drawn at the
# width it prints at (:func:`placed`), so these are the printed sizes.
TEXT_SIZES = {"caption": 7.5, "small": 8.5}
MIN_SIZE = 7.0
DRAWING = "house-style-2"   # part of each chart's file name: changed when the drawing changes
_sizes = dict(TEXT_SIZES)

# The house style: no frame, no tick marks, a baseline in grey, a light grid only where the
# values are read off an axis; the figures printed on the bars.
INK = "#1d2b44"
RULE = "#7a869a"
GRID_LINE = "#dde3ec"


def text_sizes(fonts_dir: Path) -> dict[str, float]:
    """The chart text sizes that the layout declares (``type_scale:`` in layout.yml)."""
    return sizes_of(layout_settings([fonts_dir.parent]))


def _fs(step: str) -> float:
    return _sizes[step]


_fonts_added: set[Path] = set()


def preload(fonts_dir: Path) -> None:
    """matplotlib imported and the layout's fonts registered, before chart workers are forked:
    each worker then starts with them instead of importing matplotlib again."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (the import is the point)
    from matplotlib import font_manager

    if fonts_dir not in _fonts_added:
        for ttf in sorted(fonts_dir.glob("*.ttf")):
            font_manager.fontManager.addfont(str(ttf))
        _fonts_added.add(fonts_dir)


def _setup(fonts_dir: Path, sizes: dict[str, float]) -> None:
    from matplotlib import rcParams

    preload(fonts_dir)
    _sizes.update(sizes or text_sizes(fonts_dir))
    rcParams.update({
        "svg.fonttype": "none", "font.family": "Lato", "font.size": _fs("small"),
        "legend.fontsize": _fs("small"), "xtick.labelsize": _fs("small"), "ytick.labelsize": _fs("small"),
        "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "reportgen",
        "axes.edgecolor": RULE, "axes.linewidth": 0.8, "axes.labelcolor": INK, "xtick.color": INK,
        "ytick.color": INK, "xtick.major.size": 0, "ytick.major.size": 0, "xtick.minor.size": 0,
        "ytick.minor.size": 0, "xtick.major.pad": 4, "ytick.major.pad": 4, "axes.grid": False,
        "legend.frameon": False, "text.color": INK,
    })


def draw(data: ChartData, target: Path, theme: dict, fonts_dir: Path) -> Path:
    """Draw one chart to an SVG file (written atomically), at its printed size."""
    _setup(fonts_dir, data.sizes)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(data.width, data.height))
    try:
        DRAWERS[data.kind](ax, data, theme)
        if data.kind not in PARTS:      # a ring and its legend are placed by hand
            with warnings.catch_warnings():   # labels too long for the width: drawn as they come
                warnings.filterwarnings("ignore", "Tight layout not applied", UserWarning)
                fig.tight_layout(pad=0.3)
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
    """A label on several lines in a narrow chart (a phone, a column), so that the bars keep their room."""
    if data.width > SCREEN_WIDTH:
        return label
    import textwrap

    return "\n".join(textwrap.wrap(label, width)) or label


def _clean(ax, keep: str) -> None:
    """The house style: only the ``keep`` spine (``left``, ``bottom`` or nothing), as a baseline."""
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(side == keep)
    ax.tick_params(length=0)


def _break_mark(ax, at: float, position: float, horizontal: bool) -> None:
    """Two white slants across a bar drawn short: the bar goes on further than drawn."""
    for shift in (-0.012, 0.012):
        x, y = at * (1 + shift * 4), position
        xs, ys = [x - at * 0.025, x + at * 0.025], [y - 0.5, y + 0.5]
        if not horizontal:
            xs, ys = ys, xs
        ax.plot(xs, ys, color="white", linewidth=2.2, solid_capstyle="butt", clip_on=True, zorder=3)


def _bars(ax, data: ChartData, theme: dict, horizontal: bool) -> None:
    """One series of bars, each with its figure; a bar that dwarfs the others is broken."""
    points = data.points[::-1] if horizontal else data.points
    values = [p.value for p in points]
    diverging = min(values) < 0     # evolutions: bars go left of zero, in the accent colour
    colors = [theme["accent"] if v < 0 else theme["primary"] for v in values] if diverging \
        else theme["primary"]
    cap = broken_axis(values)
    drawn = [min(v, cap) for v in values] if cap else values
    labels = [_fit(p.label, data) if horizontal else _fit(p.label, data, 12) for p in points]
    plot = ax.barh if horizontal else ax.bar
    bars = plot(labels, drawn, color=colors, **({"height": 0.62} if horizontal else {"width": 0.62}))
    ax.bar_label(bars, labels=[_tick(p.display) for p in points], padding=3, fontsize=_fs("small"))
    if cap:
        for i, v in enumerate(values):
            if v > cap:
                _break_mark(ax, cap * 0.8, i, horizontal)
    low, high = min(drawn + [0]), max(drawn + [0])
    room = (high - low) * (0.2 if horizontal else 0.12)   # space for the figures beyond the longest bars
    limits = (low - room if diverging else low, high + room)
    if horizontal:
        ax.set_xlim(*limits)
        ax.set_xticks([])
        _clean(ax, "" if diverging else "left")
        if diverging:
            ax.axvline(0, color=RULE, linewidth=0.8)
    else:
        ax.set_ylim(*limits)
        ax.set_yticks([])
        _clean(ax, "bottom")
        if diverging:
            ax.axhline(0, color=RULE, linewidth=0.8)
        ax.tick_params(axis="x", labelrotation=0 if len(labels) < 7 else 45)


def _legend_labels(data: ChartData, size: float) -> list[str]:
    """« Part : figure » of each part; beside a narrow ring, wrapped to the legend's width
    (about half an em a character)."""
    labels = [f"{p.label} : {_tick(p.display)}" for p in data.points]
    if data.width >= 5:
        return labels
    import textwrap

    chars = max(24, int((data.width - 0.4) * 72 / (0.5 * size)))
    return ["\n".join(textwrap.wrap(label, chars)) or label for label in labels]


def _legend_height(labels: list[str], size: float) -> float:
    """The height, in inches, of a legend of ``labels`` in one column (matplotlib's spacing)."""
    return sum(len(label.splitlines()) * 1.2 + 0.5 for label in labels) * size / 72


RING = 1.7      # inches: the ring of a narrow chart, its legend under it


@chart("donut")
def _donut(ax, data: ChartData, theme: dict, hole: float = 0.45) -> None:
    values = [p.value for p in data.points]
    wedges, _ = ax.pie(values, colors=_palette(theme)[: len(values)], startangle=90, counterclock=False,
                       wedgeprops={"width": 1 - hole if hole else 1, "edgecolor": "white", "linewidth": 1})
    ax.set_aspect("equal")
    fig = ax.figure
    w, h = data.width, data.height
    pad = 0.06
    labels = _legend_labels(data, _fs("small"))
    style = {"handlelength": 1, "handleheight": 0.8, "borderaxespad": 0, "borderpad": 0}
    if w < 5:   # narrow: the ring on top, its legend under it, both on the left edge
        ring = max(min(w - 2 * pad, h - _legend_height(labels, _fs("small")) - 3 * pad, RING), 0.5)
        ax.set_position([pad / w, (h - pad - ring) / h, ring / w, ring / h])
        fig.legend(wedges, labels, loc="upper left", bbox_to_anchor=(pad / w, (h - 2 * pad - ring) / h), **style)
    else:        # the ring on the left edge of the text area, its legend beside it
        ring = h - 2 * pad
        ax.set_position([pad / w, pad / h, ring / w, ring / h])
        fig.legend(wedges, labels, loc="center left", bbox_to_anchor=((ring + 0.3) / w, 0.5), **style)


@chart("pie")
def _pie(ax, data: ChartData, theme: dict) -> None:
    _donut(ax, data, theme, hole=0)


@chart("bar")
def _bar(ax, data: ChartData, theme: dict) -> None:
    _bars(ax, data, theme, horizontal=False)


@chart("hbar")
def _hbar(ax, data: ChartData, theme: dict) -> None:
    _bars(ax, data, theme, horizontal=True)


def _value_axis(ax, axis: str = "y") -> None:
    """Figures read off an axis (too many to print on the bars): a light grid, French numbers."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.grid(axis=axis, color=GRID_LINE, linewidth=0.6)
    ax.set_axisbelow(True)
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(4))
    target.set_major_formatter(FuncFormatter(lambda v, _: _tick(french.format_number(v))))


@chart("grouped-bar")
def _grouped(ax, data: ChartData, theme: dict) -> None:
    n = len(data.series)
    width = 0.8 / n
    colors = _palette(theme)
    printed = len(data.categories) * n <= (24 if data.width > SCREEN_WIDTH else 10)
    for i, s in enumerate(data.series):
        xs = [x + (i - (n - 1) / 2) * width for x in range(len(data.categories))]
        bars = ax.bar(xs, s.values, width * 0.92, label=s.name, color=colors[i % len(colors)])
        if printed:
            ax.bar_label(bars, labels=[_tick(d) for d in s.displays], padding=2,
                         fontsize=_fs("caption" if n > 1 else "small"))
    ax.set_xticks(range(len(data.categories)), [_fit(c, data, 12) for c in data.categories])
    _clean(ax, "bottom")
    if printed:
        ax.set_yticks([])
        top = max(max(s.values) for s in data.series)
        ax.set_ylim(min(0, min(min(s.values) for s in data.series)), top * 1.12)
    else:
        _value_axis(ax)
    if n > 1:   # one series needs no legend: the title names it
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=min(n, 4), handlelength=1, handleheight=0.8,
                  borderaxespad=0.2, columnspacing=1.2)


@chart("line")
def _line(ax, data: ChartData, theme: dict) -> None:
    colors = _palette(theme)
    for i, s in enumerate(data.series):
        color = colors[i % len(colors)]
        ax.plot(data.categories, s.values, marker="o", markersize=3.5, linewidth=1.6, label=s.name, color=color)
        if len(data.series) > 1:   # named at the end of its line, not in a legend
            ax.annotate(s.name, (len(data.categories) - 1, s.values[-1]), xytext=(6, 0),
                        textcoords="offset points", va="center", color=color, fontsize=_fs("small"),
                        fontweight="bold")
    _clean(ax, "bottom")
    _value_axis(ax)


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
            ax.plot([p.floor, p.floor], [y - 0.3, y + 0.3], color=RULE, linewidth=1.5,
                    linestyle=(0, (2, 1)))
        ax.text(p.value, y + 0.22, " " + _tick(p.display), va="bottom", fontsize=_fs("small"))
    ax.set_yticks(list(ys), labels)
    ax.set_xticks([])
    _clean(ax, "")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=theme["accent"], linewidth=2.5, label="Objectif")]
    if any(p.floor is not None for p in points):
        handles.append(Line2D([], [], color=RULE, linewidth=1.5, linestyle=(0, (2, 1)), label="Socle"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1), ncol=2, borderaxespad=0.2)
