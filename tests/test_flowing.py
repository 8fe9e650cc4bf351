"""A long flowing part cut where a page starts anyway (:mod:`reportgen.pdf.flowing`).

Chapters that flow on make one piece of many pages; the final build cuts it where the last build
saw a page start cleanly, checks each cut with a sentinel, and carries the running header into
the piece after a cut. These tests build a chapter of a dozen pages: after an edit near its end,
one short piece is laid out again, and the PDF is the single pass's, page for page, tag for tag.
"""
from __future__ import annotations

import json
import shutil

from reportgen.builder import Builder
from reportgen.pdf import flowing

import pdfcompare as read
from test_pieces import _single_pass

WORDS = ("assurés", "prestations", "caisse", "territoire", "dossiers", "délais", "accueil", "santé",
         "prévention", "médecins", "remboursements", "partenaires", "année", "services", "droits")


def _paragraph(n: int) -> str:
    return f"Paragraphe {n} : " + " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(30 + n % 7 * 9)) + "."


def _long_chapter(project, paragraphs: int = 80):
    folder = project.root / "content" / "demo" / "2020"
    chapter = folder / "01b-long.md"
    chapter.write_text("---\ntitle: Un long chapitre\nshort: Long chapitre\n---\n"
                       + "\n\n".join(_paragraph(n) for n in range(paragraphs)) + "\n", encoding="utf-8")
    manifest = folder / "edition.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("[01-contexte.md]", "[01-contexte.md, 01b-long.md]"),
                        encoding="utf-8")
    return chapter


def _cuts(project) -> list[dict]:
    plan = project.root / "build" / "demo-2020" / "pieces-final" / "plan.json"
    return json.loads(plan.read_text(encoding="utf-8"))["cuts"]


def _same_as_single_pass(project, monkeypatch) -> None:
    pieces = project.edition("demo/2020").pdf.with_name("en-morceaux.pdf")
    shutil.copy(project.edition("demo/2020").pdf, pieces)
    single = _single_pass(project, "demo/2020", monkeypatch)
    assert read.pages(pieces) == read.pages(single)        # the running header too, on every page
    assert read.outline(pieces) == read.outline(single)
    assert read.links(pieces) == read.links(single)
    assert read.tags(pieces) == read.tags(single)


def test_an_edit_at_the_end_of_a_long_flowing_part_lays_out_one_short_piece(project, monkeypatch):
    chapter = _long_chapter(project)
    cold = Builder(project, "demo/2020")
    cold.run()
    cuts = _cuts(project)
    assert cuts and all(c["strings"] == {"chapter": "Long chapitre"} for c in cuts)   # the running header, carried
    text = chapter.read_text(encoding="utf-8")
    first = Builder(project, "demo/2020")   # the chapter's pieces, each with its sentinel: laid out once
    chapter.write_text(text.replace("Paragraphe 79", "Paragraphe 97"), encoding="utf-8")
    first.run()
    assert first.laid_out[0] == len(cuts) + 1
    assert first.laid_out[1] == cold.laid_out[1] + len(cuts)
    then = Builder(project, "demo/2020")
    chapter.write_text(text.replace("Paragraphe 79", "Paragraphe 98"), encoding="utf-8")
    then.run()
    assert then.laid_out[0] == 1                         # the last piece of the chapter, nothing else
    assert any("Paragraphe 98" in page for page in read.pages(project.edition("demo/2020").pdf))
    _same_as_single_pass(project, monkeypatch)


def test_a_cut_moved_by_an_edit_above_it_is_found_wrong_and_dropped(project, monkeypatch):
    chapter = _long_chapter(project)
    Builder(project, "demo/2020").run()
    before = {c["hash"] for c in _cuts(project)}
    text = chapter.read_text(encoding="utf-8")
    # three lines more at the top: every page of the chapter starts three lines later
    chapter.write_text(text.replace(_paragraph(0), _paragraph(0) + "\n\n" + _paragraph(200)), encoding="utf-8")
    warm = Builder(project, "demo/2020")
    warm.run()
    assert {c["hash"] for c in _cuts(project)} != before      # new cuts, found in the new pages
    _same_as_single_pass(project, monkeypatch)


UNIT = ('<section class="chapter" id="c1"><h2 class="chapter-title">Titre</h2>'
        '<div class="chapter-body"><p>un</p><p>deux</p><p id="p3">trois</p><ul><li>quatre</li></ul></div></section>'
        '<section class="chapter" id="c2"><p>cinq</p></section>')


def _record(unit: str, start: str) -> dict:
    node = flowing.tree(unit).by_start[unit.index(start)]
    outer = unit[node.start:node.end]
    return {"prefix": outer[:120], "hash": flowing.signature(outer), "first": True, "strings": {}}


def test_a_unit_cut_inside_its_sections_reopens_them_without_their_ids():
    cuts = flowing.locate(UNIT, [_record(UNIT, '<p id="p3">')])
    assert [c.node.tag for c in cuts] == ["p"]
    first, second = flowing.parts(UNIT, cuts, 0)
    assert first.own + second.own == UNIT                   # nothing printed twice, nothing lost
    # the piece before: its ancestors cut, then the sentinel and the closing tags
    assert first.text.startswith('<section class="chapter" id="c1" data-rg-cut>')
    assert '<div class="chapter-body" data-rg-cut>' in first.text
    assert first.text.endswith('<p id="p3" data-rg-sentinel>trois</p></div></section>') and first.sentinel
    # the piece after: its ancestors reopened, no id twice, the first element's margin as it fell
    assert second.text.startswith('<section class="chapter" data-rg-open><div class="chapter-body" data-rg-open>'
                                  '<p id="p3" data-rg-first>trois</p>')
    assert 'id="c1"' not in second.text and second.record["first"] and not second.sentinel


