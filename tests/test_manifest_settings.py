"""Settings of edition.yml (and of a table's .yml) that spare an edition copying national templates.

A new caisse rebuilt its report with reportgen and had to copy four templates for lack of them:
parts printed without numbers, annexes without numbers, a part's introduction, the credits
page at the end, a slogan on several lines, a bold row that is not a total, a table named
but not titled on the page. And the manifest's messages: the closest key for an unknown one,
every missing chapter file at once, pydantic's errors in French.

Most tests read an edition and render its HTML (print and web); one final build of a small
edition of « another caisse » (module fixture) is read as PDF, web page and workbook.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError
from pypdf import PdfReader

from conftest import REPO, copy_fixture, edit
from reportgen.render import web
from reportgen.builder import Builder, build, check
from reportgen.edition.config import Manifest, load_manifest, pydantic_message
from reportgen.errors import ConfigError, ContentError, DataError
from reportgen.render.layout import load_layout
from reportgen.edition.tables import load_table

EDITION = "demo/2020"
NUMEROS = "numeros/2023"       # parts « 00 | », chapters « A | »: the numbering of a recent report
NBSP, NNBSP = "\u00a0", "\u202f"


# --- helpers ----------------------------------------------------------------------------------------
def manifest_of(project, edition: str = EDITION) -> Path:
    return project.content / edition / "edition.yml"


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def rendered(project, edition: str = EDITION) -> tuple[str, list[str]]:
    """The printed document's HTML, as the build writes it, and the warnings of reading it."""
    builder = Builder(project, edition)
    edition = builder.read()
    builder.compute(edition)
    return builder.render_html(edition), [str(w) for w in builder.warnings]


def web_rendered(project, edition: str) -> str:
    """The web page's HTML, for an edition without charts (nothing to draw first)."""
    builder = Builder(project, edition)
    edition = builder.read()
    manifest = edition.manifest
    layout = load_layout(project.layouts, manifest.layout, builder.paths.content / "layout", medium="web")
    builder.compute(dataclasses.replace(edition, layout=layout))
    return web.render_page(layout, web.REPORT_PAGE, edition=manifest, front=edition.front, parts=edition.parts,
                           back=edition.back, theme=manifest.theme, stylesheets=[], downloads=[], proof=None)


def section(html: str, start: str, end: str = "</section>") -> str:
    found = html[html.index(start):]
    return found[:found.index(end)]


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def outline_titles(items) -> list[str]:
    out = []
    for item in items:
        out += outline_titles(item) if isinstance(item, list) else [item.title]
    return out


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(pdf)).pages]


# --- one small edition of another caisse, built for good ---------------------------------------------
OTHER = '''caisse: demo
year: 2020
organisation: CPAM de Démonstration
territory: DÉMO
slogan:
  - Agir ensemble
  - "protéger chacun !"
signatory: {name: Claire EXEMPLE, role: Directrice}
credits: ["Conception : service communication"]
colophon_place: end
part_numbering: none
front: [00-message.md]
parts:
  - title: Présentation générale
    intro: "Une **courte** introduction : la caisse, son territoire ; ses « assurés » <script>x</script>."
    chapters: [01-contexte.md]
  - title: L'activité de l'année
    divider: false
    intro: "L'activité : ce qui a compté."
    chapters: [[02-activite.md, 02b-activite-suite.md]]
annexes:
  title: Annexes
  chapters: [annexe-1.md]
back: [glossaire.md]
'''
TEAM_CSV = "_kind;Équipe;2020;2019\n;Accueil;12;11\nemphasis;Plateforme téléphonique;30;28\ntotal;Total;42;39\n"
TEAM_SPEC = 'title: Équipe\ncaption: hidden\nsource: "Source : service RH"\n'


