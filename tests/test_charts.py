"""Chart data: values read from a table column, checked shapes, diverging bars drawn."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportgen import charts
from reportgen.datastore import ChartSpec, DataStore
from reportgen.errors import DataError
from reportgen.french import NNBSP

DATA = Path(__file__).parent / "fixtures" / "project" / "data" / "demo" / "2020"
LAYOUT = Path(__file__).resolve().parent.parent / "layouts" / "assurance-maladie"
THEME = {"primary": "#0c419a", "accent": "#00a3e0", "light": "#e8eef8"}


@pytest.fixture(scope="module")
def store():
    return DataStore.load(DATA)


def spec(raw: dict) -> ChartSpec:
    return ChartSpec("essai", raw, DATA / "charts" / "charts.yml", 3)


def test_a_chart_reads_one_column_of_a_table(store):
    data = charts.prepare(spec({"kind": "hbar", "title": "Effectifs", "table": "effectifs",
                                "column": "2019"}), store)
    assert [p.label for p in data.points] == ["Effectif CDI", "ETP moyens", "Taux de temps partiel"]
    assert [p.value for p in data.points] == [806, 780.5, 17.2]
    assert data.points[1].display == "780,5"
    assert "effectifs.cdi.2019" in store.used


def test_listed_rows_keep_their_order(store):
    data = charts.prepare(spec({"kind": "bar", "table": "effectifs", "column": "2020",
                                "rows": ["taux", "cdi"]}), store)
    assert [p.label for p in data.points] == ["Taux de temps partiel", "Effectif CDI"]


def test_a_donut_from_a_table_leaves_out_sections_and_totals(store):
    data = charts.prepare(spec({"kind": "donut", "table": "population", "column": "caisse"}), store)
    labels = [p.label for p in data.points]
    assert "Population protégée" not in labels and "Total" not in labels
    assert labels[0] == "Régime général" and data.points[0].display == f"730{NNBSP}948"


@pytest.mark.parametrize("raw, message", [
    ({"kind": "hbar", "table": "effectif"}, "tableau « effectif » inconnu"),
    ({"kind": "hbar", "table": "effectifs", "column": "2018"}, "colonne « 2018 » inconnue"),
    ({"kind": "hbar", "table": "effectifs", "rows": ["cdd"]}, "ligne « cdd » inconnue"),
])
def test_table_source_errors_name_the_chart_file_and_line(store, raw, message):
    with pytest.raises(DataError) as err:
        charts.prepare(spec(raw), store)
    text = str(err.value)
    assert message in text and "essai" in text and "charts.yml" in text and "3" in text


def test_horizontal_bars_grow_with_their_rows(store):
    two = charts.prepare(spec({"kind": "hbar", "data": [{"label": "a", "value": "1"},
                                                        {"label": "b", "value": "2"}]}), store)
    six = charts.prepare(spec({"kind": "hbar", "data": [{"label": str(i), "value": "1"}
                                                        for i in range(6)]}), store)
    assert six.height > two.height


def test_negative_values_are_drawn_left_of_zero_in_the_accent_colour(store, tmp_path):
    data = charts.prepare(spec({"kind": "hbar", "title": "Évolutions", "data": [
        {"label": "Soins de ville", "value": "4,74"}, {"label": "Autres", "value": "- 9,26"}]}), store)
    svg = charts.draw(data, tmp_path / "c.svg", THEME, LAYOUT / "fonts").read_text()
    assert "-9,26" in svg.replace("\u2212", "-") or "- 9,26" in svg
    assert THEME["accent"] in svg and THEME["primary"] in svg
