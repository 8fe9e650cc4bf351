"""The command line: exit status, one clear message, --help everywhere, list."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run(project, *args):
    env = {**os.environ, "REPORTGEN_ROOT": str(project.root)}
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_build_without_argument_builds_every_edition(project):
    done = run(project, "build")
    assert done.returncode == 0, done.stderr
    assert "build/demo-2020/rapport-activite-demo-2020.pdf : 12 pages" in done.stdout
    # not a terminal: plain progress lines with the stage numbers
    for n, stage in enumerate(["Lecture", "Contenu", "Graphiques", "HTML", "Mise en page", "Écriture"], 1):
        assert f"[demo/2020] {n}/6 {stage}" in done.stderr
    assert (project.build / "demo-2020" / "rapport-activite-demo-2020.pdf").exists()


def test_error_is_one_line_without_traceback_unless_debug(project):
    csv = project.data / "demo" / "2020" / "tables" / "effectifs.csv"
    csv.write_text(csv.read_text().replace("806", "huit"))
    done = run(project, "build", "demo/2020")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Erreur : data/demo/2020/tables/effectifs.csv:2 (colonne « 2019 »): "
                           "« huit » n'est pas un nombre"), last
    assert "Traceback" not in done.stderr
    debug = run(project, "--debug", "build", "demo/2020")
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_unknown_edition_lists_the_known_ones(project):
    done = run(project, "build", "demo/1999")
    assert done.returncode == 1
    assert "édition « demo/1999 » introuvable" in done.stderr and "demo/2020" in done.stderr


def test_list_shows_editions_and_state(project):
    assert "demo/2020" in run(project, "list").stdout
    assert "jamais construit" in run(project, "list").stdout
    run(project, "build")
    assert "à jour" in run(project, "list").stdout


@pytest.mark.parametrize("command", [[], ["build"], ["list"], ["check"], ["new"], ["status"], ["collect"],
                                     ["collect", "export"], ["collect", "import"], ["preview"], ["audit"]])
def test_help_on_every_command(project, command):
    done = run(project, *command, "--help")
    assert done.returncode == 0 and "Utilisation :" in done.stdout


def test_wrong_usage_exits_2(project):
    assert run(project, "construire").returncode == 2


def test_audit_passes_a_final_pdf_and_fails_a_draft(project):
    assert run(project, "build", "demo/2020").returncode == 0
    done = run(project, "audit", "demo/2020")
    assert done.returncode == 0 and "accessible (PDF/UA-1)" in done.stdout
    assert run(project, "build", "--draft", "demo/2020").returncode == 0     # a draft is not tagged
    done = run(project, "audit", str(project.edition("demo/2020").draft_pdf))
    assert done.returncode == 1 and "balisé" in done.stderr


def test_parallel_build_starts_the_longest_edition_and_prints_in_the_order_asked(project):
    import json

    from reportgen.builder import longest_first

    names = ["demo/2020", "finances/2020", "magazine/2020"]
    assert longest_first(project, names) == names          # none built yet: the order asked
    for name, seconds in (("demo/2020", 3.5), ("finances/2020", 9.0)):
        out = project.edition(name).out
        out.mkdir(parents=True, exist_ok=True)
        (out / "build-inputs.json").write_text(json.dumps({"seconds": seconds}), encoding="utf-8")
    # never built comes first (its cost is unknown), then the longest last build
    assert longest_first(project, names) == ["magazine/2020", "finances/2020", "demo/2020"]


@pytest.mark.slow
def test_build_j2_builds_each_edition_once_and_reports_them_in_order(project):
    done = run(project, "build", "-j", "2", "finances/2020", "demo/2020")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.endswith("pages")]
    assert [line.split("/")[1] for line in lines] == ["finances-2020", "demo-2020"]
    import json

    for name in ("finances/2020", "demo/2020"):
        stamp = json.loads((project.edition(name).out / "build-inputs.json").read_text(encoding="utf-8"))
        assert stamp["seconds"] > 0


def test_charts_are_drawn_in_process_when_the_build_has_one_core(project, monkeypatch):
    """Under « build -j », an edition's worker has the cores left: no pool of chart workers inside it."""
    import concurrent.futures

    from reportgen.builder import Builder

    def no_pool(*args, **kwargs):
        raise AssertionError("un pool de processus dans un processus de construction")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    builder = Builder(project, "demo/2020", workers=1)
    builder.run()
    assert list((project.edition("demo/2020").out / "charts").glob("*.svg"))
