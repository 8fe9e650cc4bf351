"""The Artois 2017 edition: built in full, every printed figure present, outline as the report's.

The expected outline is the printed report's sommaire. The transcription itself is
checked against the published report in test_reference_data.py.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.builder import build
from reportgen.datastore import DataStore
from reportgen.errors import set_display_root
from reportgen.project import Project

REPO = Path(__file__).resolve().parent.parent

OUTLINE = {
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
}


def norm(text: str) -> str:
    """Compare texts whatever their spaces and apostrophes."""
    text = unicodedata.normalize("NFC", text).replace("’", "'")
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


@pytest.fixture(scope="module")
def artois():
    project = Project(REPO)
    set_display_root(project.root)
    result = build(project, "artois/2017")
    reader = PdfReader(str(result.pdf))
    text = norm(" ".join(page.extract_text() for page in reader.pages))
    store = DataStore.load(project.edition("artois/2017").data)
    return result, reader, text, store


def outline(items, depth=0):
    out = []
    for item in items:
        if isinstance(item, list):
            out += outline(item, depth + 1)
        else:
            out.append((depth, norm(item.title)))
    return out


def test_builds_a_full_report(artois):
    result, reader, _, store = artois
    assert 50 <= result.pages <= 90
    assert len(store.tables) >= 45
    assert len(store.glossary) == 113


def test_bookmarks_follow_the_report_outline(artois):
    _, reader, _, _ = artois
    marks = outline(reader.outline)
    tops = [t for d, t in marks if d == 0]
    assert [t for t in tops if t in OUTLINE or t == "Annexes"] == [*OUTLINE, "Annexes"]
    for part, chapters in OUTLINE.items():
        start = marks.index((0, part))
        below = []
        for depth, title in marks[start + 1:]:
            if depth == 0:
                break
            below.append((depth, title))
        assert [t for d, t in below if d == 1] == [norm(c) for c in chapters]
        for chapter, sections in chapters.items():
            i = below.index((1, norm(chapter)))
            mine = []
            for depth, title in below[i + 1:]:
                if depth <= 1:
                    break
                if depth == 2:
                    mine.append(title)
            assert mine == [norm(s) for s in sections], chapter


def test_every_table_figure_is_in_the_pdf(artois):
    _, _, text, store = artois
    missing = []
    for table in store.tables.values():
        for row in table.rows:
            for cell in row.cells[1:]:
                if cell.figure is not None and norm(cell.display) not in text:
                    missing.append(f"{table.id}:{row.line} {cell.display}")
    assert not missing, missing[:20]


def test_every_key_figure_is_in_the_pdf(artois):
    _, _, text, store = artois
    missing = [f"{g.id}.{t.key} {t.value}" for g in store.kpis.values() for t in g.tiles
               if t.value and norm(t.value) not in text]
    assert not missing, missing


def test_rosters_and_glossary_are_in_the_pdf(artois):
    _, _, text, store = artois
    names = [cell for r in store.rosters.values() for g in _walk(r.groups) for row in g.rows
             for cell in row if cell]
    assert names and all(norm(n) in text for n in names), [n for n in names if norm(n) not in text][:10]
    assert all(norm(e.term) in text for e in store.glossary)


def _walk(groups):
    for group in groups:
        yield group
        yield from _walk(group.groups)


OVERLAP_TOOL = REPO.parent / "shared" / "tools" / "prose_overlap.py"


@pytest.mark.skipif(not OVERLAP_TOOL.exists(), reason="overlap tool not available")
def test_prose_is_written_anew():
    """No line of content/ repeats ten words in a row of a published report."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(OVERLAP_TOOL), str(REPO)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
