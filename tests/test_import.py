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
from reportgen.workflows.importer import import_pdf
from reportgen.project import Project
from reportgen.workflows.yearly import status

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


# --- layouts met in published reports, drawn where each word goes ------------------------------------
PAGE_HEIGHT = A4[1]
FIGURE = "{:,}".format


def _fonts() -> None:
    """Lato, as the reports print it: it has the trend arrows (↑ ↓ ↗ ↘) Helvetica lacks."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = REPO / "layouts" / "assurance-maladie" / "fonts"
    for name in ("Lato-Regular", "Lato-Bold"):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(fonts / f"{name}.ttf")))


class _Page:
    """Words set at a distance from the top of the page, as pdfplumber measures them."""

    def __init__(self, canvas):
        self.canvas = canvas

    def text(self, x: float, top: float, text: str, size: float = 8.5, bold: bool = False,
             right: bool = False, centre: bool = False) -> None:
        self.canvas.setFont("Lato-Bold" if bold else "Lato-Regular", size)
        y = PAGE_HEIGHT - top - 0.8 * size
        draw = self.canvas.drawRightString if right else self.canvas.drawCentredString if centre else \
            self.canvas.drawString
        draw(x, y, text)

    def prose(self, top: float, lines: int) -> None:
        for n in range(lines):
            self.text(48, top + 14 * n, "La caisse a poursuivi en cours d'année les actions engagées avec ses "
                                        "partenaires du territoire, au service des assurés.", size=10)

    def heading(self, top: float, text: str, size: float, bookmark: str, level: int) -> None:
        self.text(48, top, text, size=size, bold=True)
        key = f"h{self.canvas.getPageNumber()}-{top}"
        self.canvas.bookmarkPage(key)
        self.canvas.addOutlineEntry(bookmark, key, level)


def _figure(n: int) -> str:
    return FIGURE(n).replace(",", " ")


RECOVERED = [(f"Acteur n°{k}", _figure(1234 * k)) for k in range(1, 39)]
CONTACTS = [("à l'agence de Lille", "258 069", "242 842", "↓"), ("à l'agence de Douai", "101 523", "97 586", "↓"),
            ("dans les points d'accueil", "2 051", "1 359", "↓"), ("Nombre de comptes ouverts", "33 753", "98 380", "↑")]
SUMS = ["20 591 111 €", "1 133 819,49 €", "0", "1 170 629,75 €"]
DECISIONS = [("TASS", "573", "C. d'appel", "35", "C. Cassation", "9"),
             ("Sect° des Ass. Sociales", "1", "Sect° des Ass. Sociales", "2", "C. d'Etat", "0"),
             ("TCI", "390", "CNITAAT", "48", "C. Cassation", "0")]
BARS = [("Prestations en nature soins de ville", "-9,92", 406), ("Soins en établissements", "6,13", 496),
        ("IJ", "1,58", 478), ("Autres prestations", "1,12", 476), ("Total prestations", "0,92", 475),
        ("Autres charges techniques", "-57,97", 208), ("Charges de gestion courante", "-9,12", 409)]
CARE = [("Centres de soins", "55", "+1,85"), ("Transports sanitaires", "79", "-1,25"), ("Taxis", "129", "+7,5")]
ANNEXES = ["Dépenses et recettes de fonctionnement", "Évolution des charges", "Activités et études"]


def make_layouts(path: Path) -> Path:
    """Six pages of layouts the first importer missed: a table whose first rows have no figure, over
    two pages; a table of one row; trend arrows set apart from their figures; header cells spanning
    columns on one line; a part's contents without leaders; a table under a heading printed in
    capitals; a bar chart printed with its values."""
    from reportlab.pdfgen.canvas import Canvas

    _fonts()
    canvas = Canvas(str(path), pagesize=A4)
    page = _Page(canvas)
    # 1-2: the rows open with « Assurés » (no figure) under the header, and go on over the page
    page.heading(40, "Le contentieux", 16, "Le contentieux", 0)
    page.prose(62, 3)
    page.text(48, 120, "Montants recouvrés par acteur", size=10, bold=True)
    for top in (140,):
        page.text(230, top, "Hors IJ", bold=True)
        page.text(474, top, "Montants", bold=True, right=True)
    page.text(53, 158, "Assurés")
    for k, (label, value) in enumerate(RECOVERED[:34]):
        page.text(53, 176 + 17.4 * k, label)
        page.text(474, 176 + 17.4 * k, value, right=True)
    canvas.showPage()
    page.text(48, 64, "Montants recouvrés par acteur (suite)", size=10, bold=True)
    page.text(230, 85, "Hors IJ", bold=True)
    page.text(474, 85, "Montants", bold=True, right=True)
    page.text(53, 103, "Médecins spécialistes")
    for k, (label, value) in enumerate(RECOVERED[34:]):
        page.text(53, 121 + 17.4 * k, label)
        page.text(474, 121 + 17.4 * k, value, right=True)
    page.text(53, 121 + 17.4 * 4, "TOTAL", bold=True)
    page.text(474, 121 + 17.4 * 4, _figure(sum(1234 * k for k in range(1, 39))), bold=True, right=True)
    page.prose(215, 4)
    # a table of one row under its header
    page.text(48, 290, "Sommes récupérées", size=10, bold=True)
    for x, head in zip((60, 180, 300, 420), ("Recours", "Indus", "Contentieux", "Employeurs")):
        page.text(x, 310, head, bold=True)
    for x, value in zip((55, 170, 320, 410), SUMS):
        page.text(x, 328, value)
    page.prose(365, 2)
    # arrows printed a little apart from the figures they follow
    page.text(48, 410, "Accueil : chiffres clés", size=10, bold=True)
    page.text(420, 430, "2018", bold=True, right=True)
    page.text(500, 430, "2019", bold=True, right=True)
    for k, (label, before, after, arrow) in enumerate(CONTACTS):
        page.text(53, 448 + 17.4 * k, label)
        page.text(420, 448 + 17.4 * k, before, right=True)
        page.text(500, 448 + 17.4 * k, after, right=True)
        page.text(505, 448 + 17.4 * k, arrow)
    page.prose(530, 2)
    # two header cells on one line, each over its columns
    page.text(48, 580, "Nombre de décisions rendues", size=10, bold=True)
    page.text(161, 600, "Juridiction de première instance", bold=True, centre=True)
    page.text(410, 600, "Juridiction d'appel concernée", bold=True, centre=True)
    for k, (court, first, appeal, second, last, third) in enumerate(DECISIONS):
        top = 618 + 17.4 * k
        page.text(53, top, court)
        page.text(270, top, first, right=True)
        page.text(279, top, appeal)
        page.text(447, top, second, right=True)
        page.text(456, top, last)
        page.text(542, top, third, right=True)
    canvas.showPage()
    # 3: a part's own contents, with no leaders
    page.heading(270, "ANNEXES", 28, "Annexes", 0)
    for k, title in enumerate(ANNEXES):
        page.text(51, 407 + 32.6 * k, f"Annexe {k + 1}", size=12)
        page.text(111, 407 + 32.6 * k, title, size=12)
        page.text(496, 407 + 32.6 * k, str(k + 4), size=12)
    page.prose(600, 6)
    canvas.showPage()
    # 4: a table right under a heading printed in capitals
    page.heading(66, ANNEXES[0].upper(), 20, f"Annexe 1 {ANNEXES[0]}", 1)
    page.text(410, 113, "2023", bold=True, right=True)
    page.text(500, 113, "2022", bold=True, right=True)
    for k, (label, a, b) in enumerate([("Charges de personnel", "12 483,44", "12 805,74"),
                                       ("Dotations aux amortissements", "545,23", "433,43"),
                                       ("Autres dépenses", "1 520,72", "1 908,86")]):
        page.text(53, 132 + 17.4 * k, label)
        page.text(410, 132 + 17.4 * k, a, right=True)
        page.text(500, 132 + 17.4 * k, b, right=True)
    page.prose(260, 6)
    canvas.showPage()
    # 5: a bar chart printed with its values, its labels set flush right
    page.heading(60, ANNEXES[1], 14, f"Annexe 2 {ANNEXES[1]}", 1)
    page.prose(90, 3)
    page.text(48, 160, "Évolution des charges (en %)", size=10, bold=True)
    for k, (label, value, x) in enumerate(BARS):
        top = 188 + 20.3 * k
        page.text(180, top, label, right=True)
        negative = value.startswith("-")
        bar_end = x + 30 if negative else x - 4
        canvas.rect(min(300, bar_end), PAGE_HEIGHT - top - 8, abs(bar_end - 300), 8, stroke=0, fill=1)
        page.text(x, top, value)
    page.prose(360, 6)
    canvas.showPage()
    page.heading(60, ANNEXES[2], 14, f"Annexe 3 {ANNEXES[2]}", 1)
    page.prose(90, 6)
    # a header cell reaching well past the figures under it (set flush left)
    page.text(48, 200, "Offre de soins", size=10, bold=True)
    page.text(431, 220, "2017", bold=True, right=True)
    page.text(480, 220, "Évolution depuis 2013 (%)", bold=True)
    for k, (label, count, change) in enumerate(CARE):
        page.text(53, 238 + 17.4 * k, label)
        page.text(431, 238 + 17.4 * k, count, right=True)
        page.text(441, 238 + 17.4 * k, change)
    canvas.showPage()
    canvas.save()
    return path


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("layouts")
    project = new_project(tmp / "projet")
    import_pdf(project, make_layouts(tmp / "rapport.pdf"), "vienne/2023")
    return project, imported_tables(project, "vienne/2023")


def test_rows_without_figures_under_the_header_keep_it_and_the_table_over_two_pages(layouts):
    _, tables = layouts
    spec, rows = tables["Montants recouvrés par acteur"]
    assert rows[0][1:] == ["Hors IJ", "Montants"]
    assert rows[1][2] == "" and rows[1][1] == "Assurés"
    figures = [row[2] for row in rows[1:] if row[2]]
    assert figures[:-1] == [value for _, value in RECOVERED]
    assert rows[-1][:2] == ["total", "TOTAL"]
    assert "Médecins spécialistes" in [row[1] for row in rows]


def test_a_table_of_one_row_under_its_header(layouts):
    _, tables = layouts
    spec, rows = tables["Sommes récupérées"]
    assert rows[0][1:] == ["Recours", "Indus", "Contentieux", "Employeurs"]
    assert [row[1:] for row in rows[1:]] == [SUMS]


def test_trend_arrows_set_apart_go_with_their_figures(layouts):
    _, tables = layouts
    spec, rows = tables["Accueil : chiffres clés"]
    assert rows[0][1:] == ["Libellé", "2018", "2019"]
    assert [row[1:] for row in rows[1:]] == [[label, a, f"{b} {arrow}"] for label, a, b, arrow in CONTACTS]


def test_header_cells_on_one_line_head_separate_columns(layouts):
    _, tables = layouts
    spec, rows = tables["Nombre de décisions rendues"]
    assert len(spec["header"]) == 1, spec["header"]          # no empty row under the spanning cells
    cells = spec["header"][0]
    texts = [c["text"] if isinstance(c, dict) else c for c in cells]
    assert texts[:2] == ["Juridiction de première instance", "Juridiction d'appel concernée"]
    assert sum(c.get("colspan", 1) if isinstance(c, dict) else 1 for c in cells) == len(DECISIONS[0])
    assert [row[1:] for row in rows[1:]] == [list(r) for r in DECISIONS]


def test_a_parts_contents_is_no_table_and_a_heading_titles_the_table_as_bookmarked(layouts):
    project, tables = layouts
    for _, rows in tables.values():
        assert not any("Annexe 1" in cell for row in rows for cell in row)
    spec, rows = tables[ANNEXES[0]]                           # not « DÉPENSES ET RECETTES… »
    assert rows[1][1:] == ["Charges de personnel", "12 483,44", "12 805,74"]


def test_a_bar_chart_printed_with_its_values_is_read_as_a_table(layouts):
    _, tables = layouts
    spec, rows = tables["Évolution des charges (en %)"]
    assert [row[1:] for row in rows[1:]] == [[label, value] for label, value, _ in BARS]
    assert {row[0] for row in rows[1:]} == {""}                 # flush-right labels are not « dont »


def test_a_header_cell_wider_than_its_column_still_heads_it(layouts):
    _, tables = layouts
    spec, rows = tables["Offre de soins"]
    assert rows[0][2:] == ["2017", "Évolution depuis 2013 (%)"]
    assert [row[1:] for row in rows[1:]] == [list(r) for r in CARE]


def _untitled(canvas, tables: list[list[tuple[str, str, str]]]) -> None:
    page = _Page(canvas)
    page.heading(40, "Les chiffres", 16, "Les chiffres", 0)
    top = 70
    for rows in tables:
        page.prose(top, 3)
        top += 60
        page.text(420, top, "2022", bold=True, right=True)
        page.text(500, top, "2023", bold=True, right=True)
        for label, a, b in rows:
            top += 17.4
            page.text(53, top, label)
            page.text(420, top, a, right=True)
            page.text(500, top, b, right=True)
        top += 40
    page.prose(top, 8)
    canvas.showPage()
    canvas.save()


def test_an_untitled_table_is_named_after_its_content_not_its_rank(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    _fonts()
    staff = [("Agents en CDI", "806", "825"), ("Agents en CDD", "45", "52")]
    visits = [("Visites en agence", "12 400", "11 950"), ("Rendez-vous", "3 210", "3 604")]
    ids = []
    for n, content in enumerate(([staff, visits], [visits])):
        pdf = tmp_path / f"rapport-{n}.pdf"
        _untitled(Canvas(str(pdf), pagesize=A4), content)
        project = new_project(tmp_path / f"projet-{n}")
        import_pdf(project, pdf, "vienne/2023")
        ids.append({rows[1][1]: name for name, (_, rows) in imported_tables(project, "vienne/2023").items()})
    assert ids[0]["Visites en agence"] == ids[1]["Visites en agence"] == "tableau-visites-en-agence"
    assert ids[0]["Agents en CDI"] == "tableau-agents-en-cdi"


# --- a reference edition's own PDF, imported and built again ---------------------------------------
def table_figures(project: Project, edition: str) -> dict[str, list[str]]:
    """Each imported table's printed figures (every non-label cell), in order."""
    out = {}
    for title, (_, rows) in imported_tables(project, edition).items():
        out[title] = [cell for row in rows[1:] for cell in row[2:] if cell and cell != "^^"]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", ["landes/2017", "ardeche/2023", "artois/2017", "lille-douai/2019"])
def test_a_reference_edition_imported_then_built_prints_the_same_table_figures(tmp_path, name):
    """A reference edition's final PDF (build/ if up to date, else built in a copy), imported, the
    import built as a draft, and that draft imported again: every table, same figures; and the
    original data's tables are found in the import."""
    from reportgen.builder import build
    from reportgen.edition.datastore import DataStore

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
    """« - 2,08 % » and « -2,08 % », « 77% » and « 77 % », « 88,43 % [↑] » (the data's way of writing
    an arrow) and « 88,43 % ↑ »: the same printed figure."""
    text = re.sub(r"[\s\u00a0\u202f]", "", text).replace("−", "-")
    return re.sub(r"\[([↑↓↗↘→±])\]", r"\1", text)
