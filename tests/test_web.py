"""The web edition (``build/<edition>/html/``): the report's content, accessible, publishable as is.

These tests read the page's HTML; the browser tests (phone and desktop widths, axe-core)
run on the reference editions in test_reference_editions.py and on the demo here, and the
contrast of every state at 320, 375 and 1280 px in tests/browser/test_web_contrast.py.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest

from reportgen.render import charts as charts_mod, web
from reportgen.builder import build
from reportgen.render.colours import contrast, readable
from reportgen.edition.datastore import DataStore
from reportgen.errors import ReportError

from conftest import copy_fixture


def _page(path: Path):
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def _text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


@pytest.fixture(scope="module")
def finances(tmp_path_factory):
    """The fixture edition with footnotes and a long table: (project, result)."""
    project = copy_fixture(tmp_path_factory.mktemp("finances"))
    return project, build(project, "finances/2020")


def test_the_folder_holds_everything_the_page_uses(demo_build):
    _, result = demo_build
    folder = result.web.parent
    assert result.web == result.pdf.parent / "html" / "index.html"
    doc = _page(result.web)
    refs = [*doc.xpath("//@href"), *doc.xpath("//@src")]
    local = [r for r in refs if not r.startswith(("#", "data:", "http:", "https:", "mailto:"))]
    assert local, "the page links its stylesheets and downloads"
    for ref in local:
        assert not ref.startswith(("/", "..")), ref
        assert (folder / ref).is_file(), f"{ref} missing from the web edition"
    for sheet in folder.rglob("*.css"):      # what the stylesheets load is there too
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", sheet.read_text(encoding="utf-8")):
            if not ref.startswith(("data:", "#")):
                assert (sheet.parent / ref).resolve().is_file(), f"{sheet.name}: {ref}"
    # the PDF offered for download is the one just built, its link says what and how heavy
    pdf_link = doc.xpath("//a[@download][contains(@href, '.pdf')]")[0]
    assert (folder / pdf_link.get("href")).read_bytes() == result.pdf.read_bytes()
    assert re.search(r"PDF, \d+(,\d)?\s[km]o", _text(pdf_link))
    assert doc.xpath("//a[@download][contains(@href, '.xlsx')]")


def test_the_page_has_a_language_a_skip_link_landmarks_and_a_true_table_of_contents(demo_build):
    _, result = demo_build
    doc = _page(result.web)
    assert doc.get("lang") == "fr"
    assert doc.xpath("//meta[@name='viewport']")
    skip = doc.xpath("//body//a")[0]
    assert skip.get("href") == "#contenu" and "contenu" in _text(skip).lower()
    assert doc.xpath("//main[@id='contenu']") and doc.xpath("//header") and doc.xpath("//footer")
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids)), "ids are unique in the page, charts included"
    toc = doc.xpath("//nav//a/@href")
    assert len(toc) >= 5
    for href in toc:
        assert href[1:] in ids, f"the sommaire points to {href}, which is not in the page"
    # every chapter of the report is in the sommaire, in the page's order
    chapters = doc.xpath("//main//section[contains(@class, 'chapter')]/@id")
    assert [h[1:] for h in toc if h[1:] in chapters] == chapters
    # headings: one h1 at least, never a skipped level going down
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


def test_the_page_says_what_the_pdf_says_in_the_same_order(demo_build):
    """Every paragraph, list item and table cell of the printed chapters, in order, on the page."""
    _, result = demo_build
    printed = _page(result.html)
    for note in printed.xpath("//span[@class='footnote']"):
        note.drop_tree()
    page = _text(_page(result.web).xpath("//main")[0])
    position = 0
    blocks = printed.xpath("//section[contains(@class, 'chapter')]//div[@class='chapter-body']"
                           "//*[self::p or self::li or self::td or self::th]")
    assert len(blocks) > 50
    for block in blocks:
        text = _text(block)
        if not text or block.xpath("ancestor::figure[contains(@class, 'chart')]"):
            continue
        found = page.find(text, position)
        assert found >= 0, f"not on the page, or out of order: {text!r}"
        position = found


def test_each_chart_is_inline_svg_named_described_with_its_data_behind_a_toggle(demo_build):
    project, result = demo_build
    doc = _page(result.web)
    store = DataStore.load(project.edition("demo/2020").data)
    figures = doc.xpath("//figure[contains(@class, 'chart')]")
    drawn = [p.name for p in result.pdf.parent.joinpath("charts").glob("*.svg")]
    assert len(figures) == len([n for n in drawn if ".ecran-" not in n]) == len([n for n in drawn if ".ecran-" in n])
    assert not doc.xpath("//img[contains(@src, 'charts/')]")
    for figure in figures:
        # drawn twice, as printed and for a phone's width; the stylesheet shows one
        svgs = figure.xpath(".//svg")
        assert [s.get("class") for s in svgs] == ["chart-svg chart-svg--wide", "chart-svg chart-svg--narrow"]
        for svg in svgs:
            assert svg.get("role") == "img"
            title = doc.get_element_by_id(svg.get("aria-labelledby"))
            desc = doc.get_element_by_id(svg.get("aria-describedby"))
            caption = _text(figure.xpath("figcaption")[0])
            assert _text(title) == caption
            assert _text(desc).startswith("Graphique") and caption in _text(desc)
            assert "width" not in svg.attrib            # the chart follows the page's width
        wide, narrow = (re.search(r'viewBox="0 0 ([\d.]+)', lxml.html.tostring(s, encoding="unicode"), re.I)
                        for s in svgs)
        assert float(narrow[1]) == charts_mod.SCREEN_WIDTH * 72     # points: a phone's width
        grid = charts_mod.grid_of(charts_mod.layout_settings([Path(__file__).resolve().parent.parent / "layouts"
                                                              / "assurance-maladie"]))
        assert any(abs(float(wide[1]) - charts_mod.column_width(grid, n) * 72) < 0.01 for n in (1, 2, 3))   # as printed
        data = figure.xpath(".//details//table")[0]
        assert figure.xpath(".//details/summary")
        rows = data.xpath("tbody/tr")
        assert rows and all(r.xpath("th[@scope='row']") for r in rows)
        for row in rows:   # the table says what the description says
            assert _text(row.xpath("th")[0]) in _text(desc)
            for cell in row.xpath("td"):
                assert _text(cell) in _text(desc)
    # the figures come from the data: each chart's table holds its values as typeset
    for figure in figures:
        caption = _text(figure.xpath("figcaption")[0])
        spec = next(c for c in store.charts.values() if _text(lxml.html.fromstring(f"<p>{c.raw['title']}</p>")) == caption)
        data = charts_mod.prepare(spec, store)
        cells = [_text(td) for td in figure.xpath(".//details//tbody//td")]
        expected = [p.display for p in data.points] or [d for i in range(len(data.categories))
                                                          for d in (s.displays[i] for s in data.series)]
        assert [re.sub(r"\s", " ", c) for c in cells] == [re.sub(r"\s", " ", e) for e in expected]


def test_tables_have_captions_header_cells_and_a_scroll_box(demo_build):
    _, result = demo_build
    doc = _page(result.web)
    tables = doc.xpath("//main//table")
    assert len(tables) > 5
    for table in tables:
        assert "table-scroll" in table.getparent().get("class", "")
        assert table.xpath(".//th"), "a table without header cells"
        for th in table.xpath(".//th"):
            assert _text(th), "a header cell says nothing"
    titled = doc.xpath("//figure[contains(@class, 'table-block')]//table")
    assert titled and all(t.xpath("caption") for t in titled)
    assert not doc.xpath("//tr[@class='table-title-row']")


CHAPTER = "ancestor::section[contains(concat(' ', @class, ' '), ' chapter ')][1]"


def test_footnotes_become_notes_linked_both_ways(finances):
    """Each call links to its note and is named « Note n »; each note links back; the notes of a
    chapter close it, in a section headed « Notes » one level below the chapter's title."""
    _, result = finances
    doc = _page(result.web)
    printed = _page(result.html).xpath("//span[@class='footnote']")
    calls = doc.xpath("//a[@role='doc-noteref']")
    assert len(calls) == len(printed) >= 2
    assert not doc.xpath("//span[@class='footnote']")
    for n, (call, note_text) in enumerate(zip(calls, printed), 1):
        assert call.get("href") == f"#note-{n}" and _text(call) == str(n)
        assert call.get("aria-label") == f"Note {n}"
        note = doc.get_element_by_id(f"note-{n}")
        assert _text(note_text) in _text(note)
        back = note.xpath(".//a[@class='note-back']")[0]
        assert back.get("href") == f"#{call.get('id')}" and back.get("role") == "doc-backlink"
        assert back.get("aria-label") == f"Retour à l’appel de la note {n}"
        # the note closes the chapter of its call, in its « Notes » section
        chapter = call.xpath(CHAPTER)[0]
        assert note.xpath(CHAPTER)[0] is chapter
        notes = note.xpath("ancestor::section[@role='doc-endnotes']")[0]
        title = doc.get_element_by_id(notes.get("aria-labelledby"))
        chapter_title = _text(chapter.xpath(".//*[self::h1 or self::h2 or self::h3]")[0])
        assert title.text == "Notes" and _text(title) == f"Notes – {chapter_title}"   # each its own name
        assert title.xpath("ancestor::section[1]")[0] is notes
        chapter_level = int(chapter.xpath(".//*[self::h1 or self::h2 or self::h3]")[0].tag[1])
        assert title.tag == f"h{chapter_level + 1}"
        assert notes.getparent().get("class") == "chapter-body" and notes.getparent()[-1] is notes


