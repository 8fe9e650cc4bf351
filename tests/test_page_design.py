"""The page design: one type scale for text, tables and charts; a readable measure; pages filled."""
from __future__ import annotations

import collections
import ctypes
import math
import re
import statistics
from pathlib import Path

import pytest
import yaml
from weasyprint import HTML

from reportgen.pdf.preflight import check_pages

LAYOUT = Path(__file__).resolve().parent.parent / "layouts" / "assurance-maladie"
STYLE = LAYOUT / "style.css"


def _rules(css: str):
    """(selector, declarations) of each rule, comments removed, @page margin boxes included."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for match in re.finditer(r"([^{}]*)\{([^{}]*)\}", css):
        yield match[1].strip(), match[2]


def _root_scale(css: str) -> dict[str, float]:
    scale = {}
    for selector, body in _rules(css):
        if selector == ":root":
            for name, value in re.findall(r"--fs-([\w-]+)\s*:\s*([\d.]+)pt", body):
                scale[name] = float(value)
    return scale


def test_every_font_size_is_a_step_of_the_scale():
    css = STYLE.read_text(encoding="utf-8")
    literal = []
    for selector, body in _rules(css):
        if selector == ":root":
            continue
        for value in re.findall(r"(?:^|;|\s)font-size\s*:\s*([^;]+)", body):
            if not re.fullmatch(r"var\(--fs-[\w-]+\)( !important)?|inherit", value.strip()):
                literal.append(f"{selector.splitlines()[-1]}: {value.strip()}")
        for value in re.findall(r"(?:^|;|\s)font\s*:\s*([^;]+)", body):
            if re.search(r"\d(pt|px|mm|em|rem|%)", value):
                literal.append(f"{selector.splitlines()[-1]}: font: {value.strip()}")
    assert not literal, "tailles hors de l'échelle : " + " ; ".join(literal)


def test_the_scale_has_at_most_ten_printed_sizes_shared_with_the_charts():
    css_scale = _root_scale(STYLE.read_text(encoding="utf-8"))
    printed = {v for k, v in css_scale.items() if k != "hidden"}
    assert 5 <= len(printed) <= 10
    assert 10 <= css_scale["body"] <= 10.5
    declared = yaml.safe_load((LAYOUT / "layout.yml").read_text(encoding="utf-8"))["type_scale"]
    for step, value in declared.items():
        assert css_scale[step] == value, step
    assert min(printed) >= 7


def test_charts_take_their_text_sizes_from_the_layout_and_never_under_7pt(tmp_path):
    from reportgen.render import charts

    assert charts.text_sizes(LAYOUT / "fonts") == {"caption": 7.5, "small": 8.5}
    layout = tmp_path / "maquette"
    (layout / "fonts").mkdir(parents=True)
    (layout / "layout.yml").write_text("type_scale: {caption: 5, small: 9}\n", encoding="utf-8")
    assert charts.text_sizes(layout / "fonts") == {"caption": 7.0, "small": 9.0}


def test_a_chart_is_drawn_with_the_scale_sizes(tmp_path):
    from reportgen.render import charts

    data = charts.ChartData(id="essai", kind="grouped-bar", title="Essai", categories=["2018", "2019"],
                            series=[charts.Series("A", [1, 2], ["1", "2"]), charts.Series("B", [3, 4], ["3", "4"])])
    theme = {"primary": "#0c419a", "accent": "#00a3e0", "light": "#e6eef8", "dark": "#001a4d"}
    svg = charts.draw(data, tmp_path / "essai.svg", theme, LAYOUT / "fonts").read_text(encoding="utf-8")
    sizes = {float(s) for s in re.findall(r"font-size:\s*([\d.]+)px", svg)}
    assert sizes and sizes <= {7.5, 8.5}, sizes     # matplotlib writes points as px


def _pdf_text(path: Path):
    """(font size in pt, text) of each text object, and the body lines' lengths, read with pdfium."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    sizes: collections.Counter = collections.Counter()
    rows: dict[tuple, int] = collections.defaultdict(int)
    pdf = pdfium.PdfDocument(str(path))
    raw_sizes: collections.Counter = collections.Counter()
    for number, page in enumerate(pdf):
        text_page = page.get_textpage()
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=5):
            size = ctypes.c_float()
            raw.FPDFTextObj_GetFontSize(obj, size)
            m = obj.get_matrix()
            n = raw.FPDFTextObj_GetText(obj, text_page, None, 0)
            buf = ctypes.create_string_buffer(n * 2)
            raw.FPDFTextObj_GetText(obj, text_page, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)), n)
            text = buf.raw.decode("utf-16-le", errors="ignore").rstrip("\x00").strip()
            sizes[round(size.value * math.sqrt(abs(m.a * m.d - m.b * m.c)) * 2) / 2] += len(text)
        for i in range(text_page.count_chars()):
            if raw.FPDFText_GetUnicode(text_page, i) <= 32 or raw.FPDFText_GetUnicode(text_page, i) == 46:
                continue        # spaces, and the dots of the sommaire's leaders
            em = round(raw.FPDFText_GetFontSize(text_page, i), 1)
            raw_sizes[em] += 1
            x, y = ctypes.c_double(), ctypes.c_double()
            raw.FPDFText_GetCharOrigin(text_page, i, x, y)
            rows[(number, em, round(y.value))] += 1
    body_pt = _root_scale(STYLE.read_text(encoding="utf-8"))["body"]
    body = min(raw_sizes, key=lambda em: abs(em * 0.75 - body_pt))   # WeasyPrint writes CSS px (0.75 pt)
    lines = [count for (_, em, _), count in rows.items() if em == body and count > 20]
    return sizes, lines


