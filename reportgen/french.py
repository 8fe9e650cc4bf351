"""French typography: the one place that reads printed figures and prints them.

Figures are written in data files as the report prints them ("730 948",
"97,03%", "-1,38", "20 591 111 €"). :func:`parse_figure` reads such a string
into a :class:`Figure` that keeps its decimals, sign and unit; :func:`format_figure`
prints it with the house rules: narrow no-break space (U+202F) between
thousands, decimal comma, no-break space before % ‰ and €.
:func:`typeset_prose` applies the same rules to running text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from markupsafe import Markup, escape

NNBSP = "\u202f"   # narrow no-break space: thousands, before ; ! ? and inside « »
NBSP = "\u00a0"    # no-break space: before : and units
MINUS = "-"  # kept ASCII: figures copied from the PDF must paste into a spreadsheet

#: Words a table prints where it has no figure, kept exactly as printed.
MISSING = "à renseigner"   # a value still to collect: refused in a final build, shown in a draft

PLACEHOLDERS = frozenset({
    MISSING,
    "", "-", "--", "/", "ns", "NC", "nc", "nd", "ND", "Néant", "néant", "Données non disponibles",
    "Non mesuré", "Non connu", "Pas d'évolution", "Pas d’évolution", "n.d.", "n.s.", "—", "–",
})

UNITS = ("%", "‰", "€", "k€", "M€", "j", "h")

#: Units printed after a figure; words are matched whole ("2,3 millions", "55 jours ouvrés").
WORD_UNITS = ("jours ouvrés", "jours", "jour", "ans", "an", "mois", "millions", "million",
              "milliards", "milliard", "heures", "ETP", "j", "h")

_FIGURE = re.compile(
    r"""^(?P<sign>[+\-−–])?\s?
        (?P<int>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)
        (?:,(?P<dec>\d+))?
        \s*(?P<unit>%|‰|k€|M€|€|""" + "|".join(u.replace(" ", r"\ ") for u in WORD_UNITS) + r""")?
        (?P<mark>\*+|[¹²³])?
        (?:\s+(?P<suffix>\(.*\)|dont\s.*))?$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Figure:
    """A figure as printed: its value, decimals, explicit sign, unit and suffix."""

    value: Decimal
    decimals: int
    signed: bool = False
    unit: str = ""
    suffix: str = ""
    mark: str = ""      # a footnote marker printed right after the figure ("1 809*")

    def __float__(self) -> float:
        return float(self.value)

    def __str__(self) -> str:
        return format_figure(self)


def parse_figure(text: str) -> Figure | None:
    """Read a printed French figure; None when the text is not one."""
    if not isinstance(text, str):
        text = str(text)
    match = _FIGURE.match(text.strip())
    if not match:
        return None
    sign = (match["sign"] or "").strip()
    digits = re.sub(r"\D", "", match["int"])
    dec = match["dec"] or ""
    try:
        value = Decimal(f"{digits}.{dec}" if dec else digits)
    except InvalidOperation:  # pragma: no cover - the regex only lets digits through
        return None
    if sign in ("-", "−", "–"):
        value = -value
    return Figure(value=value, decimals=len(dec), signed=sign == "+", unit=match["unit"] or "",
                  suffix=match["suffix"] or "", mark=match["mark"] or "")


def figure_from_number(value: float | int | Decimal, decimals: int = 0, unit: str = "",
                       signed: bool = False) -> Figure:
    """A figure computed by reportgen (an evolution), rounded to ``decimals``."""
    quant = Decimal(1).scaleb(-decimals)
    return Figure(Decimal(str(value)).quantize(quant), decimals, signed, unit)


def format_number(value: Decimal | float | int, decimals: int = 0, signed: bool = False) -> str:
    """``1234567.5`` → ``1 234 567,50`` with narrow no-break spaces."""
    value = Decimal(str(value))
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(abs(value), format=pattern, locale="fr_FR", decimal_quantization=True)
    text = text.replace("\u00a0", NNBSP)
    if value < 0 and Decimal(text.replace(NNBSP, "").replace(",", ".")) != 0:
        return MINUS + text
    if signed and value > 0:
        return "+" + text
    return text


