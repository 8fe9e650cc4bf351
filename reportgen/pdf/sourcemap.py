"""The source map of a laid-out PDF: every printed block, where it is printed and where it is written.

A reviewer comments a PDF; the communication officer edits Markdown and spreadsheets. Between
the two, the map gives, for each block of each page (paragraph, heading, list item, table
cell, tile, chart, footnote, glossary entry), its rectangle on the page (PDF points, origin at
the bottom left, as annotations give theirs), its text, and its source: a Markdown file and
line, or a data file with its line (a table cell: its CSV line and column).

The map is made from WeasyPrint's boxes right after the layout, so no text is ever extracted
from the PDF, and written beside the PDF (``…-epreuve.json``, ``….json``) and, under its
fingerprint, in ``build/<edition>/sources/`` where the maps of earlier proofs stay: a proof
sent months ago still finds its map. The fingerprint is a hash of what the pages draw (their
size and content streams), which a reader that adds annotations leaves alone, whether it
saves by an incremental update or rewrites the file.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..edition.content import _words, locator

FORMAT = 1
PT = 0.75                  # one CSS px in PDF points: WeasyPrint's scale
ARCHIVE = "sources"        # build/<edition>/sources/<fingerprint>.json: the maps of every PDF built

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCK_TAGS = HEADINGS | {"p", "li", "dt", "dd", "td", "th", "figcaption", "caption", "blockquote"}
#: elements whose children are not blocks of their own: one tile, one chart
ATOMIC = {"kpi", "chart"}
#: printed only on a proof, or not text at all
SKIPPED = {"proof-mark", "proof-source", "running", "visually-hidden"}
YAML_KEY = re.compile(r"(?:(?<=^)|(?<=[{,\s-]))[A-Za-z_][\w-]*:(?=\s)")   # « term: », « - label: »
REGIONS = {"cover": "couverture", "sommaire": "sommaire", "divider": "intercalaire", "chapter": "chapitre",
           "proof-open": "points ouverts", "back-cover": "quatrième de couverture", "credits": "crédits"}
# « notes »: the footnotes at the foot of a page


@dataclass
class Source:
    """Where a block is written: ``file`` relative to the project, its ``line``; for a table cell the
    table's ``row`` key and ``column`` as the CSV names them; ``key`` identifies a data block
    across builds (``table:effectifs/cdi/2019``, ``kpi:circonscription/communes``)."""

    file: str
    line: int | None = None
    row: str | None = None
    column: str | None = None
    key: str | None = None
    what: str | None = None     # « titre du chapitre », « chiffre clé « communes » »…

    def display(self) -> str:
        """« content/demo/2020/01-contexte.md:13 », « data/…/effectifs.csv:3, colonne « 2019 » »."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.column:
            where += f", colonne « {self.column} »"
        if self.what:
            where += f" ({self.what})"
        return where


@dataclass
class Block:
    page: int                      # 1-based
    rect: list[float]              # [x0, y0, x1, y1] in PDF points, origin bottom left
    kind: str                      # heading, paragraph, item, cell, tile, chart, note, term, caption
    region: str                    # chapitre, couverture, sommaire, intercalaire…
    text: str                      # the element's text, as written in the HTML (no hyphenation)
    element: int                   # the same number on every page a block is printed on
    source: Source | None = None
    lines: list[list] = field(default_factory=list)   # [x0, y0, x1, y1, text] of each printed run

    @property
    def area(self) -> float:
        return max(self.rect[2] - self.rect[0], 0.1) * max(self.rect[3] - self.rect[1], 0.1)

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        x0, y0, x1, y1 = self.rect
        return x0 - margin <= x <= x1 + margin and y0 - margin <= y <= y1 + margin


