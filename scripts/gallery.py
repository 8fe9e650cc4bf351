"""The README's gallery: each edition's cover and one typical spread, as small PNG files.

Run from the project folder, after ``make reports`` (``make gallery`` does both):

    .venv/bin/python scripts/gallery.py

For every edition whose final PDF is in ``build/``, it writes ``docs/gallery/<slug>-couverture.png``
(page 1) and ``docs/gallery/<slug>-double-page.png`` (two facing pages, even on the left):
the spread of the middle of the report that carries the most colour (tiles, tables, charts),
dividers and landscape pages aside. ``docs/gallery/pages.yml`` may name the spread of an edition instead
(``ardeche-2023: 24``: pages 24 and 25).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2 as pdfium
import yaml
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from reportgen.project import Project  # noqa: E402

OUT = ROOT / "docs" / "gallery"
WIDTH = 300          # pixels of one page in the gallery
MEASURE = 60         # pixels per inch when pages are looked at to choose the spread


def _page(pdf: pdfium.PdfDocument, index: int, width: int) -> Image.Image:
    page = pdf[index]
    scale = width / page.get_width()
    return page.render(scale=scale).to_pil().convert("RGB")


def _colour(image: Image.Image) -> tuple[float, float]:
    """(share of the page not white, share in saturated colour) of a small rendering."""
    hsv = image.convert("HSV")
    pixels = [hsv.getpixel((x, y)) for y in range(0, hsv.height, 2) for x in range(0, hsv.width, 2)]
    inked = sum(1 for h, s, v in pixels if v < 235 or s > 25) / len(pixels)
    coloured = sum(1 for h, s, v in pixels if s > 60 and v > 60) / len(pixels)
    return inked, coloured


def choose_spread(pdf: pdfium.PdfDocument) -> int:
    """The left page (even, counted from 1) of the most colourful spread in the middle of the report."""
    count = len(pdf)
    looks = [_colour(_page(pdf, i, int(8.27 * MEASURE / 2))) for i in range(count)]
    best, best_score = 2, -1.0
    for left in range(max(2, count // 5 // 2 * 2), count * 4 // 5, 2):
        if left >= count or any(pdf[i].get_width() > pdf[i].get_height() for i in (left - 1, left)):
            continue   # a landscape page does not face a portrait one
        pair = [looks[left - 1], looks[left]]
        if any(inked > 0.6 or inked < 0.05 for inked, _ in pair):   # a divider, an empty page
            continue
        score = sum(coloured for _, coloured in pair)
        if score > best_score:
            best, best_score = left, score
    return best


def spread(pdf: pdfium.PdfDocument, left: int) -> Image.Image:
    pages = [_page(pdf, left - 1, WIDTH), _page(pdf, left, WIDTH)]
    gap = 4
    image = Image.new("RGB", (2 * WIDTH + gap, max(p.height for p in pages)), "#d5deeb")
    image.paste(pages[0], (0, 0))
    image.paste(pages[1], (WIDTH + gap, 0))
    return image


def save(image: Image.Image, path: Path) -> None:
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main() -> int:
    project = Project(ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    chosen_file = OUT / "pages.yml"
    chosen = yaml.safe_load(chosen_file.read_text(encoding="utf-8")) if chosen_file.exists() else {}
    done = 0
    for name in project.editions():
        paths = project.edition(name)
        if not paths.pdf.is_file():
            print(f"{name} : pas de PDF final dans build/ (make reports d'abord)", file=sys.stderr)
            continue
        pdf = pdfium.PdfDocument(str(paths.pdf))
        left = int((chosen or {}).get(paths.slug) or choose_spread(pdf))
        save(_page(pdf, 0, WIDTH), OUT / f"{paths.slug}-couverture.png")
        save(spread(pdf, left), OUT / f"{paths.slug}-double-page.png")
        print(f"{name} : couverture et pages {left}–{left + 1}")
        done += 1
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main())
