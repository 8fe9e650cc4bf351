"""The final PDF is PDF/UA-1 and the audit that says so can fail."""
from __future__ import annotations

import pikepdf
import pypdfium2 as pdfium

from reportgen.pdf.accessibility import audit_pdf
from reportgen.builder import Builder, build
from reportgen.edition.content import close_heading_gaps


def test_the_final_pdf_passes_the_audit(demo_build):
    project, result = demo_build
    audit = audit_pdf(result.pdf)
    assert audit.problems == []
    assert audit.counts["/Figure"] >= 1 and audit.counts["/TH"] >= 1 and audit.counts["fonts"] >= 1
    with pikepdf.open(result.pdf) as pdf:
        assert str(pdf.Root.Lang) == "fr"
        assert "Rapport" in str(pdf.docinfo.Title)
        alts = []

        def walk(element):
            if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/Figure":
                alts.append(str(element.get("/Alt", "")))
            kids = element.get("/K") if isinstance(element, pikepdf.Dictionary) else None
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                walk(kid)

        walk(pdf.Root.StructTreeRoot)
    # the charts' alternative text is written from their data: type, title, then the values
    assert any(a.startswith("Graphique") and ":" in a for a in alts)


def test_text_read_back_keeps_accents_and_narrow_spaces(demo_build):
    _, result = demo_build
    pdf = pdfium.PdfDocument(str(result.pdf))
    try:
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    assert "RAPPORT D'ACTIVITÉ" in text.upper().replace("’", "'")
    assert "\u202f" in text          # thousands and « ; » spaces come back as narrow no-break spaces


def test_the_audit_fails_an_untagged_pdf(project):
    """The draft is not tagged: the audit says so, so it is no test that cannot fail."""
    builder = Builder(project, "demo/2020", draft=True)
    builder.run()
    problems = audit_pdf(project.edition("demo/2020").draft_pdf).problems
    assert any("balisé" in p for p in problems)
    assert any("PDF/UA-1" in p for p in problems)


def test_archive_variant_is_pdf_a_and_still_tagged(project):
    result = build(project, "demo/2020", archive=True)
    with pikepdf.open(result.pdf) as pdf:
        with pdf.open_metadata() as meta:
            assert str(meta.get("pdfaid:part")) == "3" and str(meta.get("pdfaid:conformance")) == "A"
        assert "/StructTreeRoot" in pdf.Root


def test_heading_levels_are_never_skipped():
    html = '<h3 id="a">Section</h3><p>x</p><h5>Détail</h5><h4 class="t">Sous</h4><h3>Autre</h3>'
    fixed = close_heading_gaps(html)
    assert fixed == ('<h3 id="a">Section</h3><p>x</p><h4 class="h5">Détail</h4><h4 class="t">Sous</h4>'
                     '<h3>Autre</h3>')
    assert close_heading_gaps("<h4>Encadré</h4>") == '<h3 class="h4">Encadré</h3>'   # after the h2 title
