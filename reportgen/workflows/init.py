"""``reportgen init``: the first edition of a new caisse, on the national layout.

The files come from ``reportgen/workflows/starter/``: a manifest with the caisse's identity, a theme,
placeholder chapters flagged ``review: à écrire`` and data « à renseigner », so that the
draft builds at once and the final build says what is left to fill. Nothing in them names
another caisse. Started in a folder that is not yet a project, ``init`` makes it one
(``reportgen.yml``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from ..errors import ConfigError
from ..french import MISSING
from ..project import PROJECT_FILE, EditionPaths, Project

STARTER = Path(__file__).parent / "starter"
CAISSE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
NATIONAL_SLOGAN = "Agir ensemble, protéger chacun"
PROJECT_TEXT = """\
# Projet reportgen : ce fichier marque le dossier du projet (comme mkdocs.yml), d'où les
# commandes trouvent content/, data/, layouts/ (facultatif) et build/, même lancées d'un sous-dossier.
reportgen: 1
"""


@dataclass
class Identity:
    """Who publishes the report: what the cover, the message and the back cover print."""

    organisation: str
    territory: str = ""
    signatory_name: str = MISSING
    signatory_role: str = MISSING
    address: list[str] = field(default_factory=list)
    slogan: str = NATIONAL_SLOGAN

    def __post_init__(self) -> None:
        self.organisation = " ".join(self.organisation.split())
        if not self.organisation:
            raise ConfigError("--organisation : le nom de l'organisme est vide",
                              hint='écrivez-le en entier, par exemple --organisation "CPAM de la Vienne"')
        self.territory = " ".join(self.territory.split()) or territory_of(self.organisation)
        self.signatory_name = self.signatory_name.strip() or MISSING
        self.signatory_role = self.signatory_role.strip() or MISSING
        self.address = [line.strip() for line in self.address if line.strip()]
        self.slogan = " ".join(self.slogan.split()) or NATIONAL_SLOGAN


def territory_of(organisation: str) -> str:
    """« CPAM de la Vienne » → « VIENNE »: the name under the logo, as the national covers print it."""
    name = re.sub(r"^(?:CPAM|Caisse primaire d'assurance maladie)\s+(?:de la |de l'|de l’|du |des |de |d'|d’)?",
                  "", organisation, flags=re.IGNORECASE).strip()
    return name.upper() if name and name != organisation else MISSING


def parse_edition(name: str) -> tuple[str, int]:
    """``vienne/2024`` → (« vienne », 2024), or a French message saying how to write it."""
    caisse, _, year = name.strip().strip("/").partition("/")
    if not CAISSE_NAME.fullmatch(caisse) or not year.isdigit() or len(year) != 4:
        raise ConfigError(f"édition « {name} » : écrivez caisse/année, la caisse en minuscules sans espace "
                          "ni accent (des tirets entre les mots), par exemple vienne/2024 ou lille-douai/2024")
    if not 1990 <= int(year) <= 2100:
        raise ConfigError(f"édition « {name} » : une année entre 1990 et 2100 est attendue")
    return caisse, int(year)


def init_edition(folder: Path, name: str, identity: Identity) -> tuple[Project, list[Path]]:
    """Create the first edition ``name`` of a caisse in the project holding ``folder`` (made a
    project if it is none). Returns the project and the files written, in order."""
    caisse, year = parse_edition(name)
    try:
        project = Project.find(folder)
    except ConfigError:
        project = Project(folder.resolve())
    paths = EditionPaths(project, caisse, str(year))
    if paths.content.exists() or paths.data.exists():
        raise ConfigError(f"l'édition « {caisse}/{year} » existe déjà : rien n'est remplacé", paths.content)
    earlier = [e for e in project.editions() if e.split("/")[0] == caisse]
    if earlier:
        raise ConfigError(f"la caisse « {caisse} » a déjà une édition ({', '.join(earlier)}) : init commence une "
                          "nouvelle caisse", paths.content.parent,
                          hint=f"pour l'année suivante d'une caisse, écrivez : reportgen new {caisse}/{year}")
    values = {"caisse": caisse, "year": year, "organisation": identity.organisation,
              "territory": identity.territory, "signatory_name": identity.signatory_name,
              "signatory_role": identity.signatory_role, "address": identity.address,
              "slogan": identity.slogan, "territory_title": f"{identity.organisation} en chiffres"}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(STARTER)), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["yaml"] = lambda value: json.dumps(str(value), ensure_ascii=False)   # a quoted YAML string
    plan = _files("content/edition", paths.content) + _files("data/edition", paths.data)
    theme = paths.content.parent / "theme.yml"
    if not theme.exists():
        plan.append(("content/theme.yml", theme))
    # everything rendered before anything is written: a failure leaves no half edition
    texts = [(dest, env.get_template(src).render(values)) for src, dest in plan]
    written = []
    marker = project.root / PROJECT_FILE
    if not marker.exists() and not (project.root / "layouts").is_dir():
        project.root.mkdir(parents=True, exist_ok=True)
        marker.write_text(PROJECT_TEXT, encoding="utf-8")
        written.append(marker)
    for dest, text in texts:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
        written.append(dest)
    return project, written


def _files(sub: str, target: Path) -> list[tuple[str, Path]]:
    """The starter's files under ``sub``: (template name, where it is written)."""
    return [(source.relative_to(STARTER).as_posix(), target / source.relative_to(STARTER / sub))
            for source in sorted((STARTER / sub).rglob("*")) if source.is_file()]
