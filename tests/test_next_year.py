"""Next year's edition from this year's: Ardèche 2023 → 2024, collected through a workbook.

A copy of the Ardèche 2023 edition is moved on to 2024 (`new`), its collection workbook is
exported, filled by the test as a department would, read back (`collect import`) and built.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reportgen.workflows import yearly
from reportgen.builder import build
from reportgen.edition.collect import export, import_workbooks
from reportgen.errors import DataError, set_display_root
from reportgen.french import MISSING
from reportgen.project import Project

REPO = Path(__file__).resolve().parent.parent


def ardeche_project(root: Path) -> Project:
    for folder in ("content", "data"):
        shutil.copytree(REPO / folder / "ardeche" / "2023", root / folder / "ardeche" / "2023")
    (root / "layouts").symlink_to(REPO / "layouts", target_is_directory=True)
    project = Project(root.resolve())
    set_display_root(project.root)
    return project


def fill(workbook: Path, target: Path, value=lambda kind, evolution: 2.5 if evolution else 1234) -> Path:
    wb = load_workbook(workbook)
    for sheet, cell, kind, _, _, evolution in wb["_reportgen"].iter_rows(min_row=2, values_only=True):
        wb[sheet][cell].value = value(kind, evolution == "oui")
    wb.save(target)
    return target


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    """The 2024 edition just created, with its exported workbook: (project, paths, workbook)."""
    project = ardeche_project(tmp_path_factory.mktemp("suivante"))
    yearly.new_edition(project, "ardeche/2024")
    paths = project.edition("ardeche/2024")
    workbook = export(paths, tmp_path_factory.mktemp("collecte") / "collecte.xlsx")
    return project, paths, workbook


def test_new_edition_moves_n_into_n_minus_1(moved):
    project, paths, _ = moved
    lines = (paths.data / "tables" / "offre-de-soins.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Catégories;Nbre 2023;Densité 2023;Nbre 2024;Densité 2024"
    assert lines[1] == f"Médecins généralistes;254;77,1;{MISSING};{MISSING}"   # 2023's N, printed last year
    assert "year: 2024" in paths.manifest.read_text(encoding="utf-8")
    assert "review: à réécrire" in (paths.content / "01a-contexte.md").read_text(encoding="utf-8")
    tiles = (paths.data / "kpis" / "01ab.yml").read_text(encoding="utf-8")
    assert "previous: 5 529" in tiles and "previous_label: '2023'" in tiles


def test_status_lists_what_is_left(moved):
    _, paths, _ = moved
    progress = yearly.status(paths)
    assert len(progress.chapters) == 16 and progress.missing["offre-de-soins.csv"] == 26
    assert not progress.done


def test_an_incomplete_edition_builds_only_as_a_draft(moved):
    project, _, _ = moved
    with pytest.raises(DataError) as err:
        build(project, "ardeche/2024")
    assert "valeur(s) encore « à renseigner »" in str(err.value) and "--draft" in str(err.value)
    html = build(project, "ardeche/2024", draft=True).html.read_text(encoding="utf-8")
    assert '<td class="num missing">à renseigner</td>' in html
    assert 'Graphique à compléter' in html


def test_workbook_has_instructions_locked_last_year_and_cells_to_fill(moved):
    _, _, workbook = moved
    wb = load_workbook(workbook)
    assert wb.sheetnames[0] == "Mode d'emploi" and "offre-de-soins" in wb.sheetnames
    ws = wb["offre-de-soins"]
    assert [c.value for c in ws[2]][:6] == ["Clé", "Catégories", "Nbre 2023", "Densité 2023", "Nbre 2024",
                                            "Densité 2024"]
    assert ws["C3"].value == "254" and ws["C3"].protection.locked and ws.protection.sheet
    assert ws["E3"].value is None and not ws["E3"].protection.locked


@pytest.mark.parametrize("spoil, message", [
    (lambda wb: wb["offre-de-soins"].__setitem__("E3", "beaucoup"), "offre-de-soins!E3 : « beaucoup » n'est pas un chiffre"),
    (lambda wb: wb.remove(wb["offre-de-soins"]), "la feuille « offre-de-soins » manque"),
    (lambda wb: wb["offre-de-soins"].__setitem__("E2", "Nombre 2024"), "offre-de-soins!E2 : en-tête « Nombre 2024 »"),
    (lambda wb: wb["offre-de-soins"].__setitem__("E3", -12), "offre-de-soins!E3 : « -12 » est négatif"),
])
def test_bad_workbooks_are_refused_and_nothing_is_written(moved, tmp_path, spoil, message):
    _, paths, workbook = moved
    before = digest(paths.data)
    filled = fill(workbook, tmp_path / "rempli.xlsx")
    wb = load_workbook(filled)
    spoil(wb)
    wb.save(filled)
    with pytest.raises(DataError) as err:
        import_workbooks(paths, [filled])
    assert message in str(err.value) and "rien n'a été écrit" in str(err.value)
    assert digest(paths.data) == before


def test_a_file_that_is_not_a_workbook_is_refused(moved, tmp_path):
    _, paths, _ = moved
    before = digest(paths.data)
    fake = tmp_path / "collecte.xlsx"
    fake.write_text("Catégories;Nbre 2024\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        import_workbooks(paths, [fake])
    assert "n'est pas un classeur Excel" in str(err.value) and "collecte.xlsx" in str(err.value)
    assert digest(paths.data) == before


def test_filled_workbook_gives_the_2024_report_with_2023_in_n_minus_1(moved, tmp_path):
    project, paths, workbook = moved
    filled = fill(workbook, tmp_path / "rempli.xlsx")
    assert import_workbooks(paths, [filled])
    after = digest(paths.data)
    assert import_workbooks(paths, [filled]) == [] and digest(paths.data) == after   # twice: no change
    assert yearly.status(paths).missing == {}
    result = build(project, "ardeche/2024")
    text = " ".join(p.extract_text() for p in PdfReader(str(result.pdf)).pages)
    assert "Nbre 2023" in text and "Nbre 2024" in text and "1 234" in text.replace("\u202f", " ")
    rows = [line for line in text.splitlines() if line.startswith("Médecins généralistes")]
    assert rows and "254" in rows[0] and "77,1" in rows[0]       # last year's figures, as printed in 2023
    assert abs(result.pages - 57) <= 3                             # the 2023 layout, page for page
    warnings = " ".join(str(w) for w in result.warnings)
    assert "chapitre à relire" in warnings


def test_a_restated_figure_is_reported_with_both_files(moved):
    project, paths, _ = moved
    table = paths.data / "tables" / "offre-de-soins.csv"
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace("Médecins généralistes;254;", "Médecins généralistes;255;", 1), encoding="utf-8")
    try:
        from reportgen.edition.datastore import DataStore

        warnings = yearly.restated(project, paths, DataStore.load(paths.data))
    finally:
        table.write_text(text, encoding="utf-8")
    messages = [str(w) for w in warnings]
    assert any("Médecins généralistes" in m and "255 ici, 254 dans data/ardeche/2023/tables/offre-de-soins.csv" in m
               and m.startswith("data/ardeche/2024/tables/offre-de-soins.csv:2") for m in messages), messages
