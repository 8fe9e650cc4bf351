"""The reference editions built in full: every printed figure present, outline as the report's.

The expected outline is each printed report's sommaire. The transcription itself is
checked against the published reports in test_reference_data.py.
"""
from __future__ import annotations

import re
import unicodedata

import pytest
from pypdf import PdfReader

from conftest import REPO, SHARED, require_shared
from reportgen.builder import build
from reportgen.edition.datastore import DataStore
from reportgen.errors import set_display_root
from reportgen.project import Project

ARTOIS = {
    "Présentation générale": {
        "Le contexte géographique, démographique et médical": [
            "La circonscription de la CPAM", "La population", "L'offre de soins"],
        "Les instances de décision et de concertation": [
            "Le Conseil", "Les commissions paritaires départementales et locales", "Les autres commissions"],
        "La gestion et l'administration": [
            "L'organisation fonctionnelle de la CPAM", "La politique menée en matière de Ressources Humaines",
            "La communication interne", "La sécurité du SI"],
        "Les démarches partenariales": [
            "Partenariats Assurance Maladie", "Partenariats autres branches", "Partenariats Hors Institution"],
    },
    "L'activité de l'année": {
        "La gestion des prestations": [
            "L'organisation du service", "Les principales données de production", "La gestion des AT/MP",
            "Le contentieux", "L'action sanitaire et sociale", "Le montant des droits constatés"],
        "La gestion de la précarité": [
            "La lutte contre les facteurs de précarité", "La CMU (CMU-B/CMU-C), l'ACS et l'AME"],
        "Les relations avec les différents publics": [
            "Les relations individualisées", "La politique de communication"],
        "La régulation du système de soins": [
            "Faits marquants",
            "La prévention et l'éducation pour la santé : actions significatives de la caisse",
            "La prévention pour la santé", "Les relations administratives et contractuelles"],
    },
    "Annexes": None,
}

LILLE_DOUAI = {
    "Introduction": ["Mot du Directeur", "Rétrospective 2019"],
    "Identité de la CPAM": [
        "Public et territoires", "Organisation", "Le Conseil de la CPAM de Lille-Douai",
        "Les principales décisions du Conseil", "Les commissions réglementaires",
        "La politique des ressources humaines", "Organigramme",
        "Une année placée sous le signe de l'innovation"],
    "Une organisation agile au service de nos missions": [
        "Feuilles de route 2019-2022", "La production optimisée par l'organisation",
        "Des coopérations entre organismes renforcées",
        "Une entreprise responsable qui respecte ses engagements", "Une exigence de performance"],
    "Garantir l'accès aux droits et permettre l'accès aux soins": [
        "Agir ensemble pour protéger chacun...", "...particulièrement pour les personnes les plus fragiles",
        "Simplifier les démarches des assurés", "Le marketing au service de notre relation client",
        "Permettre à tous de s'informer"],
    "Accompagner chacun dans la préservation de sa santé": [
        "Promouvoir les comportements favorables à la santé",
        "Accompagner chaque assuré dans les situations particulières de la vie"],
    "Améliorer l'efficacité du système de santé": [
        "Réguler les dépenses de santé et veiller à la qualité des soins",
        "Soutenir les professionnels de santé dans leurs pratiques quotidiennes",
        "Faire la pédagogie du bon usage du système et lutter contre la fraude"],
    "Annexes": ["Prestations en année de soins (exercice 2019)"],
}

