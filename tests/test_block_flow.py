"""Editorial blocks flow over the pages instead of jumping whole to the next one.

A small edition is built once in a temporary folder; the assertions read the laid-out PDF: where
each line of text is printed (page, column, height), so that a block that jumps a page, a card cut
in two or a hole in a column of cards shows as it would to a reader.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from reportgen.builder import build
from conftest import copy_fixture

EDITION = "flux/2024"
MM = 72 / 25.4                      # PDF points in a millimetre


def paragraph(n: int) -> str:
    return (f"Paragraphe {n} du texte courant, écrit pour remplir la page avant le bloc qui suit et "
            "montrer où ce bloc commence.")


INTRO = "\n\n".join(paragraph(n) for n in range(1, 9))
SENTENCE = ("Cet engagement se décline dans les services, avec des actions suivies chaque année et "
            "présentées au comité de direction comme aux représentants du personnel. ")
CHARTER = "\n".join(f"### Engagement numéro {n}\n{SENTENCE * 3}Repère {n}.\n" for n in range(1, 15))
# long and short cards, one after the other: in a grid of rows, each short card would leave a hole
FEED = "\n".join(f"### mois {n} | Évènement {n}\n{SENTENCE * 6 if n % 2 else 'Une ligne.'} Fin {n}.\n"
                 for n in range(1, 15))
SHORT_FEED = "\n".join(f"### mois {n} | Brève {n}\nUne ou deux lignes de texte.\n" for n in range(1, 5))
LONG_FOCUS = "\n\n".join(f"{SENTENCE * 2}Point {n}." for n in range(1, 8))
SHORT_FOCUS = f"{SENTENCE * 4}Dernier point."        # under 700 characters: a short box
FILLER = "\n\n".join(paragraph(n) for n in range(1, 15))

CHAPTERS = {
    "01-charte.md": ("La charte", f"{INTRO}\n\nFin du premier texte.\n\n"
                     f'{{% call charter("Charte des engagements", signed="Signée par la directrice") %}}\n'
                     f"{CHARTER}{{% endcall %}}\n"),
    "02-fil.md": ("Le fil de l'année", f"{{% call feed() %}}\n{FEED}{{% endcall %}}\n"),
    "03-bref.md": ("En bref", f"Quatre brèves.\n\n{{% call feed() %}}\n{SHORT_FEED}{{% endcall %}}\n"),
    "04-focus.md": ("Un long encadré", f"{INTRO}\n\nFin du préambule.\n\n"
                    f'{{% call focus("Encadré détaillé") %}}\n{LONG_FOCUS}\n{{% endcall %}}\n'),
    "05-bref.md": ("Un court encadré", f"{FILLER}\n\nFin du texte.\n\n"
                   f'{{% call focus("Encadré bref") %}}\n{SHORT_FOCUS}\n{{% endcall %}}\n'),
}


@dataclass
class Line:
    page: int
    x: float       # from the left edge, in mm
    y: float       # from the top edge, in mm
    text: str


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory):
    project = copy_fixture(tmp_path_factory.mktemp("flux"))
    folder = project.root / "content" / "flux" / "2024"
    folder.mkdir(parents=True)
    (project.root / "data" / "flux" / "2024").mkdir(parents=True)
    (folder / "edition.yml").write_text(
        "caisse: flux\nyear: 2024\norganisation: CPAM du Flux\n"
        "signatory: {name: Claire EXEMPLE, role: Directrice}\nstyle: {chapter_break: page}\n"
        f"parts:\n  - title: Les blocs\n    chapters: [{', '.join(CHAPTERS)}]\n", encoding="utf-8")
    for name, (title, body) in CHAPTERS.items():
        (folder / name).write_text(f'---\ntitle: "{title}"\n---\n{body}', encoding="utf-8")
    result = build(project, EDITION)
    lines = []
    for number, page in enumerate(PdfReader(str(result.pdf)).pages, 1):
        def visit(text, cm, tm, _font, _size, number=number):
            if text.strip():
                lines.append(Line(number, (cm[4] + tm[4] * cm[0]) / MM,
                                  (float(page.mediabox.top) - (cm[5] + tm[5] * cm[3])) / MM, text.strip()))
        page.extract_text(visitor_text=visit)
    return lines


def printed(line: Line, words: str) -> bool:
    """``words`` make the line, or end it (« Évènement 1 » is not « Évènement 12 »)."""
    return line.text == words or line.text.endswith(" " + words)


def where(lines: list[Line], words: str) -> Line:
    found = [line for line in lines if printed(line, words)]
    assert found, f"« {words} » n'est pas imprimé"
    return found[0]


def pages_of(lines: list[Line], words: str) -> set[int]:
    return {line.page for line in lines if printed(line, words)}


def test_a_charter_longer_than_a_page_starts_where_the_text_before_it_ends(laid_out):
    intro_end = where(laid_out, "Fin du premier texte.")
    title = where(laid_out, "CHARTE DES ENGAGEMENTS")       # printed in capitals
    assert title.page == intro_end.page and title.y > intro_end.y
    assert where(laid_out, "Engagement numéro 1").page == title.page     # the title with the first items
    last = where(laid_out, "Repère 14.")
    assert last.page > title.page                           # it goes on over the next page
    # each commitment whole on one page, the signature with the last one
    for n in range(1, 15):
        assert where(laid_out, f"Engagement numéro {n}").page == where(laid_out, f"Repère {n}.").page, n
    assert where(laid_out, "Signée par la directrice").page == last.page


def test_feed_cards_pack_in_two_columns_without_holes(laid_out):
    first, last = where(laid_out, "Évènement 1"), where(laid_out, "Fin 14.")
    cards = [line for line in laid_out if (first.page, first.y) <= (line.page, line.y) <= (last.page, last.y)
             and 25 < line.y < 270]                           # running header and folio aside
    middle = 105
    columns = {(line.page, line.x < middle) for line in cards}
    assert len(columns) >= 3, "les cartes n'occupent pas les deux colonnes"
    for page, left in columns:
        ys = sorted(line.y for line in cards if line.page == page and (line.x < middle) == left)
        gaps = [b - a for a, b in zip(ys, ys[1:])]
        side = "gauche" if left else "droite"
        assert max(gaps, default=0) < 15, f"page {page}, colonne {side} : trou de {max(gaps):.0f} mm"
    # no card is cut between two pages (none is taller than a page)
    for n in range(1, 15):
        assert pages_of(laid_out, f"Évènement {n}") == pages_of(laid_out, f"Fin {n}."), n
    # the events read down the first column, then down the second, page after page
    order = [where(laid_out, f"Évènement {n}") for n in range(1, 15)]
    assert order == sorted(order, key=lambda line: (line.page, line.x >= middle, line.y))


def test_a_short_feed_shares_its_cards_between_the_two_columns(laid_out):
    briefs = [where(laid_out, f"Brève {n}") for n in range(1, 5)]
    assert len({line.page for line in briefs}) == 1
    left = [line for line in briefs if line.x < 105]
    right = [line for line in briefs if line.x >= 105]
    assert len(left) == len(right) == 2, [line.x for line in briefs]


def test_a_long_focus_box_splits_rather_than_jump_a_page(laid_out):
    text_end, title = where(laid_out, "Fin du préambule."), where(laid_out, "Encadré détaillé")
    assert title.page == text_end.page and title.y > text_end.y, "l'encadré a sauté à la page suivante"
    assert where(laid_out, "Point 7.").page == title.page + 1


def test_a_short_focus_box_moves_whole(laid_out):
    text_end, title = where(laid_out, "Fin du texte."), where(laid_out, "Encadré bref")
    room = 297 - 20 - text_end.y                      # mm left under the text (A4, 20 mm bottom margin)
    assert 40 < room < 75, f"{room:.0f} mm sous le texte : ajustez FILLER"   # room for a piece, not the box
    assert title.page == text_end.page + 1
    assert where(laid_out, "Dernier point.").page == title.page
