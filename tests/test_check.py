"""reportgen check: everything a build validates, without a PDF, every problem at once."""
from __future__ import annotations

import os
import subprocess
import sys

from reportgen.builder import check


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def run(project, *args):
    env = {**os.environ, "REPORTGEN_ROOT": str(project.root)}
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_a_clean_edition_has_only_its_known_warning(project):
    errors, warnings = check(project, "magazine/2020")
    assert errors == []
    assert [str(w) for w in warnings] == [
        "content/magazine/2020/01-identite.md:14: photo absente, rien n'est imprimé à sa place : images/absente.jpg"]


def test_every_broken_chapter_is_reported_at_once_without_a_pdf(project):
    content = project.content / "demo" / "2020"
    edit(content / "01-contexte.md", '{{ table("population") }}', '{{ table("populations") }}')
    edit(content / "02-activite.md", '{{ table("effectifs") }}', '{{ tableau("effectifs") }}')
    errors, _ = check(project, "demo/2020")
    messages = [str(e) for e in errors]
    assert any(m.startswith("content/demo/2020/01-contexte.md:13:") and "populations" in m for m in messages)
    assert any(m.startswith("content/demo/2020/02-activite.md:6:") and "tableau" in m for m in messages)
    assert not (project.build / "demo-2020" / "rapport-activite-demo-2020.pdf").exists()


def test_a_table_never_printed_is_a_warning_and_an_error_when_strict(project):
    edit(project.content / "demo" / "2020" / "annexe-1.md", '{{ table("actions-par-acteur") }}', "")
    errors, warnings = check(project, "demo/2020")
    assert errors == []
    assert [str(w) for w in warnings] == ["data/demo/2020/tables/actions-par-acteur.csv: tableau "
                                          "« actions-par-acteur » jamais imprimé — placez-le avec "
                                          '{{ table("actions-par-acteur") }} ou retirez-le']
    done = run(project, "check", "--strict", "demo/2020")
    assert done.returncode == 1
    assert "data/demo/2020/tables/actions-par-acteur.csv" in done.stdout and "Erreur : " in done.stdout
    relaxed = run(project, "check", "demo/2020")
    assert relaxed.returncode == 0 and "1 avertissement(s)" in relaxed.stdout


def test_a_proof_names_its_sources_marks_every_page_and_lists_open_items(project):
    from pypdf import PdfReader

    from reportgen.builder import build

    final = build(project, "demo/2020").pdf
    before = final.read_bytes()
    md = project.content / "demo" / "2020" / "01-contexte.md"
    md.write_text(md.read_text(encoding="utf-8").replace("---\n", "---\nreview: à relire\n", 1), encoding="utf-8")
    result = build(project, "demo/2020", proof=True)
    assert result.pdf.name == "rapport-activite-demo-2020-epreuve.pdf"
    assert final.read_bytes() == before                     # the final PDF is left as it was
    # Lato draws « - » and « ‐ » (U+2010) with one glyph: the untagged proof may give back either
    pages = [p.extract_text().replace("\u2010", "-") for p in PdfReader(str(result.pdf)).pages]
    assert all("ÉPREUVE" in text for text in pages[1:])
    text = " ".join(pages)
    assert "tables/population.csv" in text and "kpis/chiffres.yml (circonscription : communes" in text
    assert "Épreuve : points ouverts" in pages[-1] and "01-contexte.md : à relire" in pages[-1]