def other_caisse(root: Path):
    """The demo edition rewritten as another caisse would: every setting of this file used."""
    project = copy_fixture(root)
    folder = project.content / EDITION
    (folder / "edition.yml").write_text(OTHER, encoding="utf-8")
    edit(folder / "annexe-1.md", "number: 1\n", "")
    tables = project.data / EDITION / "tables"
    (tables / "equipe.csv").write_text(TEAM_CSV, encoding="utf-8")
    (tables / "equipe.yml").write_text(TEAM_SPEC, encoding="utf-8")
    append(folder / "01-contexte.md", '\n\n{{ table("equipe") }}\n')
    return project


@pytest.fixture(scope="module")
def other_build(tmp_path_factory):
    project = other_caisse(tmp_path_factory.mktemp("autre-caisse"))
    result = build(project, EDITION)
    return project, result


def test_the_other_caisse_needs_no_template_copy(other_build):
    project, result = other_build
    assert not (project.content / EDITION / "layout").exists()
    assert not [w for w in result.warnings if "clé inconnue" in str(w)], result.warnings
    assert result.pdf.exists() and result.web.exists()


# --- 1. parts without numbers --------------------------------------------------------------------------
def test_part_numbering_none_prints_no_part_number_anywhere(project):
    """Divider, sommaire, bookmarks, running heads and the web page: the titles alone."""
    numbered, _ = rendered(project, NUMEROS)
    assert '<p class="divider-number" aria-hidden="true">00</p>' in numbered      # as the fixture is
    assert 'data-bookmark="00 | Introduction"' in numbered
    append(manifest_of(project, NUMEROS), "part_numbering: none\n")
    html, warnings = rendered(project, NUMEROS)
    assert not [w for w in warnings if "clé inconnue" in w]
    assert "divider-number" not in html and "toc-part-number" not in html
    assert 'data-bookmark="Introduction"' in html
    assert 'data-bookmark="Évènements de l’année"' in html
    assert 'data-short="A | Le mot de la directrice"' in html       # the chapters keep their letters
    web = web_rendered(project, NUMEROS)
    assert "web-part-number" not in web and "web-toc-number" not in web
    assert ">Introduction</a>" in web

    pdf = build(project, NUMEROS, draft=True).pdf
    titles = outline_titles(PdfReader(str(pdf)).outline)
    assert "Introduction" in titles and "Évènements de l’année" in titles
    assert not [t for t in titles if re.match(r"0\d", t)], titles
    dividers = [t for t in page_texts(pdf) if "INTRODUCTION" in t and "Sommaire" not in t]
    assert dividers and not re.search(r"(?m)^\s*0\d\s*$", dividers[0]), dividers


def test_a_part_with_number_false_is_not_numbered_and_does_not_count(project):
    edit(manifest_of(project, NUMEROS), "  - title: Introduction\n", "  - title: Introduction\n    number: false\n")
    builder = Builder(project, NUMEROS)
    parts = builder.read().parts
    assert [(p.title, p.label) for p in parts] == [("Introduction", ""), ("Évènements de l'année", "00")]
    assert [p.id for p in parts] == ["partie-0", "partie-1"]           # anchors do not move
    html, _ = rendered(project, NUMEROS)
    intro = section(html, '<section class="divider divider--part" id="partie-0"')
    assert "divider-number" not in intro and 'data-bookmark="Introduction"' in intro
    events = section(html, '<section class="divider divider--part" id="partie-1"')
    assert '<p class="divider-number" aria-hidden="true">00</p>' in events
    assert 'data-bookmark="00 | Évènements de l’année"' in events
    sommaire = section(html, '<nav class="sommaire"', "</nav>")
    assert sommaire.count("toc-part-number") == 1
    web = web_rendered(project, NUMEROS)
    assert web.count('class="web-part-number"') == 1 and web.count('class="web-toc-number"') == 1


