"""``reportgen import``: a draft edition from a published PDF made by another engine than WeasyPrint.

The PDFs are made here with ReportLab from a known set of tables (two-level header, sections,
« dont » rows, subtotals, a total, a table over two pages, note calls), key figures, a list of
names and a glossary; the import must give back at least 95 % of the table cells exactly, each
with its row kind. The slow test imports a reference edition's own PDF, builds the imported
edition and compares the figures of every table with the original's.
"""
from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO
from reportgen.cli import main
from reportgen.errors import ReportError, set_display_root
from reportgen.importer import import_pdf
from reportgen.project import Project
from reportgen.yearly import status

reportlab = pytest.importorskip("reportlab")

from reportlab.graphics.charts.barcharts import VerticalBarChart  # noqa: E402
from reportlab.graphics.shapes import Drawing  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # noqa: E402
from reportlab.platypus import (Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table,  # noqa: E402
                                TableStyle)

# --- the known report ----------------------------------------------------------------------------
EFFECTIFS = {
    "title": "Les effectifs de la caisse",
    "header": [["Effectifs", "2016", "2017"]],
    "rows": [("", "Effectif CDI", "806", "825"), ("dont", "dont temps partiel", "129", "134"),
             ("dont", "dont cadres", "98", "101"), ("", "Effectif CDD", "45", "52"),
             ("subtotal", "Effectif permanent", "851", "877"), ("", "Contrats aidés", "12", "9"),
             ("total", "Total", "863", "886")],
    "source": "Source : tableau de bord social",
}
PRESTATIONS = {
    "title": "Prestations versées par risque",
    "header": [["Prestations", "2016", None, "2017", None], [None, "Nombre", "Montant", "Nombre", "Montant"]],
    "rows": [("section", "Maladie", "", "", "", ""),
             ("", "Soins de ville", "1 234 567", "20 591 111 €", "1 301 002", "21 408 970 €"),
             ("dont", "dont honoraires médicaux", "734 118", "9 870 440 €", "761 905", "10 112 327 €"),
             ("", "Indemnités journalières", "98 540", "4 512 300 €", "101 224", "4 688 015 €"),
             ("subtotal", "Total maladie", "1 333 107", "25 103 411 €", "1 402 226", "26 096 985 €"),
             ("section", "Accidents du travail", "", "", "", ""),
             ("", "Rentes", "8 455", "12 004 310 €", "8 416", "11 990 852 €"),
             ("", "Indemnités en capital", "312", "1 250 600 €", "298", "1 198 004 €"),
             ("subtotal", "Total accidents du travail", "8 767", "13 254 910 €", "8 714", "13 188 856 €"),
             ("total", "Total des prestations", "1 341 874", "38 358 321 €", "1 410 940", "39 285 841 €")],
    "notes": ["Y compris les soins à l'étranger"],
    "calls": {2: "1"},        # row 2 (Soins de ville) calls note 1
}
POSTES = {
    "title": "Dépenses par poste",
    "header": [["Poste", "2016", "2017", "Évolution"]],
    "rows": [("", f"Poste de dépense numéro {n}", f"{1000 + 37 * n:,}".replace(",", " ") + f",{n % 100:02d}",
              f"{1100 + 41 * n:,}".replace(",", " ") + f",{(n * 7) % 100:02d}",
              f"{(n % 9) - 3},{n % 10}0 %") for n in range(1, 71)],
}
GLOSSARY = [("ALD", "Affection de longue durée"), ("CMU-C", "Couverture maladie universelle complémentaire"),
            ("CPAM", "Caisse primaire d'assurance maladie"), ("IJ", "Indemnités journalières"),
            ("ONDAM", "Objectif national des dépenses d'assurance maladie")]
ROSTER = [("Mme Claire MARTIN", "présidente"), ("M. Jean DUPONT", "vice-président"),
          ("Mme Sophie LEROY", "trésorière"), ("M. Paul BERNARD", "secrétaire")]
KPIS = [("730 948", "assurés protégés"), ("2 614", "professionnels de santé")]


