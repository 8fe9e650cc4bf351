"""``reportgen check`` reports every problem of every file at once, each at its Markdown line or its cell.

Each test breaks files of a copy of the demo edition (see ``tests/test_check.py``): several bad
cells in several tables, several broken directives in one chapter (a syntax error among them), an
empty chapter, typos in ``fig()``; Jinja's syntax errors are said in French, for chapters and
layout templates; the documented roster forms all load.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment

from conftest import REPO, edit
from reportgen.builder import build, check
from reportgen.edition.content import ContentRenderer, read_chapter
from reportgen.edition.datastore import DataStore
from reportgen.errors import ContentError, DataError, set_display_root
from reportgen.messages import jinja_syntax

EDITION = "demo/2020"


def chapter(project, name):
    return project.content / "demo" / "2020" / name


def data(project, name):
    return project.data / "demo" / "2020" / name


def run(project, *args):
    env = {**os.environ, "REPORTGEN_ROOT": str(project.root)}
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def messages(project):
    errors, _ = check(project, EDITION)
    return [str(e) for e in errors]


# --- 1. every bad cell of every table ---------------------------------------------------------

def break_cells(project):
    edit(data(project, "tables/effectifs.csv"), "cdi;Effectif CDI;825;806", "cdi;Effectif CDI;8O5;8x6")
    edit(data(project, "tables/effectifs.csv"), "etp;ETP moyens;796,78", "etp;ETP moyens;7y6")
    edit(data(project, "tables/population.csv"), ";Régime général :;730 948", ";Régime général :;73O 948")


BAD_CELLS = [("tables/effectifs.csv", 2, "2020", "8O5"), ("tables/effectifs.csv", 2, "2019", "8x6"),
             ("tables/effectifs.csv", 3, "2020", "7y6"), ("tables/population.csv", 3, "caisse", "73O 948")]


def test_check_lists_every_bad_cell_of_every_table(project):
    break_cells(project)
    errors, _ = check(project, EDITION)
    assert [(e.path.name, e.line, e.column) for e in errors] == [
        (name.split("/")[1], line, column) for name, line, column, _ in BAD_CELLS]
    for error, (name, line, column, cell) in zip(errors, BAD_CELLS):
        assert type(error) is DataError
        assert str(error).startswith(f"data/demo/2020/{name}:{line} (colonne « {column} »): « {cell} » "
                                     "n'est pas un nombre")


def test_build_stops_with_every_bad_cell_on_its_one_line(project):
    break_cells(project)
    with pytest.raises(DataError) as err:
        build(project, EDITION)
    assert len(err.value.errors) == len(BAD_CELLS)
    text = str(err.value)
    assert "\n" not in text and text.startswith("data/demo/2020/tables/effectifs.csv:2 (colonne « 2020 »)")
    for name, line, column, cell in BAD_CELLS:
        assert f"data/demo/2020/{name}:{line} (colonne « {column} »): « {cell} » n'est pas un nombre" in text
    assert text.count("écrivez le chiffre tel qu'imprimé") == 1          # the shared advice, once
    assert not (project.build / "demo-2020" / "rapport-activite-demo-2020.pdf").exists()


def test_the_command_lists_each_cell_under_its_file(project):
    break_cells(project)
    done = run(project, "check", EDITION)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "data/demo/2020/tables/effectifs.csv" in lines and "data/demo/2020/tables/population.csv" in lines
    errors = [line for line in lines if line.startswith("  Erreur : ")]
    assert len(errors) == len(BAD_CELLS)
    assert f"{EDITION} : {len(BAD_CELLS)} erreur(s)" in done.stdout
    built = run(project, "build", EDITION)
    assert built.returncode == 1
    assert [line for line in built.stderr.splitlines() if line.startswith("Erreur")] == [
        line for line in built.stderr.splitlines() if line.strip() and not line.startswith("[")]
    assert len([line for line in built.stderr.splitlines() if line.startswith("Erreur")]) == 1
    assert all(f"« {cell} »" in built.stderr for *_, cell in BAD_CELLS)


def test_a_build_line_shows_ten_problems_and_counts_the_others():
    from reportgen.errors import DataErrors, gathered

    errors = gathered([DataError(f"« x{n} » n'est pas un nombre", "data/t.csv", n + 2, column="2020",
                                 hint="écrivez-le") for n in range(12)])
    assert isinstance(errors, DataErrors) and len(errors.errors) == 12
    text = str(errors)
    assert text.count("n'est pas un nombre") == 10 and "« x9 »" in text and "« x10 »" not in text
    assert text.endswith("; et 2 autre(s) : « reportgen check » les liste toutes — écrivez-le")
    assert gathered([errors.errors[0]]) is errors.errors[0]


def test_a_table_description_and_a_key_figure_broken_together_are_both_reported(project):
    edit(data(project, "tables/population.yml"), "title:", "titre:")
    edit(data(project, "kpis/chiffres.yml"), 'value: "512"', 'value: "cinq cents"')
    found = messages(project)
    assert len(found) == 2, found
    assert any(m.startswith("data/demo/2020/tables/population.yml:") and "clé inconnue « titre »" in m
               for m in found)
    assert any(m.startswith("data/demo/2020/kpis/chiffres.yml:") and "« cinq cents » n'est pas un chiffre" in m
               for m in found)


# --- 2. a syntax error no longer hides the other directives of its file ----------------------

def test_a_syntax_error_and_the_other_broken_directives_of_the_file(project):
    md = chapter(project, "01-contexte.md")
    edit(md, '{{ kpis("circonscription") }}', '{{ kpis("circonscriptio") }}')                    # line 7
    edit(md, 'fig("population.regime-general.caisse")', 'fig("populaton.regime-general.caisse")')  # line 11
    edit(md, '{{ table("population") }}', '{{ table("population" }}')                             # line 13
    edit(chapter(project, "02-activite.md"), '{{ roster("conseil") }}', '{{ roster("conseill") }}')  # line 10
    found = messages(project)
    where = "content/demo/2020/01-contexte.md"
    assert [m.split(": ")[0] for m in found] == [f"{where}:7", f"{where}:11", f"{where}:13",
                                                 "content/demo/2020/02-activite.md:10"]
    assert "groupe de chiffres clés « circonscriptio » inconnu (proches : circonscription)" in found[0]
    assert "populaton.regime-general.caisse" in found[1]
    assert found[2] == (f"{where}:13: directive mal écrite : « }} » inattendu : il manque « ) » pour fermer "
                        "une parenthèse — une directive s'écrit {{ table(\"nom\") }}")
    assert "liste « conseill » inconnu (proches : conseil)" in found[3]


def test_two_syntax_errors_of_one_file_are_both_reported(project):
    chapter(project, "02b-activite-suite.md").write_text(
        '{{ table("effectifs" }}\n\nUn texte.\n\n{{ chart("delais-mensuels") ) }}\n\n{{ kpis("mesage") }}\n',
        encoding="utf-8")
    found = messages(project)
    where = "content/demo/2020/02b-activite-suite.md"
    assert [m.split(": ")[0] for m in found] == [f"{where}:1", f"{where}:5", f"{where}:7"]
    assert "« ) » en trop : il ne ferme rien" in found[1]
    assert "« mesage » inconnu (proches : message)" in found[2]


def test_a_block_never_closed_is_named_at_its_opening_line_and_the_rest_is_checked(project):
    chapter(project, "02b-activite-suite.md").write_text(
        '## Les délais\n\n{% call focus("Délai moyen") %}\nPayées en {{ fig("delais.moyen") }}.\n\n'
        '{{ chart("delais-mensuel") }}\n', encoding="utf-8")
    found = messages(project)
    where = "content/demo/2020/02b-activite-suite.md"
    assert found[0] == (f"{where}:3: directive mal écrite : bloc « {{% call %}} » jamais fermé : il manque "
                        "« {% endcall %} » — un bloc s'écrit {% call focus(\"Titre\") %}, son texte, puis "
                        "{% endcall %}")
    assert found[1].startswith(f"{where}:6: graphique « delais-mensuel » inconnu")
    assert len(found) == 2


def test_the_directives_inside_a_block_are_checked_one_by_one(project):
    chapter(project, "02b-activite-suite.md").write_text(
        '{% call focus("Un") %}\nPayées en {{ fig("delais.moyen" }}.\n{% endcall %}\n\n'
        '{% call focus("Deux") %}\nPayées en {{ fig("delais.moyn") }} et {{ fig("delais.moyen") }}.\n'
        '{% endcall %}\n', encoding="utf-8")
    found = messages(project)
    where = "content/demo/2020/02b-activite-suite.md"
    assert [m.split(": ")[0] for m in found] == [f"{where}:2", f"{where}:6"]
    assert "(proches : delais.moyen)" in found[1]


def test_what_a_directive_uses_is_there_when_it_is_tried_alone(project):
    """A {% set %}, a macro, a loop variable: no error invented when directives are tried one by one."""
    chapter(project, "02b-activite-suite.md").write_text(
        '{% set t = "population" %}\n{{ table(t) }}\n{{ table("x" }}\n'
        '{% for n in ["effectifs"] %}{{ table(n) }}{% endfor %}\n'
        '{% macro m(x) %}{{ fig(x) }}{% endmacro %}\n{{ m("delais.moyen") }}\n{{ m("delais.inconnu") }}\n',
        encoding="utf-8")
    found = messages(project)
    where = "content/demo/2020/02b-activite-suite.md"
    assert [m.split(": ")[0] for m in found] == [f"{where}:3", f"{where}:5"]    # the macro's line, as a build says
    assert "delais.inconnu" in found[1]


def test_a_build_stops_with_all_the_mistakes_of_the_chapter(project):
    md = chapter(project, "01-contexte.md")
    edit(md, '{{ kpis("circonscription") }}', '{{ kpis("circonscriptio") }}')
    edit(md, '{{ table("population") }}', '{{ table("population" }}')
    with pytest.raises(ContentError) as err:
        build(project, EDITION)
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith("content/demo/2020/01-contexte.md:7: groupe de chiffres clés « circonscriptio »")
    assert "content/demo/2020/01-contexte.md:13: directive mal écrite : « } » inattendu" in text


# --- 3. an empty chapter, at the reading stage ------------------------------------------------

@pytest.mark.parametrize("body", ["", "\n\n", "{# à écrire #}\n", "<!-- à écrire -->\n"])
def test_an_empty_chapter_is_named_by_its_markdown_file(project, body):
    chapter(project, "annexe-1.md").write_text(f"---\ntitle: Dépenses\nkind: annex\nnumber: 1\n---\n{body}",
                                               encoding="utf-8")
    assert messages(project) == ["content/demo/2020/annexe-1.md:6: chapitre vide : rien n'est écrit sous "
                                 "l'en-tête — écrivez son texte sous la ligne « --- », ou retirez le fichier "
                                 "de edition.yml"]

    class Stages:
        def __init__(self):
            self.seen = []

        def stage(self, number, name, detail=""):
            self.seen.append(number)

        def step(self, done, total):
            pass

    stages = Stages()
    with pytest.raises(ContentError) as err:
        build(project, EDITION, progress=stages)
    assert err.value.path == chapter(project, "annexe-1.md") and err.value.line == 6
    assert stages.seen == [1]                                   # stopped while reading, before any layout
    assert not (project.build / "demo-2020" / "rapport-activite-demo-2020.html").exists()


def test_a_continuation_file_may_be_empty_when_its_chapter_is_not(project):
    chapter(project, "02b-activite-suite.md").write_text("", encoding="utf-8")
    assert messages(project) == []


# --- 4. fig() typos: the closest figures ------------------------------------------------------

@pytest.mark.parametrize("written, closest", [
    ("populaton.regime-general.caisse", "population.regime-general.caisse"),     # the table
    ("population.regime-generale.caisse", "population.regime-general.caisse"),   # the row
    ("population.regime-general.caise", "population.regime-general.caisse"),     # the column
    ("kpis.circonscription.commune", "kpis.circonscription.communes"),          # a tile
    ("delais.moyn", "delais.moyen"),                                            # figures/
])
def test_a_figure_typo_gets_the_closest_figures(project, written, closest):
    edit(chapter(project, "01-contexte.md"), 'fig("population.regime-general.caisse")', f'fig("{written}")')
    [message] = messages(project)
    assert message.startswith("content/demo/2020/01-contexte.md:11: ")
    proches = re.search(r"\(proches : ([^()]*)\)$", message)
    assert proches, message
    assert proches[1].split(", ")[0] == closest


def test_a_far_fetched_figure_gets_no_suggestion(project):
    edit(chapter(project, "01-contexte.md"), 'fig("population.regime-general.caisse")', 'fig("zzz.qqq")')
    [message] = messages(project)
    assert "proches" not in message and "« zzz.qqq » ne correspond à aucun tableau" in message


# --- 5. a chapter's findings point at its Markdown line ---------------------------------------

def test_a_missing_photo_is_named_at_the_line_that_asks_for_it(project):
    _, warnings = check(project, "magazine/2020")
    assert [str(w) for w in warnings] == [
        "content/magazine/2020/01-identite.md:14: photo absente, rien n'est imprimé à sa place : images/absente.jpg"]


def test_no_message_about_a_chapter_names_the_generated_html(project):
    md = chapter(project, "01-contexte.md")
    edit(md, '{{ table("population") }}', '{{ table("population" }}\n{{ photo("images/rien.jpg") }}')
    edit(md, '{{ kpis("circonscription") }}', '{% call focus("x") %}{{ fig("a.b") }}{% endcall %}')
    errors, warnings = check(project, EDITION)
    assert errors
    for problem in [*errors, *warnings]:
        assert ".html" not in problem.where(), str(problem)
        if "01-contexte.md" in str(problem):
            assert problem.line, str(problem)


# --- 6. Jinja's syntax errors in French -------------------------------------------------------

#: Jinja's English vocabulary: none of these words may reach the user (quotes « … » aside)
ENGLISH = {"unexpected", "expected", "token", "got", "end", "template", "tag", "tags", "unknown", "encountered",
           "char", "statement", "print", "block", "missing", "invalid", "syntax", "expression", "looking",
           "innermost", "closed", "probably", "nesting", "mistake", "following", "begin", "comment", "data",
           "name", "string", "integer", "float", "defined", "twice", "default", "assign",
           "identifier", "escape", "truncated", "the", "of", "was", "needs", "jinja", "chunk", "after",
           "subscript", "number", "undefined", "attribute", "element", "has", "no", "named", "cannot",
           "call", "filter", "with", "from"}


def english(text: str) -> set[str]:
    """Jinja's English words in a message, the quoted parts (« … », what the writer typed) and the
    code to type aside."""
    said = re.sub(r"«[^»]*»|\{[{%#].*?[}%#]\}", " ", text)      # quoted, or code to type: {% call … %}
    return {w for w in re.findall(r"[A-Za-z]+", said) if w.lower() in ENGLISH}


@pytest.mark.parametrize("written, french", [
    ('{{ table("population" }}', "« } » inattendu : il manque « ) » pour fermer une parenthèse"),
    ('{% call focus("Titre") %}\nTexte', "bloc « {% call %} » jamais fermé : il manque « {% endcall %} »"),
    ("{% encadre %}", "balise « {% encadre %} » inconnue"),
    ('{{ table("population"), "x" y }}', "« y » inattendu : « }} » attendu à cet endroit"),
    ('{{ fig("delais.moyen") ! }}', "caractère « ! » inattendu ici"),
    ("{% %}", "nom de balise attendu après « {% »"),
    ("{{ }}", "valeur attendue avant « }} »"),
    ("{% endcall %}", "« {% endcall %} » ne ferme aucun bloc ouvert"),
    ('{% call focus("x") %}{% endfor %}{% endcall %}',
     "« {% endfor %} » inattendu ici : le bloc « {% call %} » ouvert attend d'abord « {% endcall %} »"),
    ("{{ table(\"population\") }", "« } » en trop : il ne ferme rien"),
    ("{{ 1 + }}", "valeur attendue avant « }} »"),
    ("{# note", "commentaire « {# » jamais fermé"),
])
def test_a_chapter_syntax_error_is_said_in_french_at_its_line(project, written, french):
    edit(chapter(project, "01-contexte.md"), '{{ table("population") }}', written)
    errors, _ = check(project, EDITION)
    syntax = [e for e in errors if e.message.startswith("directive mal écrite")]
    assert syntax, [str(e) for e in errors]
    assert syntax[0].path == chapter(project, "01-contexte.md") and syntax[0].line == 13
    assert french in syntax[0].message
    assert not english(syntax[0].message + " " + (syntax[0].hint or ""))


def test_a_layout_template_syntax_error_is_said_in_french_with_its_file_and_line(project):
    layout = project.content / "demo" / "2020" / "layout"
    (layout / "blocks").mkdir(parents=True)
    original = (REPO / "layouts" / "assurance-maladie" / "blocks" / "table.html").read_text(encoding="utf-8")
    (layout / "blocks" / "table.html").write_text("{# une note #}\n{% if %}\n" + original, encoding="utf-8")
    found = messages(project)
    assert found[0] == ("content/demo/2020/01-contexte.md:13: gabarit mal écrit : valeur attendue avant « %} » "
                        "(dans content/demo/2020/layout/blocks/table.html:2)")
    (layout / "blocks" / "table.html").unlink()
    (layout / "document.html").write_text("<html>\n{% for part in parts %}\n{{ part.title }}\n</html>\n",
                                          encoding="utf-8")
    assert messages(project) == ["content/demo/2020/layout/document.html:2: gabarit mal écrit : bloc "
                                 "« {% for %} » jamais fermé : il manque « {% endfor %} »"]


def test_an_unknown_name_is_said_in_french(project):
    edit(chapter(project, "01-contexte.md"), '{{ table("population") }}', '{{ tableau("population") }}')
    [message] = messages(project)
    assert "nom inconnu : « tableau » n'existe pas" in message and not english(message.split(" — ")[0])


PIECES = ["{{", "}}", "{%", "%}", "{#", "#}", "(", ")", "[", "]", "{", "}", '"x"', "'y'", ",", "!", "=", "+", "|",
          ".", ":", "-", "1", " ", "\n", "table", "fig", "if", "endif", "for", "in", "endfor", "call", "endcall",
          "focus", "set", "macro", "endmacro", "else", "elif", "raw", "is", "not", "and", "block", "with",
          "filter", "import", "extends", "x", "_z", "**", "loop"]


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map("".join))
def test_any_broken_template_is_said_without_english(written):
    """Whatever Jinja finds wrong, the message the writer reads has none of Jinja's English."""
    env = SandboxedEnvironment()
    try:
        env.compile(env.parse(written))
        return                                # not broken: nothing to say
    except jinja2.TemplateSyntaxError as exc:
        said = jinja_syntax(exc.message)
    assert said and "\n" not in said
    assert not english(said), f"{written!r} → {said!r}"


