"""Phrases in another language: ``[Health Data Hub]{lang=en}`` becomes ``<span lang="en">``, in
the chapter's HTML, in a block's title, and as the ``/Lang`` of its structure element in the PDF."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.edition import languages
from reportgen.edition.content import ContentRenderer, markdown_to_html, read_chapter
from reportgen.errors import ContentError, set_display_root
from reportgen.render.layout import load_layout

REPO = Path(__file__).resolve().parent.parent


def chapter(tmp_path: Path, body: str, name: str = "01-essai.md"):
    set_display_root(tmp_path)
    path = tmp_path / name
    path.write_text(f"---\ntitle: Essai\n---\n{body}", encoding="utf-8")
    found = read_chapter([path], "essai")
    ContentRenderer({}, tmp_path, {}).render(found)
    return found


def test_a_marked_phrase_is_a_span_with_its_language(tmp_path):
    html = chapter(tmp_path, "## Le [Health Data Hub]{lang=en}\n\n"
                             "L'[escape game]{lang=en} de la caisse, [Carpe diem]{lang=LA}, "
                             "[Lo país]{: lang=oc-gascon } et [*Ch'ti*]{lang=\"pcd\"}.\n").html
    assert '<span lang="en">Health Data Hub</span>' in html
    assert 'L’<span lang="en">escape game</span>' in html        # the apostrophe of the word before it
    assert '<span lang="la">Carpe diem</span>' in html          # the code in its usual case
    assert '<span lang="oc-gascon">Lo país</span>' in html
    assert '<span lang="pcd"><em>Ch’ti</em></span>' in html     # Markdown inside the span
    assert "{lang" not in html and "]{" not in html


@pytest.mark.parametrize("written", ["`[x]{lang=en}`", "\\[x]{lang=en}", "[x] {lang=en}", "[lien](https://a.fr)"])
def test_what_is_not_a_span_stays_as_written(written):
    assert "<span lang" not in markdown_to_html(written)


def test_a_block_title_takes_the_span_and_plain_text_keeps_the_words():
    env = load_layout(REPO / "layouts", "assurance-maladie").env
    title = env.filters["typo"]("Défi « [Quick and quiz]{lang=en} » & co")
    assert str(title) == 'Défi «\u202f<span lang="en">Quick and quiz</span>\u202f» &amp; co'
    assert env.filters["typo_text"]("Défi [Quick and quiz]{lang=en}") == "Défi Quick and quiz"


@pytest.mark.parametrize("written, message, hint", [
    ("[Health Data Hub]{lang=eng}", "code de langue « eng » inconnu", "écrivez « en » (anglais)"),
    ("[Health Data Hub]{lang=anglais}", "code de langue « anglais » inconnu", "écrivez « en » (anglais)"),
    ("[Lo país]{lang=xx}", "code de langue « xx » inconnu", "un code BCP 47 : en (anglais)"),
    ("[Lo país]{lang=}", "code de langue manquant après « lang= »", "oc (occitan)"),
    ("[Health]{lang=en-}", "code de langue « en- » mal formé", "un code BCP 47"),
    ('<span lang="english">Health</span>', "code de langue « english » inconnu", "écrivez « en »"),
    ("## Un titre {: lang=latin }", "code de langue « latin » inconnu", "écrivez « la » (latin)"),
])
def test_a_bad_language_code_is_refused_in_french_at_its_file_and_line(tmp_path, written, message, hint):
    with pytest.raises(ContentError) as err:
        chapter(tmp_path, f"Un premier paragraphe.\n\n{{# [x]{{lang=zz}} : un commentaire n'est pas lu #}}\n\n"
                          f"{written}\n")
    error = err.value
    assert (error.path.name, error.line, error.message) == ("01-essai.md", 8, message)
    assert hint in error.hint
    assert str(error).startswith(f"01-essai.md:8: {message}")


def test_every_bad_code_of_a_chapter_is_reported_at_once(tmp_path):
    with pytest.raises(ContentError) as err:
        chapter(tmp_path, "[a]{lang=en}\n\n[b]{lang=zz}\n\n{% call x() %}\n[c]{lang=qq}\n{% endcall %}\n")
    said = str(err.value)
    assert "01-essai.md:6: code de langue « zz » inconnu" in said
    assert "01-essai.md:9: code de langue « qq » inconnu" in said


@pytest.mark.parametrize("code, tag", [("en", "en"), ("EN-gb", "en-GB"), ("la", "la"), ("oc", "oc"),
                                       ("pcd", "pcd"), ("de-CH", "de-CH"), ("gsw", "gsw"), ("sr-latn", "sr-Latn"),
                                       ("es-419", "es-419")])
def test_bcp47_tags_are_accepted_in_their_usual_case(code, tag):
    assert languages.checked(code) == tag


def test_the_reference_editions_mark_their_english_phrases():
    marked = {path.relative_to(REPO / "content").as_posix(): languages.SPAN.findall(path.read_text(encoding="utf-8"))
              for path in (REPO / "content").rglob("*.md")}
    phrases = {m[0].lower() for spans in marked.values() for m in spans}
    assert {"escape game", "job dating", "quick and quiz", "front office"} <= phrases
    for path in (REPO / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert languages.problems(text) == [], path
        unmarked = languages.SPAN.sub("", text).lower()
        for phrase in ("escape game", "job dating", "quick and quiz", "front office"):
            assert phrase not in unmarked, f"{path}: « {phrase} » sans sa langue"


def test_the_tagged_pdf_gives_the_phrase_its_lang(tmp_path):
    """WeasyPrint 70 alone leaves ``lang`` out of the structure tree; the final PDF written by
    reportgen carries it as the ``/Lang`` of the phrase's structure element."""
    import pikepdf
    from weasyprint import HTML

    from reportgen.pdf.writing import PDF_UA, write_pdf_atomically

    body = markdown_to_html("Le [Health Data Hub]{lang=en} et le dicton [Carpe diem]{lang=la}.")
    page = f'<!DOCTYPE html><html lang="fr"><head><title>Essai</title></head><body>{body}</body></html>'
    target = tmp_path / "essai.pdf"
    write_pdf_atomically(HTML(string=page).render(), target, variant=PDF_UA)

    found = {}
    with pikepdf.open(target) as pdf:
        assert str(pdf.Root.Lang) == "fr"
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if not isinstance(node, pikepdf.Dictionary):
                continue
            if "/Lang" in node:
                found[str(node.Lang)] = str(node.get("/S"))
            kids = node.get("/K")
            stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else [])
    assert found == {"en": "/Span", "la": "/Span"}