# --- 2. annexes without numbers -----------------------------------------------------------------------
def test_an_annex_without_number_prints_its_title_alone(project):
    annex = project.content / EDITION / "annexe-1.md"
    html, _ = rendered(project)
    assert '<span class="annex-number">Annexe 1</span>' in html       # with its number, as before
    edit(annex, "number: 1\n", "")
    html, _ = rendered(project)
    assert "None" not in html and "Annexe " not in visible_text(html)
    assert 'data-bookmark="Dépenses de fonctionnement"' in html
    assert "annex-number" not in html and "divider-annex" not in html
    sommaire = section(html, '<nav class="sommaire"', "</nav>")
    assert '<a href="#annexe-1">Dépenses de fonctionnement</a>' in sommaire
    problems, _ = check(project, EDITION, strict=True)
    assert problems == []
    edit(annex, "kind: annex\n", "kind: annex\nnumber:\n")           # written empty: the same
    assert "None" not in rendered(project)[0]


def test_an_annex_number_that_is_no_number_is_refused_at_its_line(project):
    annex = project.content / EDITION / "annexe-1.md"
    edit(annex, "number: 1\n", "number: [1, 2]\n")
    with pytest.raises(ContentError) as err:
        rendered(project)
    assert (err.value.path, err.value.line) == (annex, 4)
    assert "n'est pas un numéro d'annexe" in err.value.message


def test_the_other_caisse_annex_prints_no_none(other_build):
    _, result = other_build
    assert "None" not in "".join(page_texts(result.pdf))
    assert "None" not in result.web.read_text(encoding="utf-8")


# --- 3. part introductions ------------------------------------------------------------------------------
def test_a_part_intro_prints_on_its_divider_typeset(other_build):
    project, result = other_build
    html = result.html.read_text(encoding="utf-8")
    divider = section(html, '<section class="divider divider--part" id="partie-1"')
    intro = section(divider, '<div class="part-intro">', "</div>")
    assert "<strong>courte</strong>" in intro                             # Markdown
    assert f"introduction{NBSP}: la caisse" in intro                      # French typography
    assert f"territoire{NNBSP}; ses «{NNBSP}assurés{NNBSP}»" in intro
    assert "<script>" not in intro and "&lt;script&gt;" in intro          # HTML prints as text
    assert divider.index("part-intro") < divider.index("divider-toc")    # above the chapters' list
    web = result.web.read_text(encoding="utf-8")
    head = section(web, '<header class="web-part-head" id="partie-1"', "</header>")
    assert "<strong>courte</strong>" in head and f"introduction{NBSP}: la caisse" in head
    pages = page_texts(result.pdf)
    divider_page = next(t for t in pages if "PRÉSENTATION GÉNÉRALE" in t and "Sommaire" not in t)
    assert "courte introduction" in divider_page


def test_a_part_without_divider_prints_its_intro_at_its_head(other_build):
    _, result = other_build
    html = result.html.read_text(encoding="utf-8")
    chapter = section(html, '<section class="chapter chapter--chapter chapter--opens" id="02-activite"')
    assert f'<div class="part-intro part-intro--head"><p>L’activité{NBSP}: ce qui a compté.</p></div>' in chapter
    assert chapter.index("part-intro") < chapter.index("chapter-head")
    web = result.web.read_text(encoding="utf-8")
    assert f"<p>L’activité{NBSP}: ce qui a compté.</p>" in section(web, 'id="02-activite"')
    page = next(t for t in page_texts(result.pdf) if "LA GESTION DES PRESTATIONS" in t and "Sommaire" not in t)
    assert "ce qui a compté" in page


def test_without_intro_the_divider_is_as_before(project):
    html, _ = rendered(project)
    assert "part-intro" not in html and "divider-flow" not in html


# --- 4. the colophon at the end ------------------------------------------------------------------------
def test_colophon_place_end_prints_the_credits_last_before_the_back_cover(other_build):
    _, result = other_build
    html = result.html.read_text(encoding="utf-8")
    assert html.count('aria-label="Crédits"') == 1
    assert html.index('<section class="credits credits--end"') > html.index('id="glossaire"')
    assert html.index('<section class="credits credits--end"') < html.index('<section class="back-cover"')
    pages = page_texts(result.pdf)
    assert "Conception" in pages[-2] and "Conception" not in "".join(pages[:-2])
    assert "Sommaire" in pages[1]                       # the inside cover is the sommaire now


