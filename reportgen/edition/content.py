"""Chapters: Markdown files with front matter, whose directives place the data blocks.

A chapter's text is first run as a Jinja2 template in a sandbox with
StrictUndefined, where ``table()``, ``chart()``, ``kpis()``, ``fig()`` … are
the only names known; then converted from Markdown to HTML, typeset, and the
blocks put back in place. Errors name the Markdown file and line.
"""
from __future__ import annotations

import contextvars
import functools
import math
import re
import secrets
import string
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.nodes
import jinja2.runtime
import jinja2.visitor
import markdown
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .. import french
from . import languages
from ..errors import ContentError, LayoutError, ReportError, display_path, gathered
from ..messages import BLOCK_TAGS, jinja_undefined, pieces, syntax_error
from ..yamlio import line_of, parse_yaml, read_text

KINDS = ("chapter", "message", "annex", "glossary", "page")
FRONT_KEYS = {"title", "kind", "short", "toc", "number", "kicker", "layout", "review", "summary", "byline"}
_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
# a block's place in the text until its HTML is put back: « RGBLOCK » + a nonce drawn for each
# chapter + its number, so that a chapter cannot write (or guess) the token of a block
_TOKEN = re.compile(r"RGBLOCK([A-Z]{10})(\d{4})X")


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

    @property
    def annex_label(self) -> str:
        """« Annexe 2 » for an annex with a ``number:``; "" for one without: its title prints alone."""
        number = self.meta.get("number")
        if self.kind != "annex" or number is None or not str(number).strip():
            return ""
        return f"Annexe {str(number).strip()}"


def read_chapter(files: list[Path], chapter_id: str) -> Chapter:
    """Read the files of a chapter; the first one carries the front matter."""
    meta: dict[str, Any] = {}
    bodies = []
    for n, path in enumerate(files):
        text = read_text(path, ContentError,
                         hint="enregistrez-le en UTF-8 (dans l'éditeur : « Enregistrer sous », encodage UTF-8)",
                         missing="fichier de chapitre introuvable",
                         missing_hint="vérifiez son nom dans edition.yml", controls=False)
        offset = 0
        match = _FRONT.match(text)
        if match:
            front = parse_yaml(match[1], path, ContentError, first_line=2, what="en-tête YAML illisible") or {}
            if not isinstance(front, dict):
                raise ContentError("l'en-tête doit être une suite de clés « nom: valeur »", path, 2)
            if n == 0:
                meta = dict(front)
                for key in front:
                    if key not in FRONT_KEYS:
                        raise ContentError(f"clé d'en-tête inconnue « {key} »", path,
                                           (line_of(front, key) or 0) + 1,
                                           hint=f"clés possibles : {', '.join(sorted(FRONT_KEYS))}")
                if isinstance(front.get("number"), (bool, list, dict)):   # « Annexe … »: a number or a letter
                    raise ContentError(f"« number: {front['number']} » n'est pas un numéro d'annexe", path,
                                       (line_of(front, "number") or 0) + 1,
                                       hint="écrivez un numéro ou une lettre (number: 2, number: B), ou retirez "
                                            "la ligne : l'annexe s'imprime alors avec son seul titre")
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
    if not any(_COMMENTS.sub("", text).strip() for _, text, _ in bodies):
        # caught here, in its own file: after the layout it would be a title alone at the foot of a page
        path, _, offset = bodies[0]
        raise ContentError("chapitre vide : rien n'est écrit sous l'en-tête", path, offset + 1,
                           hint="écrivez son texte sous la ligne « --- », ou retirez le fichier de edition.yml")
    return Chapter(chapter_id, files, meta, bodies)


_COMMENTS = re.compile(r"\{#.*?#\}|<!--.*?-->", re.DOTALL)    # printed as nothing


# --- limits of a chapter's template: what a chapter may ask of the machine ---------------------
MAX_TEXT = 1_000_000      # characters (or items) of one string or list a template makes
MAX_OUTPUT = 5_000_000    # characters a chapter's template writes, all its files together
MAX_STEPS = 1_000_000     # loop turns and range() items of one chapter
MAX_CALLS = 50            # directives, macros and call blocks nested in one another
MAX_DIGITS = 1_000        # digits of a whole number computed in a template
MAX_NESTING = 30          # quotes, lists and HTML elements nested in one another


def _number(value: int) -> str:
    """1 000 000, with French thin spaces."""
    return f"{value:,}".replace(",", "\u202f")


