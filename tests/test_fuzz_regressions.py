"""What the fuzz suite (``tests/test_fuzz.py``) found, as plain regression tests.

Each case is one input the fuzz suite got through (accepted, a Python exception, a message
naming the wrong file, an output rewritten): it now gets one French message naming the file
and the line at fault, and ``check`` refuses what ``build`` refuses. Most run ``check``
(stages 1 and 2, no PDF); the last one builds.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import edit
from reportgen.render import web
from reportgen.builder import Builder, build, check
from reportgen.errors import ConfigError, ContentError, DataError, LayoutError, ReportError
from reportgen.yamlio import parse_yaml

EDITION = "demo/2020"


def data(project, name: str) -> Path:
    return project.data / "demo" / "2020" / name


def content(project, name: str) -> Path:
    return project.content / "demo" / "2020" / name


def line_with(path: Path, text: str) -> int:
    """The line of a file where ``text`` is written (the fixture may change around it)."""
    written = path.read_text(encoding="utf-8")
    return written.count("\n", 0, written.index(text)) + 1


def append(path: Path, text: str) -> int:
    """``text`` added as a paragraph at the end of a chapter; returns the line it is on."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n\n" + text + "\n", encoding="utf-8")
    return before.count("\n") + 3


def the_error(project, kind: type[ReportError]) -> ReportError:
    """The one problem ``check`` finds, of class ``kind``, on one line."""
    problems, _ = check(project, EDITION)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert type(problem) is kind, f"{type(problem).__name__}: {problem}"
    assert "\n" not in str(problem) and "Error" not in str(problem)
    return problem


def names(problem: ReportError, where: str) -> str:
    text = str(problem)
    assert text.startswith(where + ":"), text
    return text