@dataclass
class SourceMap:
    edition: str
    pdf: str                       # the PDF's file name when it was built
    kind: str                      # « épreuve », « PDF final »
    fingerprint: str
    built: str                     # « 2026-03-12 10:20 »
    pages: list[list[float]]       # [width, height] of each page, in points
    blocks: list[Block]
    path: Path | None = None       # where it was read from

    def on_page(self, page: int) -> list[Block]:
        return [b for b in self.blocks if b.page == page]

    def to_json(self) -> str:
        data = {"reportgen": FORMAT, "edition": self.edition, "pdf": self.pdf, "kind": self.kind,
                "fingerprint": self.fingerprint, "built": self.built, "pages": self.pages,
                "blocks": [_block_json(b) for b in self.blocks]}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def read(cls, path: Path) -> "SourceMap | None":
        """The map written in ``path``; None when the file is not one (or not of this format)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("reportgen") != FORMAT:
                return None
            blocks = [Block(**{**b, "source": Source(**b["source"]) if b.get("source") else None})
                      for b in data["blocks"]]
            return cls(data["edition"], data["pdf"], data["kind"], data["fingerprint"], data["built"],
                       data["pages"], blocks, path)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None


def _block_json(block: Block) -> dict:
    data = asdict(block)
    if block.source is None:
        data["source"] = None
    else:
        data["source"] = {k: v for k, v in asdict(block.source).items() if v is not None}
    return data


# --- the fingerprint ----------------------------------------------------------------------------
def fingerprint(pdf) -> str:
    """A hash of what the pages of ``pdf`` (a :class:`pikepdf.Pdf`) draw: their size and content.

    Annotations are not part of it: the same proof, annotated in a reader and saved in any
    way that keeps its pages (incremental update, object streams, a full rewrite), has the
    same fingerprint.
    """
    import pikepdf

    digest = hashlib.sha256(f"{len(pdf.pages)}".encode())
    for page in pdf.pages:
        box = [round(float(v), 1) for v in page.mediabox]
        digest.update(repr(box).encode())
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
        for stream in streams:
            digest.update(stream.read_bytes())
    return digest.hexdigest()[:32]


def fingerprint_of(path: Path) -> str:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return fingerprint(pdf)


# --- making the map -----------------------------------------------------------------------------
def make(document, edition, paths, root: Path, *, kind: str, pdf_name: str, fingerprint_: str) -> SourceMap:
    """The map of a laid-out WeasyPrint ``document`` of ``edition`` (the builder's
    :class:`~reportgen.builder.Edition`), whose files are ``paths``; file names relative to ``root``."""
    walker = _Walker()
    for number, page in enumerate(document.pages, 1):
        walker.page(number, page)
    sources = _Sources(edition, paths, root)
    for block, context in zip(walker.blocks, walker.contexts):
        block.source = sources.of(block, context)
    pages = [[round(p.width * PT, 2), round(p.height * PT, 2)] for p in document.pages]
    return SourceMap(paths.name, pdf_name, kind, fingerprint_, time.strftime("%Y-%m-%d %H:%M"), pages,
                     walker.blocks)


def stage(document, edition, paths, staging, pdf: Path, *, proof: bool) -> None:
    """Builder hook: the map of the PDF just written in ``staging`` for ``pdf``, beside it and in the
    archive of maps, both swapped in with the build's other outputs."""
    staged = staging.path(pdf)
    found = make(document, edition, paths, paths.project.root, kind="épreuve" if proof else "PDF final",
                 pdf_name=pdf.name, fingerprint_=fingerprint_of(staged))
    text = found.to_json()
    staging.path(pdf.with_suffix(".json")).write_text(text, encoding="utf-8")
    # the archive is swapped in whole, like any output: the maps of earlier PDFs linked into it
    archive = paths.out / ARCHIVE
    staged = staging.path(archive)
    staged.mkdir(exist_ok=True)
    for earlier in sorted(archive.glob("*.json")) if archive.is_dir() else []:
        try:
            os.link(earlier, staged / earlier.name)
        except OSError:
            shutil.copy2(earlier, staged / earlier.name)
    (staged / f"{found.fingerprint}.json").write_text(text, encoding="utf-8")


