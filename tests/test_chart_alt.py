"""The text alternative of a chart reads like French sentences: its summary first, each unit
said once, million and milliard singular below 2, the true minus sign, one apostrophe."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.render import charts
from reportgen import french
from reportgen.edition.datastore import ChartSpec, DataStore
from reportgen.errors import DataError

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "fixtures" / "project" / "data" / "demo" / "2020"
EDITIONS = ["ardeche/2023", "artois/2017", "landes/2017", "lille-douai/2019"]
SPACES = "[ \u00a0\u202f]"
UNIT_WORDS = r"%|‰|€|euros?|millions?|milliards?|milliers?"
NUMBER = r"(?<![\d,\u202f])\d{1,3}(?:\u202f\d{3})*(?:,\d+)?(?![\d,])"


@pytest.fixture(scope="module")
def store():
    return DataStore.load(DATA)


def spec(raw: dict) -> ChartSpec:
    return ChartSpec("essai", raw, DATA / "charts" / "charts.yml", 3)


# --- the rules, checked on any text alternative --------------------------------------------
def sentences(alt: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý0-9])", alt)


def doubled_unit(alt: str) -> str | None:
    """What says a unit twice, or None: two unit clauses after the title, a unit word repeated
    (« % % », « millions millions »), or a unit said after the title and again with the figures."""
    said = sentences(alt)
    at = next(i for i, s in enumerate(said) if s.startswith(tuple(charts.KIND_NAMES.values())))
    head, body = said[at], said[at + 1]        # the title, then the figures
    said_in_head = re.findall(rf"\((?:en )?(?:{UNIT_WORDS})[^()]*\)|, en nombre d", head)
    if len(said_in_head) > 1:
        return f"deux fois dans le titre : {said_in_head}"
    repeated = re.search(rf"\b({UNIT_WORDS})(?:{SPACES}+(?:d’|de )?\1)(?!\w)", alt)
    if repeated:
        return f"répété : {repeated[0]!r}"
    if said_in_head and re.search(rf"\d{SPACES}(?:{UNIT_WORDS})(?!\w)", body):
        return f"dans le titre ({said_in_head[0]}) et avec les chiffres"
    return None


def wrong_agreement(alt: str) -> list[str]:
    """« 1,2 millions », « 3 milliard »: million and milliard take the plural from 2 only."""
    found = []
    for m in re.finditer(rf"(?<![\d,\u202f])([−-]?\d{{1,3}}(?:\u202f\d{{3}})*(?:,\d+)?){SPACES}(million|milliard)(s?)\b",
                         alt):
        value = abs(french.parse_figure(m[1].replace("−", "-")).value)
        if (value >= 2) != bool(m[3]):
            found.append(m[0])
    return found


def check_rules(alt: str) -> None:
    assert doubled_unit(alt) is None, (doubled_unit(alt), alt)
    assert wrong_agreement(alt) == [], alt
    assert not re.search(r"(?<![\w−])-\d", alt), f"tiret au lieu du signe moins : {alt}"
    assert "'" not in alt, f"apostrophe droite : {alt}"
    assert "  " not in alt and ".." not in alt, alt


# --- each kind of chart ---------------------------------------------------------------------
THREE = [{"label": "Régime général", "value": "730 948"}, {"label": "Régime agricole", "value": "40 693"},
         {"label": "Autres", "value": "10 934"}]
KINDS = {
    "donut": {"data": THREE}, "pie": {"data": THREE}, "bar": {"data": THREE}, "hbar": {"data": THREE},
    "grouped-bar": {"categories": ["Jan", "Fév"], "series": [{"name": "Appels d'assurés", "values": ["12", "-3"]},
                                                             {"name": "Rappels", "values": ["4", "5"]}]},
    "line": {"categories": ["2021", "2022", "2023"], "series": [{"name": "Délai", "values": ["12", "10", "-3"]}]},
    "bullet": {"data": [{"label": "Cancer du sein", "value": "55,98", "target": "63,95", "floor": "56,06"}]},
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("title, unit", [
    ("Taux d'adhésion (en %)", "%"), ("Taux d'adhésion (%)", "%"), ("Montants (en millions d'euros)", "millions d'euros"),
    ("Montants (en millions €)", "millions d'euros"), ("Montants", "millions d'euros"), ("Montants (en euros)", ""),
    ("Personnes", "personnes protégées"), ("Nombre de personnes protégées", "personnes protégées"),
])
def test_each_kind_says_its_unit_once(store, kind, title, unit):
    raw = {"kind": kind, "title": title, **KINDS[kind]}
    if unit:
        raw["unit"] = unit
    alt = charts.prepare(spec(raw), store).alt_text()
    check_rules(alt)
    said = unit or "euros"
    words = said.replace("'", "’")
    counted = not charts._MEASURE.match(said)
    if counted and said not in title:
        assert f", en nombre de {words}." in alt          # what is counted: once, after the title
    elif counted:
        assert "en nombre" not in alt                      # the title names it already
    else:
        assert "(en" not in sentences(alt)[0] and "(%)" not in alt      # the figures carry it, each one
        figures = sentences(alt)[1]
        first, _, rest = words.partition(" ")
        carried = re.findall(rf"\d{SPACES}{re.escape(first.rstrip('s'))}s?(?:{SPACES}{re.escape(rest)})?(?!\w)",
                             figures)
        assert len(carried) == len(re.findall(NUMBER, figures)), figures


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_summary_comes_first(store, kind):
    raw = {"kind": kind, "title": "Essai", "summary": "  La part des assurés\n  progresse d'année en année ",
           **KINDS[kind]}
    data = charts.prepare(spec(raw), store)
    alt = data.alt_text()
    assert alt.startswith("La part des assurés progresse d’année en année. " + charts.KIND_NAMES[kind] + " : Essai.")
    check_rules(alt)
    without = charts.prepare(spec({k: v for k, v in raw.items() if k != "summary"}), store)
    assert without.alt_text().startswith(charts.KIND_NAMES[kind])
    assert alt.endswith(without.alt_text())


def test_the_summary_does_not_change_the_drawing(store):
    raw = {"kind": "hbar", "title": "Essai", "data": THREE}
    plain = charts.prepare(spec(raw), store)
    summed = charts.prepare(spec({**raw, "summary": "Le régime général domine."}), store)
    assert plain.digest({}) == summed.digest({})     # the same SVG file: nothing redrawn


@pytest.mark.parametrize("summary", [["une", "liste"], "", "   ", 12, {"texte": "x"}])
def test_a_summary_that_is_not_a_sentence_is_refused_at_its_line(store, summary):
    with pytest.raises(DataError) as err:
        charts.prepare(spec({"kind": "hbar", "title": "Essai", "summary": summary, "data": THREE}), store)
    text = str(err.value)
    assert "« summary: » attend une phrase" in text and "charts.yml" in text and "essai" in text


def test_a_misspelt_summary_key_names_the_right_one(store):
    with pytest.raises(DataError) as err:
        charts.prepare(spec({"kind": "hbar", "title": "Essai", "sumary": "Texte.", "data": THREE}), store)
    assert "clé inconnue « sumary »" in str(err.value) and "vouliez-vous dire « summary » ?" in str(err.value)


@pytest.mark.parametrize("written, unit, said", [
    ("1,2 millions", "", "1,2\u00a0million"),
    ("1,2 million", "", "1,2\u00a0million"),
    ("1 millions", "", "1\u00a0million"),
    ("1,96", "millions d'euros", "1,96\u00a0million d’euros"),
    ("2", "millions d'euros", "2\u00a0millions d’euros"),
    ("2,3 millions", "millions d'euros", "2,3\u00a0millions d’euros"),
    ("1 131", "millions d'euros", "1\u202f131\u00a0millions d’euros"),
    ("1,5 milliards", "", "1,5\u00a0milliard"),
    ("2,5 milliard", "", "2,5\u00a0milliards"),
    ("-1,5 millions", "", "\u22121,5\u00a0million"),
    ("-9,26", "%", "\u22129,26\u202f%"),
    ("66%", "% des vaccins", "66\u202f% des vaccins"),
    ("15 489 €", "€", "15\u202f489\u202f€"),
    ("+4,1 %", "%", "+4,1\u202f%"),
])
def test_a_figure_is_said_with_its_unit(written, unit, said):
    assert charts.say(french.format_cell(written), unit) == said


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=Decimal("-50"), max_value=Decimal("50"), places=2, allow_nan=False),
       st.sampled_from(["million", "millions", "milliard", "milliards"]), st.integers(0, 2))
def test_any_number_of_millions_agrees_and_keeps_its_sign(value, word, decimals):
    written = french.format_number(value, decimals) + " " + word
    said = charts.say(french.format_cell(written))
    shown = french.round_figure(value, decimals)
    assert wrong_agreement(said) == []
    assert said.endswith(word.rstrip("s") + ("s" if abs(shown) >= 2 else ""))
    assert said.startswith("\u2212") == (shown < 0) and "-" not in said


# --- what the figures say without judgement -------------------------------------------------
def test_a_ring_names_its_largest_part(store):
    alt = charts.prepare(spec({"kind": "donut", "title": "Population", "unit": "%", "data": [
        {"label": "Assurés", "value": "79 %"}, {"label": "Employeurs", "value": "9 %"},
        {"label": "Professionnels", "value": "12 %"}]}), store).alt_text()
    assert alt.endswith("Part la plus grande : Assurés, avec 79\u202f%, plus de la moitié du total.")
    tied = charts.prepare(spec({"kind": "pie", "title": "Sexe", "data": [
        {"label": "Femmes", "value": "40"}, {"label": "Hommes", "value": "40"}, {"label": "NC", "value": "20"}]}),
        store).alt_text()
    assert "Parts les plus grandes, à égalité : Femmes et Hommes, avec 40 chacune." in tied
    small = charts.prepare(spec({"kind": "donut", "title": "Canaux", "data": [
        {"label": "Courrier", "value": "47"}, {"label": "Mail", "value": "33"}, {"label": "Accueil", "value": "20"}]}),
        store).alt_text()
    assert small.endswith("Part la plus grande : Courrier, avec 47.")      # not more than half: not said


def test_bars_over_years_say_the_change_from_the_first_to_the_last(store):
    def alt(values, unit=""):
        return charts.prepare(spec({"kind": "bar", "title": "Saisines", "unit": unit, "data": [
            {"label": str(2020 + i), "value": v} for i, v in enumerate(values)]}), store).alt_text()

    assert alt(["146", "407", "231", "75"]).endswith("De 2020 à 2023 : de 146 à 75 (en baisse de 48,6\u202f%).")
    assert alt(["100", "125"]).endswith("De 2020 à 2021 : de 100 à 125 (en hausse de 25,0\u202f%).")
    assert alt(["42 %", "30,67 %"], "%").endswith(
        "De 2020 à 2021 : de 42\u202f% à 30,67\u202f% (en baisse de 11,33\u00a0points).")   # rates: in points
    assert alt(["42 %", "43,5 %"], "%").endswith("(en hausse de 1,5\u00a0point).")
    assert alt(["0", "12"]).endswith("De 2020 à 2021 : de 0 à 12.")         # no evolution from zero
    assert alt(["-4", "12"]).endswith("De 2020 à 2021 : de \u22124 à 12.")


def test_bars_name_their_highest_and_lowest_values(store):
    alt = charts.prepare(spec({"kind": "hbar", "title": "Actions", "unit": "actions", "data": [
        {"label": "Prévention", "value": "10"}, {"label": "Relations", "value": "14"},
        {"label": "Maîtrise", "value": "9"}, {"label": "Fraude", "value": "9"}]}), store).alt_text()
    assert alt.endswith("Valeur la plus élevée : Relations, avec 14 ; "
                        "la plus faible, à égalité : Maîtrise et Fraude, avec 9.")
    same = charts.prepare(spec({"kind": "bar", "title": "Égaux", "data": [
        {"label": "a", "value": "3"}, {"label": "b", "value": "3"}]}), store)
    assert len(charts.alt_sentences(same)) == 2     # nothing to say beyond the figures


def test_series_of_two_years_say_each_change(store):
    alt = charts.prepare(spec({"kind": "grouped-bar", "title": "Prado", "categories": ["Maternité", "Chirurgie"],
                               "series": [{"name": "2019", "values": ["8 133", "1 596"]},
                                          {"name": "2018", "values": ["9 035", "1 358"]}]}), store).alt_text()
    assert alt.endswith("De 2018 à 2019 : Maternité, de 9\u202f035 à 8\u202f133 (en baisse de 10,0\u202f%) ; "
                        "Chirurgie, de 1\u202f358 à 1\u202f596 (en hausse de 17,5\u202f%).")


def test_a_line_over_years_says_each_series_change(store):
    alt = charts.prepare(spec({"kind": "line", "title": "Délais", "unit": "jours", "categories": ["2021", "2022"],
                               "series": [{"name": "IJ", "values": ["30", "24"]},
                                          {"name": "Rentes", "values": ["50", "50"]}]}), store).alt_text()
    assert alt.endswith("De 2021 à 2022 : IJ, de 30 à 24 (en baisse de 20,0\u202f%) ; Rentes, de 50 à 50 (stable).")


def test_results_are_compared_with_their_objectives(store):
    alt = charts.prepare(spec({"kind": "bullet", "title": "Prado", "data": [
        {"label": "Maternité", "value": "202", "target": "268"}, {"label": "Orthopédie", "value": "500", "target": "434"},
        {"label": "Chroniques", "value": "148", "target": "148"}]}), store).alt_text()
    assert alt.endswith("Résultat au moins égal à l’objectif : Orthopédie et Chroniques ; "
                        "inférieur à l’objectif : Maternité.")


# --- every chart of the four reference editions ----------------------------------------------
def reference_charts():
    for edition in EDITIONS:
        store = DataStore.load(ROOT / "data" / edition)
        for chart_id, chart_spec in store.charts.items():
            yield edition, chart_spec, charts.prepare(chart_spec, store)


REFERENCE = list(reference_charts())


@pytest.mark.parametrize("edition, chart_spec, data", REFERENCE,
                         ids=[f"{e}:{s.id}" for e, s, _ in REFERENCE])
def test_every_reference_chart_reads_like_a_sentence(edition, chart_spec, data):
    alt = data.alt_text()
    check_rules(alt)
    if chart_spec.raw.get("summary"):
        assert alt.startswith(data.summary) and data.summary.endswith(".")
    else:
        assert alt.startswith(charts.KIND_NAMES[data.kind])
    displays = [d for p in data.points for d in (p.display, p.target_display, p.floor_display) if d] + \
        [d for s in data.series for d in s.displays]
    for display in displays:       # every figure of the chart, as printed, is in the sentence
        number = re.match(r"[-+]?[\d\u202f]+(?:,\d+)?", display)[0].replace("-", "\u2212")
        assert number in alt, (number, alt)


def test_the_reference_editions_have_charts_of_each_common_kind_and_summaries():
    kinds = {data.kind for _, _, data in REFERENCE}
    assert {"donut", "bar", "hbar", "grouped-bar", "bullet"} <= kinds
    assert {edition for edition, s, _ in REFERENCE if s.raw.get("summary")} >= {"ardeche/2023", "landes/2017"}


@pytest.mark.parametrize("title, unit, said", [
    ("Taux de participation (en %)", "%", ""), ("Taux d'absentéisme par motif (%)", "%", ""),
    ("Nombre de saisines de la médiation", "saisines", ""), ("Population protégée", "personnes protégées",
                                                            "personnes protégées"),
    ("Structure de l'Ondam", "millions d'euros", "millions d’euros"), ("Effectifs", "", ""),
])
def test_the_web_data_table_says_the_unit_after_the_title_only_where_the_title_does_not(title, unit, said):
    assert charts.ChartData("c", "bar", title, unit).title_unit == said