def test_the_demo_pdf_keeps_to_the_scale_and_the_measure(demo_build):
    _, result = demo_build
    sizes, lines = _pdf_text(result.pdf)
    used = sorted(size for size, count in sizes.items() if count >= 20)
    assert len(used) <= 12, used
    assert min(used) >= 7, used
    body_lines = [n for n in lines if n >= 50]      # the demo's paragraphs are short: its full lines
    assert all(n <= 85 for n in body_lines), sorted(lines)


def test_running_text_is_set_at_55_to_85_characters_a_line():
    from reportgen.pdf.writing import boxes

    words = ("La caisse a accompagné les assurés dans leurs démarches, au guichet comme en ligne, "
             "et a réduit le délai de remboursement des feuilles de soins papier. ") * 12
    html = (f'<html><head><link rel="stylesheet" href="{STYLE.as_uri()}"></head><body>'
            f'<section class="chapter"><div class="chapter-body"><p>{words}</p><ul><li>{words}</li></ul>'
            f'</div></section></body></html>')
    document = HTML(string=html, base_url=str(LAYOUT) + "/").render()
    lengths = [len("".join(b.text for b in boxes(line) if type(b).__name__ == "TextBox"))
               for page in document.pages for line in boxes(page._page_box) if type(line).__name__ == "LineBox"]
    full = [n for n in lengths if n > 20][:-1]      # the last line of each block is short
    assert len(full) >= 20
    assert 55 <= statistics.median(full) <= 85 and min(full) >= 45 and max(full) <= 95, full


def _findings(body: str) -> list[str]:
    document = HTML(string=f"<html><body style='margin: 0'>{body}</body></html>").render()
    return [str(w) for w in check_pages(document, Path("essai.html"))]


def test_a_half_empty_page_is_reported_by_its_number():
    full = '<div style="height: 250mm; border-bottom: 1px solid black"></div>'
    found = _findings(f'<p>Couverture</p>'
                      f'<p style="break-before: page">Un bloc qui a sauté.</p>'
                      f'<div style="break-before: page">{full}</div>'
                      f'<p style="break-before: page">Quatrième de couverture</p>')
    assert len(found) == 1 and found[0].startswith("essai.html: page 2 : la page finit à "), found


def test_full_pages_and_coloured_pages_are_not_half_empty():
    found = _findings('<p>Couverture</p>'
                      '<div style="break-before: page; height: 270mm; background: #0c419a"><p>01</p></div>'
                      '<div style="break-before: page; height: 250mm; border-bottom: 1px solid black"></div>'
                      '<p style="break-before: page">Fin</p>')
    assert found == []