class _Walker:
    """Walks the boxes of each page and gathers the blocks and what surrounds them."""

    def __init__(self):
        self.blocks: list[Block] = []
        self.contexts: list[dict] = []
        self._numbers: dict[int, int] = {}          # id(element) → element number
        self._elements: list[Any] = []              # kept alive, so that ids stay unique

    def page(self, number: int, page) -> None:
        self.number = number
        self.height = page.height
        self.here: dict[int, int] = {}              # element number → index of its block on this page
        for child in page._page_box.children:
            if getattr(child, "element_tag", None) == "html":
                self._walk(child, {"region": "", "chapter": ""}, None, None, None)
            elif type(child).__name__ == "FootnoteAreaBox":   # the notes at the foot of the page
                self._walk(child, {"region": "notes", "chapter": ""}, None, None, None)

    def _element_number(self, element) -> int:
        key = id(element)
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers)
            self._elements.append(element)
        return self._numbers[key]

    def _rect(self, box) -> list[float]:
        x, y = box.border_box_x(), box.border_box_y()
        w, h = box.border_width(), box.border_height()
        return [round(x * PT, 2), round((self.height - y - h) * PT, 2),
                round((x + w) * PT, 2), round((self.height - y) * PT, 2)]

    def _block(self, box, element, classes: set[str], context: dict, atomic: bool) -> int:
        """The index of ``element``'s block on this page, made on first sight."""
        number = self._element_number(element)
        if number in self.here:
            index = self.here[number]
            self.blocks[index].rect = _union(self.blocks[index].rect, self._rect(box))
        else:
            self.here[number] = len(self.blocks)
            self.blocks.append(Block(self.number, self._rect(box), _kind(element, classes), context["region"],
                                     _text(element, atomic=atomic), number))
            self.contexts.append(context)
        return self.here[number]

    def _walk(self, box, context: dict, element, block: int | None, holder) -> None:
        own = getattr(box, "element", None)
        name = type(box).__name__
        inline = name.startswith("Inline") or name in ("LineBox", "TextBox")
        if own is not None and own is not element and not _pseudo(box):
            classes = set((own.get("class") or "").split())
            if own.get("aria-hidden") == "true" or classes & SKIPPED:
                return
            context = _enter(context, own, classes)
            if _is_block(own, classes, context) and not inline:
                block = self._block(box, own, classes, context, atomic=bool(classes & ATOMIC))
                if classes & ATOMIC:
                    context = {**context, "atomic": True}
            elif not inline and not context.get("atomic"):
                holder = (box, own, classes, context)    # a block of text that is not a paragraph
            element = own
        if name == "TextBox" and block is None and holder is not None and box.text.strip():
            # text straight in a <div> (a glossary entry, a signature): the div is the block
            held_box, held, classes, held_context = holder
            block = self._block(held_box, held, classes, held_context, atomic=True)
        if name == "TextBox" and block is not None and box.text.strip():
            x, y = box.position_x, box.position_y
            self.blocks[block].lines.append([round(x * PT, 2), round((self.height - y - box.height) * PT, 2),
                                             round((x + box.width) * PT, 2), round((self.height - y) * PT, 2),
                                             box.text])
        for child in getattr(box, "children", None) or ():
            self._walk(child, context, element, block, holder)


def _pseudo(box) -> bool:
    return "::" in (getattr(box, "element_tag", "") or "")


def _union(a: list[float], b: list[float]) -> list[float]:
    return [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]


def _enter(context: dict, element, classes: set[str]) -> dict:
    """What an element says of the blocks inside it: the region of the report, the chapter, the
    table, row, tile group or chart they belong to."""
    tag = element.tag
    for css, region in REGIONS.items():
        if css in classes and tag in ("section", "nav", "div", "aside"):
            context = {**context, "region": region, "chapter": (element.get("id") or "") if css == "chapter" else ""}
            break
    if tag == "figure" and element.get("data-table"):
        context = {**context, "table": element.get("data-table")}
    elif tag in ("thead", "tbody"):
        context = {**context, "section": tag}
    elif tag == "tr":
        cells = [c for c in element if c.tag in ("td", "th")]
        context = {**context, "row": element.get("data-row"), "row_classes": classes, "cells": cells,
                   "title_row": "table-title-row" in classes}
    elif "kpis" in classes:
        context = {**context, "kpis": element}
    elif tag == "li" and "kpi" in classes:
        context = {**context, "tile": element}
    elif tag == "figure" and "chart" in classes:
        context = {**context, "chart": element}
    elif tag == "figure" and "table-block" not in classes:
        context = {**context, "figure": element}
    if tag in ("td", "th") and "cells" in context:
        context = {**context, "cell": next((i for i, c in enumerate(context["cells"]) if c is element), None)}
    if element.get("id") and tag in ("figure", "div", "section") and "region" in context:
        context = {**context, "ident": element.get("id")}
    return context


