"""The outputs of a build: written beside their targets, swapped in together or not at all.

A build's outputs are the final PDF (or the draft, or the proof), the tables' CSV and workbook
under ``donnees/``, the web edition ``html/`` and the build stamp. These tests break the
write path at each step (an exception, a full disk, no right to write, a rename failing
halfway, Ctrl+C) after a first good build, and check that the previous outputs are left
byte for byte, with no temporary file behind.
"""
from __future__ import annotations

import errno
import itertools
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_fixture
from reportgen import builder as builder_mod, files
from reportgen.render import exports, web
from reportgen.builder import Builder, build
from reportgen.cli import main
from reportgen.errors import ContentError, LayoutError, ReportError
from reportgen.files import Staging, remove_stale

EDITION = "demo/2020"
UMASK = os.umask(0)
os.umask(UMASK)


FIRST: dict[str, bytes] = {}       # the outputs of the module's first build, and its HTML document


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The demo edition built once for this module: (project, result)."""
    project = copy_fixture(tmp_path_factory.mktemp("outputs"))
    result = build(project, EDITION)
    FIRST.update(outputs(project), document=result.html.read_bytes())
    return project, result


@pytest.fixture
def rebuilt(built, monkeypatch):
    """The module's project, with its next build done in full (never reused from the stamp)."""
    monkeypatch.setattr(Builder, "_reuse", lambda self, stamp, inputs: None)
    return built[0]


def outputs(project) -> dict[str, bytes]:
    """Every output of the edition, by path: what a failed build must leave as it was."""
    out = project.edition(EDITION).out
    found = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if rel.parts[0] in ("charts", "pieces", "pieces-final") or rel.suffix == ".html" and len(rel.parts) == 1:
            continue      # caches, and the HTML document WeasyPrint lays out (stage 4)
        if path.is_file():
            found[rel.as_posix()] = path.read_bytes()
    assert {"rapport-activite-demo-2020.pdf", "build-inputs.json", "html/index.html",
            "donnees/rapport-activite-demo-2020-tableaux.xlsx"} <= set(found)
    return found


def leftovers(project) -> list[str]:
    """Temporary files and staging folders: a dot name anywhere under the edition's folder."""
    out = project.edition(EDITION).out
    return [p.relative_to(out).as_posix() for p in out.rglob(".*")]


_CHANGES = itertools.count(1)


@contextmanager
def changed_text(project):
    """A chapter changed for the length of the block: a new build would print a PDF never printed before."""
    chapter = project.content / "demo" / "2020" / "01-contexte.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + f"\nLe paragraphe ajouté n° {next(_CHANGES)}, qui ne doit jamais être publié.\n",
                       encoding="utf-8")
    try:
        yield
    finally:
        chapter.write_text(text, encoding="utf-8")


def _raise(exc: BaseException):
    def broken(*args, **kwargs):
        raise exc
    return broken


# --- a failure after the PDF is laid out -----------------------------------------------------------
def test_a_failing_web_edition_leaves_every_previous_output(rebuilt, monkeypatch):
    before = outputs(rebuilt)
    laid_out = []

    def broken(page, charts, out_dir, target, assets, downloads, wait=None):
        if wait is not None:
            wait()          # made beside the layout: the PDF comes first all the same
        laid_out.append(downloads[0].source.is_file())     # the new PDF is written, beside its target
        raise LayoutError("image introuvable pour l'édition web : images/absente.png")

    monkeypatch.setattr(web, "write_edition", broken)
    with changed_text(rebuilt), pytest.raises(LayoutError):
        build(rebuilt, EDITION)
    assert laid_out == [True]
    assert outputs(rebuilt) == before
    assert leftovers(rebuilt) == []


