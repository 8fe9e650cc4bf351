"""A caisse's identity (content/<caisse>/theme.yml), pages designed without photos, the colophon.

The rendered HTML of the demo edition is checked (``Builder.read`` then ``render_html``): no
caption or photo credit without a photo, a photo with its credit and its alternative text, the
colophon sentence only when the manifest asks for it, the cover motif drawn in the theme's colours.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import FIXTURE, REPO
from reportgen.builder import Builder
from reportgen.render.colours import contrast
from reportgen.edition.config import MOTIFS, load_manifest
from reportgen.errors import ConfigError
from reportgen.project import Project

EDITION = "demo/2020"
REFERENCES = ("ardeche/2023", "artois/2017", "landes/2017", "lille-douai/2019")
COLOPHON = "le texte éditorial a été écrit à nouveau"


def manifest_of(project) -> Path:
    return project.content / "demo" / "2020" / "edition.yml"


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def rendered(project, edition: str = EDITION) -> tuple[str, list[str]]:
    """The document's HTML as the build writes it, and the warnings of reading it."""
    builder = Builder(project, edition)
    edition = builder.read()
    builder.compute(edition)
    return builder.render_html(edition), [str(w) for w in builder.warnings]


def section(html: str, start: str) -> str:
    found = html[html.index(start):]
    return found[:found.index("</section>")]


def motif_svg(block: str, css_class: str) -> str:
    """The SVG drawn as the background of ``css_class`` in ``block``, decoded."""
    style = re.search(rf'class="{css_class}" style="([^"]*)"', block).group(1)
    data = re.search(r"url\('data:image/svg\+xml,([^']*)'\)", style.replace("&#39;", "'")).group(1)
    return unquote(data)


# --- theme.yml ----------------------------------------------------------------------------------------
def test_the_caisse_theme_is_read_and_the_edition_overrides_it_key_by_key(project):
    (project.content / "demo" / "theme.yml").write_text(
        'primary: "#123c7a"\naccent: "#0099cc"\nmotif: waves\nchapters: ["#0c419a", "#5b2a86"]\n',
        encoding="utf-8")
    manifest, warnings = load_manifest(manifest_of(project))
    assert warnings == []
    theme = manifest.theme
    assert (theme.primary, theme.accent, theme.motif, theme.chapters) == (
        "#123c7a", "#0099cc", "waves", ["#0c419a", "#5b2a86"])
    assert theme.light == "#e6eef8"                        # neither file says it: the default
    append(manifest_of(project), 'theme:\n  accent: "#a3195b"\n  motif: pills\n')
    theme = load_manifest(manifest_of(project))[0].theme
    assert (theme.primary, theme.accent, theme.motif, theme.chapters) == (
        "#123c7a", "#a3195b", "pills", ["#0c419a", "#5b2a86"])
    # the charts are drawn from the four colours only: their file names do not depend on the motif
    assert set(theme.model_dump()) == {"primary", "accent", "light", "dark"}


@pytest.mark.parametrize("text, line, word", [
    ('primary: "#0c419a"\naccent: "#00a3e"\n', 2, "couleur"),
    ('motif: arcs\nchapters:\n  - "#0c419a"\n  - bleu\n', 2, "couleur n° 2"),
    ('# identité\nmotif: étoiles\n', 2, "motif « étoiles » inconnu"),
])
def test_a_bad_theme_file_names_the_file_and_the_line(project, text, line, word):
    theme = project.content / "demo" / "theme.yml"
    theme.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_manifest(manifest_of(project))
    assert (err.value.path, err.value.line) == (theme, line), str(err.value)
    assert word in err.value.message


def test_an_unknown_key_of_the_theme_file_warns_at_its_line(project):
    theme = project.content / "demo" / "theme.yml"
    theme.write_text('primary: "#0c419a"\nmotiv: arcs\n', encoding="utf-8")
    _, warnings = load_manifest(manifest_of(project))
    assert [(w.path, w.line, w.message) for w in warnings] == [(theme, 2, "clé inconnue « motiv » ignorée")]


def test_a_theme_change_makes_the_next_build_read_again(project):
    before = Builder(project, EDITION)._inputs()
    (project.content / "demo" / "theme.yml").write_text("motif: bands\n", encoding="utf-8")
    assert Builder(project, EDITION)._inputs() != before


# --- designed without photos, ready for them ----------------------------------------------------------
def test_without_its_photo_no_caption_and_no_photo_credit_are_printed(project):
    edit(manifest_of(project), '#  caption: "Luc, technicien"', '  caption: "Luc, technicien"')
    append(manifest_of(project), 'credits: ["Conception : service communication", "Crédits photos : iStock"]\n')
    html, warnings = rendered(project)
    assert "Luc, technicien" not in html and "divider-caption" not in html
    credits = section(html, '<section class="credits"')
    assert "Conception" in credits and "iStock" not in credits
    said = [w for w in warnings if "faute de photo" in w]
    assert len(said) == 1, warnings                          # once, for the caption and the credit
    assert "1 légende(s) d'intercalaire" in said[0] and "1 crédit(s) photo" in said[0]
    assert "edition.yml:14:" in said[0]                      # the caption's line


