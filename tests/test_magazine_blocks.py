"""The magazine blocks, on the fixture edition magazine/2020: rendering and input errors."""
from __future__ import annotations

import re

import pytest

from reportgen.builder import build
from reportgen.render.directives import parse_event_date
from reportgen.errors import ContentError, DataError
from reportgen.french import NNBSP

EDITION = "magazine/2020"


@pytest.fixture(scope="module")
def result(demo_build):
    project, _ = demo_build
    return build(project, EDITION)


@pytest.fixture(scope="module")
def html(result):
    return result.html.read_text(encoding="utf-8")


def section(html: str, css_class: str) -> str:
    match = re.search(rf'<(\w+) class="{css_class}[" ].*?</\1>', html, re.DOTALL)
    assert match, css_class
    return match[0]


def test_timeline_orders_events_on_the_month_axis(html):
    timeline = html[html.index('<div class="timeline">'):html.index('<section class="divider')]
    months = re.findall(r'<p class="timeline-month-name">([^<]+)</p>', timeline)
    assert months == ["Janvier", "Février", "Mars", "Toute l’année"]
    assert "du 1<sup>er</sup> au 31 janvier 2020" in timeline
    assert timeline.index("Vœux") < timeline.index("Nouveau site") < timeline.index("Mars bleu")
    # an event printed without a date sits in its month, with no date label
    undated = timeline[timeline.index(">Février<"):timeline.index(">Mars<")]
    assert "Sans date imprimée" in undated and undated.count('class="timeline-date"') == 1


def test_interview_counts_its_questions_and_leaves_no_empty_portrait_frame(html):
    interview = section(html, "interview")
    assert "2 questions à <strong>Marie Exemple</strong>, responsable RH" in interview
    assert interview.count("<dt>") == 2 and "Pourquoi un nouveau règlement" in interview
    assert "interview-portrait" not in interview     # the portrait file is not shipped
    assert "<strong>deux jours</strong>" in interview


