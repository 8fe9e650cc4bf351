"""The draft and the final PDF, laid out in pieces, print what the single-pass build prints, page for page.

Each top-level section that starts a page is laid out as a document of its own, the page numbers
are laid over the assembled pages, the sommaire prints the pages found: these tests compare the
text of every page, the bookmarks and the sommaire's links with those of one WeasyPrint document
(the build without cache, ``REPORTGEN_NO_CACHE``). The final PDF's pieces are tagged, and their
structure trees merged: the same tags, links and headings as the single pass.
"""
from __future__ import annotations

import re
import shutil

import pytest

from reportgen.builder import Builder, build
from reportgen.pdf.segments import folio_css, number_links, piece_css, split

from conftest import REPO
import pdfcompare as read


def _single_pass(project, edition: str, monkeypatch):
    """The final PDF as one WeasyPrint document lays it out (a copy)."""
    with monkeypatch.context() as env:
        env.setenv("REPORTGEN_NO_CACHE", "1")
        final = build(project, edition)
    kept = final.pdf.with_name("une-passe.pdf")
    shutil.copy(final.pdf, kept)
    return kept


def _both(project, edition: str, monkeypatch):
    """(single-pass PDF copy, draft PDF, draft builder) of one edition."""
    kept = _single_pass(project, edition, monkeypatch)
    builder = Builder(project, edition, draft=True, workers=2)
    builder.run()
    return kept, project.edition(edition).draft_pdf, builder


@pytest.mark.parametrize("edition", ["demo/2020", "finances/2020"])
def test_the_draft_prints_the_pages_of_the_single_pass_build(project, edition, monkeypatch):
    final, draft, builder = _both(project, edition, monkeypatch)
    assert read.pages(draft) == read.pages(final)          # folios, sommaire numbers, footnote numbers, long tables
    assert read.outline(draft) == read.outline(final)
    assert read.links(final) and read.links(draft) == read.links(final)
    # cold: every piece laid out, those printing page numbers a second time with the numbers found
    assert builder.laid_out[0] >= builder.laid_out[1] > 3


@pytest.mark.parametrize("edition", ["demo/2020", "finances/2020"])
def test_the_final_pdf_in_tagged_pieces_is_the_single_pass_one(project, edition, monkeypatch):
    """Pages, bookmarks, links, and the structure tree element for element: headings at their
    level in the whole outline, notes numbered through the report, links described with the
    page they lead to in the whole report."""
    builder = Builder(project, edition)
    builder.run()
    assert builder.laid_out is not None and builder.laid_out[1] > 3     # laid out in pieces
    final = project.edition(edition).pdf.with_name("en-morceaux.pdf")
    shutil.copy(project.edition(edition).pdf, final)
    single = _single_pass(project, edition, monkeypatch)
    assert read.pages(final) == read.pages(single)
    assert read.outline(final) == read.outline(single)
    assert read.links(final) == read.links(single)
    tags, links = read.tags(final)
    assert (tags, links) == read.tags(single)
    assert any(t.startswith("/H2") for t in tags) and any(", page " in d for d in links)
    # each font embedded once, as in the single pass, not once per piece
    assert read.fonts(final) == read.fonts(single) and all(n == 1 for n in read.fonts(final).values())


def test_chapters_that_flow_on_are_laid_out_together(project, monkeypatch):
    """« chapter_break: flow »: a chapter starts below the one before it, so the final PDF lays both
    out as one piece, and prints the pages of the single pass. The draft lays each chapter out
    apart (an edit lays out one chapter again), the second one on a page of its own."""
    folder = project.root / "content" / "demo" / "2020"
    (folder / "01b-suite.md").write_text("---\ntitle: La suite du contexte\nshort: Suite\n---\n"
                                         "## Une section\n\nUn paragraphe qui suit le contexte.\n",
                                         encoding="utf-8")
    manifest = folder / "edition.yml"
    flow_text = manifest.read_text(encoding="utf-8").replace("[01-contexte.md]", "[01-contexte.md, 01b-suite.md]")
    assert "chapter_break" not in flow_text      # « flow » is the default
    manifest.write_text(flow_text, encoding="utf-8")
    final = Builder(project, "demo/2020")
    final.run()
    pieces = project.edition("demo/2020").pdf.with_name("en-morceaux.pdf")
    shutil.copy(project.edition("demo/2020").pdf, pieces)
    single = _single_pass(project, "demo/2020", monkeypatch)
    assert read.pages(pieces) == read.pages(single)
    assert read.tags(pieces) == read.tags(single)
    draft = Builder(project, "demo/2020", draft=True, workers=2)
    draft.run()
    assert final.laid_out[1] == draft.laid_out[1] - 1     # one piece fewer: the two chapters are one
    manifest.write_text(flow_text + "style:\n  chapter_break: page\n", encoding="utf-8")
    paged = Builder(project, "demo/2020")
    paged.run()
    assert paged.laid_out[1] == draft.laid_out[1]          # each chapter opens a page: as many pieces


def test_one_changed_chapter_is_the_only_piece_laid_out_again(project, monkeypatch):
    final, draft, _ = _both(project, "demo/2020", monkeypatch)
    chapter = project.root / "content" / "demo" / "2020" / "02b-activite-suite.md"
    text = chapter.read_text(encoding="utf-8")
    # a word of the body: the sommaire, which lists the headings, does not change
    chapter.write_text(text.replace("ont été payées", "furent payées"), encoding="utf-8")
    builder = Builder(project, "demo/2020", draft=True, workers=2)
    builder.run()
    laid_out, pieces = builder.laid_out
    assert laid_out == 1 and pieces > 5
    assert any("furent payées" in page for page in read.pages(draft))