def test_by_default_the_credits_print_inside_the_cover(project):
    append(manifest_of(project), 'credits: ["Conception : service communication"]\n')
    html, _ = rendered(project)
    assert html.index('<section class="credits" aria-label="Crédits">') < html.index('<nav class="sommaire"')
    append(manifest_of(project), "colophon_place: fin\n")
    with pytest.raises(ConfigError, match="« fin » n'est pas une valeur possible : écrivez "
                                          "« inside-cover » ou « end »"):
        load_manifest(manifest_of(project))


# --- 5. a slogan on several lines ----------------------------------------------------------------------
def test_a_slogan_list_prints_one_line_each_on_the_covers(other_build):
    _, result = other_build
    html = result.html.read_text(encoding="utf-8")
    lines = f"Agir ensemble<br>protéger chacun{NNBSP}!"
    assert f'<p class="cover-slogan">{lines}</p>' in html
    assert f'<p class="back-slogan">{lines}</p>' in html
    web = result.web.read_text(encoding="utf-8")
    assert web.count(f'<p class="web-slogan">{lines}</p>') == 2          # header and footer
    pages = page_texts(result.pdf)
    assert re.search(r"AGIR ENSEMBLE\s*\n\s*PROTÉGER CHACUN", pages[0]), pages[0]


def test_a_slogan_string_is_as_before_and_joined_by_spaces_where_one_line_is_needed(project):
    manifest = load_manifest(manifest_of(project))[0]
    slogan = "Agir ensemble, protéger chacun"
    assert (manifest.slogan, manifest.slogan_lines) == (slogan, [slogan])
    html, _ = rendered(project)
    assert '<p class="cover-slogan">Agir ensemble, protéger chacun</p>' in html
    append(manifest_of(project), "slogan: [Agir ensemble, protéger chacun]\n")
    manifest = load_manifest(manifest_of(project))[0]
    assert manifest.slogan_lines == ["Agir ensemble", "protéger chacun"]
    assert manifest.slogan_text == "Agir ensemble protéger chacun"


def test_an_empty_slogan_list_is_refused_in_french(project):
    append(manifest_of(project), "slogan: []\n")
    with pytest.raises(ConfigError) as err:
        load_manifest(manifest_of(project))
    assert "slogan vide" in err.value.message and err.value.line == 17


# --- 6. an emphasised row -----------------------------------------------------------------------------
def test_an_emphasis_row_is_bold_in_print_web_and_workbook(other_build):
    project, result = other_build
    table = load_table(project.data / EDITION / "tables" / "equipe.csv")
    assert [r.kind for r in table.rows] == ["", "emphasis", "total"]
    html = result.html.read_text(encoding="utf-8")
    assert re.search(r'<tr class="row-emphasis" data-t="equipe:1" data-row="1">\s*<th scope="row">'
                     r'Plateforme téléphonique</th>', html)
    css = (REPO / "layouts" / "assurance-maladie" / "style.css").read_text(encoding="utf-8")
    assert re.search(r"tr\.row-emphasis th, tr\.row-emphasis td \{ font-weight: 700; \}", css)
    assert 'class="row-emphasis"' in result.web.read_text(encoding="utf-8")
    book = load_workbook(result.pdf.parent / "donnees" / f"{result.pdf.stem}-tableaux.xlsx")
    sheet = book["equipe"]
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    emphasis, plain = rows["Plateforme téléphonique"], rows["Accueil"]
    assert all(sheet.cell(emphasis, c).font.bold for c in (1, 2, 3))
    assert not sheet.cell(plain, 1).font.bold and not sheet.cell(emphasis, 1).fill.fgColor.rgb.endswith("DBE5F3")


