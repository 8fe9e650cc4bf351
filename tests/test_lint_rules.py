"""The lint's rules by name, the typed-figure advice, declared units, and the lint as properties.

Every warning carries its rule's name, every rule is in the documentation and can be turned
off in the manifest; a typed figure is bound only to a figure of the data whose label speaks of
the same thing; rate bases and shares of a whole are no figures; an edition declares its units.
"""
from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from reportgen.builder import check
from reportgen.edition.config import Lint
from reportgen.edition.lint import RULES, Known, fix_line, fixes, lint_file, meaningful_words, unbound_figures

REPO = Path(__file__).resolve().parent.parent
EDITION = ("demo", "2020")

# one line that breaks each rule, and nothing else
BREAKS = {
    "guillemets": 'Le dispositif "Mon espace santé" progresse.',
    "ellipsis": "Les partenaires, les assurés...",
    "ordinals": "Pour la 2ème année de suite.",
    "capitals": "Une convention avec l'Etat.",
    "repeated": "Le le service a ouvert.",
    "spaces": "Deux  espaces ici.",
    "figures": "Un budget de 4 321 € cette année.",
}


def chapter(project):
    return project.content.joinpath(*EDITION) / "01-contexte.md"


def add_text(project, text: str) -> None:
    md = chapter(project)
    md.write_text(md.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def add_manifest(project, text: str) -> None:
    manifest = project.content.joinpath(*EDITION) / "edition.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + text, encoding="utf-8")


def add_figures(project, text: str) -> None:
    (project.data.joinpath(*EDITION) / "figures" / "essai.yml").write_text(text, encoding="utf-8")


def lint_warnings(project) -> list[str]:
    errors, warnings = check(project, "demo/2020")
    assert not errors, errors
    return [str(w) for w in warnings if re.search(r"\] ", str(w))]


def figures_messages(project) -> list[str]:
    return [w.split("[figures] ", 1)[1] for w in lint_warnings(project) if "[figures]" in w]


# --- rule names ----------------------------------------------------------------------------------
def test_every_rule_has_a_line_that_breaks_it():
    assert set(BREAKS) == set(RULES)


def test_every_rule_is_documented_with_its_name():
    docs = (REPO / "docs" / "edition-format.md").read_text(encoding="utf-8")
    section = docs.split("## Le style maison et les chiffres tapés (reportgen check)", 1)[1].split("\n## ", 1)[0]
    for rule in RULES:
        assert f"`{rule}`" in section, rule
    assert "lint: {disable:" in section and "units:" in section


@pytest.mark.parametrize("rule", RULES)
def test_each_warning_names_its_rule_and_the_rule_can_be_turned_off(project, rule):
    add_text(project, BREAKS[rule])
    line = len(chapter(project).read_text(encoding="utf-8").splitlines())
    found = lint_warnings(project)
    assert [w for w in found if w.startswith(f"content/demo/2020/01-contexte.md:{line}: [{rule}] ")], found
    add_manifest(project, f"lint: {{disable: [{rule}]}}\n")
    assert not [w for w in lint_warnings(project) if f"[{rule}]" in w]


def test_turning_off_one_rule_keeps_the_others(project):
    add_text(project, BREAKS["figures"] + " " + BREAKS["ordinals"])
    add_manifest(project, "lint: {disable: [figures]}\n")
    found = lint_warnings(project)
    assert [w for w in found if "[ordinals]" in w] and not [w for w in found if "[figures]" in w]


@pytest.mark.parametrize("written, closest", [("figure", "figures"), ("guillemet", "guillemets"),
                                              ("Ordinals", "ordinals"), ("espaces", "spaces")])
def test_an_unknown_rule_names_the_closest_one_at_its_line(project, written, closest):
    add_manifest(project, f"lint:\n  disable:\n    - ellipsis\n    - {written}\n")
    errors, _ = check(project, "demo/2020")
    lines = (project.content.joinpath(*EDITION) / "edition.yml").read_text(encoding="utf-8").splitlines()
    assert [str(e) for e in errors] == [
        f"content/demo/2020/edition.yml:{len(lines)}: règle de style inconnue « {written} » dans lint.disable : "
        f"la plus proche est « {closest} » — règles : {', '.join(RULES)}"]


def test_an_unknown_rule_far_from_all_names_lists_them(project):
    add_manifest(project, "lint: {disable: [zzz]}\n")
    errors, _ = check(project, "demo/2020")
    assert len(errors) == 1 and "« zzz » dans lint.disable — règles : guillemets" in str(errors[0])
    assert "la plus proche" not in str(errors[0])


# --- rate bases and shares of a whole --------------------------------------------------------------
@pytest.mark.parametrize("sentence", [
    "Le taux d'hospitalisation est faible pour 100 000 habitants.",
    "On compte trois médecins pour 1 000 assurés.",
    "Une incidence exprimée p. 10 000 habitants.",
    "Les soins sont remboursés à 100 %.",
    "Les soins sont pris en charge à 100 % par l'Assurance Maladie.",
    "Les soins sont pris en charge à hauteur de 100 %.",
    "La réforme 100 % santé se poursuit.",
    "Le « 100 % Santé » en optique.",
    "Une démarche 100 % dématérialisée, 100 % en ligne.",
])
def test_rate_bases_and_shares_of_a_whole_are_not_figures(project, sentence):
    add_text(project, sentence)
    assert figures_messages(project) == []


@pytest.mark.parametrize("sentence, flagged", [
    ("Un taux de 12,5 pour 100 000 habitants.", ["12,5"]),
    ("Un médecin pour 1 500 habitants.", ["1 500"]),
    ("Une enveloppe pour 100 000 € de travaux.", ["100 000 €"]),
    ("100 % des agents ont été formés.", ["100 %"]),
    ("Le taux passe de 98 % à 100 %.", ["98 %", "100 %"]),
    ("Le taux atteint 100 % en 2020.", ["100 %"]),
])
def test_real_figures_near_those_forms_stay_flagged(project, sentence, flagged):
    add_text(project, sentence)
    assert [m.split(" » ", 1)[0].removeprefix("« ") for m in figures_messages(project)] == flagged


# --- a binding only when the label matches --------------------------------------------------------
TWO_HUNDREDS = "conseil:\n  certification-comptes: \"100 %\"\ngdr:\n  maillage-cible: \"100 %\"\n"


def test_a_share_of_a_whole_is_not_bound_to_an_unrelated_figure(project):
    add_figures(project, TWO_HUNDREDS)
    add_text(project, "Les soins dentaires sont remboursés à 100 %.")
    assert figures_messages(project) == []


def test_several_figures_with_the_value_and_none_about_the_text_are_not_proposed(project):
    add_figures(project, TWO_HUNDREDS)
    add_text(project, "Le taux de satisfaction des assurés atteint 100 % en 2020.")
    assert figures_messages(project) == [
        "« 100 % » tapé dans le texte : 2 chiffres des données ont cette valeur, aucun sous un libellé "
        "proche du texte ; mettez-le dans data/…/figures/ et écrivez {{ fig(\"…\") }}"]


def test_the_figure_whose_label_the_text_speaks_of_is_proposed(project):
    add_figures(project, TWO_HUNDREDS)
    add_text(project, "La certification des comptes atteint 100 % en 2020.")
    assert figures_messages(project) == [
        '« 100 % » tapé dans le texte : la même valeur est dans les données, '
        'écrivez {{ fig("conseil.certification-comptes") }}']


def test_a_label_of_a_table_a_row_and_a_column_is_matched(project):
    # population.csv: « Dont droits ouverts » 97,03 % (caisse) and 96,44 % (france)
    add_text(project, "Les droits ouverts concernent 97,03 % des assurés.")
    assert figures_messages(project) == [
        '« 97,03 % » tapé dans le texte : la même valeur est dans les données, '
        'écrivez {{ fig("population.dont-droits-ouverts.caisse") }}']


def test_a_tile_label_is_matched_before_a_key_alone(project):
    # « 91,30% » is both kpis.message.objectifs (« objectifs atteints ») and message.objectifs
    add_text(project, "Les objectifs atteints représentent 91,30 % du total.")
    assert figures_messages(project) == [
        '« 91,30 % » tapé dans le texte : la même valeur est dans les données, '
        'écrivez {{ fig("kpis.message.objectifs") }}']


def test_one_figure_with_the_value_but_another_subject_is_named_not_proposed(project):
    add_text(project, "Les dépenses de transport progressent de 97,03 % selon l'étude.")
    message, = figures_messages(project)
    assert "même valeur que population.dont-droits-ouverts.caisse" in message
    assert "sans rapport avec le texte" in message and 'fig("population' not in message


def test_a_close_value_is_an_inconsistency_only_on_the_same_subject(project):
    add_text(project, "La densité atteint 275,6 habitants. Les remboursements de transport atteignent 275,6 €.")
    assert figures_messages(project) == [
        "« 275,6 » tapé dans le texte, proche de kpis.circonscription.densite (275,57) : incohérence probable",
        '« 275,6 € » tapé dans le texte : mettez-le dans data/…/figures/ et écrivez {{ fig("…") }}']


def test_a_word_after_the_figure_binds_it_to_the_data_without_its_word(project):
    # delais.moyen is « 15,77 j »: « 15,77 jours » in the text is its value, printed with its word
    add_figures(project, "traitement:\n  delai-retention: \"9,77\"\n")
    add_text(project, "Le délai de rétention est de 9,77 jours.")
    assert figures_messages(project) == [
        '« 9,77 jours » tapé dans le texte : la même valeur est dans les données, '
        'écrivez {{ fig("traitement.delai-retention") }}']


# --- units declared by the edition ----------------------------------------------------------------
def test_the_manifest_declares_units_without_an_unknown_key_warning(project):
    add_manifest(project, "lint: {units: [agents, dossiers]}\n")
    errors, warnings = check(project, "demo/2020")
    assert not errors and not [w for w in warnings if "clé inconnue" in str(w)]
    assert Lint(units=["agents"]).units == ["agents"] and Lint().units == []


def test_a_figure_with_an_undeclared_word_is_left_to_the_writer(project):
    add_figures(project, "rh:\n  agents-accueil: \"36 agents\"\n")
    add_text(project, "Nos 36 agents de l'accueil reçoivent les assurés.")
    assert figures_messages(project) == []


def test_a_declared_unit_makes_the_figure_count_and_binds_it(project):
    add_manifest(project, "lint: {units: [agents, dossiers]}\n")
    add_figures(project, "rh:\n  agents-accueil: \"36 agents\"\nlitiges:\n  dossiers-instruits: \"1 250 dossiers\"\n")
    add_text(project, "Nos 36 agents de l'accueil reçoivent les assurés. La commission a instruit 1 250 dossiers. "
                      "Puis 12 agents ont rejoint le service.")
    assert figures_messages(project) == [
        '« 36 agents » tapé dans le texte : la même valeur est dans les données, '
        'écrivez {{ fig("rh.agents-accueil") }}',
        '« 1 250 dossiers » tapé dans le texte : la même valeur est dans les données, '
        'écrivez {{ fig("litiges.dossiers-instruits") }}',
        '« 12 agents » tapé dans le texte : mettez-le dans data/…/figures/ et écrivez {{ fig("…") }}']


def test_a_declared_unit_keeps_rate_bases_out(project):
    add_manifest(project, "lint: {units: [assurés]}\n")
    add_text(project, "Trois médecins pour 1 000 assurés.")
    assert figures_messages(project) == []


# --- properties: the lint never fails, --fix is idempotent ----------------------------------------
PIECES = st.sampled_from([
    " ", "  ", "\n", "a", "É", "Etat", "le le", '"', "...", "…", "1ère", "2ème", "1", "100", " 000", ",5",
    " %", "%", " €", "‰", " M€", " agents", " jours", "pour ", "p. ", "à ", " santé", " des", "{{ fig(\"a.b\") }}",
    "{{", "}}", "{%", "<a href=\"x\">", "<", ">", "`", "https://x.fr/a...b", "[^1]", "!!! encadre \"T\"",
    "|", "---", "```", "#", "- ", "«", "»", "\u202f", "\u00a0", "\t", "\r",
])
TEXTS = st.one_of(st.text(max_size=80), st.lists(PIECES, max_size=40).map("".join))
UNITS = st.lists(st.one_of(st.sampled_from(["agents", "dossiers", "jours ouvrés", "%", "", "  ", "(", "a.b*"]),
                           st.text(max_size=8)), max_size=3)
KNOWN_VALUES = {    # a few figures of data, so that every branch of the advice is taken
    (Decimal("100"), "%"): [Known("conseil.certification", meaningful_words("certification des comptes")),
                            Known("gdr.maillage", meaningful_words("maillage cible"))],
    (Decimal("12.5"), ""): [Known("kpis.a.taux", meaningful_words("Agents formés"))],
    (Decimal("1000"), ""): [Known("t.ligne.col", meaningful_words("Dossiers agents"))],
    (Decimal("36"), ""): [Known("rh.agents", meaningful_words("agents"))],
}


def _lint(text: str, units: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="lint-") as folder:
        md = Path(folder) / "chapitre.md"
        md.write_text(text, encoding="utf-8")
        for finding in lint_file(md, set(RULES) - {"figures"}) + unbound_figures(md, KNOWN_VALUES, units):
            assert finding.rule in RULES and finding.line >= 1
            assert str(finding.warning()).startswith(f"{md}:{finding.line}: [{finding.rule}] ")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, UNITS)
@example('""a"" 12,5 pour 100 000 à 100 %', ["agents"])
def test_the_lint_never_fails_on_any_text(text, units):
    _lint(text, units)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
@example('""a""')
@example('"""x""" .... 1 ère Etat  Etat')
def test_fix_is_idempotent_and_never_touches_a_digit(text):
    once = fix_line(text, set(RULES))
    assert fix_line(once, set(RULES)) == once
    assert [c for c in once if c.isdigit()] == [c for c in text if c.isdigit()]


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXTS, max_size=6).map("\n".join))
@example('---\ntitle: "x"\n---\n""a"" 2ème...')
def test_check_fix_twice_changes_nothing_the_second_time(text):
    with tempfile.TemporaryDirectory(prefix="lint-") as folder:
        md = Path(folder) / "chapitre.md"
        md.write_text(text, encoding="utf-8", newline="")
        changed = fixes(md.parent, [])
        if changed:
            md.write_text(changed[md][1], encoding="utf-8", newline="")
        assert fixes(md.parent, []) == {}