# A report without parts: its numbered chapters stand first in the bookmarks, sections under them.
LANDES = {
    "Chapitre 1 Notre environnement": ["Données démographiques et économiques", "L'offre de soins"],
    "Chapitre 2 L'Assurance Maladie protectrice": [
        "PUM(a) : faciliter l'accès aux droits", "Un tiers payant progressivement généralisé",
        "Promotion accrue de la CMUc et de l'ACS", "Lutte contre le renoncement aux soins",
        "Forum partenaires : plébiscité par les participants", "La conciliation au service de nos publics"],
    "Chapitre 3 L'Assurance Maladie régulatrice": [
        "Une année riche en actualités conventionnelles",
        "L'accompagnement par les Délégués de l'Assurance Maladie (DAM)",
        "Faire la pédagogie des usages, encadrer et orienter les prescriptions", "Lutte contre la fraude",
        "Commission de recours amiable et contentieux"],
    "Chapitre 4 L'Assurance Maladie performante": [
        "Une plateforme de services assurés renouvelée", "Une offre de service complète, adaptée à chaque demande",
        "Les Maisons de Services Aux Publics (MSAP)", "Des canaux de contact dématérialisés pour les assurés",
        "Des outils dédiés aux professionnels de santé", "Relations avec les employeurs",
        "A l'écoute de nos usagers"],
    "Chapitre 5 L'Assurance Maladie attentionnée": [
        "Un acteur de prévention et de santé publique",
        "Stratégie multipartenariale en faveur des dépistages organisés", "Santé des jeunes",
        "Un retour à domicile serein", "Service en santé pour accompagner les maladies chroniques"],
    "Chapitre 6 Résultats et organisation": [
        "L'intégration pour tous", "La réorganisation en mouvement", "Une ligne managériale clairement positionnée",
        "Expérimentation locale du Télétravail", "Déplacements professionnels", "Économies d'affranchissement",
        "Un parc d'impression économique et performant", "Baromètre image : les regards se croisent",
        "Participation au « Coding Dojo »", "TRAM atteint sa vitesse de croisière", "De nouveaux outils de gestion",
        "Organigramme de la CPAM (au 31/12/2017)", "Chiffres clés (ONDAM)", "Chiffres clés (AT/MP)",
        "Notre Conseil"],
}

# Parts « 00 | » to « 06 | », chapters « A | » within the parts that have several.
ARDECHE = {
    "00 | Introduction": ["A | Le mot de la directrice", "B | Les chiffres clés"],
    "01 | Présentation générale": [
        "A | Le contexte géographique, démographique et médical",
        "B | Les instances de décision et de concertation", "C | La gestion administrative",
        "D | Le pilotage de l'activité"],
    "02 | Évènements majeurs de l'année": ["Évènements majeurs de l'année"],
    "03 | Garantir à tous l'accès aux droits et aux soins": [
        "A | Faciliter l'accès aux soins pour tous", "B | Accompagner les plus fragiles"],
    "04 | Optimiser la production, assurer une relation de qualité": [
        "A | Les principales données de production",
        "B | Permettre à tous de s'informer et faciliter les démarches"],
    "05 | Améliorer le système de santé": [
        "A | Accompagner les professionnels de santé",
        "B | L'accompagnement en santé, la prévention et le programme Prado",
        "C | La gestion du risque et la transformation du système de santé", "D | La lutte contre les fraudes"],
    "06 | Annexe": ["Dépenses et recettes de fonctionnement"],
}

# edition: (outline, pages, at least this many tables, glossary entries, interviews, focus boxes)
EDITIONS = {
    "artois/2017": (ARTOIS, (50, 90), 45, 113, 0, 0),
    "lille-douai/2019": (LILLE_DOUAI, (55, 90), 21, 88, 15, 16),
    "landes/2017": (LANDES, (36, 90), 3, 0, 0, 2),
    "ardeche/2023": (ARDECHE, (40, 90), 13, 0, 0, 1),
}


def norm(text: str) -> str:
    """Compare texts whatever their spaces and apostrophes."""
    text = unicodedata.normalize("NFC", text).replace("’", "'").replace("\u2010", "-").replace("\u2011", "-")
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


# each edition is built in full (tens of seconds): the tests that use one are slow
@pytest.fixture(scope="module", params=[pytest.param(name, marks=pytest.mark.slow) for name in sorted(EDITIONS)])
def edition(request):
    project = Project(REPO)
    set_display_root(project.root)
    result = build(project, request.param)
    reader = PdfReader(str(result.pdf))
    text = norm(" ".join(page.extract_text() for page in reader.pages))
    store = DataStore.load(project.edition(request.param).data)
    return request.param, result, reader, text, store


