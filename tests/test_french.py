"""French typography: every printed figure goes through reportgen.french."""
from decimal import Decimal

import pytest

from reportgen.french import (NBSP, NNBSP, format_cell, format_evolution, format_figure, format_number,
                              parse_figure, typeset_html, typeset_prose)


@pytest.mark.parametrize("printed, expected", [
    ("730 948", f"730{NNBSP}948"),
    ("52 219 891", f"52{NNBSP}219{NNBSP}891"),
    ("275,57", "275,57"),
    ("16,98 %", f"16,98{NNBSP}%"),
    ("97,03%", f"97,03{NNBSP}%"),
    ("20 591 111 €", f"20{NNBSP}591{NNBSP}111{NNBSP}€"),
    ("1 133 819,49 €", f"1{NNBSP}133{NNBSP}819,49{NNBSP}€"),
    ("11,6 ‰", f"11,6{NNBSP}‰"),
    ("+20", "+20"),
    ("+1 900", f"+1{NNBSP}900"),
    ("-1,38", "-1,38"),
    ("21 321,00", f"21{NNBSP}321,00"),
    ("15,77 j", f"15,77{NBSP}j"),
    ("40 693 (données 2006)", f"40{NNBSP}693{NBSP}(données 2006)"),
    ("- 5,67", "-5,67"),
    ("+ 7,88 %", f"+7,88{NNBSP}%"),
    ("2,3 millions", f"2,3{NBSP}millions"),
    ("55 jours ouvrés", f"55{NBSP}jours ouvrés"),
    ("44,33 ans", f"44,33{NBSP}ans"),
    ("1 809*", f"1{NNBSP}809*"),
    ("396 dont 350 conventionnés", f"396{NBSP}dont 350 conventionnés"),
    ("284 484 152,36 € (↑ +4,10%)", f"284{NNBSP}484{NNBSP}152,36{NNBSP}€{NBSP}(↑ +4,10{NNBSP}%)"),
    ("0", "0"),
])
def test_printed_figures_keep_their_value_and_get_house_spacing(printed, expected):
    assert format_figure(parse_figure(printed)) == expected


def test_decimals_are_kept_as_printed():
    figure = parse_figure("21 321,00")
    assert figure.value == Decimal("21321.00") and figure.decimals == 2
    assert parse_figure("9,50%").decimals == 2


@pytest.mark.parametrize("text", ["Données non disponibles", "-", "/", "ns", "Pas d'évolution", "4.81", "12a",
                                  "12 janvier", "3 ansible"])
def test_non_figures_are_not_parsed(text):
    assert parse_figure(text) is None


def test_placeholder_cells_are_kept_as_printed():
    assert format_cell("Pas d'évolution") == "Pas d’évolution"     # only the apostrophe is set
    assert format_cell("-") == "-"


def test_format_number_groups_by_narrow_no_break_space():
    assert format_number(1234567.5, 2) == f"1{NNBSP}234{NNBSP}567,50"
    assert format_number(-3.25, 1, signed=True) in ("-3,2", "-3,3")
    assert format_number(2.3, 1, signed=True) == "+2,3"


def test_evolution_is_signed_percent():
    evo = format_evolution(parse_figure("825"), parse_figure("806"), 1)
    assert format_figure(evo) == f"+2,4{NNBSP}%"
    assert format_evolution(parse_figure("5"), parse_figure("0")) is None


def test_no_break_before_high_punctuation_and_inside_guillemets():
    assert typeset_prose("«loi de financement»") == f"«{NNBSP}loi de financement{NNBSP}»"
    assert typeset_prose("l'État, aujourd'hui, 'cité' et 2'30") == "l’État, aujourd’hui, 'cité' et 2'30"
    text = typeset_prose("Président : Mme X ; vraiment ? oui ! « la solidarité »")
    assert f"Président{NBSP}:" in text
    assert f"X{NNBSP};" in text and f"vraiment{NNBSP}?" in text and f"oui{NNBSP}!" in text
    assert f"«{NNBSP}la" in text and f"solidarité{NNBSP}»" in text


def test_thousands_and_units_in_prose():
    text = typeset_prose("soit 2 435 foyers et 16,98 % des agents pour 150 €")
    assert f"2{NNBSP}435 foyers" in text
    assert f"16,98{NNBSP}%" in text and f"150{NNBSP}€" in text


def test_ordinals_in_superscript_but_not_words():
    html = typeset_html("<p>Le 1er janvier, la 2e fois, le XXIe siècle, la 1re année</p>")
    assert "1<sup>er</sup>" in html and "2<sup>e</sup>" in html and "XXI<sup>e</sup>" in html
    assert "1<sup>re</sup>" in html and "L<sup>" not in html


def test_markup_is_not_typeset():
    html = typeset_html('<a href="a : b">x</a><code>1 000 ;</code>')
    assert 'href="a : b"' in html and "<code>1 000 ;</code>" in html
