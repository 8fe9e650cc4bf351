"""Typography everywhere the layout prints: apostrophes, hours, superscripts, addresses, shapes
for the characters the fonts lack, a heading not repeated by its table, and the preflight check
that every printed character is in the layout's fonts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import Markup

from reportgen import french
from reportgen.builder import build
from reportgen.errors import ReportWarning
from reportgen.french import NBSP, typeset_html, typeset_prose, typeset_text
from reportgen.render.layout import load_layout, titles_once

LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"
STRAIGHT = re.compile(r"[^\W\d_]'[^\W\d_]")


# --- french.py --------------------------------------------------------------------------------
@pytest.mark.parametrize("written, printed", [
    ("de 8h30 à 17h", f"de 8{NBSP}h{NBSP}30 à 17{NBSP}h"),
    ("8h30-12h et 13h-16h", f"8{NBSP}h{NBSP}30-12{NBSP}h et 13{NBSP}h-16{NBSP}h"),
    ("24h/24", f"24{NBSP}h/24"),
    ("soit 38h45 par semaine", f"soit 38{NBSP}h{NBSP}45 par semaine"),
    ("en moins de 48h.", f"en moins de 48{NBSP}h."),
])
def test_hours_take_no_break_spaces_around_h(written, printed):
    assert typeset_prose(written) == printed
    assert typeset_html(f"<p>{written}</p>") == f"<p>{printed}</p>"


@pytest.mark.parametrize("text", ["H2O", "4heures", "5h2", "1h30min", "ameli.fr/24h", "a.8h"])
def test_what_is_not_an_hour_is_left_alone(text):
    assert typeset_prose(text) == text


def test_superscripts_written_in_data_become_superscripts():
    assert typeset_html("Affaires en cours au 1 ^{er} janvier") == "Affaires en cours au 1<sup>er</sup> janvier"
    assert typeset_html("la 1 ^{ère} affiliation") == "la 1<sup>ère</sup> affiliation"
    assert typeset_prose("au 1 ^{er} janvier") == "au 1er janvier"     # no markup where none can go
    assert "^{" not in typeset_text("1 ^{er} trimestre")


def test_ordinals_still_in_superscript():
    assert typeset_html("le 2e et le 1er") == "le 2<sup>e</sup> et le 1<sup>er</sup>"


def test_apostrophes_escaped_or_cut_by_inline_tags_are_curled():
    assert typeset_html("milliers d&#39;euros") == "milliers d’euros"       # Markup.escape writes &#39;
    assert typeset_html("l'<strong>espace</strong> conseil") == "l’<strong>espace</strong> conseil"
    assert typeset_html("<em>aujourd</em>'hui") == "<em>aujourd</em>’hui"
    assert typeset_html("fin.</p><p>'mot'") == "fin.</p><p>'mot'"           # no letter on both sides
    assert typeset_html("<code>l'x</code>") == "<code>l'x</code>"


def test_plain_text_for_attributes_bookmarks_and_css_strings():
    assert typeset_text("L'<b>Assurance</b> &amp; l'État") == "L’Assurance & l’État"
    assert typeset_text("  Rapport  d'activité\n2017 ") == "Rapport d’activité 2017"


def test_addresses_are_kept_whole_and_only_break_after_at_slash_or_dot():
    html = typeset_html("Écrire à rps.cpam-lille-douai@assurance-maladie.fr avant 8h30.")
    address = re.search(r'<span class="address">(.*?)</span></span>', html)[0]
    pieces = re.findall(r"<span>(.*?)</span>", address)
    assert "".join(pieces) == "rps.cpam-lille-douai@assurance-maladie.fr"
    assert pieces == ["rps.cpam-lille-douai@", "assurance-maladie.fr"]     # a break after @ only
    assert address.count("<wbr>") == len(pieces) - 1
    assert html.endswith(f"avant 8{NBSP}h{NBSP}30.")
    url = typeset_html("voir https://www.exemple.fr/rapport-2017/24h.")
    assert "24h" in url and NBSP not in url and url.endswith("</span></span>.")
    assert re.findall(r"<span>(.*?)</span>", url) == ["https://", "www.exemple.fr/", "rapport-2017/", "24h"]
    dots = typeset_html("www.une-adresse-assez-longue.exemple.fr")
    assert re.findall(r"<span>(.*?)</span>", dots)[:2] == ["www.", "une-adresse-assez-longue."]
    assert typeset_html("sur ameli.fr") == 'sur <span class="address"><span>ameli.fr</span></span>'
    assert typeset_prose("écrire à jean.dupont@ameli.fr") == "écrire à jean.dupont@ameli.fr"
    assert typeset_html("l'espace local d'ameli.fr").startswith("l’espace local d’<span")


def test_a_character_the_fonts_lack_is_drawn_with_the_word_it_leads():
    html = typeset_html("par le biais de : ▶ visites ▶ contacts")
    assert "▶" not in html
    assert html.count('<span class="shape shape-triangle">') == 2
    assert '<span class="shape shape-triangle">visites</span>' in html
    assert set(french.SHAPES) >= {"▶"}


# --- the layout's filters ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def env():
    return load_layout(LAYOUTS, "assurance-maladie").env


def test_typo_filter_curls_the_apostrophe_of_an_escaped_string(env):
    out = env.from_string("{{ t|typo }}").render(t="Montant en milliers d'euros au 1 ^{er} janvier <b>")
    assert out == "Montant en milliers d’euros au 1<sup>er</sup> janvier &lt;b&gt;"


def test_css_string_and_attributes_are_typeset(env):
    css = env.from_string("{{ t|css_string }}").render(t="CPAM de l'Artois · Rapport d'activité")
    assert css == '"CPAM de l’Artois · Rapport d’activité"'
    attr = env.from_string('<h2 data-short="{{ t|typo_text }}">').render(t="L'activité \"x\"")
    assert attr == '<h2 data-short="L’activité &#34;x&#34;">'


TABLE = ('<figure class="table-block size-normal short" data-table="t:1" aria-label="{title}">'
         '<table><thead><tr class="table-title-row"><th class="table-title">{title}</th></tr></thead></table></figure>')


def test_a_table_titled_by_the_heading_above_is_marked_once():
    same = f"<h4>L’absence au travail (%)</h4>\n{TABLE.format(title='L&#39;absence au  travail (%)')}"
    assert 'class="table-block size-normal short titled-by-heading"' in titles_once(same)
    with_text = f"<h5>Le type d’organisation :</h5><p>Une phrase.</p>{TABLE.format(title='Le type d&#39;organisation')}"
    assert "titled-by-heading" in titles_once(with_text)
    other = f"<h4>Les effectifs</h4>{TABLE.format(title='Les effectifs ACS – au 31 décembre')}"
    assert "titled-by-heading" not in titles_once(other)
    apart = f"<h4>Les effectifs</h4><ul><li>x</li></ul>{TABLE.format(title='Les effectifs')}"
    assert "titled-by-heading" not in titles_once(apart)
    assert isinstance(titles_once(same), Markup)


# --- preflight: every printed character in the layout's fonts ----------------------------------
def _laid_out(body: str):
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    sheet = CSS(string='@font-face { font-family: "Lato"; src: url(assurance-maladie/fonts/Lato-Regular.ttf); }'
                       'html { font-family: "Lato"; } @page { @top-left { content: "Rapport d’activité" } }',
                base_url=str(LAYOUTS) + "/", font_config=fonts)
    return HTML(string=f"<html><body>{body}</body></html>").render(stylesheets=[sheet], font_config=fonts)


def test_preflight_reports_a_character_missing_from_the_fonts():
    from reportgen.pdf.preflight import missing_glyphs

    found = missing_glyphs(_laid_out("<p>Le caducée ⚕ et 中 ici.</p><p>Tout le reste : « l’été », 8\u00a0h\u00a030.</p>"))
    assert len(found) == 1 and found[0][0] == 0
    assert "U+2695" in found[0][1] and "U+4E2D" in found[0][1]
    assert not re.search(r"« [a-zé’«»] »", found[0][1])
    assert missing_glyphs(_laid_out("<p>Rien que du Lato : l’été, « 12\u202f% », 1<sup>er</sup>.</p>")) == []


def test_a_build_reports_the_missing_glyph_and_strict_fails(project):
    md = project.content / "demo" / "2020" / "01-contexte.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nLe caducée ⚕ du service, par le biais de : ▶ visites.\n",
                  encoding="utf-8")
    result = build(project, "demo/2020")
    glyphs = [str(w) for w in result.warnings if "absent des polices" in str(w)]
    assert len(glyphs) == 1 and "U+2695" in glyphs[0] and "U+25B6" not in glyphs[0]
    with pytest.raises(ReportWarning):
        build(project, "demo/2020", strict=True)


# --- the demo edition's PDF -------------------------------------------------------------------
def test_the_pdf_prints_no_straight_apostrophe_in_any_text(demo_build):
    from pypdf import PdfReader

    _, result = demo_build
    pdf = PdfReader(str(result.pdf))
    text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Rapport d’activité 2020" in text                     # the running header on the right
    assert "L’ACTIVITÉ DE L’ANNÉE" in text.upper()               # a part title, a running header
    assert not STRAIGHT.findall(text), STRAIGHT.findall(text)[:5]
    assert "^{" not in text

    titles = []

    def walk(items):
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(item.title)

    walk(pdf.outline)
    assert any("’" in t for t in titles), titles                   # « Les faits marquants de l’année »
    assert not [t for t in titles if STRAIGHT.search(t)]
    assert "’" in pdf.metadata.title and not STRAIGHT.search(pdf.metadata.title)