def _styles():
    sheet = getSampleStyleSheet()
    body = ParagraphStyle("body", sheet["BodyText"], fontName="Helvetica", fontSize=10, leading=13, spaceAfter=6)
    h1 = ParagraphStyle("h1", sheet["Heading1"], fontName="Helvetica-Bold", fontSize=20, leading=24, spaceAfter=12)
    h2 = ParagraphStyle("h2", sheet["Heading2"], fontName="Helvetica-Bold", fontSize=14, leading=17, spaceBefore=10,
                        spaceAfter=8)
    title = ParagraphStyle("tt", body, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceAfter=4)
    small = ParagraphStyle("small", body, fontSize=8, leading=10, spaceAfter=2)
    big = ParagraphStyle("big", body, fontName="Helvetica-Bold", fontSize=30, leading=34, spaceAfter=2)
    cell = ParagraphStyle("cell", body, fontSize=9, leading=11, spaceAfter=0)
    return body, h1, h2, title, small, big, cell


def _table(spec: dict, cell_style, wide: bool = False):
    header = [[c if c is not None else "" for c in row] for row in spec["header"]]
    width = len(header[0])
    data = list(header)
    style = [("FONTNAME", (0, 0), (-1, len(header) - 1), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 9),
             ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("ALIGN", (1, 0), (-1, len(header) - 1), "CENTER"),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LINEBELOW", (0, len(header) - 1), (-1, len(header) - 1), 0.8,
                                                     colors.black)]
    for r, row in enumerate(spec["header"]):
        for c, text in enumerate(row):
            if text is None and r == 0:
                style.append(("SPAN", (c - 1, 0), (c, 0)))
    if len(header) > 1:
        style.append(("SPAN", (0, 0), (0, 1)))
        header[1][0] = ""
    calls = spec.get("calls", {})
    for n, (kind, *cells) in enumerate(spec["rows"]):
        r = len(data)
        label = cells[0]
        if n in calls:
            label = Paragraph(f"{label}<super>({calls[n]})</super>", cell_style)
        data.append([label, *cells[1:]])
        if kind in ("subtotal", "total", "section"):
            style.append(("FONTNAME", (0, r), (-1, r), "Helvetica-Bold"))
        if kind == "total":
            style.append(("LINEABOVE", (0, r), (-1, r), 0.8, colors.black))
        if kind == "dont":
            style.append(("LEFTPADDING", (0, r), (0, r), 18))
        if n % 2:
            style.append(("BACKGROUND", (0, r), (-1, r), colors.Color(0.93, 0.95, 0.98)))
    widths = [190] + [(300 if wide else 280) // (width - 1)] * (width - 1)
    table = Table(data, colWidths=widths, repeatRows=len(header))
    table.setStyle(TableStyle(style))
    return table


class _Outlined(SimpleDocTemplate):
    """Bookmarks for the headings, as a layout program exports them."""

    def __init__(self, *args, bookmarks: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.bookmarks = bookmarks
        self.count = 0

    def afterFlowable(self, flowable):
        if self.bookmarks and isinstance(flowable, Paragraph) and flowable.style.name in ("h1", "h2"):
            self.count += 1
            key = f"h{self.count}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, 0 if flowable.style.name == "h1" else 1)


def _footer(canvas, doc):
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(56, 810, "CPAM de la Vienne · Rapport d'activité 2023")
    canvas.drawRightString(540, 30, str(doc.page))
    canvas.restoreState()


def make_report(path: Path, bookmarks: bool = True, tmp: Path | None = None, encrypt: str | None = None) -> Path:
    body, h1, h2, title, small, big, cell = _styles()
    story = [Paragraph("Rapport d'activité 2023", ParagraphStyle("cover", body, fontSize=34, leading=40)),
             Paragraph("CPAM de la Vienne", body), PageBreak()]
    story += [Paragraph("Le message de la directrice", h1),
              Paragraph("L'année 2023 a vu la caisse accompagner 730 948 assurés, soit 1,2 % de plus qu'en 2022. "
                        "Les équipes ont traité les demandes dans des délais tenus, et les services en ligne "
                        "ont poursuivi leur essor auprès de tous les publics du département.", body),
              Paragraph("Je remercie chacune et chacun pour son engagement au service des assurés.", body),
              PageBreak()]
    story += [Paragraph("La caisse et son territoire", h1),
              Paragraph("Les chiffres clés", h2)]
    tiles = Table([[Paragraph(v, big) for v, _ in KPIS], [Paragraph(lbl, small) for _, lbl in KPIS]],
                  colWidths=[220, 220])
    story += [tiles, Spacer(1, 12),
              Paragraph("Les effectifs", h2),
              Paragraph("La caisse emploie des agents en contrat à durée indéterminée et déterminée ; le tableau "
                        "ci-dessous en donne le détail pour les deux dernières années.", body),
              Paragraph(EFFECTIFS["title"], title), _table(EFFECTIFS, cell),
              Paragraph(EFFECTIFS["source"], small), Spacer(1, 10)]
    drawing = Drawing(400, 150)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 20, 320, 110
    chart.data = [(806, 825, 851)]
    chart.categoryAxis.categoryNames = ["2021", "2022", "2023"]
    drawing.add(chart)
    story += [Paragraph("L'évolution des effectifs", h2), drawing, PageBreak()]
    story += [Paragraph("L'activité de l'année", h1), Paragraph("Les prestations", h2),
              Paragraph("Les prestations versées ont progressé sur l'ensemble des risques.", body),
              Paragraph(PRESTATIONS["title"], title), _table(PRESTATIONS, cell, wide=True),
              Paragraph(f"(1) {PRESTATIONS['notes'][0]}", small), Spacer(1, 10),
              Paragraph("Les dépenses", h2), Paragraph(POSTES["title"], title), _table(POSTES, cell),
              Paragraph("Source : comptabilité de la caisse", small), PageBreak()]
    story += [Paragraph("Annexes", h1), Paragraph("Le Conseil", h2),
              Paragraph("Le Conseil s'est réuni six fois dans l'année.", body)]
    story += [Paragraph(f"{name}, {role}", body) for name, role in ROSTER]
    if tmp is not None:
        from PIL import Image as PILImage

        picture = tmp / "photo.png"
        PILImage.new("RGB", (120, 80), (30, 90, 160)).save(picture)
        story += [Spacer(1, 8), Image(str(picture), width=120, height=80)]
    story += [Paragraph("Glossaire", h2)]
    story += [Paragraph(f"<b>{term}</b> : {definition}", body) for term, definition in GLOSSARY]
    kwargs = {"encrypt": encrypt} if encrypt else {}
    doc = _Outlined(str(path), pagesize=A4, bookmarks=bookmarks, leftMargin=56, rightMargin=56, topMargin=56,
                    bottomMargin=56, title="Rapport d'activité 2023", **kwargs)
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return path


# --- helpers ---------------------------------------------------------------------------------------
def new_project(root: Path) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    (root / "reportgen.yml").write_text("reportgen: 1\n", encoding="utf-8")
    project = Project(root.resolve())
    set_display_root(project.root)
    return project


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def imported_tables(project: Project, edition: str) -> dict[str, tuple[dict, list[list[str]]]]:
    """Title (else id) → (spec, rows of the CSV with its header)."""
    folder = project.edition(edition).data / "tables"
    found = {}
    for csv_path in sorted(folder.glob("*.csv")):
        spec = yaml.safe_load(csv_path.with_suffix(".yml").read_text(encoding="utf-8")) or {}
        found[spec.get("title") or csv_path.stem] = (spec, read_csv(csv_path))
    return found


def recovered(known: dict, rows: list[list[str]]) -> tuple[int, int]:
    """(cells given back exactly, with their row's kind ; cells printed)."""
    body = rows[1:]
    good = total = 0
    for n, (kind, *cells) in enumerate(known["rows"]):
        expected = list(cells)
        if n in known.get("calls", {}):
            expected[0] += f"[^{known['calls'][n]}]"
        total += len(expected)
        if n < len(body) and body[n][0] == kind:
            good += sum(1 for a, b in zip(expected, body[n][1:]) if a == b)
    return good, total


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("import")
    pdf = make_report(tmp / "rapport-2023.pdf", tmp=tmp)
    project = new_project(tmp / "projet")
    report = import_pdf(project, pdf, "vienne/2023")
    return project, report, pdf


# --- tests -----------------------------------------------------------------------------------------
def test_tables_come_back_cell_for_cell_with_their_row_kinds(imported):
    project, report, _ = imported
    tables = imported_tables(project, "vienne/2023")
    good = total = 0
    for known in (EFFECTIFS, PRESTATIONS, POSTES):
        assert known["title"] in tables, f"{known['title']} not among {list(tables)}"
        g, t = recovered(known, tables[known["title"]][1])
        good, total = good + g, total + t
    assert good / total >= 0.95, f"{good}/{total} cells"


def test_two_level_header_source_and_notes(imported):
    project, _, _ = imported
    tables = imported_tables(project, "vienne/2023")
    spec, rows = tables[PRESTATIONS["title"]]
    header = spec["header"]
    assert header[0][0] == {"text": "Prestations", "rowspan": 2}
    assert header[0][1:] == [{"text": "2016", "colspan": 2}, {"text": "2017", "colspan": 2}]
    assert header[1] == ["Nombre", "Montant", "Nombre", "Montant"]
    assert rows[0][1:] == ["Prestations", "2016 Nombre", "2016 Montant", "2017 Nombre", "2017 Montant"]
    assert spec["notes"] == PRESTATIONS["notes"]
    assert tables[EFFECTIFS["title"]][0]["source"] == EFFECTIFS["source"]
    assert tables[EFFECTIFS["title"]][1][0][1:] == EFFECTIFS["header"][0]


def test_a_table_over_two_pages_is_one_table(imported):
    project, report, _ = imported
    spec, rows = imported_tables(project, "vienne/2023")[POSTES["title"]]
    assert len(rows) - 1 == len(POSTES["rows"])
    assert spec["source"] == "Source : comptabilité de la caisse"
    line = next(x for x in report.tables if "Dépenses par poste" in x)
    assert "pages" in line and "confiance" in line


def test_the_edition_is_checked_and_built_as_a_draft(imported):
    """The imported edition reads without error: only the signatory is left « à renseigner »."""
    from reportgen.builder import check

    project, _, _ = imported
    errors, _ = check(project, "vienne/2023")
    assert [e.message for e in errors if "à renseigner" not in e.message] == []


def test_outline_key_figures_roster_glossary_and_text(imported):
    project, report, _ = imported
    paths = project.edition("vienne/2023")
    manifest = yaml.safe_load(paths.manifest.read_text(encoding="utf-8"))
    assert manifest["organisation"] == "CPAM de la Vienne"
    chapters = manifest.get("front", []) + manifest["chapters"]
    titles = [yaml.safe_load((paths.content / f).read_text(encoding="utf-8").split("---")[1])["title"]
              for f in chapters]
    assert titles == ["Le message de la directrice", "La caisse et son territoire", "L'activité de l'année",
                      "Annexes"]
    territory = (paths.content / chapters[1]).read_text(encoding="utf-8")
    assert "## Les effectifs" in territory and '{{ table("les-effectifs-de-la-caisse") }}' in territory
    assert "{{ kpis(" in territory
    message = (paths.content / chapters[0]).read_text(encoding="utf-8")
    assert "730 948 assurés, soit 1,2 % de plus" in message      # figures left as typed, for check
    kpis = yaml.safe_load(next((paths.data / "kpis").glob("*.yml")).read_text(encoding="utf-8"))
    tiles = [(t["value"], t["label"]) for group in kpis.values() for t in group["tiles"]]
    assert tiles == KPIS
    roster = yaml.safe_load(next((paths.data / "lists").glob("*.yml")).read_text(encoding="utf-8"))
    assert roster["rows"] == [list(pair) for pair in ROSTER]
    glossary = yaml.safe_load((paths.data / "glossary.yml").read_text(encoding="utf-8"))
    assert [(e["term"], e["definition"]) for e in glossary] == GLOSSARY
    # every chapter is listed by status until it is rewritten
    assert len(status(paths).chapters) == len(chapters) and all("à réécrire" in c for c in status(paths).chapters)
    # the report names what was left, with its page
    text = report.file.read_text(encoding="utf-8")
    assert "image de" in text and "dessin ou graphique" in text
    assert any(what.startswith("image") for _, what in report.left_out)


def test_headings_from_fonts_when_the_pdf_has_no_bookmarks(tmp_path):
    pdf = make_report(tmp_path / "sans-signets.pdf", bookmarks=False)
    project = new_project(tmp_path / "projet")
    report = import_pdf(project, pdf, "vienne/2023")
    assert report.outline_from.startswith("tailles")
    paths = project.edition("vienne/2023")
    manifest = yaml.safe_load(paths.manifest.read_text(encoding="utf-8"))
    files = manifest.get("front", []) + manifest["chapters"]
    assert len(files) == 4
    assert "## Les prestations" in (paths.content / files[2]).read_text(encoding="utf-8")
    assert PRESTATIONS["title"] in imported_tables(project, "vienne/2023")


def test_never_overwrites_an_edition(imported, tmp_path):
    project, _, pdf = imported
    chapter = next(project.edition("vienne/2023").content.glob("*.md"))
    before = chapter.read_bytes()
    with pytest.raises(ReportError, match="existe déjà"):
        import_pdf(project, pdf, "vienne/2023")
    assert chapter.read_bytes() == before


@pytest.mark.parametrize("case", ["encrypted", "scanned", "malformed", "not-pdf"])
def test_unreadable_pdfs_get_a_french_message(case, tmp_path):
    pdf = tmp_path / "rapport.pdf"
    if case == "encrypted":
        make_report(pdf, encrypt="secret")
        expected = "mot de passe"
    elif case == "scanned":
        from PIL import Image as PILImage
        from reportlab.pdfgen import canvas

        picture = tmp_path / "scan.png"
        PILImage.new("RGB", (600, 800), (250, 250, 250)).save(picture)
        page = canvas.Canvas(str(pdf), pagesize=A4)
        for _ in range(2):
            page.drawImage(str(picture), 0, 0, width=A4[0], height=A4[1])
            page.showPage()
        page.save()
        expected = "scanné"
    elif case == "malformed":
        good = make_report(tmp_path / "bon.pdf")
        pdf.write_bytes(good.read_bytes()[:1500])
        expected = "abîmé"
    else:
        pdf.write_text("Rapport d'activité", encoding="utf-8")
        expected = "pas un PDF"
    project = new_project(tmp_path / "projet")
    result = CliRunner().invoke(main, ["import", str(pdf), "vienne/2023"], env={"REPORTGEN_ROOT": str(project.root)})
    assert result.exit_code == 1
    assert expected in result.output and "rapport.pdf" in result.output and "Traceback" not in result.output
    assert not (project.root / "content" / "vienne").exists() and not (project.root / "data" / "vienne").exists()


def test_the_command_writes_the_edition_and_says_what_to_do(tmp_path):
    pdf = make_report(tmp_path / "rapport.pdf")
    project = new_project(tmp_path / "projet")
    result = CliRunner().invoke(main, ["import", str(pdf), "vienne/2023"], env={"REPORTGEN_ROOT": str(project.root)})
    assert result.exit_code == 0, result.output
    assert "Tableaux : 3" in result.output and "reportgen status vienne/2023" in result.output
    assert (project.root / "content" / "vienne" / "2023" / "edition.yml").is_file()


# --- a reference edition's own PDF, imported and built again ---------------------------------------
def table_figures(project: Project, edition: str) -> dict[str, list[str]]:
    """Each imported table's printed figures (every non-label cell), in order."""
    out = {}
    for title, (_, rows) in imported_tables(project, edition).items():
        out[title] = [cell for row in rows[1:] for cell in row[2:] if cell and cell != "^^"]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", ["landes/2017", "ardeche/2023"])   # artois, lille-douai: see the import README section
def test_a_reference_edition_imported_then_built_prints_the_same_table_figures(tmp_path, name):
    """A reference edition's final PDF (build/ if up to date, else built in a copy), imported, the
    import built as a draft, and that draft imported again: every table, same figures; and the
    original data's tables are found in the import."""
    from reportgen.builder import build
    from reportgen.datastore import DataStore

    caisse, year = name.split("/")
    repo = Project(REPO)
    original = repo.edition(name).pdf
    fresh = [fresh for kind, _, fresh in repo.edition(name).built() if kind == "PDF final"]
    if not (original.is_file() and fresh and fresh[0]):
        copy = new_project(tmp_path / "reference")
        for folder in ("content", "data"):
            shutil.copytree(REPO / folder / caisse, copy.root / folder / caisse)
        (copy.root / "layouts").symlink_to(REPO / "layouts", target_is_directory=True)
        original = build(copy, name).pdf
    pdf = tmp_path / "publie.pdf"
    shutil.copyfile(original, pdf)
    first = new_project(tmp_path / "import")
    import_pdf(first, pdf, name)
    rebuilt = build(first, name, draft=True).pdf
    second = new_project(tmp_path / "reimport")
    import_pdf(second, rebuilt, name)
    before, after = table_figures(first, name), table_figures(second, name)
    assert before and before == after
    # the published tables themselves: each one's figures are among an imported table's
    store = DataStore.load(REPO / "data" / caisse / year)
    imported_figures = [Counter(squash(f) for f in cells) for cells in before.values()]
    for table in store.tables.values():
        printed = Counter(squash(c.text) for r in table.rows for c in r.cells[1:] if c.figure is not None)
        best = max(sum((printed & cells).values()) for cells in imported_figures)
        assert best >= 0.95 * sum(printed.values()), table.id


def squash(text: str) -> str:
    """« - 2,08 % » and « -2,08 % », « 77% » and « 77 % »: the same printed figure."""
    return re.sub(r"[\s\u00a0\u202f]", "", text).replace("−", "-")
