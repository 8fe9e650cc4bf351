"""Layouts: Jinja2 templates and stylesheets found along a search path.

A layout folder (``layouts/<name>/``) may say ``extends: <parent>`` in its
``layout.yml``; templates are looked up in the edition's own ``layout/`` folder,
then the layout, then its parents, so that an edition overrides a single block
without copying the national layout. Templates that extend their own name use
the ``base/`` prefix (``{% extends "base/pages/cover.html" %}``) to reach the parent.

The same layout serves two media. For the web edition (``medium="web"``), each folder's
``web/`` subfolder is searched before the folder itself: ``web/blocks/chart.html`` replaces
``blocks/chart.html`` on the web only, and ``web/*.css`` is added after the print sheets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .. import french
from ..edition import languages
from ..errors import ConfigError, LayoutError
from ..paths import LAYOUT_NAME, inside, stylesheet_files, within
from ..yamlio import line_of, load_yaml


@dataclass
class Layout:
    name: str
    folders: list[Path]          # most specific first
    stylesheets: list[Path]
    fonts: Path

    @property
    def env(self) -> jinja2.Environment:
        return self._env

    def icons(self) -> dict[str, str]:
        """Pictograms: the SVG files of the layouts' ``icons/`` folders, by name."""
        if not hasattr(self, "_icons"):
            found: dict[str, str] = {}
            for folder in reversed(self.folders):
                for svg in sorted((folder / "icons").glob("*.svg")):
                    found[svg.stem] = svg.read_text(encoding="utf-8")
            self._icons = found
        return self._icons

    def render(self, template: str, **context: Any) -> str:
        try:
            return self._env.get_template(template).render(**context)
        except jinja2.TemplateNotFound as exc:
            raise LayoutError(f"gabarit « {exc.name} » introuvable dans : "
                              + ", ".join(str(f) for f in self.folders)) from None
        except jinja2.TemplateSyntaxError as exc:
            from ..messages import syntax_error

            message, line = syntax_error(exc)
            raise LayoutError(f"gabarit mal écrit : {message}", exc.filename, line) from None
        except jinja2.UndefinedError as exc:
            raise LayoutError(f"gabarit « {template} » : {exc.message}", _layout_file(exc, self),
                              _layout_line(exc)) from None


def _layout_line(exc: BaseException) -> int | None:
    import traceback

    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".html"):
            line = frame.lineno
    return line


def _layout_file(exc: BaseException, layout: "Layout") -> str | None:
    import traceback

    name = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".html"):
            name = frame.filename
    return name


# the layout's templates compiled once per process (a preview rebuilds without compiling them again)
class _InMemory(jinja2.BytecodeCache):
    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.store:        # checked against the template's source by Jinja
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _InMemory()


MEDIA = ("print", "web")


