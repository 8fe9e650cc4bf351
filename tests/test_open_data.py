"""The tables as open data: tidy CSV files, their ``datapackage.json``, and a workbook of numbers.

The fixture editions are exported without a build (fast); the four reference editions are
built as in test_reference_editions.py (a build whose inputs have not changed is reused) and
their ``donnees/`` folder checked as published (slow).
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import frictionless
import openpyxl
import pytest

from conftest import REPO, copy_fixture
from reportgen.render import exports
from reportgen import french
from reportgen.builder import build
from reportgen.edition.config import load_manifest
from reportgen.edition.datastore import DataStore
from reportgen.errors import ConfigError, set_display_root
from reportgen.project import Project
from reportgen.edition.tables import load_table
from test_exports import EDITIONS, export_editions

REFERENCES = ("ardeche/2023", "artois/2017", "landes/2017", "lille-douai/2019")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
TECHNICAL = {"type_de_ligne", "unite", "cle_ligne"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Each fixture edition exported as the builder does: {edition: (donnees/, printed tables)}."""
    project = copy_fixture(tmp_path_factory.mktemp("open-data"))
    return {edition: (paths.out / "donnees", tables)
            for edition, (paths, _, tables) in export_editions(project).items()}


def tidy(path: Path) -> list[list[str]]:
    """A tidy CSV as RFC 4180 reads it: UTF-8 without BOM, « , », CRLF."""
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=","))