def test_a_recorded_cut_is_kept_only_where_its_element_is_found_unchanged_inside_sections():
    assert flowing.locate(UNIT.replace("trois", "TROIS"), [_record(UNIT, '<p id="p3">')]) == []   # changed
    twice = UNIT.replace("<p>cinq</p>", '<p id="p3">trois</p>')
    assert flowing.locate(twice, [_record(UNIT, '<p id="p3">')]) == []                          # not unique
    assert flowing.locate(UNIT, [_record(UNIT, "<li>")]) == []                                   # inside a list
    assert [c.node.tag for c in flowing.locate(UNIT, [_record(UNIT, '<section class="chapter" id="c2">')])] \
        == ["section"]                                                                            # a section: yes


def test_a_damaged_plan_file_makes_no_cut_and_no_error(project):
    chapter = _long_chapter(project)
    Builder(project, "demo/2020").run()
    plan = project.root / "build" / "demo-2020" / "pieces-final" / "plan.json"
    known = json.loads(plan.read_text(encoding="utf-8"))
    known["cuts"] = [{"prefix": 3}, "texte", {"prefix": "<p>", "hash": None}, *known["cuts"],
                     {"prefix": "<p>", "hash": "x", "strings": {"chapter": 1}}]
    plan.write_text(json.dumps(known), encoding="utf-8")
    assert len(flowing.readable(known["cuts"])) == len(known["cuts"]) - 4
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", encoding="utf-8")
    Builder(project, "demo/2020").run()          # the good records still cut, the damaged ones are left
    plan.write_text("{\"anchors\": [1, 2], \"cuts\": 7}", encoding="utf-8")
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nEncore une ligne.\n", encoding="utf-8")
    Builder(project, "demo/2020").run()
    assert any("Encore une ligne" in page for page in read.pages(project.edition("demo/2020").pdf))


def test_a_layout_printing_running_elements_is_never_cut(project):
    """A running element is not carried into a piece as a named string is: no cut at all."""
    assert flowing.allowed(["@page { @top-left { content: string(chapter); } }"])
    assert not flowing.allowed(["h2 { position: running(titre); }", ""])
    assert not flowing.allowed(["@page { @top-center { content: element(titre); } }"])
    _long_chapter(project)
    layout = project.root / "content" / "demo" / "2020" / "layout"
    layout.mkdir(exist_ok=True)
    (layout / "en-plus.css").write_text(".rien-du-tout { position: running(rien); }\n", encoding="utf-8")
    Builder(project, "demo/2020").run()
    assert _cuts(project) == []          # the same chapter is cut without that sheet (the tests above)


def test_cuts_are_chosen_on_pages_of_the_same_side_and_far_enough_apart():
    tops = [(n, {"hash": str(n)}) for n in range(1, 20)]
    assert [o for o, _ in flowing.choose(tops, [], 20)] == [4, 8, 12, 16]
    assert [o for o, _ in flowing.choose(tops, [10], 20)] == [4, 14]     # a cut kept: new ones around it
    assert flowing.choose(tops, [], 7) == []                             # too short to cut


def test_a_piece_prints_the_running_header_carried_into_it_until_it_sets_its_own():
    from weasyprint import HTML

    css = ("@page { size: 100mm 60mm; margin: 15mm 5mm; @top-left { content: string(chapter); } }"
           " h2 { string-set: chapter content(); break-before: page; }")
    html = (f'<html><head><style>{css}</style></head>'
            + flowing.carrying("<body>", {"chapter": "Chapitre porté"})
            + "<p>suite du chapitre</p><h2>Nouveau</h2><p>texte</p></body></html>")
    with flowing.carried_into(html):
        document = HTML(string=html).render()
        set_by_then = flowing.strings_after(1), flowing.strings_after(2)
    headers = [" ".join(b.text for b in _texts(page._page_box) if b.text in ("Chapitre porté", "Nouveau"))
               for page in document.pages]
    assert headers[0] == "Chapitre porté"                 # nothing set on the first page: the carried one
    assert headers[1].startswith("Nouveau")               # its own, where it sets one
    assert set_by_then == ({}, {"chapter": "Nouveau"})   # what the piece sets itself, not what it was given
    # and once the piece is laid out, a document of its own carries nothing
    plain = HTML(string=html.replace("<p>suite du chapitre</p>", "")).render()
    assert "Chapitre porté" not in " ".join(b.text for page in plain.pages for b in _texts(page._page_box))


def _texts(box):
    from reportgen.pdf.writing import boxes

    return [b for b in boxes(box) if type(b).__name__ == "TextBox"]


def test_the_draft_cuts_a_long_chapter_too_and_prints_the_same_pages(project, tmp_path):
    chapter = _long_chapter(project)
    text = chapter.read_text(encoding="utf-8")
    Builder(project, "demo/2020", draft=True, workers=2).run()
    for n in (97, 98):           # the first edit lays out the chapter's pieces with their sentinels
        chapter.write_text(text.replace("Paragraphe 79", f"Paragraphe {n}"), encoding="utf-8")
        draft = Builder(project, "demo/2020", draft=True, workers=2)
        draft.run()
    assert draft.laid_out[0] == 1
    from conftest import copy_fixture

    fresh = copy_fixture(tmp_path / "ailleurs")      # the same files, built cold: no cut at all
    _long_chapter(fresh).write_text(chapter.read_text(encoding="utf-8"), encoding="utf-8")
    cold = Builder(fresh, "demo/2020", draft=True, workers=2)
    cold.run()
    assert cold.laid_out[1] < draft.laid_out[1]
    assert read.pages(fresh.edition("demo/2020").draft_pdf) == read.pages(project.edition("demo/2020").draft_pdf)
