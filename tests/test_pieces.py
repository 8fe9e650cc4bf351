"""The draft laid out in pieces prints what the single-pass build prints, page for page.

Each top-level section is laid out as a document of its own, the page numbers are laid over
the assembled pages, the sommaire prints the pages found: these tests compare the text of
every page, the bookmarks and the sommaire's links with those of the final build.
"""
from __future__ import annotations

import re
import shutil

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from reportgen.builder import Builder, build
from reportgen.segments import folio_css, number_links, piece_css, split

from conftest import REPO


def _norm(text: str) -> str:
    """Page text as read back; one glyph may map to either space, so spaces are made one."""
    text = text.replace("\xa0", " ").replace("\u202f", " ").replace("‐", "-").replace("\ufffe", "")
    return re.sub(r"\s+", " ", text.replace("-\r\n", "").replace("-\n", "")).strip()


def _pages(path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [_norm(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    finally:
        pdf.close()


def _outline(path) -> list[tuple[int, str, int]]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [(b.level, b.get_title(), b.get_dest().get_index()) for b in pdf.get_toc()]
    finally:
        pdf.close()


def _links(path) -> list[tuple[int, int]]:
    """(page of the link, page it leads to) for each internal link."""
    reader = PdfReader(str(path))
    named = {name: reader.get_destination_page_number(dest) for name, dest in reader.named_destinations.items()}
    found = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if "/Dest" in annot and str(annot["/Dest"]) in named:
                found.append((number, named[str(annot["/Dest"])]))
    return sorted(found)


def _both(project, edition: str):
    """(final PDF copy, draft PDF, draft builder) of one edition."""
    final = build(project, edition)
    kept = final.pdf.with_name("final.pdf")
    shutil.copy(final.pdf, kept)
    builder = Builder(project, edition, draft=True, workers=2)
    builder.run()
    return kept, project.edition(edition).draft_pdf, builder


@pytest.mark.parametrize("edition", ["demo/2020", "finances/2020"])
def test_the_draft_prints_the_pages_of_the_final_build(project, edition):
    final, draft, builder = _both(project, edition)
    assert _pages(draft) == _pages(final)          # folios, sommaire numbers, footnote numbers, long tables
    assert _outline(draft) == _outline(final)
    assert _links(final) and _links(draft) == _links(final)
    # cold: every piece laid out, those printing page numbers a second time with the numbers found
    assert builder.laid_out[0] >= builder.laid_out[1] > 3


def test_one_changed_chapter_is_the_only_piece_laid_out_again(project):
    final, draft, _ = _both(project, "demo/2020")
    chapter = project.root / "content" / "demo" / "2020" / "02b-activite-suite.md"
    text = chapter.read_text(encoding="utf-8")
    # a word of the body: the sommaire, which lists the headings, does not change
    chapter.write_text(text.replace("ont été payées", "furent payées"), encoding="utf-8")
    builder = Builder(project, "demo/2020", draft=True, workers=2)
    builder.run()
    laid_out, pieces = builder.laid_out
    assert laid_out == 1 and pieces > 5
    assert any("furent payées" in page for page in _pages(draft))


def test_a_chapter_grown_by_pages_moves_the_folios_and_the_sommaire(project):
    """The sommaire piece is laid out again with the new numbers; the final build agrees."""
    chapter = project.root / "content" / "demo" / "2020" / "01-contexte.md"
    text = chapter.read_text(encoding="utf-8")
    Builder(project, "demo/2020", draft=True).run()
    before = _outline(project.edition("demo/2020").draft_pdf)
    chapter.write_text(text + "\n" + "\n\n".join(["Un long paragraphe ajouté pour faire grandir le chapitre, "
                                                 "qui pousse les suivants d'une page ou plus. " * 12] * 10),
                       encoding="utf-8")
    Builder(project, "demo/2020", draft=True).run()
    draft = project.edition("demo/2020").draft_pdf
    kept = draft.with_name("draft.pdf")
    shutil.copy(draft, kept)
    after = _outline(kept)
    assert [p for *_x, p in after][-1] > [p for *_x, p in before][-1]   # the pages moved
    build(project, "demo/2020")
    final = project.edition("demo/2020").pdf
    assert _pages(kept) == _pages(final)
    assert after == _outline(final)


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