def test_a_chapter_grown_by_pages_moves_the_folios_and_the_sommaire(project, monkeypatch):
    """The sommaire piece is laid out again with the new numbers; the single pass agrees."""
    chapter = project.root / "content" / "demo" / "2020" / "01-contexte.md"
    text = chapter.read_text(encoding="utf-8")
    Builder(project, "demo/2020", draft=True).run()
    before = read.outline(project.edition("demo/2020").draft_pdf)
    chapter.write_text(text + "\n" + "\n\n".join(["Un long paragraphe ajouté pour faire grandir le chapitre, "
                                                 "qui pousse les suivants d'une page ou plus. " * 12] * 10),
                       encoding="utf-8")
    Builder(project, "demo/2020", draft=True).run()
    draft = project.edition("demo/2020").draft_pdf
    kept = draft.with_name("draft.pdf")
    shutil.copy(draft, kept)
    after = read.outline(kept)
    assert [p for *_x, p in after][-1] > [p for *_x, p in before][-1]   # the pages moved
    final = _single_pass(project, "demo/2020", monkeypatch)
    assert read.pages(kept) == read.pages(final)
    assert after == read.outline(final)


def test_a_piece_cache_survives_only_what_did_not_change(project):
    Builder(project, "demo/2020", draft=True).run()
    again = Builder(project, "demo/2020", draft=True)
    (project.root / "layouts").unlink()     # a changed layout: every piece is laid out again
    shutil.copytree(REPO / "layouts", project.root / "layouts")
    css = project.root / "layouts" / "assurance-maladie" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\np { letter-spacing: 0.01em; }\n", encoding="utf-8")
    again.run()
    assert again.laid_out[0] == again.laid_out[1]


# --- the parts of the assembly ---------------------------------------------------------------
def test_split_cuts_at_the_top_level_sections(tmp_path):
    (tmp_path / "s.css").write_text("p { color: red }")
    html = ('<html><head><title>T</title><link rel="stylesheet" href="s.css"><style>h1{}</style></head>'
            '<body class="x"><section id="a"><p>un<br>deux</p></section>\n<img src="i.svg">'
            '<nav id="b"><a href="#a">A</a></nav></body></html>')
    doc = split(html, tmp_path)
    assert [u.split(">")[0] for u in doc.units] == ['<section id="a"', '<img src="i.svg"', '<nav id="b"']
    assert doc.body_open == '<body class="x">'
    assert [t for t, _ in doc.sheets] == ["p { color: red }", "h1{}"]
    assert "<link" not in doc.head and "<style>" not in doc.head


def test_stylesheets_for_the_pieces_and_for_the_folios():
    css = ('@page main { @top-left { content: string(chapter); } @bottom-right { content: counter(page); '
           'background: blue; } }\n:root { --primary: #123; color: red }\n'
           'a::after { content: leader(".") target-counter(attr(href), page, decimal-leading-zero); }')
    pieces = piece_css(css)
    assert "@bottom-right { content: none; }" in pieces and "string(chapter)" in pieces
    assert "attr(data-rg-page-decimal-leading-zero)" in pieces and "target-counter" not in pieces
    folios = folio_css(css)
    assert "counter(page)" in folios and "string(chapter)" not in folios
    assert "--primary" in folios and "color: red" not in folios and "leader" not in folios


def test_links_carry_the_page_of_their_target():
    html, used = number_links('<li><a class="t" href="#ch-2">Deux</a></li>', {"ch-2": 7},
                              {"decimal", "decimal-leading-zero"})
    assert 'data-rg-page-decimal="7"' in html and 'data-rg-page-decimal-leading-zero="07"' in html
    assert used == {"ch-2": 7}


def test_a_warm_draft_keeps_the_pieces_of_every_pass(project):
    """A long table is laid out uncut, then cut: the next draft finds both passes in the cache.

    A chapter without tables changed by one word is the only piece laid out again, although the
    chapter holding the long table went through two passes in the build before.
    """
    Builder(project, "finances/2020", draft=True, workers=2).run()
    preface = project.root / "content" / "finances" / "2020" / "00-preface.md"
    text = preface.read_text(encoding="utf-8")
    assert "présente les dépenses" in text
    preface.write_text(text.replace("présente les dépenses", "montre les dépenses"), encoding="utf-8")
    builder = Builder(project, "finances/2020", draft=True, workers=2)
    builder.run()
    laid_out, pieces = builder.laid_out
    assert laid_out == 1 and pieces > 3


def test_sections_are_grouped_where_no_page_starts(tmp_path):
    """A forced break before or after, or two different named pages, start a page; a break to a
    left or right page (which may add a blank one) and a section that simply follows do not."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from reportgen.pdf import segments
    from reportgen.pdf.writing import make_fetcher

    css = (".opens { break-before: page } .closes { break-after: page } .cover { page: cover }"
           ".main { page: main } .right { break-before: right } .none { display: none }")
    html = ("<html><head><title>T</title></head><body>"
            '<section class="cover">a</section><section class="main">b</section>'   # cover → main: new page
            '<section class="main">c</section>'                                     # flows on
            '<section class="opens">d</section><section class="closes">e</section>'
            '<section>f</section>'                                                  # after a break-after
            '<section class="right">g</section>'                                    # left/right: kept together
            '<section class="none">h</section></body></html>')                      # no box: with the one before
    doc = split(html, tmp_path)
    fonts = FontConfiguration()
    fetcher = make_fetcher([tmp_path])
    segments._SHARED.update(base=tmp_path.as_uri() + "/", fetcher=fetcher)
    units = segments.group_by_page(doc, [CSS(string=css, font_config=fonts)], fonts)
    assert [re.sub(r"<[^>]+>", "", unit) for unit in units] == ["a", "bc", "de", "fgh"]
