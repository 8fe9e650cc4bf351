"""Shared fixtures: a copy of the small demo edition, built once per session where possible."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.builder import build
from reportgen.errors import set_display_root
from reportgen.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "project"


def copy_fixture(target: Path) -> Project:
    """A writable copy of the demo project, using the repository's layouts."""
    shutil.copytree(FIXTURE / "content", target / "content")
    shutil.copytree(FIXTURE / "data", target / "data")
    (target / "layouts").symlink_to(REPO / "layouts", target_is_directory=True)
    project = Project(target.resolve())
    set_display_root(project.root)
    return project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_fixture(tmp_path)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """The demo edition built once: (project, result)."""
    project = copy_fixture(tmp_path_factory.mktemp("demo"))
    return project, build(project, "demo/2020")
