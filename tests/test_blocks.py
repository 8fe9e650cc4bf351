"""Each block type, rendered from the demo edition's HTML (before WeasyPrint)."""
from __future__ import annotations

import re

import pytest

from reportgen.french import NNBSP


@pytest.fixture(scope="module")
def html(demo_build):
    _, result = demo_build
    return result.html.read_text(encoding="utf-8")


def block(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]*id="{element_id}".*?</\1>', html, re.DOTALL)
    assert match, f"block {element_id} not found"
    return match[0]


def test_table_block_has_caption_header_rows_kinds_source_and_notes(html):
    table = block(html, "table-population")
    assert "Données démographiques" in table
    assert '<th scope="col">Circonscription de la caisse</th>' in table
    assert 'class="row-section"' in table and 'class="row-dont"' in table and 'class="row-total"' in table
    assert f"730{NNBSP}948" in table and f"97,03{NNBSP}%" in table and f"11,6{NNBSP}‰" in table
    assert "Données non disponibles" in table
    assert 'class="source">Source' in table and "Dernières données annuelles disponibles." in table


def test_the_title_is_the_first_header_row_so_it_repeats_with_it(html):
    table = block(html, "table-population")
    thead = table[table.index("<thead"):table.index("</thead>")]
    assert '<tr class="table-title-row"><th scope="colgroup" colspan="3" class="table-title">' in thead
    assert 'aria-label="Données démographiques"' in table


def test_multilevel_header_and_computed_column(html):
    table = block(html, "table-effectifs")
    assert 'rowspan="2"' in table and 'colspan="2">Années' in table
    assert f"+2,4{NNBSP}%" in table  # 825 vs 806, computed because the spec asks for it


def test_a_table_used_twice_keeps_one_anchor(html):
    assert html.count('id="table-effectifs"') == 1
    assert html.count('class="table-title">Les effectifs de gestion administrative</th>') == 2


def test_key_figure_tiles(html):
    tiles = block(html, "kpis-circonscription")
    assert "La circonscription en chiffres" in tiles
    assert '<span class="fig">512</span>' in tiles and "Nombre de communes" in tiles
    assert 'class="kpi-evolution trend-falling"' in tiles and "↘" in tiles
    assert 'class="kpi kpi--text"' in tiles and "DRSM Exemple<br>1 rue de la Paix" in tiles
    up = block(html, "kpis-message")
    assert "↗" in up and f"+2,3{NNBSP}%" in up


def test_charts_side_by_side_with_generated_text_alternative(html):
    assert '<div class="side-by-side side-by-side--2">' in html
    chart = block(html, "chart-population-caisse")
    alt = re.search(r'alt="([^"]*)"', chart)[1]
    assert alt == (f"Graphique en anneau : Population protégée. Régime général : 730{NNBSP}948 ; "
                   f"Régime agricole : 40{NNBSP}693\xa0(données 2006). Part la plus grande : Régime général, "
                   f"avec 730{NNBSP}948, plus de la moitié du total.")
    assert re.search(r'src="charts/population-caisse-[0-9a-f]{16}\.svg"', chart)


def test_grouped_chart_alt_text_reads_table_references(html):
    chart = block(html, "chart-delais-mensuels")
    assert "Graphique en barres groupées : Appels reçus par mois." in chart
    assert "Mars 825" in chart and "Mars 806" in chart


def test_roster_groups_and_notes(html):
    roster = block(html, "roster-conseil")
    assert "Installation du 9 janvier 2015" in roster
    assert 'class="roster-group level-1"' in roster and 'class="roster-group level-2"' in roster
    assert "<td>Monsieur Jean EXEMPLE</td><td>Madame Anne MODÈLE</td>" in roster
    assert "Président (P)" in roster


def test_glossary_grouped_by_letter_with_accents_folded(html):
    letters = re.findall(r'class="glossary-letter" id="glossaire-(\w)"', html)
    assert letters == ["A", "C", "E"]
    assert "<dt>État</dt>" in html


def test_figure_in_prose_is_bound_and_typeset(html):
    assert f'<span class="fig">730{NNBSP}948</span> assurés' in html
    assert f'<span class="fig">91,30{NNBSP}%</span>' in html


def test_box_message_signature_and_superscript(html):
    assert '<div class="admonition encadre">' in html and "Délai moyen" in html
    assert '<p class="signature-name">Claire EXEMPLE</p>' in html
    assert "1<sup>er</sup> rang" in html
    assert f"«{NNBSP}beau{NNBSP}»" in html


def test_sommaire_lists_parts_chapters_sections_and_annexes(html):
    nav = block(html, "sommaire") if 'id="sommaire"' in html else html.split("</nav>")[0]
    assert 'href="#01-contexte"' in nav and 'href="#01-contexte-1"' in nav
    assert "Annexe 1 – Dépenses de fonctionnement" in nav
    assert 'href="#glossaire"' in nav


def test_headings_are_in_order_for_bookmarks(html):
    levels = [int(n) for n in re.findall(r"<h([1-6])", html)]
    for previous, current in zip(levels, levels[1:]):
        assert current <= previous + 1, (previous, current)


def test_wide_table_gets_a_landscape_page_and_small_type(html):
    table = block(html, "table-actions-par-acteur")
    assert 'class="table-block size-small landscape short"' in table
    assert table.count('<th scope="col">') == 14
