"""The whole network: editions built on a Dask cluster (``build --cluster``) and the synthetic network
(``demo network``).

Every PDF built on the cluster is compared byte for byte with a local build of the same inputs.
The cluster of the slow tests is a ``LocalCluster`` of two worker processes with one thread each;
the network test starts its own through ``--cluster local -j 2``, before the other one exists.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import copy_fixture
from reportgen.builder import build
from reportgen.errors import ReportError
from reportgen.french import parse_figure
from reportgen.network.demo import changed_figure, make_network
from reportgen.project import Project

FIXTURE_EDITIONS = ["demo/2020", "finances/2020", "magazine/2020", "numeros/2023"]


def run(root: Path, *args: str, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True,
                          env={**os.environ, "REPORTGEN_ROOT": str(root), **(env or {})}, timeout=600)


def summary_row(stdout: str, name: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith(name + " "))


# --- fast: the command line, the synthetic network ------------------------------------------------
def test_help_and_the_options_do_not_import_dask(project):
    for args in (["--help"], ["build", "--help"], ["demo", "network", "--help"]):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "reportgen", *args], capture_output=True,
                              text=True, env={**os.environ, "REPORTGEN_ROOT": str(project.root)}, timeout=60)
        assert done.returncode == 0, done.stderr
        imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines()
                    if line.startswith("import time:")}
        assert "reportgen" in imported and not imported & {"dask", "distributed"}, args
    assert "--cluster" in run(project.root, "build", "--help").stdout


def test_wrong_cluster_options_say_what_to_write(project):
    done = run(project.root, "build", "--shared-folder", "/srv/rapports", "demo/2020")
    assert done.returncode == 1 and "--shared-folder va avec --cluster" in done.stderr
    done = run(project.root, "build", "--cluster", "ftp://serveur", "demo/2020")
    assert done.returncode == 1 and "écrivez local, ou l'adresse d'un ordonnanceur Dask" in done.stderr
    done = run(project.root, "build", "--cluster", "local", "demo/1999")      # said before a cluster starts
    assert done.returncode == 1 and "édition « demo/1999 » introuvable" in done.stderr
    done = run(project.root, "build", "--cluster", "tcp://127.0.0.1:9", "demo/2020",
               env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(
        "Erreur : impossible de joindre l'ordonnanceur Dask tcp://127.0.0.1:9"), done.stderr
    assert "Traceback" not in done.stderr
    assert not project.edition("demo/2020").out.exists()


@pytest.mark.parametrize("text, same", [("1 234", False), ("97,03 %", False), ("-1,38", False),
                                        ("+ 5,1%", False), ("20 591 111 €", False), ("2019", True),
                                        ("15/01/2019", True), ("ns", True), ("=effectifs.cdi.2020", True)])
def test_a_figure_is_changed_as_it_is_written(text, same):
    new = changed_figure(text, 3)
    assert new == changed_figure(text, 3)           # the same rank, the same figure
    if same:
        assert new == text
        return
    old, figure = parse_figure(text), parse_figure(new)
    assert figure is not None and new != text
    assert (figure.unit, figure.decimals, figure.signed) == (old.unit, old.decimals, old.signed)
    assert abs(figure.value - old.value) <= abs(old.value) * Decimal("0.121")


def test_the_demo_network_is_fictitious_keeps_the_prose_and_is_the_same_each_time(tmp_path):
    project = copy_fixture(tmp_path / "projet")
    first = make_network(project, 6, tmp_path / "a")
    assert make_network(project, 6, tmp_path / "b") == first
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)

    network = Project(tmp_path / "a")
    assert network.editions() == sorted(first) and len(set(first)) == 6
    sources = {name.split("/")[0] for name in project.editions()}
    assert not sources & {name.split("/")[0] for name in first}
    demo = next(name for name in first if (network.edition(name).content / "02-activite.md").exists())
    paths, source = network.edition(demo), project.edition("demo/2020")
    manifest = paths.manifest.read_text(encoding="utf-8")
    assert f"caisse: {paths.caisse}" in manifest and "CPAM de Démonstration" not in manifest
    assert "Claire EXEMPLE" not in manifest
    # the prose is kept: a chapter without the caisse's name is the same file
    for chapter in ("01-contexte.md", "02-activite.md", "annexe-1.md"):
        assert (paths.content / chapter).read_text(encoding="utf-8") == \
            (source.content / chapter).read_text(encoding="utf-8")
    # the figures are changed, the tables' shape and headers are not
    before = (source.data / "tables" / "effectifs.csv").read_text(encoding="utf-8").splitlines()
    after = (paths.data / "tables" / "effectifs.csv").read_text(encoding="utf-8").splitlines()
    assert before[0] == after[0] and len(before) == len(after) and before != after
    assert [len(line.split(";")) for line in before] == [len(line.split(";")) for line in after]
    people = (paths.data / "lists" / "conseil.yml").read_text(encoding="utf-8")
    assert "Jean EXEMPLE" not in people and "Monsieur " in people
    # never in the project, never over a folder that holds something
    for folder in (project.root / "reseau", project.content / "reseau", tmp_path / "a"):
        with pytest.raises(ReportError) as raised:
            make_network(project, 2, folder)
        assert "hors du projet" in str(raised.value) or "n'est pas vide" in str(raised.value)
    assert not (project.root / "reseau").exists() and not (project.content / "reseau").exists()


def test_outputs_that_cannot_be_read_leave_the_last_build_as_it_was(built_project):
    from reportgen.network.cluster import install

    paths = built_project.edition("demo/2020")
    before = {p: p.read_bytes() for p in paths.out.rglob("*") if p.is_file()}
    with pytest.raises(ReportError) as raised:
        install(built_project, "demo/2020", b"\x1f\x8b pas une archive", "", {})
    assert "illisibles" in str(raised.value)
    assert {p: p.read_bytes() for p in paths.out.rglob("*") if p.is_file()} == before


# --- slow: builds on a cluster, compared with local builds -----------------------------------------
def on_cluster(project: Project, names: list[str]) -> dict[str, bytes]:
    return {name: project.edition(name).pdf.read_bytes() for name in names}


def assert_local_builds_give(project: Project, pdfs: dict[str, bytes]) -> None:
    """Each edition built again on this machine, cold, in the same folder, gives the same bytes.

    The same folder: WeasyPrint names a photo in the PDF after its absolute path (see
    ``reportgen.network.cluster._images_named_as_on``).
    """
    for name, pdf in pdfs.items():
        shutil.rmtree(project.edition(name).out)
        assert build(project, name).pdf.read_bytes() == pdf, name


@pytest.mark.slow
def test_a_synthetic_network_of_six_builds_on_a_local_cluster_as_on_one_machine(tmp_path):
    source = copy_fixture(tmp_path / "source")
    made = run(source.root, "demo", "network", "6", str(tmp_path / "reseau"))
    assert made.returncode == 0, made.stderr
    network = Project(tmp_path / "reseau")
    names = network.editions()
    assert len(names) == 6

    done = run(network.root, "build", "--cluster", "local", "-j", "2")
    assert done.returncode == 0, done.stderr
    assert "6 édition(s)" in done.stdout and "sur 2 travailleur(s) de la grappe locale : 6 construite(s)" \
        in done.stdout, done.stdout
    assert "[6/6]" in done.stderr and "Traceback" not in done.stderr
    workers = {re.search(r"tcp://\S+", summary_row(done.stdout, name))[0] for name in names}
    assert len(workers) == 2, done.stdout        # both workers built editions
    assert_local_builds_give(network, on_cluster(network, names))


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as running:
        yield running


class KillOnce:
    """A worker plugin: the first worker to start ``slug``'s task dies half a second later (its
    process ends at once, as when the machine loses it); the file ``marker`` keeps its address."""

    name = "reportgen-test-kill-once"

    def __init__(self, slug: str, marker: str):
        self.slug, self.marker = slug, marker

    def setup(self, worker):
        self.worker = worker

    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and f"reportgen-{self.slug}-" in str(key) and not os.path.exists(self.marker):
            with open(self.marker, "w", encoding="utf-8") as f:
                f.write(self.worker.address)
            threading.Timer(0.5, os._exit, args=(1,)).start()


@pytest.mark.slow
def test_the_fixture_editions_on_a_cluster_are_the_local_pdfs_even_when_a_worker_dies(cluster, tmp_path):
    import cloudpickle
    from distributed import Client, WorkerPlugin

    cloudpickle.register_pickle_by_value(sys.modules[__name__])     # the workers do not import the tests
    plugin = type("KillOnce", (KillOnce, WorkerPlugin), {})("magazine-2020", str(tmp_path / "tué"))
    project = copy_fixture(tmp_path / "projet")
    with Client(cluster) as client:
        client.register_plugin(plugin)
        try:
            done = run(project.root, "build", "--cluster", cluster.scheduler_address, *FIXTURE_EDITIONS)
        finally:
            client.unregister_worker_plugin(KillOnce.name)
    assert done.returncode == 0, done.stderr
    killed = (tmp_path / "tué").read_text(encoding="utf-8")
    row = summary_row(done.stdout, "magazine/2020")
    assert "reprise 1 fois" in row and killed not in row, done.stdout
    assert "4 construite(s), 0 à jour, 0 en erreur" in done.stdout
    for name in FIXTURE_EDITIONS:
        assert not [p for p in project.edition(name).out.iterdir() if p.name.startswith(".")]
    pdfs = on_cluster(project, FIXTURE_EDITIONS)
    # the outputs received vouch for the inputs sent: nothing to build again, here or on the cluster
    again = run(project.root, "build", "demo/2020")
    assert "(à jour : rien n'a changé" in again.stdout, again.stdout + again.stderr
    again = run(project.root, "build", "--cluster", cluster.scheduler_address, *FIXTURE_EDITIONS)
    assert again.returncode == 0 and "0 construite(s), 4 à jour" in again.stdout, again.stdout
    assert_local_builds_give(project, pdfs)


@pytest.mark.slow
@pytest.mark.parametrize("shared", [False, True], ids=["envoyé", "dossier-partagé"])
def test_a_failing_edition_says_why_in_french_and_the_others_are_built(cluster, tmp_path, shared):
    project = copy_fixture(tmp_path / "projet")
    csv = project.data / "demo" / "2020" / "tables" / "effectifs.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("806", "huit"), encoding="utf-8")
    where = ["--shared-folder", str(project.root)] if shared else []
    done = run(project.root, "build", "--cluster", cluster.scheduler_address, *where, "demo/2020", "finances/2020")
    assert done.returncode == 1
    assert ("[demo/2020] Erreur : data/demo/2020/tables/effectifs.csv:2 (colonne « 2019 »): « huit » n'est pas "
            "un nombre") in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "erreur" in summary_row(done.stdout, "demo/2020") and "1 construite(s), 0 à jour, 1 en erreur" \
        in done.stdout
    out = project.edition("demo/2020").out
    assert not project.edition("demo/2020").pdf.exists()
    assert not out.exists() or not [p for p in out.iterdir() if p.name.startswith(".")]
    assert_local_builds_give(project, on_cluster(project, ["finances/2020"]))
