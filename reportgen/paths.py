"""One rule for every path a user writes: it stays inside the project, or the build stops.

A chapter named in ``edition.yml``, a layout, a photo, an image or a link written in a
chapter, a ``url()`` of a stylesheet: each is resolved from the folder it is written
relative to, symlinks followed, and accepted only if it lands inside one of the allowed
folders (the project's ``content/``, ``data/``, ``layouts/``, and ``build/`` for generated
files). Folders are compared as resolved paths, never as strings: ``content-copie/`` is not
inside ``content/``. A refusal names the file and the line that wrote the path.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ContentError, LayoutError, ReportError, display_path

if TYPE_CHECKING:
    from .edition.content import Chapter

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
LINK_SCHEMES = ("http", "https", "mailto", "tel")   # what a link may open, besides #anchors
LAYOUT_NAME = re.compile(r"\w[\w.-]*")             # a layout: a plain folder name under layouts/


def inside(written: object, base: Path, roots: list[Path], where: Path | None, line: int | None,
           what: str, error: type[ReportError] = ContentError, hint: str | None = None,
           place: str | None = None) -> Path:
    """The file ``written`` names, relative to ``base``, if it lies inside one of ``roots``.

    ``what`` says what the path is for (« chapitre », « photo »…); ``where`` and ``line`` are
    the file and line that wrote it; ``place`` names the roots for the reader (« le dossier de
    l'édition »). Anything else raises ``error``, in French, with ``hint`` (by default: where
    to put the file).
    """
    hint = hint or _hint(base, roots)
    place = place or (_places(roots) if len(roots) == 1 else f"le projet ({_places(roots)})")
    if not isinstance(written, str):
        raise error(f"{what} : un chemin de fichier est attendu, pas « {written} »", where, line)
    shown = written.strip()
    if not shown:
        raise error(f"{what} : chemin vide", where, line, hint="écrivez le nom du fichier")
    if "\0" in written:
        raise error(f"{what} : le chemin contient un caractère nul", where, line,
                    hint="retapez le nom du fichier")
    scheme = _SCHEME.match(shown)
    if scheme:
        raise error(f"{what} « {shown} » : adresse hors du projet refusée (« {scheme[1]}: » n'est pas un "
                    "fichier)", where, line, hint=hint)
    if shown.startswith("~"):
        raise error(f"{what} « {shown} » : « ~ » (dossier personnel) n'est pas compris", where, line,
                    hint=hint)
    try:
        path = (base / shown).resolve()
    except (OSError, RuntimeError, ValueError):      # a symlink loop, a name too long
        raise error(f"{what} « {shown} » : chemin illisible", where, line, hint=hint) from None
    if not any(path.is_relative_to(root) for root in resolved(roots)):
        raise error(f"{what} « {shown} » : chemin refusé, il doit rester dans {place}", where, line,
                    hint=hint)
    return path


def within(path: Path, roots: list[Path]) -> bool:
    """Whether ``path``, resolved (symlinks followed), lies inside one of ``roots``."""
    try:
        path = path.resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    return any(path.is_relative_to(root) for root in resolved(roots))


def resolved(roots: list[Path]) -> list[Path]:
    return [root.resolve() for root in roots]


def edition_place(folder: Path) -> str:
    """« le dossier de l'édition (content/artois/2017/) », for messages."""
    return f"le dossier de l'édition ({_shown(folder)}/)"


def _places(roots: list[Path]) -> str:
    return ", ".join(f"{_shown(root)}/" for root in roots)


def _shown(folder: Path) -> str:
    """A folder as messages show it; a symlinked one (``layouts/``) by its name in the project."""
    shown = display_path(folder)
    parent = display_path(folder.parent)
    if Path(shown).is_absolute() and not Path(parent).is_absolute():
        return folder.name if parent == "." else f"{parent}/{folder.name}"
    return shown


def _hint(base: Path, roots: list[Path]) -> str:
    if len(roots) == 1 and base.resolve() == roots[0].resolve():
        return f"placez-le dans {_places(roots)} et écrivez son chemin à partir de ce dossier"
    return f"placez-le dans {_places(roots)} et écrivez son chemin à partir de {_shown(base)}/"


def link(url: object, where: Path | None, line: int | None, what: str = "lien",
         error: type[ReportError] = ContentError) -> str:
    """A link a reader may follow: http(s), mailto, tel or an ``#ancre``; nothing else."""
    text = url.strip() if isinstance(url, str) else ""
    scheme = _SCHEME.match(text)
    ok = (text.startswith("#") or (scheme and scheme[1].lower() in LINK_SCHEMES
                                   and (scheme[1].lower() not in ("http", "https")
                                        or text.lower().startswith(f"{scheme[1].lower()}://"))))
    if not ok or "\0" in text or re.search(r"\s", text):
        raise error(f"{what} « {url} » : une adresse complète est attendue (https://…, mailto:…, "
                    "tel:… ou #ancre)", where, line)
    return text


