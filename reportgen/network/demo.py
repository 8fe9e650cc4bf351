"""A synthetic network of fictitious caisses, for scale work (``reportgen demo network N FOLDER``).

The N editions are made from the editions of a project, in turn (the first from the first
edition, and so on): the caisse's name and territory are invented, the signatory and the
people of the lists renamed, and every figure of the data changed by a few per cent (the same
figure of one caisse always becomes the same new figure, so that a figure quoted twice stays
equal); the prose is kept, but for the caisse's name. Everything is decided by the caisse's
rank: the same N from the same editions gives the same files, byte for byte.

The network is a project of its own (``reportgen.yml``, ``content/``, ``data/``), written in a
separate folder, never inside the project it comes from; it is written beside its folder, then
renamed into place, so that a failure leaves no half network.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from ..errors import ConfigError
from ..french import parse_figure, round_figure
from ..workflows.init import PROJECT_TEXT
from ..project import MANIFEST, PROJECT_FILE, EditionPaths, Project, shipped_layouts

ROOTS = ("Orvanne", "Aubrelle", "Ervaux", "Arlemont", "Oudrac", "Ambrune", "Ivrelle", "Escandre", "Ulmière",
         "Aygalade")
PREFIXES = (("Haute-", "de la "), ("Basse-", "de la "), ("Val-d'", "du "), ("Pays-d'", "du "),
            ("Monts-d'", "des "), ("Côte-d'", "de la "))
FIRST_NAMES = ("Anne", "Bruno", "Camille", "Denis", "Élise", "Fabrice", "Gaëlle", "Hugo", "Inès", "Julien",
               "Karine", "Louis", "Maëlle", "Nicolas", "Odile", "Pascal", "Rose", "Serge", "Thérèse", "Yves")
LAST_NAMES = ("ARVIEU", "BRESSAC", "CORNEBOIS", "DALMERANT", "ESCOFFIÈRE", "FRANCHEVAL", "GOURDANNE",
              "HAUTEROCHE", "JOLIBERT", "LAVERDINE", "MONTFALCON", "NÉRAC-VILLE", "ORSONNEAU", "PRADELLES",
              "ROCHEMAURE", "SAINT-AUBRY", "TRÉVANNES", "VAUDREMONT")
TEXT_FILES = {".md", ".yml", ".yaml", ".csv", ".txt"}
# « Jacqueline VAUTRIN », « Jean-Michel MARTIN », « Anne DE LA TOUR »: a first name, then a name in capitals
UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ"
PERSON = re.compile(rf"(?<![\w'’])([{UPPER}][a-zà-ÿ]+(?:-[{UPPER}][a-zà-ÿ]+)?) "
                    rf"([{UPPER}][{UPPER}'’-]+(?: [{UPPER}][{UPPER}'’-]+)*)(?![\w'’])")
NUMBER = re.compile(r"(?P<lead>\s*[+\-−–]?\s*)(?P<int>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?P<dec>,\d+)?"
                    r"(?P<rest>.*)", re.DOTALL)
QUOTED = re.compile(r"\"([^\"\\\n]*)\"|'([^'\n]*)'")


@dataclass(frozen=True)
class Caisse:
    """A fictitious caisse: its folder name, its organisation and the name under its logo."""

    slug: str
    organisation: str
    territory: str


def caisse(rank: int) -> Caisse:
    """The ``rank``-th fictitious caisse: « CPAM de la Haute-Orvanne », then the Haute-Aubrelle…"""
    root = ROOTS[rank % len(ROOTS)]
    prefix, article = PREFIXES[(rank // len(ROOTS)) % len(PREFIXES)]
    turn = rank // (len(ROOTS) * len(PREFIXES))
    name = f"{prefix}{root}" + (f" {turn + 1}" if turn else "")
    return Caisse(_slug(name), f"CPAM {article}{name}", name.upper())


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _draw(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:8], "big")


def person(rank: int, name: str) -> str:
    """The fictitious name given to ``name`` in the ``rank``-th caisse."""
    drawn = _draw(f"{rank}|personne|{name}")
    return f"{FIRST_NAMES[drawn % len(FIRST_NAMES)]} {LAST_NAMES[(drawn // 97) % len(LAST_NAMES)]}"


def changed_figure(text: str, rank: int) -> str:
    """A printed figure changed by -12 % to +12 %, written as it was (sign, spaces, decimals, unit);
    a text that is not a figure, or is a year, comes back as it was."""
    figure = parse_figure(text)
    found = NUMBER.fullmatch(text)
    if figure is None or found is None:
        return text
    digits = re.sub(r"\D", "", found["int"])
    if not found["dec"] and not figure.unit and len(found["int"]) == 4 and 1900 <= int(digits) <= 2100:
        return text          # a year
    decimals = len(found["dec"] or ",") - 1
    value = Decimal(digits + (f".{found['dec'][1:]}" if decimals else ""))
    factor = Decimal(880 + _draw(f"{rank}|chiffre|{text.strip()}") % 241) / 1000
    new = round_figure(value * factor, decimals)
    if (new == 0 and value != 0) or (figure.unit in ("%", "‰") and value <= 100 < new):
        new = value          # a figure does not vanish; a share stays a share
    whole, _, fraction = f"{new:f}".partition(".")
    separator = next((c for c in found["int"] if not c.isdigit()), "")
    if separator:
        groups = []
        while len(whole) > 3:
            whole, groups = whole[:-3], [whole[-3:], *groups]
        whole = separator.join([whole, *groups])
    return found["lead"] + whole + (f",{fraction}" if decimals else "") + found["rest"]


def _changed_csv(text: str, rank: int) -> str:
    """A table's cells changed, its header kept."""
    ending = "\r\n" if "\r\n" in text else "\n"
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    rows = list(csv.reader(io.StringIO(text[len(bom):]), delimiter=";"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator=ending)
    for n, row in enumerate(rows):
        writer.writerow(row if n == 0 else [changed_figure(cell, rank) for cell in row])
    return bom + out.getvalue()


def _changed_yaml(text: str, rank: int) -> str:
    """The quoted figures of a YAML file changed; its keys, comments and lines kept."""
    def one(found: re.Match) -> str:
        quote = '"' if found[1] is not None else "'"
        inner = found[1] if found[1] is not None else found[2]
        return f"{quote}{changed_figure(inner, rank)}{quote}"

    return QUOTED.sub(one, text)


def _renamed_people(text: str, rank: int) -> str:
    return PERSON.sub(lambda found: person(rank, found[0]), text)


def make_network(source: Project, count: int, folder: Path) -> list[str]:
    """Write a project of ``count`` fictitious editions in ``folder``, made from ``source``'s
    editions in turn; returns the editions written (caisse/année)."""
    editions = source.editions()
    if not editions:
        raise ConfigError("aucune édition dans ce projet pour en faire un réseau", source.content,
                          hint="lancez la commande depuis un projet qui a au moins une édition")
    folder = folder.resolve()
    root = source.root.resolve()
    if folder == root or root in folder.parents or folder in root.parents:
        raise ConfigError("le réseau de démonstration s'écrit dans un dossier à part, hors du projet", folder,
                          hint=f"choisissez un dossier hors de {root}, par exemple /tmp/reseau")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError("ce dossier existe déjà et n'est pas vide : rien n'est remplacé", folder,
                          hint="donnez un dossier nouveau, ou videz celui-ci")
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        (work / PROJECT_FILE).write_text(PROJECT_TEXT, encoding="utf-8")
        if source.layouts.is_dir() and source.layouts.resolve() != shipped_layouts().resolve():
            shutil.copytree(source.layouts, work / "layouts")       # the project's own layouts go along
        written = []
        for rank in range(count):
            written.append(_copy_edition(source.edition(editions[rank % len(editions)]), rank, work))
        if folder.exists():
            folder.rmdir()
        os.replace(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return written


def _copy_edition(paths: EditionPaths, rank: int, target: Path) -> str:
    """The edition ``paths`` as the ``rank``-th fictitious caisse's, under ``target``."""
    new = caisse(rank)
    raw = yaml.safe_load(paths.manifest.read_text(encoding="utf-8")) or {}
    signatory = raw.get("signatory") if isinstance(raw.get("signatory"), dict) else {}
    renamed = [(str(raw.get("organisation") or ""), new.organisation),
               (str(raw.get("territory") or ""), new.territory),
               (str(signatory.get("name") or ""), person(rank, str(signatory.get("name") or "")))]
    renamed = sorted(((old, now) for old, now in renamed if len(old) >= 3), key=lambda pair: -len(pair[0]))
    caisse_folder = paths.content.parent
    years = {p.parent for p in caisse_folder.glob(f"*/{MANIFEST}")}
    plan = [(path, target / "content" / new.slug / path.relative_to(caisse_folder))     # the theme, and
            for path in sorted(caisse_folder.rglob("*"))                                # files of every year
            if path.is_file() and not any(year in path.parents for year in years)]
    plan += [(path, target / "content" / new.slug / paths.year / path.relative_to(paths.content))
             for path in sorted(paths.content.rglob("*")) if path.is_file()]
    plan += [(path, target / "data" / new.slug / paths.year / path.relative_to(paths.data))
             for path in sorted(paths.data.rglob("*")) if path.is_file()]
    for path, dest in plan:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() not in TEXT_FILES:
            shutil.copyfile(path, dest)
            continue
        text = path.read_text(encoding="utf-8")
        for old, now in renamed:
            text = text.replace(old, now)
        if path == paths.manifest:
            text = re.sub(r"(?m)^caisse:.*$", f"caisse: {new.slug}", text)
        elif paths.data in path.parents:
            inside = path.relative_to(paths.data).parts
            if inside[0] == "lists":
                text = _renamed_people(text, rank)
            elif path.suffix.lower() == ".csv":
                text = _changed_csv(text, rank)
            elif inside[0] != "glossary.yml":
                text = _changed_yaml(text, rank)
        dest.write_text(text, encoding="utf-8")
    return f"{new.slug}/{paths.year}"
