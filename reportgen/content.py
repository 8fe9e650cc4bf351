"""Chapters: Markdown files with front matter, whose directives place the data blocks.

A chapter's text is first run as a Jinja2 template in a sandbox with
StrictUndefined, where ``table()``, ``chart()``, ``kpis()``, ``fig()`` … are
the only names known; then converted from Markdown to HTML, typeset, and the
blocks put back in place. Errors name the Markdown file and line.
"""
from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markdown
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import french
from .errors import ContentError, ReportError, display_path
from .yamlio import line_of

KINDS = ("chapter", "message", "annex", "glossary", "page")
FRONT_KEYS = {"title", "kind", "short", "toc", "number", "kicker", "layout", "review", "summary", "byline"}
_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
_TOKEN = re.compile(r"RGBLOCK(\d{4})X")


@dataclass
class Section:
    id: str
    title: str


@dataclass
class Chapter:
    """One chapter (or front/back page) of the report, from one or more Markdown files."""

    id: str
    files: list[Path]
    meta: dict[str, Any]
    bodies: list[tuple[Path, str, int]]   # (file, text after front matter, line offset)
    html: str = ""
    sections: list[Section] = field(default_factory=list)
    part: int | None = None
    label: str = ""               # « Chapitre 3 », « B »: when the edition numbers its chapters

    @property
    def kind(self) -> str:
        return self.meta.get("kind", "chapter")

    @property
    def title(self) -> str:
        return self.meta.get("title", "")

    @property
    def short(self) -> str:
        return self.meta.get("short") or self.title

    @property
    def toc_title(self) -> str:
        """The title in the sommaire, where the report prints it differently (``toc:``)."""
        return self.meta.get("toc") or self.title


def read_chapter(files: list[Path], chapter_id: str) -> Chapter:
    """Read the files of a chapter; the first one carries the front matter."""
    import yaml

    from .yamlio import _LineLoader

    meta: dict[str, Any] = {}
    bodies = []
    for n, path in enumerate(files):
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ContentError("fichier de chapitre introuvable", path,
                               hint="vérifiez son nom dans edition.yml") from None
        offset = 0
        match = _FRONT.match(text)
        if match:
            try:
                front = yaml.load(match[1], Loader=_LineLoader) or {}  # noqa: S506 - safe loader
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark
                raise ContentError(f"en-tête YAML illisible : {exc.problem}", path,
                                   (mark.line + 2) if mark else 1) from None
            if not isinstance(front, dict):
                raise ContentError("l'en-tête doit être une suite de clés « nom: valeur »", path, 2)
            if n == 0:
                meta = dict(front)
                for key in front:
                    if key not in FRONT_KEYS:
                        raise ContentError(f"clé d'en-tête inconnue « {key} »", path,
                                           (line_of(front, key) or 0) + 1,
                                           hint=f"clés possibles : {', '.join(sorted(FRONT_KEYS))}")
            offset = match[0].count("\n")
            text = text[match.end():]
        elif n == 0:
            raise ContentError("en-tête manquant", path, 1,
                               hint="commencez le fichier par ---, title: …, kind: …, ---")
        bodies.append((path, text, offset))
    if meta.get("kind", "chapter") not in KINDS:
        raise ContentError(f"kind « {meta.get('kind')} » inconnu", files[0], 1,
                           hint=f"valeurs possibles : {', '.join(KINDS)}")
    if not meta.get("title"):
        raise ContentError("« title » manquant dans l'en-tête", files[0], 1)
    return Chapter(chapter_id, files, meta, bodies)


_COMPILED: dict[str, Any] = {}   # source → compiled code


class ContentRenderer:
    """Turns chapters into HTML, with the blocks rendered by the layout."""

    def __init__(self, directives: dict[str, Callable[..., Markup]], display_root: Path,
                 context: dict[str, Any]):
        self.directives = directives
        self.context = context
        self.root = display_root
        self.env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False,
                                        keep_trailing_newline=True)

    def render(self, chapter: Chapter) -> None:
        blocks: list[str] = []
        self._blocks = blocks

        def wrap(func: Callable[..., Markup], inline: bool) -> Callable[..., str]:
            def call(*args: Any, **kwargs: Any) -> str:
                if "caller" in kwargs:   # {% call block(…) %}Markdown{% endcall %}
                    kwargs["body"] = str(kwargs.pop("caller")())
                html = func(*args, **kwargs)
                blocks.append(str(html))
                token = f"RGBLOCK{len(blocks) - 1:04d}X"
                return token if inline else f"\n\n{token}\n\n"
            return call

        names = {name: wrap(func, inline=name in INLINE_DIRECTIVES)
                 for name, func in self.directives.items()}
        markdown_parts = []
        notes = _footnote_definitions(chapter.bodies)
        for path, text, offset in chapter.bodies:
            text = _inline_footnotes(path, text, offset, notes)
            markdown_parts.append(self._run_template(path, text, offset, names))
        html = markdown_to_html("\n\n".join(markdown_parts))
        html = _shift_headings(html)
        html, chapter.sections = _number_sections(html, chapter.id)
        for section in chapter.sections:   # a figure in a heading: the sommaire shows its text
            section.title = re.sub(r"<[^>]+>", "", put_blocks_back(section.title, blocks)).strip()
        chapter.html = close_heading_gaps(put_blocks_back(html, blocks))

    def _compile(self, text: str):
        """A chapter's directives compiled once per process: the preview rebuilds only what changed."""
        code = _COMPILED.get(text)
        if code is None:
            code = self.env.compile(text)
            if len(_COMPILED) > 512:
                _COMPILED.clear()
            _COMPILED[text] = code
        return self.env.template_class.from_code(self.env, code, self.env.make_globals(None), None)

    def _run_template(self, path: Path, text: str, offset: int, names: dict) -> str:
        shown = display_path(path)
        try:
            template = self._compile(text)
            template.name = template.filename = shown
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError(f"directive mal écrite : {exc.message}", path, (exc.lineno or 0) + offset,
                               hint="une directive s'écrit {{ table(\"nom\") }}") from None
        try:
            return template.render(**self.context, **names)
        except jinja2.UndefinedError as exc:
            line = _template_line(exc, shown)
            raise ContentError(f"nom inconnu : {exc.message}", path, line and line + offset,
                               hint=f"directives possibles : {', '.join(sorted(self.directives))}") from None
        except jinja2.exceptions.SecurityError as exc:
            line = _template_line(exc, shown)
            raise ContentError(f"opération interdite dans le contenu : {exc}", path,
                               line and line + offset) from None
        except (KeyError, ValueError, TypeError, ReportError) as exc:
            line = _template_line(exc, shown)
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            if isinstance(exc, ReportError):
                message = exc.message
            raise ContentError(str(message), path, line and line + offset) from None


