"""Numbering as an edition setting, and the blocks of a recent report (fixture numeros/2023).

Parts are printed « 00 | », chapters « A | » within parts of several chapters; a tile splits
into its « dont » parts; a feed, a charter and a ranking come from the chapter's Markdown.
"""
from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from reportgen.builder import build
from reportgen.errors import ContentError, DataError
from reportgen.french import NNBSP

EDITION = "numeros/2023"


@pytest.fixture(scope="module")
def built(demo_build):
    project, _ = demo_build
    result = build(project, EDITION)
    return result, result.html.read_text(encoding="utf-8")


def outline(items, depth=0):
    for item in items:
        if isinstance(item, list):
            yield from outline(item, depth + 1)
        else:
            yield depth, item.title


def test_bookmarks_carry_the_numbers(built):
    result, _ = built
    marks = list(outline(PdfReader(str(result.pdf)).outline))
    assert (0, "00 | Introduction") in marks and (0, "01 | Évènements de l’année") in marks
    assert (1, "A | Le mot de la directrice") in marks and (1, "B | Les chiffres clés") in marks
    assert (1, "Les évènements") in marks          # a part of one chapter has no letter


def test_sommaire_dividers_headings_and_running_headers_number_alike(built):
    result, html = built
    sommaire = html[html.index('<nav class="sommaire"'):html.index("</nav>")]
    assert '<span class="toc-part-number">00 |</span>Introduction' in sommaire
    assert '<span class="toc-chapter-number">B | </span>Les chiffres clés' in sommaire
    assert '<p class="divider-number" aria-hidden="true">01</p>' in html
    assert '<span class="divider-chapter-number">A |</span> Le mot de la directrice' in html
    assert 'data-short="B | Les chiffres clés"' in html
    pages = [p.extract_text() for p in PdfReader(str(result.pdf)).pages]
    assert any("B | LES CHIFFRES CLÉS" in p and "Carte d’identité" in p for p in pages)


def test_a_tile_shows_its_dont_parts_and_their_shares(built):
    _, html = built
    tile = re.search(r'<li class="kpi kpi--parent">.*?</li>\s*</ul>\s*</li>', html, re.S)[0]
    assert f"1{NNBSP}060{NNBSP}021{NNBSP}077{NNBSP}€" in tile
    assert tile.count('class="kpi-part ') == 2 and "en établissement" in tile
    widths = [float(w) for w in re.findall(r'kpi-split-part--\d" style="width: ([\d.]+)%', tile)]
    assert widths == [54.5, 45.5]                  # 578 235 130 and 481 785 947 of the whole


def test_feed_keeps_the_printed_order_and_month_labels(built):
    _, html = built
    feed = html[html.index('<div class="feed'):]
    titles = re.findall(r'<p class="feed-item-title">([^<]+)</p>', feed)
    assert titles == ["Un nouvel intranet", "Deux nouvelles CPTS", "Une journée sans date"]
    months = re.findall(r'<p class="feed-month">([^<]+)</p>', feed)
    assert months == ["février", "juin et décembre"]   # « - »: no month printed


def test_charter_numbers_its_commitments(built):
    _, html = built
    charter = html[html.index('<section class="charter">'):]
    assert re.findall(r'<span class="charter-number" aria-hidden="true">(\d+)</span>', charter) == ["01", "02"]
    assert "Signée le 13/10/2014 par la directrice" in charter


def test_ranking_bars_scale_to_the_first(built):
    _, html = built
    ranking = html[html.index('<div class="ranking"'):]
    widths = [float(w) for w in re.findall(r'ranking-fill" style="width: ([\d.]+)%', ranking)]
    assert widths[0] == 80.0 and widths[1] == pytest.approx(80 * 12 / 46, abs=0.1)
    assert "Top 3 des motifs" in ranking and f"46{NNBSP}%" in ranking


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("name, old, new, message, line", [
    ("01-evenements.md", "### février | Un nouvel intranet", "### février Un nouvel intranet",
     "écrivez ### mois | titre", 4),
    ("00b-chiffres.md", 'ranking("top-motifs")', 'ranking("top")', "groupe de chiffres clés « top » inconnu", 10),
])
def test_block_errors_name_file_and_line(project, name, old, new, message, line):
    edit(project.content / "numeros" / "2023" / name, old, new)
    with pytest.raises(ContentError) as err:
        build(project, EDITION)
    assert message in str(err.value)
    assert str(err.value).startswith(f"content/numeros/2023/{name}:{line}:")


def test_dont_parts_have_one_level(project):
    edit(project.data / "numeros" / "2023" / "kpis" / "chiffres.yml",
         "{key: ville, value: \"481 785 947 €\", label: en soins de ville}",
         "{key: ville, value: \"481 785 947 €\", label: en soins de ville, dont: [{key: x, value: \"1\", label: x}]}")
    with pytest.raises(DataError) as err:
        build(project, EDITION)
    assert "sur un seul niveau" in str(err.value) and "chiffres.yml" in str(err.value)


def test_a_figure_in_a_section_heading_reaches_the_sommaire(project):
    edit(project.content / "numeros" / "2023" / "00b-chiffres.md", "## Les motifs de rendez-vous",
         '## Les motifs : {{ fig("kpis.top-motifs.droits") }} pour les droits')
    html = build(project, EDITION).html.read_text(encoding="utf-8")
    sommaire = html[html.index('<nav class="sommaire"'):html.index("</nav>")]
    assert "RGBLOCK" not in html
    assert f"Les motifs\xa0: 46{NNBSP}% pour les droits" in sommaire