def _is_block(element, classes: set[str], context: dict) -> bool:
    if context.get("atomic"):
        return False
    if element.tag == "li" and "kpi" in classes or element.tag == "figure" and "chart" in classes:
        return True
    return element.tag in BLOCK_TAGS or "footnote" in classes


def _kind(element, classes: set[str]) -> str:
    tag = element.tag
    if "kpi" in classes:
        return "tile"
    if "chart" in classes:
        return "chart"
    if "footnote" in classes:
        return "note"
    if tag in HEADINGS or element.get("role") == "heading":
        return "heading"
    return {"td": "cell", "th": "cell", "li": "item", "dt": "term", "dd": "term", "figcaption": "caption",
            "caption": "caption"}.get(tag, "paragraph")


def _text(element, atomic: bool = False) -> str:
    """The element's own text, spaces collapsed: its inner blocks (a nested list, a footnote, the
    paragraphs of a list item) are blocks of their own, unless ``atomic`` (a tile, a chart, whose
    image gives its description)."""
    parts: list[str] = []

    def add(node, top: bool) -> None:
        classes = set((node.get("class") or "").split())
        if not top and (node.get("aria-hidden") == "true" or classes & SKIPPED):
            parts.append(node.tail or "")
            return
        boxed = node.tag in BLOCK_TAGS | {"ul", "ol", "dl", "div", "table", "figure"} or "footnote" in classes
        if not top and boxed:
            parts.append(" ")
            if not atomic:
                parts.append(node.tail or "")
                return
        if node.tag == "img" and node.get("alt"):
            parts.append(" " + node.get("alt"))
        if node.tag == "br":
            parts.append(" ")
        parts.append(node.text or "")
        for child in node:
            add(child, False)
        if not top:
            parts.append(node.tail or "")

    add(element, True)
    return " ".join("".join(parts).split())