def load_layout(layouts_root: Path | list[Path], name: str, edition_folder: Path | None = None,
                medium: str = "print") -> Layout:
    """Resolve a layout and its parents into a template search path, for print or the web.

    ``layouts_root`` is one folder of layouts or several, most specific first (a project's
    ``layouts/``, then the layouts shipped with reportgen): a layout found in several of
    them is the first folder laid over the next, so a project overrides one template of
    the national layout without copying the rest.
    """
    if medium not in MEDIA:
        raise ValueError(f"medium {medium!r} not in {MEDIA}")
    roots = [layouts_root] if isinstance(layouts_root, Path) else list(layouts_root)
    chain: list[Path] = []
    seen = set()
    current: object = name
    # the file that names ``current``: the edition's manifest, then each layout.yml
    written_in: tuple[Path | None, int | None] = (edition_folder.parent / "edition.yml" if edition_folder
                                                  else None, None)
    while current is not None:
        # a plain folder of layouts/, which stays there once its symlinks are followed
        if not isinstance(current, str) or not LAYOUT_NAME.fullmatch(current) or ".." in current:
            raise ConfigError(f"mise en page « {current} » : le nom d'un dossier de layouts/ est attendu, "
                              "sans « / » ni « .. »", *written_in, hint="par exemple : extends: assurance-maladie")
        for root in roots:
            inside(current, root, [root], *written_in, "mise en page", ConfigError)
        found = [root / current for root in roots if _is_dir(root / current)]
        if not found:        # named where it is written: edition.yml, or the layout.yml that extends it
            known = sorted({p.name for root in roots for p in root.iterdir() if p.is_dir()})
            raise ConfigError(f"mise en page « {current} » introuvable dans layouts/", written_in[0],
                              written_in[1] or _manifest_layout_line(written_in[0]),
                              hint=f"mises en page : {', '.join(known)}")
        if current in seen:
            raise ConfigError(f"la mise en page « {current} » s'étend elle-même", found[0] / "layout.yml")
        seen.add(current)
        chain += found
        spec_file = next((f / "layout.yml" for f in found if (f / "layout.yml").exists()), None)
        spec = load_yaml(spec_file, ConfigError) if spec_file else {}
        if spec and not isinstance(spec, dict):
            raise ConfigError("layout.yml doit être une suite de clés « nom: valeur »", spec_file)
        current = (spec or {}).get("extends")
        written_in = (spec_file, line_of(spec, "extends"))
    own = edition_folder is not None and edition_folder.is_dir()
    if own and not within(edition_folder, [edition_folder.parent]):
        raise ConfigError("le dossier layout/ de l'édition mène hors de l'édition", edition_folder,
                          hint="remplacez le lien par un vrai dossier")
    folders = ([edition_folder] if own else []) + chain

    def sheets(sub: str) -> list[Path]:
        """Parents first, so the specific sheet wins the cascade; a project's copy of a layout
        replaces the shipped sheet of the same name instead of adding to it."""
        ordered: list[Path] = []
        taken: set[tuple[str, str]] = set()
        for folder in folders:          # most specific first, then reversed into cascade order
            kept = [sheet for sheet in sorted((folder / sub).glob("*.css"))
                    if (folder.name, sheet.name) not in taken]
            taken.update((folder.name, sheet.name) for sheet in kept)
            ordered = _checked(kept, folder) + ordered if kept else ordered
        return ordered

    stylesheets = sheets(".")
    fonts = next((f / "fonts" for f in folders if (f / "fonts").is_dir()), chain[-1] / "fonts")
    search = folders
    if medium == "web":                # the screen's sheets after all the print ones
        stylesheets += sheets("web")
        search = [d for f in folders for d in (f / "web", f) if d.is_dir()]
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader([str(f) for f in search])]
    # "base/…" reaches the next folder down the path, so an override can extend what it replaces
    loaders.append(jinja2.PrefixLoader({"base": jinja2.FileSystemLoader([str(f) for f in search[1:] or search])}))
    layout = Layout(name, folders, stylesheets, fonts)
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                             bytecode_cache=_BYTECODE,
                             autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True,
                             lstrip_blocks=True)
    # a title's « [Job dating]{lang=en} »: a <span lang="en"> in the page, the words alone in plain text
    env.filters["typo"] = lambda text: Markup(french.typeset_html(languages.span_html(str(Markup.escape(text)))))
    env.filters["typo_html"] = lambda html: Markup(french.typeset_html(str(html)))
    # an attribute, a bookmark, a running header
    env.filters["typo_text"] = lambda text: french.typeset_text(languages.plain(str(text)))
    env.filters["address"] = lambda text: Markup(french.address_html(str(Markup.escape(text))))
    env.filters["titles_once"] = titles_once
    env.filters["nl2br"] = lambda text: Markup("<br>").join(str(text).splitlines())
    env.filters["groupby_letter"] = _group_by_letter
    from ..edition.datastore import TRENDS

    from ..edition.tables import TREND_CLASSES

    env.globals["trends"] = TRENDS
    env.globals["trend_classes"] = TREND_CLASSES
    env.filters["css_string"] = _css_string
    from .colours import readable

    env.filters["readable"] = readable     # {{ theme.accent|readable(theme.light) }}: a colour for text
    layout._env = env
    return layout


def _is_dir(folder: Path) -> bool:
    try:
        return folder.is_dir()
    except OSError:      # a name too long for the system
        return False


def _checked(sheets: list[Path], home: Path) -> list[Path]:
    """Stylesheets whose ``url()`` stay in their layout folder (see :func:`paths.stylesheet_files`)."""
    for sheet in sheets:
        stylesheet_files(sheet, home)
    return sheets


def _group_by_letter(entries: list) -> list[tuple[str, list]]:
    """Glossary entries grouped under their initial letter, accents folded, in printed order."""
    from ..edition.tables import slugify

    groups: dict[str, list] = {}
    for entry in entries:
        initial = (slugify(entry.term)[:1] or "#").upper()
        groups.setdefault(initial, []).append(entry)
    return list(groups.items())


def _manifest_layout_line(manifest: Path | None) -> int | None:
    """The line of « layout: » in an edition's manifest."""
    try:
        return line_of(load_yaml(manifest, ConfigError), "layout") if manifest else None
    except ConfigError:
        return None


def _css_string(text: object) -> Markup:
    """A quoted CSS string for ``content:``, typeset (:func:`french.typeset_text`): not
    HTML-escaped, safe inside <style>."""
    escaped = french.typeset_text(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return Markup(f'"{escaped}"')


_HEADING_THEN_TABLE = re.compile(
    r'(<h([1-6])\b[^>]*>((?:(?!</?h[1-6]\b).)*)</h\2>(?:\s*<p>(?:(?!</?p\b).)*</p>)*'
    r'\s*<figure class="table-block)([^"]*)("[^>]*?\saria-label="([^"]*)")', re.S)


def _same_words(text: str) -> str:
    """Text compared as a reader would: case, spaces, apostrophes and final colon aside."""
    text = french.typeset_text(text).replace("’", "'")
    return re.sub(r"\s+", " ", text).strip().rstrip(" :.").casefold()


def titles_once(html: object) -> Markup:
    """A table whose title repeats, word for word, the heading just above it (with at most
    paragraphs between them) is marked ``titled-by-heading``: the layout prints the heading
    only; the table keeps its title as its accessible name, and « (suite) » on the pages it
    runs over."""
    def mark(m: re.Match) -> str:
        if _same_words(m[3]) != _same_words(m[6]):
            return m[0]
        return f"{m[1]}{m[4]} titled-by-heading{m[5]}"

    return Markup(_HEADING_THEN_TABLE.sub(mark, str(html)))
