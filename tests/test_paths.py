"""One rule for every path a user writes: inside the project, or a French message naming the place.

Each attack is written as a user (or an attacker) would write it in the demo edition: a chapter,
a layout, a photo, a link, an image or a stylesheet that reaches outside the project.
"""
from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from conftest import copy_fixture
from reportgen import paths
from reportgen.render import web
from reportgen.builder import Builder, build, check
from reportgen.edition.config import load_manifest
from reportgen.edition.content import Chapter
from reportgen.errors import ConfigError, ContentError, LayoutError
from reportgen.render.layout import load_layout
from reportgen.pdf.writing import make_fetcher, write_pdf_atomically

EDITION = "demo/2020"
SECRET = "secret-hors-du-projet-8c1f"


@pytest.fixture
def setup(tmp_path):
    """A project in ``projet/``, a secret file beside it, and folders whose names share a prefix."""
    project = copy_fixture(tmp_path / "projet")
    secret = tmp_path / "secret.md"
    secret.write_text(f"---\ntitle: {SECRET}\n---\n{SECRET}\n", encoding="utf-8")
    # beside content/ and beside the edition's folder, sharing their names as a prefix
    for copy in (project.root / "content-copie", project.content / "demo" / "2020-copie"):
        copy.mkdir()
        (copy / "image.png").write_text(SECRET, encoding="utf-8")
        (copy / "chapitre.md").write_text(secret.read_text(encoding="utf-8"), encoding="utf-8")
    return project, secret