# --- the sources --------------------------------------------------------------------------------
class _Sources:
    """Finds where each block is written."""

    def __init__(self, edition, paths, root: Path):
        self.edition, self.paths, self.root = edition, paths, root
        self.store = edition.store
        self.chapters = {c.id: c for c in edition.chapters}
        self.locate = locator(edition.chapters)
        self._texts: dict[Path, list[str]] = {}

    def rel(self, path: Path) -> str:
        try:
            return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def lines(self, path: Path) -> list[str]:
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._texts[path] = []
        return self._texts[path]

    def find_line(self, path: Path, pattern: str, after: int = 0) -> int | None:
        wanted = re.compile(pattern)
        for number, line in enumerate(self.lines(path), 1):
            if number > after and wanted.search(line):
                return number
        return None

    def of(self, block: Block, context: dict) -> Source | None:
        if block.region in ("couverture", "sommaire", "points ouverts", ""):
            return None
        if "table" in context:
            return self.table(block, context)
        if "kpis" in context:
            return self.tile(block, context)
        if "chart" in context:
            return self.chart(block, context)
        if block.region == "notes":     # a footnote is written under its chapter: « [^1]: … »
            words = _words(block.text)[:6]
            for chapter in self.chapters.values():
                for path, text, offset in chapter.bodies:
                    for number, line in enumerate(text.splitlines(), 1):
                        note = re.match(r"\s*\[\^[^\]]+\]:\s*(.*)", line)
                        if note and words and _words(note[1])[:len(words)] == words:
                            return Source(self.rel(path), number + offset, what="note de bas de page")
            return None
        chapter = self.chapters.get(context.get("chapter", ""))
        if chapter is not None:
            found = self.chapter_head(block, chapter) or self.text(block, chapter, context)
            if found:
                return found
        return self.data_text(block) or self.manifest_text(block)

    # a chapter's own text
    def chapter_head(self, block: Block, chapter) -> Source | None:
        """The chapter's title and kicker come from its front matter."""
        if not block.text:
            return None
        first = chapter.files[0]
        for key in ("title", "kicker", "short", "toc"):
            value = str(chapter.meta.get(key) or "")
            printed = _words(block.text)
            if value and _words(value) and printed[-len(_words(value)):] == _words(value) and (
                    block.kind == "heading" or printed == _words(value)):     # « Annexe 1 Dépenses… »
                line = self.find_line(first, rf"^{key}\s*:")
                return Source(self.rel(first), line, what="titre du chapitre" if key == "title" else None)
        return None

    def text(self, block: Block, chapter, context: dict) -> Source | None:
        words = _words(block.text)
        if len(words) == 1:            # a heading of one word: the line that writes only it
            for path, text, offset in chapter.bodies:
                for number, line in enumerate(text.splitlines(), 1):
                    if _words(line) == words:
                        return Source(self.rel(path), number + offset)
        found = self.locate(chapter.id, " ".join(words[:8]), context.get("ident", "")) if words else None
        if found is None:
            found = self._closest_line(chapter, words)
        if found is None and context.get("ident"):
            found = self.locate(chapter.id, "", context["ident"])
        return Source(self.rel(found[0]), found[1]) if found else None

    @staticmethod
    def _closest_line(chapter, words: list[str]) -> tuple[Path, int] | None:
        """The source line sharing the most words with the block (its directives aside):
        a sentence that prints a figure or a link reads differently from how it is written."""
        if len(words) < 2:
            return None
        printed = set(words)
        best, found = 0.0, None
        for path, text, offset in chapter.bodies:
            for number, line in enumerate(text.splitlines(), 1):
                plain = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\]\([^)]*\)", " ", line)
                have = _words(plain)
                if not have:
                    continue
                common = len(printed & set(have))
                score = common / max(len(set(have)), 1) + common / len(printed)
                if common >= 2 and score > best:
                    best, found = score, (path, number + offset)
        return found

    def data_text(self, block: Block) -> Source | None:
        """A block that a data file writes (a glossary entry, a list, a contact): the line of that
        file that holds its opening words."""
        words = _words(block.text)[:4]
        if len(words) < 2:
            return None
        for path in sorted(self.paths.data.rglob("*.yml")):
            for number, line in enumerate(self.lines(path), 1):
                have = _words(YAML_KEY.sub(" ", line))
                if have and any(have[i:i + len(words)] == words for i in range(len(have) - len(words) + 1)):
                    return Source(self.rel(path), number)
        return None

    def manifest_text(self, block: Block) -> Source | None:
        """A divider's title, a signature: the line of ``edition.yml`` that writes it."""
        words = _words(block.text)
        if not words:
            return None
        for number, line in enumerate(self.lines(self.paths.manifest), 1):
            have = _words(line.split(":", 1)[-1] if ":" in line else line)
            if have and (have == words or len(words) >= 2 and any(
                    have[i:i + len(words)] == words for i in range(len(have) - len(words) + 1))):
                return Source(self.rel(self.paths.manifest), number)
        return None

    # data blocks
    def table(self, block: Block, context: dict) -> Source | None:
        use = context["table"]
        name = use.split(":")[0]
        table = self.store.tables.get(name)
        if table is None:
            return None
        spec = table.spec_path
        if block.kind == "cell" and context.get("section") == "tbody" and context.get("row") is not None:
            index = int(context["row"])
            if index >= len(table.rows):
                return None
            row = table.rows[index]
            printed = [i for i, c in enumerate(row.cells) if not c.merged]
            k = context.get("cell") or 0
            column = table.columns[printed[k]] if k < len(printed) and printed[k] < len(table.columns) else None
            label = column.label or column.key if column else None
            return Source(self.rel(table.path), row.line, row=row.key, column=column.key if column else None,
                          key=f"table:{name}/{row.key}/{column.key if column else k}",
                          what=None if label == (column.key if column else None) else None)
        if block.kind == "cell" and context.get("title_row"):
            return Source(self.rel(spec), self.find_line(spec, r"^title\s*:"), key=f"table:{name}/titre",
                          what="titre du tableau")
        if block.kind == "cell":
            return Source(self.rel(table.path), 1, key=f"table:{name}/en-tête/{block.text[:40]}",
                          what="en-tête du tableau")
        for key in ("notes", "source"):
            line = self.find_line(spec, rf"^{key}\s*:")
            if line and _words(block.text)[:3] and " ".join(_words(block.text)[:3]) in " ".join(
                    _words(" ".join(self.lines(spec)[line - 1:line + 5]))):
                return Source(self.rel(spec), line, key=f"table:{name}/{key}/{block.text[:40]}")
        return Source(self.rel(spec), None, key=f"table:{name}/{block.text[:40]}")

    def tile(self, block: Block, context: dict) -> Source | None:
        group = self._group(context["kpis"])
        if group is None:
            return None
        start = self.find_line(group.path, rf"^{re.escape(group.id)}\s*:") or 0
        tile_element = context.get("tile")
        if tile_element is None:      # the group's title
            return Source(self.rel(group.path), self.find_line(group.path, r"^\s*title\s*:", start) or start or None,
                          key=f"kpi:{group.id}/titre", what=f"groupe de chiffres clés « {group.id} »")
        tiles = [li for li in context["kpis"].iter("li") if "kpi" in (li.get("class") or "").split()]
        k = next((i for i, li in enumerate(tiles) if li is tile_element), 0)
        tile = group.tiles[k] if k < len(group.tiles) else None
        if tile is None:
            return Source(self.rel(group.path), start or None)
        line = self.find_line(group.path, rf"\bkey\s*:\s*[\"']?{re.escape(tile.key)}\b", start)
        return Source(self.rel(group.path), line, key=f"kpi:{group.id}/{tile.key}",
                      what=f"chiffre clé « {tile.key} »")

    def _group(self, element):
        ident = element.get("id") or ""
        groups = getattr(self.store, "kpis", {}) or {}
        if ident.startswith("kpis-") and ident[5:] in groups:
            return groups[ident[5:]]
        labels = [" ".join(_words(_text(p))) for p in element.iter("p")
                  if "kpi-label" in (p.get("class") or "").split()]
        for group in groups.values():
            if [" ".join(_words(t.label)) for t in group.tiles if t.label] == labels:
                return group
        return None

    def chart(self, block: Block, context: dict) -> Source | None:
        element = context["chart"]
        ident = (element.get("id") or "")[len("chart-"):]
        charts = self.store.charts
        spec = charts.get(ident)
        if spec is None:
            caption = next((_text(c) for c in element if c.tag == "figcaption"), "")
            spec = next((c for c in charts.values() if _words(str(c.raw.get("title", ""))) == _words(caption)), None)
        if spec is None:
            return None
        return Source(self.rel(spec.path), spec.line, key=f"chart:{spec.id}", what=f"graphique « {spec.id} »")


