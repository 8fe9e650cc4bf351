"""The edition manifest (``content/<caisse>/<year>/edition.yml``), typed and validated.

Every option is declared once here with a one-line description. Validation
reports every problem of the file at once, in French (:func:`pydantic_message`); an
unknown key is a warning that names the closest valid key.
"""
from __future__ import annotations

import re
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError, ReportWarning, did_you_mean
from ..paths import LAYOUT_NAME, edition_place, inside
from ..yamlio import LineDict, line_of, load_yaml

def _chapter_group(value: str | list[str]) -> str | list[str]:
    """A list of files makes one chapter: it needs at least one file."""
    if isinstance(value, list) and not value:
        raise ValueError("groupe de chapitres vide « [] » : écrivez au moins un fichier dans les crochets, "
                         "ou retirez-le")
    return value


ChapterRef = Annotated[Union[str, list[str]], AfterValidator(_chapter_group)]
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _plain_layout_name(value: str) -> str:
    """A layout is named by its folder under ``layouts/``: no path, no « .. »."""
    if not value.strip():
        raise ValueError("nom de mise en page vide : écrivez le nom d'un dossier de layouts/ "
                         "(par exemple assurance-maladie), ou retirez la ligne")
    if not LAYOUT_NAME.fullmatch(value) or ".." in value:
        raise ValueError(f"« {value} » n'est pas un nom de mise en page : écrivez le nom d'un dossier de "
                         "layouts/, sans « / » ni « .. » (par exemple assurance-maladie)")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Signatory(_Model):
    name: str = Field(description="Name as printed under the director's message")
    role: str = Field(description="Function printed under the name")


class Part(_Model):
    title: str = Field(description="Part title, on its divider page and in the sommaire")
    chapters: list[ChapterRef] = Field(description="Chapter files in order; a list of files makes one chapter")
    summary: str = Field("", description="Older name of « intro », read as it when « intro » is not given")
    divider: bool = Field(True, description="Whether the part opens with a divider page")
    photo: str = Field("", description="Photo of the divider page, relative to the edition's folder")
    caption: str = Field("", description="Caption of the divider photo (« Prénom, fonction »), printed with it")
    photo_alt: str = Field("", description="What the divider photo shows, for screen readers (default: the caption)")
    photo_credit: str = Field("", description="Credit printed with the divider photo")
    number: bool = Field(True, description="False: the part prints no number anywhere and does not count "
                                           "(the next part takes the number)")
    intro: str = Field("", description="Short introduction (Markdown), printed on the divider page, "
                                       "or at the head of the part when it has no divider")


class Style(_Model):
    sommaire: Literal["leaders", "pages-first"] = Field(
        "leaders", description="Sommaire entries: « Titre ....... 12 » or « P.12 Titre »")
    page_prefix: str = Field("P.", description="Prefix of page numbers in a pages-first sommaire")
    sommaire_sections: bool = Field(True, description="List each chapter's sections in the sommaire")
    first_part_number: int = Field(1, description="Number of the first part (0 for an introduction)")
    bullet: Literal["triangle", "dot", "dash"] = Field("triangle", description="Glyph of bulleted lists")
    divider: Literal["solid", "light"] = Field("solid", description="Divider pages: full colour or light")
    part_number_width: int = Field(1, ge=1, le=3, description="Digits of part numbers: 2 prints « 00 », « 01 »…")
    number_separator: str = Field("", description="« | »: printed between a number and its title everywhere")
    chapter_numbering: Literal["none", "arabic", "letters"] = Field(
        "none", description="Chapters numbered through the report (arabic) or A, B… within each part")
    chapter_label: str = Field("", description="« Chapitre »: the word before a chapter's number")
    chapter_dividers: bool = Field(False, description="Each chapter opens on a divider page of its own")
    chapter_break: Literal["page", "flow"] = Field(
        "flow", description="« page »: every chapter opens a page; « flow »: chapters follow on, "
                            "a page opens only where a part (or the front or back matter) begins")


class Lint(_Model):
    disable: list[str] = Field(default_factory=list,
                               description="House-style rules not applied to this edition (reportgen check)")
    units: list[str] = Field(default_factory=list,
                             description="Extra units of typed figures (« 36 agents »): [agents, dossiers]")


MOTIFS = ("arcs", "bands", "waves", "pills", "none")
THEME_FILE = "theme.yml"      # content/<caisse>/theme.yml: the caisse's identity, for every year


