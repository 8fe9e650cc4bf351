"""The demo PDF at three depths: metadata and bookmarks, text and fonts, a rasterised cover.

Also the fetcher WeasyPrint reads images and fonts through: nothing outside the project's folders.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.pdf.writing import make_fetcher

GOLDEN_COVER = Path(__file__).parent / "golden" / "demo-2020-cover.png"
COVER_SCALE = 0.5
# The cover is compared whole and in 8 × 8 tiles (mean channel difference, 0–255). The whole
# cover's limit allows a little anti-aliasing drift; a tile's catches a small element gone:
# erasing the year scores 0.72 on the whole cover but about 23 on the tiles it stood in.
WHOLE_LIMIT = 3.0
TILES = 8
TILE_LIMIT = 8.0


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
    assert meta.title == "Rapport d’activité 2020 – CPAM de Démonstration"
    assert meta.author == "CPAM de Démonstration"
    assert "Rapport d’activité 2020" in meta.subject
    root = reader.trailer["/Root"]
    assert root.get("/Lang") == "fr"


def test_bookmarks_follow_parts_chapters_and_sections(reader):
    titles = outline_titles(reader.outline)
    assert (0, "Sommaire") in titles
    assert (0, "Les faits marquants de l’année 2020") in titles
    assert (0, "Présentation générale") in titles
    assert (1, "Le contexte de la caisse") in titles
    assert (2, "La circonscription") in titles
    assert (1, "Annexe 1 Dépenses de fonctionnement") in titles
    assert (0, "Glossaire") in titles
    # parts come in the manifest's order
    parts = [t for d, t in titles if d == 0]
    assert parts.index("Présentation générale") < parts.index("L’activité de l’année") < parts.index("Annexes")


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
    assert "RAPPORT D’ACTIVITÉ" in text.upper()


def test_running_header_and_page_numbers(reader):
    page = reader.pages[4].extract_text()   # first page of the first chapter
    assert "CPAM de Démonstration · Rapport d’activité 2020" in page
    assert "CONTEXTE" in page  # short title of the chapter, upper-cased by the running header


@pytest.fixture(scope="module")
def cover(demo_build):
    """The demo's first page as an image, and pdfium's page to find text on it."""
    import pypdfium2

    _, result = demo_build
    page = pypdfium2.PdfDocument(str(result.pdf))[0]
    return page.render(scale=COVER_SCALE).to_pil().convert("RGB"), page


def reference_cover(image, path: Path = GOLDEN_COVER):
    """The reference image; ``UPDATE_GOLDEN=1`` (``make golden``) writes it from ``image`` first.

    A missing reference fails: the comparison never accepts the cover it is checking as its own reference.
    """
    from PIL import Image

    if os.environ.get("UPDATE_GOLDEN"):
        image.save(path)
    if not path.exists():
        pytest.fail(f"image de référence absente : {path.name} (« make golden » l'écrit d'après la "
                    f"couverture actuelle, à vérifier avant de l'ajouter)", pytrace=False)
    return Image.open(path).convert("RGB")


def cover_differences(image, reference) -> list[str]:
    """What tells ``image`` from ``reference``: the whole cover and each tile within their limits."""
    from PIL import ImageChops, ImageStat

    if image.size != reference.size:
        return [f"taille {image.size} au lieu de {reference.size}"]
    found = []
    whole = max(ImageStat.Stat(ImageChops.difference(image, reference)).mean)
    if whole >= WHOLE_LIMIT:
        found.append(f"couverture entière : écart moyen {whole:.2f}")
    width, height = image.size
    for row in range(TILES):
        for column in range(TILES):
            box = (column * width // TILES, row * height // TILES,
                   (column + 1) * width // TILES, (row + 1) * height // TILES)
            tile = max(ImageStat.Stat(ImageChops.difference(image.crop(box), reference.crop(box))).mean)
            if tile >= TILE_LIMIT:
                found.append(f"zone {box} : écart moyen {tile:.2f}")
    return found


def test_cover_matches_reference_image(cover):
    image, _ = cover
    assert cover_differences(image, reference_cover(image)) == []


def test_the_cover_prints_title_year_and_caisse(reader):
    text = reader.pages[0].extract_text()
    assert "RAPPORT D’ACTIVITÉ" in text.upper()
    assert "2020" in text
    assert "CPAM de Démonstration" in text


def test_a_missing_reference_cover_fails_and_is_not_created(cover, tmp_path, monkeypatch):
    monkeypatch.delenv("UPDATE_GOLDEN", raising=False)
    absent = tmp_path / "couverture.png"
    with pytest.raises(pytest.fail.Exception, match="make golden"):
        reference_cover(cover[0], absent)
    assert not absent.exists()


def test_a_cover_without_its_year_fails_the_comparison(cover):
    from PIL import ImageDraw

    image, page = cover
    # the year's place on the page, from the PDF's text (points, origin at the bottom left)
    text = page.get_textpage()
    start = text.get_text_range().index("2020")
    boxes = [text.get_charbox(i) for i in range(start, start + 4)]
    height = page.get_height()
    left, top = min(b[0] for b in boxes) * COVER_SCALE, (height - max(b[3] for b in boxes)) * COVER_SCALE
    right, bottom = max(b[2] for b in boxes) * COVER_SCALE, (height - min(b[1] for b in boxes)) * COVER_SCALE
    erased = image.copy()
    background = image.getpixel((int(left) - 4, int((top + bottom) / 2)))     # just left of the year
    ImageDraw.Draw(erased).rectangle([left - 1, top - 1, right + 1, bottom + 1], fill=background)
    assert erased != image
    assert cover_differences(image, image) == []
    assert cover_differences(erased, image), "a cover without its year must differ from the reference"


def test_landscape_table_page(reader):
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    landscape = [i for i, (w, h) in enumerate(sizes) if w > h]
    assert len(landscape) == 1
    assert "Actions engagées au cours de l’année par acteur" in reader.pages[landscape[0]].extract_text()


# --- the fetcher: only the project's folders, whatever the path says --------------------------------
@pytest.fixture
def folders(tmp_path):
    """``content/`` (allowed), ``content-copie/`` beside it (a name sharing its prefix), a linked ``layouts``."""
    content, sibling, real = tmp_path / "content", tmp_path / "content-copie", tmp_path / "vrai-layouts"
    for folder in (content, sibling, real):
        folder.mkdir()
    (content / "image.png").write_bytes(b"dans le projet")
    (sibling / "image.png").write_bytes(b"hors du projet")
    (real / "logo.png").write_bytes(b"logo")
    (tmp_path / "layouts").symlink_to(real, target_is_directory=True)
    (content / "lien.png").symlink_to(sibling / "image.png")
    (content / "lien-relatif.png").symlink_to(Path("..") / "content-copie" / "image.png")
    return tmp_path, make_fetcher([content, tmp_path / "layouts"])


def _read(response) -> bytes:
    try:
        return response.read()
    finally:
        response.close()


def test_the_fetcher_serves_the_project_s_files(folders):
    root, fetcher = folders
    assert _read(fetcher.fetch((root / "content" / "image.png").as_uri())) == b"dans le projet"
    # a folder of the project that is itself a link (tests link layouts/ so) is still inside
    assert _read(fetcher.fetch((root / "layouts" / "logo.png").as_uri())) == b"logo"


# Each reaches content-copie/, whose path starts with the allowed folder's: a check comparing
# strings, or paths before resolving links and « .. », lets it through.
@pytest.mark.parametrize("written", [
    "content-copie/image.png",                 # a sibling folder sharing the prefix
    "content/lien.png",                        # a link inside content/ to the sibling
    "content/lien-relatif.png",                # the same, a relative link
    "content/../content-copie/image.png",      # .. out of content/
    "content/%2E%2E/content-copie/image.png",  # the same, percent-encoded
    "layouts/../content-copie/image.png",      # .. out of a linked folder
])
def test_the_fetcher_refuses_what_resolves_outside(folders, written):
    from weasyprint.urls import FatalURLFetchingError

    root, fetcher = folders
    with pytest.raises(FatalURLFetchingError, match="hors du projet"):
        fetcher.fetch(f"file://{root}/{written}")
