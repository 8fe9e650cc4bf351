"""The review round-trip: a proof annotated the way readers save it, its comments back to the sources.

The annotations are placed from the PDF itself (pypdfium2 finds where a text is printed), not
from the source map under test; they are saved as readers do: by an incremental update
appended to the proof, or by rewriting the file with object streams, in any order.
"""
from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from conftest import copy_fixture, edit
from reportgen.builder import build
from reportgen.cli import main
from reportgen.errors import ReportError
from reportgen.workflows.review import import_review, open_items
from reportgen.pdf.sourcemap import SourceMap, fingerprint_of

DEMO = "demo/2020"


# --- where a text is printed, and annotations as readers write them ------------------------------
def printed(pdf: Path, page: int, text: str, nth: int = 0) -> list[float]:
    """[x0, y0, x1, y1] in PDF points of the ``nth`` printing of ``text`` on ``page`` (1-based)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        textpage = document[page - 1].get_textpage()
        searcher = textpage.search(text, match_case=True)
        for _ in range(nth + 1):
            found = searcher.get_next()
            assert found, f"« {text} » not printed on page {page}"
        start, count = found
        boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
        return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes)]
    finally:
        document.close()


def quad(rect: list[float]) -> list[float]:
    x0, y0, x1, y1 = rect
    return [x0, y1, x1, y1, x0, y0, x1, y0]     # as Acrobat writes them: top left, top right, bottom left…


def annotation(pdf: pikepdf.Pdf, subtype: str, rect: list[float], contents: str = "", author: str = "",
               **more) -> pikepdf.Dictionary:
    entries = {"/Type": pikepdf.Name.Annot, "/Subtype": pikepdf.Name(subtype), "/Rect": rect,
               "/Contents": pikepdf.String(contents), "/T": pikepdf.String(author),
               "/M": pikepdf.String("D:20260312102000+01'00'"), **more}
    return pdf.make_indirect(pikepdf.Dictionary(entries))


def annotate(proof: Path) -> dict[str, list]:
    """The reviewers' annotations of the demo proof, by page: what each reader put where."""
    note_at = printed(proof, 5, "La caisse protège")
    cell = printed(proof, 7, "806")
    tile = printed(proof, 5, "512")
    heading = printed(proof, 5, "La population")
    word = printed(proof, 5, "assurés du")
    cover = printed(proof, 1, "CPAM de Démonstration")
    return {"note": (5, "/Text", [note_at[0] + 2, note_at[3] - 22, note_at[0] + 22, note_at[3] - 2],
                     "Préciser « au 31 décembre »", "Claire Directrice"),
            "cell": (7, "/Highlight", cell, "Chiffre à vérifier avec la paie", "Agence comptable"),
            "tile": (5, "/StrikeOut", tile, "", "Service communication"),
            "heading": (5, "/FreeText", [heading[0], heading[1], heading[0] + 120, heading[3]],
                        "Titre : « La population protégée »", "Claire Directrice"),
            "replace": (5, "/Caret", word, "assurés sociaux", "Agence comptable"),
            "cover": (1, "/Text", [cover[0], cover[3] - 20, cover[0] + 20, cover[3]], "Logo trop petit",
                      "Claire Directrice"),
            "margin": (5, "/Text", [8, 400, 28, 424], "Pourquoi ce blanc ?", "Claire Directrice")}


