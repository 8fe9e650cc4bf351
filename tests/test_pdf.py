"""The demo PDF at three depths: metadata and bookmarks, text and fonts, a rasterised cover."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

GOLDEN_COVER = Path(__file__).parent / "golden" / "demo-2020-cover.png"


@pytest.fixture(scope="module")
def reader(demo_build):
    _, result = demo_build
    return PdfReader(str(result.pdf))


def outline_titles(items, depth=0):
    out = []
    for item in items:
        if isinstance(item, list):
            out += outline_titles(item, depth + 1)
        else:
            out.append((depth, item.title))
    return out


def test_page_count(reader, demo_build):
    assert len(reader.pages) == demo_build[1].pages == 12


def test_metadata(reader):
    meta = reader.metadata
    assert meta.title == "Rapport d'activité 2020 – CPAM de Démonstration"
    assert meta.author == "CPAM de Démonstration"
    assert "Rapport d'activité 2020" in meta.subject
    root = reader.trailer["/Root"]
    assert root.get("/Lang") == "fr"


def test_bookmarks_follow_parts_chapters_and_sections(reader):
    titles = outline_titles(reader.outline)
    assert (0, "Sommaire") in titles
    assert (0, "Les faits marquants de l'année 2020") in titles
    assert (0, "Présentation générale") in titles
    assert (1, "Le contexte de la caisse") in titles
    assert (2, "La circonscription") in titles
    assert (1, "Annexe 1 Dépenses de fonctionnement") in titles
    assert (0, "Glossaire") in titles
    # parts come in the manifest's order
    parts = [t for d, t in titles if d == 0]
    assert parts.index("Présentation générale") < parts.index("L'activité de l'année") < parts.index("Annexes")


def test_fonts_are_embedded_and_only_the_shipped_ones(reader):
    fonts = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
            for desc in font.get("/DescendantFonts", []):
                descriptor = desc.get_object()["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    assert fonts and all(f.startswith("Lato") for f in fonts), fonts


def test_text_keeps_figures_and_french_spaces(reader):
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "730\u202f948" in text
    assert "97,03\u202f%" in text
    assert "RAPPORT D'ACTIVITÉ" in text.upper()


def test_running_header_and_page_numbers(reader):
    page = reader.pages[4].extract_text()   # first page of the first chapter
    assert "CPAM de Démonstration · Rapport d'activité 2020" in page
    assert "CONTEXTE" in page  # short title of the chapter, upper-cased by the running header


def test_cover_matches_reference_image(demo_build):
    import pypdfium2
    from PIL import Image, ImageChops, ImageStat

    _, result = demo_build
    pdf = pypdfium2.PdfDocument(str(result.pdf))
    image = pdf[0].render(scale=0.5).to_pil().convert("RGB")
    if os.environ.get("UPDATE_GOLDEN") or not GOLDEN_COVER.exists():
        image.save(GOLDEN_COVER)
    reference = Image.open(GOLDEN_COVER).convert("RGB")
    assert image.size == reference.size
    diff = ImageStat.Stat(ImageChops.difference(image, reference)).mean
    assert max(diff) < 3.0, f"cover differs from the reference image (mean channel diff {diff})"


def test_landscape_table_page(reader):
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    landscape = [i for i, (w, h) in enumerate(sizes) if w > h]
    assert len(landscape) == 1
    assert "Actions engagées au cours de l'année par acteur" in reader.pages[landscape[0]].extract_text()