def _too_long(size: int) -> ContentError:
    return ContentError(f"texte ou liste trop long : {_number(size)} éléments demandés, "
                        f"{_number(MAX_TEXT)} au plus",
                        hint="un chapitre ne répète pas un texte ou une liste à ce point : vérifiez le calcul "
                             "(« * », « ~ », « + », boucle)")


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple, dict, set)) else None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Loops(jinja2.visitor.NodeTransformer):
    """Compiled templates count their loop turns and check what ``~`` joins (see :class:`_LimitedSandbox`)."""

    def visit_For(self, node: jinja2.nodes.For) -> jinja2.nodes.For:
        node = self.generic_visit(node)
        node.iter = jinja2.nodes.Call(jinja2.nodes.EnvironmentAttribute("count_turns"), [node.iter], [],
                                      None, None, lineno=node.iter.lineno)
        return node

    def visit_Concat(self, node: jinja2.nodes.Concat) -> jinja2.nodes.Call:
        node = self.generic_visit(node)
        return jinja2.nodes.Call(jinja2.nodes.EnvironmentAttribute("join_limited"),
                                 [jinja2.nodes.List(node.nodes, lineno=node.lineno)], [], None, None,
                                 lineno=node.lineno)


class _LimitedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, bounded: a chapter cannot make the build run for hours or fill the memory.

    Operators that can make a huge value (``*``, ``+``, ``%``, ``**``, ``~``) check its size
    before making it; loops and ``range()`` draw on one budget per chapter; calls nest at most
    :data:`MAX_CALLS` deep; every text a template assembles is measured. The counters are reset
    for each chapter by :meth:`start`.
    """

    intercepted_binops = frozenset({"*", "+", "%", "**"})

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.globals["range"] = self.limited_range
        self.globals.pop("lipsum", None)    # placeholder text has no place in a printed report
        self.filters = {name: self._checked(func) for name, func in self.filters.items()}
        self.start()

    def start(self) -> None:
        self.steps = 0
        self.calls = 0

    # the budget of loop turns
    def spend(self, steps: int) -> None:
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise ContentError(f"plus de {_number(MAX_STEPS)} tours de boucle dans ce chapitre",
                               hint="une boucle {% for %} ou un range(…) trop grand, ou des boucles imbriquées")

    def limited_range(self, *args: Any) -> range:
        numbers = range(*args)
        try:
            size = len(numbers)
        except OverflowError:
            size = MAX_STEPS + 1
        self.spend(size)
        return numbers

    def count_turns(self, iterable: Any) -> Any:
        for item in iterable:
            self.spend(1)
            yield item

    # values made by operators
    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            if _sized(left) is not None and _whole(right) and _sized(left) * right > MAX_TEXT:
                raise _too_long(_sized(left) * right)
            if _sized(right) is not None and _whole(left) and _sized(right) * left > MAX_TEXT:
                raise _too_long(_sized(right) * left)
            if _whole(left) and _whole(right) and (left.bit_length() + right.bit_length()) * 0.302 > MAX_DIGITS:
                raise _too_big()
        elif operator == "**" and _whole(left) and _whole(right) and right > 0 and abs(left) > 1:
            if right * math.log10(abs(left)) > MAX_DIGITS:
                raise _too_big()
        elif operator == "+" and _sized(left) is not None and _sized(right) is not None:
            if _sized(left) + _sized(right) > MAX_TEXT:
                raise _too_long(_sized(left) + _sized(right))
        elif operator == "%" and isinstance(left, str):
            _check_format(left, right if isinstance(right, (tuple, dict)) else (right,))
        result = super().call_binop(context, operator, left, right)
        if (_sized(result) or 0) > MAX_TEXT:
            raise _too_long(_sized(result))
        return result

    def join_limited(self, values: list[Any]) -> str:
        """``a ~ b``: joined only when the result stays within :data:`MAX_TEXT` characters."""
        texts = [str(v) for v in values]
        size = sum(map(len, texts))
        if size > MAX_TEXT:
            raise _too_long(size)
        return "".join(texts)

    def concat(self, parts: Any) -> str:   # noqa: D401 - Jinja's name
        """What a macro, a call block or ``{% set %}…{% endset %}`` wrote, measured before it is joined."""
        parts = parts if isinstance(parts, list) else list(parts)
        size = sum(map(len, parts))
        if size > MAX_OUTPUT:
            raise ContentError(f"un bloc du chapitre écrit plus de {_number(MAX_OUTPUT)} caractères",
                               hint="une boucle écrit-elle le même texte des milliers de fois ?")
        return "".join(parts)

    # calls: directives, macros, methods
    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805, B902
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, list, tuple, dict)):   # "x".ljust(10**9), "x".zfill(…)
            for value in (*args, *kwargs.values()):
                if _whole(value) and value > MAX_TEXT:
                    raise _too_long(value)
            if isinstance(owner, str) and getattr(__obj, "__name__", "") == "replace" and len(args) >= 2:
                _check_replace(owner, *args[:2])
        __self.calls += 1
        try:
            if __self.calls > MAX_CALLS:
                raise ContentError(f"plus de {MAX_CALLS} appels imbriqués les uns dans les autres",
                                   hint="une macro s'appelle-t-elle elle-même sans fin ?")
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            __self.calls -= 1
        for value in (result, owner):    # a method may grow its list: l.extend(l)
            if (_sized(value) or 0) > MAX_TEXT:
                raise _too_long(_sized(value))
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``"{}".format(…)``: the widths it asks for are checked first."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        template = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            mapping = args[0].values() if args and isinstance(args[0], dict) else ()
            _check_format(template, (*args, *kwargs.values(), *mapping))
            return wrapped(*args, **kwargs)

        return checked

    def _checked(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """A filter whose text or list result is measured; widths and replacements checked first."""
        name = getattr(func, "__name__", "")

        @functools.wraps(func)
        def checked(*args: Any, **kwargs: Any) -> Any:
            values = [a for a in args if not isinstance(a, (jinja2.Environment, jinja2.runtime.Context,
                                                              jinja2.nodes.EvalContext))]
            if name in ("do_center", "do_indent", "do_wordwrap", "do_truncate", "do_format", "do_replace"):
                for value in (*values[1:], *kwargs.values()):
                    if _whole(value) and value > MAX_TEXT:
                        raise _too_long(value)
                    if isinstance(value, str) and name in ("do_indent", "do_wordwrap") and values \
                            and isinstance(values[0], str):   # a prefix repeated on each line or word
                        size = len(value) * (values[0].count("\n") + 1 if name == "do_indent" else len(values[0]))
                        if size > MAX_TEXT:
                            raise _too_long(size)
                if name == "do_replace" and len(values) >= 3 and isinstance(values[0], str):
                    _check_replace(values[0], values[1], values[2])
                if name == "do_format" and values and isinstance(values[0], str):
                    _check_format(values[0], (*values[1:], *kwargs.values()))
            result = func(*args, **kwargs)
            if (_sized(result) or 0) > MAX_TEXT:
                raise _too_long(_sized(result))
            return result

        return checked


def _too_big() -> ContentError:
    return ContentError(f"nombre de plus de {_number(MAX_DIGITS)} chiffres",
                        hint="un chapitre cite des chiffres, il ne calcule pas de puissances démesurées")


_FORMAT_NUMBER = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?|\{[^{}]*:[^{}]*?(\d+)[^{}]*\}")


def _check_format(template: str, args: tuple) -> None:
    """``"%10s" % x``, ``"{:>10}".format(x)``: no width beyond MAX_TEXT, no result beyond it."""
    fields = _FORMAT_NUMBER.findall(template)
    for found in fields:
        for number in found:
            if number.isdigit() and int(number) > MAX_TEXT:
                raise _too_long(int(number))
    if "*" in template or "{" in template:   # a width given as an argument: "%*s", "{:{}}"
        for value in args:
            if _whole(value) and value > MAX_TEXT:
                raise _too_long(value)
    longest = max((len(str(a)) for a in args), default=0)
    if len(template) + len(fields) * longest > MAX_TEXT:
        raise _too_long(len(template) + len(fields) * longest)


def _check_replace(text: str, old: Any, new: Any) -> None:
    """``text.replace(old, new)`` stays within MAX_TEXT characters."""
    if isinstance(old, str) and isinstance(new, str):
        times = text.count(old) if old else len(text) + 1
        size = len(text) + times * max(0, len(new) - len(old))
        if size > MAX_TEXT:
            raise _too_long(size)


_COMPILED: dict[str, Any] = {}   # source → compiled code
_RENDERING: contextvars.ContextVar["ContentRenderer | None"] = contextvars.ContextVar("rendering", default=None)
_RETRY_SECONDS = 10.0    # trying each directive of a failed file on its own: at most this long per file


def place() -> tuple[Path | None, int | None]:
    """The chapter file and line being rendered, for a directive that warns (a photo not found).

    (None, None) outside a chapter; the line is found on the call stack, in the frame of the
    chapter's compiled template.
    """
    renderer = _RENDERING.get()
    here = getattr(renderer, "_here", None)
    if here is None:
        return None, None
    path, template, offset = here
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__jinja_template__") is template:
            return path, template.get_corresponding_lineno(frame.f_lineno) + offset
        frame = frame.f_back
    return path, None


# --- a file's directives one by one (see ContentRenderer._each_directive) ----------------------
_BODY_TAGS = {"call", "with", "filter", "autoescape"}     # whose body stands on its own (not a branch of an if)
_DEFINITIONS = {"set", "set=", "macro", "import", "from"}       # what later directives may use


@dataclass
class _Unit:
    start: int
    end: int
    tag: str
    body: tuple[int, int] | None = None     # between a block's tags


def _units(text: str, start: int = 0, end: int | None = None) -> list[_Unit]:
    """The directives of ``text[start:end]``: each block with its end tag, each other tag alone."""
    found = [p for p in pieces(text, start, end) if p.kind != "{#"]
    units: list[_Unit] = []
    i = 0
    while i < len(found):
        piece = found[i]
        if piece.kind == "{%" and piece.tag in BLOCK_TAGS and piece.closed:
            j, depth = i + 1, 0
            while j < len(found):
                other = found[j]
                if other.kind == "{%" and other.tag == piece.tag:
                    depth += 1
                elif other.kind == "{%" and other.tag == "end" + piece.tag:
                    if depth == 0:
                        break
                    depth -= 1
                j += 1
            if j < len(found):
                units.append(_Unit(piece.start, found[j].end, piece.tag, (piece.end, found[j].start)))
                i = j + 1
                continue
        if piece.tag not in ("else", "elif"):     # within a block that failed: tried with the block
            units.append(_Unit(piece.start, piece.end, piece.tag))
        i += 1
    return units


def _only(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with only ``spans`` kept: every other character dropped but the line breaks."""
    out, pos = [], 0
    for a, b in sorted(spans):
        if a < pos:
            continue
        out.append("\n" * text.count("\n", pos, a))
        out.append(text[a:b])
        pos = b
    out.append("\n" * text.count("\n", pos))
    return "".join(out)