def outline(items, depth=0):
    out = []
    for item in items:
        if isinstance(item, list):
            out += outline(item, depth + 1)
        else:
            out.append((depth, norm(item.title)))
    return out


def test_builds_a_full_report(edition):
    name, result, _, _, store = edition
    _, (low, high), tables, glossary, interviews, focus = EDITIONS[name]
    assert low <= result.pages <= high
    assert len(store.tables) >= tables
    assert len(store.glossary) == glossary
    html = result.html.read_text(encoding="utf-8")
    assert html.count('<section class="interview') == interviews
    assert html.count('<aside class="focus') == focus


def test_the_pdf_is_accessible(edition):
    """PDF/UA-1: tagged, French, titled, headings in order, every figure described, tables with headers."""
    from reportgen.pdf.accessibility import audit_pdf

    _, result, _, _, store = edition
    audit = audit_pdf(result.pdf)
    assert audit.problems == []
    assert audit.counts["/Table"] >= 1 and audit.counts["/TH"] >= audit.counts["/Table"]
    html = result.html.read_text(encoding="utf-8")
    drawn = html.count('<figure class="chart ')
    assert drawn and audit.counts.get("/Figure", 0) >= drawn      # each chart a described figure
    # the independent checker ran (its errors and warnings would be problems above)
    assert audit.counts["pdfua rules"] >= 10 and set(audit.skipped) <= {"UA-14-001"}
    # links described by their text and target, bookmarks at their headings' levels
    assert audit.counts["links described"] >= 0.95 * audit.counts["links"] > 0
    assert audit.counts["bookmarks agreeing"] == audit.counts["bookmarks"] > 0
    # each footnote a Note (Landes has twelve), its call a Reference
    notes = html.count('class="footnote"')
    assert audit.counts.get("/Note", 0) == notes and audit.counts.get("/Reference", 0) == notes


def test_the_pdf_assembled_from_pieces_is_the_single_pass_one(edition, tmp_path, monkeypatch):
    """The final PDF, laid out in tagged pieces and merged, against the same edition laid out as one
    WeasyPrint document (``REPORTGEN_NO_CACHE``, in a copy of the project): the same text on each
    page, the same bookmarks, links, structure tree and link descriptions, each font once."""
    import shutil

    import pdfcompare as read

    name, result, _, _, _ = edition
    for folder in ("content", "data", "layouts"):
        shutil.copytree(REPO / folder, tmp_path / folder, symlinks=True)
    shutil.copy(REPO / "reportgen.yml", tmp_path / "reportgen.yml")
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")
    single = build(Project(tmp_path), name).pdf
    assert read.pages(result.pdf) == read.pages(single)
    assert read.outline(result.pdf) == read.outline(single)
    assert read.links(result.pdf) == read.links(single)
    assert read.tags(result.pdf) == read.tags(single)
    assert read.fonts(result.pdf) == read.fonts(single)


def test_the_web_edition_fits_phone_and_desktop_and_passes_axe(edition, browser):
    """In Chromium at 375 and 1280 px: nothing wider than the screen, no axe-core violation.

    Screenshots of the cover, a table, a chart and key figures at both widths are left in
    ``build/<edition>/captures/`` for a reviewer to look at.
    """
    from conftest import WIDTHS, audit_page

    name, result, *_ = edition
    assert result.web and result.web.is_file()
    for label, width in WIDTHS.items():
        found = audit_page(browser, result.web, width, result.pdf.parent / "captures")
        assert found["page_width"] <= found["width"] and not found["overflow"], (label, found["overflow"])
        assert found["clipped"] == [], (label, found["clipped"])
        assert found["violations"] == [], (label, found["violations"])
        assert found["focusable_boxes"] == found["scroll_boxes"], label


