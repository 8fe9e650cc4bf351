"""Bad input: the build stops before writing, with one message naming the place.

Each case starts from a good build (a copy of the one the session made), breaks one file,
and checks the message and that the previous outputs are untouched.
"""
from __future__ import annotations

import pytest

from reportgen.builder import build, check
from reportgen.errors import ConfigError, ContentError, DataError, LayoutError, ReportError

EDITION = "demo/2020"


@pytest.fixture
def built(built_project):
    """(project, its PDF, every output of the good build: path → bytes)."""
    pdf = built_project.edition(EDITION).pdf
    assert pdf.is_file()
    return built_project, pdf, outputs(built_project)


def outputs(project) -> dict[str, bytes]:
    """Every file under build/, by path, with its bytes."""
    build_dir = project.root / "build"
    return {str(p.relative_to(build_dir)): p.read_bytes() for p in sorted(build_dir.rglob("*")) if p.is_file()}


def content(project, name):
    return project.content / "demo" / "2020" / name


def data(project, name):
    return project.data / "demo" / "2020" / name


def fails(project, pdf, before, error, *fragments):
    with pytest.raises(error) as err:
        build(project, EDITION)
    message = str(err.value)
    for fragment in fragments:
        assert fragment in message, message
    assert pdf.read_bytes() == before[pdf.relative_to(project.root / "build").as_posix()], \
        "the previous PDF must stay untouched"
    assert outputs(project) == before, "the previous outputs must stay untouched, with nothing beside them"
    return err.value


def test_missing_chapter_file(built):
    project, pdf, before = built
    content(project, "01-contexte.md").unlink()
    # reported at the line of edition.yml that names it: the line to correct
    fails(project, pdf, before, ConfigError, "content/demo/2020/edition.yml:9", "fichier de chapitre introuvable",
          "« 01-contexte.md »")


def test_unknown_table_in_directive_names_file_and_line(built):
    project, pdf, before = built
    path = content(project, "02-activite.md")
    path.write_text(path.read_text().replace('table("effectifs")', 'table("effectif")'))
    err = fails(project, pdf, before, ContentError, "content/demo/2020/02-activite.md:6",
                "tableau « effectif » inconnu", "proches : effectifs")
    assert err.line == 6


def test_unknown_figure_key_names_line_in_second_file_of_a_chapter(built):
    project, pdf, before = built
    path = content(project, "02b-activite-suite.md")
    path.write_text(path.read_text().replace('fig("delais.moyen")', 'fig("delais.median")'))
    fails(project, pdf, before, ContentError, "02b-activite-suite.md:4", "delais.median")


def test_non_numeric_cell(built):
    project, pdf, before = built
    path = data(project, "tables/effectifs.csv")
    path.write_text(path.read_text().replace("806", "8O6"))
    err = fails(project, pdf, before, DataError, "data/demo/2020/tables/effectifs.csv:2",
                "(colonne « 2019 »)", "« 8O6 » n'est pas un nombre")
    assert err.column == "2019"


def test_malformed_yaml(built):
    project, pdf, before = built
    path = data(project, "kpis/chiffres.yml")
    path.write_text(path.read_text().replace("message:\n  tiles:", "message:\n tiles: [\n"))
    fails(project, pdf, before, DataError, "data/demo/2020/kpis/chiffres.yml:", "YAML illisible")


def test_malformed_csv(built):
    project, pdf, before = built
    path = data(project, "tables/population.csv")
    path.write_text(path.read_text() + ';"Total;1;2\n')
    fails(project, pdf, before, DataError, "data/demo/2020/tables/population.csv")


def test_jinja_error_in_content(built):
    project, pdf, before = built
    path = content(project, "01-contexte.md")
    path.write_text(path.read_text().replace('{{ kpis("circonscription") }}', '{{ kpis("circonscription" }}'))
    fails(project, pdf, before, ContentError, "content/demo/2020/01-contexte.md:7", "directive mal écrite")


def test_undefined_name_in_content(built):
    project, pdf, before = built
    path = content(project, "01-contexte.md")
    path.write_text(path.read_text() + "\n{{ tableau('x') }}\n")
    fails(project, pdf, before, ContentError, "01-contexte.md:", "nom inconnu", "directives possibles")


def test_content_cannot_reach_python_internals(built):
    project, pdf, before = built
    path = content(project, "01-contexte.md")
    path.write_text(path.read_text() + "\n{{ fig.__globals__ }}\n")
    with pytest.raises(ReportError):
        build(project, EDITION)
    assert outputs(project) == before


def test_jinja_error_in_layout(built, tmp_path):
    project, pdf, before = built
    # an edition-level override of one template, with an error in it
    override = content(project, "layout") / "blocks"
    override.mkdir(parents=True)
    (override / "signature.html").write_text("<p>\n{{ edition.signatory.nom }}\n</p>\n")
    err = fails(project, pdf, before, LayoutError, "signature.html", "nom")
    assert err.line == 2


def test_reference_outside_the_project_is_refused(built):
    project, pdf, before = built
    path = content(project, "01-contexte.md")
    path.write_text(path.read_text() + '\n<img src="file:///etc/hostname" alt="x">\n')
    # refused where it is written, before WeasyPrint would be asked for it
    fails(project, pdf, before, ReportError, "content/demo/2020/01-contexte.md:", "hors du projet",
          "/etc/hostname")


def test_network_is_refused(built):
    project, pdf, before = built
    path = content(project, "01-contexte.md")
    path.write_text(path.read_text() + '\n<img src="https://example.org/logo.png" alt="x">\n')
    fails(project, pdf, before, ReportError, "content/demo/2020/01-contexte.md:", "adresse hors du projet refusée")


def test_manifest_problems_are_reported_together(built):
    project, pdf, before = built
    path = content(project, "edition.yml")
    path.write_text(path.read_text().replace("year: 2020", "year: deux mille").replace(
        "organisation: CPAM de Démonstration\n", ""))
    err = fails(project, pdf, before, ConfigError, "edition.yml", "year", "organisation")
    assert err.line == 2


def test_unknown_manifest_key_is_a_warning(project):
    path = content(project, "edition.yml")
    path.write_text(path.read_text() + "couleur: bleu\n")
    problems, warnings = check(project, EDITION)       # the stages before layout: no PDF needed
    assert problems == []
    assert any("clé inconnue « couleur »" in str(w) for w in warnings)


def test_unknown_edition(project):
    with pytest.raises(ConfigError, match="édition « demo/1999 » introuvable"):
        build(project, "demo/1999")