def _distinct(errors: list[ContentError]) -> list[ContentError]:
    """Each mistake once, in the order of the lines (one syntax error per line)."""
    seen: set[tuple] = set()
    kept = []
    for error in errors:
        syntax = error.message.startswith("directive mal écrite")
        key = (error.line, "syntax") if syntax else (error.line, error.message)
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return sorted(kept, key=lambda e: e.line or 0)


class ContentRenderer:
    """Turns chapters into HTML, with the blocks rendered by the layout."""

    def __init__(self, directives: dict[str, Callable[..., Markup]], display_root: Path,
                 context: dict[str, Any]):
        self.directives = directives
        self.context = context
        self.root = display_root
        self.env = _LimitedSandbox(undefined=jinja2.StrictUndefined, autoescape=False,
                                   keep_trailing_newline=True)

    def render(self, chapter: Chapter) -> None:
        """The chapter's HTML; every mistake of every file of the chapter is reported at once.

        When a file's template fails (a syntax error, an unknown table…), each of its
        directives is then tried on its own (:meth:`_each_directive`), so that the other
        mistakes of the file come out with the first, each at its line.
        """
        blocks: list[str] = []
        self._blocks = blocks
        nonce = "".join(secrets.choice(string.ascii_uppercase) for _ in range(10))

        def wrap(func: Callable[..., Markup], inline: bool) -> Callable[..., str]:
            def call(*args: Any, **kwargs: Any) -> str:
                if "caller" in kwargs:   # {% call block(…) %}Markdown{% endcall %}
                    kwargs["body"] = str(kwargs.pop("caller")())
                html = func(*args, **kwargs)
                blocks.append(str(html))
                token = f"RGBLOCK{nonce}{len(blocks) - 1:04d}X"
                return token if inline else f"\n\n{token}\n\n"
            return call

        names = {name: wrap(func, inline=name in INLINE_DIRECTIVES)
                 for name, func in self.directives.items()}
        markdown_parts = []
        notes = _footnote_definitions(chapter.bodies)
        self.env.start()
        self._written = 0
        problems: list[ContentError] = []
        rendering = _RENDERING.set(self)
        try:
            for path, text, offset in chapter.bodies:
                problems += language_problems(path, text, offset)
                check_nesting(text, path, offset)
                text = _inline_footnotes(path, text, offset, notes)
                try:
                    rendered = self._run_template(path, text, offset, names)
                except ContentError as exc:
                    found = [exc]
                    if not self._spent():   # a chapter that ran out of its budget is not run again
                        found += self._each_directive(path, text, offset, names, time.monotonic() + _RETRY_SECONDS)
                    problems += _distinct(found)
                    continue
                check_nesting(rendered, path, offset, blocks=True)   # what the template itself wrote
                markdown_parts.append(rendered)
        finally:
            self._here = None
            _RENDERING.reset(rendering)
        if problems:
            raise gathered(problems)
        html = markdown_to_html("\n\n".join(markdown_parts))
        html = _shift_headings(html)
        html, chapter.sections = _number_sections(html, chapter.id)
        for section in chapter.sections:   # a figure in a heading: the sommaire shows its text
            section.title = re.sub(r"<[^>]+>", "", put_blocks_back(section.title, blocks, nonce)).strip()
        chapter.html = mark_tiles_in_text(close_heading_gaps(put_blocks_back(html, blocks, nonce)))
        from ..paths import check_html   # every file the chapter's HTML loads or links to is in the project
        check_html(chapter, self.root)

    def _spent(self) -> bool:
        """The chapter's budget of loop turns or of written text is used up."""
        return self.env.steps > MAX_STEPS or self._written > MAX_OUTPUT

    def _each_directive(self, path: Path, text: str, offset: int, names: dict, deadline: float,
                        start: int = 0, end: int | None = None,
                        definitions: list[tuple[int, int]] | None = None) -> list[ContentError]:
        """Each directive of ``text[start:end]`` tried on its own, after a failure of the whole file.

        A directive is a ``{{ … }}``, a lone ``{% … %}``, or a block from its ``{% tag %}`` to its
        ``{% endtag %}``; the text it is tried in keeps only it and the ``{% set %}`` and
        ``{% macro %}`` written before it, every other character blanked but the line breaks, so
        that the lines of its errors are those of the file. A block that fails has its own
        directives tried in turn (the figures of a ``{% call focus(…) %}``).
        """
        found: list[ContentError] = []
        definitions = list(definitions or [])
        lines = [(text.count("\n", 0, a) + 1, text.count("\n", 0, b) + 1) for a, b in definitions]
        for unit in _units(text, start, end):
            if time.monotonic() > deadline or self._spent():
                break
            first = text.count("\n", 0, unit.start) + 1
            last = first + text.count("\n", unit.start, unit.end)
            try:
                self._run_template(path, _only(text, [*definitions, (unit.start, unit.end)]), offset, names)
            except ContentError as exc:
                if self._spent():       # trying again ran out of the budget: not a mistake of this line
                    break
                # its own line, or the line of a macro it calls; an error elsewhere is not its own
                if exc.line is not None and any(a <= exc.line - offset <= b for a, b in [(first, last), *lines]):
                    found.append(exc)
                if unit.body and unit.tag in _BODY_TAGS:
                    found += self._each_directive(path, text, offset, names, deadline, *unit.body, definitions)
                continue
            if unit.tag in _DEFINITIONS:
                definitions.append((unit.start, unit.end))
                lines.append((first, last))
        return found

    def _compile(self, text: str):
        """A chapter's directives compiled once per process: the preview rebuilds only what changed."""
        code = _COMPILED.get(text)
        if code is None:
            code = self.env.compile(_Loops().visit(self.env.parse(text)))
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
            french, line = syntax_error(exc, text)     # a block left open: named at the line that opens it
            raise ContentError(f"directive mal écrite : {french}", path, (line or 0) + offset,
                               hint="un bloc s'écrit {% call focus(\"Titre\") %}, son texte, puis {% endcall %}"
                               if "{%" in french else "une directive s'écrit {{ table(\"nom\") }}") from None
        except (RecursionError, MemoryError):
            raise ContentError("directive illisible : parenthèses ou crochets imbriqués trop profondément",
                               path, _deep_brackets(text) + offset,
                               hint="une directive s'écrit {{ table(\"nom\") }}") from None
        self._here = (path, template, offset)   # for :func:`place`
        try:
            return self._write(template, names)
        except _Written as exc:
            raise ContentError(f"le chapitre écrit plus de {_number(MAX_OUTPUT)} caractères", path,
                               exc.line and exc.line + offset,
                               hint="une boucle écrit-elle le même texte des milliers de fois ?") from None
        except jinja2.UndefinedError as exc:
            line = _template_line(exc, shown)
            raise ContentError(f"nom inconnu : {jinja_undefined(exc.message)}", path, line and line + offset,
                               hint=f"directives possibles : {', '.join(sorted(self.directives))}") from None
        except jinja2.exceptions.SecurityError as exc:
            line = _template_line(exc, shown)
            what = re.search(r"attribute '([^']+)'", str(exc))    # Jinja says it in English: only the name is kept
            raise ContentError("opération interdite dans le contenu" + (f" : « {what[1]} »" if what else ""), path,
                               line and line + offset,
                               hint="un chapitre cite ses données par les directives, sans attributs internes"
                               ) from None
        except (KeyError, ValueError, TypeError, ReportError) as exc:
            line = _template_line(exc, shown)
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            hint = None
            if isinstance(exc, ReportError):
                message, hint = exc.message, exc.hint
                if isinstance(exc, LayoutError) and exc.path is not None:   # the template at fault, too
                    message = f"{message} (dans {exc.where()})"
            raise ContentError(str(message), path, line and line + offset, hint=hint) from None
        except (AttributeError, LookupError, ArithmeticError, RecursionError, MemoryError) as exc:
            # the safety net: a directive given a value of the wrong kind, a computation that fails
            line = _template_line(exc, shown)
            message, hint = {
                AttributeError: ("une directive a reçu une valeur d'un type inattendu",
                                 "vérifiez ses arguments : un nom s'écrit entre guillemets, "
                                 "table(\"effectifs\")"),
                RecursionError: ("appels imbriqués trop profondément",
                                 "une macro s'appelle-t-elle elle-même sans fin ?"),
                MemoryError: ("le contenu demande plus de mémoire que la machine n'en a",
                              "une boucle ou une répétition trop grande ?"),
                OverflowError: ("nombre trop grand pour être calculé", "vérifiez le calcul de cette ligne"),
                ZeroDivisionError: ("division par zéro", "vérifiez le calcul de cette ligne"),
            }.get(type(exc), ("calcul impossible", "vérifiez le calcul de cette ligne"))
            raise ContentError(message, path, line and line + offset, hint=hint) from None
        except Exception as exc:  # noqa: BLE001 - the last resort: cycler(), a Jinja helper misused…
            line = _template_line(exc, shown)
            raise ContentError("cette ligne ne peut pas être calculée", path, line and line + offset,
                               hint=f"un chapitre n'emploie que les directives : {', '.join(sorted(self.directives))}"
                               ) from None

    def _write(self, template: jinja2.Template, names: dict) -> str:
        """Render, stopping as soon as the chapter has written more than :data:`MAX_OUTPUT` characters."""
        parts: list[str] = []
        stream = template.generate(**self.context, **names)
        for part in stream:
            self._written += len(part)
            if self._written > MAX_OUTPUT:
                line = _stream_line(stream, template)
                stream.close()
                raise _Written(line)
            parts.append(part)
        return "".join(parts)


