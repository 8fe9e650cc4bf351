"""The edition manifest (``content/<caisse>/<year>/edition.yml``), typed and validated.

Every option is declared once here with a one-line description. Validation
reports every problem of the file at once; an unknown key is a warning.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError, ReportWarning
from .yamlio import line_of, load_yaml

ChapterRef = Union[str, list[str]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Signatory(_Model):
    name: str = Field(description="Name as printed under the director's message")
    role: str = Field(description="Function printed under the name")


class Part(_Model):
    title: str = Field(description="Part title, on its divider page and in the sommaire")
    chapters: list[ChapterRef] = Field(description="Chapter files in order; a list of files makes one chapter")
    summary: str = Field("", description="Optional line printed on the divider page")
    divider: bool = Field(True, description="Whether the part opens with a divider page")
    photo: str = Field("", description="Photo of the divider page, relative to the edition's folder")
    caption: str = Field("", description="Caption of the divider photo (« Prénom, fonction »)")


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


class Lint(_Model):
    disable: list[str] = Field(default_factory=list,
                               description="House-style rules not applied to this edition (reportgen check)")


class Theme(_Model):
    primary: str = Field("#0c419a", description="Main colour: covers, titles, table heads")
    accent: str = Field("#00a3e0", description="Accent colour: rules, tiles, glyphs")
    light: str = Field("#e6eef8", description="Light tint: zebra rows, tile backgrounds")
    dark: str = Field("#001a4d", description="Dark tone: text on light backgrounds")


class Manifest(_Model):
    caisse: str = Field(description="Short name of the caisse, as in the folder name")
    year: int = Field(description="Year of the report")
    organisation: str = Field(description="Full name: « CPAM de l'Artois »")
    territory: str = Field("", description="Name printed under the logo on the cover (ARTOIS)")
    title: str = Field("Rapport d'activité", description="Document title")
    slogan: str = Field("Agir ensemble, protéger chacun", description="Institutional signature")
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
    part_numbering: Literal["none", "arabic"] = Field("arabic", description="Numbers on the part dividers")
    style: Style = Field(default_factory=Style, description="Sommaire, numbering, bullets, dividers")
    hashtag: str = Field("", description="Hashtag printed after the sommaire and on the back cover")
    tagline: str = Field("", description="A line printed under the hashtag")
    address: list[str] = Field(default_factory=list, description="Postal address on the back cover")
    lint: Lint = Field(default_factory=Lint, description="House-style lint settings")
    credits: list[str] = Field(default_factory=list,
                               description="Inside cover: « Conception et impression : … », photo credits")

    @field_validator("year")
    @classmethod
    def _plausible_year(cls, value: int) -> int:
        if not 1990 <= value <= 2100:
            raise ValueError("une année entre 1990 et 2100 est attendue")
        return value

    @model_validator(mode="after")
    def _parts_or_chapters(self) -> "Manifest":
        if self.parts and self.chapters:
            raise ValueError("donnez « parts » (un rapport en parties) ou « chapters » (sans parties), pas les deux")
        if not self.parts and not self.chapters:
            raise ValueError("« parts » ou « chapters » manquant : la liste des chapitres du rapport")
        return self


def _known_keys(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def load_manifest(path: Path) -> tuple[Manifest, list[ReportWarning]]:
    """Read and validate a manifest; all problems are reported in one error."""
    raw = load_yaml(path, ConfigError)
    if not isinstance(raw, dict):
        raise ConfigError("le manifeste doit être une suite de clés « nom: valeur »", path)
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            line = line_of(raw, err["loc"][0]) if err["loc"] else None
            what = "valeur manquante" if err["type"] == "missing" else err["msg"].removeprefix("Value error, ")
            problems.append(f"ligne {line or '?'} : « {'.'.join(loc)} » : {what}" if loc else what)
        first_line = line_of(raw, exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else None
        raise ConfigError("manifeste invalide : " + " ; ".join(problems), path, first_line) from None
    warnings = [
        ReportWarning(f"clé inconnue « {key} » ignorée", path, line_of(raw, key))
        for key in raw if key not in _known_keys(Manifest)
    ]
    return manifest, warnings