def test_a_long_table_is_one_table_on_the_web(finances):
    _, result = finances
    assert _page(result.html).xpath("//div[@class='table-piece']"), "the print cuts the long table"
    assert "(suite)" not in _text(_page(result.web).xpath("//main")[0])


def test_an_edition_overrides_one_web_template(project):
    override = project.root / "content" / "demo" / "2020" / "layout" / "web" / "pages" / "back-cover.html"
    override.parent.mkdir(parents=True)
    override.write_text('<footer class="web-footer"><p>Pied de page propre à cette édition</p></footer>\n',
                        encoding="utf-8")
    result = build(project, "demo/2020")
    assert "Pied de page propre à cette édition" in result.web.read_text(encoding="utf-8")
    assert "Pied de page propre" not in result.html.read_text(encoding="utf-8")   # the print is as before


def test_a_failed_web_edition_leaves_the_previous_one(project, monkeypatch):
    first = build(project, "demo/2020")
    before = first.web.read_bytes()
    chapter = project.root / "content" / "demo" / "2020" / "01-contexte.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nUn ajout.\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(web, "finish", broken)
    with pytest.raises(ReportError):
        build(project, "demo/2020")
    assert first.web.read_bytes() == before
    leftovers = [p.name for p in first.web.parent.parent.iterdir() if p.name.startswith(".html")]
    assert leftovers == []


