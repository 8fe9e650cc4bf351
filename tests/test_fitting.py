"""Hand fitting of a part's last pages: the preflight proposes a page break, ``{{ new_page() }}`` makes it.

A part whose text ends a few lines into a page leaves that page half empty before the next
divider. Moving a block from the page above balances the two; the preflight finds the block,
names the Markdown line that writes it, and the edition writes the break there.
"""
from __future__ import annotations


from pathlib import Path

from pypdf import PdfReader
from weasyprint import HTML

from reportgen.workflows import yearly
from reportgen.builder import build
from reportgen.edition.content import Chapter, locator
from reportgen.pdf.preflight import check_pages, findings

DIVIDER = '<div style="break-before: page; height: 270mm; background: #0c419a"></div>'


def _report(blocks: str) -> str:
    """Cover, one chapter of 40 mm blocks, a divider, a back cover; A4 with 20 mm margins."""
    return ("<html><head><style>@page { size: A4; margin: 20mm } body { margin: 0 }"
            " .new-page { break-before: page }</style></head><body><p>Couverture</p>"
            f'<section class="chapter" id="activite" style="break-before: page"><div class="chapter-body">'
            f"{blocks}</div></section>{DIVIDER}<p style='break-before: page'>Dos</p></body></html>")


def _blocks(count: int, break_before: int | None = None) -> str:
    return "".join(('<div class="new-page"></div>' if n == break_before else "")
                   + f'<p style="height: 40mm; margin: 0; border-bottom: 1px solid #999">Bloc numéro {n} du chapitre</p>'
                   for n in range(1, count + 1))


def test_the_preflight_names_the_block_that_balances_the_last_page_of_a_part():
    # 257 mm of page: six blocks fill page 2, two more end page 3 at a third of its height
    found = [f for f in findings(HTML(string=_report(_blocks(8))).render()) if "finit à" in f[1]]
    assert [f[0] for f in found] == [2], found
    page, message, share, cuts = found[0]
    # only block 5 leaves both pages over 55 %: block 4 would empty page 2, block 6 page 3
    assert cuts[0] == ["activite", "Bloc numéro 5 du chapitre", ""], cuts
    assert all(words != "Bloc numéro 4 du chapitre" for _, words, _ in cuts)


def test_the_warning_names_the_markdown_line_and_the_break_balances_the_pages(tmp_path):
    chapter_md = tmp_path / "02-activite.md"
    lines = [f"Bloc numéro {n} du chapitre" for n in range(1, 9)]
    chapter_md.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    chapter = Chapter("activite", [chapter_md], {}, [(chapter_md, chapter_md.read_text(encoding="utf-8"), 3)])
    document = HTML(string=_report(_blocks(8))).render()
    warned = [str(w) for w in check_pages(document, tmp_path / "x.html", locator([chapter]))]
    half = [w for w in warned if "finit à" in w]
    assert len(half) == 1, warned
    # block 5 is on the 9th line of the body, which starts 3 lines into the file
    assert half[0].startswith(f"{chapter_md}:12: page 3 : la page finit à "), half[0]
    assert "nouvelle page avant « Bloc numéro 5 du chapitre »" in half[0]
    assert "{{ new_page() }}" in half[0]
    # written there, the break leaves no half-empty page
    fitted = HTML(string=_report(_blocks(8, break_before=5))).render()
    assert len(fitted.pages) == len(document.pages)
    assert not [f for f in findings(fitted) if "finit à" in f[1]]


def test_a_page_that_no_single_break_can_balance_gets_the_plain_warning(tmp_path):
    # one huge block above: a break before it would leave the page above empty
    blocks = '<p style="height: 240mm; margin: 0; border-bottom: 1px solid #999">Un très long bloc</p>' + _blocks(2)
    found = [f for f in findings(HTML(string=_report(blocks)).render()) if "finit à" in f[1]]
    assert [f[0] for f in found] == [2] and len(found[0]) == 2, found
    assert "un bloc a sauté à la page suivante" in found[0][1]


def _chapter(chapter_id: str, name: str, text: str, offset: int = 0) -> tuple[Chapter, Path]:
    """A chapter read from one Markdown file whose body starts ``offset`` lines into it."""
    md = Path(name)
    return Chapter(chapter_id, [md], {}, [(md, text, offset)]), md


def test_the_locator_finds_headings_directive_titles_and_nothing_else():
    chapter, md = _chapter("pro", "05-professionnels.md",
                           "Intro.\n\n## Mise en place du guichet unique\n\nTexte.\n\n"
                           '{% call focus("Des contrats entre la Caisse et l’État") %}\nCorps.\n{% endcall %}\n', 4)
    locate = locator([chapter])
    assert locate("pro", "Mise en place du guichet unique") == (md, 7)
    # the printed label « FOCUS » comes before the title written in the directive
    assert locate("pro", "FOCUS Des contrats entre la Caisse et l'État") == (md, 11)
    assert locate("pro", "Un texte que personne n’a écrit") is None
    assert locate("autre", "Mise en place du guichet unique") is None


def test_the_locator_finds_the_directive_that_prints_a_block():
    chapter, md = _chapter("perf", "04-performante.md",
                           "Texte.\n\n{{ kpis(\"conciliation\") }}\n\n{{ charts('population', 'ages') }}\n\n"
                           "{{ table(\"offre-de-soins\") }}\n")
    locate = locator([chapter])
    # the tiles print figures that the Markdown does not hold: their id names the directive
    assert locate("perf", "108 saisines reçues en 2017", "kpis-conciliation") == (md, 3)
    assert locate("perf", "Répartition par âge", "chart-ages") == (md, 5)
    assert locate("perf", "Offre de soins", "table-offre-de-soins") == (md, 7)
    assert locate("perf", "108 saisines reçues en 2017", "kpis-autre") is None


def test_new_page_opens_a_page_in_the_pdf_and_not_in_the_web_edition(project):
    chapter = project.content / "demo" / "2020" / "01-contexte.md"
    text = chapter.read_text(encoding="utf-8")
    anchor = "## La population"
    assert anchor in text
    before = build(project, "demo/2020")
    chapter.write_text(text.replace(anchor, "{{ new_page() }}\n\n" + anchor), encoding="utf-8")
    after = build(project, "demo/2020")
    pages = [p.extract_text() for p in PdfReader(str(after.pdf)).pages]
    opening = [n for n, page in enumerate(pages) if "La population" in page and "La caisse protège" in page]
    assert opening, "the section is printed"
    top = pages[opening[0]].split("La population")[0]
    assert "La circonscription" not in top and "régime général" not in top, top   # nothing of the page before
    assert after.pages >= before.pages
    web = (after.pdf.parent / "html" / "index.html").read_text(encoding="utf-8")
    assert "La population" in web and "new-page" not in web     # a screen has no pages


def test_next_year_drops_the_breaks_fitted_to_last_year(project):
    chapter = project.content / "demo" / "2020" / "01-contexte.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("## La population", "{{ new_page() }}\n## La population"), encoding="utf-8")
    done = yearly.new_edition(project, "demo/2021")
    moved = (project.content / "demo" / "2021" / "01-contexte.md").read_text(encoding="utf-8")
    assert "new_page" not in moved and "## La population" in moved
    assert any("01-contexte.md : 1 saut(s) de page" in line for line in done), done