def _deep_brackets(text: str, limit: int = 100) -> int:
    """The line where brackets first nest more than ``limit`` deep (the last line if they never do)."""
    depth = 0
    for position, char in enumerate(text):
        if char in "([{":
            depth += 1
            if depth > limit:
                return text.count("\n", 0, position) + 1
        elif char in ")]}":
            depth = max(0, depth - 1)
    return text.count("\n") + 1


class _Written(Exception):
    """The chapter wrote too much; ``line`` is the template's line it was writing."""

    def __init__(self, line: int | None):
        super().__init__(line)
        self.line = line


def _stream_line(stream: Any, template: jinja2.Template) -> int | None:
    """The template line a paused :meth:`Template.generate` stream is at."""
    while getattr(stream, "gi_yieldfrom", None) is not None:
        stream = stream.gi_yieldfrom
    frame = getattr(stream, "gi_frame", None)
    return template.get_corresponding_lineno(frame.f_lineno) if frame else None


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


_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_OPTIONAL_END = frozenset("p li dt dd tr td th thead tbody tfoot option optgroup colgroup caption rt rp".split())
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?(/?)>")
_MARKER = re.compile(r">|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)")
_BLOCK_LINE = re.compile(r"^RGBLOCK[A-Z]{10}\d{4}X$", re.MULTILINE)


