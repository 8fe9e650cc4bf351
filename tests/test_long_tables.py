"""Tables over several pages, notes, footnotes, phone boxes, numbered chapters (fixture finances/2020).

The fixture's 88-row table, with subtotals at two levels and a total, runs over three pages.
The edition has no parts: its chapters are numbered and open on divider pages.
"""
from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from reportgen.builder import build
from reportgen.errors import ConfigError, ContentError, DataError
from reportgen.pdf.longtables import pieces, place_breaks
from reportgen.edition.tables import Cell, Row, Table

EDITION = "finances/2020"


@pytest.fixture(scope="module")
def built(demo_build):
    project, _ = demo_build
    result = build(project, EDITION)
    pages = [p.extract_text().replace("’", "'") for p in PdfReader(str(result.pdf)).pages]
    return result, pages, result.html.read_text(encoding="utf-8")


def table_pages(pages):
    return [i for i, text in enumerate(pages) if re.search(r"Poste \d+", text)]


def test_the_table_runs_over_three_pages_with_title_and_header_on_each(built):
    _, pages, _ = built
    spanned = table_pages(pages)
    assert len(spanned) >= 3 and spanned == list(range(spanned[0], spanned[-1] + 1))
    for n, i in enumerate(spanned):
        assert "Charges 2019" in pages[i] and "Dépenses par poste (en €)" in pages[i]
        assert ("(suite)" in pages[i]) == (n > 0)


def test_no_row_is_split_or_printed_twice_and_no_page_holds_a_lone_row(built):
    _, pages, _ = built
    for number in range(1, 73):
        assert sum(len(re.findall(rf"Poste {number}(?!\d)", text)) for text in pages) == 1, number
    for i in table_pages(pages):
        assert len(re.findall(r"Poste \d+|Groupe \d|Total du bloc|Total général", pages[i])) >= 2


def test_pieces_never_open_on_a_subtotal_nor_end_on_a_section(built):
    _, _, html = built
    starts = re.findall(r'<div class="table-piece">.*?<tr class="(row-[\w-]+)"[^>]*data-row="(\d+)"', html, re.S)
    assert len(starts) >= 2
    for kind, _ in starts:
        assert kind not in ("row-subtotal", "row-subtotal2", "row-total")
    body = html[html.index('data-table="depenses:1"'):]
    for piece in body.split('<div class="table-piece">')[:-1]:
        last = re.findall(r'<tr class="(row-[\w-]+)"', piece)[-1]
        assert last != "row-section"


def test_subtotal_levels_and_numbered_notes(built):
    _, pages, html = built
    assert html.count('class="row-subtotal"') == 9 and html.count('class="row-subtotal2"') == 3
    assert html.count('class="row-total"') == 1
    assert 'Poste 5<sup class="note-ref">(1)</sup>' in html
    assert '<span class="note-number">(2)</span> Dont rattrapages' in html
    assert "(1) Poste suivi à part depuis 2019." in " ".join(pages)


def test_page_footnotes_print_on_the_page_of_their_call(built):
    _, pages, html = built
    assert html.count('<span class="footnote">') == 2 and "[^" not in html
    preface = next(i for i, t in enumerate(pages) if "Cette édition d'essai" in t)
    assert "Exercice comptable 2020" in pages[preface]
    call = next(i for i, t in enumerate(pages) if "Les dépenses de soins de ville" in t)
    assert "Honoraires, prescriptions et transports" in pages[call]


def test_phone_box_is_a_real_link(built):
    _, _, html = built
    assert '<a class="phone-number" href="tel:0811910009">0 811 91 00 09</a>' in html
    assert "du lundi au jeudi de 8\u00a0h\u00a030 à 17\u00a0h\u00a030" in html