def test_the_web_edition_and_open_data_are_made_beside_the_layout_as_they_would_be_after_it(rebuilt, monkeypatch,
                                                                                            tmp_path):
    """With two workers, another process makes the workbook and the web pages while the PDF is
    laid out; the web pages wait for the PDF only to give its size. The outputs are those of a
    build that makes them after the PDF, in its own process (one worker)."""
    made_by = tmp_path / "pids"
    real = web.write_edition

    def spy(*args, **kwargs):
        with made_by.open("a") as record:
            record.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(web, "write_edition", spy)
    build(rebuilt, EDITION, workers=2)
    beside = outputs(rebuilt)
    assert [int(pid) for pid in made_by.read_text().split()] != [os.getpid()]   # another process
    made_by.unlink()
    build(rebuilt, EDITION, workers=1)
    assert [int(pid) for pid in made_by.read_text().split()] == [os.getpid()]
    after = outputs(rebuilt)
    del beside["build-inputs.json"], after["build-inputs.json"]     # the stamp says how long it took
    assert after == beside
    cover = (rebuilt.edition(EDITION).out / "html" / "index.html").read_text(encoding="utf-8")
    assert web.PENDING_SIZE not in cover
    assert web.Download(rebuilt.edition(EDITION).pdf, "", "PDF").size in cover
    assert leftovers(rebuilt) == []