def _markdown_depth(line: str) -> int:
    """The levels a Markdown line is nested at: quote markers, list markers, each 4 columns of indentation."""
    line = line.expandtabs(4)
    depth = pos = 0
    while True:
        spaces = len(line) - pos - len(line[pos:].lstrip(" "))
        depth += spaces // 4
        pos += spaces
        marker = _MARKER.match(line, pos)
        if not marker:
            return depth
        depth += 1
        pos = marker.end() + (1 if line[marker.end():marker.end() + 1] == " " else 0)


def nesting_problem(text: str) -> tuple[int, int] | None:
    """(line, depth) where quotes, lists and HTML elements nest deeper than :data:`MAX_NESTING`.

    Measured before Markdown runs: its parser, and WeasyPrint after it, go deeper into Python's
    stack with each level, and a few thousand levels crash them or take minutes.
    """
    open_tags: list[str] = []
    for number, line in enumerate(text.split("\n"), 1):
        peak = len(open_tags)
        if "<" in line:
            for tag in _TAG.finditer(line):
                name = tag[2].lower()
                if tag[1]:                                   # </name>: closes up to its opening
                    if name in open_tags:
                        del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name):]
                elif not tag[3] and name not in _VOID:
                    if name in _OPTIONAL_END and open_tags and open_tags[-1] == name:
                        open_tags.pop()                      # <li><li>: the second closes the first
                    open_tags.append(name)
                    peak = max(peak, len(open_tags))
        depth = peak + _markdown_depth(line)
        if depth > MAX_NESTING:
            return number, depth
    return None


