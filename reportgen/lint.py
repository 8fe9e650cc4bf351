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
  bound to the data with ``{{ fig("…") }}``: the message proposes the binding when the same
  value is in the data, and flags a close but different value as a probable inconsistency.

Each rule can be turned off for an edition (``lint: {disable: [ordinals]}`` in the manifest).
Fixes never touch a figure: digits are left as they are.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from decimal import Decimal

from . import french
from .errors import ReportWarning

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
    """The line with the safe fixes applied outside directives, tags and addresses."""
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


def lint_edition(content: Path, disabled: list[str], store=None) -> list[Finding]:
    rules = set(RULES) - set(disabled)
    # the house style is a matter of prose: a file of megabytes is not (the build refuses it
    # anyway), and its regular expressions would take seconds on it
    files = [md for md in sorted(content.rglob("*.md")) if md.stat().st_size <= LINT_MAX_BYTES]
    found = [f for md in files for f in lint_file(md, rules - {"figures"})]
    if "figures" in rules and store is not None:
        values = _known_values(store)
        found += [f for md in files for f in unbound_figures(md, values)]
    return found


_FIGURE = re.compile(r"(?<![\w,.])(?<!\d )(\d{1,3}(?:[ \u202f\u00a0]\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(\s?(?:%|€|‰))?")


def _known_values(store) -> dict:
    """{(value, unit): reference} of every figure of the edition's data."""
    values: dict = {}
    for table in store.tables.values():
        for row in table.rows:
            for col, cell in zip(table.columns, row.cells):
                if cell.figure:
                    values.setdefault((cell.figure.value, cell.figure.unit), f"{table.id}.{row.key}.{col.key}")
    for group in store.kpis.values():
        for tile in (t for top in group.tiles for t in (top, *top.children)):
            if tile.figure:
                values.setdefault((tile.figure.value, tile.figure.unit), f"kpis.{group.id}.{tile.key}")
    for key, (text, _) in store.figures.items():
        figure = french.parse_figure(text)
        if figure:
            values.setdefault((figure.value, figure.unit), key)
    return values


def unbound_figures(path: Path, values: dict) -> list[Finding]:
    """Figures typed in the text: bind them; a close value in the data may be an inconsistency.

    ``values`` is :func:`_known_values` of the edition's data.
    """
    findings = []
    for n, line in _prose_lines(path.read_text(encoding="utf-8")):
        plain = _PROTECTED.sub("§", line)
        for match in _FIGURE.finditer(plain):
            number, unit = match[1], (match[2] or "").strip()
            if not (unit or "," in number or re.search(r"\d[ \u202f\u00a0]\d{3}", number)):
                continue           # a day, a count in words' place, a year: left to the writer
            figure = french.parse_figure(match[0].strip())
            if figure is None:
                continue
            text = match[0].strip()
            ref = values.get((figure.value, figure.unit))
            if ref:
                message = f"« {text} » tapé dans le texte : la même valeur est dans les données, écrivez {{{{ fig(\"{ref}\") }}}}"
            else:
                near = [(v, r) for (v, u), r in values.items()   # a precise figure near a printed one
                        if figure.decimals and u == figure.unit and v
                        and abs(v - figure.value) <= abs(v) * Decimal("0.01")]
                if near:
                    message = (f"« {text} » tapé dans le texte, proche de {near[0][1]} "
                               f"({french.format_number(near[0][0], 2)}) : incohérence probable")
                else:
                    message = f"« {text} » tapé dans le texte : mettez-le dans data/…/figures/ et écrivez {{{{ fig(\"…\") }}}}"
            findings.append(Finding(path, n, "figures", message))
    return findings


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
