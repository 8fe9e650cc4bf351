"""Template search path: an edition overrides one template and may extend the original."""
from __future__ import annotations

import shutil

from reportgen.builder import build


def test_edition_overrides_one_block_and_extends_the_national_one(project):
    override = project.content / "demo" / "2020" / "layout" / "pages"
    override.mkdir(parents=True)
    (override / "back-cover.html").write_text(
        '{% include "base/pages/back-cover.html" %}\n<p class="back-extra">Édition locale</p>\n',
        encoding="utf-8")
    html = build(project, "demo/2020").html.read_text(encoding="utf-8")
    assert '<p class="back-extra">Édition locale</p>' in html
    assert 'class="back-slogan"' in html           # the national template is still used
    assert html.count('class="back-cover"') == 1


def test_a_layout_extends_another(project):
    child = project.root / "layouts-local"
    (child / "local" / "blocks").mkdir(parents=True)
    (child / "local" / "layout.yml").write_text("extends: assurance-maladie\n", encoding="utf-8")
    (child / "local" / "blocks" / "signature.html").write_text(
        '<div class="signature local">{{ edition.signatory.name }}</div>\n', encoding="utf-8")
    shutil.copytree(project.layouts / "assurance-maladie", child / "assurance-maladie")
    (project.root / "layouts").unlink()
    (project.root / "layouts").symlink_to(child, target_is_directory=True)
    manifest = project.content / "demo" / "2020" / "edition.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "layout: local\n", encoding="utf-8")
    html = build(project, "demo/2020").html.read_text(encoding="utf-8")
    assert '<div class="signature local">Claire EXEMPLE</div>' in html
    assert 'class="cover"' in html                  # everything else comes from the parent
