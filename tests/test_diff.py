"""``reportgen diff``: between two proofs, exactly what was changed, with where it is written."""
from __future__ import annotations

import shutil

import pikepdf
import pytest
from click.testing import CliRunner

from conftest import copy_fixture, edit
from reportgen.builder import build
from reportgen.cli import main
from reportgen.workflows.diffing import diff
from reportgen.errors import ReportError

DEMO = "demo/2020"


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory):
    """A proof sent to the reviewers, then one cell and one sentence changed and the proof rebuilt."""
    root = tmp_path_factory.mktemp("deux-tours")
    project = copy_fixture(root / "projet")
    first = build(project, DEMO, proof=True).pdf
    sent = shutil.copy(first, root / "epreuve-1.pdf")
    edit(project.root / "data/demo/2020/tables/population.csv", "11,6 ‰;11,5 ‰", "11,6 ‰;11,4 ‰")
    edit(project.root / "content/demo/2020/00-message.md", "un « beau » résultat", "un très beau résultat")
    build(project, DEMO, proof=True)
    return project, sent


def test_diff_finds_the_changed_cell_and_the_reworded_sentence_with_their_sources(two_rounds):
    project, sent = two_rounds
    done = diff(project, project.edition(DEMO), against=sent)
    assert not done.approximate
    assert [c.kind for c in done.changes] == ["reformulé", "chiffre"]
    sentence, figure = done.changes
    assert sentence.old.endswith("un « beau » résultat : le 1er rang national.")
    assert sentence.new.endswith("un très beau résultat : le 1er rang national.")
    assert sentence.source == "content/demo/2020/00-message.md:6"
    assert (figure.old, figure.new) == ("11,5 ‰", "11,4 ‰")
    assert figure.source == "data/demo/2020/tables/population.csv:6, colonne « france »"

    with pikepdf.open(done.marked) as marked:        # the new proof, each change highlighted
        notes = [(str(a.Subtype), str(a.Contents)) for page in marked.pages for a in page.obj.get("/Annots") or []
                 if a.get("/T") == "reportgen diff"]
    assert ("/Highlight", "Avant : 11,5 ‰\nSource : data/demo/2020/tables/population.csv:6, colonne « france »") \
        in notes
    assert any(kind == "/Highlight" and text.startswith("Avant : L’année a été marquée") for kind, text in notes)
    assert done.marked.name == "rapport-activite-demo-2020-modifications.pdf"


def test_diff_on_the_command_line_and_against_the_same_proof(two_rounds, tmp_path):
    project, sent = two_rounds
    env = {"REPORTGEN_ROOT": str(project.root)}
    result = CliRunner().invoke(main, ["diff", DEMO, "--against", str(sent)], env=env)
    assert result.exit_code == 0, result.output
    assert "Chiffre modifié · p. 5 · data/demo/2020/tables/population.csv:6, colonne « france » : " \
           "« 11,5 ‰ » → « 11,4 ‰ »" in result.output
    assert "1 reformulé, 1 chiffre" in result.output

    current = project.edition(DEMO).proof_pdf
    assert diff(project, project.edition(DEMO), against=current).changes == []

    result = CliRunner().invoke(main, ["diff", DEMO], env=env)
    assert result.exit_code == 1 and "--against ANCIEN.pdf ou --against-year N-1" in result.output
    result = CliRunner().invoke(main, ["diff", DEMO, "--against-year", "N-1"], env=env)
    assert result.exit_code == 1 and "pas d'édition demo/2019" in result.output


def test_a_pdf_without_a_map_is_compared_by_its_text(two_rounds, monkeypatch):
    """A PDF whose map is gone (a final PDF, an old proof): its text is read from the PDF, and the
    reworded sentence is still found, marked approximate."""
    import reportgen.workflows.diffing as diffing

    project, sent = two_rounds
    monkeypatch.setattr(diffing, "by_fingerprint", lambda candidates, wanted: None)
    done = diff(project, project.edition(DEMO), against=sent)
    assert done.approximate
    reworded = [c for c in done.changes if "beau" in (c.old or "") + (c.new or "")]
    assert reworded and "un « beau » résultat" in reworded[0].old and "un très beau résultat" in reworded[0].new


def test_a_pdf_that_does_not_read_gets_a_french_message(two_rounds, tmp_path):
    project, _ = two_rounds
    broken = tmp_path / "abime.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00" * 200)
    with pytest.raises(ReportError) as err:
        diff(project, project.edition(DEMO), against=broken)
    assert "abime.pdf" in str(err.value) and "Traceback" not in str(err.value)