def by_fingerprint(candidates: Iterable[Path], wanted: str) -> "SourceMap | None":
    """The first map of ``candidates`` made for the PDF of fingerprint ``wanted``."""
    for path in candidates:
        if path.is_file():
            found = SourceMap.read(path)
            if found is not None and found.fingerprint == wanted:
                return found
    return None


def candidates(paths, pdf: Path | None = None) -> list[Path]:
    """Where a map may be: beside the PDF itself, beside the edition's proof and final PDF, then the
    archive of every map built for the edition."""
    found = [pdf.with_suffix(".json")] if pdf is not None else []
    found += [paths.proof_pdf.with_suffix(".json"), paths.pdf.with_suffix(".json")]
    archive = paths.out / ARCHIVE
    if archive.is_dir():
        found += sorted(archive.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    return found


def current(paths) -> "SourceMap | None":
    """The map of the edition's newest proof or final PDF (the newer of the two that has one)."""
    found = []
    for pdf in (paths.proof_pdf, paths.pdf):
        mapped = pdf.with_suffix(".json")
        if pdf.is_file() and mapped.is_file():
            read = SourceMap.read(mapped)
            if read is not None:
                found.append((pdf.stat().st_mtime, read))
    return max(found, key=lambda f: f[0])[1] if found else None