def edition(project) -> Path:
    return project.content / "demo" / "2020"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> int:
    """Add ``text`` at the end of a chapter; returns the line where it starts."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n" + text + "\n", encoding="utf-8")
    return before.count("\n") + 2


def only_error(project) -> Exception:
    errors, _warnings = check(project, EDITION)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def leaked(project) -> list[Path]:
    """Files under build/ that hold the secret from outside the project."""
    return [f for f in project.build.rglob("*") if f.is_file() and SECRET.encode() in f.read_bytes()]


# --- chapters named in edition.yml --------------------------------------------------------------
@pytest.mark.parametrize("written", ["{secret}", "../../../../secret.md", "lien.md", "~/secret.md",
                                     "file://{secret}", "../2020-copie/chapitre.md"])
def test_a_chapter_outside_the_edition_is_refused_at_its_line(setup, written):
    project, secret = setup
    (edition(project) / "lien.md").symlink_to(secret)
    manifest = edition(project) / "edition.yml"
    edit(manifest, "chapters: [01-contexte.md]", f'chapters: ["{written.format(secret=secret)}"]')
    error = only_error(project)
    assert isinstance(error, ConfigError)
    assert error.path == manifest and error.line == 9, str(error)
    assert "chapitre" in error.message and SECRET not in str(error)


def test_a_chapter_in_a_nested_list_is_found_at_its_own_line(setup):
    project, secret = setup
    manifest = edition(project) / "edition.yml"
    edit(manifest, "chapters: [[02-activite.md, 02b-activite-suite.md]]",
         f"chapters:\n      - [02-activite.md,\n         {secret}]")
    error = only_error(project)
    assert (error.path, error.line) == (manifest, 13), str(error)


@pytest.mark.parametrize("written, message", [('""', "chemin vide"), ('"a\\0b.md"', "caractère nul")])
def test_an_empty_or_nul_chapter_name_is_a_clear_error(project, written, message):
    manifest = edition(project) / "edition.yml"
    edit(manifest, "back: [glossaire.md]", f"back: [{written}]")
    error = only_error(project)
    assert isinstance(error, ConfigError) and message in error.message
    assert (error.path, error.line) == (manifest, 16)


def test_a_chapter_reached_through_a_symlink_inside_the_edition_is_read(setup):
    project, _secret = setup
    folder = edition(project)
    (folder / "01-contexte.md").rename(folder / "texte.md")
    (folder / "01-contexte.md").symlink_to(folder / "texte.md")
    assert only_error_free(project)


def only_error_free(project) -> bool:
    errors, _warnings = check(project, EDITION)
    return not errors


# --- layout -------------------------------------------------------------------------------------
@pytest.mark.parametrize("written", ["/tmp/x", "../x", '""', "assurance-maladie/../../x"])
def test_layout_must_be_a_plain_folder_of_layouts(project, written):
    manifest = edition(project) / "edition.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + f"layout: {written}\n", encoding="utf-8")
    error = only_error(project)
    assert isinstance(error, ConfigError)
    assert (error.path, error.line) == (manifest, 17), str(error)
    assert "mise en page" in error.message


def test_a_layout_extending_a_folder_outside_layouts_is_refused(tmp_path):
    outside = tmp_path / "ailleurs"
    (outside / "pages").mkdir(parents=True)
    layouts = tmp_path / "layouts"
    for name, written in (("absolu", outside), ("relatif", "../ailleurs")):
        (layouts / name).mkdir(parents=True)
        (layouts / name / "layout.yml").write_text(f"# enfant\nextends: {written}\n", encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            load_layout(layouts, name)
        assert (err.value.path, err.value.line) == (layouts / name / "layout.yml", 2)
    (layouts / "lien").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ConfigError, match="doit rester dans"):
        load_layout(layouts, "lien")


# --- theme ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("colour", ['"red; } body { background: url(/etc/passwd) } .x {"', '"#0c419a;x"',
                                    "red", '"#12345"', '"url(x)"'])
def test_a_theme_colour_is_a_colour(project, colour):
    manifest = edition(project) / "edition.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + f"theme:\n  primary: '#fff'\n  accent: {colour}\n",
                        encoding="utf-8")
    error = only_error(project)
    assert isinstance(error, ConfigError) and "couleur" in error.message
    assert (error.path, error.line) == (manifest, 19), str(error)


# --- manifest keys ------------------------------------------------------------------------------
def test_unknown_keys_under_style_parts_and_theme_warn_with_their_line(project):
    manifest = edition(project) / "edition.yml"
    edit(manifest, "  - title: L'activité de l'année\n", "  - title: L'activité de l'année\n    titel: x\n")
    manifest.write_text(manifest.read_text(encoding="utf-8")
                        + "style:\n  bulet: dot\ntheme:\n  acent: '#fff'\n", encoding="utf-8")
    _manifest, warnings = load_manifest(manifest)
    found = {(w.message, w.line) for w in warnings}
    assert found == {("clé inconnue « titel » ignorée", 11), ("clé inconnue « bulet » ignorée", 19),
                     ("clé inconnue « acent » ignorée", 21)}


def test_parts_and_chapters_together_name_the_manifest_and_a_line(project):
    manifest = edition(project) / "edition.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "chapters: [01-contexte.md]\n", encoding="utf-8")
    error = only_error(project)
    assert (error.path, error.line) == (manifest, 17) and "pas les deux" in error.message


def test_the_reference_manifests_load_without_warnings():
    root = Path(__file__).resolve().parent.parent
    manifests = [*root.glob("content/*/*/edition.yml"), *root.glob("tests/fixtures/project/content/*/*/edition.yml")]
    assert len(manifests) >= 8
    for manifest in manifests:
        assert load_manifest(manifest)[1] == [], manifest


# --- photos, links, raw HTML in chapters ----------------------------------------------------------
@pytest.mark.parametrize("written", ["../../../../secret.md", "{secret}", "lien.png", "../2020-copie/image.png"])
def test_a_photo_outside_the_edition_is_refused_at_its_line(setup, written):
    project, secret = setup
    (edition(project) / "lien.png").symlink_to(secret)
    chapter = edition(project) / "01-contexte.md"
    line = append(chapter, f'{{{{ photo("{written.format(secret=secret)}") }}}}')
    error = only_error(project)
    assert isinstance(error, ContentError) and "dans le dossier de l'édition" in error.message
    assert (error.path, error.line) == (chapter, line), str(error)


def test_a_divider_photo_outside_the_edition_is_refused(setup):
    project, _secret = setup
    manifest = edition(project) / "edition.yml"
    edit(manifest, '  caption: "Luc, technicien"\n', '  caption: "Luc, technicien"\n  photo: ../../../../secret.md\n')
    error = only_error(project)
    assert isinstance(error, ConfigError) and (error.path, error.line) == (manifest, 15), str(error)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "www.ameli.fr", "data:text/html,x"])
def test_a_button_opens_only_the_web_a_mail_a_phone_or_an_anchor(project, url):
    chapter = edition(project) / "01-contexte.md"
    line = append(chapter, f'{{{{ button("Voir", "{url}") }}}}')
    error = only_error(project)
    assert isinstance(error, ContentError) and "adresse complète" in error.message
    assert (error.path, error.line) == (chapter, line)


def test_good_links_and_images_pass(project):
    chapter = edition(project) / "01-contexte.md"
    append(chapter, '{{ button("Voir", "tel:3646") }} {{ button("Haut", "#partie-1") }}\n\n'
                    '<a href="mailto:x@exemple.fr">x</a> <a href="https://www.ameli.fr">y</a>\n'
                    '<img src="data:image/png;base64,AAAA" alt="">')
    assert only_error_free(project)


@pytest.mark.parametrize("html", [
    '<div style="display:none"><img src="{secret}" alt=""></div>',
    '<div style="display:none"><img src="../../../secret.md" alt=""></div>',
    '<a rel="attachment" href="file://{secret}">annexe</a>',
    '<a rel="attachment" href="../../../secret.md">annexe</a>',
    '<p style="background: URL(\'{secret}\')">x</p>',
    '<img srcset="images/a.png 1x, {secret} 2x" alt="">',
    '<a href="javascript:alert(1)">x</a>',
    '<img src="https://suivi.example/pixel.gif" alt="">',
])
def test_raw_html_in_a_chapter_is_held_to_the_rule_at_its_line(setup, html):
    project, secret = setup
    chapter = edition(project) / "01-contexte.md"
    line = append(chapter, html.format(secret=secret))
    error = only_error(project)
    assert isinstance(error, ContentError), str(error)
    assert (error.path, error.line) == (chapter, line), str(error)


def test_no_nesting_depth_hides_a_tag_from_the_check(setup):
    """The check reads tags one by one: a tree parser gives up deep down, silently."""
    project, secret = setup
    chapter_file = edition(project) / "01-contexte.md"
    deep = "<div>" * 3000 + f'<img src="{secret}" alt="">' + "</div>" * 3000
    chapter = Chapter("c", [chapter_file], {"title": "x"}, [(chapter_file, "x\n" + deep, 3)], html=deep)
    with pytest.raises(ContentError) as err:
        paths.check_html(chapter, project.root)
    assert (err.value.path, err.value.line) == (chapter_file, 5)


def test_a_hidden_image_from_outside_stops_the_build_and_reaches_nothing(setup):
    project, secret = setup
    chapter = edition(project) / "01-contexte.md"
    line = append(chapter, f'<div style="display:none"><img src="{secret}" alt=""></div>')
    with pytest.raises(ContentError) as err:
        build(project, EDITION)
    assert (err.value.path, err.value.line) == (chapter, line), str(err.value)
    assert str(err.value).startswith(f"content/demo/2020/01-contexte.md:{line}:")
    assert leaked(project) == []


# --- the web edition's copier, the print's fetcher, stylesheets ---------------------------------
def test_the_web_copier_copies_only_files_of_the_project(setup, tmp_path):
    project, secret = setup
    out = project.build / "demo-2020"
    target = tmp_path / "html"
    target.mkdir()
    (edition(project) / "lien.png").symlink_to(secret)
    for src in (str(secret), "../../../secret.md", "../../content/demo/2020/lien.png",
                "../../content-copie/image.png", f"file://{secret}"):
        doc = lxml.html.document_fromstring(f'<p><img src="{src}" alt=""></p>')
        with pytest.raises(LayoutError, match="image de l'édition web"):
            web._images(doc, out, target)
    assert [f for f in target.rglob("*") if f.is_file()] == []
    photo = edition(project) / "photo.png"
    photo.write_bytes(b"png")
    doc = lxml.html.document_fromstring('<p><img src="../../content/demo/2020/photo.png" alt=""></p>')
    web._images(doc, out, target)
    assert [f.read_bytes() for f in (target / "images").iterdir()] == [b"png"]


def fetch(fetcher, path: str):
    return fetcher.fetch("file://" + path)


def test_the_fetcher_refuses_a_sibling_sharing_a_prefix_a_symlink_and_dotdot(setup):
    from weasyprint.urls import FatalURLFetchingError

    project, secret = setup
    content = project.content
    (content / "lien.png").symlink_to(secret)
    fetcher = make_fetcher([content])
    for path in (f"{project.root}/content-copie/image.png", f"{content}/lien.png",
                 f"{content}/../content-copie/image.png", f"{content}/demo/../../content-copie/image.png",
                 str(secret)):
        with pytest.raises(FatalURLFetchingError, match="hors du projet"):
            fetch(fetcher, path)
    with pytest.raises(FatalURLFetchingError, match="hors du projet"):
        fetcher.fetch("file://autre-machine/etc/passwd")
    glossary = edition(project) / "glossaire.md"
    response = fetch(fetcher, f"{content}/demo/../demo/2020/glossaire.md")
    try:
        assert response.read() == glossary.read_bytes()
    finally:
        response.close()


def test_the_rule_compares_folders_not_strings(setup):
    project, secret = setup
    content = project.content
    with pytest.raises(ContentError):
        paths.inside("../content-copie/image.png", content, [content], None, None, "image")
    assert not paths.within(project.root / "content-copie" / "image.png", [content])
    assert paths.within(content / "demo" / ".." / "demo", [content])
    assert paths.inside("demo", content, [project.root / "content"], None, None, "x") == (content / "demo").resolve()


def test_an_attachment_outside_the_project_is_a_layout_error_not_a_traceback(setup):
    from weasyprint import HTML

    project, secret = setup
    out = project.build / "demo-2020"
    out.mkdir(parents=True)
    document = HTML(string=f'<a rel="attachment" href="file://{secret}">annexe</a>', base_url=str(out) + "/",
                    url_fetcher=make_fetcher([project.content, project.build])).render()
    target = out / "rapport.pdf"
    with pytest.raises(LayoutError, match="hors du projet"):
        write_pdf_atomically(document, target)
    assert not target.exists() and leaked(project) == []


@pytest.mark.parametrize("url", ["../../../../content-copie/image.png", "/etc/passwd", "lien.png",
                                 "file:///etc/passwd", "https://polices.example/lato.woff2"])
def test_a_stylesheet_loads_only_files_of_its_layout_for_print_and_web(setup, url):
    project, secret = setup
    own = edition(project) / "layout"
    own.mkdir()
    (own / "lien.png").symlink_to(secret)
    sheet = own / "extra.css"
    sheet.write_text(f"/* en plus */\n.cover {{ background: url('{url}'); }}\n", encoding="utf-8")
    for medium in ("print", "web"):
        with pytest.raises(LayoutError) as err:
            load_layout(project.layouts, "assurance-maladie", own, medium)
        assert (err.value.path, err.value.line) == (sheet, 2), str(err.value)
    with pytest.raises(LayoutError):          # and the web plan, given the sheet, refuses it the same
        web.plan_assets([sheet], [own])


def test_the_layout_stylesheets_are_all_planned_for_the_web(project):
    layout = load_layout(project.layouts, "assurance-maladie", None, "web")
    planned = web.plan_assets(layout.stylesheets, layout.folders)
    assert any(href.endswith(".ttf") for _src, href in planned)
    assert all(paths.within(src, [project.layouts]) for src, _href in planned)


def test_the_builder_checks_chapters_of_a_manifest_made_elsewhere(setup, monkeypatch):
    """``Builder.read`` holds the rule even for a manifest that did not come through load_manifest."""
    import reportgen.builder as builder_mod

    project, secret = setup
    manifest, warnings = load_manifest(edition(project) / "edition.yml")
    forged = manifest.model_copy(update={"back": [str(secret)]})
    monkeypatch.setattr(builder_mod, "load_manifest", lambda path: (forged, warnings))
    with pytest.raises(ConfigError, match="dans le dossier de l'édition"):
        Builder(project, EDITION).read()