def test_a_removed_web_edition_is_written_again(project):
    first = build(project, "demo/2020")
    shutil.rmtree(first.web.parent)
    again = build(project, "demo/2020")
    assert again.web.is_file()


def _motif(doc, css_class: str) -> str:
    """The SVG drawn as the background of the element of class ``css_class``, decoded."""
    style = doc.xpath(f"//*[@class='{css_class}']/@style")[0]
    return unquote(re.search(r"url\('data:image/svg\+xml,([^']*)'\)", style)[1])


COLOPHON = "le texte éditorial a été écrit à nouveau"


def test_the_banner_and_the_footer_carry_the_caisse_s_motif_and_no_colophon_by_default(demo_build):
    _, result = demo_build
    doc = _page(result.web)
    for where, css_class in (("header", "web-cover-art"), ("footer", "web-footer-art")):
        art = doc.xpath(f"//{where}//*[@class='{css_class}']")
        assert len(art) == 1 and not _text(art[0]), css_class          # decorative: a background only
        svg = _motif(doc, css_class)
        assert svg.startswith("<svg") and "<circle" in svg and 'stroke="#00a3e0"' in svg   # arcs, national accent
    assert COLOPHON not in _text(doc.xpath("//footer")[0])              # a real caisse's footer


def test_the_web_edition_takes_the_edition_s_motif_and_its_colophon(project):
    manifest = project.root / "content" / "demo" / "2020" / "edition.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8")
                        + 'theme: {accent: "#12ab34", light: "#fedcba", motif: pills}\ncolophon: reference\n',
                        encoding="utf-8")
    result = build(project, "demo/2020")
    doc = _page(result.web)
    for css_class in ("web-cover-art", "web-footer-art"):
        svg = _motif(doc, css_class)
        assert "<rect" in svg and 'fill="#12ab34"' in svg and "#fedcba" in svg, css_class
        assert "#00a3e0" not in svg                                    # the edition's colours, not the national ones
    # the footer says what the printed credits page says, in the same words
    printed = _page(result.html).xpath("//section[@class='credits']//p[@class='colophon']")
    said = doc.xpath("//footer//p[@class='colophon']")
    assert len(printed) == len(said) == 1
    assert COLOPHON in _text(said[0]) and _text(said[0]) == _text(printed[0])
    assert "reportgen\u00a0:" in said[0].text_content()            # French typography
    assert not doc.xpath("//main//p[@class='colophon']")