_NOTE_DEFINITION = re.compile(r"^\[\^([\w-]+)\]:[ \t]*(.*)$", re.MULTILINE)
_NOTE_CALL = re.compile(r"\[\^([\w-]+)\](?!:)")


def _footnote_definitions(bodies) -> dict[str, str]:
    """``[^id]: text`` lines of all the files of a chapter; an id defined twice is an error."""
    notes: dict[str, str] = {}
    for path, text, offset in bodies:
        for match in _NOTE_DEFINITION.finditer(text):
            line = text.count("\n", 0, match.start()) + 1 + offset
            if match[1] in notes:
                raise ContentError(f"la note [^{match[1]}] est définie deux fois", path, line)
            if not match[2].strip():
                raise ContentError(f"la note [^{match[1]}] est vide", path, line,
                                   hint="écrivez son texte après les deux-points, sur la même ligne")
            notes[match[1]] = match[2].strip()
    return notes


def _inline_footnotes(path: Path, text: str, offset: int, notes: dict[str, str]) -> str:
    """Put each note's text where it is called: the layout floats it to the page bottom.

    Definition lines are blanked rather than removed, so the lines of errors stay true.
    """
    def call(match: re.Match) -> str:
        if match[1] not in notes:
            line = text.count("\n", 0, match.start()) + 1 + offset
            raise ContentError(f"renvoi [^{match[1]}] sans note", path, line,
                               hint=f"ajoutez une ligne « [^{match[1]}]: texte de la note » en fin de fichier")
        return f'<span class="footnote">{notes[match[1]]}</span>'

    text = _NOTE_DEFINITION.sub("", text)
    return _NOTE_CALL.sub(call, text)


INLINE_DIRECTIVES = {"fig", "button"}
MARKDOWN_EXTENSIONS = ["tables", "attr_list", "admonition", "sane_lists", "md_in_html"]


def markdown_to_html(text: str) -> str:
    """Markdown to typeset HTML; block tokens are left for :func:`put_blocks_back`."""
    return french.typeset_html(markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS,
                                                 output_format="html"))


def put_blocks_back(html: str, blocks: list[str]) -> str:
    """Replace block tokens by the blocks' HTML; blocks may hold tokens of their own."""
    def put_back(match: re.Match) -> str:
        return blocks[int(match[1])]

    for _ in range(8):   # nesting depth of blocks within blocks
        html = re.sub(r"<p>\s*(RGBLOCK\d{4}X)\s*</p>", lambda m: put_back(_TOKEN.match(m[1])), html)
        html, count = _TOKEN.subn(put_back, html)
        if not count:
            break
    return html


def _template_line(exc: BaseException, filename: str) -> int | None:
    """The line of the Markdown source where a template raised, from Jinja's rewritten traceback."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return line


def close_heading_gaps(html: str, level: int = 2) -> str:
    """No heading level skipped (the chapter title is an h2): a screen reader navigates by levels.

    A heading deeper than the one before it plus one takes that level, and keeps its look
    through a class named after the level it was written with (« h5 » styled as before).
    """
    def one(match: re.Match) -> str:
        nonlocal level
        written = int(match[1])
        if written > level + 1:
            attrs = match[2]
            if 'class="' in attrs:
                attrs = attrs.replace('class="', f'class="h{written} ', 1)
            else:
                attrs += f' class="h{written}"'
            level += 1
            return f"<h{level}{attrs}>{match[3]}</h{level}>"
        level = written
        return match[0]

    return re.sub(r"<h([1-6])([^>]*)>(.*?)</h\1>", one, html, flags=re.S)


def _shift_headings(html: str) -> str:
    """Markdown ``##`` is a section of a chapter: h3 in the document (h1 part, h2 chapter)."""
    return re.sub(r"<(/?)h([1-5])([ >])", lambda m: f"<{m[1]}h{int(m[2]) + 1}{m[3]}", html)


def _number_sections(html: str, chapter_id: str) -> tuple[str, list[Section]]:
    sections: list[Section] = []

    def anchor(match: re.Match) -> str:
        level, attrs, inner = match[1], match[2], match[3]
        sid = f"{chapter_id}-{len(sections) + 1}" if level == "3" else None
        if level == "3":
            sections.append(Section(sid, re.sub(r"<[^>]+>", "", inner).strip()))
        if sid and "id=" not in attrs:
            attrs += f' id="{sid}"'
        return f"<h{level}{attrs}>{inner}</h{level}>"

    html = re.sub(r"<h([3-6])([^>]*)>(.*?)</h\1>", anchor, html, flags=re.DOTALL)
    return html, sections
