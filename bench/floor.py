"""The layout floor: the same synthetic report laid out by a plain WeasyPrint call and by Typst.

Run from the project folder:  .venv/bin/python bench/floor.py  [--chapters 12]

A report of chapters, each a title, paragraphs and a table of figures, is written once as
HTML (for WeasyPrint, with a small stylesheet and no reportgen at all) and once as Typst
markup, and each engine makes its PDF three times; the best CPU time is kept. The seconds
per page of each say how far a WeasyPrint pipeline is from a fast typesetting engine, and,
set beside the benchmark's final build (bench/run.py), how far reportgen is from both.
Typst comes from PyPI (``pip install typst``, the project's ``bench`` extra); without it,
only WeasyPrint is measured.
"""
from __future__ import annotations

import argparse
import json
import time

WORDS = ("la caisse a accompagné les assurés dans leurs démarches et renforcé son offre de services "
         "auprès des professionnels de santé du territoire tout au long de l'année avec des équipes "
         "mobilisées pour réduire les délais de traitement des dossiers et améliorer l'accueil").split()
COLUMNS = ("Indicateur", "2022", "2023", "Évolution")


def paragraph(seed: int, words: int = 90) -> str:
    text = " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words))
    return text[0].upper() + text[1:] + "."


def rows(seed: int) -> list[tuple[str, ...]]:
    out = []
    for r in range(14):
        a, b = 1000 + (seed * 37 + r * 113) % 9000, 1000 + (seed * 53 + r * 71) % 9000
        out.append((f"Ligne {r + 1} du tableau {seed + 1}", f"{a:,}".replace(",", "\u202f"),
                    f"{b:,}".replace(",", "\u202f"), f"{(b - a) / a * 100:+.1f} %".replace(".", ",")))
    return out


def as_html(chapters: int) -> str:
    parts = ["<html lang='fr'><head><meta charset='utf-8'><style>",
             "@page { size: A4; margin: 20mm 18mm; @bottom-center { content: counter(page); } }",
             "body { font-family: sans-serif; font-size: 10pt; line-height: 1.4; }",
             "h1 { break-before: page; font-size: 20pt; } table { border-collapse: collapse; width: 100%; }",
             "td, th { border-bottom: 0.5pt solid #999; padding: 2pt 4pt; text-align: right; }",
             "td:first-child, th:first-child { text-align: left; }", "</style></head><body>"]
    for c in range(chapters):
        parts.append(f"<h1>Chapitre {c + 1}</h1>")
        for k in range(6):
            parts.append(f"<h2>Section {c + 1}.{k + 1}</h2><p>{paragraph(c * 10 + k)}</p><p>{paragraph(c * 10 + k + 5)}</p>")
        parts.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in COLUMNS) + "</tr>"
                     + "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows(c))
                     + "</table>")
    return "\n".join(parts + ["</body></html>"])


def as_typst(chapters: int) -> str:
    parts = ['#set page(paper: "a4", margin: (x: 18mm, y: 20mm), footer: context align(center, counter(page).display()))',
             '#set text(size: 10pt, lang: "fr")', "#set par(leading: 0.6em)"]
    for c in range(chapters):
        parts.append(f"#pagebreak(weak: true)\n= Chapitre {c + 1}")
        for k in range(6):
            parts.append(f"== Section {c + 1}.{k + 1}\n\n{paragraph(c * 10 + k)}\n\n{paragraph(c * 10 + k + 5)}\n")
        cells = ", ".join(f"[{h}]" for h in COLUMNS) + ", " + ", ".join(
            f"[{v}]" for row in rows(c) for v in row)
        parts.append(f"#table(columns: (1fr, auto, auto, auto), align: (left, right, right, right), {cells})")
    return "\n".join(parts)


def best_of(make, runs: int = 3) -> tuple[float, float, bytes]:
    """(wall, cpu, pdf) of the run with the least CPU."""
    found = []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        pdf = make()
        found.append((time.perf_counter() - wall, time.process_time() - cpu, pdf))
    return min(found, key=lambda r: r[1])


def pages_of(pdf: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def measure(chapters: int) -> dict:
    from weasyprint import HTML

    html = as_html(chapters)
    wall, cpu, pdf = best_of(lambda: HTML(string=html).write_pdf())
    pages = pages_of(pdf)
    results: dict = {"chapters": chapters,
                     "weasyprint": {"pages": pages, "wall": round(wall, 2), "cpu": round(cpu, 2),
                                    "cpu_per_page": round(cpu / pages, 4)}}
    try:
        import typst
    except ImportError:
        results["typst"] = None
        return results
    source = as_typst(chapters).encode("utf-8")
    wall, cpu, pdf = best_of(lambda: typst.compile(source))
    pages = pages_of(pdf)
    results["typst"] = {"pages": pages, "wall": round(wall, 2), "cpu": round(cpu, 2),
                        "cpu_per_page": round(cpu / pages, 4)}
    results["weasyprint_vs_typst_per_page"] = round(results["weasyprint"]["cpu_per_page"]
                                                    / results["typst"]["cpu_per_page"], 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, default=12)
    args = parser.parse_args()
    print(json.dumps(measure(args.chapters), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
