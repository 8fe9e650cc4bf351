"""The edition manifest (``content/<caisse>/<year>/edition.yml``), typed and validated.

Every option is declared once here with a one-line description. Validation
reports every problem of the file at once; an unknown key is a warning.
"""
from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError, ReportWarning
from .paths import LAYOUT_NAME, edition_place, inside
from .yamlio import LineDict, line_of, load_yaml

ChapterRef = Union[str, list[str]]
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

    @field_validator("primary", "accent", "light", "dark")
    @classmethod
    def _colour(cls, value: str) -> str:
        """Pasted into the stylesheets: a colour and nothing else."""
        if not _COLOUR.fullmatch(value):
            raise ValueError(f"« {value} » n'est pas une couleur : écrivez « #rrggbb » ou « #rgb » (#0c419a)")
        return value


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


def _unknown_keys(raw: Any, model: type[BaseModel], path: Path, where: str = "") -> list[ReportWarning]:
    """« clé inconnue » for every key the model does not know, at every level of the file."""
    if not isinstance(raw, dict):
        return []
    warnings = []
    for key, value in raw.items():
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is None:
            hint = f"clés possibles sous « {where} » : {', '.join(model.model_fields)}" if where else None
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
    """Chapters and divider photos: files inside the edition's folder, or a ConfigError."""
    folder = path.parent
    lines = path.read_text(encoding="utf-8").splitlines()

    def chapters(refs: list, mapping: Any, key: str) -> None:
        start = line_of(mapping, key)
        for ref in refs:
            for name in [ref] if isinstance(ref, str) else ref:
                line = _entry_line(lines, start, name) if name.strip() else start
                found = inside(name, folder, [folder], path, line, "chapitre", ConfigError,
                               place=edition_place(folder))
                if found.exists() and not found.is_file():
                    raise ConfigError(f"chapitre « {name} » : c'est un dossier, pas un fichier", path, line)

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


def load_manifest(path: Path) -> tuple[Manifest, list[ReportWarning]]:
    """Read and validate a manifest; all problems are reported in one error."""
    raw = load_yaml(path, ConfigError)
    if not isinstance(raw, dict):
        raise ConfigError("le manifeste doit être une suite de clés « nom: valeur »", path)
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        problems = []
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            # the whole manifest is at fault (« parts » and « chapters » together): the line of « chapters »
            line = _line_at(raw, loc) if loc else line_of(raw, "chapters" if "chapters" in raw else "parts")
            lines.append(line)
            what = "valeur manquante" if err["type"] == "missing" else err["msg"].removeprefix("Value error, ")
            problems.append(f"ligne {line or '?'} : « {'.'.join(map(str, loc))} » : {what}" if loc else what)
        raise ConfigError("manifeste invalide : " + " ; ".join(problems), path, lines[0]) from None
    warnings = _unknown_keys(raw, Manifest, path)
    _check_files(raw, manifest, path)
    return manifest, warnings