def test_numbered_chapters_open_on_dividers_with_running_headers(built):
    result, pages, html = built
    reader = PdfReader(str(result.pdf))
    tops = [item.title for item in reader.outline if not isinstance(item, list)]
    assert tops == ["Sommaire", "Préface", "Chapitre 1 Les dépenses", "Chapitre 2 Nous joindre"]
    sommaire = html[html.index('<nav class="sommaire"'):html.index("</nav>")]
    assert '<span class="toc-chapter-number">Chapitre 1 – </span>Les dépenses' in sommaire
    assert "toc-part-title" not in sommaire             # no part, no part heading
    divider = next(i for i, t in enumerate(pages) if t.strip().startswith("CHAPITRE 1"))
    assert "LES DÉPENSES" in pages[divider] and "Les dépenses par poste" in pages[divider + 1]
    for i in table_pages(pages):                        # the chapter's name heads its pages
        assert "LES DÉPENSES CPAM Finances · Rapport d'activité 2020" in pages[i]


def test_credits_on_the_inside_cover(built):
    _, pages, _ = built
    assert "Conception et impression : CPAM Finances" in pages[1]
    assert "Sommaire" not in pages[1]


def _table(kinds):
    rows = [Row(kind, f"r{i}", [Cell(f"ligne {i}"), Cell("^^" if kind == "merged" else "1")], i)
            for i, kind in enumerate(kinds)]
    return Table("t", "", [], [], rows, None, None)


@pytest.mark.parametrize("kinds, starts, expected", [
    (["", "", "", "subtotal", "", ""], [3], [2]),                 # a subtotal keeps a component
    (["", "", "", "subtotal", "subtotal2", "", ""], [4], [2]),    # …even under a second level
    (["", "", "section", "", "", ""], [3], [2]),                  # a section heading goes along
    (["", "", "", "", "", ""], [5], [4]),                         # no lone last row
    (["", "", "", "merged", "merged", "", ""], [4], [2]),         # not inside merged cells
    (["", "", "", "", "", "", "", ""], [3, 4], [3]),              # a one-row piece is not cut
])
def test_cuts_move_to_a_better_row(kinds, starts, expected):
    assert place_breaks(_table(kinds), starts) == expected


def test_pieces_cover_every_row_once():
    assert pieces(10, [4, 7]) == [(0, 4), (4, 7), (7, 10)]
    assert pieces(3, []) == [(0, 3)]