def _colour_value(value: object) -> str:
    """Pasted into the stylesheets: a colour and nothing else."""
    if not isinstance(value, str) or not _COLOUR.fullmatch(value):
        raise ValueError(f"« {value} » n'est pas une couleur : écrivez « #rrggbb » ou « #rgb » (#0c419a)")
    return value


class Theme(_Model):
    """The identity of a caisse: colours, the motif of its cover and dividers, its part colours.

    Written once in ``content/<caisse>/theme.yml`` and, key by key, in an edition's ``theme:``.
    The charts get the four colours only (``motif`` and ``chapters`` are left out of ``model_dump``).
    """

    primary: str = Field("#0c419a", description="Main colour: covers, titles, table heads")
    accent: str = Field("#00a3e0", description="Accent colour: rules, tiles, glyphs")
    light: str = Field("#e6eef8", description="Light tint: zebra rows, tile backgrounds")
    dark: str = Field("#001a4d", description="Dark tone: text on light backgrounds")
    motif: str = Field("arcs", exclude=True,
                       description="Motif of the cover and dividers: arcs, bands, waves, pills or none")
    chapters: list[str] = Field(default_factory=list, exclude=True,
                                description="Colours of the dividers in order (parts, or chapters with dividers)")

    @field_validator("primary", "accent", "light", "dark")
    @classmethod
    def _colour(cls, value: str) -> str:
        return _colour_value(value)

    @field_validator("chapters")
    @classmethod
    def _colours(cls, value: list[str]) -> list[str]:
        for n, colour in enumerate(value, 1):
            try:
                _colour_value(colour)
            except ValueError as exc:
                raise ValueError(f"couleur n° {n} : {exc}") from None
        return value

    @field_validator("motif")
    @classmethod
    def _motif(cls, value: str) -> str:
        if value not in MOTIFS:
            raise ValueError(f"motif « {value} » inconnu : {', '.join(MOTIFS)}")
        return value

    def colour(self, index: int) -> str:
        """The colour of the ``index``-th divider: the list of ``chapters`` in turn, else the primary."""
        return self.chapters[index % len(self.chapters)] if self.chapters else self.primary

    def ink(self, background: str, ratio: float = 4.5) -> str:
        """The accent, for text on ``background``: lightened or darkened just enough to be read."""
        from ..render.colours import legible

        return legible(self.accent, background, ratio)


# --- « web: » the web edition's legal notice, contact and accessibility statement (RGAA) ------------
COMPLIANCE = {"none": "non conforme", "partial": "partiellement conforme", "full": "totalement conforme"}


def _day(value: object) -> str:
    """A date as ``AAAA-MM-JJ``: YAML reads ``2024-06-28`` as a date, quoted it is a text."""
    import datetime

    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        return datetime.date.fromisoformat(value).isoformat() if isinstance(value, str) and value.strip() else ""
    except ValueError:
        pass
    raise ValueError(f"« {value} » n'est pas une date : écrivez-la AAAA-MM-JJ (2024-06-28)")


def _percent(value: object) -> object:
    """« 82,5 % », « 82,5 » or 82.5: a share in %, written as the report prints it or as a number."""
    number = value
    if isinstance(value, str):
        text = value.replace("%", "").replace(",", ".").replace("\u202f", "").replace("\u00a0", "").strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"« {value} » n'est pas un pourcentage : écrivez le nombre (82,5 ou 100)") from None
    if isinstance(number, (int, float)) and not isinstance(number, bool) and not 0 <= number <= 100:
        raise ValueError(f"« {value} » n'est pas un pourcentage : un nombre de 0 à 100 est attendu")
    return number


