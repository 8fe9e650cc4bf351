"""The build reuses what has not changed, and only that: the cache must be right, not only fast."""
from __future__ import annotations

import re
import shutil

from reportgen.builder import build


def chart_files(result, name):
    return sorted(p for p in (result.pdf.parent / "charts").glob(f"{name}-*.svg")
                  if re.fullmatch(rf"{re.escape(name)}-[0-9a-f]{{16}}\.svg", p.name))


def test_an_unchanged_edition_reuses_its_pdf(project):
    first = build(project, "demo/2020")
    again = build(project, "demo/2020")
    assert not first.reused and again.reused and again.pages == first.pages
    assert again.pdf.stat().st_mtime == first.pdf.stat().st_mtime


def test_a_changed_data_cell_changes_its_chart(project):
    first = build(project, "demo/2020")
    (old,) = chart_files(first, "delais-mensuels")
    csv = project.data / "demo" / "2020" / "tables" / "effectifs.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("cdi;Effectif CDI;825;", "cdi;Effectif CDI;925;"),
                   encoding="utf-8")
    second = build(project, "demo/2020")
    (new,) = chart_files(second, "delais-mensuels")
    assert not second.reused and new.name != old.name and not old.exists()
    assert "925" in new.read_text(encoding="utf-8")


def test_a_changed_layout_rebuilds_every_page(project):
    build(project, "demo/2020")
    link = project.root / "layouts"
    target = link.resolve()
    link.unlink()
    shutil.copytree(target, link)
    css = link / "assurance-maladie" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { color: #111111; }\n", encoding="utf-8")
    second = build(project, "demo/2020")
    assert not second.reused
    assert re.search(r"body \{ color: #111111; \}", css.read_text(encoding="utf-8"))


def test_a_deleted_chart_file_is_drawn_again(project):
    first = build(project, "demo/2020")
    (chart,) = chart_files(first, "population-caisse")
    chart.unlink()
    second = build(project, "demo/2020")
    assert not second.reused and chart.exists()