def test_a_broken_chapter_through_the_renderer_says_it_in_french(tmp_path):
    """The message, hint included, of a chapter rendered with broken directives."""
    set_display_root(tmp_path)
    for n, written in enumerate(["{{ x ! }}", "{% if %}", "{{ a.}}", "{% call x %}{% endcall %}", "{{ '\\x' }}",
                                 "{% macro m(a=1, b) %}{% endmacro %}", "{{ x|inconnu }}", "{{ f(a=1, 2) }}"]):
        path = tmp_path / f"c{n}.md"
        path.write_text(f"---\ntitle: T\n---\nUn paragraphe.\n\n{written}\n", encoding="utf-8")
        with pytest.raises(ContentError) as err:
            ContentRenderer({}, tmp_path, {}).render(read_chapter([path], "c"))
        assert err.value.line == 6, str(err.value)
        assert not english(f"{err.value.message} {err.value.hint}"), f"{written!r} → {err.value}"


# --- 7. rosters: every documented form loads, a missing piece is said -------------------------

def documented_rosters() -> list[str]:
    text = (REPO / "docs" / "edition-format.md").read_text(encoding="utf-8")
    section = text.split("## Les listes (Conseil, commissions, direction)", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def roster_store(tmp_path, files: dict[str, str]) -> DataStore:
    root = tmp_path / "data" / "x" / "2020"
    (root / "lists").mkdir(parents=True)
    set_display_root(tmp_path)
    for name, text in files.items():
        (root / "lists" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return DataStore.load(root)


def test_the_documentation_shows_every_roster_form():
    blocks = documented_rosters()
    assert len(blocks) == 4
    assert any("\nrows:" in b and "\ngroups:" not in b for b in blocks)     # rows without groups
    assert any("\nrows:" in b and "\ngroups:" in b for b in blocks)         # both
    assert any(not re.match(r"(title|subtitle|columns|rows|groups|notes):", b) for b in blocks)   # named lists


@pytest.mark.parametrize("n", range(4))
def test_each_documented_roster_form_loads(tmp_path, n):
    block = documented_rosters()[n]
    store = roster_store(tmp_path, {"exemple.yml": block})
    named = not re.match(r"(title|subtitle|columns|rows|groups|notes):", block)
    expected = re.findall(r"^([\w-]+):\s*$", block, re.M) if named else ["exemple"]
    assert sorted(store.rosters) == sorted(expected)
    for roster in store.rosters.values():
        rows = [row for group in roster.groups for row in _all_rows(group)]
        assert rows and all(len(row) == max(len(roster.columns), 1) for row in rows)
        assert "None" not in roster.title


def _all_rows(group):
    yield from group.rows
    for sub in group.groups:
        yield from _all_rows(sub)


def test_a_documented_flat_roster_prints_in_an_edition(project):
    flat = next(b for b in documented_rosters() if "\nrows:" in b and "\ngroups:" not in b)
    data(project, "lists/conseil.yml").write_text(flat, encoding="utf-8")
    assert messages(project) == []
    build(project, EDITION, draft=True)
    html = (project.build / "demo-2020" / "rapport-activite-demo-2020-brouillon.html").read_text(encoding="utf-8")
    assert "L’équipe de direction" in html or "L'équipe de direction" in html
    assert "Mme Anne MODÈLE" in html


@pytest.mark.parametrize("text, message, hint", [
    ("columns: [Titulaires, Suppléants]\ngroups:\n  - title: A\n    rows:\n      - [x, y]\n",
     "liste « conseil » : « title: » manquant", 'ou title: "" pour une liste sans titre'),
    ("title: Le Conseil\ncolumns: [Nom]\n", "liste « conseil » : ni « rows: » ni « groups: »", "rows:"),
    ("autre:\n  columns: [Nom]\n  rows: [[A]]\n", "liste « autre » : « title: » manquant", "title:"),
    ("conseil: [[A, B]]\n", "la liste « conseil » doit être une suite de clés", "docs/edition-format.md"),
])
def test_a_roster_says_what_is_missing_and_how_to_write_it(project, text, message, hint):
    data(project, "lists/conseil.yml").write_text(text, encoding="utf-8")
    errors, _ = check(project, EDITION)
    assert len(errors) == 1, [str(e) for e in errors]
    assert str(errors[0]).startswith("data/demo/2020/lists/conseil.yml:")
    assert message in errors[0].message and hint in errors[0].hint
    assert "« columns »" not in str(errors[0]) and "« groups »" not in str(errors[0])
