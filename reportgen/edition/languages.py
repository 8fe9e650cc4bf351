"""Phrases in another language: ``[Health Data Hub]{lang=en}`` in a chapter.

A screen reader reads a French report with a French voice; a phrase marked with its language
is read with the voice of that language (RGAA 8.7), and WeasyPrint hyphenates it by that
language's rules. The mark is a Pandoc-style bracketed span; it becomes
``<span lang="en">Health Data Hub</span>`` in the HTML, hence in the web edition, and the
``/Lang`` of its structure element in the tagged PDF.

The code is a BCP 47 language tag: a primary language subtag of ISO 639 (« en », « la »,
« oc », « pcd »), optionally followed by a script, a region or a variant (« en-GB »,
« oc-gascon »). A code that is not one is refused with the chapter's file and line, and the
closest right one when there is one (« eng » → « en », « anglais » → « en »).
"""
from __future__ import annotations

import functools
import re
from html import unescape

#: ISO 639-1: the two-letter codes, which BCP 47 uses wherever a language has one.
TWO_LETTERS = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv
dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie
ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv
mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm
rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts
tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())

#: Three-letter codes (ISO 639-2/3) of languages without a two-letter one that a French report
#: may quote: regional languages of France and the overseas, languages of neighbours and of
#: the Maghreb, old forms of French, Occitan and Greek.
THREE_LETTERS = {
    "pcd": "picard", "frp": "francoprovençal", "gsw": "alsacien", "nrf": "normand", "gcf": "créole antillais",
    "gcr": "créole guyanais", "rcf": "créole réunionnais", "mfe": "créole mauricien", "wls": "wallisien",
    "fud": "futunien", "swb": "shimaoré", "kab": "kabyle", "shi": "tachelhit", "rif": "rifain",
    "tzm": "tamazight", "ary": "arabe marocain", "arq": "arabe algérien", "aeb": "arabe tunisien",
    "rom": "romani", "lad": "judéo-espagnol", "sco": "scots", "nds": "bas allemand", "vls": "flamand occidental",
    "ast": "asturien", "scn": "sicilien", "vec": "vénitien", "lij": "ligure", "pms": "piémontais",
    "fur": "frioulan", "lld": "ladin", "grc": "grec ancien", "fro": "ancien français", "frm": "moyen français",
    "pro": "ancien occitan", "yue": "cantonais",
}

#: What is often written instead of the code: the three-letter form of a language that has a
#: two-letter one, or its name.
INSTEAD = {
    "eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "lat": "la", "oci": "oc", "spa": "es",
    "ita": "it", "por": "pt", "nld": "nl", "dut": "nl", "bre": "br", "cos": "co", "eus": "eu", "baq": "eu",
    "cat": "ca", "ara": "ar", "pol": "pl", "tur": "tr", "rus": "ru", "zho": "zh", "chi": "zh", "ell": "el",
    "gre": "el", "ltz": "lb", "wln": "wa", "vie": "vi", "ron": "ro", "rum": "ro", "jpn": "ja", "heb": "he",
    "gb": "en", "us": "en",
    "anglais": "en", "english": "en", "latin": "la", "occitan": "oc", "provençal": "oc", "gascon": "oc",
    "picard": "pcd", "ch'ti": "pcd", "chti": "pcd", "allemand": "de", "german": "de", "espagnol": "es",
    "italien": "it", "breton": "br", "basque": "eu", "corse": "co", "catalan": "ca", "alsacien": "gsw",
    "néerlandais": "nl", "flamand": "nl", "arabe": "ar", "portugais": "pt", "grec": "el", "français": "fr",
}

NAMES = {"en": "anglais", "la": "latin", "oc": "occitan", "pcd": "picard", "de": "allemand", "es": "espagnol",
         "it": "italien", "br": "breton", "eu": "basque", "co": "corse", "ca": "catalan", "nl": "néerlandais",
         "ar": "arabe", "pt": "portugais", "el": "grec", "fr": "français", "wa": "wallon", **THREE_LETTERS}

_SUBTAG = re.compile(r"^(?:[A-Za-z]{4}|[A-Za-z]{2}|\d{3}|[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3})$")
EXAMPLES = "en (anglais), la (latin), oc (occitan), pcd (picard), de (allemand), es (espagnol)"


class BadLanguage(ValueError):
    """A language code that is not a BCP 47 tag of a known language: ``args`` = (message, hint)."""