def check_nesting(text: str, path: Path | None = None, offset: int = 0, blocks: bool = False) -> None:
    """Refuse text nested deeper than :data:`MAX_NESTING`, naming the line where it goes too deep.

    With ``blocks``, the text is a template's output, where each block directive stands on a
    line of its own between blank lines: its line is brought back to the source's.
    """
    found = nesting_problem(text)
    if found:
        line, depth = found
        if blocks:
            before = "\n".join(text.split("\n")[:line - 1])
            line -= 4 * len(_BLOCK_LINE.findall(before))
        raise ContentError(f"{_number(depth)} niveaux d'imbrication (citations « > », listes ou balises HTML) : "
                           f"{MAX_NESTING} au plus", path, line + offset if path else line,
                           hint="un texte imprimé n'emboîte pas autant de niveaux : aplatissez ce passage")


def markdown_to_html(text: str) -> str:
    """Markdown to typeset HTML; block tokens are left for :func:`put_blocks_back`.

    Besides Python-Markdown's extensions, ``[texte]{lang=en}`` marks a phrase in another
    language (:mod:`reportgen.edition.languages`).
    """
    check_nesting(text)   # a call block's body is Markdown too
    return french.typeset_html(markdown.markdown(
        text, extensions=[*MARKDOWN_EXTENSIONS, languages.markdown_extension()], output_format="html"))