def test_a_full_disk_while_writing_the_workbook_gives_a_french_message(rebuilt, monkeypatch):
    before = outputs(rebuilt)
    folder = rebuilt.edition(EDITION).out

    def full(target, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(exports, "write_bytes", full)
    with changed_text(rebuilt), pytest.raises(ReportError) as err:
        build(rebuilt, EDITION)
    message = str(err.value)
    assert message.startswith("build/demo-2020: disque plein") and "libérez de la place" in message, message
    assert "\n" not in message and err.value.path == folder
    assert outputs(rebuilt) == before
    assert leftovers(rebuilt) == []


def test_no_right_to_write_names_the_file_and_says_what_to_do(rebuilt, monkeypatch):
    """A read-only build/ (chmod does not stop root, who runs the tests: the error is injected)."""
    before = outputs(rebuilt)
    html = rebuilt.edition(EDITION).html
    document = html.read_bytes()

    def denied(target, text):
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    monkeypatch.setattr(builder_mod, "write_text", denied)
    with changed_text(rebuilt), pytest.raises(ReportError) as err:
        build(rebuilt, EDITION)
    # the HTML document is written in the staging folder with the other outputs: the edition's
    # folder is named, as for the workbook
    assert str(err.value).startswith("build/demo-2020: accès refusé")
    assert html.read_bytes() == document
    assert "droits d'écriture sur build/" in str(err.value)
    assert outputs(rebuilt) == before


def test_a_rename_failing_halfway_puts_back_the_outputs_already_swapped(rebuilt, monkeypatch):
    """The new PDF is already in place when the web folder fails to follow it: the old PDF comes back."""
    before = outputs(rebuilt)
    out = rebuilt.edition(EDITION).out
    real = os.replace
    swapped = []

    def replace(source, target):
        if Path(target) == out / "html" and Path(source).parent.name.startswith(files.STAGING):
            raise OSError(errno.EIO, "Input/output error", str(target))
        real(source, target)
        swapped.append(Path(target))

    monkeypatch.setattr(os, "replace", replace)
    with changed_text(rebuilt), pytest.raises(ReportError) as err:
        build(rebuilt, EDITION)
    assert out / "rapport-activite-demo-2020.pdf" in swapped      # the failure came after the PDF's swap
    assert "erreur du système de fichiers" in str(err.value)
    assert outputs(rebuilt) == before
    assert leftovers(rebuilt) == []


def test_files_are_written_with_the_mode_of_a_plain_file(built):
    project, result = built
    out = result.pdf.parent
    for path in (result.pdf, out / "build-inputs.json", out / "html" / "index.html",
                 out / "donnees" / "effectifs.csv", out / "donnees" / "rapport-activite-demo-2020-tableaux.xlsx"):
        assert path.stat().st_mode & 0o777 == 0o666 & ~UMASK, path      # not mkstemp's 0600
    for folder in (out / "html", out / "donnees"):
        assert folder.stat().st_mode & 0o777 == 0o777 & ~UMASK, folder  # not mkdtemp's 0700


def test_two_builds_are_byte_identical(rebuilt):
    """The same inputs as the module's first build, built again in full, some seconds later."""
    again = build(rebuilt, EDITION)
    second = outputs(rebuilt) | {"document": again.html.read_bytes()}
    for name in ("rapport-activite-demo-2020.pdf", "document", "html/index.html",
                 "donnees/rapport-activite-demo-2020-tableaux.xlsx", "donnees/effectifs.csv"):
        assert second[name] == FIRST[name], name


# --- the draft -------------------------------------------------------------------------------------
def test_the_draft_has_its_own_file_and_list_says_so(built):
    project, result = built
    paths = project.edition(EDITION)
    before = outputs(project)
    draft = build(project, EDITION, draft=True)
    assert draft.pdf == paths.draft_pdf == paths.out / "rapport-activite-demo-2020-brouillon.pdf"
    assert draft.pdf.is_file() and draft.web is None
    after = outputs(project)
    assert {name: after[name] for name in before} == before       # the final PDF, its workbook, its web edition
    assert set(after) - set(before) <= {draft.pdf.name, "build-inputs-brouillon.json"}
    done = CliRunner().invoke(main, ["list"], env={"REPORTGEN_ROOT": str(project.root)})
    line = next(x for x in done.output.splitlines() if x.startswith(EDITION))
    assert "PDF final, à jour" in line and "brouillon, à jour (à ne pas publier)" in line, line
    done = CliRunner().invoke(main, ["status", EDITION], env={"REPORTGEN_ROOT": str(project.root)})
    assert "build/demo-2020/rapport-activite-demo-2020-brouillon.pdf : brouillon" in done.output, done.output


# --- what a killed build leaves --------------------------------------------------------------------
def _dead_pid() -> int:
    return 2**31 - 2     # above any process id Linux gives


def test_a_build_removes_what_a_killed_build_left(built, monkeypatch):
    project, _ = built
    out = project.edition(EDITION).out
    stale_files = [out / f".{_dead_pid()}-k1ll3d00.pdf.part",              # a killed build of this version
                   out / ".ab_cd123.pdf.part",                              # of the version before
                   out / "donnees" / f".{_dead_pid()}-k1ll3d00.xlsx.part"]
    stale_folders = [out / f"{files.STAGING}{_dead_pid()}-k1ll3d00", out / ".html-ancien", out / ".html-ab_cd123"]
    kept = [out / f".{os.getpid()}-l1v1ng00.pdf.part",      # a build still running
            out / "notes.part", out / ".notes"]              # not our names
    for path in stale_files + kept:
        path.write_bytes(b"%PDF-1.7 partiel")
    for path in stale_folders:
        (path / "html").mkdir(parents=True)
    # first thing: even a build that stops at once (here in stage 1) removes them
    monkeypatch.setattr(Builder, "_reuse", lambda self, stamp, inputs: None)
    monkeypatch.setattr(Builder, "read", _raise(ContentError("arrêt voulu")))
    with pytest.raises(ContentError):
        build(project, EDITION)
    stale = stale_files + stale_folders
    assert [p for p in stale if p.exists()] == []
    assert all(p.exists() for p in kept)
    for path in kept:
        path.unlink()


def test_a_swap_killed_halfway_gets_its_old_outputs_back(tmp_path):
    out = tmp_path / "build" / "demo-2020"
    staged = out / f"{files.STAGING}{_dead_pid()}-k1ll3d00"
    (staged / "ancien" / "html").mkdir(parents=True)
    (staged / "ancien" / "html" / "index.html").write_text("l'ancienne édition web", encoding="utf-8")
    (staged / "sceau" / "build-inputs.json").parent.mkdir(parents=True)
    (staged / "sceau" / "build-inputs.json").write_text("{}", encoding="utf-8")
    remove_stale(out)
    assert (out / "html" / "index.html").read_text(encoding="utf-8") == "l'ancienne édition web"
    assert not (out / "build-inputs.json").exists()     # no stamp vouching for a mix of old and new
    assert list(out.iterdir()) == [out / "html"]


# --- the swap itself -------------------------------------------------------------------------------
def _three_outputs(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            found[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return found


@pytest.mark.parametrize("failing", range(1, 6))
def test_each_rename_of_a_swap_failing_leaves_every_old_output(tmp_path, monkeypatch, failing):
    """A file, a folder and a seal: renames 1 to 5 of the swap each fail in turn."""
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "index.html").write_text("ancienne page", encoding="utf-8")
    (tmp_path / "rapport.pdf").write_text("ancien PDF", encoding="utf-8")
    (tmp_path / "stamp.json").write_text("ancien tampon", encoding="utf-8")
    before = _three_outputs(tmp_path)
    real, calls = os.replace, []

    def replace(source, target):
        calls.append(target)
        if len(calls) == failing:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        real(source, target)

    with Staging(tmp_path) as staging:
        staging.path(tmp_path / "rapport.pdf").write_text("nouveau PDF", encoding="utf-8")
        (staging.path(tmp_path / "html") / "index.html").parent.mkdir()
        (staging.path(tmp_path / "html") / "index.html").write_text("nouvelle page", encoding="utf-8")
        staging.path(tmp_path / "stamp.json").write_text("nouveau tampon", encoding="utf-8")
        monkeypatch.setattr(os, "replace", replace)
        with pytest.raises(OSError):
            staging.commit()
        monkeypatch.undo()
    assert len(calls) >= failing          # the failing rename was reached (those after it put things back)
    assert _three_outputs(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_swap_puts_every_output_in_place(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "vieux.css").write_text("ancien", encoding="utf-8")
    with Staging(tmp_path) as staging:
        staging.path(tmp_path / "rapport.pdf").write_text("nouveau PDF", encoding="utf-8")
        staging.path(tmp_path / "html").mkdir()
        (staging.path(tmp_path / "html") / "index.html").write_text("nouvelle page", encoding="utf-8")
        staging.commit()
    assert _three_outputs(tmp_path) == {"html/index.html": "nouvelle page", "rapport.pdf": "nouveau PDF"}


# --- the command line ------------------------------------------------------------------------------
def _cli(project, *args):
    return CliRunner().invoke(main, list(args), env={"REPORTGEN_ROOT": str(project.root)})


def test_an_unexpected_error_is_one_french_line_without_traceback(built, monkeypatch):
    project, _ = built
    monkeypatch.setattr(builder_mod, "build", _raise(ZeroDivisionError("division by zero")))
    done = _cli(project, "build", EDITION)
    assert done.exit_code == 1
    lines = done.stderr.strip().splitlines()
    assert lines == ["Erreur inattendue : ZeroDivisionError : division by zero — relancez avec --debug "
                     "pour la trace complète et signalez-la"], done.stderr
    assert "Traceback" not in done.output
    debug = _cli(project, "--debug", "build", EDITION)
    assert debug.exit_code == 1 and "Traceback" in debug.stderr and "Erreur inattendue" in debug.stderr


def test_a_system_error_outside_a_build_is_one_french_line(built, monkeypatch):
    project, _ = built
    monkeypatch.setattr(builder_mod, "build",
                        _raise(OSError(errno.ENOSPC, "No space left on device", str(project.build))))
    done = _cli(project, "build", EDITION)
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert done.stderr.strip().splitlines()[-1].startswith("Erreur : build: disque plein"), done.stderr


def test_ctrl_c_during_a_build_exits_130_and_leaves_the_old_outputs(rebuilt, monkeypatch):
    before = outputs(rebuilt)
    monkeypatch.setattr(web, "write_edition", _raise(KeyboardInterrupt()))
    with changed_text(rebuilt):
        done = _cli(rebuilt, "build", EDITION)
    assert done.exit_code == 130, done.output
    assert done.stderr.strip().splitlines()[-1] == "Interrompu"
    assert outputs(rebuilt) == before
    assert leftovers(rebuilt) == []


@pytest.mark.slow
def test_the_same_edition_built_in_two_folders_is_the_same_pdf(tmp_path):
    """A photo's name in the PDF does not say where the project lies (WeasyPrint names it after
    its absolute address): the magazine fixture, which prints one, built in two folders."""
    from reportgen.builder import build

    import pikepdf

    built = [build(copy_fixture(tmp_path / folder), "magazine/2020").pdf for folder in ("un", "deux")]
    with pikepdf.open(built[0]) as pdf:
        assert any(image.get("/Subtype") == pikepdf.Name.Image
                   for page in pdf.pages for image in (page.Resources.get("/XObject") or {}).values())
    assert built[0].read_bytes() == built[1].read_bytes()