def test_accent_text_is_darkened_to_be_read():
    assert contrast("#00a3e0", "#ffffff") < 4.5
    dark = readable("#00a3e0", "#ffffff", "#e6eef8")
    assert contrast(dark, "#ffffff") >= 4.5 and contrast(dark, "#e6eef8") >= 4.5
    assert contrast(readable("#00a3e0", "#e6eef8", ratio=4.4), "#e6eef8") < 4.6   # darkened no more than needed
    assert readable("#0c419a") == "#0c419a"            # already readable: unchanged


def test_an_svg_gets_unique_ids_a_title_and_a_description():
    svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="504pt" height="208pt" viewBox="0 0 504 208">'
           '<metadata>x</metadata><g id="patch_1" clip-path="url(#p1)"/><use href="#patch_1"/></svg>')
    out = web.inline_svg(svg, "g1-c", "Effectifs", "Graphique en barres : Effectifs. 2019 : 806 & plus.")
    assert out.startswith("<svg") and "metadata" not in out and 'width="' not in out
    assert 'id="g1-c-patch_1"' in out and "url(#g1-c-p1)" in out and 'href="#g1-c-patch_1"' in out
    assert '<title id="g1-c-titre">Effectifs</title>' in out and "806 &amp; plus" in out
    assert 'aria-labelledby="g1-c-titre"' in out and 'role="img"' in out


# --- in a real browser ---------------------------------------------------------------------------
@pytest.mark.parametrize("width", [375, 1280])
def test_in_chromium_the_page_fits_the_screen_and_passes_axe(browser, finances, width):
    from conftest import audit_page

    _, result = finances
    found = audit_page(browser, result.web, width)
    assert found["page_width"] <= found["width"] and not found["overflow"], found
    assert found["clipped"] == [], found["clipped"]
    assert found["overflow_x"] == "visible/visible", "the page does not hide what overflows"
    assert found["violations"] == [], found["violations"]
    assert found["focusable_boxes"] == found["scroll_boxes"]


# --- the legal notice and the accessibility statement (RGAA) -------------------------------------
FULL_WEB = """
web:
  published: 2021-06-28
  publisher: Caisse primaire d'assurance maladie de Démonstration
  director: "Jean EXEMPLE, directeur général"
  host: ["Hébergeur Exemple SAS", "2 rue de l'Exemple, 59100 ROUBAIX"]
  contact:
    email: accessibilite@demo.example.fr
    form: https://demo.example.fr/contact
    phone: "03 20 00 00 00"
    address: ["1 place de la Démonstration", "59000 LILLE"]
  accessibility:
    audit:
      rate: "82,5 %"
      date: 2021-05-12
      by: Cabinet Exemple
      average: 91
      environment: ["Firefox 89 et NVDA 2021.1", "Safari et VoiceOver (macOS 11)"]
      tools: [Colour Contrast Analyser, Web Developer]
    compliance: partial
    non_compliant: ["Le graphique « Effectifs » n'a pas de légende textuelle (critère 1.3)."]
    derogations: ["Les archives des rapports avant 2015, en PDF non balisés : leur reprise représente une charge disproportionnée."]
    exempt: ["Les cartes interactives des partenaires."]
    date: 2021-06-01
    multiyear_plan: https://demo.example.fr/schema-accessibilite
    action_plan: https://demo.example.fr/plan-2021
"""
SECTIONS = ["État de conformité", "Résultats des tests", "Contenus non accessibles",
            "Établissement de cette déclaration d’accessibilité", "Retour d’information et contact",
            "Voies de recours"]


def _manifest(project, extra: str = ""):
    from reportgen.edition.config import load_manifest

    path = project.root / "content" / "demo" / "2020" / "edition.yml"
    if extra:
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    manifest, warnings = load_manifest(path)
    assert warnings == []
    return manifest


def _statement(manifest):
    """The statement page rendered by the national layout's web templates, for ``manifest``."""
    from reportgen.render.layout import load_layout

    layout = load_layout(Path(__file__).resolve().parent.parent / "layouts", manifest.layout, medium="web")
    html = web.render_page(layout, web.STATEMENT_PAGE, edition=manifest, theme=manifest.theme,
                           stylesheets=[], downloads=[])
    return html, lxml.html.document_fromstring(html)