def language_problems(path: Path, text: str, offset: int = 0) -> list[ContentError]:
    """Each language code of a chapter file (``[…]{lang=xx}``, ``{: lang=xx}``, ``<span lang="xx">``)
    that is not a BCP 47 tag, at its line; what is in a comment is not read."""
    text = _COMMENTS.sub(lambda m: "\n" * m[0].count("\n"), text)
    return [ContentError(message, path, line + offset, hint=hint)
            for line, message, hint in languages.problems(text)]


def put_blocks_back(html: str, blocks: list[str], nonce: str) -> str:
    """Replace block tokens by the blocks' HTML; blocks may hold tokens of their own.

    Only this chapter's tokens (its ``nonce``) of blocks it made are replaced: any other text
    that looks like one is left as written.
    """
    def put_back(match: re.Match) -> str:
        number = int(match[2])
        return blocks[number] if match[1] == nonce and number < len(blocks) else match[0]

    def paragraph(match: re.Match) -> str:   # a block alone in its paragraph replaces it
        token = _TOKEN.fullmatch(match[1])
        replaced = put_back(token)
        return match[0] if replaced == token[0] else replaced

    for _ in range(8):   # nesting depth of blocks within blocks
        html = re.sub(r"<p>\s*(RGBLOCK[A-Z]{10}\d{4}X)\s*</p>", paragraph, html)
        html, count = _TOKEN.subn(put_back, html)
        if not count:
            break
    return html


_TEXT_END = re.compile(r"</(?:p|ul|ol)>\s*$")
_TEXT_START = re.compile(r"\s*<(?:p|ul|ol)[\s>]")
_DIV_TAG = re.compile(r"<(/?)div\b")
_LONE_TILE = re.compile(r'<div class="kpis kpis--1(?=[\s"])(?![^"]*kpis--parent)')