class Contact(_Model):
    """How a reader reaches the caisse about the web edition: footer and accessibility statement."""

    email: str = Field("", description="E-mail address for questions and accessibility problems")
    form: str = Field("", description="Address (https://…) of an online contact form")
    phone: str = Field("", description="Phone number, as printed")
    address: list[str] = Field(default_factory=list,
                               description="Postal address, one line each (default: the manifest's « address »)")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
            raise ValueError(f"« {value} » n'est pas une adresse e-mail (nom@exemple.fr)")
        return value.strip()

    @field_validator("form")
    @classmethod
    def _form(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://\S+", value.strip()):
            raise ValueError(f"« {value} » n'est pas une adresse web complète (https://…)")
        return value.strip()

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and not re.fullmatch(r"\+?[0-9][0-9 .\u00a0\u202f-]*[0-9]", value.strip()):
            raise ValueError(f"« {value} » n'est pas un numéro de téléphone : écrivez ses chiffres (03 20 42 31 00)")
        return value.strip()


class Audit(_Model):
    """The result of an RGAA compliance audit of the web edition, as its report gives it."""

    rate: float = Field(description="Share of the applicable RGAA criteria met, in % (« 82,5 »)")
    date: str = Field(description="Date of the audit (AAAA-MM-JJ)")
    by: str = Field(description="Who carried it out: a firm, or the caisse's own team")
    rgaa: str = Field("4.1.2", description="Version of the RGAA the audit applied")
    average: Union[float, None] = Field(None, description="Average compliance rate of the pages, in %")
    environment: list[str] = Field(default_factory=list,
                                   description="Browsers and assistive technologies the tests used")
    tools: list[str] = Field(default_factory=list, description="Tools used to evaluate accessibility")
    pages: list[str] = Field(default_factory=list,
                             description="Pages checked (default: the report's page and this statement)")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        return _day(value)

    @field_validator("rate", "average", mode="before")
    @classmethod
    def _rates(cls, value: object) -> object:
        return _percent(value)


class Accessibility(_Model):
    """The accessibility statement: never a conformity the manifest does not state.

    Without an audit, the web edition is « non conforme » (the RGAA's word when no audit
    measured it); with one, its rate gives the level (100 %: total, 50 % or more: partial),
    and ``compliance``, when written, must agree with it.
    """

    audit: Union[Audit, None] = Field(None, description="The audit's result; without it: non conforme")
    compliance: Union[Literal["none", "partial", "full"], None] = Field(
        None, description="none, partial or full: written, it must agree with the audit's rate")
    non_compliant: list[str] = Field(default_factory=list, description="Contents that fail RGAA criteria")
    derogations: list[str] = Field(default_factory=list,
                                   description="Contents exempted for a disproportionate burden, each with its reason")
    exempt: list[str] = Field(default_factory=list, description="Contents outside the obligation")
    date: str = Field("", description="Date the statement was drawn up (AAAA-MM-JJ)")
    multiyear_plan: str = Field("", description="Address (https://…) of the caisse's multi-year accessibility plan")
    action_plan: str = Field("", description="Address (https://…) of this year's action plan")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        return _day(value)

    @field_validator("multiyear_plan", "action_plan")
    @classmethod
    def _address(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://\S+", value.strip()):
            raise ValueError(f"« {value} » n'est pas une adresse web complète (https://…)")
        return value.strip()

    @field_validator("compliance")
    @classmethod
    def _agrees(cls, value: str | None, info) -> str | None:
        audit = info.data.get("audit")
        if value in ("partial", "full") and audit is None:
            raise ValueError(f"« {value} » ({COMPLIANCE[value]}) demande le résultat d'un audit : écrivez "
                             "audit: {rate: …, date: …, by: …} sous accessibility, ou retirez compliance "
                             "(l'édition web est alors déclarée non conforme)")
        if value and audit is not None and value != _level(audit.rate):
            rate = f"{audit.rate:g}".replace(".", ",")
            raise ValueError(f"« {value} » ({COMPLIANCE[value]}) ne s'accorde pas avec l'audit, {rate} % des "
                             f"critères respectés : écrivez compliance: {_level(audit.rate)} "
                             f"({COMPLIANCE[_level(audit.rate)]}), ou retirez la ligne")
        return value

    @property
    def level(self) -> str:
        """none, partial or full: as written, else as the audit's rate says, else none."""
        return self.compliance or (_level(self.audit.rate) if self.audit else "none")

    @property
    def label(self) -> str:
        """« non conforme », « partiellement conforme », « totalement conforme »."""
        return COMPLIANCE[self.level]


def _level(rate: float) -> str:
    """The RGAA's rule: every criterion met is full, half of them or more partial, less is none."""
    return "full" if rate >= 100 else "partial" if rate >= 50 else "none"


class Web(_Model):
    """``web:`` in the manifest: what the web edition's footer and accessibility statement say."""

    published: str = Field("", description="Date the web edition is published (AAAA-MM-JJ), in its footer")
    publisher: str = Field("", description="Éditeur of the legal notice (default: the organisation)")
    director: str = Field("", description="Directeur de la publication (default: the signatory, « Nom, fonction »)")
    host: list[str] = Field(default_factory=list, description="Hébergeur: its name, then its address, one line each")
    contact: Contact = Field(default_factory=Contact, description="How to reach the caisse about the web edition")
    accessibility: Accessibility = Field(default_factory=Accessibility,
                                         description="The accessibility statement (RGAA)")

    @field_validator("published", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        return _day(value)


class _WebSettings(_Model):
    """The manifest's « web: » block, a base of :class:`Manifest`."""

    web: Web = Field(default_factory=Web, description="Web edition: legal notice, contact, accessibility statement")


# --- « open_data: » the licence and date of the tables' open-data package (donnees/datapackage.json) --
#: Licences known by their short name (the names of data.gouv.fr): title, address of the text.
LICENCES = {
    "etalab-2.0": ("Licence Ouverte / Open Licence version 2.0",
                   "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"),
    "odc-odbl": ("Open Data Commons Open Database License (ODbL) 1.0",
                 "https://opendatacommons.org/licenses/odbl/1-0/"),
    "cc-by-4.0": ("Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"),
    "cc-by-sa-4.0": ("Creative Commons Attribution-ShareAlike 4.0 International",
                     "https://creativecommons.org/licenses/by-sa/4.0/"),
    "cc0-1.0": ("Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
}


class Licence(_Model):
    """A licence not in :data:`LICENCES`: its short name, title and the address of its text."""

    name: str = Field(description="Short name, lowercase (« lov2 », « cc-by-nc-4.0 »)")
    title: str = Field(description="Full name of the licence")
    path: str = Field(description="Address (https://…) of the licence's text")

    @field_validator("path")
    @classmethod
    def _address(cls, value: str) -> str:
        if not re.fullmatch(r"https?://\S+", value.strip()):
            raise ValueError(f"« {value} » n'est pas une adresse web complète (https://…)")
        return value.strip()


class OpenData(_Model):
    """``open_data:`` in the manifest: the licence and date of the tables published as open data."""

    licence: Union[str, Licence] = Field("etalab-2.0", description="A name of LICENCES, or {name, title, path}")
    published: str = Field("", description="Date the tables are published (AAAA-MM-JJ): the package's « created »")

    @field_validator("licence", mode="before")
    @classmethod
    def _known(cls, value: object) -> object:
        """A known name, or a whole {name, title, path}: one message, in French, for anything else."""
        written = f"écrivez {', '.join(LICENCES)}, ou {{name: …, title: …, path: https://…}}"
        if isinstance(value, str) and value not in LICENCES:
            said = did_you_mean(value, list(LICENCES))
            raise ValueError(f"licence « {value} » inconnue : " + (f"{said} " if said else "") + written)
        if isinstance(value, dict):
            absent = [key for key in ("name", "title", "path") if not str(value.get(key) or "").strip()]
            if absent:
                missing = "clé manquante" if len(absent) == 1 else "clés manquantes"
                raise ValueError(f"licence : {missing} « {', '.join(absent)} » : {written}")
            try:
                return Licence.model_validate(value)
            except ValidationError as exc:
                raise ValueError(f"licence : {pydantic_message(exc.errors()[0])}") from None
        if not isinstance(value, (str, Licence)):
            raise ValueError(f"licence : {written}")
        return value

    @field_validator("published", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        return _day(value)

    @property
    def licence_terms(self) -> tuple[str, str, str]:
        """(name, title, address) of the licence."""
        if isinstance(self.licence, Licence):
            return self.licence.name, self.licence.title, self.licence.path
        return (self.licence, *LICENCES[self.licence])


class _OpenDataSettings(_WebSettings):
    """The manifest's « open_data: » block, a base of :class:`Manifest`."""

    open_data: OpenData = Field(default_factory=OpenData,
                                description="Open-data package of the tables: licence, publication date")


class Manifest(_OpenDataSettings):
    caisse: str = Field(description="Short name of the caisse, as in the folder name")
    year: int = Field(description="Year of the report")
    organisation: str = Field(description="Full name: « CPAM de l'Artois »")
    territory: str = Field("", description="Name printed under the logo on the cover (ARTOIS)")
    title: str = Field("Rapport d'activité", description="Document title")
    slogan: Union[str, list[str]] = Field("Agir ensemble, protéger chacun",
                                          description="Institutional signature; a list prints one line each")
    signatory: Signatory = Field(description="Who signs the message")
    layout: str = Field("assurance-maladie", description="Layout folder under layouts/")
    author: str = Field("", description="PDF author metadata (default: the organisation)")
    subject: str = Field("", description="PDF subject metadata")
    keywords: list[str] = Field(default_factory=list, description="PDF keywords")
    theme: Theme = Field(default_factory=Theme, description="Colours of the layout")
    front: list[ChapterRef] = Field(default_factory=list, description="Pages before the first part")
    parts: list[Part] = Field(default_factory=list, description="The parts of the report, in order")
    chapters: list[ChapterRef] = Field(default_factory=list,
                                       description="The chapters, for a report that has no parts")
    annexes: Part | None = Field(None, description="The annexes, on their own divider")
    back: list[ChapterRef] = Field(default_factory=list, description="Pages after the annexes (glossary)")
    part_numbering: Literal["none", "arabic"] = Field(
        "arabic", description="« none »: no part prints a number (divider, sommaire, bookmarks, web edition)")
    style: Style = Field(default_factory=Style, description="Sommaire, numbering, bullets, dividers")
    hashtag: str = Field("", description="Hashtag printed after the sommaire and on the back cover")
    tagline: str = Field("", description="A line printed under the hashtag")
    address: list[str] = Field(default_factory=list, description="Postal address on the back cover")
    lint: Lint = Field(default_factory=Lint, description="House-style lint settings")
    credits: list[str] = Field(default_factory=list,
                               description="Inside cover: « Conception et impression : … », photo credits")
    colophon: Literal["none", "reference"] = Field(
        "none", description="« reference »: the credits say the text was written anew, the figures as published")
    colophon_place: Literal["inside-cover", "end"] = Field(
        "inside-cover", description="Where the credits page prints: inside the cover, or last before the back cover")
    cover_photo: str = Field("", description="Photo of the cover, relative to the edition's folder")
    cover_photo_alt: str = Field("", description="What the cover photo shows, for screen readers")
    cover_photo_credit: str = Field("", description="Credit printed with the cover photo")

    @field_validator("layout")
    @classmethod
    def _layout_name(cls, value: str) -> str:
        return _plain_layout_name(value)

    @field_validator("year")
    @classmethod
    def _plausible_year(cls, value: int) -> int:
        if not 1990 <= value <= 2100:
            raise ValueError("une année entre 1990 et 2100 est attendue")
        return value

    @field_validator("slogan")
    @classmethod
    def _slogan(cls, value: str | list[str]) -> str:
        """Kept as one text, its lines separated by line breaks: « slogan_lines » stacks them."""
        if isinstance(value, str):
            return value
        lines = [line.strip() for item in value for line in item.splitlines() if line.strip()]
        if not lines:
            raise ValueError("slogan vide : écrivez au moins une ligne, ou retirez la clé (le slogan national "
                             "s'imprime alors)")
        return "\n".join(lines)

    @property
    def slogan_lines(self) -> list[str]:
        """The slogan as printed on the covers, one line each (a list in the manifest stacks them)."""
        return [line.strip() for line in str(self.slogan).splitlines() if line.strip()] or [""]

    @property
    def slogan_text(self) -> str:
        """The slogan on one line, its lines joined by spaces: for metadata and titles."""
        return " ".join(self.slogan_lines)

    @model_validator(mode="after")
    def _parts_or_chapters(self) -> "Manifest":
        if self.parts and self.chapters:
            raise ValueError("donnez « parts » (un rapport en parties) ou « chapters » (sans parties), pas les deux")
        if not self.parts and not self.chapters:
            raise ValueError("« parts » ou « chapters » manquant : la liste des chapitres du rapport")
        return self


def _sub_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a field that holds one (``Style``), a list of them or an optional one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _sub_model(arg)
        if found:
            return found
    return None


def unknown_key_hint(key: object, known: Iterable[str], where: str = "") -> str | None:
    """« vouliez-vous dire « title » ? », else the keys possible (under ``where``, when it is said)."""
    known = list(known)
    return did_you_mean(key, known) or (f"clés possibles sous « {where} » : {', '.join(known)}" if where else None)


def _unknown_keys(raw: Any, model: type[BaseModel], path: Path, where: str = "") -> list[ReportWarning]:
    """« clé inconnue » for every key the model does not know, at every level of the file.

    Each comes with the closest valid key (``difflib``): « clé inconnue « titel » ignorée —
    vouliez-vous dire « title » ? ».
    """
    if not isinstance(raw, dict):
        return []
    warnings = []
    for key, value in raw.items():
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is None:
            hint = unknown_key_hint(key, model.model_fields, where)
            warnings.append(ReportWarning(f"clé inconnue « {key} » ignorée", path, line_of(raw, key), hint=hint))
            continue
        sub = _sub_model(field.annotation)
        if sub is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            warnings += _unknown_keys(item, sub, path, key)
    return warnings


def _line_at(raw: Any, loc: tuple) -> int | None:
    """The line of the deepest key of ``loc`` (« parts », 0, « photo ») that the file has."""
    line = line_of(raw)
    node = raw
    for step in loc:
        if isinstance(node, dict) and step in node:
            line = line_of(node, step) or line
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
            line = line_of(node) or line
        else:
            break
    return line


def _entry_line(lines: list[str], start: int | None, entry: str) -> int | None:
    """The line where a list entry is written, searching from its key's line."""
    for n in range(max((start or 1) - 1, 0), len(lines)):
        if entry in lines[n]:
            return n + 1
    return start


def _check_files(raw: LineDict, manifest: "Manifest", path: Path) -> None:
    """Chapters and divider photos: files inside the edition's folder, or a ConfigError.

    Every chapter file missing (or a folder) is reported at once, each with its line.
    """
    folder = path.parent
    lines = path.read_text(encoding="utf-8").splitlines()
    absent: list[tuple[str, int | None, str]] = []     # (name, line, what is wrong)

    def chapters(refs: list, mapping: Any, key: str) -> None:
        start = line_of(mapping, key)
        for ref in refs:
            for name in [ref] if isinstance(ref, str) else ref:
                line = _entry_line(lines, start, name) if name.strip() else start
                found = inside(name, folder, [folder], path, line, "chapitre", ConfigError,
                               place=edition_place(folder))
                if found.exists() and not found.is_file():
                    absent.append((name, line, "c'est un dossier, pas un fichier"))
                elif not found.exists():    # reported where the name is written, the line to correct
                    absent.append((name, line, ""))

    def photo(part: Part, mapping: Any) -> None:
        if part.photo:
            inside(part.photo, folder, [folder], path, line_of(mapping, "photo"), "photo de l'intercalaire",
                   ConfigError, place=edition_place(folder))

    for key in ("front", "chapters", "back"):
        chapters(getattr(manifest, key), raw, key)
    for part, mapping in zip(manifest.parts, raw.get("parts") or []):
        chapters(part.chapters, mapping, "chapters")
        photo(part, mapping)
    if manifest.annexes:
        chapters(manifest.annexes.chapters, raw.get("annexes"), "chapters")
        photo(manifest.annexes, raw.get("annexes"))
    if manifest.cover_photo:
        inside(manifest.cover_photo, folder, [folder], path, line_of(raw, "cover_photo"), "photo de couverture",
               ConfigError, place=edition_place(folder))
    absent.sort(key=lambda found: found[1] or 0)     # in the order of the file
    if len(absent) == 1:
        name, line, wrong = absent[0]
        if wrong:
            raise ConfigError(f"chapitre « {name} » : {wrong}", path, line)
        raise ConfigError(f"fichier de chapitre introuvable : « {name} » n'est pas dans {edition_place(folder)}",
                          path, line, hint="vérifiez le nom du fichier (accents, majuscules, extension .md)")
    if absent:
        listed = " ; ".join(f"ligne {line or '?'} : « {name} »" + (f" ({wrong})" if wrong else "")
                            for name, line, wrong in absent)
        raise ConfigError(f"{len(absent)} fichiers de chapitre introuvables dans {edition_place(folder)} : {listed}",
                          path, absent[0][1],
                          hint="vérifiez le nom de chaque fichier (accents, majuscules, extension .md)")


def theme_file(manifest: Path) -> Path:
    """``content/<caisse>/theme.yml``, beside the caisse's year folders."""
    return manifest.parent.parent / THEME_FILE


# --- pydantic's messages, in French ------------------------------------------------------------------
# What each kind of value is, as the messages say it: « un texte est attendu, pas « 3 » ».
_EXPECTED = {
    "string_type": "un texte", "string_unicode": "un texte",
    "list_type": "une liste (« - élément » par ligne, ou [a, b])", "tuple_type": "une liste",
    "set_type": "une liste",
    "int_type": "un nombre entier", "int_parsing": "un nombre entier", "int_from_float": "un nombre entier",
    "float_type": "un nombre", "float_parsing": "un nombre", "decimal_type": "un nombre",
    "decimal_parsing": "un nombre",
    "bool_type": "true ou false", "bool_parsing": "true ou false",
    "dict_type": "une suite de clés « nom: valeur »", "mapping_type": "une suite de clés « nom: valeur »",
    "model_type": "une suite de clés « nom: valeur »",
    "model_attributes_type": "une suite de clés « nom: valeur »",
    "dataclass_type": "une suite de clés « nom: valeur »", "none_required": "rien",
}
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_TYPE_TAG = re.compile(r"^[A-Za-z_][\w-]*\[.*\]$|^(str|int|float|bool|list|dict|none|None)$|[\[\](),]")


def _shown(value: Any) -> str:
    """A value as a message shows it: « 3 », « rouge », une liste, rien."""
    if value is None:
        return "rien (valeur vide)"
    if isinstance(value, bool):
        return "« true »" if value else "« false »"
    if isinstance(value, dict):
        return "une suite de clés"
    if isinstance(value, (list, tuple, set)):
        return "une liste"
    text = str(value).replace(".", ",") if isinstance(value, float) else str(value)
    return f"« {text[:40]}… »" if len(text) > 40 else f"« {text} »"


def _number(value: Any) -> str:
    """1000 → « 1 000 », 0.5 → « 0,5 »: a bound as a French reader writes it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:,}".replace(",", "\u202f").replace(".", ",")
        return text
    return str(value)


def pydantic_message(error: Any) -> str:
    """One error of a pydantic validation (an item of ``ValidationError.errors()``), in French.

    Translated by the error's ``type``; our validators' own messages (``value_error``) are kept
    as written. A type not listed gets a French sentence too: pydantic's English is never shown.
    Every pydantic model of the package reports its errors through here (see :func:`_problems`).
    """
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    shown = _shown(value)
    if kind == "missing":
        return "valeur manquante"
    if kind in ("value_error", "assertion_error"):
        said = ctx.get("error")
        text = str(said) if said is not None else str(error.get("msg", ""))
        return text.removeprefix("Value error, ").removeprefix("Assertion failed, ") or "valeur refusée"
    if kind in ("literal_error", "enum"):
        expected = _QUOTED.findall(str(ctx.get("expected", "")))
        choices = " ou ".join(f"« {x} »" for x in expected) if expected else "une des valeurs de la documentation"
        return f"{shown} n'est pas une valeur possible : écrivez {choices}"
    if kind == "int_parsing_size":
        return f"{shown} : nombre bien trop grand"
    if kind == "int_from_float":
        return f"{shown} n'est pas un nombre entier : écrivez-le sans virgule (2, 10…)"
    if kind in ("bool_type", "bool_parsing"):
        return f"{shown} n'est ni « true » ni « false » : écrivez true (oui) ou false (non)"
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        return f"{expected} est {'attendue' if expected.startswith('une ') else 'attendu'}, pas {shown}"
    if kind == "greater_than_equal":
        return f"{shown} est trop petit : {_number(ctx.get('ge'))} au moins"
    if kind == "greater_than":
        return f"{shown} est trop petit : plus de {_number(ctx.get('gt'))} attendu"
    if kind == "less_than_equal":
        return f"{shown} est trop grand : {_number(ctx.get('le'))} au plus"
    if kind == "less_than":
        return f"{shown} est trop grand : moins de {_number(ctx.get('lt'))} attendu"
    if kind == "extra_forbidden":
        return "clé inconnue : retirez-la ou corrigez son nom"
    if kind in ("too_short", "string_too_short"):
        unit = "caractère(s)" if kind == "string_too_short" else "élément(s)"
        return f"trop court : {_number(ctx.get('min_length'))} {unit} au moins"
    if kind in ("too_long", "string_too_long"):
        unit = "caractère(s)" if kind == "string_too_long" else "élément(s)"
        return f"trop long : {_number(ctx.get('max_length'))} {unit} au plus"
    if kind == "string_pattern_mismatch":
        return f"{shown} n'a pas la forme attendue"
    if kind == "invalid_key":
        return "une clé doit être un texte"
    if kind == "finite_number":
        return f"{shown} : un nombre fini est attendu"
    if kind in ("recursion_loop", "recursion_depth_exceeded"):
        return "valeur qui se contient elle-même : écrivez-la en toutes lettres"
    if kind.startswith(("date", "time", "datetime")):
        return f"{shown} n'est pas une date ou une heure lisible"
    return f"valeur refusée ({shown}) : vérifiez son écriture dans docs/edition-format.md"


def _is_tag(step: Any) -> bool:
    """A step of an error's place that names a branch of a union (« str », « list[str] »), not a key."""
    return isinstance(step, str) and bool(_TYPE_TAG.search(step))


def _merged(errors: list[dict]) -> list[tuple[tuple, str]]:
    """(place, French message) of each problem; the branches of one union make one message.

    A value that fits no branch of « a text or a list » gives pydantic one error per branch:
    the branch that went furthest is reported, or, when none did, « un texte ou une liste est
    attendu, pas … ».
    """
    out: list[tuple[tuple, str]] = []
    unions: dict[tuple, list[dict]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        tag = next((i for i, step in enumerate(loc) if _is_tag(step)), None)
        if tag is None:
            out.append((loc, pydantic_message(err)))
        else:
            if loc[:tag] not in unions:
                out.append((loc[:tag], ""))          # its place in the order of the problems
            unions.setdefault(loc[:tag], []).append(err)
    for n, (loc, message) in enumerate(out):
        if message:
            continue
        branches = unions[loc]
        clean = [tuple(s for s in err["loc"] if not _is_tag(s)) for err in branches]
        deepest = max(len(c) for c in clean)
        furthest = [(c, err) for c, err in zip(clean, branches) if len(c) == deepest]
        if deepest == len(loc) and len(furthest) > 1 and all(e["type"] in _EXPECTED for _, e in furthest):
            kinds = list(dict.fromkeys(_EXPECTED[e["type"]].split(" (")[0] for _, e in furthest))
            out[n] = (loc, f"{' ou '.join(kinds)} est attendu, pas {_shown(furthest[0][1].get('input'))}")
        else:
            out[n] = (furthest[0][0], pydantic_message(furthest[0][1]))
    return out


def _problems(exc: ValidationError, raw: Any, what: str) -> tuple[str, int | None]:
    """Every problem of a validation, each with its line, in one message; and the first line."""
    problems = []
    lines = []
    for loc, message in _merged(exc.errors()):
        # the whole manifest is at fault (« parts » and « chapters » together): the line of « chapters »
        line = _line_at(raw, loc) if loc else line_of(raw, "chapters" if "chapters" in raw else "parts")
        lines.append(line)
        problems.append(f"ligne {line or '?'} : « {'.'.join(map(str, loc))} » : {message}" if loc else message)
    return f"{what} : " + " ; ".join(problems), lines[0]


def load_theme(path: Path) -> tuple[dict, list[ReportWarning]]:
    """A caisse's ``theme.yml``: its keys, checked at their lines, and its unknown keys as warnings."""
    from ..paths import within

    if not within(path, [path.parent.parent]):
        raise ConfigError("theme.yml mène hors de content/ : remplacez le lien par un vrai fichier", path)
    raw = load_yaml(path, ConfigError)
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        raise ConfigError("theme.yml doit être une suite de clés « nom: valeur » (primary: \"#0c419a\")", path)
    try:
        Theme.model_validate(raw)
    except ValidationError as exc:
        message, line = _problems(exc, raw, "thème invalide")
        raise ConfigError(message, path, line) from None
    return raw, _unknown_keys(raw, Theme, path, "theme")


def load_manifest(path: Path) -> tuple[Manifest, list[ReportWarning]]:
    """Read and validate a manifest; all problems are reported in one error."""
    raw = load_yaml(path, ConfigError)
    if not isinstance(raw, dict):
        raise ConfigError("le manifeste doit être une suite de clés « nom: valeur »", path)
    data: dict = raw
    warnings: list[ReportWarning] = []
    caisse_theme = theme_file(path)
    if caisse_theme.is_file():      # the caisse's identity; the edition's « theme: » wins key by key
        theme, warnings = load_theme(caisse_theme)
        own = raw.get("theme")
        if own is None or isinstance(own, dict):
            data = {**raw, "theme": {**theme, **(own or {})}}
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        message, line = _problems(exc, raw, "manifeste invalide")
        raise ConfigError(message, path, line) from None
    warnings += _unknown_keys(raw, Manifest, path)
    _check_files(raw, manifest, path)
    return manifest, warnings
