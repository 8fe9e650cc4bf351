"""House-style lint of the editorial Markdown, with safe fixes.

The layout already sets the spaces the French rules ask for (before ; : ! ? », after «, in
figures): those need no lint. What it cannot decide alone is checked here, line by line,
outside directives, HTML tags and addresses:

- ``guillemets``: straight double quotes → « … »;
- ``ellipsis``: three dots → … ;
- ``ordinals``: 1ère, 2ème, 3ième → 1re, 2e, 3e (the layout sets them in superscript);
- ``capitals``: a capital E that lost its accent (Etat → État), from a list of words;
- ``repeated``: a word written twice in a row (« le le »);
- ``spaces``: two spaces inside a sentence;
- ``figures``: a figure typed in the text (with a unit, decimals or thousands) rather than
  bound to the data with ``{{ fig("…") }}``. The message proposes the binding only when the same
  value is in the data under a label (table title, section, row, column, tile label, key) that
  shares a meaningful word with the words around the typed figure; it flags a close but
  different value of the same subject as a probable inconsistency. A rate base (« pour
  100 000 habitants », « p. 1 000 ») and the whole of something (« remboursés à 100 % »,
  « 100 % santé ») are not figures. The units are those of :mod:`french` and the ones the
  edition declares (``lint: {units: [agents]}``): « 36 agents » is then a figure to bind.

Every finding is printed with its rule's name (« [figures] »). Each rule can be turned off for
an edition (``lint: {disable: [ordinals]}`` in the manifest); an unknown name there is an
error that names the closest rule (:func:`unknown_rules`).
Fixes never touch a figure: digits are left as they are.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from decimal import Decimal

from .. import french
from ..errors import ConfigError, ReportWarning, closest

RULES = ("guillemets", "ellipsis", "ordinals", "capitals", "repeated", "spaces", "figures")

# words whose initial É is often typed E; the fix keeps the rest of the word as written
ACCENTED = {
    "Etat": "État", "Etats": "États", "Etablissement": "Établissement", "Etablissements": "Établissements",
    "Evolution": "Évolution", "Evolutions": "Évolutions", "Education": "Éducation", "Economie": "Économie",
    "Economies": "Économies", "Egalement": "Également", "Election": "Élection", "Elections": "Élections",
    "Echange": "Échange", "Echanges": "Échanges", "Ecole": "École", "Ecoles": "Écoles", "Etude": "Étude",
    "Etudes": "Études", "Equipe": "Équipe", "Equipes": "Équipes", "Evidemment": "Évidemment",
    "Evénement": "Événement", "Evènement": "Évènement", "Evénements": "Événements", "Evènements": "Évènements",
    "Etudiants": "Étudiants", "Etudiant": "Étudiant", "Electronique": "Électronique", "Elus": "Élus",
}

_PROTECTED = re.compile(r"^!!! .*$|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]+>|https?://\S+|`[^`]*`|\[\^[\w-]+\]")
_ORDINAL = re.compile(r"\b(\d+) ?(ère|ere|ème|eme|ième|ieme)\b")
_REPEATED = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)
_QUOTED = re.compile(r'"([^"\n]+)"')
_CAPITAL = re.compile(r"\b(" + "|".join(sorted(ACCENTED, key=len, reverse=True)) + r")\b")


@dataclass
class Finding:
    path: Path
    line: int
    rule: str
    message: str

    def warning(self) -> ReportWarning:
        return ReportWarning(f"[{self.rule}] {self.message}", self.path, self.line)


def _ordinal(match: re.Match) -> str:
    suffix = "re" if match[2] in ("ère", "ere") and match[1] == "1" else "e"
    return f"{match[1]}{suffix}"


def _fix_segment(text: str, rules: set[str]) -> str:
    if "guillemets" in rules:
        text = _QUOTED.sub(lambda m: f"« {m[1].strip()} »", text)
    if "ellipsis" in rules:
        text = re.sub(r"(?<!\.)\.\.\.(?!\.)", "…", text)
    if "ordinals" in rules:
        text = _ORDINAL.sub(_ordinal, text)
    if "capitals" in rules:
        text = _CAPITAL.sub(lambda m: ACCENTED[m[1]], text)
    if "spaces" in rules:
        text = re.sub(r"(?<=\S)  +(?=\S)", " ", text)
    return text


def fix_line(line: str, rules: set[str]) -> str:
    """The line with the safe fixes applied outside directives, tags and addresses.

    Applied until nothing changes (« ""a"" » takes two rounds), so that ``check --fix`` run
    twice changes nothing the second time. Each round removes straight quotes, dots, spaces or
    an unaccented word, so it ends; a round per level of quotes in quotes, 100 at most.
    """
    for _ in range(100):
        fixed = _fix_once(line, rules)
        if fixed == line:
            break
        line = fixed
    return line


def _fix_once(line: str, rules: set[str]) -> str:
    out, last = [], 0
    for match in _PROTECTED.finditer(line):
        out.append(_fix_segment(line[last:match.start()], rules))
        out.append(match[0])
        last = match.end()
    out.append(_fix_segment(line[last:], rules))
    return "".join(out)


def _prose_lines(text: str):
    """(number, line) of the lines that are prose: not front matter, tables or code."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0] == "---":
        start = next((i for i, line in enumerate(lines[1:], 1) if line == "---"), 0) + 1
    fenced = False
    for n, line in enumerate(lines[start:], start + 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.lstrip().startswith("|") or line.startswith("[^"):
            continue
        yield n, line


def lint_file(path: Path, rules: set[str]) -> list[Finding]:
    findings = []
    for n, line in _prose_lines(path.read_text(encoding="utf-8")):
        plain = _PROTECTED.sub("§", line)
        for rule in rules:
            if rule == "repeated":
                for match in _REPEATED.finditer(plain):
                    if not match[1].isdigit() and match[1].lower() not in ("nous", "vous"):
                        findings.append(Finding(path, n, rule, f"« {match[0]} » : mot répété"))
                continue
            fixed = fix_line(line, {rule})
            if fixed != line:
                findings.append(Finding(path, n, rule, f"à corriger en « {_changed(line, fixed)} »"))
    return findings


def _changed(line: str, fixed: str) -> str:
    """The words of the fixed line that differ from the line as written."""
    start = next((i for i, (a, b) in enumerate(zip(line, fixed)) if a != b), min(len(line), len(fixed)))
    tail = next((i for i, (a, b) in enumerate(zip(reversed(line), reversed(fixed))) if a != b), 0)
    end = len(fixed) - tail
    start = fixed.rfind(" ", 0, start) + 1
    stop = fixed.find(" ", max(end, start + 1))
    return fixed[start:stop if stop != -1 else len(fixed)].strip()


LINT_MAX_BYTES = 1_000_000    # the longest reference chapter is 22 kB


def lint_edition(content: Path, disabled: list[str], store=None, units: list[str] | tuple = ()) -> list[Finding]:
    """Every finding of the edition's chapters; ``units`` are the units its manifest declares."""
    rules = set(RULES) - set(disabled)
    # the house style is a matter of prose: a file of megabytes is not (the build refuses it
    # anyway), and its regular expressions would take seconds on it
    files = [md for md in sorted(content.rglob("*.md")) if md.stat().st_size <= LINT_MAX_BYTES]
    found = [f for md in files for f in lint_file(md, rules - {"figures"})]
    if "figures" in rules and store is not None:
        values = _known_values(store, units)
        found += [f for md in files for f in unbound_figures(md, values, units)]
    return found


def unknown_rules(disabled: list[str], manifest: Path) -> list[ConfigError]:
    """An error for each name of ``lint.disable`` that is no rule, with the closest rule's name."""
    errors = []
    for name in dict.fromkeys(str(n) for n in disabled):
        if name in RULES:
            continue
        close = closest(name, RULES, cutoff=0.5)
        message = f"règle de style inconnue « {name} » dans lint.disable"
        if close:
            message += f" : la plus proche est « {close} »"
        errors.append(ConfigError(message, manifest, _disable_line(manifest, name),
                                  hint=f"règles : {', '.join(RULES)}"))
    return errors


def _disable_line(manifest: Path, name: str) -> int | None:
    """The line of the manifest where ``name`` is written under ``lint:``, else that of ``lint:``."""
    try:
        lines = manifest.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    start = next((n for n, line in enumerate(lines) if re.match(r"lint\s*:", line)), None)
    if start is None:
        return None
    word = re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])")
    for n in range(start, len(lines)):
        if n > start and lines[n][:1] not in (" ", "\t", "-", "#", ""):
            break          # the next key of the manifest: « lint: » is over
        if word.search(lines[n]):
            return n + 1
    return start + 1


