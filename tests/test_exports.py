"""The printed tables as CSV files and one XLSX workbook per edition.

The open data (tidy CSV files and their ``datapackage.json``) is checked in test_open_data.py.
"""
from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import FIXTURE, copy_fixture
from reportgen.render import exports
from reportgen.builder import Builder

EDITIONS = ("demo/2020", "finances/2020", "magazine/2020")


def printed_tables(project, edition, with_manifest=False):
    """What the builder has once the chapters are rendered: paths, printed tables, chapters
    (and the manifest, when asked)."""
    builder = Builder(project, edition)
    edition = builder.read()
    builder.compute(edition)
    chapters = exports.table_chapters(edition.chapters)
    assert list(chapters) == list(builder._directives.table_uses)   # the tables the PDF prints
    found = builder.paths, {t: edition.store.tables[t] for t in chapters}, chapters
    return (*found, edition.manifest) if with_manifest else found


def export_editions(project, editions=EDITIONS) -> dict:
    """Each edition exported as the builder does: {edition: (paths, written files, printed tables)}."""
    done = {}
    for edition in editions:
        paths, tables, chapters, manifest = printed_tables(project, edition, with_manifest=True)
        written = exports.export_tables(tables, paths.out / "donnees", paths.pdf.stem, chapters=chapters,
                                        about=exports.About.of(manifest))
        done[edition] = (paths, written, tables)
    return done


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Each fixture edition exported once: {edition: (paths, written files)}."""
    project = copy_fixture(tmp_path_factory.mktemp("exports"))
    return {edition: (paths, written) for edition, (paths, written, _) in export_editions(project).items()}


def read_csv(path: Path) -> list[list[str]]:
    """A CSV file as printed: in ``donnees/imprime/``, for French Excel."""
    assert path.parent.name == "imprime"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")   # a BOM: Excel reads the accents right
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def source_rows(edition: str, table: str) -> list[dict[str, str]]:
    path = FIXTURE / "data" / edition / "tables" / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def workbook(exported, edition: str):
    paths, written = exported[edition]
    return openpyxl.load_workbook(paths.out / "donnees" / f"{paths.pdf.stem}-tableaux.xlsx")


# --- the files -------------------------------------------------------------------------------------
def test_one_csv_per_printed_table_and_one_workbook(exported):
    paths, written = exported["demo/2020"]
    folder = paths.out / "donnees"
    assert folder == paths.project.build / "demo-2020" / "donnees"
    tables = ["population", "effectifs", "actions-par-acteur"]
    assert written == [*(folder / f"{t}.csv" for t in tables), *(folder / "imprime" / f"{t}.csv" for t in tables),
                       folder / "rapport-activite-demo-2020-tableaux.xlsx", folder / "datapackage.json",
                       folder / "rapport-activite-demo-2020-donnees.zip"]
    found = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
    assert found == sorted(["imprime", *(p.relative_to(folder).as_posix() for p in written)])   # nothing else left


def test_only_the_tables_passed_are_written_and_old_ones_go(project):
    paths, tables, _ = printed_tables(project, "demo/2020")
    folder = paths.out / "donnees"
    exports.export_tables(tables, folder, paths.pdf.stem)
    written = exports.export_tables({"effectifs": tables["effectifs"]}, folder, paths.pdf.stem)
    expected = ["datapackage.json", "effectifs.csv", "imprime/effectifs.csv",
                "rapport-activite-demo-2020-donnees.zip", "rapport-activite-demo-2020-tableaux.xlsx"]
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == expected
    assert sorted(p.relative_to(folder).as_posix() for p in written) == expected
    assert openpyxl.load_workbook(folder / expected[-1]).sheetnames == ["Sommaire", "effectifs"]
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == ["effectifs.csv"]
    # no table printed: no workbook, no package, no CSV
    assert exports.export_tables({}, folder, paths.pdf.stem) == []
    assert not [p for p in folder.rglob("*") if p.is_file()]


def test_a_failed_write_leaves_the_previous_file(project, monkeypatch):
    paths, tables, _ = printed_tables(project, "demo/2020")
    folder = paths.out / "donnees"
    exports.export_tables(tables, folder, paths.pdf.stem)
    before = (folder / "rapport-activite-demo-2020-tableaux.xlsx").read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")

    csv_before = (folder / "imprime" / "effectifs.csv").stat().st_mtime_ns
    tidy_before = (folder / "effectifs.csv").stat().st_mtime_ns
    monkeypatch.setattr(exports, "workbook_bytes", broken)
    with pytest.raises(RuntimeError):
        exports.export_tables(tables, folder, paths.pdf.stem)
    assert (folder / "rapport-activite-demo-2020-tableaux.xlsx").read_bytes() == before
    assert (folder / "imprime" / "effectifs.csv").stat().st_mtime_ns == csv_before   # nothing half done
    assert (folder / "effectifs.csv").stat().st_mtime_ns == tidy_before
    assert not list(folder.rglob(".*"))


# --- CSV -----------------------------------------------------------------------------------------------
def test_csv_figures_are_the_printed_ones_as_french_excel_reads_numbers(exported):
    paths, _ = exported["finances/2020"]
    rows = read_csv(paths.out / "donnees" / "imprime" / "depenses.csv")
    # one header row; the unit shared by a whole column goes into its header
    assert rows[0] == ["Poste", "Charges 2019", "Charges 2020", "Évolution (%)"]
    body = rows[1:]
    source = source_rows("finances/2020", "depenses")
    assert len(body) == len(source)
    for line, printed in zip(body, source):   # the printed order, every cell as printed
        assert line[0] == printed["Poste"].replace("[^1]", "").replace("[^2]", "")
        if printed["_kind"] == "section":
            assert line[1:] == ["", "", ""]
            continue
        assert line[1] == printed["2019"].replace(" ", "")          # « 1 037,00 » → « 1037,00 »
        assert line[2] == printed["2020"].replace(" ", "")
        assert line[3] == printed["Évolution"].removesuffix(" %")     # « 1,06 % » → « 1,06 »
    assert body[-1] == ["Total général", "169236,00", "171579,00", "1,38"]
    assert ["Poste 5", "1185,00", "1240,00", "4,64"] in body            # the note call is left out
    assert all("Note" not in cell and "Source" not in cell for line in rows for cell in line)


def test_csv_two_level_header_writes_a_spanning_label_once(exported):
    paths, _ = exported["demo/2020"]
    rows = read_csv(paths.out / "donnees" / "imprime" / "effectifs.csv")
    assert rows[:2] == [["", "Années", "", "Évolution (%)"],
                        ["", "2020", "2019", ""]]
    source = {r["Effectifs"]: r for r in source_rows("demo/2020", "effectifs")}
    assert rows[2][:3] == ["Effectif CDI", source["Effectif CDI"]["2020"], source["Effectif CDI"]["2019"]]
    assert rows[3][1] == source["ETP moyens"]["2020"] == "796,78"
    # a column mixing counts and a rate keeps the unit in the cell, as French Excel reads it
    assert rows[4][:3] == ["Taux de temps partiel", "16,98 %", "17,2 %"]
    # the computed evolution is the printed one (+2,4 %), not recomputed here
    assert [r[3] for r in rows[2:]] == ["2,4", "2,1", "-1,3"]
    assert all(len(r) == 4 for r in rows)    # a clean rectangle


def test_csv_keeps_words_comments_and_arrows_as_printed(exported):
    paths, _ = exported["demo/2020"]
    rows = read_csv(paths.out / "donnees" / "imprime" / "population.csv")
    assert rows[0] == ["Données", "Circonscription de la caisse", "France métropolitaine"]
    assert rows[1] == ["Population protégée", "", ""]
    assert rows[2] == ["Régime général :", "730948", "52219891"]
    assert rows[3] == ["Dont droits ouverts", "97,03 %", "96,44 %"]
    assert rows[4] == ["Régime agricole :", "40 693 (données 2006)", "3 455 679 (données 2006)"]
    assert rows[5] == ["Taux de natalité", "11,6 ‰", "11,5 ‰"]
    assert rows[6] == ["Total", "Données non disponibles", "-"]
    paths, _ = exported["magazine/2020"]
    rows = read_csv(paths.out / "donnees" / "imprime" / "production.csv")
    assert rows[1] == ["Feuilles de soins", "1200000", "1150000", "↗ +4,3 %"]
    assert rows[2] == ["Délai moyen (jours)", "6,5", "7,1", "8,4 % ↓"]
    assert rows[3] == ["Réclamations", "-", "ns", "±"]


def test_csv_merged_cells_are_left_empty(tmp_path):
    from reportgen.edition.tables import load_table

    (tmp_path / "t.csv").write_text("Libellé;2020;2019\nA;Non connu;<<\nB;1 234;12\nC;^^;5\n", encoding="utf-8")
    (tmp_path / "t.yml").write_text("title: T\ncolumns:\n  '2020': {type: text}\n", encoding="utf-8")
    table = load_table(tmp_path / "t.csv")
    rows = exports.csv_rows(table)
    # « 2020 », declared text, holds only a figure and a word without figure: its figure is a number
    assert rows[1:] == [["A", "Non connu", ""], ["B", "1234", "12"], ["C", "", "5"]]
    exports.export_tables({"t": table}, tmp_path / "out", "rapport")
    ws = openpyxl.load_workbook(tmp_path / "out" / "rapport-tableaux.xlsx")["t"]
    assert {str(r) for r in ws.merged_cells.ranges} == {"B3:C3", "B4:B5"}


def test_a_superscript_written_in_a_header_is_plain_text_in_the_csv_and_the_workbook(tmp_path):
    """A cell cannot print « 1<sup>er</sup> »: the header written « 1 ^{er} » is « 1er », as the
    PDF's text reads, never the raw « 1 ^{er} »; titles, notes, body cells and chapters too."""
    from types import SimpleNamespace

    from reportgen.edition.tables import load_table

    (tmp_path / "t.csv").write_text("Libellé;Affaires au 1 ^{er} janvier;Au 2^{e} trimestre\n"
                                    "La 1 ^{ère} affiliation;1 234;12\n", encoding="utf-8")
    (tmp_path / "t.yml").write_text("title: Affaires en cours au 1 ^{er} janvier\n"
                                    "notes: [\"Le 2^{e} trimestre est estimé\"]\n", encoding="utf-8")
    table = load_table(tmp_path / "t.csv")
    assert "^{" in table.header[0][1].text                     # written so in the data
    rows = exports.csv_rows(table)
    assert rows == [["Libellé", "Affaires au 1er janvier", "Au 2e trimestre"],
                    ["La 1ère affiliation", "1234", "12"]]
    chapter = SimpleNamespace(title="Le 1 ^{er} accueil de l'année", label="",
                              html='<div data-table="t:1"></div>')
    chapters = exports.table_chapters([chapter])
    exports.export_tables({"t": table}, tmp_path / "out", "rapport", chapters=chapters)
    assert "^{" not in (tmp_path / "out" / "t.csv").read_text(encoding="utf-8-sig")
    wb = openpyxl.load_workbook(tmp_path / "out" / "rapport-tableaux.xlsx")
    ws = wb["t"]
    assert [c.value for c in ws[2]] == ["Libellé", "Affaires au 1er janvier", "Au 2e trimestre"]
    assert ws["A1"].value == "Affaires en cours au 1er janvier"
    assert ws["A3"].value == "La 1ère affiliation" and ws["A5"].value == "Le 2e trimestre est estimé"
    summary = [c.value for c in wb["Sommaire"][5]]
    assert summary[1] == "Affaires en cours au 1er janvier" and summary[2] == "Le 1er accueil de l’année"
    texts = [str(c.value) for sheet in wb for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [x for x in texts if "^{" in x]
    # the header column is as wide as what it shows, not as the markup written in the data
    assert ws.column_dimensions["B"].width == len("Affaires au 1er janvier") + 2


# --- XLSX ----------------------------------------------------------------------------------------------
def test_workbook_has_a_summary_then_one_sheet_per_table(exported):
    wb = workbook(exported, "demo/2020")
    assert wb.sheetnames == ["Sommaire", "population", "effectifs", "actions-par-acteur"]
    summary = wb["Sommaire"]
    heads = [c.value for c in summary[4]]
    assert heads == ["N°", "Tableau", "Chapitre", "Feuille", "Fichier CSV", "Source"]
    rows = {r[1]: r for r in summary.iter_rows(min_row=5, values_only=True)}
    effectifs = rows["Les effectifs de gestion administrative"]
    assert effectifs[2] == "La gestion des prestations ; Dépenses de fonctionnement"   # printed twice
    assert effectifs[3:5] == ("effectifs", "effectifs.csv")
    link = summary.cell(6, 2).hyperlink
    assert link.location == "'effectifs'!A1" and not link.target


def test_workbook_numbers_are_real_and_shown_as_printed(exported):
    wb = workbook(exported, "demo/2020")
    ws = wb["effectifs"]
    assert ws["A1"].value == "Les effectifs de gestion administrative" and ws["A1"].font.bold
    # the two-level header, merged as printed, in bold
    assert {str(r) for r in ws.merged_cells.ranges} == {"A2:A3", "B2:C2", "D2:D3"}
    assert [ws["B2"].value, ws["D2"].value, ws["B3"].value, ws["C3"].value] == ["Années", "Évolution", "2020", "2019"]
    assert ws["B2"].font.bold and ws["B3"].font.bold
    assert ws["A4"].value == "Effectif CDI"
    assert ws["B4"].value == 825 and ws["B4"].data_type == "n"
    assert ws["B4"].number_format.startswith("#,##0;")
    assert ws["B5"].value == pytest.approx(796.78) and ws["B5"].number_format.startswith("#,##0.00;")
    # a percentage is a real Excel percentage: 16,98 % is 0.1698, shown with its two decimals
    assert ws["B6"].value == pytest.approx(0.1698) and ws["B6"].number_format.startswith('#,##0.00" "%;')
    assert ws["D4"].value == pytest.approx(0.024) and ws["D4"].number_format.startswith('"+"#,##0.0" "%;')
    assert ws["A8"].value == "Source\u00a0: tableau de bord social"


def test_workbook_totals_in_bold_with_the_source_figures_and_notes(exported):
    wb = workbook(exported, "finances/2020")
    assert wb.sheetnames == ["Sommaire", "depenses"]
    ws = wb["depenses"]
    assert [c.value for c in ws[2]] == ["Poste", "Charges 2019", "Charges 2020", "Évolution"]
    source = source_rows("finances/2020", "depenses")
    by_label = {row[0].value: row for row in ws.iter_rows(min_row=3)}
    total = by_label["Total général"]
    printed = next(r for r in source if r["Poste"] == "Total général")
    assert total[1].value == float(Decimal(printed["2019"].replace(" ", "").replace(",", ".")))
    assert total[1].number_format.startswith("#,##0.00;")
    assert all(c.font.bold for c in total)
    assert all(c.font.bold for c in by_label["Groupe 1.1"]) and all(c.font.bold for c in by_label["Total du bloc 2"])
    assert not any(c.font.bold for c in by_label["Poste 1"])
    assert "Poste 5 (1)" in by_label          # the call to the first note, as printed
    assert by_label["(1) Poste suivi à part depuis 2019."]
    assert by_label["(2) Dont rattrapages de l’exercice précédent."]
    last_data = 3 + len(source) - 1
    assert ws.cell(last_data, 1).value == "Total général"
    assert ws.cell(last_data + 2, 1).value.startswith("(1)")   # notes under the table


def test_workbook_figures_with_arrows_comments_and_words(exported):
    ws = workbook(exported, "magazine/2020")["production"]
    row = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    rising = row["Feuilles de soins"][3]
    assert rising.value == pytest.approx(0.043) and rising.number_format.startswith('"↗ +"#,##0.0" "%')
    assert row["Délai moyen (jours)"][3].number_format.startswith('#,##0.0" "%" ↓"')
    assert row["Réclamations"][1].value == "-" and row["Réclamations"][2].value == "ns"
    ws = workbook(exported, "demo/2020")["population"]
    row = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    assert row["Régime agricole\u00a0:"][1].value == 40693
    assert row["Régime agricole\u00a0:"][1].number_format.startswith('#,##0" (données 2006)"')
    assert row["Taux de natalité"][1].value == pytest.approx(11.6)
    assert row["Taux de natalité"][1].number_format.startswith('#,##0.0" ‰"')
    assert row["Population protégée"][0].font.bold
    assert row["Dont droits ouverts"][0].alignment.indent == 1


def test_sheet_names_are_valid_and_unique():
    names = exports.sheet_names(["sommaire", "a/b:c", "x" * 40, "x" * 40, "'cité'", "[]"])
    assert names == ["sommaire-2", "a-b-c", "x" * 31, "x" * 29 + "-2", "cité", "--"]
    assert all(len(n) <= 31 for n in names)
