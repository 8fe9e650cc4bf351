"""A new caisse anywhere: `reportgen init`, a project found from its folder, the layouts shipped
in the package and overridden by a project's own, the command line in French."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen import cli
from reportgen.builder import check
from reportgen.errors import ConfigError
from reportgen.workflows.init import Identity, init_edition, territory_of
from reportgen.render.layout import load_layout
from reportgen.project import PROJECT_FILE, Project, shipped_layouts

REPO = Path(__file__).resolve().parent.parent
VIENNE = ["init", "vienne/2024", "--organisation", "CPAM de la Vienne"]


def other_caisses() -> set[str]:
    """The words that name the caisses of this repository: their folders and organisations' names."""
    words = set()
    for manifest in (REPO / "content").glob("*/*/edition.yml"):
        words.add(manifest.parent.parent.name)
        text = manifest.read_text(encoding="utf-8")
        organisation = re.search(r"(?m)^organisation:\s*(.+)$", text)[1]
        words |= {w for w in re.split(r"[\s'’-]+", organisation.strip("\"'")) if len(w) > 4 and w[0].isupper()}
    words -= {"Caisse", "Vienne"}
    return words


def invoke(folder: Path, args: list[str], monkeypatch, answers: str | None = None):
    monkeypatch.chdir(folder)
    monkeypatch.delenv("REPORTGEN_ROOT", raising=False)
    monkeypatch.setattr(cli, "_interactive", lambda: answers is not None)
    return CliRunner().invoke(cli.main, args, input=answers)


def test_init_makes_a_project_with_a_buildable_first_edition(tmp_path, monkeypatch):
    done = invoke(tmp_path, VIENNE, monkeypatch)
    assert done.exit_code == 0, done.output
    assert (tmp_path / PROJECT_FILE).is_file()
    manifest = (tmp_path / "content/vienne/2024/edition.yml").read_text(encoding="utf-8")
    assert 'organisation: "CPAM de la Vienne"' in manifest and 'territory: "VIENNE"' in manifest
    assert 'name: "à renseigner"' in manifest          # not given, not asked: left to fill
    assert (tmp_path / "content/vienne/theme.yml").is_file()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) > 10
    text = " ".join(p.read_text(encoding="utf-8") for p in written)
    assert not {w for w in other_caisses() if w.lower() in text.lower()}
    # what a build checks: it stops on what init left to fill, each named with its file and line
    errors, _warnings = check(Project(tmp_path), "vienne/2024")
    said = [str(e) for e in errors]
    assert any("edition.yml:13" in s and "signatory.name" in s for s in said), said
    assert any("effectifs.csv" in s for s in said) and any("conseil.yml" in s for s in said)
    assert not [s for s in said if "à renseigner" not in s], said     # nothing else is wrong


def test_init_asks_on_a_terminal(tmp_path, monkeypatch):
    answers = "\n".join(["CPAM de la Vienne", "", "Jeanne Martin", "Directrice générale",
                         "41 rue Arsène Orillard / 86000 POITIERS", ""]) + "\n"
    done = invoke(tmp_path, ["init", "vienne/2024"], monkeypatch, answers)
    assert done.exit_code == 0, done.output
    manifest = (tmp_path / "content/vienne/2024/edition.yml").read_text(encoding="utf-8")
    assert 'territory: "VIENNE"' in manifest           # the default offered, accepted
    assert 'name: "Jeanne Martin"' in manifest and 'role: "Directrice générale"' in manifest
    assert '- "41 rue Arsène Orillard"' in manifest and '- "86000 POITIERS"' in manifest
    assert 'slogan: "Agir ensemble, protéger chacun"' in manifest


def test_init_never_asks_without_a_terminal(tmp_path, monkeypatch):
    done = invoke(tmp_path, ["init", "vienne/2024"], monkeypatch)
    assert done.exit_code == 1
    assert "--organisation manquant" in done.output and not (tmp_path / "content").exists()


@pytest.mark.parametrize("name", ["Vienne/2024", "vienne", "vienne/24", "vienne/1850", "la vienne/2024", "../x/2024"])
def test_init_refuses_a_wrong_name(tmp_path, name):
    with pytest.raises(ConfigError, match="caisse/année|année entre"):
        init_edition(tmp_path, name, Identity("CPAM de la Vienne"))
    assert not list(tmp_path.iterdir())


def test_init_refuses_an_existing_caisse_and_never_overwrites(tmp_path):
    init_edition(tmp_path, "vienne/2024", Identity("CPAM de la Vienne"))
    before = (tmp_path / "content/vienne/2024/edition.yml").read_bytes()
    with pytest.raises(ConfigError, match="existe déjà"):
        init_edition(tmp_path, "vienne/2024", Identity("CPAM de la Vienne"))
    with pytest.raises(ConfigError, match="reportgen new vienne/2025"):
        init_edition(tmp_path, "vienne/2025", Identity("CPAM de la Vienne"))
    assert (tmp_path / "content/vienne/2024/edition.yml").read_bytes() == before


def test_init_adds_a_caisse_to_an_existing_project(project):
    found, written = init_edition(project.root / "content", "vienne/2024", Identity("CPAM de la Vienne"))
    assert found.root == project.root and not (project.root / PROJECT_FILE).exists()
    assert "vienne/2024" in project.editions() and "demo/2020" in project.editions()


@pytest.mark.parametrize("organisation, territory", [
    ("CPAM de la Vienne", "VIENNE"), ("CPAM des Landes", "LANDES"), ("CPAM de l'Hérault", "HÉRAULT"),
    ("CPAM du Gard", "GARD"), ("CPAM de Paris", "PARIS"), ("Caisse de Wallis", "à renseigner")])