def _legal(doc) -> dict[str, str]:
    """The footer's legal notice: term → what it says."""
    notice = doc.xpath("//footer//div[@class='web-legal']")
    assert len(notice) == 1
    return {_text(dt): _text(dt.getnext()) for dt in notice[0].xpath(".//dt")}


def _section(doc, title: str) -> str:
    """The text under a heading of the statement, up to the next heading of its level or above."""
    heading = next(h for h in doc.xpath("//main//h2 | //main//h3") if _text(h) == title)
    text = []
    for sibling in heading.itersiblings():
        if sibling.tag in ("h1", "h2") or (heading.tag == "h3" and sibling.tag == "h3"):
            break
        text.append(_text(sibling))
    return " ".join(text)


def test_by_default_the_statement_says_non_conforme_and_no_audit(demo_build):
    """Without « web: » in the manifest: « non conforme », no audit, nothing claimed, in the RGAA's order."""
    project, result = demo_build
    statement = result.web.parent / web.STATEMENT_PAGE
    doc = _page(statement)
    assert doc.get("lang") == "fr" and doc.xpath("//main[@id='contenu']") and doc.xpath("//a[@href='#contenu']")
    assert _text(doc.xpath("//title")[0]).startswith("Déclaration d’accessibilité – Rapport d’activité 2020")
    assert [_text(h) for h in doc.xpath("//main//h1")] == ["Déclaration d’accessibilité"]
    assert [_text(h) for h in doc.xpath("//main//h2")] == SECTIONS
    text = _text(doc.xpath("//main")[0])
    assert "article 47 de la loi n\u00a0°\u00a02005-102" in text or "article 47 de la loi n° 2005-102" in text
    assert "CPAM de Démonstration" in text
    status = _section(doc, "État de conformité")
    assert "non conforme" in status and "aucun audit de conformité n’a encore été réalisé" in status
    assert "partiellement" not in text and "totalement" not in text and "%" not in text
    assert "Aucun audit" in _section(doc, "Résultats des tests")
    assert "ne sont pas connues" in _section(doc, "Non-conformités")
    assert "n’est pas renseignée" in _section(doc, "Établissement de cette déclaration d’accessibilité")
    # the Défenseur des droits: online form, delegate, phone number, free post
    remedies = doc.xpath("//main//h2[.='Voies de recours']/following-sibling::ul[1]")[0]
    links = {a.get("href") for a in remedies.xpath(".//a")}
    assert {"https://formulaire.defenseurdesdroits.fr/", "https://www.defenseurdesdroits.fr/saisir/delegues",
            "tel:+33969390000"} <= links
    assert "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07" in _text(remedies)
    # every link of the page leads somewhere in the folder or outside by a full address
    for ref in doc.xpath("//@href | //@src"):
        if not ref.startswith(("#", "https:", "mailto:", "tel:", "data:")):
            assert (statement.parent / ref).is_file(), ref
    # the legal notice in the footer of both pages, with the compliance linked to the statement
    for page in (result.web, statement):
        page_doc = _page(page)
        assert _legal(page_doc) == {
            "Éditeur": "CPAM de Démonstration",
            "Directeur de la publication": "Claire EXEMPLE, Directrice",
            "Contact": "aucun moyen de contact n’est renseigné.",
        }
        compliance = page_doc.xpath("//footer//p[@class='web-compliance']/a")
        assert len(compliance) == 1 and compliance[0].get("href") == web.STATEMENT_PAGE
        assert _text(compliance[0]) == "Accessibilité : non conforme"
    assert doc.xpath("//header//a[@href='index.html']"), "the statement leads back to the report"