def test_a_photo_supplied_is_printed_with_its_credit_and_alternative_text(project):
    folder = project.content / "demo" / "2020"
    (folder / "images").mkdir()
    shutil.copy(FIXTURE / "content" / "magazine" / "2020" / "images" / "equipe.png", folder / "images" / "luc.png")
    edit(manifest_of(project), '#  caption: "Luc, technicien"\n',
         '  caption: "Luc, technicien"\n  photo: images/luc.png\n  photo_credit: Studio Exemple\n')
    append(manifest_of(project), "cover_photo: images/luc.png\ncover_photo_alt: L’accueil de la caisse\n"
                                 "cover_photo_credit: Studio Exemple\n"
                                 'credits: ["Crédits photos : Studio Exemple"]\n')
    html, warnings = rendered(project)
    assert not [w for w in warnings if "photo" in w], warnings
    divider = section(html, '<section class="divider divider--annexes')
    assert re.search(r'<img src="[^"]*content/demo/2020/images/luc\.png" alt="Luc, technicien">', divider)
    assert "Luc, technicien" in divider and "© Studio Exemple" in divider
    assert "divider-art" not in divider                      # the photo takes the motif's place
    cover = section(html, '<section class="cover')
    assert re.search(r'<img src="[^"]*images/luc\.png" alt="L’accueil de la caisse">', cover)
    assert "© Studio Exemple" in cover and "cover-art" not in cover
    assert "Crédits photos" in section(html, '<section class="credits"')   # there is a photo: credited


def test_a_photo_named_but_absent_prints_nothing_and_says_so(project):
    append(manifest_of(project), "cover_photo: images/absente.jpg\ncover_photo_credit: Studio Exemple\n")
    html, warnings = rendered(project)
    cover = section(html, '<section class="cover')
    assert "<img" not in cover and "Studio Exemple" not in cover and "cover-art" in cover
    assert any("faute de photo" in w and "images/absente.jpg" in w for w in warnings), warnings


# --- the colophon -------------------------------------------------------------------------------------
def test_the_colophon_is_printed_only_when_the_manifest_asks(project):
    html, _ = rendered(project)
    assert COLOPHON not in html and '<section class="credits"' not in html   # the demo has no credits
    append(manifest_of(project), "colophon: reference\n")
    html, _ = rendered(project)
    credits = section(html, '<section class="credits"')
    assert COLOPHON in credits and "ne rapportent donc pas les propos de leurs signataires" in credits
    assert "reportgen\u202f:" in credits or "reportgen\u00a0:" in credits   # French typography


# --- the motif and the part colours -------------------------------------------------------------------
@pytest.mark.parametrize("motif, shape", [("arcs", "<circle"), ("bands", "<line"), ("waves", "<path"),
                                          ("pills", "<rect")])
def test_the_cover_motif_is_drawn_in_the_theme_colours(project, motif, shape):
    append(manifest_of(project), f'theme: {{accent: "#12ab34", light: "#fedcba", motif: {motif}}}\n')
    html, _ = rendered(project)
    svg = motif_svg(section(html, '<section class="cover'), "cover-art")
    assert svg.startswith("<svg") and shape in svg
    assert 'stroke="#12ab34"' in svg or 'fill="#12ab34"' in svg
    assert "#fedcba" in svg
    assert "#00a3e0" not in svg                               # not the national accent: the edition's


def test_no_motif_leaves_the_cover_plain(project):
    append(manifest_of(project), "theme: {motif: none}\n")
    html, _ = rendered(project)
    assert "background-image: none" in section(html, '<section class="cover')


def test_dividers_take_the_part_colours_in_turn_and_stay_legible(project):
    append(manifest_of(project), 'theme: {chapters: ["#5b2a86", "#ffd400"]}\n')
    html, _ = rendered(project)
    grounds = re.findall(r'<section class="divider[^"]*" id="[^"]*" style="--ground: (#[0-9a-f]{6}); '
                         r'--ink: (#[0-9a-f]{6})', html)
    assert len(grounds) == 3 and grounds[0][0] == "#5b2a86" and grounds[2][0] == "#5b2a86"
    yellow = grounds[1][0]
    assert yellow != "#ffd400" and contrast(yellow, "#ffffff") >= 4.5   # darkened for its white text
    for ground, ink in grounds:
        assert contrast(ink, ground) >= 4.5


# --- the reference editions ---------------------------------------------------------------------------
def test_each_reference_caisse_has_its_own_legible_identity():
    project = Project(REPO)
    themes = {}
    for edition in REFERENCES:
        assert (project.content / edition.split("/")[0] / "theme.yml").is_file(), edition
        manifest, warnings = load_manifest(project.content / edition / "edition.yml")
        assert warnings == [] and manifest.colophon == "reference", edition
        themes[edition] = manifest.theme
    assert len({t.motif for t in themes.values()}) == len(REFERENCES) and all(t.motif in MOTIFS for t in themes.values())
    for edition, theme in themes.items():
        assert theme.chapters, edition
        for ground in [theme.primary, *theme.chapters]:
            assert contrast("#ffffff", ground) >= 4.5, (edition, ground)
            assert contrast(theme.ink(ground), ground) >= 4.5, (edition, ground)


@pytest.mark.parametrize("edition", REFERENCES)
def test_no_reference_edition_prints_a_photo_leftover(edition):
    html, warnings = rendered(Project(REPO), edition)
    assert not [w for w in warnings if "photo" in w], warnings
    assert "divider-caption" not in html and not re.search(r"(?i)crédits? photo", html)
    assert COLOPHON in section(html, '<section class="credits"')
