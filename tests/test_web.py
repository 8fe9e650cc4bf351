"""The web edition (``build/<edition>/html/``): the report's content, accessible, publishable as is.

These tests read the page's HTML; the browser tests (phone and desktop widths, axe-core)
run on the reference editions in test_reference_editions.py and on the demo here.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest

from reportgen import charts as charts_mod, web
from reportgen.builder import build
from reportgen.colours import contrast, readable
from reportgen.datastore import DataStore
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
        assert _text(title) == "Notes" and title.xpath("ancestor::section[1]")[0] is notes
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