# --- figures typed in the text ----------------------------------------------------------------

#: Units after which any figure is a figure (« 12 % », « 3 M€ »); the edition may declare more
#: (``lint: {units: [agents]}``). The words of :data:`french.WORD_UNITS` (« 30 jours »,
#: « 60 ans », « 13 millions ») are read with their figure, to find it in the data under the
#: same unit, but do not make a count without decimals or thousands a figure to bind.
SYMBOL_UNITS = ("%", "‰", "k€", "M€", "€")
MAGNITUDES = {"million": "millions", "millions": "millions", "milliard": "milliards", "milliards": "milliards"}

_NUMBER = r"(\d{1,3}(?:[ \u202f\u00a0]\d{3})+(?:,\d+)?|\d+(?:,\d+)?)"
#: A rate base: « pour 100 000 habitants », « 3,2 p. 1 000 », « 12 / 10 000 ».
_RATE_BASE = re.compile(r"(?:\b(?:pour|p\.)|/)\s*$", re.IGNORECASE)
#: « remboursés à 100 % », « pris en charge à hauteur de 100 % », but not « de 98 % à 100 % ».
_AT_FULL = re.compile(r"\bà(?:\s+hauteur\s+de)?\s*$", re.IGNORECASE)
_FIGURE_BEFORE = re.compile(r"\d\s*(?:%|‰|€)?\s*à\s*$")
#: « 100 % santé », « 100 % dématérialisé », « 100 % en ligne »: a name or a manner, not a share;
#: « 100 % des assurés », « 100 % en 2023 » are figures.
_FULL_NAME = re.compile(
    r"\s*(?:en\s+ligne\b|(?!(?:de|des|du|d|en|à|au|aux|sur|dans|par|pour|contre|et|ou|avec|entre|soit|"
    r"chez|selon|depuis|fin|vs|versus|contre)\b)[^\W\d_])", re.IGNORECASE)