def outside(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "hors-du-projet"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def link(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


# --- 1. control characters in a CSV cell, a workbook cell, a chapter ---------------------------
def test_a_nul_byte_in_a_csv_cell_is_refused_at_its_line_and_column(project):
    path = data(project, "tables/effectifs.csv")
    path.write_bytes(path.read_bytes().replace(b"\netp;", b"\ne\x00tp;"))
    line = line_with(path, "e\x00tp")
    text = names(the_error(project, DataError), f"data/demo/2020/tables/effectifs.csv:{line}")
    assert "U+0000" in text and "colonne 2" in text


def test_a_nul_byte_in_the_table_exported_as_a_workbook_is_refused_before_anything_is_written(project):
    path = data(project, "tables/actions-par-acteur.csv")
    path.write_bytes(path.read_bytes().replace(b"\nPharmacies;", b"\nPharma\x00cies;"))
    line = line_with(path, "Pharma\x00cies")
    names(the_error(project, DataError), f"data/demo/2020/tables/actions-par-acteur.csv:{line}")


@pytest.mark.parametrize("char", ["\x00", "\x0c", "\x1b"])
def test_a_control_character_in_a_chapter_is_refused_at_its_line(project, char):
    line = append(content(project, "01-contexte.md"), "{" + char + '{ kpis("circonscription") }}')
    text = names(the_error(project, ContentError), f"content/demo/2020/01-contexte.md:{line}")
    assert f"U+{ord(char):04X}" in text


# --- 2. an empty chapter group in edition.yml ------------------------------------------------
def test_an_empty_chapter_group_names_edition_yml_and_its_line(project):
    edit(content(project, "edition.yml"), "chapters: [annexe-1.md]", "chapters: [[]]")
    line = line_with(content(project, "edition.yml"), "chapters: [[]]")
    text = names(the_error(project, ConfigError), f"content/demo/2020/edition.yml:{line}")
    assert "groupe de chapitres vide" in text


# --- 3. data files that are symbolic links to files outside the project ------------------------
@pytest.mark.parametrize("name, secret", [
    ("tables/effectifs.yml", "title: SECRET HORS PROJET\n"),
    ("tables/effectifs.csv", "_key;Effectifs;2020;2019\ncdi;SECRET HORS PROJET;1;2\n"),
    ("glossary.yml", "- {term: SECRET, definition: HORS PROJET}\n"),
    ("kpis/chiffres.yml", "g: {tiles: [{key: k, label: SECRET, value: \"1\"}]}\n"),
])
def test_a_data_file_linked_to_a_file_outside_the_project_is_refused(project, tmp_path, name, secret):
    link(data(project, name), outside(tmp_path, Path(name).name, secret))
    text = names(the_error(project, DataError), f"data/demo/2020/{name}")
    assert "SECRET" not in text and "hors du dossier data/" in text


def test_a_data_file_linked_inside_the_data_folder_is_read(project):
    shared = project.data / "demo" / "glossaire-commun.yml"
    data(project, "glossary.yml").rename(shared)
    data(project, "glossary.yml").symlink_to(shared)
    problems, _ = check(project, EDITION)
    assert problems == []


# --- 4. a whole number too long for Python ----------------------------------------------------
def test_a_20000_digit_number_in_a_yaml_file_names_the_file_and_line(project):
    path = data(project, "charts/charts.yml")
    path.write_text("# un graphique\n" + path.read_text(encoding="utf-8") + f"enorme: {{chiffre: {'9' * 20000}}}\n",
                    encoding="utf-8")
    line = path.read_text(encoding="utf-8").count("\n")
    text = names(the_error(project, DataError), f"data/demo/2020/charts/charts.yml:{line}")
    assert "nombre entier beaucoup trop long" in text


@pytest.mark.parametrize("written", ["0x" + "f" * 5000, "2020-13-45"])
def test_yaml_values_python_cannot_build_are_refused_at_their_line(written):
    with pytest.raises(DataError) as caught:
        parse_yaml(f"a: 1\nb: {written}\n", Path("x.yml"))
    assert caught.value.line == 2


# --- 5. a key figure without a printable label ------------------------------------------------
@pytest.mark.parametrize("label", ["null", '""', "42"])
def test_a_key_figure_label_must_be_a_text(project, label):
    path = data(project, "kpis/chiffres.yml")
    edit(path, "label: objectifs atteints", f"label: {label}")
    line = line_with(path, f"label: {label}")
    text = names(the_error(project, DataError), f"data/demo/2020/kpis/chiffres.yml:{line}")
    assert "« label » doit être un texte non vide" in text


# --- 6. the token that stands for a block cannot be forged ------------------------------------
def test_a_block_token_written_in_a_chapter_is_plain_text(project):
    path = content(project, "01-contexte.md")
    append(path, "RGBLOCK9999X et RGBLOCKABCDEFGHIJ9999X")
    builder = Builder(project, EDITION)
    edition = builder.read()
    builder.compute(edition)
    chapter = next(c for c in edition.chapters if c.files[0] == path)
    assert "RGBLOCK9999X et RGBLOCKABCDEFGHIJ9999X" in chapter.html


def test_a_block_token_made_from_a_real_one_is_not_a_block(project):
    append(content(project, "01-contexte.md"),
           '{% set t = fig("effectifs.cdi.2020") %}{{ t[:-5] ~ "9999X" }}')
    problems, _ = check(project, EDITION)
    assert problems == []


# --- 7. Jinja helpers that raise what no other clause catches ---------------------------------
@pytest.mark.parametrize("call", ["cycler()", "joiner(1, 2, 3)", "namespace(1)", "dict(1)"])
def test_a_misused_jinja_helper_is_a_message_at_its_line(project, call):
    line = append(content(project, "01-contexte.md"), "{{ " + call + " }}")
    names(the_error(project, ContentError), f"content/demo/2020/01-contexte.md:{line}")


# --- 8. a chapter cited twice ----------------------------------------------------------------
def test_a_chapter_cited_twice_names_edition_yml_and_the_line(project):
    edit(content(project, "edition.yml"), "chapters: [annexe-1.md]", "chapters: [annexe-1.md, annexe-1.md]")
    line = line_with(content(project, "edition.yml"), "annexe-1.md, annexe-1.md")
    text = names(the_error(project, ConfigError), f"content/demo/2020/edition.yml:{line}")
    assert "« annexe-1.md » cité deux fois" in text


# --- 9. addresses in a chapter's raw HTML: read from the document's folder, symlinks followed ----
@pytest.mark.parametrize("snippet", [
    "<div style=\"background: url('images/lien.png')\">x</div>",
    "<style>@import url('images/lien.css');</style>",
    "<style>@import 'images/lien.css';</style>",
    '<img src="../../content/demo/2020/images/lien.png" alt="x">',
])
def test_a_raw_html_address_to_a_link_outside_or_a_missing_file_names_the_chapter(project, tmp_path, snippet):
    images = content(project, "images")
    images.mkdir(exist_ok=True)
    for name in ("lien.png", "lien.css"):
        (images / name).symlink_to(outside(tmp_path, name, "hors du projet"))
    line = append(content(project, "01-contexte.md"), snippet)
    text = names(the_error(project, ContentError), f"content/demo/2020/01-contexte.md:{line}")
    assert "introuvable" in text or "chemin refusé" in text


def test_a_raw_html_address_to_a_file_of_the_project_is_accepted(project):
    images = content(project, "images")
    images.mkdir(exist_ok=True)
    (images / "motif.css").write_text("p { color: black }\n", encoding="utf-8")
    append(content(project, "01-contexte.md"), "<style>@import '../../content/demo/2020/images/motif.css';</style>")
    problems, _ = check(project, EDITION)
    assert problems == []


# --- a message quoting a line break stays on one line -----------------------------------------
def test_a_cell_holding_a_line_break_gives_a_one_line_message(project):
    edit(data(project, "tables/effectifs.csv"), "cdi;Effectif CDI;825;806", 'cdi;Effectif CDI;"8\n25";806')
    assert "\n" not in str(the_error(project, DataError))


def test_a_missing_layout_names_edition_yml_and_its_line(project):
    path = content(project, "edition.yml")
    path.write_text(path.read_text(encoding="utf-8") + "layout: " + "a" * 300 + "\n", encoding="utf-8")
    line = path.read_text(encoding="utf-8").count("\n")
    text = names(the_error(project, ConfigError), f"content/demo/2020/edition.yml:{line}")
    assert "introuvable" in text


# --- 10. a failed build leaves the previous HTML document -------------------------------------
def test_a_failed_build_leaves_the_previous_html_document(built_project, monkeypatch):
    document = built_project.edition(EDITION).html
    before = document.read_bytes()
    append(content(built_project, "01-contexte.md"), "Un paragraphe qui ne doit jamais être publié.")

    def broken(*args, **kwargs):
        raise LayoutError("image introuvable pour l'édition web : images/absente.png")

    monkeypatch.setattr(web, "write_edition", broken)
    with pytest.raises(LayoutError):
        build(built_project, EDITION)
    assert document.read_bytes() == before
    assert list(document.parent.glob(".*")) == []      # no staging folder, no temporary file left


def test_a_chapter_name_that_matches_no_file_names_edition_yml_and_its_line(project):
    edit(content(project, "edition.yml"), "chapters: [annexe-1.md]", "chapters: [annexe-x.md]")
    line = line_with(content(project, "edition.yml"), "annexe-x.md")
    text = names(the_error(project, ConfigError), f"content/demo/2020/edition.yml:{line}")
    assert "fichier de chapitre introuvable : « annexe-x.md »" in text
