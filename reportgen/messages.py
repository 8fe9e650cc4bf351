"""Jinja's syntax errors in French, for a chapter's directives and a layout's templates alike.

Jinja words its errors in English (``unexpected '}', expected ')'``, ``Encountered unknown tag
'x'``…). :func:`jinja_syntax` says the same in French, naming the marks the writer typed
(« }} », « {% endcall %} »), and falls back on a French sentence for any message it does not
know: no English reaches the user.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: what Jinja calls a token → what the writer typed or sees
_MARKS = {
    "end of print statement": "« }} »",
    "begin of print statement": "« {{ »",
    "end of statement block": "« %} »",
    "begin of statement block": "« {% »",
    "begin of comment": "« {# »",
    "end of comment": "« #} »",
    "end of template": "la fin du texte",
    "template data / text": "du texte",
    "name": "un nom",
    "string": "un texte entre guillemets",
    "integer": "un nombre",
    "float": "un nombre",
    "comment": "un commentaire",
    "begin of line statement": "un début de ligne de directive",
    "end of line statement": "une fin de ligne de directive",
}
_CLOSERS = {")": "une parenthèse", "]": "un crochet", "}": "une accolade"}
_GENERIC = ("syntaxe incorrecte : vérifiez les accolades « {{ }} » ou « {% %} », les parenthèses "
            "et les guillemets de cette ligne")


def _mark(token: str) -> str:
    """A token as Jinja describes it (``','``, ``end of print statement``, a name) → French."""
    token = token.strip().strip("'\"")
    return _MARKS.get(token, f"« {token} »")


def _tags(text: str) -> list[str]:
    """The tag names Jinja quotes in a list (``'endcall' or 'else'``)."""
    return re.findall(r"'([^']+)'", text)


def _tag(name: str) -> str:
    return f"« {{% {name} %}} »"


def _unknown_tag(name: str, rest: str) -> str:
    looking = re.search(r"(?:currently looking for|looking for the following tags:) (.+?)\.(?: |$)", rest)
    wanted = _tags(looking[1]) if looking else []
    end = next((t for t in wanted if t.startswith("end")), wanted[0] if wanted else "")
    inner = re.search(r"innermost block that needs to be closed is '([^']+)'", rest)
    if name.startswith(("end", "else", "elif")):
        if not wanted:
            opener = "if" if name in ("else", "elif") else name[3:]
            return f"{_tag(name)} ne ferme aucun bloc ouvert : retirez-le ou ouvrez le bloc {_tag(opener)}"
        block = f"le bloc {_tag(inner[1])} ouvert" if inner else "le bloc ouvert"
        return f"{_tag(name)} inattendu ici : {block} attend d'abord {_tag(end)} (blocs mal emboîtés ?)"
    text = f"balise {_tag(name)} inconnue"
    if end:
        text += f" ; le bloc ouvert attend {_tag(end)}"
    return text


def _end_of_template(rest: str) -> str:
    wanted = sorted(_tags(rest.split("innermost")[0]), key=lambda t: not t.startswith("end"))
    inner = re.search(r"innermost block that needs to be closed is '([^']+)'", rest)
    if inner and wanted:
        return f"bloc {_tag(inner[1])} jamais fermé : il manque {_tag(wanted[0])}"
    if wanted:
        return f"bloc jamais fermé : il manque {_tag(wanted[0])}"
    return "la fin du texte arrive au milieu d'une directive : une balise n'est pas fermée"


def _expected_at_end(token: str) -> str:
    token = token.strip().strip("'\"")
    if token == "end of print statement":
        return "directive jamais fermée : il manque « }} »"
    if token == "end of statement block":
        return "balise jamais fermée : il manque « %} »"
    if token in _MARKS or not re.fullmatch(r"\w+", token):
        return f"la fin du texte arrive alors que {_mark(token)} est attendu"
    return f"bloc jamais fermé : il manque {_tag(token)}"


#: (Jinja's message, French sentence or function of the match), in the order tried
_RULES: list[tuple[re.Pattern, object]] = [(re.compile(p, re.S), f) for p, f in [
    (r"unexpected '(.)', expected '(.)'$",
     lambda m: f"« {m[1]} » inattendu : il manque « {m[2]} » pour fermer {_CLOSERS.get(m[2], 'une parenthèse')}"),
    (r"unexpected '([)\]}])'$", lambda m: f"« {m[1]} » en trop : il ne ferme rien"),
    (r"unexpected end of template, expected (.+?)\.?$", lambda m: _expected_at_end(m[1])),
    (r"Unexpected end of template\.?(.*)$", lambda m: _end_of_template(m[1])),
    (r"Encountered unknown tag '([^']+)'\.?(.*)$", lambda m: _unknown_tag(m[1], m[2])),
    (r"expected token '(.+?)', got '(.+)'$",
     lambda m: f"{_mark(m[2])} inattendu : {_mark(m[1])} attendu à cet endroit"),
    (r"unexpected char (.+?) at \d+$", lambda m: f"caractère « {m[1][1:-1]} » inattendu ici"),
    (r"unexpected '(.+)'$", lambda m: f"valeur attendue avant {_mark(m[1])}"),
    (r"Expected an expression, got '(.+)'$", lambda m: f"valeur attendue avant {_mark(m[1])}"),
    (r"tag name expected$", "nom de balise attendu après « {% »"),
    (r"expected name or number$", "nom ou nombre attendu après le point"),
    (r"expected subscript expression$", "indice attendu entre les crochets"),
    (r"invalid syntax for function call expression$",
     "appel mal écrit : les arguments nommés (nom=valeur) viennent après les autres"),
    (r"expected call$", "« {% call %} » attend un appel, par exemple {% call focus(\"Titre\") %}"),
    (r"non-default argument follows default argument$",
     "macro : un argument sans valeur par défaut suit un argument qui en a une"),
    (r"can't assign to '?(\w+)'?$", lambda m: "affectation impossible : seul un nom reçoit une valeur"),
    (r"Missing end of comment tag$", "commentaire « {# » jamais fermé : il manque « #} »"),
    (r"Missing end of raw directive$", "« {% raw %} » jamais fermé : il manque « {% endraw %} »"),
    (r"Invalid character in identifier$", "caractère interdit dans un nom"),
    (r"names starting with an underline can not be imported$",
     "un nom qui commence par « _ » ne peut pas être importé"),
    (r"Block names in Jinja",
     "nom de bloc invalide : lettres, chiffres et « _ » seulement, sans « - »"),
    (r"block '(.+)' defined twice$", lambda m: f"bloc « {m[1]} » défini deux fois"),
    (r"cannot use extend from a non top-level scope$",
     "« {% extends %} » s'écrit en tête du gabarit, hors de tout bloc"),
    (r"No filter named '(.+)'\.?", lambda m: f"filtre « {m[1]} » inconnu"),
    (r"No test named '(.+)'\.?", lambda m: f"test « {m[1]} » inconnu"),
    (r"You cannot chain multiple tests with is$", "deux tests « is » ne s'enchaînent pas"),
    (r"Required blocks can only contain",
     "un bloc « required » ne contient que des commentaires ou des espaces"),
    (r"special \"caller\" argument", "l'argument « caller » d'une macro s'omet ou reçoit une valeur par défaut"),
    (r"Can't assign to special loop variable", "« loop » est réservé dans une boucle : choisissez un autre nom"),
    (r"chunk after expression$", "texte en trop après l'expression"),
    (r"escape|codec|unicode",
     "texte entre guillemets illisible : une barre oblique inverse « \\ » y est mal employée"),
]]


def jinja_syntax(message: str | None) -> str:
    """Jinja's syntax error ``message`` in French; a French sentence for anything it does not know."""
    text = " ".join(str(message or "").split())
    for pattern, french in _RULES:
        match = pattern.search(text)
        if match:
            return french(match) if callable(french) else french
    return _GENERIC