def package_of(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def small_table(tmp_path: Path, rows: str, spec: str = "title: T\n", name: str = "t"):
    (tmp_path / f"{name}.csv").write_text(rows, encoding="utf-8")
    (tmp_path / f"{name}.yml").write_text(spec, encoding="utf-8")
    return load_table(tmp_path / f"{name}.csv")


# --- what every published folder must satisfy (fixture and reference editions alike) ---------------------
def check_package(folder: Path, tables: dict) -> None:
    """The package validates, names one resource per printed table, each readable, each figure typed."""
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    package = package_of(folder)
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert [r["path"] for r in package["resources"]] == [f"{t}.csv" for t in tables]
    read = frictionless.Package(str(folder / "datapackage.json"))
    for resource, table in zip(read.resources, tables.values()):
        rows = resource.read_rows()
        assert len(rows) == len(table.rows), resource.name           # one row per printed row
        assert resource.title == exports._plain(table.title or table.id)
        if table.source:
            assert resource.sources == [{"title": exports._plain(table.source)}]
        else:                                   # the report itself is the source
            assert resource.sources[0]["title"].startswith("Source : Rapport")
        numeric = exports.numeric_columns(table)
        typed = [f for f in resource.schema.fields if f.type in ("integer", "number")]
        assert len(typed) == len(numeric), resource.name              # every column of figures is typed
        for f in resource.schema.fields:
            if f.type != "string" or f.name in TECHNICAL or f.name == resource.schema.fields[0].name \
                    or f.name.endswith(("— texte imprimé", "— unité")):
                continue
            values = [row[f.name] for row in rows if row[f.name]]     # a column of text is not all figures
            assert not values or any(french.parse_figure(v) is None for v in values), (resource.name, f.name)


def check_tidy_csv(path: Path, table, fields: list[dict]) -> None:
    """One header row naming every column (the first one too), a row type, plain numbers."""
    rows = tidy(path)
    header, body = rows[0], rows[1:]
    assert header == [f["name"] for f in fields]
    assert all(name.strip() for name in header) and len({n.lower() for n in header}) == len(header)
    assert header[1] == "type_de_ligne" and header[-1] == "cle_ligne"
    assert len(body) == len(table.rows)                               # no second header row
    assert [line[1] for line in body] == [exports.ROW_TYPES[row.kind] for row in table.rows]
    assert [line[-1] for line in body] == [row.key for row in table.rows]
    for n, f in enumerate(fields):
        values = [line[n] for line in body]
        assert all(len(line) == len(header) for line in body)
        if f["type"] in ("integer", "number"):
            for value in filter(None, values):
                assert PLAIN_NUMBER.fullmatch(value), (path.name, f["name"], value)   # no unit, space, comma
                assert f["type"] == "number" or "." not in value


def check_workbook(workbook: Path, tables: dict) -> None:
    """No figure stored as text; the source under every table that has one; the licence on the summary."""
    wb = openpyxl.load_workbook(workbook)
    summary = wb["Sommaire"]
    assert summary["A3"].value.startswith("Licence\u00a0: ")
    heads = [c.value for c in summary[4]]
    sheets = {row[heads.index("Fichier CSV")]: row[heads.index("Feuille")]        # CSV → sheet
              for row in summary.iter_rows(min_row=5, values_only=True)}
    for table in tables.values():
        ws = wb[sheets[f"{table.id}.csv"]]
        first = 2 + len(table.header)
        for r, row in enumerate(table.rows, first):
            if row.kind in ("header", "text"):
                continue
            for c in range(2, len(table.columns) + 1):
                value = ws.cell(r, c).value
                if isinstance(value, str) and not re.match(r"0\d", value):     # « 01000 » is a code
                    where = (table.id, ws.cell(r, c).coordinate, value)
                    assert french.parse_figure(value.replace("\u00a0", " ")) is None, where
        # under the table, after its notes: its printed source, else the report it is printed in
        texts = [ws.cell(r, 1).value or "" for r in range(first + len(table.rows), ws.max_row + 1)]
        if table.source:
            assert french.typeset_prose(table.source).replace("\u202f", "\u00a0") in texts, table.id
        else:
            assert any(t.startswith("Source\u00a0: Rapport") for t in texts), table.id


def check_folder(folder: Path, tables: dict) -> None:
    check_package(folder, tables)
    package = package_of(folder)
    for resource, table in zip(package["resources"], tables.values()):
        check_tidy_csv(folder / resource["path"], table, resource["schema"]["fields"])
    check_workbook(next(folder.glob("*-tableaux.xlsx")), tables)
    check_zip(next(folder.glob("*-donnees.zip")), folder, package)


def check_zip(archive: Path, folder: Path, package: dict) -> None:
    """The download of the web edition: the package, then each of its CSV files, as written beside it."""
    import zipfile

    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        assert names == ["datapackage.json", *(r["path"] for r in package["resources"])]
        for name in names:
            assert opened.read(name) == (folder / name).read_bytes(), name


# --- the fixture editions --------------------------------------------------------------------------------
@pytest.mark.parametrize("edition", EDITIONS)
def test_each_fixture_edition_publishes_a_valid_package(exported, edition):
    folder, tables = exported[edition]
    check_folder(folder, tables)


def test_the_package_says_who_publishes_under_which_licence_and_when(exported):
    folder, tables = exported["demo/2020"]
    package = package_of(folder)
    assert package["name"] == "rapport-activite-demo-2020"
    assert package["title"] == "Rapport d’activité 2020 – CPAM de Démonstration : les tableaux"
    assert package["created"] == "2021-01-01T00:00:00Z"       # the year after the report's, not the clock
    assert package["contributors"] == [{"title": "CPAM de Démonstration", "roles": ["publisher"]}]
    assert package["licenses"] == [{"name": "etalab-2.0",
                                    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
                                    "title": "Licence Ouverte / Open Licence version 2.0"}]
    effectifs = next(r for r in package["resources"] if r["name"] == "effectifs")
    assert effectifs["title"] == "Les effectifs de gestion administrative"
    assert effectifs["sources"] == [{"title": "Source : tableau de bord social"}]
    assert "La gestion des prestations ; Dépenses de fonctionnement" in effectifs["description"]
    assert effectifs["schema"]["primaryKey"] == ["cle_ligne"] and effectifs["schema"]["missingValues"] == [""]
    assert effectifs["bytes"] == (folder / "effectifs.csv").stat().st_size
    finances = package_of(exported["finances/2020"][0])["resources"][0]
    assert "(1) Poste suivi à part depuis 2019. (2) Dont rattrapages de l’exercice précédent." \
        in finances["description"]


def test_licence_and_date_come_from_the_manifest(project, tmp_path):
    manifest = project.root / "content" / "demo" / "2020" / "edition.yml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text + "open_data: {licence: odc-odbl, published: 2021-06-30}\n", encoding="utf-8")
    about = exports.About.of(load_manifest(manifest)[0])
    assert about.created == "2021-06-30T00:00:00Z"
    paths = project.edition("demo/2020")
    table = DataStore.load(paths.data).tables["effectifs"]
    exports.export_tables({"effectifs": table}, tmp_path / "a", "rapport", about=about)
    package = package_of(tmp_path / "a")
    assert package["created"] == "2021-06-30T00:00:00Z"
    assert package["licenses"][0]["name"] == "odc-odbl"
    assert package["licenses"][0]["path"] == "https://opendatacommons.org/licenses/odbl/1-0/"
    summary = openpyxl.load_workbook(tmp_path / "a" / "rapport-tableaux.xlsx")["Sommaire"]
    assert "Open Data Commons Open Database License (ODbL) 1.0" in summary["A3"].value
    # a licence of one's own, written in full
    manifest.write_text(text + "open_data:\n  licence: {name: lov2, title: Licence maison, path: "
                               "\"https://exemple.fr/licence\"}\n", encoding="utf-8")
    about = exports.About.of(load_manifest(manifest)[0])
    exports.export_tables({"effectifs": table}, tmp_path / "b", "rapport", about=about)
    assert package_of(tmp_path / "b")["licenses"] == [{"name": "lov2", "path": "https://exemple.fr/licence",
                                                       "title": "Licence maison"}]
    assert frictionless.validate(str(tmp_path / "b" / "datapackage.json")).valid
    # an unknown licence, or one without its address, is refused at its line
    for wrong, said in (("open_data: {licence: etalab}\n", "vouliez-vous dire « etalab-2.0 »"),
                        ("open_data: {licence: {name: x, title: X}}\n", "clé manquante « path »"),
                        ("open_data: {published: 30/06/2021}\n", "n'est pas une date")):
        manifest.write_text(text + wrong, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            load_manifest(manifest)
        assert said in str(err.value) and err.value.line == len(text.splitlines()) + 1, str(err.value)


def test_two_exports_of_the_same_tables_are_byte_identical(project, tmp_path):
    """Exported again, and in another copy of the project: the same bytes (no date, no path inside)."""
    folder = export_editions(project, ["demo/2020"])["demo/2020"][0].out / "donnees"
    names = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    first = {name: (folder / name).read_bytes() for name in names}
    assert Path("datapackage.json") in first and Path("imprime/effectifs.csv") in first
    assert Path("rapport-activite-demo-2020-donnees.zip") in first
    export_editions(project, ["demo/2020"])
    other = export_editions(copy_fixture(tmp_path / "autre"), ["demo/2020"])["demo/2020"][0].out / "donnees"
    for again in (folder, other):
        assert sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file()) == names
        assert {name: (again / name).read_bytes() for name in names} == first


# --- the tidy CSV, case by case ----------------------------------------------------------------------------
def test_tidy_csv_flattens_the_header_and_puts_units_outside_the_cells(exported):
    folder, _ = exported["demo/2020"]
    rows = tidy(folder / "effectifs.csv")
    # the row-label column, printed without header, takes its name in the data file
    assert rows[0] == ["Effectifs", "type_de_ligne", "unite", "Années — 2020", "Années — 2019", "Évolution",
                       "cle_ligne"]
    assert rows[1:] == [["Effectif CDI", "ligne", "", "825", "806", "2.4", "cdi"],
                        ["ETP moyens", "ligne", "", "796.78", "780.5", "2.1", "etp"],
                        ["Taux de temps partiel", "ligne", "%", "16.98", "17.2", "-1.3", "taux"]]
    fields = {f["name"]: f for f in package_of(folder)["resources"][1]["schema"]["fields"]}
    assert fields["Évolution"]["unit"] == "%" and fields["Évolution"]["type"] == "number"
    assert "unit" not in fields["Années — 2020"] and "« unite »" in fields["Années — 2020"]["description"]
    rows = tidy(folder / "actions-par-acteur.csv")
    assert rows[0][:3] == ["Acteur", "type_de_ligne", "Indicateur 1"]
    assert rows[1][:3] == ["Assurés", "ligne", "6514"]
    fields = package_of(folder)["resources"][2]["schema"]["fields"]
    assert fields[2] == {"name": "Indicateur 1", "type": "integer", "description": (
        "Colonne « Indicateur 1 » du tableau : chiffres tels qu’imprimés ; vide quand la case n’imprime pas de "
        "chiffre, le texte imprimé est alors dans « Indicateur 1 — texte imprimé »")}


def test_tidy_csv_keeps_words_comments_and_arrows_beside_the_number(exported):
    folder, _ = exported["demo/2020"]
    rows = {line[0]: line for line in tidy(folder / "population.csv")}
    assert rows["Données"] == ["Données", "type_de_ligne", "unite", "Circonscription de la caisse",
                               "Circonscription de la caisse — texte imprimé", "France métropolitaine",
                               "France métropolitaine — texte imprimé", "cle_ligne"]
    assert rows["Population protégée"] == ["Population protégée", "section", "", "", "", "", "", "population-protegee"]
    assert rows["Régime général :"][1:7] == ["ligne", "", "730948", "", "52219891", ""]
    assert rows["Dont droits ouverts"][1:7] == ["dont", "%", "97.03", "", "96.44", ""]
    assert rows["Régime agricole :"][3:7] == ["40693", "40 693 (données 2006)", "3455679", "3 455 679 (données 2006)"]
    assert rows["Taux de natalité"][2:4] == ["‰", "11.6"]
    assert rows["Total"][1:7] == ["total", "", "", "Données non disponibles", "", "-"]
    folder, _ = exported["magazine/2020"]
    rows = {line[0]: line for line in tidy(folder / "production.csv")}
    assert rows["Indicateur"] == ["Indicateur", "type_de_ligne", "2020", "2020 — texte imprimé", "2019",
                                  "2019 — texte imprimé", "Évolution", "Évolution — texte imprimé", "cle_ligne"]
    assert rows["Feuilles de soins"][2:8] == ["1200000", "", "1150000", "", "4.3", "↗ +4,3 %"]
    assert rows["Délai moyen (jours)"][6:8] == ["8.4", "8,4 % ↓"]
    assert rows["Réclamations"][2:8] == ["", "-", "", "ns", "", "±"]


def test_tidy_csv_row_types_tell_totals_from_subtotals(exported):
    folder, tables = exported["finances/2020"]
    rows = tidy(folder / "depenses.csv")
    assert rows[0] == ["Poste", "type_de_ligne", "Charges 2019", "Charges 2020", "Évolution", "cle_ligne"]
    kinds = {line[0]: line[1] for line in rows[1:]}
    assert kinds["Bloc 1"] == "section" and kinds["Poste 1"] == "ligne" and kinds["Groupe 1.1"] == "sous-total"
    assert kinds["Total du bloc 1"] == "sous-total-niveau-2" and kinds["Total général"] == "total"
    assert rows[-1] == ["Total général", "total", "169236.00", "171579.00", "1.38", "total-general"]
    assert ["Poste 5", "ligne", "1185.00", "1240.00", "4.64", "poste-5"] in rows   # the note call is left out
    # the figures of the lines add up to their subtotal: nothing recomputed, nothing lost
    lines = [line for line in rows[1:] if line[1] == "ligne"][:8]
    assert sum(float(line[2]) for line in lines) == pytest.approx(9332.00)


def test_a_text_column_of_figures_is_numbers_everywhere(tmp_path):
    """What the review found: figures in a column declared text were stored as text."""
    table = small_table(tmp_path, "_kind;Libellé;2018;2019;Commentaire;Code\n"
                                  ";Contestations reçues;3 024;2 994;88 personnes en situation de précarité;01000\n"
                                  "section;Décisions :;;;;\n"
                                  "dont;rejets;1781;1962;;02100\n"
                                  ";Délai de traitement;46 jours;56 jours;-;07000\n",
                        "title: T\nsource: \"Source : CRA\"\ncolumns:\n  '2018': {type: text}\n  '2019': {type: text}\n"
                        "  Commentaire: {type: text}\n  Code: {type: text}\n")
    assert exports.numeric_columns(table) == {1, 2}         # a sentence and a code stay texts
    data = exports.tidy_table(table)
    assert [f.name for f in data.fields] == ["Libellé", "type_de_ligne", "unite", "2018", "2019", "Commentaire",
                                             "Code", "cle_ligne"]
    assert [f.type for f in data.fields][3:7] == ["integer", "integer", "string", "string"]
    assert data.rows[0][2:7] == ["", "3024", "2994", "88 personnes en situation de précarité", "01000"]
    assert data.rows[3][2:5] == ["jours", "46", "56"]
    exports.export_tables({"t": table}, tmp_path / "out", "rapport")
    ws = openpyxl.load_workbook(tmp_path / "out" / "rapport-tableaux.xlsx")["t"]
    assert ws["B3"].value == 3024 and ws["B3"].number_format.startswith("#,##0;")
    assert ws["B6"].value == 46 and ws["B6"].number_format.startswith('#,##0" jours"')
    assert ws["D3"].value == "88 personnes en situation de précarité" and ws["E3"].value == "01000"
    check_workbook(tmp_path / "out" / "rapport-tableaux.xlsx", {"t": table})
    assert exports.csv_rows(table)[1][1:3] == ["3024", "2994"]


def test_a_merged_label_names_every_row_it_covers(tmp_path):
    table = small_table(tmp_path, "_key;Prestations;Dénombrement;2016;2017\n"
                                  "at-decl;Accidents du travail;Déclarations reçues;7 452;8 078\n"
                                  "at-taux;^^;Taux reconnus;74%;96%\n"
                                  "rentes;Rentes AT;Rentes en cours;8 399;123%\n",
                        "title: T\ncolumns:\n  Dénombrement: {type: text}\n")
    data = exports.tidy_table(table)
    # one unit per row does not hold (« 8 399 » beside « 123% »): each column has its own unit
    assert [f.name for f in data.fields] == ["Prestations", "type_de_ligne", "Dénombrement", "2016", "2016 — unité",
                                             "2017", "2017 — unité", "cle_ligne"]
    assert data.rows == [["Accidents du travail", "ligne", "Déclarations reçues", "7452", "", "8078", "", "at-decl"],
                         ["Accidents du travail", "ligne", "Taux reconnus", "74", "%", "96", "%", "at-taux"],
                         ["Rentes AT", "ligne", "Rentes en cours", "8399", "", "123", "%", "rentes"]]


def test_column_names_are_never_empty_and_never_twice(tmp_path):
    table = small_table(tmp_path, "libelle;a;b;c\nLigne;1;2;3\n",
                        "title: T\ncolumns:\n  libelle: {label: ''}\n  b: {label: 'A'}\n  c: {label: ''}\n"
                        "header:\n  - ['', {text: 'Montant', colspan: 2}, '']\n  - ['', 'A', 'A', '']\n")
    assert exports.column_names(table) == ["Libellé", "Montant — A", "Montant — A", "c"]
    assert [f.name for f in exports.tidy_table(table).fields] == ["Libellé", "type_de_ligne", "Montant — A",
                                                                   "Montant — A (2)", "c", "cle_ligne"]
    text = small_table(tmp_path, "_kind;Libellé;2017\n;A;1\ntext;Une phrase sur toute la largeur.;\n"
                                 "header;IJ;Montants\n;B;2\n", name="u")
    # a row of text fills only the label; a header repeated in the body keeps only its label
    assert exports.tidy_table(text).rows == [
        ["A", "ligne", "1", "a"],
        ["Une phrase sur toute la largeur.", "texte", "", "une-phrase-sur-toute-la-largeur"],
        ["IJ", "en-tete", "", "ij"], ["B", "ligne", "2", "b"]]


# --- the four reference editions, as built -------------------------------------------------------------------
@pytest.fixture(scope="module", params=[pytest.param(name, marks=pytest.mark.slow) for name in REFERENCES])
def reference(request):
    """A reference edition built as test_reference_editions.py builds it (reused when up to date)."""
    project = Project(REPO)
    set_display_root(project.root)
    result = build(project, request.param)
    from test_exports import printed_tables

    _, tables, _ = printed_tables(project, request.param)
    return result.pdf.parent / "donnees", tables


def test_each_reference_edition_publishes_valid_open_data(reference):
    folder, tables = reference
    check_folder(folder, tables)
    assert sorted(p.name for p in (folder / "imprime").iterdir()) == sorted(f"{t}.csv" for t in tables)
