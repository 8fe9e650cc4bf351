"""Bad data: one French message naming the data file at fault, its line (and column), never a traceback.

Each case breaks one file of the demo edition and runs ``check`` (stages 1 and 2, no PDF):
a data file's own mistake is reported in that file, not at the chapter line that uses it.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import edit
from reportgen.builder import check
from reportgen.errors import ContentError, DataError

EDITION = "demo/2020"


def data(project, name):
    return project.data / "demo" / "2020" / name


def chapter(project, name):
    return project.content / "demo" / "2020" / name


def error(project, kind=DataError):
    """The one problem ``check`` finds: of class ``kind``, with its place."""
    problems, _ = check(project, EDITION)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert type(problem) is kind, f"{type(problem).__name__}: {problem}"
    return problem


def at(problem, name, line, column=None):
    """The problem names the data file, the line and the column: « fichier:ligne (colonne « x »): … »."""
    text = str(problem)
    where = f"data/demo/2020/{name}" + (f":{line}" if line else "")
    assert text.startswith(where + (f" (colonne « {column} »)" if column else "") + ": "), text
    assert problem.line == line, text
    assert "Traceback" not in text and "\n" not in text
    return text


# --- 1. What raised a Python exception now names its place ------------------------------------

def test_a_400_digit_cell_names_its_cell(project):
    edit(data(project, "tables/effectifs.csv"), "cdi;Effectif CDI;825;806", f"cdi;Effectif CDI;{'9' * 400};806")
    text = at(error(project), "tables/effectifs.csv", 2, column="2020")
    assert "plus de 15 chiffres" in text


@pytest.mark.parametrize("file, old, new, line", [
    ("figures/message.yml", 'objectifs: "91,30%"', f"objectifs: {'9' * 400}", 2),
    ("kpis/chiffres.yml", 'value: "512"', f'value: "{"1" * 40}"', 8),
    ("charts/charts.yml", 'value: "=population.regime-general.caisse"}', f'value: "{"7" * 30}"}}', 5),
])
def test_a_figure_too_long_is_refused_in_its_file(project, file, old, new, line):
    edit(data(project, file), old, new)
    assert "plus de 15 chiffres" in at(error(project), file, line)


@pytest.mark.parametrize("directive, message", [
    ("table(42)", 'table(…) attend un nom entre guillemets, par exemple table("effectifs")'),
    ("table(none)", "table(…) attend un nom entre guillemets"),
    ("chart(3)", 'chart(…) attend un nom entre guillemets, par exemple chart("'),
    ("kpis(1)", 'kpis(…) attend un nom entre guillemets, par exemple kpis("'),
    ("roster([1])", "roster(…) attend un nom entre guillemets"),
    ("contacts(2)", "contacts(…) attend un nom entre guillemets"),
    ("fig(2020)", 'fig(…) attend un nom entre guillemets, par exemple fig("'),
    ("ranking(5)", "ranking(…) attend un nom entre guillemets"),
    ('tables("effectifs", 7)', "tables(…) attend des noms entre guillemets"),
    ("tables()", "tables(…) attend des noms entre guillemets"),
    ("charts()", "charts(…) attend des noms entre guillemets"),
    ("callout([1], 'x')", "callout(…) attend un chiffre entre guillemets"),
    ("callout('12', 3)", "callout(…) : le libellé s'écrit entre guillemets"),
])
def test_a_data_directive_checks_its_argument(project, directive, message):
    edit(chapter(project, "02-activite.md"), 'table("effectifs")', directive)
    problem = error(project, ContentError)
    assert str(problem).startswith("content/demo/2020/02-activite.md:6: "), str(problem)
    assert message in problem.message


# --- 2. Invalid input that was accepted ---------------------------------------------------------

def test_a_row_key_written_twice_names_both_lines(project):
    edit(data(project, "tables/effectifs.csv"), "etp;ETP moyens", "cdi;ETP moyens")
    text = at(error(project), "tables/effectifs.csv", 3, column="_key")
    assert "« cdi » est aussi celle de la ligne 2" in text


def test_a_written_key_may_not_take_the_key_of_a_label(project):
    edit(data(project, "tables/effectifs.csv"), "etp;ETP moyens", ";Taux")
    text = at(error(project), "tables/effectifs.csv", 4, column="_key")
    assert "« taux » est aussi celle de la ligne 3" in text


def test_a_label_printed_twice_is_accepted_but_not_a_third_that_takes_its_number(project):
    # published tables print the same label in two sections: « libelle », then « libelle-2 »
    path = data(project, "tables/actions-par-acteur.csv")
    lines = path.read_text(encoding="utf-8").splitlines()     # « Assurés;6 514;… » on line 2
    path.write_text("\n".join(lines[:2] + [lines[1]] + lines[2:]) + "\n", encoding="utf-8")
    assert check(project, EDITION)[0] == []                    # « assures », then « assures-2 »
    third = lines[1].replace("Assurés;", "Assurés 2;", 1)       # its own key would be « assures-2 »
    path.write_text("\n".join(lines[:2] + [lines[1], third] + lines[2:]) + "\n", encoding="utf-8")
    assert "« assures-2 » est aussi celle de la ligne 3" in at(error(project), "tables/actions-par-acteur.csv", 4)


def test_a_table_without_its_description(project):
    data(project, "tables/effectifs.yml").unlink()
    text = at(error(project), "tables/effectifs.csv", None)
    assert "tableau sans description" in text and "effectifs.yml" in text


def test_a_description_without_its_table(project):
    data(project, "tables/effectifs.csv").unlink()
    assert "description de tableau sans fichier de données" in at(error(project), "tables/effectifs.yml", None)


def test_a_table_replaced_by_a_folder(project):
    data(project, "tables/effectifs.csv").unlink()
    data(project, "tables/effectifs.csv").mkdir()
    assert "est un dossier" in at(error(project), "tables/effectifs.csv", None)


@pytest.mark.parametrize("spec", ["", "\n\n", "~\n", "# le titre\n~\n"])
def test_an_empty_description_is_refused(project, spec):
    data(project, "tables/effectifs.yml").write_text(spec, encoding="utf-8")
    assert "description de tableau vide" in at(error(project), "tables/effectifs.yml", 1)


def test_a_description_of_comments_only_is_a_table_without_title(project):
    # a published table has none: its comments say the section heading is its caption
    data(project, "tables/actions-par-acteur.yml").write_text("# Pas de titre : la section le porte.\n")
    assert check(project, EDITION)[0] == []


@pytest.mark.parametrize("spec, line, message", [
    ("title: T\ncolumns: [a, b]\n", 2, "« columns: » attend une description par nom de colonne"),
    ("title: T\nnotes: une note\n", 2, "« notes: » attend une liste"),
    ("title: T\nsize: tiny\n", 2, "« size: tiny » inconnu"),
    ("title: T\ncolumns:\n  '2020': bold\n", 3, "colonne « 2020 » : une description"),
    ("title: T\ncomputed:\n  - {from: '2019'}\n", 3, "« from » et « to » sont attendus"),
    ("title: T\ncomputed:\n  - {from: '2019', to: '2020', decimals: deux}\n", 3, "doit être un entier"),
    ("title: T\nheader:\n  - ['', {text: x, colspan: deux}, '', '']\n", 3, "colspan et rowspan"),
])
def test_a_table_description_of_the_wrong_shape(project, spec, line, message):
    data(project, "tables/effectifs.yml").write_text(spec, encoding="utf-8")
    assert message in at(error(project), "tables/effectifs.yml", line)


def test_a_negative_part_of_a_donut_names_the_chart_file_and_the_value_line(project):
    edit(data(project, "charts/charts.yml"), 'value: "=population.regime-agricole.caisse"}', 'value: "-40 693"}')
    text = at(error(project), "charts/charts.yml", 6)
    assert "la part « Régime agricole » vaut -40" in text and "anneau" in text


def test_a_negative_part_read_from_a_table_names_the_table_line_too(project):
    path = data(project, "charts/charts.yml")
    path.write_text(path.read_text(encoding="utf-8") + "parts:\n  kind: pie\n  title: Parts\n"
                    "  table: effectifs\n  column: '2020'\n", encoding="utf-8")
    edit(data(project, "tables/effectifs.csv"), "etp;ETP moyens;796,78", "etp;ETP moyens;-796,78")
    text = at(error(project), "charts/charts.yml", 23)      # the line of « table: »
    assert "effectifs.csv:3" in text and "secteurs" in text


def test_a_donut_whose_parts_are_all_zero(project):
    edit(data(project, "charts/charts.yml"), 'value: "=population.regime-general.caisse"}', 'value: "0"}')
    edit(data(project, "charts/charts.yml"), 'value: "=population.regime-agricole.caisse"}', 'value: "0"}')
    assert "toutes les parts valent 0" in at(error(project), "charts/charts.yml", 4)


@pytest.mark.parametrize("row, message", [
    ("- 42", "« 42 » n'est pas une ligne de la liste"),
    ("- Madame Julie TEST", "n'est pas une ligne de la liste"),
    ('- ["Madame Julie TEST", {nom: x}]', "une case est un texte"),
    ('- ["A", "B", "C"]', "3 cellules pour 2 colonnes"),
])
def test_a_list_row_of_the_wrong_shape(project, row, message):
    edit(data(project, "lists/conseil.yml"), '- ["Madame Julie TEST", ""]', row)
    assert message in at(error(project), "lists/conseil.yml", 8)    # the line of « rows: »


@pytest.mark.parametrize("old, new, line, message", [
    ('columns: [Titulaires, Suppléants]', "columns: Titulaires", 3, "« columns: » attend une liste"),
    ("    groups:\n", "    group:\n", 6, "clé inconnue « group »"),
    ('  - title: "1 – Représentants des assurés sociaux"\n    groups:\n      - title: "1 – 1 CGT"\n'
     '        rows:\n          - ["Monsieur Jean EXEMPLE", "Madame Anne MODÈLE"]\n'
     '          - ["Madame Julie TEST", ""]\n', "  - 12\n", 4, "un groupe doit avoir"),
    ('        rows:\n          - ["Monsieur Jean EXEMPLE", "Madame Anne MODÈLE"]\n'
     '          - ["Madame Julie TEST", ""]\n', "        rows: Monsieur X\n", 8, "« rows: » attend une liste"),
])
def test_a_list_of_the_wrong_shape_is_reported_in_the_list_file(project, old, new, line, message):
    edit(data(project, "lists/conseil.yml"), old, new)
    assert message in at(error(project), "lists/conseil.yml", line)


# --- 3. A data file's own mistakes are reported in that file, at load time ----------------------

@pytest.mark.parametrize("old, new, line, message", [
    ("kind: donut", "kind: camembert", 2, "type de graphique « camembert » inconnu"),
    ("kind: donut", "kind: [donut]", 2, "type de graphique « ['donut'] » inconnu"),
    ('value: "=population.regime-agricole.caisse"}', 'value: "=population.regime-agricol.caisse"}', 6,
     "ligne « regime-agricol » inconnue"),
    ('value: "=population.regime-agricole.caisse"}', 'value: "beaucoup"}', 6, "« beaucoup » n'est pas un chiffre"),
    ("  data:\n    - {label: Régime général, value: \"=population.regime-general.caisse\"}\n",
     "  data:\n    - 730948\n", 4, "« data: » attend une liste de « {…} »"),
    ("  title: Population protégée\n", "  title: Population protégée\n  heigth: 3\n", 4,
     "clé inconnue « heigth »"),
    ("  title: Population protégée\n", "  title: Population protégée\n  height: haute\n", 4,
     "hauteur « haute » impossible"),
    ('{label: Régime agricole, value: "=population.regime-agricole.caisse"}',
     '{label: Régime agricole, valeur: "1"}', 6, "clé inconnue « valeur » dans « data »"),
    ('"1 350", "=effectifs.cdi.2020"]', '"1 350"]', 18, "a 2 valeurs pour 3 catégories"),
    ('  series:\n    - {name: "2020", values: ["1 200", "1 350", "=effectifs.cdi.2020"]}\n'
     '    - {name: "2019", values: ["1 100", "1 300", "=effectifs.cdi.2019"]}\n', "  series: 12\n", 17,
     "« series: » attend une liste"),
])
def test_a_broken_chart_is_reported_in_its_yaml_file(project, old, new, line, message):
    edit(data(project, "charts/charts.yml"), old, new)
    assert message in at(error(project), "charts/charts.yml", line)


def test_a_broken_chart_no_chapter_uses_is_still_reported(project):
    # charts are checked when the data is read: `reportgen check` finds them without a chapter
    path = data(project, "charts/charts.yml")
    path.write_text(path.read_text(encoding="utf-8") + "oubli:\n  kind: bar\n  title: Oubli\n"
                    "  data:\n    - {label: A, value: \"=effectifs.cdd.2020\"}\n", encoding="utf-8")
    assert "ligne « cdd » inconnue" in at(error(project), "charts/charts.yml", 24)


@pytest.mark.parametrize("old, new, line, message", [
    ("    - {key: communes, value: \"512\", label: Nombre de communes}",
     "    - {key: communes, value: \"512\", label: Nombre de communes, evolutoin: \"+2 %\"}", 8,
     "clé inconnue « evolutoin »"),
    ("circonscription:\n  title: La circonscription en chiffres\n  tiles:",
     "circonscription:\n  title: La circonscription en chiffres\n  tile:", 6, "doit avoir une liste « tiles: »"),
    ("    - {key: communes, value: \"512\", label: Nombre de communes}", "    - 512", 7, "« label » manquant"),
    ('value: "512"', 'value: [512]', 8, "doit être un chiffre écrit tel qu'imprimé"),
])
def test_a_broken_tile_is_reported_in_its_yaml_file(project, old, new, line, message):
    edit(data(project, "kpis/chiffres.yml"), old, new)
    assert message in at(error(project), "kpis/chiffres.yml", line)


@pytest.mark.parametrize("old, new, line, message", [
    ('objectifs: "91,30%"', "objectifs: [91, 30]", 2, "« message.objectifs » est une liste"),
    ('objectifs: "91,30%"', "objectifs:", 2, "« message.objectifs » est vide"),
    ('objectifs: "91,30%"', "objectifs: yes", 2, "« message.objectifs » est lu comme oui/non"),
    ('moyen: "15,77 j"', "moyen: 15.77", 4, "« delais.moyen » est « 15.77 »"),
])
def test_a_broken_figure_is_reported_in_its_yaml_file(project, old, new, line, message):
    edit(data(project, "figures/message.yml"), old, new)
    assert message in at(error(project), "figures/message.yml", line)


def test_a_figures_file_that_is_a_list(project):
    data(project, "figures/message.yml").write_text("- 12\n- 13\n", encoding="utf-8")
    assert "donnés par clés" in at(error(project), "figures/message.yml", 1)


def test_the_command_line_prints_one_french_line_and_no_traceback(project):
    edit(data(project, "tables/effectifs.csv"), "cdi;Effectif CDI;825;806", f"cdi;Effectif CDI;{'9' * 400};806")
    env = {**os.environ, "REPORTGEN_ROOT": str(project.root)}
    done = subprocess.run([sys.executable, "-m", "reportgen", "check", EDITION], capture_output=True, text=True,
                          env=env, timeout=120)
    out = done.stdout + done.stderr
    assert done.returncode == 1
    assert "Traceback" not in out and "InvalidOperation" not in out
    assert 'data/demo/2020/tables/effectifs.csv:2 (colonne « 2020 »): « 9999' in out


def test_a_contact_field_of_the_wrong_shape_is_reported_in_its_file(project):
    folder = data(project, "contacts")
    folder.mkdir()
    (folder / "contacts.yml").write_text("accueil:\n  entries:\n    - title: Accueil\n      lines: une ligne\n",
                                         encoding="utf-8")
    assert "« lines: » attend une liste de lignes" in at(error(project), "contacts/contacts.yml", 4)


def test_a_chart_point_without_its_value(project):
    edit(data(project, "charts/charts.yml"), '{label: Régime agricole, value: "=population.regime-agricole.caisse"}',
         "{label: Régime agricole, target: '3'}")
    assert "la valeur manque" in at(error(project), "charts/charts.yml", 6)