def syntax_error(exc: Any, source: str | None = None) -> tuple[str, int | None]:
    """(the French message, the line) of a Jinja syntax error, for a chapter or a template.

    Jinja names the last line of a block, a ``{{`` or a ``{%`` left open: the line given is the
    one where it opens (``source`` is the template's text; by default the one the error carries).
    """
    message = str(getattr(exc, "message", None) or exc)
    line = getattr(exc, "lineno", None)
    source = source if source is not None else getattr(exc, "source", None)
    if "end of template" in message.lower() and source:
        line = unclosed_line(source) or line
    return jinja_syntax(message), line


# --- the Jinja of a text, read without Jinja: what is open, where ------------------------------
_OPENING = re.compile(r"\{[{%#]")
_CLOSING = {"{{": "}}", "{%": "%}", "{#": "#}"}
_TAG_NAME = re.compile(r"\{%[-+]?\s*(\w*)")
_END_RAW = re.compile(r"\{%[-+]?\s*endraw\s*[-+]?%\}")
BLOCK_TAGS = {"call", "if", "for", "macro", "filter", "with", "autoescape", "block", "set", "trans"}


@dataclass
class Piece:
    start: int
    end: int
    kind: str      # « {{ », « {% » or « {# »
    tag: str       # the tag's name for « {% » (« set= » for a one-line set)
    closed: bool