def format_figure(figure: Figure) -> str:
    """Print a figure with the house rules; the unit keeps a no-break space before it."""
    text = format_number(figure.value, figure.decimals, figure.signed)
    if figure.unit in ("%", "‰", "€", "k€", "M€"):
        text += NNBSP + figure.unit
    elif figure.unit:
        text += NBSP + figure.unit
    text += figure.mark
    if figure.suffix:
        text += NBSP + typeset_prose(figure.suffix)   # « dont 350 conventionnés », « (↑ +4,10%) »
    return text


def format_cell(text: str) -> str:
    """A table cell: a figure is re-typeset, anything else kept as printed."""
    figure = parse_figure(text)
    if figure is not None:
        return format_figure(figure)
    return typeset_prose(text)


def format_evolution(new: Figure, old: Figure, decimals: int = 1) -> Figure | None:
    """Relative evolution in percent, signed; None when it cannot be computed."""
    if old.value == 0:
        return None
    change = (new.value - old.value) / abs(old.value) * 100
    return figure_from_number(change, decimals, "%", signed=True)


# --- running text ---------------------------------------------------------------------------

_SPACE_BEFORE = re.compile(r"[ \u00a0\u202f]+([;!?])|[ \u00a0\u202f]*(»)")
_SPACE_BEFORE_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]+:(?=\s|$)")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")   # between letters: aujourd'hui, l'État
_SPACE_AFTER_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_THOUSANDS = re.compile(r"(?<![\d,.])(\d{1,3})((?: \d{3})+)(?![\d])")
_UNIT_SPACE = re.compile(r"(\d)[ \u00a0]?(%|‰|€)")
_ORDINAL = re.compile(r"\b(\d+|[IVX]+|[IVXLC]{2,})(er|re|ère|e|ème|nd|nde)\b")


def typeset_prose(text: str) -> str:
    """Apply the French spacing rules to plain text (no markup inside); l'apostrophe → l’apostrophe."""
    text = _APOSTROPHE.sub("’", text)
    text = _SPACE_BEFORE.sub(lambda m: NNBSP + (m[1] or m[2]), text)
    text = _SPACE_BEFORE_COLON.sub(NBSP + ":", text)
    text = _SPACE_AFTER_QUOTE.sub("«" + NNBSP, text)
    text = _THOUSANDS.sub(lambda m: m[1] + m[2].replace(" ", NNBSP), text)
    text = _UNIT_SPACE.sub(lambda m: m[1] + NNBSP + m[2], text)
    return text


def superscript_ordinals(html: str) -> str:
    """``1er`` → ``1<sup>er</sup>``; applied to text nodes of HTML only."""
    return _ORDINAL.sub(lambda m: f"{m[1]}<sup>{m[2]}</sup>", html)


def typeset_html(html: str) -> str:
    """Apply :func:`typeset_prose` and ordinals to the text between tags of an HTML string."""
    parts = re.split(r"(<[^>]+>)", html)
    skip = 0
    for i, part in enumerate(parts):
        if part.startswith("<"):
            tag = part[1:].split(None, 1)[0].rstrip(">").lower() if len(part) > 2 else ""
            if tag in ("code", "pre", "script", "style"):
                skip += 1
            elif tag in ("/code", "/pre", "/script", "/style"):
                skip = max(0, skip - 1)
            continue
        if part and not skip:
            parts[i] = superscript_ordinals(typeset_prose(part))
    return "".join(parts)


def figure_markup(text: str) -> Markup:
    """A formatted figure as safe HTML, kept on one line; a value to collect is marked."""
    if text == MISSING:
        return Markup('<span class="fig missing">{}</span>').format(MISSING)
    return Markup('<span class="fig">{}</span>').format(escape(text))