def test_bookmarks_follow_the_report_outline(edition):
    name, _, reader, _, _ = edition
    expected = EDITIONS[name][0]
    marks = outline(reader.outline)
    tops = [t for d, t in marks if d == 0]
    parts = [*expected]
    assert [t for t in tops if t in parts] == parts
    for part, chapters in expected.items():
        if chapters is None:
            continue                       # present; what it holds is checked elsewhere
        start = marks.index((0, part))
        below = []
        for depth, title in marks[start + 1:]:
            if depth == 0:
                break
            below.append((depth, title))
        assert [t for d, t in below if d == 1] == [norm(c) for c in chapters]
        if not isinstance(chapters, dict):
            continue                       # the sommaire lists chapters only
        for chapter, sections in chapters.items():
            i = below.index((1, norm(chapter)))
            mine = []
            for depth, title in below[i + 1:]:
                if depth <= 1:
                    break
                if depth == 2:
                    mine.append(title)
            assert mine == [norm(s) for s in sections], chapter


def test_every_table_figure_is_in_the_pdf(edition):
    *_, text, store = edition
    missing = []
    for table in store.tables.values():
        for row in table.rows:
            for cell in row.cells[1:]:
                if cell.figure is not None and norm(cell.display) not in text:
                    missing.append(f"{table.id}:{row.line} {cell.display}")
    assert not missing, missing[:20]


def test_every_key_figure_is_in_the_pdf(edition):
    *_, text, store = edition
    missing = [f"{g.id}.{t.key} {t.value}" for g in store.kpis.values()
               for top in g.tiles for t in (top, *top.children)
               if t.value and norm(t.value) not in text]
    assert not missing, missing


def test_rosters_and_glossary_are_in_the_pdf(edition):
    *_, text, store = edition
    names = [cell for r in store.rosters.values() for g in _walk(r.groups) for row in g.rows
             for cell in row if cell]
    assert names and all(norm(n) in text for n in names), [n for n in names if norm(n) not in text][:10]
    assert all(norm(e.term) in text for e in store.glossary)


def _walk(groups):
    for group in groups:
        yield group
        yield from _walk(group.groups)


def test_prose_is_written_anew():
    """No line of content/ repeats ten words in a row of a published report."""
    import subprocess
    import sys

    tool = require_shared(SHARED / "tools" / "prose_overlap.py")
    require_shared(SHARED / "seeds")        # without the reports, the tool would find nothing
    done = subprocess.run([sys.executable, str(tool), str(REPO)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]


def test_every_table_note_is_printed(edition):
    *_, text, store = edition
    def squash(value: str) -> str:     # the page typesets « 100% » as « 100 % »
        return re.sub(r"\s", "", value)

    printed = squash(text)
    notes = [note for table in store.tables.values() for note in table.notes]
    missing = [note for note in notes if squash(norm(note.lstrip("¹²³*0123456789 ").rstrip("."))) not in printed]
    assert not missing, missing[:10]


@pytest.mark.slow
def test_the_landes_ondam_table_repeats_title_and_header_on_each_page():
    project = Project(REPO)
    set_display_root(project.root)
    store = DataStore.load(project.edition("landes/2017").data)
    pdf = project.edition("landes/2017").pdf
    if not pdf.exists():
        build(project, "landes/2017")
    pages = [norm(p.extract_text()) for p in PdfReader(str(pdf)).pages]
    ondam = store.tables["ondam"]
    labels = [norm(r.label) for r in ondam.rows if len(r.label) > 12]
    # a page holds the table when it prints two of its row labels (the text may name one)
    holding = sorted(i for i, t in enumerate(pages) if sum(label in t for label in labels) >= 2)
    assert len(holding) >= 2
    for n, i in enumerate(holding):
        assert "Charges en droits constatés 2016" in pages[i]
        assert ("(suite)" in pages[i]) == (n > 0)