def edit(project, path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_call_without_its_note_names_the_line(project):
    edit(project, project.content / "finances" / "2020" / "01-depenses.md",
         "[^ville]: Honoraires", "[^villes]: Honoraires")
    with pytest.raises(ContentError) as err:
        build(project, EDITION)
    assert str(err.value).startswith("content/finances/2020/01-depenses.md:6:")
    assert "renvoi [^ville] sans note" in str(err.value)


def test_a_table_mark_without_its_note_names_the_cell(project):
    edit(project, project.data / "finances" / "2020" / "tables" / "depenses.csv", "Poste 40[^2]", "Poste 40[^3]")
    with pytest.raises(DataError) as err:
        build(project, EDITION)
    assert str(err.value).startswith("data/finances/2020/tables/depenses.csv:")
    assert "renvoi [^3] sans note correspondante" in str(err.value) and "Poste" in str(err.value)


@pytest.mark.parametrize("old, new, message", [
    ("chapters: [01-depenses.md, 02-contacts.md]", "chapters: []", "« parts » ou « chapters » manquant"),
    ("chapters: [01-depenses.md, 02-contacts.md]",
     "chapters: [01-depenses.md]\nparts: [{title: A, chapters: [02-contacts.md]}]", "pas les deux"),
])
def test_a_report_has_parts_or_chapters(project, old, new, message):
    edit(project, project.content / "finances" / "2020" / "edition.yml", old, new)
    with pytest.raises(ConfigError) as err:
        build(project, EDITION)
    assert message in str(err.value) and "edition.yml" in str(err.value)


@pytest.mark.slow
def test_a_final_build_after_an_edit_lays_out_only_the_edited_piece_and_prints_the_same(project, tmp_path):
    """The final PDF is laid out in pieces like the draft: after an edit, the long table's chapter,
    uncut then cut, comes from the piece cache, and only the edited chapter is laid out again;
    the PDF is byte for byte the one a cold build of the same inputs makes."""
    import shutil

    from reportgen.builder import Builder

    cold = Builder(project, EDITION)
    cold.run()
    laid_out, pieces = cold.laid_out
    assert cold.cut_tables and laid_out > pieces      # the table's chapter laid out uncut, then cut
    preface = project.root / "content" / "finances" / "2020" / "00-preface.md"
    preface.write_text(preface.read_text(encoding="utf-8").replace("présente les dépenses",
                                                                   "montre les dépenses"), encoding="utf-8")
    warm = Builder(project, EDITION)
    warm.run()
    assert warm.laid_out == (1, pieces) and warm.cut_tables == cold.cut_tables
    again = Builder(project, EDITION)        # a second edit: the same
    preface.write_text(preface.read_text(encoding="utf-8").replace("montre les dépenses",
                                                                   "détaille les dépenses"), encoding="utf-8")
    again.run()
    assert again.laid_out == (1, pieces)
    # the same inputs built cold, elsewhere: byte for byte the same PDF
    other = tmp_path / "froid"
    shutil.copytree(project.root, other, symlinks=True, ignore=shutil.ignore_patterns("build"))
    from reportgen.project import Project

    fresh = Builder(Project(other), EDITION)
    fresh.run()
    assert fresh.laid_out[0] > pieces
    assert fresh.paths.pdf.read_bytes() == again.paths.pdf.read_bytes()


@pytest.mark.slow
def test_the_last_cuts_are_tried_first_and_kept_only_where_they_still_hold(project, tmp_path):
    """An edit after a long table, in its own piece: that piece is laid out once, with the last
    build's cuts, instead of uncut then cut. An edit above the table moves it: its cuts are found
    again from that layout. Either way the PDF is byte for byte the cold build's of the same inputs."""
    import shutil

    from reportgen.builder import Builder
    from reportgen.project import Project

    def cold_bytes(name):
        other = tmp_path / name
        shutil.copytree(project.root, other, symlinks=True, ignore=shutil.ignore_patterns("build"))
        fresh = Builder(Project(other), EDITION)
        fresh.run()
        return fresh, fresh.paths.pdf.read_bytes()

    first = Builder(project, EDITION)
    first.run()
    # laid out uncut, the table's piece was measured and not written: it was laid out again cut
    import json

    metas = [json.loads(m.read_text(encoding="utf-8")) for m in first.paths.out.glob("pieces-final/*.json")
             if m.name != "plan.json"]
    measured = [m for m in metas if not m.get("written", True)]
    assert len(measured) == 1 and not (first.paths.out / measured[0]["pdf"]).exists()
    assert measured[0]["cuts"] and all(m["written"] for m in metas if m not in measured)
    chapter = project.root / "content" / "finances" / "2020" / "01-depenses.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + "\nLe tableau se lit poste par poste, de haut en bas.\n", encoding="utf-8")
    after = Builder(project, EDITION)
    after.run()
    rows = {use: cut.rows for use, cut in first.table_cuts.items()}
    assert rows and after.laid_out == (1, first.laid_out[1])
    assert {use: cut.rows for use, cut in after.table_cuts.items()} == rows
    reference, pdf = cold_bytes("froid-apres")
    assert reference.laid_out[0] > 1 and after.paths.pdf.read_bytes() == pdf
    # eight lines above the table push it down the page: its first piece holds fewer rows
    lines = "\n\n".join(f"Une ligne ajoutée au-dessus du tableau, la {n}e." for n in range(2, 10))
    chapter.write_text(text.replace("{{ table(", lines + "\n\n{{ table(", 1), encoding="utf-8")
    above = Builder(project, EDITION)
    above.run()
    moved = {use: cut.rows for use, cut in above.table_cuts.items()}
    assert moved != rows
    assert above.laid_out[0] > 1
    _, pdf = cold_bytes("froid-dessus")
    assert above.paths.pdf.read_bytes() == pdf
