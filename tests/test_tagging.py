"""The tagged PDF to the letter of PDF/UA-1 (reportgen.pdf.tagging), and the audit that checks it.

Two small editions are built once, final and tagged: « finances » (footnotes, chapter dividers,
two-line chapter titles, running headers, a sommaire with leaders) and « magazine » (interview,
focus and tile-group titles). Each test reads the PDF back with pikepdf; the audit tests then
damage a good PDF the way a faulty engine would, and expect the audit to say so.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from reportgen.pdf import tagging
from reportgen.pdf.accessibility import audit_pdf
from reportgen.builder import build
from reportgen.edition.content import close_heading_gaps

from conftest import copy_fixture

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = copy_fixture(tmp_path_factory.mktemp("tagging"))
    return {name: build(project, name).pdf for name in ("finances/2020", "magazine/2020")}


def elements(pdf, tag: str | None = None):
    """The structure elements in document order (optionally only one tag), with their parents."""
    out = []

    def walk(element, parents):
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            if tag is None or str(element.S) == tag:
                out.append((element, parents))
            parents = parents + [element]
        kids = element.get("/K") if isinstance(element, pikepdf.Dictionary) else None
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
            if isinstance(kid, pikepdf.Dictionary):
                walk(kid, parents)

    walk(pdf.Root.StructTreeRoot, [])
    return out


def page_number(pdf, page_ref) -> int:
    return next(n for n, page in enumerate(pdf.pages, 1) if page.obj.objgen == page_ref.objgen)


def link_annotations(pdf):
    return [(n, a) for n, page in enumerate(pdf.pages, 1) for a in page.obj.get("/Annots") or ()
            if str(a.get("/Subtype")) == "/Link"]


def test_both_editions_pass_our_audit_and_the_independent_checker(built):
    for path in built.values():
        audit = audit_pdf(path)
        assert audit.problems == [], path.name
        assert audit.counts["pdfua rules"] >= 10          # pdfua did run, not only our own checks
        assert audit.counts["links"] == audit.counts["links described"] > 0
        assert audit.counts["bookmarks"] == audit.counts["bookmarks agreeing"] > 0


def test_footnotes_are_notes_with_an_id_and_their_call_links_to_them(built):
    with pikepdf.open(built["finances/2020"]) as pdf:
        notes = elements(pdf, "/Note")
        assert len(notes) >= 2
        ids = [str(note.ID) for note, _ in notes]
        assert len(set(ids)) == len(ids) and all(ids)
        tree = pdf.Root.StructTreeRoot
        assert all(pikepdf.NameTree(tree.IDTree).get(i) is not None for i in ids)
        references = elements(pdf, "/Reference")
        assert len(references) == len(notes)
        calls = [(n, a) for n, a in link_annotations(pdf) if str(a.get("/Contents", "")).startswith("Note ")]
        assert len(calls) == len(notes)
        for (page, annotation), (note, _) in zip(calls, notes):
            # the call's link goes to the page of its note, which sits at the foot of that page
            assert page_number(pdf, annotation.Dest[0]) == page_number(pdf, note.Pg)
            assert "/StructParent" in annotation


def test_running_headers_folios_and_leaders_are_artifacts(built):
    with pikepdf.open(built["finances/2020"]) as pdf:
        # the sommaire's links hold the title and the page number, not a row of leader dots
        text_in_links = []
        for n, page in enumerate(pdf.pages, 1):
            artifacts, depth, in_artifact = 0, 0, []
            for operands, op in pikepdf.parse_content_stream(page):
                op = str(op)
                if op in ("BDC", "BMC"):
                    in_artifact.append(str(operands[0]) == "/Artifact")
                    artifacts += in_artifact[-1]
                elif op == "EMC":
                    in_artifact.pop()
            if n > 2:
                assert artifacts >= 1, f"page {n} : le folio n'est pas un artefact"
        audit = audit_pdf(built["finances/2020"], independent=False)
        assert not [p for p in audit.problems if "hors" in p]
        del text_in_links
    # read back by a PDF engine, the sommaire's entries carry no leader dots inside the link text
    document = pdfium.PdfDocument(str(built["finances/2020"]))
    try:
        sommaire = next(document[i].get_textpage().get_text_range() for i in range(len(document))
                        if "Sommaire" in document[i].get_textpage().get_text_range())
    finally:
        document.close()
    assert ". . ." in sommaire or "...." in sommaire.replace(" ", "")     # printed, as artifacts
    with pikepdf.open(built["finances/2020"]) as pdf:
        for link, _ in elements(pdf, "/Link"):
            assert "/ActualText" not in link


def test_links_say_where_they_go(built):
    with pikepdf.open(built["finances/2020"]) as pdf:
        internal = 0
        for page, annotation in link_annotations(pdf):
            text = str(annotation.Contents)
            if "/Dest" in annotation and not text.startswith("Note "):
                internal += 1
                match = re.fullmatch(r"Aller à : (.+), page (\d+)", text)
                assert match, text
                destination = pdf.Root.Names.Dests
                target = pikepdf.NameTree(destination)[str(annotation.Dest)]
                target = target.D if isinstance(target, pikepdf.Dictionary) else target
                assert int(match[2]) == page_number(pdf, target[0])
                assert match[1] != str(annotation.Dest)              # a title, not an anchor name
        assert internal >= 3


def test_one_heading_per_title_at_the_level_of_its_bookmark(built):
    for path in built.values():
        with pikepdf.open(path) as pdf:
            headings = [(e, parents) for e, parents in elements(pdf)
                        if re.fullmatch(r"/H[1-6]", str(e.S))]
            assert headings
            for element, parents in headings:
                assert not any(re.fullmatch(r"/H[1-6]", str(p.S)) for p in parents)
            levels = [int(str(e.S)[2]) for e, _ in headings]
            assert levels[0] == 1
            assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))


def test_interview_focus_and_tile_group_titles_are_headings(built):
    with pikepdf.open(built["magazine/2020"]) as pdf:
        document = pdfium.PdfDocument(str(built["magazine/2020"]))
        try:
            text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        finally:
            document.close()
        headings = [e for e, _ in elements(pdf) if re.fullmatch(r"/H[1-6]", str(e.S))]
        paragraphs = len(elements(pdf, "/P"))
    assert "Switch" in text and "questions" in text
    # the three block titles add headings beyond the chapters' and sections' own
    html = (built["magazine/2020"].with_suffix(".html")).read_text(encoding="utf-8")
    block_titles = len(re.findall(r'role="heading"', html))
    html_headings = len(re.findall(r"<h[1-6][ >]", html))
    assert block_titles >= 3
    assert len(headings) >= block_titles + html_headings - 2        # the sommaire's lists aside
    assert paragraphs > 0


def test_a_word_cut_at_the_end_of_a_line_reads_whole(built):
    found = []
    for path in built.values():
        with pikepdf.open(path) as pdf:
            for span, _ in elements(pdf, "/Span"):
                if "/ActualText" in span:
                    found.append(str(span.ActualText))
    if not found:
        pytest.fail("aucune césure dans les éditions d'essai : le test ne vérifie rien")
    assert all(t.endswith(tagging.SOFT_HYPHEN) and not t.endswith("-" + tagging.SOFT_HYPHEN) for t in found)


def test_one_encoding_of_the_hyphen(built):
    for path in built.values():
        document = pdfium.PdfDocument(str(path))
        try:
            text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        finally:
            document.close()
        assert "\u2010" not in text and "\u2011" not in text


def test_actual_text_keeps_an_author_hyphen():
    class Box:
        def __init__(self, text, source):
            self.text = text
            self.style = {"hyphenate_character": "-", "hyphens": "auto"}
            self.element = type("E", (), {"itertext": lambda self: iter([source])})()

    assert tagging._actual_text(Box("prendre rendez-", "prendre rendez-vous")) is None
    assert tagging._actual_text(Box("ils ont lan-", "ils ont lancé")) == "ils ont lan\u00ad"
    assert tagging._actual_text(Box("fin.", "fin.")) is None


def test_another_engine_version_stops_the_build(monkeypatch):
    import weasyprint

    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    with pytest.raises(tagging.EngineChanged, match="constraints.txt"):
        tagging.check_engine()


# -- the audit fails what it should ---------------------------------------------------------------

@pytest.fixture
def damaged(built, tmp_path):
    source = built["finances/2020"]

    def make(change) -> Path:
        target = tmp_path / f"abime-{change.__name__}.pdf"
        shutil.copy(source, target)
        with pikepdf.open(target, allow_overwriting_input=True) as pdf:
            change(pdf)
            pdf.save(target)
        return target

    return make


def test_the_audit_finds_a_link_described_by_its_anchor(damaged):
    def anchor_name(pdf):
        for _, annotation in link_annotations(pdf):
            if "/Dest" in annotation:
                annotation.Contents = pikepdf.String(str(annotation.Dest))
                return

    problems = audit_pdf(damaged(anchor_name), independent=False).problems
    assert any("nom d'ancre" in p for p in problems)


def test_the_audit_finds_a_heading_inside_a_heading(damaged):
    def nested(pdf):
        heading, _ = next((e, p) for e, p in elements(pdf) if str(e.S) == "/H2")
        inner = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.H2,
                                                     P=heading, K=pikepdf.Array()))
        heading.K = pikepdf.Array(list(heading.K) + [inner] if isinstance(heading.K, pikepdf.Array)
                                  else [heading.K, inner])

    problems = audit_pdf(damaged(nested), independent=False).problems
    assert any("un titre dans un titre" in p for p in problems)


def test_the_audit_finds_paint_outside_marked_content(damaged):
    def unmarked(pdf):
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(b"0 0 m 10 10 l S"), prepend=True)

    problems = audit_pdf(damaged(unmarked), independent=False).problems
    assert any("hors de tout balisage" in p and "pages 1" in p for p in problems)


def test_the_audit_finds_a_note_without_id(damaged):
    def no_id(pdf):
        note, _ = elements(pdf, "/Note")[0]
        del note["/ID"]

    problems = audit_pdf(damaged(no_id), independent=False).problems
    assert any("note n° 1 sans identifiant" in p for p in problems)


def test_the_audit_finds_a_bookmark_at_another_level(damaged):
    def lower(pdf):
        for heading, _ in elements(pdf):
            if str(heading.S) == "/H1":
                heading.S = pikepdf.Name.H2
                return

    problems = audit_pdf(damaged(lower), independent=False).problems
    assert any("signet(s)" in p for p in problems)


def test_the_audit_reports_what_the_independent_checker_finds(damaged):
    def untitled_figure(pdf):
        for figure, _ in elements(pdf, "/Figure"):
            del figure["/Alt"]
        for _, annotation in link_annotations(pdf):
            del annotation["/Contents"]

    problems = audit_pdf(damaged(untitled_figure)).problems
    assert any(p.startswith("pdfua UA-18-005") for p in problems)


# -- heading levels in the HTML ---------------------------------------------------------------------

def test_siblings_written_too_deep_stay_siblings():
    html = "<h3>Les commissions</h3><h5>CPR opticiens</h5><p>x</p><h5>CPR infirmiers</h5><h4>Autre</h4>"
    assert close_heading_gaps(html) == ('<h3>Les commissions</h3><h4 class="h5">CPR opticiens</h4><p>x</p>'
                                        '<h4 class="h5">CPR infirmiers</h4><h4>Autre</h4>')


def test_a_block_title_takes_the_level_under_its_section():
    html = ('<h3>Section</h3><p class="focus-title" role="heading" aria-level="4">Focus</p>'
            '<p class="kpis-title" role="heading" aria-level="4">Chiffres</p>')
    assert close_heading_gaps(html).count('aria-level="4"') == 2
    alone = '<p class="focus-title" role="heading" aria-level="4">Focus</p>'
    assert 'aria-level="3"' in close_heading_gaps(alone)          # straight after the chapter title