def test_territory_under_the_logo_is_taken_from_the_organisation(organisation, territory):
    assert territory_of(organisation) == territory


def test_new_from_another_caisse_refuses(project, monkeypatch):
    from reportgen.workflows import yearly

    with pytest.raises(ConfigError, match="autre caisse.*reportgen init|reportgen init"):
        yearly.new_edition(project, "vienne/2021", "demo/2020")
    assert not (project.content / "vienne").exists()


def test_project_found_from_a_subfolder_by_its_file(tmp_path, monkeypatch):
    (tmp_path / PROJECT_FILE).write_text("reportgen: 1\n", encoding="utf-8")
    inner = tmp_path / "content" / "x"
    inner.mkdir(parents=True)
    monkeypatch.delenv("REPORTGEN_ROOT", raising=False)
    assert Project.find(inner).root == tmp_path.resolve()
    (tmp_path / PROJECT_FILE).write_text("reportgen: 1\nlayout: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="clé inconnue « layout »") as caught:
        Project.find(inner)
    assert caught.value.line == 2
    empty = tmp_path.parent / "vide"
    empty.mkdir()
    with pytest.raises(ConfigError, match="aucun projet reportgen") as caught:
        Project.find(empty)
    assert "reportgen init" in str(caught.value)


def test_shipped_layouts_serve_a_project_without_layouts(tmp_path):
    project = Project(tmp_path)
    assert project.layout_roots == [shipped_layouts()]
    layout = load_layout(project.layout_roots, "assurance-maladie")
    assert layout.folders == [shipped_layouts() / "assurance-maladie"]


def test_a_project_overrides_one_template_and_one_sheet_of_the_national_layout(tmp_path):
    own = tmp_path / "layouts" / "assurance-maladie"
    (own / "pages").mkdir(parents=True)
    (own / "pages" / "cover.html").write_text("<p>couverture de la caisse</p>", encoding="utf-8")
    (own / "print.css").write_text("p { color: red }\n", encoding="utf-8")
    national = shipped_layouts() / "assurance-maladie"
    sheets = sorted(p.name for p in national.glob("*.css"))
    assert sheets, "the national layout has stylesheets"
    (own / sheets[0]).write_text("/* remplacée */\n", encoding="utf-8")
    layout = load_layout(Project(tmp_path).layout_roots, "assurance-maladie")
    assert layout.folders == [own, national]
    assert layout.render("pages/cover.html") == "<p>couverture de la caisse</p>"
    assert layout.env.get_template("pages/divider.html").filename.startswith(str(national))
    assert own / sheets[0] in layout.stylesheets and national / sheets[0] not in layout.stylesheets
    assert own / "print.css" in layout.stylesheets
    assert len(layout.stylesheets) == len(sheets) + 1


ENGLISH = re.compile(r"\b(Usage|Error|Missing|No such|Try|Invalid|Options:|Commands|Show this|Got unexpected|"
                     r"requires|is not|does not|Did you mean)\b")


@pytest.mark.parametrize("args", [["construire"], ["build", "--nope"], ["init"], ["build", "-j", "99"],
                                  ["build", "-j"], ["list", "de", "trop"], ["collect", "nope"],
                                  ["collect", "import", "x/2020"], ["--help"], ["init", "--help"],
                                  ["collect", "--help"], ["build", "--help"]])
def test_the_command_line_speaks_french(args):
    done = CliRunner().invoke(cli.main, args, prog_name="reportgen")
    assert done.exit_code in (0, 2), done.output
    assert not ENGLISH.search(done.output), done.output
    assert "'" not in re.sub(r"[a-zé]'[a-zéè]", "", done.output.lower()), done.output   # « » around names
    if done.exit_code == 2:
        assert "Erreur : " in done.output
        assert "Pour l'aide" not in done.output or "Pour l'aide : « reportgen" in done.output


@pytest.mark.slow
def test_the_wheel_installed_elsewhere_starts_and_builds_a_new_caisse(tmp_path):
    """The route of a caisse's own folder: the wheel in a fresh virtual environment, an empty
    folder outside this repository, init, then a draft. Its dependencies are the ones the tests
    run with (a path file), so that the test needs no network for them."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "constraints.txt"):
        shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "reportgen", source / "reportgen", ignore=ignore)
    shutil.copytree(REPO / "layouts", source / "layouts", ignore=ignore)
    wheels = tmp_path / "dist"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
                           str(wheels), str(source)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    wheel = next(wheels.glob("reportgen-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "caisse"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("REPORTGEN_ROOT", "PYTHONPATH")}
    reportgen = str(venv / "bin" / "reportgen")
    where = subprocess.run([str(python), "-c", "import reportgen, reportgen.project as p; "
                            "print(reportgen.__file__); print(p.shipped_layouts())"],
                           cwd=folder, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert all(Path(w).is_relative_to(venv) for w in where), where     # the installed package, not this one
    done = subprocess.run([reportgen, *VIENNE], cwd=folder, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run([reportgen, "build", "--draft", "vienne/2024"], cwd=folder, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    pdf = folder / "build" / "vienne-2024" / "rapport-activite-vienne-2024-brouillon.pdf"
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    text = " ".join(page.extract_text() for page in reader.pages) + str(reader.metadata)
    assert "Vienne" in text and "VIENNE" in text
    assert not {w for w in other_caisses() if w.lower() in text.lower()}
    assert not (folder / "layouts").exists()         # nothing copied: the layouts come from the package