def pieces(text: str, start: int = 0, end: int | None = None) -> list[Piece]:
    """The ``{{ … }}``, ``{% … %}`` and ``{# … #}`` of ``text[start:end]``, in order.

    One not closed ends at its line's end, or where the next one opens.
    """
    end = len(text) if end is None else end
    found: list[Piece] = []
    pos = start
    while (match := _OPENING.search(text, pos, end)) is not None:
        opener = match[0]
        following = _OPENING.search(text, match.end(), end) if opener != "{#" else None
        limit = following.start() if following else end
        close = text.find(_CLOSING[opener], match.end(), limit)
        if close >= 0:
            stop, closed = close + 2, True
        else:
            eol = text.find("\n", match.end(), limit)
            stop, closed = (eol if eol >= 0 else limit), False
        tag = ""
        if opener == "{%":
            tag = _TAG_NAME.match(text, match.start())[1]
            if tag == "set" and "=" in text[match.end():stop]:
                tag = "set="
            if tag == "raw" and closed:     # the text up to « {% endraw %} » is not Jinja's
                endraw = _END_RAW.search(text, stop, end)
                stop = endraw.end() if endraw else stop
        found.append(Piece(match.start(), stop, opener, tag, closed))
        pos = max(stop, match.end())
    return found


def unclosed_line(text: str) -> int | None:
    """The line where the block (or the ``{{``, the ``{%``) left open at the end of ``text`` opens."""
    found = pieces(text)
    if found and not found[-1].closed:
        return text.count("\n", 0, found[-1].start) + 1
    opened: list[Piece] = []
    for piece in found:
        if piece.kind != "{%":
            continue
        if piece.tag in BLOCK_TAGS:
            opened.append(piece)
        elif piece.tag.startswith("end"):
            for k in range(len(opened) - 1, -1, -1):
                if opened[k].tag == piece.tag[3:]:
                    del opened[k:]
                    break
    return text.count("\n", 0, opened[-1].start) + 1 if opened else None


def jinja_undefined(message: str | None) -> str:
    """Jinja's « 'x' is undefined » (a name the chapter does not know) in French."""
    text = " ".join(str(message or "").split())
    if match := re.fullmatch(r"'(.+)' is undefined", text):
        return f"« {match[1]} » n'existe pas"
    if match := re.fullmatch(r"'?(.+?)'? has no attribute '(.+)'", text):
        return f"« {match[2]} » n'existe pas dans cette valeur"
    if match := re.fullmatch(r"'?(.+?)'? has no element (.+)", text):
        return f"élément « {match[2].strip(chr(39))} » absent de cette valeur"
    return "une valeur employée n'existe pas"


__all__ = ["jinja_syntax", "jinja_undefined", "pieces", "syntax_error", "unclosed_line"]