# --- stylesheets ------------------------------------------------------------------------------
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]*)\1\s*\)|@import\s+(['\"])([^'\"]*)\3", re.IGNORECASE)


def stylesheet_files(sheet: Path, home: Path) -> list[tuple[str, Path]]:
    """What a layout's stylesheet loads (fonts, images): ``(as written, file)`` for each ``url()``.

    Each file lies in the sheet's own layout folder ``home``, so that the print (WeasyPrint's
    fetcher) and the web edition (which copies the folder) read the same files;
    ``data:`` URIs and ``#fragments`` are not files. Anything else stops the build, naming
    the sheet and the line.
    """
    if not within(sheet, [home]):
        raise LayoutError("feuille de style en dehors de sa mise en page (lien symbolique)", sheet,
                          hint=f"placez le fichier lui-même dans {display_path(home)}/")
    try:
        css = sheet.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutError(f"feuille de style illisible : {exc}", sheet,
                          hint="enregistrez-la en UTF-8") from None
    found = []
    for match in _CSS_URL.finditer(css):
        written = (match[2] if match[2] is not None else match[4]).strip()
        if written.lower().startswith("data:") or written.startswith("#"):
            continue
        line = css.count("\n", 0, match.start()) + 1
        path = inside(written, sheet.parent, [home], sheet, line, "fichier cité par la feuille de style",
                      LayoutError, place=f"sa mise en page ({_shown(home)}/)")
        if not path.is_file():
            raise LayoutError(f"la feuille de style cite un fichier absent : {written}", sheet, line)
        found.append((written, path))
    return found


# --- the HTML of a chapter ------------------------------------------------------------------
# attributes the reader's browser or WeasyPrint would load, and those a reader may follow
_LOADED = ("src", "data", "poster", "background", "xlink:href")
_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]*)\1\s*\)", re.IGNORECASE)


def check_html(chapter: "Chapter", project_root: Path) -> None:
    """Every file a chapter's HTML loads or links to stays inside the project.

    The chapter's HTML sits in the document ``build/<caisse>-<année>/…html``: relative
    addresses are read from there, as WeasyPrint and the web edition read them. A refusal
    names the chapter's file and the line where the address is written. The HTML is read
    tag by tag, not as a tree, so that no nesting depth hides a tag.
    """
    html = chapter.html
    if not re.search(r"(?i)\b(src|href|data|poster|background|srcset)\s*=|url\(|@import", html):
        return
    root = project_root.resolve()
    from .project import Project

    roots = Project(root).readable
    try:
        edition = chapter.files[0].resolve().relative_to((root / "content").resolve()).parts[:2]
    except ValueError:
        edition = ("", "")
    base = root / "build" / "-".join(edition)
    _Addresses(chapter, base, roots).feed(html)


class _Addresses(HTMLParser):
    """Checks the addresses of each tag as the chapter's HTML is read."""

    def __init__(self, chapter: "Chapter", base: Path, roots: list[Path]):
        super().__init__(convert_charrefs=True)
        self.chapter, self.base, self.roots = chapter, base, roots
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_style = tag == "style"
        rel = next((value or "" for name, value in attrs if name == "rel"), "").split()
        for name, value in attrs:
            value = value or ""
            if name in _LOADED:
                self.loaded(value)
            elif name == "srcset":
                for candidate in value.split(","):
                    if candidate.split():
                        self.loaded(candidate.split()[0])
            elif name == "href":
                if tag == "link" or "attachment" in rel:
                    self.loaded(value)              # fetched and embedded in the PDF: a file
                elif _SCHEME.match(value.strip()) or value.strip().startswith("#"):
                    link(value, *_place(self.chapter, value))
                elif value.strip():
                    self.loaded(value)
            elif name == "style":
                for _quote, address in _URL.findall(value):
                    self.loaded(address)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.in_style = False

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:    # url(…), and @import "…" written without url()
            for match in _CSS_URL.finditer(data):
                self.loaded(match[2] if match[2] is not None else match[4])

    def loaded(self, value: str) -> None:
        _loaded(value, self.base, self.roots, self.chapter)


def _loaded(value: str, base: Path, roots: list[Path], chapter: "Chapter") -> None:
    """A file the page loads: a ``data:`` URI, or a path inside the project."""
    if value.strip().lower().startswith("data:"):
        return
    where, line = _place(chapter, value)
    hint = "pour une image, placez-la dans le dossier de l'édition et écrivez {{ photo(\"images/nom.jpg\") }}"
    path = inside(value, base, roots, where, line, "adresse dans le HTML du chapitre", hint=hint)
    # a missing file would stop the print (WeasyPrint's fetcher) or the web edition later, naming
    # the generated document: said here, at the chapter's line. Charts are drawn after this check.
    if not path.is_file() and not path.is_relative_to((base / "charts").resolve()):
        raise ContentError(f"adresse dans le HTML du chapitre « {value.strip()} » : fichier introuvable (l'adresse "
                           f"se lit depuis {_shown(base)}/, où est le document produit)", where, line, hint=hint)


def _place(chapter: "Chapter", value: str) -> tuple[Path, int | None]:
    """The file and line of a chapter where ``value`` is written (the first file if not found)."""
    for path, text, offset in chapter.bodies:
        at = text.find(value)
        if at >= 0:
            return path, text.count("\n", 0, at) + 1 + offset
    return chapter.files[0], None