def _clean_units(units) -> tuple[str, ...]:
    """The declared units that are words: stripped, without duplicates."""
    found = []
    for unit in units or ():
        unit = " ".join(str(unit).split())
        if unit and not unit.isdigit() and unit.casefold() not in (u.casefold() for u in found):
            found.append(unit)
    return tuple(found)


def _unit_key(unit: str) -> str:
    """How a figure's unit is compared: a symbol as is, a magnitude (« millions ») by its plural.

    Other words (« jours », « ETP », a declared « agents ») say what is counted, not how much:
    « 9,77 jours » typed in the text is the « 9,77 » of the data, printed with its word.
    """
    if unit in SYMBOL_UNITS:
        return unit
    return MAGNITUDES.get(unit.casefold(), "")


def _figure_pattern(units: tuple[str, ...]) -> re.Pattern:
    words = sorted({*french.WORD_UNITS, *units}, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in word.split()) for word in words)
    return re.compile(rf"(?<![\w,.])(?<!\d ){_NUMBER}(?:\s?(?-i:(%|‰|k€|M€|€))|[ \u202f\u00a0]+({alternatives})(?!\w))?",
                      re.IGNORECASE)


def _declared_figure(text: str, units: tuple[str, ...]) -> french.Figure | None:
    """« 36 agents » with ``agents`` declared: the figure 36 in unit « agents »."""
    for unit in units:
        match = re.fullmatch(_NUMBER + r"[ \u202f\u00a0]+" + r"\s+".join(map(re.escape, unit.split())),
                             text.strip(), re.IGNORECASE)
        if match:
            figure = french.parse_figure(match[1])
            if figure is not None:
                return french.Figure(figure.value, figure.decimals, unit=unit)
    return None


# words that say nothing of what a figure counts: a label does not match a text by them
_STOP = (
    "le la les l un une des de du d au aux a à en et ou où par pour sur sous dans avec sans que qu qui "
    "dont ce cet cette ces c son sa ses leur leurs notre nos votre vos il elle ils elles on nous vous "
    "est sont été être ont avait fait plus moins très tout tous toute toutes entre vers chez ne pas se "
    "s n y soit ainsi aussi comme mais donc car ni contre après avant depuis lors près environ "
    "année années an ans mois jour jours total totale nombre taux part montant évolution données "
    "caisse cpam chiffre chiffres valeur euro euros millions million milliards milliard"
)