def add_annotations(pdf: pikepdf.Pdf, wanted: dict, reverse: bool = False) -> dict[int, list]:
    """The annotations made in ``pdf``; {page: [annotation…]} (not yet attached to the pages)."""
    made: dict[int, list] = {}
    for name, (page, subtype, rect, contents, author) in wanted.items():
        more = {}
        if subtype in ("/Highlight", "/StrikeOut"):
            more["/QuadPoints"] = quad(rect)
        if subtype == "/FreeText":
            more["/DA"] = pikepdf.String("/Helv 10 Tf 1 0 0 rg")
        made.setdefault(page, []).append(annotation(pdf, subtype, rect, contents, author, **more))
        if name == "replace":     # Acrobat's « replace text »: a caret, and a strike-out grouped with it
            caret = made[page][-1]
            made[page].append(annotation(pdf, "/StrikeOut", rect, "", author, **{
                "/QuadPoints": quad(rect), "/IRT": caret, "/RT": pikepdf.Name.Group}))
        if name == "note":        # a reply to the note
            made[page].append(annotation(pdf, "/Text", rect, "D'accord", "Service communication",
                                         **{"/IRT": made[page][-1]}))
    if reverse:
        for page in made:
            made[page].reverse()
    return made


def save_rewritten(proof: Path, target: Path) -> Path:
    """Annotated and saved as a whole new file, with object streams, annotations in reverse order."""
    with pikepdf.open(proof) as pdf:
        for page, annots in add_annotations(pdf, annotate(proof), reverse=True).items():
            existing = list(pdf.pages[page - 1].obj.get("/Annots") or [])
            pdf.pages[page - 1].obj.Annots = pdf.make_indirect(pikepdf.Array(annots + existing))
        pdf.save(target, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return target


def save_incremental(proof: Path, target: Path) -> Path:
    """Annotated as Acrobat saves: the proof's bytes untouched, the new objects appended after
    them with their own cross-reference section and a trailer pointing back (/Prev)."""
    original = proof.read_bytes()
    previous = int(re.findall(rb"startxref\s+(\d+)", original)[-1])
    with pikepdf.open(proof) as pdf:
        size = int(pdf.trailer.Size)
        root = pdf.Root.objgen
        made = add_annotations(pdf, annotate(proof))
        objects: dict[int, bytes] = {}
        number = size
        numbers: dict[tuple, int] = {}
        for annots in made.values():
            for annot in annots:
                numbers[annot.objgen] = number
                number += 1

        def render(value) -> str:
            """PDF syntax of a value; indirect objects by reference, the new ones by their new number."""
            if isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) and value.is_indirect:
                num, gen = (numbers[value.objgen], 0) if value.objgen in numbers else value.objgen
                return f"{num} {gen} R"
            if isinstance(value, pikepdf.Dictionary):
                return "<<" + " ".join(f"{k} {render(v)}" for k, v in value.items()) + ">>"
            if isinstance(value, pikepdf.Array):
                return "[" + " ".join(render(v) for v in value) + "]"
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, (int, float, Decimal)):
                return str(value)
            return value.unparse().decode("latin-1")

        for annots in made.values():
            for annot in annots:
                objects[numbers[annot.objgen]] = ("<<" + " ".join(f"{k} {render(v)}" for k, v in annot.items())
                                                  + ">>").encode("latin-1")
        for page, annots in made.items():
            page_obj = pdf.pages[page - 1].obj
            entries = dict(page_obj.items())
            existing = [f"{a.objgen[0]} {a.objgen[1]} R" for a in (page_obj.get("/Annots") or [])]
            body = " ".join(f"{k} {render(v)}" for k, v in entries.items() if k != "/Annots")
            annots_ref = " ".join(existing + [f"{numbers[a.objgen]} 0 R" for a in annots])
            objects[page_obj.objgen[0]] = f"<<{body} /Annots [{annots_ref}]>>".encode("latin-1")
    update = bytearray(b"\n")
    offsets = {}
    base = len(original)
    for num in sorted(objects):
        offsets[num] = base + len(update)
        update += f"{num} 0 obj\n".encode() + objects[num] + b"\nendobj\n"
    xref = base + len(update)
    update += b"xref\n"
    for num in sorted(offsets):
        update += f"{num} 1\n{offsets[num]:010d} 00000 n \n".encode()
    update += (f"trailer\n<< /Size {number} /Root {root[0]} {root[1]} R /Prev {previous} >>\n"
               f"startxref\n{xref}\n%%EOF\n").encode()
    target.write_bytes(original + bytes(update))
    return target


