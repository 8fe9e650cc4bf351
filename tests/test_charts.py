"""Chart data: values read from a table column, checked shapes, diverging bars drawn."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.render import charts
from reportgen.edition.datastore import ChartSpec, DataStore
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


# --- charts in the grid: drawn at their printed width, with the layout's type scale ----------
SETTINGS = charts.layout_settings([LAYOUT])


def _svg_size(svg: str) -> tuple[float, float]:
    opening = re.search(r"<svg\b[^>]*>", svg)[0]
    return tuple(float(re.search(rf'\b{k}="([\d.]+)pt"', opening)[1]) for k in ("width", "height"))


def _css_mm(css: str, pattern: str) -> float:
    return float(re.search(pattern, css)[1])


def test_the_grid_of_layout_yml_is_the_one_style_css_prints():
    css = (LAYOUT / "style.css").read_text(encoding="utf-8")
    grid = charts.grid_of(SETTINGS)
    margins = re.search(r"@page\s*\{[^}]*margin:\s*[\d.]+mm ([\d.]+)mm [\d.]+mm ([\d.]+)mm", css)
    left, right = (float(v) for v in margins.groups())
    assert grid["width"] == 210 - left - right          # the text area of an A4 page
    assert grid["text"] == _css_mm(css, r"--text-width:\s*([\d.]+)mm")
    assert grid["side"] == _css_mm(css, r"--side-width:\s*([\d.]+)mm")
    assert grid["gap"] == _css_mm(css, r"\.side-by-side\s*\{[^}]*gap:\s*([\d.]+)mm")
    assert grid["text"] + grid["gap"] + grid["side"] == grid["width"]


def test_a_chart_is_drawn_at_the_width_of_its_place_in_the_grid(store, tmp_path):
    data = charts.prepare(spec({"kind": "hbar", "title": "Effectifs", "table": "effectifs", "column": "2019"}), store)
    widths = {}
    for columns in (1, 2, 3):
        placed = charts.placed(data, SETTINGS, columns)
        svg = charts.draw(placed, tmp_path / f"{columns}.svg", THEME, LAYOUT / "fonts").read_text(encoding="utf-8")
        widths[columns] = _svg_size(svg)[0] / 72 * 25.4       # printed millimetres, the image at 100 %
    assert widths[1] == pytest.approx(176, abs=0.1)
    assert widths[2] == pytest.approx((176 - 6) / 2, abs=0.1)
    assert widths[3] == pytest.approx((176 - 2 * 6) / 3, abs=0.1)


def test_the_print_stylesheet_never_scales_a_chart():
    css = (LAYOUT / "style.css").read_text(encoding="utf-8")
    rules = dict((sel.strip(), body) for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css,
                                                                                                  flags=re.S)))
    image = rules[".chart img"]
    assert re.search(r"width:\s*auto", image) and "max-width: 100%" in image
    assert not any("chart" in sel and "img" in sel and re.search(r"(?<!max-)width:\s*\d", body)
                   for sel, body in rules.items())


def test_a_layout_that_extends_another_inherits_its_grid_and_overrides_a_step(tmp_path):
    child = tmp_path / "caisse"
    child.mkdir()
    (child / "layout.yml").write_text("extends: assurance-maladie\ntype_scale: {small: 9}\ngrid: {gap: 4}\n",
                                      encoding="utf-8")
    settings = charts.layout_settings([child, LAYOUT])
    assert charts.sizes_of(settings) == {"caption": 7.5, "small": 9.0}
    assert charts.grid_of(settings) == {"width": 176, "text": 124, "side": 46, "gap": 4}
    assert charts.column_width(charts.grid_of(settings), 2) == pytest.approx(86 / 25.4, abs=1e-3)


def test_the_file_name_changes_with_the_type_scale_and_the_width(store):
    data = charts.prepare(spec({"kind": "hbar", "title": "Effectifs", "table": "effectifs"}), store)
    bigger = {"type_scale": {**SETTINGS["type_scale"], "small": 9.5}, "grid": SETTINGS["grid"]}
    names = {charts.file_name(charts.placed(data, SETTINGS, 1), THEME),
             charts.file_name(charts.placed(data, SETTINGS, 2), THEME),
             charts.file_name(charts.placed(data, bigger, 1), THEME)}
    assert len(names) == 3
    assert charts.file_name(charts.placed(data, SETTINGS, 1), THEME) == \
        charts.file_name(charts.placed(data, SETTINGS, 1), THEME)


@pytest.mark.parametrize("kind, columns", [("hbar", 1), ("hbar", 3), ("donut", 2), ("bar", 2), ("bullet", 1)])
def test_every_label_is_drawn_at_a_step_of_the_type_scale(store, tmp_path, kind, columns):
    raw = {"kind": kind, "title": "Effectifs", "data": [
        {"label": "Régime général des travailleurs salariés", "value": "730 948", "target": "700 000"},
        {"label": "Régime agricole", "value": "40 693", "target": "50 000"},
        {"label": "Autres", "value": "10 934", "target": "12 000"}]}
    if kind != "bullet":
        raw["data"] = [{k: v for k, v in d.items() if k != "target"} for d in raw["data"]]
    data = charts.placed(charts.prepare(spec(raw), store), SETTINGS, columns)
    svg = charts.draw(data, tmp_path / "c.svg", THEME, LAYOUT / "fonts").read_text(encoding="utf-8")
    sizes = {float(s) for s in re.findall(r"font-size:\s*([\d.]+)px", svg)}   # points, as the chart prints
    assert sizes and sizes <= {7.5, 8.5}, sizes


def test_one_bar_that_dwarfs_the_others_breaks_the_axis():
    assert charts.broken_axis([16, 13, 1962, 15, 6]) == pytest.approx(16 / charts.SHARE_OF_NEXT)
    assert charts.broken_axis([2_138_115, 128_716, 1_957]) is not None      # 16.6 times the next
    assert charts.broken_axis([510, 181]) is None                           # 2.8 times: a plain axis
    assert charts.broken_axis([80, 10]) is None                             # 8 times exactly: still plain
    assert charts.broken_axis([-58, 6, 1]) is None                          # diverging bars: never broken
    assert charts.broken_axis([5]) is None


def _axes(data, kind_theme=THEME):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts._setup(LAYOUT / "fonts", data.sizes)
    fig, ax = plt.subplots(figsize=(data.width, data.height))
    charts.DRAWERS[data.kind](ax, data, kind_theme)
    return fig, ax


@pytest.mark.parametrize("kind", ["hbar", "bar"])
def test_a_broken_bar_keeps_the_small_bars_readable_and_prints_its_true_value(store, kind):
    import matplotlib.pyplot as plt

    raw = {"kind": kind, "title": "Décisions", "data": [
        {"label": "accords totaux", "value": "16"}, {"label": "accords partiels", "value": "13"},
        {"label": "rejets", "value": "1 962"}, {"label": "remises", "value": "6"}]}
    data = charts.placed(charts.prepare(spec(raw), store), SETTINGS)
    fig, ax = _axes(data)
    try:
        lengths = sorted(abs(p.get_width() if kind == "hbar" else p.get_height()) for p in ax.patches)
        assert lengths[-1] < 3 * lengths[-2]                 # the giant bar is drawn short…
        limit = ax.get_xlim()[1] if kind == "hbar" else ax.get_ylim()[1]
        assert lengths[0] > limit / 20                       # …so the smallest stays visible
        printed = [t.get_text() for t in ax.texts]
        assert f"1{NNBSP}962".replace(NNBSP, " ") in printed      # its figure is the true one
        assert len(ax.lines) == 2                            # the break mark
    finally:
        plt.close(fig)
    plain = charts.placed(charts.prepare(spec({**raw, "data": raw["data"][:2]}), store), SETTINGS)
    fig, ax = _axes(plain)
    try:
        assert not ax.lines                                  # bars of one size: no break
    finally:
        plt.close(fig)


def test_the_house_style_has_no_frame_no_ticks_and_no_legend_for_one_series(store):
    import matplotlib.pyplot as plt

    one = charts.placed(charts.prepare(spec({"kind": "grouped-bar", "title": "Appels", "categories": ["Jan", "Fév"],
                                             "series": [{"name": "2020", "values": ["1 200", "1 350"]}]}), store),
                        SETTINGS)
    two = charts.placed(charts.prepare(spec({"kind": "grouped-bar", "title": "Appels", "categories": ["Jan", "Fév"],
                                             "series": [{"name": "2020", "values": ["1 200", "1 350"]},
                                                        {"name": "2019", "values": ["1 100", "1 300"]}]}), store),
                        SETTINGS)
    line = charts.placed(charts.prepare(spec({"kind": "line", "title": "Appels", "categories": ["Jan", "Fév"],
                                              "series": [{"name": "2020", "values": ["1 200", "1 350"]},
                                                         {"name": "2019", "values": ["1 100", "1 300"]}]}), store),
                         SETTINGS)
    for data, legend in ((one, False), (two, True), (line, False)):
        fig, ax = _axes(data)
        try:
            assert (ax.get_legend() is not None) == legend, data.kind
            assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
            assert not ax.spines["left"].get_visible()
            assert all(t.tick1line.get_markersize() == 0 for t in ax.xaxis.get_major_ticks())
        finally:
            plt.close(fig)
    fig, ax = _axes(line)     # two lines: each named at its end instead of a legend
    try:
        assert {t.get_text() for t in ax.texts} >= {"2020", "2019"}
    finally:
        plt.close(fig)


def test_a_column_chart_of_few_bars_is_drawn_at_half_width(store):
    raw = {"kind": "bar", "title": "Examens", "data": [{"label": "CES", "value": "4 512"},
                                                      {"label": "Hors CES", "value": "3 987"}]}
    few = charts.placed(charts.prepare(spec(raw), store), SETTINGS, 1)
    assert few.width == pytest.approx(charts.column_width(charts.grid_of(SETTINGS), 2))
    raw["data"] = raw["data"] * 2     # four bars: the whole text area again
    many = charts.placed(charts.prepare(spec(raw), store), SETTINGS, 1)
    assert many.width == pytest.approx(charts.column_width(charts.grid_of(SETTINGS), 1))