def test_a_manifest_that_says_everything_gets_it_said(project):
    """Every setting of « web: », in the statement and in the footer; the page is also a golden file."""
    manifest = _manifest(project, FULL_WEB)
    html, doc = _statement(manifest)
    golden = Path(__file__).parent / "golden" / "demo-2020-accessibilite.html"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8"), "the statement differs from its golden file (UPDATE_GOLDEN=1)"
    assert re.search("82,5[\u00a0\u202f]% des critères", html) and "1<sup>er</sup>\u00a0juin 2021" in html   # typography
    status = _section(doc, "État de conformité")
    assert "est partiellement conforme avec le référentiel général" in status and "version 4.1.2" in status
    results = _section(doc, "Résultats des tests")
    assert "réalisé le 12 mai 2021 par Cabinet Exemple" in results
    assert "82,5 % des critères du RGAA version 4.1.2 sont respectés" in results
    assert "taux moyen de conformité de l’édition web s’élève à 91 %" in results
    assert "« Effectifs »" in _section(doc, "Non-conformités")
    assert "charge disproportionnée" in _section(doc, "Dérogations pour charge disproportionnée")
    assert "cartes interactives" in _section(doc, "Contenus non soumis à l’obligation d’accessibilité")
    assert "établie le 1er juin 2021" in _section(doc, "Établissement de cette déclaration d’accessibilité")
    assert "Firefox 89 et NVDA 2021.1" in _section(doc, "Environnement de test")
    assert "Colour Contrast Analyser" in _section(doc, "Outils pour évaluer l’accessibilité")
    assert "accessibilite.html" in _section(doc, "Pages ayant fait l’objet de la vérification de conformité")
    hrefs = doc.xpath("//main//a/@href")
    for href in ("https://demo.example.fr/schema-accessibilite", "https://demo.example.fr/plan-2021",
                 "mailto:accessibilite@demo.example.fr", "https://demo.example.fr/contact", "tel:0320000000"):
        assert href in hrefs, href
    legal = _legal(doc)
    assert legal["Éditeur"] == "Caisse primaire d’assurance maladie de Démonstration"
    assert legal["Directeur de la publication"] == "Jean EXEMPLE, directeur général"
    assert legal["Hébergement"].startswith("Hébergeur Exemple SAS") and legal["Hébergement"].endswith("59100 ROUBAIX")
    assert legal["Date de publication"] == "28 juin 2021"
    assert "accessibilite@demo.example.fr" in legal["Contact"] and "59000 LILLE" in legal["Contact"]
    assert _text(doc.xpath("//footer//p[@class='web-compliance']/a")[0]) == "Accessibilité : partiellement conforme"


@pytest.mark.parametrize("rate, level, label", [
    ("100", "full", "totalement conforme"), ("50", "partial", "partiellement conforme"),
    ("49,9", "none", "non conforme")])
def test_the_audit_s_rate_gives_the_level_the_rgaa_defines(project, rate, level, label):
    manifest = _manifest(project, f"web: {{accessibility: {{audit: {{rate: '{rate}', date: 2021-05-12, by: X}}}}}}\n")
    assert manifest.web.accessibility.level == level
    _, doc = _statement(manifest)
    assert f"est {label} avec" in _section(doc, "État de conformité")
    assert _text(doc.xpath("//footer//p[@class='web-compliance']/a")[0]) == f"Accessibilité : {label}"


@pytest.mark.parametrize("setting, line, said", [
    ("web:\n  accessibility:\n    compliance: full\n", 3,
     "« full » (totalement conforme) demande le résultat d'un audit"),
    ("web:\n  accessibility:\n    audit: {rate: 80, date: 2021-05-12, by: X}\n    compliance: full\n", 4,
     "ne s'accorde pas avec l'audit, 80 % des critères respectés : écrivez compliance: partial"),
    ("web:\n  accessibility:\n    compliance: totale\n", 3,
     "« totale » n'est pas une valeur possible : écrivez « none » ou « partial » ou « full »"),
    ("web:\n  published: 28/06/2021\n", 2, "« 28/06/2021 » n'est pas une date : écrivez-la AAAA-MM-JJ"),
    ("web:\n  contact: {email: accessibilite.demo.fr}\n", 2, "« accessibilite.demo.fr » n'est pas une adresse e-mail"),
    ("web:\n  accessibility:\n    audit: {rate: 120, date: 2021-05-12, by: X}\n", 3,
     "« 120 » n'est pas un pourcentage : un nombre de 0 à 100 est attendu"),
])
def test_a_bad_web_setting_is_refused_in_french_with_its_file_and_line(project, setting, line, said):
    from reportgen.edition.config import load_manifest
    from reportgen.errors import ConfigError

    path = project.root / "content" / "demo" / "2020" / "edition.yml"
    before = len(path.read_text(encoding="utf-8").splitlines())
    path.write_text(path.read_text(encoding="utf-8") + setting, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_manifest(path)
    assert err.value.path == path and err.value.line == before + line, str(err.value)
    assert said in str(err.value)