# --- the tests --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def proofed(tmp_path_factory):
    """The demo edition's proof, built once: (project, its PDF)."""
    project = copy_fixture(tmp_path_factory.mktemp("relecture"))
    result = build(project, DEMO, proof=True)
    return project, result.pdf


def test_the_proof_has_its_source_map_beside_it_and_in_the_archive(proofed):
    project, proof = proofed
    mapped = SourceMap.read(proof.with_suffix(".json"))
    assert mapped is not None and mapped.fingerprint == fingerprint_of(proof)
    assert (proof.parent / "sources" / f"{mapped.fingerprint}.json").read_text(encoding="utf-8") == \
        proof.with_suffix(".json").read_text(encoding="utf-8")
    cell = next(b for b in mapped.blocks if b.text == "806")
    assert cell.source.file == "data/demo/2020/tables/effectifs.csv" and cell.source.column == "2019"
    x0, y0, x1, y1 = printed(proof, cell.page, "806")
    assert cell.contains((x0 + x1) / 2, (y0 + y1) / 2)      # the map's rectangle is where the PDF prints it


@pytest.mark.parametrize("save", [save_incremental, save_rewritten])
def test_annotations_come_back_to_their_sources(proofed, tmp_path, save):
    project, proof = proofed
    paths = project.edition(DEMO)
    annotated = save(proof, tmp_path / "epreuve-annotee.pdf")
    if save is save_incremental:   # the proof's own bytes are the first part of the file
        assert annotated.read_bytes().startswith(proof.read_bytes())
    done = import_review(paths, [annotated], today="2026-03-12")
    by_comment = {c.comment: c for c in done.comments}
    contexte = (project.root / "content/demo/2020/01-contexte.md").read_text(encoding="utf-8").splitlines()

    note = by_comment["Préciser « au 31 décembre »"]
    assert note.source == f"content/demo/2020/01-contexte.md:{_line_of(contexte, 'La caisse protège')}"
    assert note.author == "Claire Directrice" and note.date == "12/03/2026 10:20" and note.page == 5
    assert note.replies == ["réponse de Service communication : D'accord"]

    cell = by_comment["Chiffre à vérifier avec la paie"]
    csv = (project.root / "data/demo/2020/tables/effectifs.csv").read_text(encoding="utf-8").splitlines()
    assert cell.source == f"data/demo/2020/tables/effectifs.csv:{_line_of(csv, 'cdi;')}, colonne « 2019 »"
    assert cell.quote == "806" and cell.kind == "surlignage"

    tile = next(c for c in done.comments if c.kind == "barré")
    kpis = (project.root / "data/demo/2020/kpis/chiffres.yml").read_text(encoding="utf-8").splitlines()
    assert tile.source.startswith(f"data/demo/2020/kpis/chiffres.yml:{_line_of(kpis, 'key: communes')}")
    assert tile.comment == "supprimer « 512 »"

    heading = by_comment["Titre : « La population protégée »"]
    assert heading.source == f"content/demo/2020/01-contexte.md:{_line_of(contexte, '## La population')}"

    replaced = next(c for c in done.comments if c.kind == "remplacement")
    assert replaced.comment == "remplacer « assurés du » par « assurés sociaux »"
    assert replaced.source == note.source

    apart = {c.comment: c for c in done.comments if not c.placed}
    assert set(apart) == {"Logo trop petit", "Pourquoi ce blanc ?"}
    assert "couverture" in apart["Logo trop petit"].reason
    assert "marge" in apart["Pourquoi ce blanc ?"].reason
    assert len(done.comments) == 7

    checklist = done.markdown.read_text(encoding="utf-8")
    assert done.markdown.name == "relecture-2026-03-12.md" and done.workbook.is_file()
    assert checklist.count("- [ ] ") == 7 and "## Non placés (2)" in checklist
    assert f"p. 7 · {cell.source} · « 806 »" in checklist


