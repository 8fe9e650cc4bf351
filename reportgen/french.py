"""French typography: the one place that reads printed figures and prints them.

Figures are written in data files as the report prints them ("730 948",
"97,03%", "-1,38", "20 591 111 €"). :func:`parse_figure` reads such a string
into a :class:`Figure` that keeps its decimals, sign and unit; :func:`format_figure`
prints it with the house rules: narrow no-break space (U+202F) between
thousands, decimal comma, no-break space before % ‰ and €.
:func:`typeset_prose` applies the same rules to running text.

Rules every printed figure follows, whatever its source:

- **One rounding rule**: half away from zero (``ROUND_HALF_UP`` of :mod:`decimal`:
  2,25 → 2,3 and -2,25 → -2,3), as a spreadsheet rounds: a computed figure and one printed
  with fewer decimals are both rounded by :func:`round_figure`.
- **No negative zero**: a value that rounds to zero prints without a sign (never « -0,0 % »,
  nor « +0 »); the sign is that of the rounded value.
- **Evolutions** (the only figures reportgen computes, and only where a table's spec asks
  for it) are relative to a positive base: from a zero or negative base the evolution has no
  meaning and prints « ns » (non significatif).
- **At most** :data:`MAX_DIGITS` digits: a longer number is a typing error, refused by the
  readers of data files with its place (:func:`too_long`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

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

#: The most digits (before and after the comma) a printed figure may have: a report prints
#: amounts up to the billion euros with cents; beyond, it is a typing error.
MAX_DIGITS = 15

#: What an evolution prints when it cannot be computed: from a zero or negative base.
NOT_SIGNIFICANT = "ns"

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


def too_long(figure: Figure) -> bool:
    """More digits than a report prints (:data:`MAX_DIGITS`): a typing error, not a figure."""
    digits = figure.value.as_tuple().digits
    return len(digits) > MAX_DIGITS and any(digits)


def round_figure(value: Decimal | float | int, decimals: int = 0) -> Decimal:
    """``value`` rounded to ``decimals`` places, half away from zero; a zero has no sign.

    Exact for any length of number (the precision follows the number), so that no figure
    can make the rounding fail.
    """
    value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not value.is_finite():
        raise ValueError(f"« {value} » n'est pas un nombre fini")
    quant = Decimal(1).scaleb(-decimals)
    context = Context(prec=max(28, value.adjusted() + decimals + 2), rounding=ROUND_HALF_UP)
    rounded = value.quantize(quant, context=context)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def figure_from_number(value: float | int | Decimal, decimals: int = 0, unit: str = "",
                       signed: bool = False) -> Figure:
    """A figure computed by reportgen (an evolution), rounded to ``decimals``."""
    return Figure(round_figure(value, decimals), decimals, signed, unit)


def format_number(value: Decimal | float | int, decimals: int = 0, signed: bool = False) -> str:
    """``1234567.5`` → ``1 234 567,50`` with narrow no-break spaces, rounded by :func:`round_figure`.

    The sign is that of the rounded value: ``-0.04`` with one decimal prints ``0,0``.
    """
    rounded = round_figure(value, decimals)
    whole, _, fraction = f"{rounded.copy_abs():f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = NNBSP.join([whole, *groups]) + ("," + fraction if decimals else "")
    if rounded < 0:
        return MINUS + text
    if signed and rounded > 0:
        return "+" + text
    return text


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


def format_date(iso: str) -> str:
    """``2024-06-01`` → « 1er juin 2024 » (the first of the month is an ordinal); « » for « »."""
    if not iso:
        return ""
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{'1er' if day == 1 else day}{NBSP}{MONTHS[month - 1]} {year}"


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
    """Relative evolution in percent, signed; None from a zero or negative base (« ns »).

    From a negative base the ratio has no meaning (-10 → +5 would be « -150 % »), and from
    zero it is infinite: such an evolution is not significant and is not printed as a figure.
    """
    if old.value <= 0:
        return None
    change = (new.value - old.value) / old.value * 100
    return figure_from_number(change, decimals, "%", signed=True)


# --- running text ---------------------------------------------------------------------------

_SPACE_BEFORE = re.compile(r"[ \u00a0\u202f]+([;!?])|[ \u00a0\u202f]*(»)")
_SPACE_BEFORE_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]+:(?=\s|$)")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")   # between letters: aujourd'hui, l'État
_SPACE_AFTER_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_THOUSANDS = re.compile(r"(?<![\d,.])(\d{1,3})((?: \d{3})+)(?![\d])")
_UNIT_SPACE = re.compile(r"(\d)[ \u00a0]?(%|‰|€)")
_ORDINAL = re.compile(r"\b(\d+|[IVX]+|[IVXLC]{2,})(er|re|ère|e|ème|nd|nde)\b")


#: « 8h30 » → « 8 h 30 », « 17h » → « 17 h », « 24h/24 » → « 24 h/24 »: the hour symbol between
#: no-break spaces. A letter or a digit glued to the h (« 4heures », « H2O », « 5h2 ») keeps it as written.
_HOURS = re.compile(r"(?<![\w.,/:@])(\d{1,3})h(?:(\d{2})(?!\w)|(?!\w))")
#: A superscript written in a data file: « 1 ^{er} », « 2^{e} » (the space before is not printed).
_SUPERSCRIPT = re.compile(r"[ \u00a0\u202f]?\^\{([^{}<>]*)\}")
#: E-mail addresses, web addresses and bare domains: printed as written, never hyphenated.
_ADDRESS = re.compile(r"""
    (?:https?://|www\.)[^\s<>«»"]*[^\s<>«»".,;:!?)]           # a web address
  | (?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+                   # an e-mail address
  | (?<![\w.@/-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:fr|com|org|net|eu|info|gouv\.fr)
    (?![\w-])(?:/[^\s<>«»"]*[^\s<>«»".,;:!?)])?                # a bare domain: ameli.fr
""", re.VERBOSE)
#: Characters the shipped fonts lack, printed as a shape the layout draws (class ``shape-…``).
SHAPES = {"▶": "triangle", "►": "triangle", "▸": "triangle"}
_SHAPE = re.compile("([" + "".join(SHAPES) + "])[ \u00a0\u202f]*([^\\s<]*)")   # the shape and the word it leads
_APOSTROPHE_ENTITY = re.compile(r"&#0*39;|&#x0*27;|&apos;", re.I)
#: Inline elements a word runs through: « l'<strong>espace</strong> » is one word for the apostrophe.
_INLINE = {"a", "abbr", "b", "em", "i", "mark", "small", "span", "strong", "sub", "sup", "u", "q", "cite"}


def _outside_addresses(text: str, rule, address=lambda found: found) -> str:
    """``rule`` applied to the text between addresses, ``address`` to each address."""
    out, last = [], 0
    for m in _ADDRESS.finditer(text):
        out += [rule(text[last:m.start()]), address(m[0])]
        last = m.end()
    out.append(rule(text[last:]))
    return "".join(out)


def _prose(text: str) -> str:
    text = _APOSTROPHE.sub("’", text)
    text = _SPACE_BEFORE.sub(lambda m: NNBSP + (m[1] or m[2]), text)
    text = _SPACE_BEFORE_COLON.sub(NBSP + ":", text)
    text = _SPACE_AFTER_QUOTE.sub("«" + NNBSP, text)
    text = _THOUSANDS.sub(lambda m: m[1] + m[2].replace(" ", NNBSP), text)
    text = _UNIT_SPACE.sub(lambda m: m[1] + NNBSP + m[2], text)
    text = _HOURS.sub(lambda m: m[1] + NBSP + "h" + (NBSP + m[2] if m[2] else ""), text)
    return text


def typeset_prose(text: str) -> str:
    """Apply the French spacing rules to plain text (no markup inside); l'apostrophe → l’apostrophe.

    Also « 8h30 » → « 8 h 30 »; a superscript written « 1 ^{er} » prints « 1er » in plain text
    (:func:`typeset_html` sets it as a superscript); addresses are left as written.
    """
    return _outside_addresses(_APOSTROPHE.sub("’", _SUPERSCRIPT.sub(r"\1", text)), _prose)


def typeset_text(text: object) -> str:
    """A plain string for where no markup can go (bookmarks, running headers, CSS strings,
    the PDF's metadata): :func:`typeset_prose` of its text, tags dropped, entities read."""
    import html as _html

    text = str(text)
    if "<" in text or "&" in text:
        text = _html.unescape(re.sub(r"<[^>]+>", "", text))
    return typeset_prose(re.sub(r"[ \t\r\n]+", " ", text).strip())


def superscript_ordinals(html: str) -> str:
    """``1er`` → ``1<sup>er</sup>``; applied to text nodes of HTML only."""
    return _ORDINAL.sub(lambda m: f"{m[1]}<sup>{m[2]}</sup>", html)


#: An address this long or shorter is never broken (« ameli.fr »).
ADDRESS_WHOLE = 24


def address_html(text: str) -> str:
    """An address (already escaped for HTML) kept whole: no hyphen inside; a long one may break
    after « @ » or « / » (after « . » when it has neither), each piece unbreakable, a ``<wbr>``
    between them."""
    pieces = [text]
    if len(text) > ADDRESS_WHOLE:      # after « @ » and « / » first; after dots only if there is neither
        pieces = [p for p in re.split(r"(?<=@)|(?<=/)(?!/)", text) if p]
        if len(pieces) == 1:
            pieces = [p for p in re.split(r"(?<=\.)", text) if p]
    return '<span class="address">' + "<wbr>".join(f"<span>{p}</span>" for p in pieces) + "</span>"


def _shapes(html: str) -> str:
    """« ▶ visites » → ``<span class="shape shape-triangle">visites</span>``: the layout draws the
    shape before the word, on the same line."""
    return _SHAPE.sub(lambda m: f'<span class="shape shape-{SHAPES[m[1]]}">{m[2]}</span>', html)


def _typeset_text_node(text: str) -> str:
    def rule(chunk: str) -> str:
        out = []
        for n, piece in enumerate(_SUPERSCRIPT.split(chunk)):   # odd pieces: written ^{…}
            piece = superscript_ordinals(_prose(piece)) if n % 2 == 0 else _prose(piece)
            out.append(f"<sup>{piece}</sup>" if n % 2 else piece)
        return _shapes("".join(out))

    return _outside_addresses(_APOSTROPHE.sub("’", text), rule, address_html)   # « d'ameli.fr »


def _join_apostrophes(parts: list[str], text_at: list[int]) -> None:
    """A straight apostrophe at the edge of a text node, between two letters of one word split
    by inline tags (« l'<strong>espace</strong> »), becomes ’."""
    for a, b in zip(text_at, text_at[1:]):
        tags = [re.fullmatch(r"</?([a-zA-Z0-9]+)\b[^>]*>", t) for t in parts[a + 1:b] if t]
        if not all(tag and tag[1].lower() in _INLINE for tag in tags):
            continue                     # a block between them, or text not typeset (code)
        left, right = parts[a], parts[b]
        if re.search(r"[^\W\d_]'$", left) and re.match(r"[^\W\d_]", right):
            parts[a] = left[:-1] + "’"
        elif re.search(r"[^\W\d_]$", left) and re.match(r"'[^\W\d_]", right):
            parts[b] = "’" + right[1:]


def typeset_html(html: str) -> str:
    """Apply :func:`typeset_prose` and ordinals to the text between tags of an HTML string.

    In HTML, a superscript written « 1 ^{er} » becomes ``1<sup>er</sup>``, an address is kept
    whole (:func:`address_html`), a character the fonts lack is drawn (:data:`SHAPES`).
    """
    parts = re.split(r"(<[^>]+>)", html)
    skip = 0
    text_at = []
    for i, part in enumerate(parts):
        if part.startswith("<"):
            tag = part[1:].split(None, 1)[0].rstrip(">").lower() if len(part) > 2 else ""
            if tag in ("code", "pre", "script", "style"):
                skip += 1
            elif tag in ("/code", "/pre", "/script", "/style"):
                skip = max(0, skip - 1)
            continue
        if part and not skip:
            parts[i] = _APOSTROPHE_ENTITY.sub("'", part)
            text_at.append(i)
    _join_apostrophes(parts, text_at)
    for i in text_at:
        parts[i] = _typeset_text_node(parts[i])
    return "".join(parts)


def figure_markup(text: str) -> Markup:
    """A formatted figure as safe HTML, kept on one line; a value to collect is marked."""
    if text == MISSING:
        return Markup('<span class="fig missing">{}</span>').format(MISSING)
    return Markup('<span class="fig">{}</span>').format(escape(text))