def _normal(word: str) -> str:
    word = "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c))
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


STOP_WORDS = frozenset(_normal(w) for w in _STOP.split())


def meaningful_words(text: str) -> frozenset[str]:
    """The words of ``text`` that say what a figure counts: no article, no generic « nombre »."""
    words = (_normal(w) for w in re.findall(r"[^\W\d_]+", text))
    return frozenset(w for w in words if len(w) >= 3 and w not in STOP_WORDS)


def _alike(a: str, b: str) -> bool:
    """The same word, or two forms of it (« remboursés », « remboursement »)."""
    if a == b:
        return True
    common = len(next((p for p in (a[:n] for n in range(min(len(a), len(b)), 4, -1)) if b.startswith(p)), ""))
    return common >= 5 and common >= 0.7 * min(len(a), len(b))


def shared_words(context: frozenset[str], label: frozenset[str]) -> int:
    """How many words of a figure's label the text around a typed figure also says."""
    return sum(1 for word in label if any(_alike(word, other) for other in context))


@dataclass(frozen=True)
class Known:
    """A figure of the edition's data: its reference and the words of its label and key."""

    ref: str
    words: frozenset[str]


def _key_words(*keys: str) -> str:
    return " ".join(re.sub(r"[._\-]+", " ", key) for key in keys)


def _known_values(store, units=()) -> dict:
    """{(value, unit): [Known…]} of every figure of the edition's data, in the order of the data."""
    units = _clean_units(units)
    values: dict = {}

    def add(figure, ref: str, *labels: str) -> None:
        if figure is not None:
            words = meaningful_words(" ".join(labels))
            values.setdefault((figure.value, _unit_key(figure.unit)), []).append(Known(ref, words))

    for table in store.tables.values():
        section = ""
        for row in table.rows:
            if row.kind == "section":
                section = row.label
            for col, cell in zip(table.columns, row.cells):
                figure = cell.figure or (_declared_figure(cell.text, units) if units else None)
                add(figure, f"{table.id}.{row.key}.{col.key}", table.title, section, row.label, col.label,
                    _key_words(table.id, row.key, col.key))
    for group in store.kpis.values():
        for top in group.tiles:
            for tile in (top, *top.children):
                ref = f"kpis.{group.id}.{tile.key}"
                labels = (group.title, top.label if tile is not top else "", tile.label, tile.sub,
                          _key_words(group.id, tile.key))
                figure = tile.figure or (_declared_figure(tile.value, units) if units else None)
                add(figure, ref, *labels, tile.unit)
    for key, (text, _) in store.figures.items():
        figure = french.parse_figure(text) or (_declared_figure(text, units) if units else None)
        add(figure, key, _key_words(key))
    return values


def _context(plain: str, start: int, end: int, width: int = 6) -> frozenset[str]:
    """The meaningful words around a figure in its sentence: ``width`` on each side."""
    before = re.split(r"[.!?](?:\s|$)", plain[:start])[-1]
    after = re.split(r"[.!?](?:\s|$)", plain[end:])[0]
    words = [sorted(meaningful_words(w)) for w in re.findall(r"[^\W\d_]+", before)]
    left = [w for found in words for w in found][-width:]
    words = [sorted(meaningful_words(w)) for w in re.findall(r"[^\W\d_]+", after)]
    right = [w for found in words for w in found][:width]
    return frozenset(left + right)


def _conventional(plain: str, start: int, end: int, figure: french.Figure, unit: str) -> bool:
    """A rate base (« pour 100 000 habitants ») or the whole of something (« remboursés à 100 % »)."""
    before = plain[:start]
    if unit not in SYMBOL_UNITS and not figure.decimals and figure.value >= 10 and _power_of_ten(figure.value):
        return bool(_RATE_BASE.search(before))
    if unit == "%" and figure.value == 100 and not figure.decimals:
        if _AT_FULL.search(before) and not _FIGURE_BEFORE.search(before):
            return True
        return bool(_FULL_NAME.match(plain, end))
    return False