def test_the_checklist_is_ticked_off_in_status_and_kept_on_a_second_import(proofed, tmp_path):
    project, proof = proofed
    paths = project.edition(DEMO)
    annotated = save_rewritten(proof, tmp_path / "relu.pdf")
    done = import_review(paths, [annotated], today="2026-03-13")
    assert sum("relecture-2026-03-13.md" in line for line in open_items(paths)) == 7
    text = done.markdown.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if "Chiffre à vérifier" in line)
    done.markdown.write_text(text.replace(first, first.replace("- [ ]", "- [x]")), encoding="utf-8")
    from openpyxl import load_workbook

    book = load_workbook(done.workbook)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("Commentaire")].value == "Logo trop petit")
    row[header.index("Fait")].value = "x"
    book.save(done.workbook)
    left = [line for line in open_items(paths) if "relecture-2026-03-13.md" in line]
    assert len(left) == 5 and not any("Chiffre à vérifier" in line or "Logo" in line for line in left)

    again = import_review(paths, [annotated], today="2026-03-13")     # the same PDF again: nothing doubles
    assert again.new == 0
    assert again.markdown.read_text(encoding="utf-8").count("<!-- id:") == 7
    assert len([line for line in open_items(paths) if "relecture-2026-03-13.md" in line]) == 5

    result = CliRunner().invoke(main, ["status", DEMO], env={"REPORTGEN_ROOT": str(project.root)})
    assert result.exit_code == 0, result.output
    assert "Commentaires de relecture à traiter" in result.output


def test_a_comment_on_an_earlier_proof_is_placed_through_its_text(tmp_path):
    project = copy_fixture(tmp_path / "projet")
    old = build(project, DEMO, proof=True).pdf
    sent = shutil.copy(old, tmp_path / "envoyee.pdf")
    annotated = save_rewritten(Path(sent), tmp_path / "annotee.pdf")
    chapter = project.root / "content/demo/2020/01-contexte.md"
    edit(chapter, "## La circonscription\n", "## La circonscription\n\nUn paragraphe ajouté depuis l'envoi.\n\n")
    build(project, DEMO, proof=True)
    assert len(list((project.edition(DEMO).out / "sources").glob("*.json"))) == 2   # the first map kept
    done = import_review(project.edition(DEMO), [annotated], today="2026-03-14")
    assert done.other_version == ["annotee.pdf"]
    note = next(c for c in done.comments if c.comment == "Préciser « au 31 décembre »")
    lines = chapter.read_text(encoding="utf-8").splitlines()
    assert note.source == f"content/demo/2020/01-contexte.md:{_line_of(lines, 'La caisse protège')}"


def test_a_pdf_that_is_not_a_proof_gets_a_french_message(proofed, tmp_path):
    project, _ = proofed
    stranger = tmp_path / "courrier.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([annotation(pdf, "/Text", [10, 10, 30, 30], "?")]))
        pdf.save(stranger)
    with pytest.raises(ReportError, match="n'est pas une épreuve reportgen de demo/2020"):
        import_review(project.edition(DEMO), [stranger])
    (tmp_path / "texte.pdf").write_text("pas un PDF", encoding="utf-8")
    result = CliRunner().invoke(main, ["review", "import", DEMO, str(tmp_path / "texte.pdf")],
                                env={"REPORTGEN_ROOT": str(project.root)})
    assert result.exit_code == 1
    assert "texte.pdf" in result.output and "n'est pas un PDF lisible" in result.output
    assert "Traceback" not in result.output


def _line_of(lines: list[str], start: str) -> int:
    """The number of the first line that starts with ``start`` (spaces and « - { » aside)."""
    return next(n for n, line in enumerate(lines, 1) if line.lstrip(" -{").startswith(start))