def test_an_interview_portrait_says_who_it_shows_in_the_pdf_and_on_the_web(project):
    edit(project, "01-identite.md", 'portrait="images/absente.jpg"', 'portrait="images/equipe.png"')
    chapter = project.root / "content" / "magazine" / "2020" / "01-identite.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + (
        '\n{% call interview("Paul Exemple", "agent d\'accueil", portrait="images/equipe.png", '
        'portrait_alt="Paul Exemple à l\'accueil de Lens") %}\n'
        "### Une question ?\nUne réponse.\n\n### Une autre ?\nUne autre réponse.\n{% endcall %}\n"),
        encoding="utf-8")
    result = build(project, EDITION)
    for page in (result.html, result.web):
        text = page.read_text(encoding="utf-8")
        portraits = re.findall(r'<div class="interview-portrait">.*?<img src="([^"]+)" alt="([^"]*)"', text, re.S)
        assert [alt for _, alt in portraits] == [
            "Portrait de Marie Exemple, responsable RH",          # by default: who, and what they do
            "Paul Exemple à l’accueil de Lens"], page.name      # what the edition supplies, typeset
        assert all(src.endswith("equipe.png") for src, _ in portraits)
    # the tagged PDF gives each portrait's figure that text (/Alt), for a screen reader
    import pikepdf

    with pikepdf.open(result.pdf) as pdf:
        alts = [str(o.get("/Alt")) for o in pdf.objects
                if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/Figure" and "/Alt" in o]
    assert "Portrait de Marie Exemple, responsable RH" in alts and "Paul Exemple à l’accueil de Lens" in alts


def test_interview_preposition_is_the_edition_s_choice(project):
    edit(project, "01-identite.md", 'heading="Le règlement intérieur"',
         'heading="Le règlement intérieur", preposition="avec"')
    html = build(project, EDITION).html.read_text(encoding="utf-8")
    assert "2 questions avec <strong>Marie Exemple</strong>" in html


def test_focus_card_dated_callout_button(html):
    focus = section(html, "focus")
    assert '<p class="focus-label">Focus</p>' in focus and '<span class="fig">42</span>' in focus
    card = html[html.index('<div class="card">'):]
    # the pictogram, in the theme's colour, is a background: decorative, left out of the tagged text
    icon = card.index("background-image: url('data:image/svg+xml;charset=utf-8,%3Csvg")
    uri = card[icon:card.index("')", icon)]
    assert "%230c419a" in uri and "currentColor" not in uri        # drawn in the theme's primary colour
    assert icon < card.index("Une ligne dédiée") < card.index("joignent un conseiller")
    dated = section(html, "dated")
    assert '<p class="dated-date">15 mars 2020</p>' in dated and "<li>Vote du budget.</li>" in dated
    assert f'<p class="callout-value"><span class="fig">1{NNBSP}450</span></p>' in html
    assert '<a class="button" href="https://www.ameli.fr">' in html


def test_tiles_with_previous_year_and_trends(html):
    tiles = section(html, "kpis kpis--3")
    assert f'2019 : <span class="fig">1{NNBSP}430</span>' in tiles
    assert 'trend-rising' in tiles and 'trend-up' in tiles and 'trend-falling' in tiles


def test_table_cells_keep_their_arrows(html):
    table = section(html, "table-block")
    assert '<span class="trend trend-rising">↗</span> +4,3' in table
    assert f'8,4{NNBSP}% <span class="trend trend-down">↓</span>' in table


def test_photo_and_contacts(html):
    photo = section(html, "photo")
    assert "L’équipe de l’accueil" in photo and "© CPAM" in photo
    contacts = html[html.index('<div class="contacts">'):html.index('<section class="back-cover"')]
    assert '<a class="phone-number" href="tel:3646">3646</a>' in contacts
    assert 'href="mailto:employeurs@exemple.fr"' in contacts
    assert ('Relations avec les PS\xa0: <a href="mailto:ps@exemple.fr"><span class="address"><span>ps@exemple.fr'
            '</span></span></a>') in contacts
    assert "la messagerie du compte" in contacts


def test_pages_first_sommaire_part_zero_without_divider_and_hashtag(html):
    assert '<body class="sommaire-pages-first bullets-dot dividers-light chapters-flow">' in html
    assert '<span class="toc-part-number">0</span>Introduction' in html
    assert 'id="partie-0"' not in html              # no divider page for the introduction
    assert 'id="partie-1"' in html and "Anne, conseillère" in html
    assert html.count("#FIERSDEPROTEGER") == 2      # after the sommaire and on the back cover
    assert '"P." target-counter(attr(href), page, decimal-leading-zero)' in html


def test_sommaire_titles_and_depth_are_edition_choices(html):
    sommaire = html[html.index('<nav class="sommaire"'):html.index("</nav>")]
    assert '<a href="#01-identite">Identité de la CPAM</a>' in sommaire   # toc: in the front matter
    assert "Le Conseil" not in sommaire and 'class="toc-sections"' not in sommaire
    assert 'data-short="Identité de la caisse" data-bookmark="Identité de la caisse">Identité de la caisse</h2>' in html


def test_a_part_without_divider_keeps_its_bookmark_level(result):
    from pypdf import PdfReader

    reader = PdfReader(str(result.pdf))
    tops = [item for item in reader.outline if not isinstance(item, list)]
    titles = [item.title for item in tops]
    assert titles[:2] == ["Sommaire", "Introduction"]
    children = reader.outline[reader.outline.index(tops[1]) + 1]
    assert isinstance(children, list) and children[0].title == "Rétrospective 2020"
    assert reader.get_destination_page_number(tops[1]) == reader.get_destination_page_number(children[0])


@pytest.mark.parametrize("label, expected", [
    ("15/03/2020", (3, 15)), ("02/2020", (2, 0)), ("2020-11-05", (11, 5)),
    ("du 1er au 31 mars", (3, 1)), ("Décembre 2020", (12, 0)), ("-", (None, 0)),
])
def test_event_dates(label, expected):
    assert parse_event_date(label) == expected


def edit(project, name, old, new):
    path = project.content / "magazine" / "2020" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("name, old, new, message, line", [
    ("01-identite.md", "### Qu'est-ce qui change ?\n", "", "1 question(s) ; il en faut 2 ou 3", 14),
    ("00-retrospective.md", "### 02/2020 | Nouveau site", "### 13/2020 | Nouveau site", "mois 13 impossible", 4),
    ("00-retrospective.md", "### 02/2020 | Nouveau site", "### Nouveau site", "écrivez ### date | titre", 4),
    ("01-identite.md", 'card("phone"', 'card("telephone"', "pictogramme « telephone » inconnu", 26),
    ("01-identite.md", '"https://www.ameli.fr"', '"www.ameli.fr"', "une adresse complète est attendue", 38),
    ("01-identite.md", '"images/equipe.png"', '"../../../../etc/hostname"', "dans le dossier de l'édition", 36),
])
def test_block_input_errors_name_file_and_line(project, name, old, new, message, line):
    edit(project, name, old, new)
    with pytest.raises(ContentError) as err:
        build(project, EDITION)
    assert message in str(err.value)
    assert str(err.value).startswith(f"content/magazine/2020/{name}:{line}:")


def test_contact_and_trend_errors_name_the_data_line(project):
    path = project.data / "magazine" / "2020" / "contacts" / "contacts.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("employeurs@exemple.fr", "employeurs"),
                    encoding="utf-8")
    with pytest.raises(DataError, match="adresse électronique « employeurs » invalide") as err:
        build(project, EDITION)
    assert err.value.line == 14
    kpis = project.data / "magazine" / "2020" / "kpis" / "rh.yml"
    kpis.write_text(kpis.read_text(encoding="utf-8").replace("trend: up", "trend: monte"), encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("employeurs\n", "employeurs@exemple.fr\n"),
                    encoding="utf-8")
    with pytest.raises(DataError, match="tendance « monte » inconnue"):
        build(project, EDITION)
