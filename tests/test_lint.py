"""House-style lint: each rule on a bad line with its exact message; fixes are safe and idempotent."""
from __future__ import annotations

import pytest

from reportgen.builder import check
from reportgen.edition.lint import RULES, fix_line, fixes, lint_file


def findings(tmp_path, text, rules=RULES):
    md = tmp_path / "chapitre.md"
    md.write_text(f"---\ntitle: Essai\n---\n{text}\n", encoding="utf-8")
    return [(f.line, f.rule, f.message) for f in lint_file(md, set(rules))]


@pytest.mark.parametrize("line, rule, message", [
    ('Le dispositif "Mon espace santé" progresse.', "guillemets", "à corriger en « « Mon espace santé » »"),
    ("Les partenaires, les assurés...", "ellipsis", "à corriger en « assurés… »"),
    ("Pour la 2ème année, la 1ère fois.", "ordinals", "à corriger en « 2e année, la 1re »"),
    ("Une convention avec l'Etat.", "capitals", "à corriger en « l'État. »"),
    ("Le le service a ouvert.", "repeated", "« Le le » : mot répété"),
    ("Deux  espaces ici.", "spaces", "à corriger en « espaces »"),
])
def test_each_rule_reports_the_line_and_what_to_write(tmp_path, line, rule, message):
    assert (4, rule, message) in findings(tmp_path, line)


def test_directives_tags_addresses_and_admonitions_are_left_alone(tmp_path):
    text = ('{{ fig("a.b") }} et {% call focus("Titre") %}x{% endcall %} <a href="https://x.fr/a...b">'
            'lien</a>\n!!! encadre "Un titre"')
    assert findings(tmp_path, text) == []


def test_a_rule_can_be_turned_off(tmp_path):
    assert findings(tmp_path, "La 2ème fois.", rules=set(RULES) - {"ordinals"}) == []


def test_fixes_never_touch_a_figure_and_are_idempotent(tmp_path):
    line = 'Le "taux" de 12,5 % en 2ème année, 1 234... l\'Etat  aussi'
    once = fix_line(line, set(RULES))
    assert once == "Le « taux » de 12,5 % en 2e année, 1 234… l'État aussi"
    assert fix_line(once, set(RULES)) == once
    assert [c for c in once if c.isdigit()] == [c for c in line if c.isdigit()]


def test_check_fix_rewrites_the_chapter_once(project):
    md = project.content / "demo" / "2020" / "01-contexte.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nL'Etat et la 1ère caisse...\n", encoding="utf-8")
    _, warnings = check(project, "demo/2020")
    assert any("[capitals]" in str(w) and "01-contexte.md" in str(w) for w in warnings)
    changed = fixes(project.content / "demo" / "2020", [])
    (before, after), = changed.values()
    md.write_text(after, encoding="utf-8")
    assert after.endswith("L'État et la 1re caisse…\n")
    assert fixes(project.content / "demo" / "2020", []) == {}
    _, warnings = check(project, "demo/2020")
    assert not any("[" in str(w) for w in warnings)


def test_an_unknown_rule_in_the_manifest_is_an_error(project):
    manifest = project.content / "demo" / "2020" / "edition.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "lint: {disable: [virgules]}\n", encoding="utf-8")
    errors, _ = check(project, "demo/2020")
    assert any("règle de style inconnue « virgules »" in str(e) for e in errors)


@pytest.mark.parametrize("sentence, message", [
    ("La densité atteint 275,57 habitants.",
     '« 275,57 » tapé dans le texte : la même valeur est dans les données, écrivez {{ fig("kpis.circonscription.densite") }}'),
    ("La densité atteint 275,6 habitants.",
     "« 275,6 » tapé dans le texte, proche de kpis.circonscription.densite (275,57) : incohérence probable"),
    ("Un budget de 4 321 € cette année.",
     '« 4 321 € » tapé dans le texte : mettez-le dans data/…/figures/ et écrivez {{ fig("…") }}'),
])
def test_figures_typed_in_the_text_are_reported_with_their_binding(project, sentence, message):
    md = project.content / "demo" / "2020" / "01-contexte.md"
    md.write_text(md.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
    _, warnings = check(project, "demo/2020")
    found = [str(w) for w in warnings if "[figures]" in str(w)]
    assert found == [f"content/demo/2020/01-contexte.md:{len(md.read_text().splitlines())}: [figures] {message}"]


def test_days_years_and_small_counts_are_left_to_the_writer(project):
    md = project.content / "demo" / "2020" / "01-contexte.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nLe 15 mars 2020, 12 agents ont rejoint l'accueil.\n",
                  encoding="utf-8")
    _, warnings = check(project, "demo/2020")
    assert not [w for w in warnings if "[figures]" in str(w)]
