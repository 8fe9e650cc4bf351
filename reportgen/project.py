"""Where things are: the project folder, its editions, and their input and output paths."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, did_you_mean

MANIFEST = "edition.yml"
PROJECT_FILE = "reportgen.yml"   # marks a project's folder, as mkdocs.yml does
DRAFT = "brouillon"      # the draft's files: rapport-activite-<slug>-brouillon.pdf, beside the final ones
PROOF = "epreuve"        # the reviewers' proof: rapport-activite-<slug>-epreuve.pdf


def shipped_layouts() -> Path:
    """The layouts that come with reportgen: the national layout and its fonts.

    Installed from a wheel, they are package data (``reportgen/layouts/``); in a source
    checkout, they are the repository's own ``layouts/`` folder, beside the package.
    """
    package = Path(__file__).resolve().parent
    packaged = package / "layouts"
    return packaged if packaged.is_dir() else package.parent / "layouts"


@dataclass(frozen=True)
class Project:
    """A folder holding ``reportgen.yml``, ``content/``, ``data/``, ``build/`` and, if it has
    layouts of its own, ``layouts/``."""

    root: Path
    layouts_root: Path | None = None   # another project's layouts (tests, shared layouts)

    @classmethod
    def find(cls, start: Path | None = None) -> "Project":
        """The project holding ``start`` (default: $REPORTGEN_ROOT, then the current folder).

        A project is the nearest folder, going up, that holds ``reportgen.yml``, or (as
        before that file existed) both ``content/`` and ``layouts/``.
        """
        env = os.environ.get("REPORTGEN_ROOT")
        here = Path(env or start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            marker = folder / PROJECT_FILE
            if marker.is_file():
                check_project_file(marker)
                return cls(folder)
            if (folder / "content").is_dir() and (folder / "layouts").is_dir():
                return cls(folder)
        raise ConfigError(f"aucun projet reportgen ici ni au-dessus : il faut un dossier avec {PROJECT_FILE}",
                          here, hint="lancez la commande depuis le dossier du projet, ou commencez-en un "
                                     "avec : reportgen init caisse/année --organisation \"CPAM de …\"")

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def layouts(self) -> Path:
        """The project's own layouts: they extend or override the shipped ones."""
        return self.layouts_root or self.root / "layouts"

    @property
    def layout_roots(self) -> list[Path]:
        """Where layouts are looked up, most specific first: the project's, then reportgen's own."""
        roots: list[Path] = []
        for folder in (self.layouts, shipped_layouts()):
            if folder.is_dir() and folder.resolve() not in [r.resolve() for r in roots]:
                roots.append(folder)
        return roots

    @property
    def readable(self) -> list[Path]:
        """The folders a file the edition names (an image, a link, a stylesheet's ``url()``) may
        lie in: the rule of :mod:`reportgen.paths`."""
        return [self.content, self.data, *dict.fromkeys((self.layouts, shipped_layouts())), self.build]

    @property
    def build(self) -> Path:
        return self.root / "build"

    def editions(self) -> list[str]:
        """Every ``caisse/year`` with a manifest under ``content/``, sorted."""
        return sorted(f"{p.parent.parent.name}/{p.parent.name}"
                      for p in self.content.glob(f"*/*/{MANIFEST}"))

    def edition(self, name: str) -> "EditionPaths":
        name = name.strip("/")
        if name.count("/") != 1:
            raise ConfigError(f"édition « {name} » : écrivez caisse/année, par exemple artois/2017")
        paths = EditionPaths(self, *name.split("/"))
        if not paths.manifest.exists():
            known = ", ".join(self.editions()) or "aucune"
            raise ConfigError(f"édition « {name} » introuvable", paths.manifest,
                              hint=f"éditions disponibles : {known}")
        return paths


@dataclass(frozen=True)
class EditionPaths:
    project: Project
    caisse: str
    year: str

    @property
    def name(self) -> str:
        return f"{self.caisse}/{self.year}"

    @property
    def slug(self) -> str:
        return f"{self.caisse}-{self.year}"

    @property
    def content(self) -> Path:
        return self.project.content / self.caisse / self.year

    @property
    def data(self) -> Path:
        return self.project.data / self.caisse / self.year

    @property
    def manifest(self) -> Path:
        return self.content / MANIFEST

    @property
    def out(self) -> Path:
        return self.project.build / self.slug

    @property
    def pdf(self) -> Path:
        return self.out / f"rapport-activite-{self.slug}.pdf"

    @property
    def html(self) -> Path:
        return self.out / f"rapport-activite-{self.slug}.html"

    @property
    def draft_pdf(self) -> Path:
        return tagged(self.pdf, DRAFT)

    @property
    def proof_pdf(self) -> Path:
        return tagged(self.pdf, PROOF)

    def built(self) -> list[tuple[str, Path, bool]]:
        """The PDF files present: (kind, path, up to date), kind « PDF final », « brouillon » or « épreuve ».

        A file is up to date when it is newer than every file of the edition's content and data.
        """
        files = [(kind, path) for kind, path in (("PDF final", self.pdf), ("brouillon", self.draft_pdf),
                                                 ("épreuve", self.proof_pdf)) if path.is_file()]
        if not files:
            return []
        theme = self.content.parent / "theme.yml"      # the caisse's identity, read by every year
        newest = max((p.stat().st_mtime for folder in (self.content, self.data)
                      for p in folder.rglob("*") if p.is_file()), default=0)
        newest = max(newest, theme.stat().st_mtime if theme.is_file() else 0)
        return [(kind, path, path.stat().st_mtime >= newest) for kind, path in files]


def tagged(path: Path, tag: str) -> Path:
    """``rapport.pdf`` → ``rapport-<tag>.pdf``: a draft or a proof beside the final file, never over it."""
    return path.with_name(f"{path.stem}-{tag}{path.suffix}")


PROJECT_KEYS = {"reportgen": "the version of the project's format (1)"}


def check_project_file(path: Path) -> None:
    """``reportgen.yml``: empty, or a few known keys; anything else names its line."""
    from .yamlio import line_of, load_yaml

    raw = load_yaml(path, ConfigError)
    if raw is None:
        return
    if not isinstance(raw, dict):
        raise ConfigError(f"{PROJECT_FILE} doit être une suite de clés « nom: valeur » (reportgen: 1)", path)
    for key, value in raw.items():
        if key not in PROJECT_KEYS:
            said = did_you_mean(str(key), PROJECT_KEYS)
            raise ConfigError(f"clé inconnue « {key} »" + (f" — {said}" if said else ""),
                              path, line_of(raw, key), hint=f"clés possibles : {', '.join(PROJECT_KEYS)}")
    if raw.get("reportgen", 1) != 1:
        raise ConfigError(f"format de projet « {raw['reportgen']} » inconnu : cette version de reportgen lit le "
                          "format 1", path, line_of(raw, "reportgen"), hint="mettez reportgen à jour")
