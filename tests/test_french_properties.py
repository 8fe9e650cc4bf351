"""French formatting rules as properties: for any number, the house rules hold.

:mod:`reportgen.french` is the one module that prints figures. Each property below states one
of its rules (see its docstring) and fails when that rule is removed from the code.
"""
from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import example, given, settings, strategies as st

from reportgen import french
from reportgen.french import NNBSP, Figure, format_evolution, format_figure, format_number, parse_figure
from reportgen.edition.tables import load_table

decimals = st.integers(0, 4)    # places a figure is printed with


@st.composite
def numbers(draw, max_digits: int = 15) -> Decimal:
    """An exact decimal of at most ``max_digits`` digits, any sign, from 0 to 6 places."""
    k = draw(st.integers(0, min(6, max_digits - 1)))
    n = draw(st.integers(-(10 ** max_digits - 1), 10 ** max_digits - 1))
    return Decimal(n).scaleb(-k)


def half_away_from_zero(value: Decimal, d: int) -> Decimal:
    """The rounding the module promises, computed on integers (not with the module's own tools)."""
    scaled = value.scaleb(d)
    whole = int(abs(scaled))
    if abs(scaled) - whole >= Decimal("0.5"):
        whole += 1
    return Decimal(-whole if value < 0 else whole).scaleb(-d)


def read_back(text: str) -> Decimal:
    """A printed number read as a spreadsheet would: thousands spaces out, comma → point."""
    return Decimal(text.replace(NNBSP, "").replace(",", "."))


SHAPE = re.compile(r"^[-+]?\d{1,3}(?:\u202f\d{3})*(?:,\d+)?$")


@given(numbers(), decimals)
@example(Decimal("1234567.5"), 2)
def test_thousands_by_narrow_no_break_space_and_a_decimal_comma(value, d):
    text = format_number(value, d)
    assert SHAPE.match(text), repr(text)
    assert "." not in text and " " not in text and "\u00a0" not in text
    assert text.count(",") == (1 if d else 0) and len(text.partition(",")[2]) == d


@given(numbers(), decimals)
@example(Decimal("2.25"), 1)
@example(Decimal("-2.25"), 1)
@example(Decimal("0.5"), 0)
def test_reads_back_as_the_value_rounded_half_away_from_zero(value, d):
    assert read_back(format_number(value, d)) == half_away_from_zero(value, d)


@given(st.integers(-10 ** 9, 10 ** 9), decimals)
def test_a_tie_is_rounded_away_from_zero(n, d):
    """``n,5`` at the last place goes up in size: 2,25 → 2,3 ; -2,25 → -2,3 ; 0,5 → 1."""
    tie = (Decimal(n) + (Decimal("0.5") if n >= 0 else Decimal("-0.5"))).scaleb(-d)
    away = Decimal(n + (1 if n >= 0 else -1)).scaleb(-d)
    assert read_back(format_number(tie, d)) == away
    assert french.figure_from_number(tie, d).value == away       # the computed figures: the same rule


@given(numbers(), decimals)
@example(Decimal("-0.04"), 1)
@example(Decimal("-0.4"), 0)
@example(Decimal("-0"), 2)
def test_never_a_negative_or_signed_zero(value, d):
    for signed in (False, True):
        text = format_number(value, d, signed=signed)
        if read_back(text) == 0:
            assert text[0].isdigit(), repr(text)      # « 0,0 », never « -0,0 » nor « +0,0 »
        else:
            assert text[0] == ("-" if value < 0 else "+" if signed else text[0])


@given(numbers(), decimals, st.sampled_from(["%", "€", "‰", "k€", "M€"]))
@example(Decimal("-0.04"), 1, "%")
def test_a_no_break_space_before_percent_and_euro(value, d, unit):
    text = format_figure(Figure(value, d, unit=unit))
    number, space, printed_unit = text.rpartition(NNBSP)
    assert space == NNBSP and printed_unit == unit, repr(text)
    assert SHAPE.match(number) and not re.match(r"^-0(?:,0+)?$", number), repr(text)


@given(numbers(), st.booleans(), st.sampled_from(["", "%", "€", "‰"]))
def test_a_printed_figure_parses_back_to_itself(value, signed, unit):
    d = max(0, -value.as_tuple().exponent)
    figure = Figure(value, d, signed, unit)
    again = parse_figure(format_figure(figure))
    assert again is not None
    assert (again.value, again.decimals, again.unit) == (value, d, unit)


@given(numbers(max_digits=15), decimals)
def test_computed_and_printed_figures_round_alike(value, d):
    """One rounding rule: a computed figure prints as the same number rounded for printing."""
    assert format_figure(french.figure_from_number(value, d)) == format_number(value, d)


@given(st.integers(16, 400), decimals)
def test_no_length_of_number_makes_formatting_fail(length, d):
    value = Decimal("9" * length)
    text = format_number(value, d)
    assert read_back(text) == value
    assert french.too_long(Figure(value, 0))


@given(numbers(max_digits=15))
def test_fifteen_digits_are_a_figure(value):
    assert not french.too_long(Figure(value, 0))


@given(numbers(max_digits=9), numbers(max_digits=9).filter(lambda v: v <= 0), decimals)
@example(Decimal(5), Decimal(-10), 1)
@example(Decimal(5), Decimal(0), 1)
def test_no_evolution_from_a_zero_or_negative_base(new, old, d):
    assert format_evolution(Figure(new, 0), Figure(old, 0), d) is None


@given(numbers(max_digits=9), numbers(max_digits=9).filter(lambda v: v > 0), decimals)
@example(Decimal(825), Decimal(806), 1)
def test_an_evolution_has_the_sign_of_the_change(new, old, d):
    evo = format_evolution(Figure(new, 0), Figure(old, 0), d)
    expected = half_away_from_zero((new - old) / old * 100, d)
    assert evo.value == expected and evo.unit == "%" and evo.signed
    printed = format_figure(evo)
    assert printed[0] == ("+" if expected > 0 else "-" if expected < 0 else "0"), printed


@settings(max_examples=25, deadline=None)
@given(st.integers(-999, 0), st.integers(0, 999))
def test_a_computed_column_prints_ns_from_a_zero_or_negative_base(old, new):
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "t.csv"
        csv.write_text(f"L;2020;2019\nA;{new};{old}\n", encoding="utf-8")
        csv.with_suffix(".yml").write_text("computed:\n  - {key: evo, from: '2019', to: '2020'}\n",
                                           encoding="utf-8")
        assert load_table(csv).cell("a", "evo").display == french.NOT_SIGNIFICANT