def mark_tiles_in_text(html: str) -> str:
    """A group of one tile written between two blocks of running text gets the class
    ``kpis--in-text``: a layout may set it beside the text (the national one, in its side
    column). Marked here, once, rather than found by a ``:has()`` selector, which costs
    WeasyPrint a second of style matching per report."""
    out, done = [], 0
    for match in _LONE_TILE.finditer(html):
        start = match.start()
        if start < done or not _TEXT_END.search(html[max(0, start - 400):start]):
            continue
        depth, end = 0, None
        for tag in _DIV_TAG.finditer(html, start):
            depth += -1 if tag[1] else 1
            if depth == 0:
                end = html.find(">", tag.start()) + 1
                break
        if end is None or not _TEXT_START.match(html, end):
            continue
        out.append(html[done:match.start()] + '<div class="kpis kpis--in-text kpis--1')
        done = match.end()
    return "".join(out) + html[done:]


def _template_line(exc: BaseException, filename: str) -> int | None:
    """The line of the Markdown source where a template raised, from Jinja's rewritten traceback."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return line


HEADING = re.compile(r'<h([1-6])([^>]*)>(.*?)</h\1>|<(\w+)([^>]*\brole="heading"[^>]*)>', re.S)


def close_heading_gaps(html: str, level: int = 2) -> str:
    """No heading level skipped (the chapter title is an h2): a screen reader navigates by levels.

    A heading takes the level of the nearest heading before it written higher, plus one, so that
    siblings written at a level too deep (« #### » under a « ## ») stay siblings; it keeps its look
    through a class named after the level it was written with (« h5 » styled as before). A block's
    title marked ``role="heading"`` (interview, focus, tile group) gets its ``aria-level`` the same way.
    """
    open_levels: list[tuple[int, int]] = [(level, level)]      # (written, given), outermost first

    def given(written: int) -> int:
        while open_levels and open_levels[-1][0] >= written:
            open_levels.pop()
        result = open_levels[-1][1] + 1 if open_levels else written
        open_levels.append((written, result))
        return result

    def one(match: re.Match) -> str:
        if match[1] is None:                      # <p … role="heading" aria-level="n">
            attrs = match[5]
            written = re.search(r'\baria-level="(\d)"', attrs)
            if written is None:
                return match[0]
            new = given(int(written[1]))
            return f"<{match[4]}{attrs[:written.start(1)]}{new}{attrs[written.end(1):]}>"
        written = int(match[1])
        new = given(written)
        if new == written:
            return match[0]
        attrs = match[2]
        if 'class="' in attrs:
            attrs = attrs.replace('class="', f'class="h{written} ', 1)
        else:
            attrs += f' class="h{written}"'
        return f"<h{new}{attrs}>{match[3]}</h{new}>"

    return HEADING.sub(one, html)


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


def _words(text: str) -> list[str]:
    """Lower-case words of a printed or written line, its typography and Markdown marks aside."""
    return re.findall(r"[^\W_]+", text.replace("’", "'").lower())


#: the element ids the blocks' templates give (``anchor("kpis-" ~ group.id)``) → the directive that writes them
DIRECTIVE_IDS = {"kpis": "kpis", "ranking": "ranking", "chart": "charts?", "table": "tables?", "roster": "roster"}


def locator(chapters: list[Chapter]):
    """The preflight's way back from a printed block to the Markdown line that writes it:
    ``locate(chapter id, opening words, element id)`` → (file, line), or None. A block that a
    directive prints (``kpis-circonscription``) is found by its directive, text by its words."""
    by_id = {chapter.id: chapter for chapter in chapters}

    def locate(chapter_id: str, words: str, ident: str = ""):
        chapter = by_id.get(chapter_id)
        if chapter is None:
            return None
        lines = [(path, number + offset, line) for path, text, offset in chapter.bodies
                 for number, line in enumerate(text.splitlines(), 1)]
        kind, _, name = ident.partition("-")
        if kind in DIRECTIVE_IDS and name:
            written = re.compile(rf"\b{DIRECTIVE_IDS[kind]}\s*\([^)]*[\"']{re.escape(name)}[\"']")
            for path, number, line in lines:
                if written.search(line):
                    return path, number
        printed = _words(words)
        if not printed:
            return None
        # the line that starts with the printed words, or that holds them after a printed label
        # (« FOCUS », a date) or inside a directive (``{% call focus("Titre") %}``)
        said = [(path, number, _words(line)) for path, number, line in lines]
        for wanted, anywhere in ((printed[:5], False), (printed[:5], True), (printed[1:6], True)):
            for path, number, have in said:
                starts = range(len(have) - len(wanted) + 1) if anywhere else range(1)
                if len(wanted) >= 2 and any(have[i:i + len(wanted)] == wanted for i in starts):
                    return path, number
        return None

    return locate