def checked(code: str) -> str:
    """The BCP 47 tag written ``code``, in its usual case (« EN-gb » → « en-GB »), or :class:`BadLanguage`."""
    written = code.strip()
    first, *rest = written.split("-") if written else [""]
    primary = first.lower()
    known = primary in TWO_LETTERS or primary in THREE_LETTERS
    if not known or not all(_SUBTAG.match(s) for s in rest):
        meant = INSTEAD.get(written.lower()) or INSTEAD.get(primary)
        if not written:
            message = "code de langue manquant après « lang= »"
        elif known:
            message = f"code de langue « {written} » mal formé"
        else:
            message = f"code de langue « {written} » inconnu"
        hint = (f"écrivez « {meant} » ({NAMES.get(meant, meant)})" if meant and known is False
                else f"un code BCP 47 : {EXAMPLES}…")
        raise BadLanguage(message, hint)
    parts = [primary]
    for subtag in rest:
        if len(subtag) == 4 and subtag.isalpha():
            parts.append(subtag.title())        # script: Latn
        elif len(subtag) == 2 or (len(subtag) == 3 and subtag.isdigit()):
            parts.append(subtag.upper())        # region: GB, 419
        else:
            parts.append(subtag.lower())        # variant: gascon
    return "-".join(parts)


# --- the bracketed span ---------------------------------------------------------------------
_QUOTE = r"""(?P<q>"|'|&#34;|&#39;|&quot;|)"""
#: ``[texte]{lang=en}`` (also ``{: lang=en }``, ``{lang="en"}``); the text may hold escaped brackets.
SPAN = re.compile(r"\[(?P<text>(?:\\.|[^\[\]\\\n])+)\]\{[ \t]*:?[ \t]*lang[ \t]*=[ \t]*" + _QUOTE
                  + r"(?P<code>[^\s\"'{}&]*)(?P=q)[ \t]*\}")
#: Any ``lang=`` of an attribute list ``{…}`` or an HTML tag, as written in a chapter's source.
_ATTRIBUTES = re.compile(r"(?<!\{)\{(?![{%#])[^{}\n]*\}|<[A-Za-z][^<>]*>")
_LANG = re.compile(r"""(?<![\w-])(?:xml:)?lang[ \t]*=[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s"'{}<>]*))""")


def span_html(text: str) -> str:
    """HTML (escaped text) with each ``[…]{lang=xx}`` made a ``<span lang="xx">``; a span whose
    code is not a language is left as written (the chapter's check names it, with its line)."""
    def span(match: re.Match) -> str:
        try:
            code = checked(unescape(match["code"]))
        except BadLanguage:
            return match[0]
        inner = re.sub(r"\\([\[\]])", r"\1", match["text"])
        return f'<span lang="{code}">{inner}</span>'

    return SPAN.sub(span, text) if "]{" in text else text


def plain(text: str) -> str:
    """``[Job dating]{lang=en}`` → ``Job dating``: for plain text (a bookmark, an attribute)."""
    return SPAN.sub(lambda m: re.sub(r"\\([\[\]])", r"\1", m["text"]), text) if "]{" in text else text


def problems(text: str) -> list[tuple[int, str, str]]:
    """(line, message, hint) of each language code of ``text`` (a chapter's source) that is not one."""
    found = []
    for attributes in _ATTRIBUTES.finditer(text):
        for lang in _LANG.finditer(attributes[0]):
            code = next(g for g in lang.groups() if g is not None)
            try:
                checked(unescape(code))
            except BadLanguage as exc:
                found.append((text.count("\n", 0, attributes.start() + lang.start()) + 1, *exc.args))
    return found


@functools.cache
def markdown_extension():
    """The Markdown extension that reads ``[…]{lang=xx}`` (before links and references); one
    instance serves every conversion."""
    import xml.etree.ElementTree as etree

    from markdown.extensions import Extension
    from markdown.inlinepatterns import InlineProcessor

    class LangSpan(InlineProcessor):
        def handleMatch(self, match, data):   # noqa: N802 - Markdown's name
            try:
                code = checked(match["code"])
            except BadLanguage:
                return None, None, None       # left as written
            element = etree.Element("span", {"lang": code})
            element.text = re.sub(r"\\([\[\]])", r"\1", match["text"])
            return element, match.start(0), match.end(0)

    class LangExtension(Extension):
        def extendMarkdown(self, md):   # noqa: N802 - Markdown's name
            # after the escapes (180) and code spans (190), before references and links (170, 160)
            md.inlinePatterns.register(LangSpan(SPAN.pattern, md), "lang-span", 175)

    return LangExtension()