def test_a_misspelt_row_kind_suggests_the_closest(project):
    tables = project.data / EDITION / "tables"
    (tables / "equipe.csv").write_text(TEAM_CSV.replace("emphasis;", "emphase;"), encoding="utf-8")
    (tables / "equipe.yml").write_text(TEAM_SPEC, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_table(tables / "equipe.csv")
    assert err.value.line == 3 and err.value.hint.startswith("vouliez-vous dire « emphasis » ?")


# --- 7. a table named but not titled on the page -------------------------------------------------------
def test_a_hidden_caption_names_the_table_without_printing_it(other_build):
    _, result = other_build
    html = result.html.read_text(encoding="utf-8")
    figure = section(html, '<figure class="table-block size-normal short caption-hidden" data-table="equipe:1"',
                     "</figure>")
    assert 'aria-label="Équipe"' in figure and '<tr class="table-title-row">' in figure   # kept, not shown
    css = (REPO / "layouts" / "assurance-maladie" / "style.css").read_text(encoding="utf-8")
    assert ".table-block.caption-hidden tr.table-title-row { display: none; }" in css
    assert re.search(r"\.table-block\.caption-hidden caption\.table-title \{ position: absolute; width: 1px;", css)
    # printed: « Équipe », the first header cell, once — the title is not printed above it
    page = next(t for t in page_texts(result.pdf) if "Plateforme" in t)
    assert page.count("Équipe") == 1, page
    # the web page: the title is the table's caption, for screen readers
    web = result.web.read_text(encoding="utf-8")
    block = section(web, 'data-table="equipe:1"', "</figure>")
    assert '<caption class="table-title">Équipe</caption>' in block
    assert block.count("Équipe") == 3           # aria-label, caption, the first header cell
    # the workbook: the title heads the sheet and names it in the « Sommaire »
    book = load_workbook(result.pdf.parent / "donnees" / f"{result.pdf.stem}-tableaux.xlsx")
    assert book["equipe"].cell(1, 1).value == "Équipe" and book["equipe"].cell(2, 1).value == "Équipe"
    assert "Équipe" in [c.value for c in book["Sommaire"]["B"]]


def test_a_shown_title_over_the_same_first_header_cell_prints_twice(project):
    """What « caption: hidden » is for: the same table, its title printed."""
    tables = project.data / EDITION / "tables"
    (tables / "equipe.csv").write_text(TEAM_CSV, encoding="utf-8")
    (tables / "equipe.yml").write_text(TEAM_SPEC.replace("caption: hidden\n", ""), encoding="utf-8")
    append(project.content / EDITION / "01-contexte.md", '\n\n{{ table("equipe") }}\n')
    pdf = build(project, EDITION, draft=True).pdf
    page = next(t for t in page_texts(pdf) if "Plateforme" in t)
    assert page.count("Équipe") == 2


@pytest.mark.parametrize("spec, message", [
    ("caption: hidden\n", "« caption: hidden » sans « title: »"),
    ("title: Équipe\ncaption: cachée\n", "« caption: cachée » inconnu"),
])
def test_a_wrong_caption_setting_is_refused_at_its_line(project, spec, message):
    tables = project.data / EDITION / "tables"
    (tables / "equipe.csv").write_text(TEAM_CSV, encoding="utf-8")
    (tables / "equipe.yml").write_text(spec, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_table(tables / "equipe.csv")
    assert message in err.value.message and err.value.line == spec.count("\n")


# --- 8. unknown keys: the closest valid one -------------------------------------------------------------
def test_unknown_keys_at_every_level_name_the_closest_valid_key(project):
    manifest = manifest_of(project)
    edit(manifest, "territory: DÉMO\n", "territory: DÉMO\ntitel: Rapport\ncolophon_plase: end\n")
    edit(manifest, "signatory: {name: Claire EXEMPLE, role: Directrice}\n",
         "signatory: {name: Claire EXEMPLE, role: Directrice, nmae: x}\n")
    edit(manifest, "    chapters: [01-contexte.md]\n", "    chapters: [01-contexte.md]\n    intor: Texte\n")
    edit(manifest, "  title: Annexes\n", "  title: Annexes\n  numbre: false\n")
    append(manifest, "style: {bulet: dot, sommaire: leaders}\nlint: {disabel: [ordinals]}\ntheme: {acent: '#00a3e0'}\n"
                     "zzz: 1\n")
    (project.content / "demo" / "theme.yml").write_text('motiv: arcs\n', encoding="utf-8")
    _, warnings = load_manifest(manifest)
    said = {(w.path.name, w.line, w.message, w.hint) for w in warnings}
    expected = [("theme.yml", 1, "motiv", "motif"), ("edition.yml", 5, "titel", "title"),
                ("edition.yml", 6, "colophon_plase", "colophon_place"), ("edition.yml", 7, "nmae", "name"),
                ("edition.yml", 12, "intor", "intro"), ("edition.yml", 17, "numbre", "number"),
                ("edition.yml", 21, "bulet", "bullet"), ("edition.yml", 22, "disabel", "disable"),
                ("edition.yml", 23, "acent", "accent")]
    for name, line, key, close in expected:
        assert (name, line, f"clé inconnue « {key} » ignorée", f"vouliez-vous dire « {close} » ?") in said, said
    assert str(next(w for w in warnings if "titel" in w.message)).endswith(
        "clé inconnue « titel » ignorée — vouliez-vous dire « title » ?")
    far = next(w for w in warnings if "zzz" in w.message)
    assert far.line == 24 and far.hint is None                       # nothing close: no guess


def test_an_unknown_key_of_a_table_description_names_the_closest(project):
    tables = project.data / EDITION / "tables"
    (tables / "equipe.csv").write_text(TEAM_CSV, encoding="utf-8")
    (tables / "equipe.yml").write_text("titel: Équipe\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_table(tables / "equipe.csv")
    assert str(err.value).endswith("clé inconnue « titel » — vouliez-vous dire « title » ?")


# --- 9. every missing chapter file at once --------------------------------------------------------------
def test_every_missing_chapter_file_is_reported_at_once_with_its_line(project):
    manifest = manifest_of(project)
    edit(manifest, "front: [00-message.md]", "front: [00-mesage.md]")
    edit(manifest, "    chapters: [01-contexte.md]", "    chapters: [01-context.md]")
    edit(manifest, "back: [glossaire.md]", "back: [glosaire.md]")
    with pytest.raises(ConfigError) as err:
        load_manifest(manifest)
    message = err.value.message
    assert message.startswith("3 fichiers de chapitre introuvables dans le dossier de l'édition "
                              "(content/demo/2020/) : ligne 6 : « 00-mesage.md » ; ligne 9 : « 01-context.md » ; "
                              "ligne 16 : « glosaire.md »")
    assert "ligne 6 : « 00-mesage.md »" in message
    assert "ligne 9 : « 01-context.md »" in message
    assert "ligne 16 : « glosaire.md »" in message
    assert err.value.line == 6
    assert len(str(err.value).splitlines()) == 1


def test_one_missing_chapter_file_says_so_as_before(project):
    edit(manifest_of(project), "back: [glossaire.md]", "back: [glosaire.md]")
    with pytest.raises(ConfigError) as err:
        load_manifest(manifest_of(project))
    assert err.value.message.startswith("fichier de chapitre introuvable : « glosaire.md »")
    assert err.value.line == 16


# --- 10. pydantic's messages in French ------------------------------------------------------------------
ENGLISH = re.compile(r"\b(Input|should|valid|Field|required|Value error|greater|less|than|equal|"
                     r"dictionary|instance|integer|boolean|string)\b")


def test_the_manifest_errors_are_all_in_french_with_their_lines(project):
    manifest = manifest_of(project)
    edit(manifest, "year: 2020\n", "year: deux mille\n")
    edit(manifest, "signatory: {name: Claire EXEMPLE, role: Directrice}\n", "signatory: {name: Claire EXEMPLE}\n")
    append(manifest, "style:\n  sommaire: en-premier\n  part_number_width: 7\n  first_part_number: 1.5\n"
                     "  sommaire_sections: peut-être\n  chapter_dividers: [1]\nkeywords: CPAM\n"
                     "slogan: 3\ncredits: [[a]]\ntheme: rouge\n")
    with pytest.raises(ConfigError) as err:
        load_manifest(manifest)
    message = err.value.message
    assert not ENGLISH.search(message), message
    for said in ["ligne 2 : « year » : un nombre entier est attendu, pas « deux mille »",
                 "ligne 5 : « signatory.role » : valeur manquante",
                 "« style.sommaire » : « en-premier » n'est pas une valeur possible : écrivez « leaders » ou "
                 "« pages-first »",
                 "« style.part_number_width » : « 7 » est trop grand : 3 au plus",
                 "« style.first_part_number » : « 1,5 » n'est pas un nombre entier",
                 "« style.sommaire_sections » : « peut-être » n'est ni « true » ni « false »",
                 "« style.chapter_dividers » : une liste n'est ni « true » ni « false »",
                 "« keywords » : une liste (« - élément » par ligne, ou [a, b]) est attendue, pas « CPAM »",
                 "« slogan » : un texte ou une liste est attendu, pas « 3 »",
                 "« credits.0 » : un texte est attendu, pas une liste",
                 "« theme » : une suite de clés « nom: valeur » est attendue, pas « rouge »"]:
        assert said in message, message
    assert err.value.line == 2
    assert len(str(err.value).splitlines()) == 1


def test_a_chapter_entry_of_the_wrong_kind_is_one_french_problem(project):
    edit(manifest_of(project), "front: [00-message.md]", "front: [[00-message.md, 3], ~]")
    with pytest.raises(ConfigError) as err:
        load_manifest(manifest_of(project))
    assert err.value.message == ("manifeste invalide : ligne 6 : « front.0.1 » : un texte est attendu, pas « 3 » ; "
                                 "ligne 6 : « front.1 » : un texte ou une liste est attendu, pas rien (valeur vide)")


def test_the_theme_file_errors_are_in_french(project):
    theme = project.content / "demo" / "theme.yml"
    theme.write_text("motif: arcs\nchapters: bleu\nprimary: 12\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_manifest(manifest_of(project))
    assert err.value.path == theme and not ENGLISH.search(err.value.message), err.value.message
    assert ("ligne 2 : « chapters » : une liste (« - élément » par ligne, ou [a, b]) est attendue"
            in err.value.message)
    assert "ligne 3 : « primary » : un texte est attendu, pas « 12 »" in err.value.message


def every_error_type() -> list[dict]:
    """One error of each type pydantic can raise, as ``ValidationError.errors()`` gives it."""
    from pydantic_core._pydantic_core import list_all_errors

    contexts = {"ge": 1, "gt": 1, "le": 3, "lt": 3, "min_length": 1, "max_length": 5, "expected": "'a' or 'b'",
                "error": "oups", "class_name": "Part", "pattern": "x", "multiple_of": 2}
    return [{"type": e["type"], "loc": ("x",), "msg": e["message_template_python"], "input": "valeur",
             "ctx": {k: v for k, v in contexts.items() if "{" + k + "}" in e["message_template_python"]}}
            for e in list_all_errors()]


@pytest.mark.parametrize("error", every_error_type(), ids=lambda e: e["type"])
def test_every_pydantic_error_type_has_a_french_message(error):
    message = pydantic_message(error)
    assert message and not ENGLISH.search(message), message


def test_the_messages_of_a_real_validation_are_translated_by_type():
    with pytest.raises(ValidationError) as err:
        Manifest.model_validate({"caisse": "x", "year": 2020, "organisation": "o", "chapters": ["a.md"],
                                 "signatory": {"name": "a", "role": "b"}, "style": {"divider": "pâle"},
                                 "parts_numbering": 1})
    (error,) = err.value.errors()
    assert pydantic_message(error) == "« pâle » n'est pas une valeur possible : écrivez « solid » ou « light »"