def _power_of_ten(value: Decimal) -> bool:
    digits = str(int(value))
    return digits[0] == "1" and set(digits[1:]) <= {"0"}


def _refs(known: list[Known]) -> str:
    return " ou ".join(f'{{{{ fig("{k.ref}") }}}}' for k in known[:3])


def unbound_figures(path: Path, values: dict, units=()) -> list[Finding]:
    """Figures typed in the text: bind them; a close value in the data may be an inconsistency.

    ``values`` is :func:`_known_values` of the edition's data, ``units`` the units the edition
    declares. A binding is proposed only when the words around the typed figure share a word with
    the label of the figure in the data; a rate base or a share of a whole is not a figure.
    """
    units = _clean_units(units)
    pattern = _figure_pattern(units)
    declared = {u.casefold() for u in units}
    findings = []
    for n, line in _prose_lines(path.read_text(encoding="utf-8")):
        plain = _PROTECTED.sub("§", line)
        for match in pattern.finditer(plain):
            number, unit = match[1], match[2] or " ".join((match[3] or "").split())
            counting = bool(match[2]) or unit.casefold() in declared
            if not (counting or "," in number or re.search(r"\d[ \u202f\u00a0]\d{3}", number)):
                continue           # a day, a count in words' place, a year: left to the writer
            figure = french.parse_figure(number)
            if figure is None or _conventional(plain, match.start(), match.end(), figure, unit):
                continue
            text = match[0].strip()
            context = _context(plain, match.start(), match.end()) | meaningful_words(unit)   # « 36 agents »
            message = _advice(text, figure, unit, values, context)
            findings.append(Finding(path, n, "figures", message))
    return findings


def _advice(text: str, figure: french.Figure, unit: str, values: dict, context: frozenset[str]) -> str:
    """What to write instead of the typed figure: its binding, an inconsistency, or a new figure."""
    key = _unit_key(unit)
    same = values.get((figure.value, key), [])
    scored = sorted(((shared_words(context, k.words), i, k) for i, k in enumerate(same)), key=lambda s: (-s[0], s[1]))
    best = [k for score, _, k in scored if score and score == scored[0][0]]
    if best:
        return f"« {text} » tapé dans le texte : la même valeur est dans les données, écrivez {_refs(best)}"
    new = "mettez-le dans data/…/figures/ et écrivez {{ fig(\"…\") }}"
    if len(same) == 1:       # named, not proposed: the writer knows whether it is the same figure
        return (f"« {text} » tapé dans le texte : même valeur que {same[0].ref} dans les données, mais sous "
                f"un libellé sans rapport avec le texte ; si c'est le même chiffre, liez-le à cette clé, "
                f"sinon {new}")
    if same:
        return (f"« {text} » tapé dans le texte : {len(same)} chiffres des données ont cette valeur, aucun "
                f"sous un libellé proche du texte ; {new}")
    if figure.decimals:      # a precise figure near a printed one, of the same subject
        near = [(shared_words(context, k.words), abs(v - figure.value), v, k)
                for (v, u), known in values.items() if u == key and v
                and abs(v - figure.value) <= abs(v) * Decimal("0.01") for k in known]
        near = sorted((n for n in near if n[0]), key=lambda n: (-n[0], n[1]))
        if near:
            _, _, value, known = near[0]
            return (f"« {text} » tapé dans le texte, proche de {known.ref} "
                    f"({french.format_number(value, 2)}) : incohérence probable")
    return f"« {text} » tapé dans le texte : {new}"


def fixes(content: Path, disabled: list[str]) -> dict[Path, tuple[str, str]]:
    """{file: (before, after)} for the files the safe fixes would change."""
    rules = set(RULES) - set(disabled) - {"repeated"}    # a repeated word needs a human
    changed = {}
    for md in sorted(content.rglob("*.md")):
        before = md.read_text(encoding="utf-8")
        prose = dict(_prose_lines(before))
        after = "\n".join(fix_line(line, rules) if n in prose else line
                          for n, line in enumerate(before.split("\n"), 1))
        if after != before:
            changed[md] = (before, after)
    return changed


def diff(path: Path, before: str, after: str, root: Path) -> str:
    name = str(path.relative_to(root))
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))