def test_chapters_flow_on_and_open_a_page_where_a_part_begins(project):
    from reportgen.builder import build

    manifest = project.content / "demo" / "2020" / "edition.yml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("chapters: [01-contexte.md]",
                        "chapters: [01-contexte.md, [02-activite.md, 02b-activite-suite.md]]")
    text = text.replace("  - title: L'activité de l'année\n    chapters: [[02-activite.md, 02b-activite-suite.md]]\n", "")
    manifest.write_text(text, encoding="utf-8")
    html = build(project, "demo/2020").html.read_text(encoding="utf-8")
    assert "chapters-flow" in re.search(r"<body[^>]*>", html)[0]
    chapters = re.findall(r'<section class="chapter ([^"]*)" id="([^"]*)"', html)
    opening = {ident for classes, ident in chapters if "chapter--opens" in classes}
    assert len(chapters) == 5 and len(opening) == 4, chapters     # the second chapter of a part flows on
    css = STYLE.read_text(encoding="utf-8")
    assert re.search(r"\.chapters-flow \.chapter:not\(\.chapter--opens\)\s*\{[^}]*break-before:\s*auto", css)
    assert re.search(r"(^|\n)\.chapter \{[^}]*break-before:\s*page", css)


@pytest.mark.parametrize("html, marked", [
    ('<p>Avant.</p>\n<div class="kpis kpis--1" id="k"><ul><li><div>12</div></li></ul></div>\n<p>Après.</p>', True),
    ('<ul><li>Avant</li></ul><div class="kpis kpis--1"><p>12</p></div><ol><li>Après</li></ol>', True),
    # not amid text: a heading or another group follows, a table comes before, or several tiles
    ('<p>Avant.</p><div class="kpis kpis--1"><p>12</p></div><h3>Titre</h3>', False),
    ('<p>Avant.</p><div class="kpis kpis--1"><p>12</p></div><div class="kpis kpis--1"></div><p>x</p>', False),
    ('<table></table><div class="kpis kpis--1"><p>12</p></div><p>Après.</p>', False),
    ('<p>Avant.</p><div class="kpis kpis--2"><p>12</p></div><p>Après.</p>', False),
    ('<p>Avant.</p><div class="kpis kpis--10"><p>12</p></div><p>Après.</p>', False),
    ('<p>Avant.</p><div class="kpis kpis--1 kpis--parent"><p>12</p></div><p>Après.</p>', False),
])
def test_a_lone_tile_amid_running_text_is_marked_for_the_side_column(html, marked):
    from reportgen.edition.content import mark_tiles_in_text

    out = mark_tiles_in_text(html)
    assert ("kpis--in-text" in out) is marked, out
    assert out.replace(" kpis--in-text", "") == html       # nothing else is touched


def test_the_side_column_tile_floats_beside_the_text_that_follows():
    from reportgen.pdf.writing import boxes

    tile = ('<div class="kpis kpis--in-text kpis--1"><ul class="kpi-grid"><li class="kpi">'
            '<p class="kpi-value">354</p><p class="kpi-label">bénéficiaires</p></li></ul></div>')
    text = "La caisse a accompagné les assurés dans leurs démarches, au guichet comme en ligne. " * 6
    html = (f'<html><head><link rel="stylesheet" href="{STYLE.as_uri()}"></head><body>'
            f'<section class="chapter"><div class="chapter-body"><p>{text}</p>{tile}<p id="after">{text}</p>'
            f'</div></section></body></html>')
    document = HTML(string=html, base_url=str(LAYOUT) + "/").render()
    placed = {getattr(b, "element_tag", ""): b for b in boxes(document.pages[0]._page_box)
              if getattr(b, "element", None) is not None and b.element.get("class", "").startswith("kpis")
              or (getattr(b, "element", None) is not None and b.element.get("id") == "after")}
    tile_box, after = placed["div"], placed["p"]
    assert tile_box.position_x >= after.position_x + after.width - 1          # in the side column, right of the text
    assert tile_box.position_y < after.position_y + after.height               # beside the text, not under it
