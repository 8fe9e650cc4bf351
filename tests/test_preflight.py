"""Layout preflight: each page checked after WeasyPrint, findings named by page."""
from __future__ import annotations

from pathlib import Path

from weasyprint import HTML

from reportgen.builder import build
from reportgen.pdf.preflight import check_pages

SOURCE = Path("essai.html")


def findings(body: str) -> list[str]:
    document = HTML(string=f"<html><body>{body}</body></html>").render()
    return [str(w) for w in check_pages(document, SOURCE)]


def test_a_heading_that_ends_a_page_is_reported():
    found = findings('<div style="height: 240mm"></div><h3>Les délais</h3>'
                     '<p style="break-before: page">Le texte de la section.</p>')
    assert found == ["essai.html: page 1 : l'intertitre « Les délais » finit la page, "
                     "sans rien de sa section sous lui"]


def test_text_running_out_of_the_page_is_reported():
    found = findings(f"<p>{'x' * 400}</p>")
    assert len(found) == 1 and found[0].startswith("essai.html: page 1 : « xxxx")
    assert found[0].endswith("» dépasse de la page à droite")


def test_a_lone_table_row_is_reported_but_not_a_one_row_table():
    breaks = {3: ' style="break-before: page"'}
    rows = "".join(f'<tr data-t="effectifs:1"{breaks.get(i, "")}><td>ligne {i}</td></tr>' for i in range(4))
    found = findings(f'<table>{rows}</table><table><tr data-t="seul:1"><td>une</td></tr></table>')
    assert found == ["essai.html: page 2 : une seule ligne du tableau « effectifs »"]


def test_a_clean_build_has_no_preflight_finding(demo_build):
    _, result = demo_build
    # The demo's chapters are a few lines each: its pages end early by design (half-empty pages
    # are tested in test_page_design.py); every other finding would be a fault.
    assert not [w for w in result.warnings if "page " in str(w) and "la page finit à" not in str(w)]


def test_strict_build_fails_on_a_preflight_finding(project):
    import pytest

    from reportgen.errors import ReportWarning

    md = project.content / "demo" / "2020" / "01-contexte.md"
    md.write_text(md.read_text(encoding="utf-8") + f"\n`{'x' * 300}`\n", encoding="utf-8")
    with pytest.raises(ReportWarning) as err:
        build(project, "demo/2020", strict=True)
    assert "dépasse de la page à droite" in str(err.value)
