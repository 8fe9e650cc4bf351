"""Parallel layout: the document laid out in pieces, several at once, then put together.

WeasyPrint lays a document out on one core. The top-level sections of ``<body>`` (cover,
sommaire, chapters, dividers) are cut apart: for the final PDF, only those that start a page
(:func:`group_by_page`: a chapter that flows on below the one before it stays with it); for
the draft, every one, so that an edit lays out one chapter again (a chapter that would flow on
starts a page of its own there). A long unit is cut again where the last build saw a page start
cleanly, each cut checked by a sentinel (:mod:`reportgen.pdf.flowing`), so that an edit lays out
a few pages of a long flowing part, not all of it. Each piece becomes a small document of its
own, laid out in a forked worker process, or taken from the cache when nothing it prints has
changed since the last build. The pieces are then put together with
pikepdf, so that the result is the single-pass PDF:

- page numbers: the margin boxes printing ``counter(page)`` are left out of the pieces and
  laid out once over the whole run of pages (a document of empty pages bearing the same page
  names), then laid over each page. A piece does not depend on where it falls, so a change of
  length in one chapter does not lay the following ones out again;
- cross references (``target-counter(attr(href), page)``, the sommaire and the part dividers)
  print the page numbers found; a piece printing them is laid out again when one has moved;
- footnotes are numbered through the document (``counter-reset`` at each piece's start);
- bookmarks, named destinations and links between pieces are rebuilt over the whole PDF.

The draft's pieces are plain PDF. The final PDF's pieces are tagged (PDF/UA, by
:mod:`reportgen.pdf.tagging`) and merged into one tagged document: one structure tree (each
piece's elements in order, parent trees renumbered, ID trees joined), each heading at its
level in the whole outline, each link described with the page it leads to in the whole
report, the folios painted as artifacts, and each font embedded once (:func:`merge_fonts`).

The stylesheets are parsed once, before the workers are forked, and shared by every piece.
"""
from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import flowing, preflight
from ..errors import LayoutError, ReportWarning
from ..files import replacing
from .writing import boxes, write_pdf_atomically

TARGET_COUNTER = re.compile(r"target-counter\(\s*attr\(\s*href\s*\)\s*,\s*page\s*(?:,\s*([\w-]+)\s*)?\)")
FOLIO = re.compile(r"\bcounter\(\s*pages?\b")
PX_TO_PT = 0.75
CACHE_VERSION = "4"   # changed when a cached piece's JSON changes shape (cuts of flowing parts)


# --- cutting the document ---------------------------------------------------------------------
@dataclass
class Split:
    head: str                          # <head> without its stylesheets
    body_open: str                     # the <body …> tag
    sheets: list[tuple[str, str]]      # (css text, base url) in document order
    units: list[str]                   # the top-level sections of <body>


def split(html: str, base: Path) -> Split:
    head, _, rest = html.partition("<body")
    attrs, _, body = rest.partition(">")
    body = body.rsplit("</body>", 1)[0]
    sheets: list[tuple[str, str]] = []

    def take(match: re.Match) -> str:
        if match[1] is not None:      # <link rel="stylesheet" href="…">
            path = (base / match[1]).resolve()
            try:
                sheets.append((path.read_text(encoding="utf-8"), path.as_uri()))
            except OSError:
                raise LayoutError("feuille de style introuvable", path) from None
        else:
            sheets.append((match[2], base.resolve().as_uri() + "/"))
        return ""

    head = re.sub(r'<link rel="stylesheet" href="([^"]+)">|<style>(.*?)</style>', take, head, flags=re.S)
    cuts = [node.start for node in flowing.tree(body).roots] + [len(body)]
    units = [body[a:b] for a, b in zip(cuts, cuts[1:])]
    return Split(head, "<body" + attrs + ">", sheets, units)


_OPENING = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*>")
SPLITS = {"page", "always"}     # a forced break that starts a page whatever the page's parity


def group_by_page(doc: Split, css: list, fonts) -> list[str]:
    """The top-level sections joined into units that each start a page in the whole document.

    A section starts a page when the stylesheets force a break before it (``break-before:
    page``), after the one before it, or when both name different pages. This is read from the
    cascade alone, on a skeleton of the document (each section's opening tag, empty), so that a
    chapter that flows on after the one before it (« chapter_break: flow ») is laid out with it.
    A break to a left or right page, which may add a blank page, never splits. When in doubt the
    sections stay together: a unit too long costs time, a unit cut wrongly would change the pages.
    """
    from weasyprint import HTML

    tags = []
    for unit in doc.units:
        match = _OPENING.match(unit)
        tags.append(match[0] + (f"</{match[1]}>" if match[1].lower() not in flowing.VOID else "") if match else "")
    skeleton = doc.head + doc.body_open + "".join(
        tag.replace(">", f' data-rg-unit="{i}">', 1) if tag else "" for i, tag in enumerate(tags)) + "</body></html>"
    document = HTML(string=skeleton, base_url=_SHARED["base"], url_fetcher=_SHARED["fetcher"]).render(
        stylesheets=css, font_config=fonts)
    style: dict[int, object] = {}
    for page in document.pages:
        for box in boxes(page._page_box):
            element = getattr(box, "element", None)
            if element is not None and element.get("data-rg-unit") is not None:
                style.setdefault(int(element.get("data-rg-unit")), box.style)
    groups: list[str] = []
    before = None
    for i, unit in enumerate(doc.units):
        own = style.get(i)
        starts = not groups or own is not None and before is not None and (
            own["break_before"] in SPLITS or before["break_after"] in SPLITS
            or own["page"] != before["page"] and "auto" not in (own["page"], before["page"]))
        if starts:
            groups.append(unit)
        else:
            groups[-1] += unit
        if own is not None:
            before = own
    return groups


# --- the stylesheets, for the pieces and for the folios ----------------------------------------
def piece_css(text: str) -> str:
    """Pieces: no folio in the margins; a cross reference prints its page from an attribute."""
    text = TARGET_COUNTER.sub(lambda m: f"attr(data-rg-page-{m[1] or 'decimal'})", text)
    return _margin_boxes(text, keep_folios=False)


def folio_css(text: str) -> str:
    """The folio document: only the margin boxes that print a page number, and the variables."""
    import tinycss2

    out = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword in ("font-face", "counter-style"):
            out.append(rule.serialize())
        elif rule.type == "at-rule" and rule.lower_at_keyword == "page":
            out.append(_margin_boxes(rule.serialize(), keep_folios=True))
        elif rule.type == "qualified-rule":
            decls = [d for d in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True,
                                                                skip_comments=True)
                     if d.type == "declaration" and d.name.startswith("--")]
            if decls:
                out.append(tinycss2.serialize(rule.prelude) + "{" + ";".join(d.serialize() for d in decls) + "}")
    return "\n".join(out)


_MARGIN_RULE = re.compile(r"@(top|bottom|left|right)-[a-z-]+\s*\{[^{}]*\}")


def _margin_boxes(text: str, keep_folios: bool) -> str:
    def one(match: re.Match) -> str:
        rule = match[0]
        if bool(FOLIO.search(rule)) == keep_folios:
            return rule
        name = rule.split("{", 1)[0]
        return name + "{ content: none; }"

    text = _MARGIN_RULE.sub(one, text)
    if keep_folios:   # a page of the folio document paints nothing but its numbers
        text = re.sub(r"(@page[^{]*\{)([^@}]*)", lambda m: m[1] + re.sub(
            r"(^|;)\s*(background|border)[\w-]*\s*:[^;]*", r"\1", m[2]), text)
    return text


# --- page numbers as printed ------------------------------------------------------------------
def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def page_label(n: int, style: str) -> str:
    if style == "decimal-leading-zero":
        return f"{n:02d}"
    if style in ("lower-roman", "upper-roman"):
        return _roman(n) if style == "lower-roman" else _roman(n).upper()
    return str(n)


_HREF = re.compile(r'<a\b([^>]*?)\bhref="#([^"]+)"')
_HREF_TARGET = re.compile(r'\bhref="#([^"]+)"')


def number_links(unit: str, pages: dict[str, int], styles: set[str]) -> tuple[str, dict[str, int]]:
    """Each internal link carries the page of its target, in every style the CSS prints."""
    used: dict[str, int] = {}

    def one(match: re.Match) -> str:
        target = match[2]
        page = pages.get(target, 0)
        used[target] = page
        attrs = "".join(f' data-rg-page-{s}="{page_label(page, s) if page else "00"}"' for s in sorted(styles))
        return f'<a{match[1]}href="#{target}"{attrs}'

    return _HREF.sub(one, unit), used


# --- the workers ------------------------------------------------------------------------------
@dataclass
class Piece:
    """A laid-out section: its PDF and what the assembly needs to know of its pages."""

    pdf: str
    pages: list[dict] = field(default_factory=list)   # name, width, height (CSS px)
    bookmarks: list[list] = field(default_factory=list)   # [page, level, label, x, y]
    anchors: list[list] = field(default_factory=list)     # [page, name, x, y]
    links: list[list] = field(default_factory=list)       # [page, target, x, y, w, h] to another piece
    cuts: dict = field(default_factory=dict)               # long tables measured in this piece
    findings: list[list] = field(default_factory=list)     # preflight: [page, message(, share, cuts)]
    warnings: list[str] = field(default_factory=list)
    printed: dict = field(default_factory=dict)            # target → page number it prints
    outline: list = field(default_factory=list)            # tagged: headings and bookmarks (tagging.PieceTags)
    written: bool = True     # False: measured only, its long tables to be cut again (no PDF)
    tops: list = field(default_factory=list)       # pages that start cleanly: [page, record] (flowing)
    strings: dict = field(default_factory=dict)    # the named strings its pages set (their last values)
    failed: bool = False     # its sentinel did not start a page: the cut after it is wrong (no PDF)


_SHARED: dict = {}   # set before the workers are forked: parsed stylesheets, fonts, fetcher, tables
_SHARED_BASE = "file:///"   # the base of the stylesheet for flowing parts (it names no file)


@dataclass
class _Job:
    html: str
    pdf: str
    printed: dict
    meta: Path
    tags: dict | None
    always: bool
    sentinel: dict | None


def _lay_out_piece(html: str, target: str, printed: dict, wants_cuts: bool, tags: dict | None = None,
                   always: bool = False, sentinel: dict | None = None) -> Piece:
    """Lays out and writes one piece; ``tags`` (variant, note_start, id_prefix) for a tagged one.

    A piece whose long tables are not yet cut as they should be is only measured, not written
    (writing costs a third of the work): it will be laid out again with its cuts — unless
    ``always``. A piece of a flowing part ends with the next one's first element, its
    ``sentinel`` (:mod:`reportgen.pdf.flowing`): the pages from where it starts are left out,
    and when it does not start a page the piece is ``failed`` and not written."""
    from weasyprint import HTML

    from . import longtables, preflight
    from .writing import collect_warnings
    from .tagging import PieceTags

    with collect_warnings() as messages:
        with flowing.carried_into(html):
            document = HTML(string=html, base_url=_SHARED["base"], url_fetcher=_SHARED["fetcher"]).render(
                stylesheets=_SHARED["css"], font_config=_SHARED["fonts"])
            if sentinel is not None:
                kept = flowing.sentinel_page(document, sentinel.get("first"))
                if kept is None:
                    return Piece(target, printed=printed, written=False, failed=True, warnings=messages)
                document = document.copy(document.pages[:kept])
            strings, tops = flowing.strings_after(len(document.pages)), flowing.tops(document, html)
        own = {name for page in document.pages for name in page.anchors}
        piece = Piece(target, printed=printed, strings=strings, tops=tops)
        for number, page in enumerate(document.pages):
            piece.pages.append({"name": page._page_box.page_type.name or "", "width": page.width,
                                "height": page.height})
            piece.bookmarks += [[number, level, label, x, y] for level, label, (x, y), _ in page.bookmarks]
            piece.anchors += [[number, name, x, y] for name, (x, y, *_rest) in page.anchors.items()]
            keep = []
            for link in page.links:
                kind, where, (x, y, w, h), _box = link
                if kind == "internal" and where not in own:
                    piece.links.append([number, where, x, y, w, h])
                else:
                    keep.append(link)
            if tags is None:
                page.links[:] = keep     # rebuilt by the assembly
            page.bookmarks[:] = []       # the whole outline is rebuilt over the assembled PDF
        if tags is not None and piece.links:
            # tagged, a link to another piece stays in this one's structure tree: its target is
            # named here for WeasyPrint to keep it; the assembly points the name to its real page
            for _number, where, *_rest in piece.links:
                document.pages[0].anchors.setdefault(where, (0, 0, 0, 0))
            piece.links = []
        if wants_cuts:
            measures = longtables.measure(document)
            piece.cuts = longtables.breaks_of(measures, _SHARED["tables"])
            piece.written = always or longtables.settled(measures, piece.cuts)
            if not piece.written:
                piece.warnings = messages
                return piece
        piece.findings = preflight.findings(document)
        if tags is None:
            write_pdf_atomically(document, Path(target))
        else:
            outline = PieceTags(tags["note_start"], tags["id_prefix"])
            write_pdf_atomically(document, Path(target), variant=tags["variant"], piece=outline)
            piece.outline = outline.outline
    piece.warnings = messages
    return piece


# --- the whole ---------------------------------------------------------------------------------
@dataclass
class _Plan:
    doc: Split
    styles: set[str]                   # counter styles of the page numbers pieces print
    key_base: object                   # the hash every piece's cache key starts from
    known_pages: dict[str, int]        # anchor → page, from the last build
    records: list[dict]                # where the last build found flowing parts to cut (flowing.locate)
    dropped: set[str] = field(default_factory=set)   # cuts found wrong in this build
    parts: list = field(default_factory=list)         # flowing.Part, the pieces to lay out
    starts_notes: list = field(default_factory=list)  # footnotes before each piece
    cutting: bool = True               # long units cut again (flowing.allowed)

    def cut(self) -> None:
        """The units as pieces: each unit cut where a recorded cut is found again."""
        records = [r for r in self.records if r["hash"] not in self.dropped]
        self.parts = [part for u, unit in enumerate(self.doc.units)
                      for part in flowing.parts(unit, flowing.locate(unit, records), u)]
        notes = [len(re.findall(r'class="footnote"', part.own)) for part in self.parts]
        self.starts_notes = [sum(notes[:i]) for i in range(len(self.parts))]


@dataclass
class Result:
    path: Path
    pages: int
    cuts: dict
    warnings: list[ReportWarning]
    laid_out: int        # pieces laid out in this run (the others came from the cache)
    pieces: int
    assembled: bool = True   # False: a long table to cut again first, nothing written


def _entry(parts: list, pieces: list, i: int) -> dict[str, str] | None:
    """The named strings in force where piece ``i`` starts, from the pieces before it (None: one
    of them not laid out yet). A piece that starts a unit is given none, as it always was."""
    if parts[i].record is None:
        return {}
    strings: dict[str, str] = {}
    for piece in pieces[:i]:
        if piece is None:
            return None
        strings.update(piece.strings)
    return strings


class Assembler:
    """Lays an edition's HTML out in pieces and assembles its PDF."""

    def __init__(self, cache: Path, base: Path, allowed: list[Path], source: Path, tables: dict,
                 workers: int = 2, fingerprint: str = "", wants_cuts: bool = True,
                 locate: preflight.Locate | None = None, variant: str | None = None):
        self.cache = cache
        self.base = base
        self.allowed = allowed
        self.source = source
        self.tables = tables
        self.workers = max(1, workers)
        self.fingerprint = fingerprint
        self.wants_cuts = wants_cuts
        self.locate = locate
        self.variant = variant           # tagged pieces (PDF/UA), merged with their structure trees
        self.used: set[str] = set()      # the pieces the renders of this build used (see prune)
        self.records: list[dict] | None = None   # flowing parts' cuts: the last build's, then this one's
        self.pages: dict[str, int] | None = None  # anchor → page, as the last render of this build found them
        self._sheets: tuple | None = None         # the stylesheets as parsed: (texts, fonts, fetcher, CSS)

    def _prepare(self, html: str) -> "_Plan":
        """The document cut into units, the stylesheets parsed once (before any fork), the cache keys' base."""
        from weasyprint import CSS
        from weasyprint import __version__ as weasyprint_version
        from weasyprint.text.fonts import FontConfiguration

        from .writing import make_fetcher

        doc = split(html, self.base)
        styles = {m[1] or "decimal" for text, _ in doc.sheets for m in TARGET_COUNTER.finditer(text)}
        css_texts = [(piece_css(text), url) for text, url in doc.sheets] + [(flowing.CSS, _SHARED_BASE)]
        if self._sheets is None or self._sheets[0] != css_texts:   # once a build: a render again has the same
            fonts = FontConfiguration()
            fetcher = make_fetcher(self.allowed)
            self._sheets = (css_texts, fonts, fetcher, [CSS(string=text, base_url=url, font_config=fonts,
                                                            url_fetcher=fetcher) for text, url in css_texts])
        _css_texts, fonts, fetcher, css = self._sheets
        _SHARED.update(base=self.base.resolve().as_uri() + "/", fetcher=fetcher, fonts=fonts, css=css,
                       tables=self.tables)
        if self.variant:    # the final PDF: chapters that flow on stay together (the draft: each apart, faster)
            doc.units = group_by_page(doc, _SHARED["css"], fonts)
        key_base = hashlib.sha256("\0".join([CACHE_VERSION, weasyprint_version, self.fingerprint,
                                             self.variant or "", doc.head,
                                             *(t for t, _ in css_texts)]).encode())
        self.cache.mkdir(parents=True, exist_ok=True)
        try:
            known = json.loads((self.cache / "plan.json").read_text(encoding="utf-8"))
            known_pages = {k: v for k, v in known["anchors"].items() if isinstance(k, str) and type(v) is int}
            records = flowing.readable(known.get("cuts"))
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            known_pages, records = {}, []
        if self.records is not None:     # a render again in the same build: the cuts its last one found
            records = self.records
        if self.pages is not None:       # and its pages: the sommaire printed right at once, most often
            known_pages = self.pages
        cutting = flowing.allowed([text for text, _ in css_texts])
        plan = _Plan(doc, styles, key_base, known_pages, records if cutting else [], cutting=cutting)
        plan.cut()
        return plan

    def _job(self, plan: "_Plan", text: str, note_start: int, pages_of: dict[str, int], always: bool = False,
             strings: dict[str, str] | None = None, sentinel: dict | None = None):
        """A piece's text as the small document laid out for it: (its piece from the cache, or the job to run).

        A piece only measured comes from the cache too, unless it must be written (``always``)."""
        text, printed = number_links(text, pages_of, plan.styles) if plan.styles else (text, {})
        body = flowing.carrying(plan.doc.body_open, strings or {})
        if note_start:
            body = _with_style(body, f"counter-reset: footnote {note_start}")
        page_html = plan.doc.head + body + text + "</body></html>"
        key = plan.key_base.copy()
        key.update(page_html.encode())
        key.update(self._files_stamp(text).encode())
        key.update(json.dumps(sentinel, sort_keys=True).encode())
        digest = key.hexdigest()[:24]
        pdf, meta = self.cache / f"{digest}.pdf", self.cache / f"{digest}.json"
        if meta.exists():
            try:
                piece = Piece(**json.loads(meta.read_text(encoding="utf-8")))
                if piece.written and pdf.exists() or not piece.written and not always or piece.failed:
                    return piece, None
            except (ValueError, TypeError):
                pass
        tags = None if not self.variant else {"variant": self.variant, "note_start": note_start,
                                               # from the text alone: the same bytes wherever it is built
                                               "id_prefix": hashlib.sha256(page_html.encode()).hexdigest()[:10] + "-"}
        return None, _Job(page_html, str(pdf), printed, meta, tags, always, sentinel)

    def _part_job(self, plan: "_Plan", i: int, pages_of: dict[str, int], always: bool, strings: dict | None):
        part = plan.parts[i]
        if part.record is not None and strings is None:      # the piece before not laid out yet: last build's
            strings = part.record.get("strings", {})
        sentinel = plan.parts[i + 1].record if part.sentinel else None
        return self._job(plan, part.text, plan.starts_notes[i], pages_of, always, strings,
                         sentinel and {"first": sentinel.get("first", False)})

    def _lay_out(self, jobs: dict, pieces: list) -> None:
        for (i, job), piece in zip(jobs.items(), self._run(list(jobs.values()))):
            pieces[i] = piece
            job.meta.write_text(json.dumps(piece.__dict__, ensure_ascii=False), encoding="utf-8")

    def measure(self, html: str, uses: set[str]) -> tuple[dict, int]:
        """The cuts of long tables, each unit printing one of ``uses`` laid out alone (or from the cache).

        A unit starts a page, so its tables fall on its pages as in the whole document: the final
        build measures them here, then lays the whole document out once, with the cuts.
        Returns the cuts found and the number of units laid out.
        """
        from .longtables import Cut

        plan = self._prepare(html)
        units = plan.doc.units
        notes = [len(re.findall(r'class="footnote"', unit)) for unit in units]
        wanted = [i for i, unit in enumerate(units) if any(f'data-t="{use}"' in unit for use in uses)]
        pieces: list[Piece | None] = [None] * len(units)
        jobs = {}
        for i in wanted:
            pieces[i], job = self._job(plan, units[i], sum(notes[:i]), plan.known_pages)
            if job is not None:
                jobs[i] = job
        self._lay_out(jobs, pieces)
        self.used |= {Path(pieces[i].pdf).stem for i in wanted}
        return {use: Cut(*c) for i in wanted for use, c in pieces[i].cuts.items()}, len(jobs)

    def render(self, html: str, target: Path, always: bool = False) -> Result:
        """The PDF assembled from the pieces — unless a long table must first be cut again (then
        ``assembled`` is False and nothing is written, see :func:`_lay_out_piece`; ``always``
        writes and assembles all the same). A flowing part's cut found wrong is dropped and what
        follows it in its unit laid out again as one piece (:mod:`reportgen.pdf.flowing`)."""
        plan = self._prepare(html)
        doc = plan.doc
        laid_out = 0
        for _try in range(1 + len(plan.records)):
            pieces, laid = self._rounds(plan, always)
            laid_out += laid
            wrong = [i for i, piece in enumerate(pieces) if piece is not None and piece.failed]
            if not wrong:
                break
            for i in wrong:      # that cut and those after it in the same unit
                plan.dropped |= {p.record["hash"] for p in plan.parts[i + 1:]
                                 if p.unit == plan.parts[i].unit and p.record is not None}
            plan.cut()
        from .longtables import Cut

        cuts = {use: Cut(*c) for piece in pieces for use, c in piece.cuts.items()}
        self.used |= {Path(p.pdf).stem for p in pieces}
        self.records = self._cuts(plan, pieces)
        self.pages = self._anchor_pages(pieces)
        if not all(piece.written for piece in pieces):
            return Result(target, 0, cuts, [], laid_out, len(pieces), assembled=False)
        (self.cache / "plan.json").write_text(json.dumps({"anchors": self.pages, "cuts": self.records},
                                                         ensure_ascii=False), encoding="utf-8")
        if self.variant:
            from .tagging import link_titles

            titles = link_titles(html, set(_HREF_TARGET.findall(html)))
            size = self._assemble(doc, pieces, target, titles)
        else:
            size = self._assemble(doc, pieces, target)
        warnings = [ReportWarning(f"WeasyPrint : {m}", self.source) for p in pieces for m in p.warnings]
        first = 1
        for piece in pieces:
            warnings += preflight.warnings(piece.findings, self.source, self.locate, first)
            first += len(piece.pages)
        self.used |= {self._folio_path.stem}
        return Result(target, size, cuts, warnings, laid_out, len(pieces))

    def _rounds(self, plan: "_Plan", always: bool) -> tuple[list[Piece], int]:
        """Every piece laid out or taken from the cache, then those printing a page number or a
        named string that moved laid out again; stops early at a wrong cut or a table to cut."""
        parts = plan.parts
        pieces: list[Piece | None] = [None] * len(parts)
        given: list[dict | None] = [None] * len(parts)      # the named strings each piece was given
        pages_of = dict(plan.known_pages)
        laid_out = 0
        for _round in range(4):
            jobs = {}
            for i in range(len(parts)):
                strings = _entry(parts, pieces, i)
                if pieces[i] is not None and all(pages_of.get(t, 0) == p for t, p in pieces[i].printed.items()) \
                        and (strings is None or strings == given[i]):
                    continue
                pieces[i], job = self._part_job(plan, i, pages_of, always, strings)
                given[i] = strings if strings is not None else (parts[i].record or {}).get("strings", {})
                if job is not None:
                    jobs[i] = job
            if jobs:
                laid_out += len(jobs)
                self._lay_out(jobs, pieces)
            if any(piece.failed for piece in pieces) or not all(piece.written for piece in pieces):
                break
            found = self._anchor_pages(pieces)
            if not jobs and found == pages_of:
                break
            pages_of = found
        return pieces, laid_out

    def _cuts(self, plan: "_Plan", pieces: list[Piece]) -> list[dict]:
        """Where the next build cuts flowing parts: the cuts that held, with the strings found at
        each, and new ones among the pages that start cleanly (:func:`flowing.choose`)."""
        records: list[dict] = []
        if not plan.cutting:
            return records
        strings: dict[str, str] = {}
        by_unit: dict[int, list[int]] = {}
        for i, part in enumerate(plan.parts):
            by_unit.setdefault(part.unit, []).append(i)
        for members in by_unit.values():
            offset, kept, tops = 0, [], []
            for i in members:
                part, piece = plan.parts[i], pieces[i]
                if part.record is not None:
                    kept.append(offset)
                    records.append({**part.record, "strings": dict(strings)})
                for page, record in piece.tops:
                    tops.append((offset + page, {**record, "strings": {**strings, **record["strings"]}}))
                strings.update(piece.strings)
                offset += len(piece.pages)
            records += [record for _offset, record in flowing.choose(tops, kept, offset)]
        return records

    def _run(self, jobs: list[_Job]) -> list[Piece]:
        from .longtables import Cut

        def args(job: _Job) -> tuple:
            return job.html, job.pdf, job.printed, self.wants_cuts, job.tags, job.always, job.sentinel

        workers = min(self.workers, len(jobs))
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            from concurrent.futures import ProcessPoolExecutor

            # the longest pieces first, so that the last one to finish is a short one
            order = sorted(range(len(jobs)), key=lambda k: -len(jobs[k].html))
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = {k: pool.submit(_lay_out_piece, *args(jobs[k])) for k in order}
                results = [futures[k].result() for k in range(len(jobs))]
        else:
            results = [_lay_out_piece(*args(job)) for job in jobs]
        for piece in results:   # JSON-ready: the cuts as plain lists
            piece.cuts = {use: [c.rows, c.widths, c.width] if isinstance(c, Cut) else c
                          for use, c in piece.cuts.items()}
        return results

    @staticmethod
    def _anchor_pages(pieces) -> dict[str, int]:
        found: dict[str, int] = {}
        first = 1
        for piece in pieces:
            if piece is None:
                continue
            for number, name, _x, _y in piece.anchors:
                found.setdefault(name, first + number)
            first += len(piece.pages)
        return found

    def _files_stamp(self, unit: str) -> str:
        """Images named by a piece: a file replaced under the same name lays it out again."""
        stamp = []
        for ref in sorted(set(re.findall(r'src="([^"#:]+)"', unit))):
            path = self.base / ref
            try:
                st = path.stat()
                stamp.append(f"{ref}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                stamp.append(ref)
        return "|".join(stamp)

    def _folios(self, doc: Split, pages: list[dict]) -> Path:
        """The page numbers: one empty page per page of the report, bearing its page name."""
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        texts = [(folio_css(text), url) for text, url in doc.sheets]
        body = "".join(f'<div style="page: {p["name"] or "auto"};{" break-before: page;" if i else ""}"></div>'
                       for i, p in enumerate(pages))
        html = doc.head + "<body>" + body + "</body></html>"
        key = hashlib.sha256("\0".join([self.fingerprint, html, *(t for t, _ in texts)]).encode()).hexdigest()[:24]
        target = self._folio_path = self.cache / f"folios-{key}.pdf"
        if not target.exists():
            fonts = FontConfiguration()
            css = [CSS(string=t, base_url=u, font_config=fonts, url_fetcher=_SHARED["fetcher"]) for t, u in texts]
            document = HTML(string=html, base_url=_SHARED["base"], url_fetcher=_SHARED["fetcher"]).render(
                stylesheets=css, font_config=fonts)
            if len(document.pages) != len(pages):
                raise LayoutError(f"numérotation : {len(document.pages)} pages au lieu de {len(pages)}", self.source,
                                  hint="chaque section de premier niveau du gabarit doit commencer une page")
            write_pdf_atomically(document, target)
        return target

    def _assemble(self, doc: Split, pieces: list[Piece], target: Path,
                  titles: dict[str, str] | None = None) -> int:
        """The pieces put together: pages, folios, named destinations, links, outline; with
        ``titles`` (tagged pieces), their structure trees as one, links described, folios as artifacts."""
        import pikepdf

        from .tagging import OutlineLevels

        all_pages = [p for piece in pieces for p in piece.pages]
        folios = pikepdf.open(self._folios(doc, all_pages))
        merged = pikepdf.new()
        opened, starts = [], []
        tagged = titles is not None
        if tagged:
            headings = _heading_tags(pieces)
            tree = _Tree(merged)
        for k, piece in enumerate(pieces):
            source = pikepdf.open(piece.pdf)
            opened.append(source)
            starts.append(len(merged.pages))
            if tagged:
                for number, tag in headings[k]:
                    source.get_object((number, 0)).S = pikepdf.Name(tag)
            with warnings.catch_warnings():   # the named destinations are rebuilt below
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                merged.pages.extend(source.pages)
            if tagged:
                tree.add(source, merged.pages[starts[-1]:])
        first_source = opened[0]
        with merged.open_metadata(set_pikepdf_as_editor=False) as meta, \
                first_source.open_metadata(set_pikepdf_as_editor=False) as original:
            for key in original:
                meta[key] = original[key]
        for key, value in first_source.docinfo.items():
            merged.docinfo[key] = value
        for key in ("/Lang", "/ViewerPreferences", "/MarkInfo"):
            if key in first_source.Root:
                value = first_source.Root[key]
                if isinstance(value, (pikepdf.Dictionary, pikepdf.Array)):
                    value = merged.copy_foreign(value if value.is_indirect else first_source.make_indirect(value))
                merged.Root[key] = value
        for number, (page, folio) in enumerate(zip(merged.pages, folios.pages), 1):
            if tagged:    # page furniture: an artifact, never read out
                # named after the page, not at random (the same bytes each time); the pages of a
                # piece share their resources, so each page's folio has a name of its own
                name = page.add_resource(merged.copy_foreign(folio.as_form_xobject()), pikepdf.Name.XObject,
                                         pikepdf.Name(f"/RgFolio{number}"))
                page.contents_add(merged.make_stream(b"q"), prepend=True)
                page.contents_add(merged.make_stream(b"Q q /Artifact BMC " + str(name).encode() + b" Do EMC Q"))
            else:
                page.add_overlay(folio)
        if tagged:
            tree.finish()

        def destination(page_index: int, x: float, y: float):
            height = all_pages[page_index]["height"]
            return pikepdf.Array([merged.pages[page_index].obj, pikepdf.Name.XYZ,
                                  x * PX_TO_PT, (height - y) * PX_TO_PT, 0])

        names = pikepdf.NameTree.new(merged)
        page_of: dict[str, int] = {}
        for piece, start in zip(pieces, starts):
            for number, name, x, y in piece.anchors:
                if name not in names:
                    names[name] = destination(start + number, x, y)
                    page_of[name] = start + number + 1
        merged.Root.Names = pikepdf.Dictionary(Dests=names.obj)
        for piece, start in zip(pieces, starts):
            for number, where, x, y, w, h in piece.links:
                if where not in names:
                    continue
                height = all_pages[start + number]["height"]
                page = merged.pages[start + number]
                rect = [x * PX_TO_PT, (height - y - h) * PX_TO_PT, (x + w) * PX_TO_PT, (height - y) * PX_TO_PT]
                annot = merged.make_indirect(pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect,
                    BS=pikepdf.Dictionary(W=0), Dest=pikepdf.String(where)))
                if "/Annots" not in page.obj:
                    page.obj.Annots = pikepdf.Array()
                page.obj.Annots.append(annot)
        if tagged:
            _describe_links(merged, titles, page_of)
            merge_fonts(merged)
        levels = OutlineLevels()
        marks = [(start + b[0], levels.bookmark_depth(b[1]), b[2], b[3], b[4])
                 for piece, start in zip(pieces, starts) for b in piece.bookmarks]
        with merged.open_outline() as outline:
            stack: list[object] = []
            for page_index, depth, label, x, y in marks:
                item = pikepdf.OutlineItem(label, destination=destination(page_index, x, y))
                del stack[depth - 1:]
                (stack[-1].children if stack else outline.root).append(item)
                stack.append(item)
        try:
            with replacing(target) as tmp:
                # the file's /ID from its content, not at random: two identical drafts are the same bytes
                merged.save(tmp, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                            deterministic_id=True)
        finally:
            for source in opened:
                source.close()
            folios.close()
        return len(all_pages)

    def prune(self) -> None:
        """Once the build is done: pieces no render of it used are removed, so the cache does not
        grow without end. The pieces of every pass stay (a long table's piece measured uncut, then
        written cut), so that the next build finds them all and lays out only what changed."""
        for path in self.cache.glob("*"):
            if path.suffix in (".pdf", ".json") and path.stem not in self.used and path.name != "plan.json":
                path.unlink(missing_ok=True)


def _with_style(tag: str, style: str) -> str:
    if ' style="' in tag:
        return tag.replace(' style="', f' style="{style}; ', 1)
    return tag[:-1] + f' style="{style}">'


# --- the structure trees of tagged pieces, merged ----------------------------------------------
def _heading_tags(pieces: list[Piece]) -> list[list[tuple[int, str]]]:
    """Each piece's headings (object number, ``/Hn``) at their level in the whole document's outline."""
    from .tagging import OutlineLevels

    levels = OutlineLevels()
    found = []
    for piece in pieces:
        found.append([])
        for number, written, bookmarked in piece.outline:
            depth = levels.bookmark_depth(bookmarked) if bookmarked is not None else None
            if written:
                found[-1].append((number, f"/H{levels.heading_level(written, depth)}"))
    return found


class _Tree:
    """One structure tree from the pieces': one ``Document`` element holding each piece's
    elements in order; the parent trees renumbered one after the other (pages' ``StructParents``
    and annotations' ``StructParent`` with them); the ID trees joined."""

    def __init__(self, merged):
        import pikepdf

        self.merged = merged
        self.root = merged.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        self.document = merged.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, K=pikepdf.Array(), P=self.root))
        self.nums: list = []
        self.ids: list[tuple[str, object]] = []
        self.next_key = 0

    def add(self, source, pages) -> None:
        root = source.Root.StructTreeRoot
        offset = self.next_key
        # the piece's Document element's children; a section cut in two by a flowing part's cut is two
        # elements, as the whole document tags it (one element per page a box runs over)
        for kid in self.merged.copy_foreign(root.K[0]).K:
            kid.P = self.document
            self.document.K.append(kid)
        numbers = self.merged.copy_foreign(root.ParentTree).Nums
        for i in range(0, len(numbers), 2):
            self.nums.append((int(numbers[i]) + offset, numbers[i + 1]))
            self.next_key = max(self.next_key, int(numbers[i]) + offset + 1)
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        if "/IDTree" in root:
            names = self.merged.copy_foreign(root.IDTree).Names
            self.ids += [(str(names[i]), names[i + 1]) for i in range(0, len(names), 2)]

    def finish(self) -> None:
        import pikepdf

        self.root.K = pikepdf.Array([self.document])
        self.root.ParentTree = self.merged.make_indirect(pikepdf.Dictionary(
            Nums=pikepdf.Array([x for key, value in sorted(self.nums, key=lambda n: n[0]) for x in (key, value)])))
        self.root.ParentTreeNextKey = self.next_key
        if self.ids:
            seen = [key for key, _ in self.ids]
            if len(set(seen)) != len(seen):
                raise LayoutError("balisage : deux éléments portent le même identifiant", None,
                                  hint="reconstruisez sans le cache (REPORTGEN_NO_CACHE=1)")
            self.root.IDTree = self.merged.make_indirect(pikepdf.Dictionary(Names=pikepdf.Array(
                [x for key, value in sorted(self.ids, key=lambda n: n[0]) for x in (pikepdf.String(key), value)])))
        self.merged.Root.StructTreeRoot = self.root


def _describe_links(merged, titles: dict[str, str], page_of: dict[str, int]) -> None:
    """Each link to a place in the report says where it goes, with the page it has in the whole."""
    import pikepdf

    from .tagging import describe_internal

    for page in merged.pages:
        for annotation in page.obj.get("/Annots", ()):
            dest = annotation.get("/Dest")
            if annotation.get("/Subtype") != pikepdf.Name.Link or not isinstance(dest, pikepdf.String):
                continue
            target = str(dest)
            own = str(annotation.get("/Contents", ""))
            annotation.Contents = pikepdf.String(describe_internal(titles.get(target, ""), own, page_of.get(target)))


# --- one subset per font ------------------------------------------------------------------------
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def merge_fonts(pdf) -> int:
    """Each font embedded once: the pieces' subsets of one font joined into one.

    Every piece embeds its own subset of each font it prints (WeasyPrint keeps the font's glyph
    numbers in a subset, so the subsets of one font differ only by the glyphs they hold). Fonts
    of the same name (TrueType in a Type 0 font, identity glyph map) are joined: one font program
    holding every glyph any piece uses, the widths and the text mapping of all of them; each
    page and drawing then names that one font. Returns the number of font objects removed.
    Other kinds of font are left as they are.
    """
    import pikepdf

    groups: dict[str, list] = {}
    holders = []                    # every /Font resource dictionary, pages and drawings
    seen_resources: set = set()

    def visit(resources) -> None:
        if resources is None or (resources.is_indirect and resources.objgen in seen_resources):
            return
        if resources.is_indirect:
            seen_resources.add(resources.objgen)
        fonts = resources.get("/Font")
        if fonts is not None:
            holders.append(fonts)
            for font in fonts.values():
                if _joinable(font):
                    group = groups.setdefault(str(font.BaseFont), [])
                    if all(font.objgen != f.objgen for f in group):
                        group.append(font)
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == pikepdf.Name.Form:
                visit(xobject.get("/Resources"))

    for page in pdf.pages:
        visit(page.obj.get("/Resources"))
    replace: dict = {}
    for fonts in groups.values():
        if len(fonts) > 1:
            kept = _join_fonts(pdf, fonts)
            if kept is None:
                continue
            replace.update({font.objgen: kept for font in fonts if font.objgen != kept.objgen})
    for fonts in holders:
        for name, font in list(fonts.items()):
            if font.objgen in replace:
                fonts[name] = replace[font.objgen]
    return len(replace)


def _joinable(font) -> bool:
    import pikepdf

    if not font.is_indirect or font.get("/Subtype") != pikepdf.Name.Type0 or "/DescendantFonts" not in font:
        return False
    cid = font.DescendantFonts[0]
    descriptor = cid.get("/FontDescriptor")
    return (cid.get("/Subtype") == pikepdf.Name.CIDFontType2 and cid.get("/CIDToGIDMap") == pikepdf.Name.Identity
            and descriptor is not None and "/FontFile2" in descriptor and "/ToUnicode" in font)


def _join_fonts(pdf, fonts: list):
    """One Type 0 font from several subsets of the same TrueType font (None: they cannot be joined)."""
    import io

    from fontTools.ttLib import TTFont

    quiet = logging.getLogger("fontTools")      # « 'created' timestamp seems very low » on every subset
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        # the subset's own date kept: the same bytes at each build
        programs = [TTFont(io.BytesIO(f.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()),
                           recalcTimestamp=False) for f in fonts]
        return _join_programs(pdf, fonts, programs)
    finally:
        quiet.setLevel(level)


def _join_programs(pdf, fonts: list, programs: list):
    import io

    import pikepdf

    if len({(p["head"].created, p["head"].unitsPerEm, p["name"].getDebugName(6)) for p in programs}) != 1:
        return None      # two fonts under one name: left apart
    try:
        maps = [_bfchar_part(font.ToUnicode.read_bytes()) for font in fonts]
    except ValueError:
        return None
    base_index = max(range(len(fonts)), key=lambda i: (programs[i]["maxp"].numGlyphs, -i))
    base, kept = programs[base_index], fonts[base_index]
    order, glyphs, metrics = base.getGlyphOrder(), base["glyf"].glyphs, base["hmtx"].metrics
    for other in programs:
        if other is base:
            continue
        other_order, other_glyphs = other.getGlyphOrder(), other["glyf"].glyphs
        for gid, name in enumerate(other_order[:len(order)]):
            glyph = other_glyphs[name]
            if _glyph_data(glyph) and not _glyph_data(glyphs[order[gid]]):
                glyphs[order[gid]] = glyph     # raw: its components are glyph numbers, the same in both
                metrics[order[gid]] = other["hmtx"].metrics[name]
    out = io.BytesIO()
    base.save(out)
    data = out.getvalue()
    cid = kept.DescendantFonts[0]
    cid.FontDescriptor.FontFile2 = pikepdf.Stream(pdf, data, Length1=len(data))
    widths: dict[int, object] = {}
    for font in fonts:
        widths.update(_widths(font.DescendantFonts[0].get("/W", pikepdf.Array())))
    cid.W = _widths_array(widths)
    unicode: dict[bytes, bytes] = {}
    for part in maps:     # in page order: a glyph read as two characters keeps the first (a space, not a no-break one)
        for code, text in _BFCHAR.findall(part):
            unicode.setdefault(code.lower(), text)
    kept.ToUnicode = pikepdf.Stream(pdf, _to_unicode(unicode))
    return kept


def _glyph_data(glyph) -> bool:
    data = getattr(glyph, "data", None)
    if data is not None:
        return len(data) > 0
    return getattr(glyph, "numberOfContours", 0) != 0


def _widths(array) -> dict[int, object]:
    """The ``/W`` array of a CID font as glyph → width."""
    import pikepdf

    found: dict[int, object] = {}
    items = list(array)
    i = 0
    while i < len(items):
        first = int(items[i])
        if i + 1 < len(items) and isinstance(items[i + 1], pikepdf.Array):
            for k, width in enumerate(items[i + 1]):
                found[first + k] = width
            i += 2
        else:
            last, width = int(items[i + 1]), items[i + 2]
            for gid in range(first, last + 1):
                found[gid] = width
            i += 3
    return found


def _widths_array(widths: dict[int, object]):
    import pikepdf

    out = pikepdf.Array()
    run: list = []
    start = None
    for gid in sorted(widths):
        if start is not None and gid == start + len(run):
            run.append(widths[gid])
            continue
        if run:
            out.append(start)
            out.append(pikepdf.Array(run))
        start, run = gid, [widths[gid]]
    if run:
        out.append(start)
        out.append(pikepdf.Array(run))
    return out


def _bfchar_part(cmap: bytes) -> bytes:
    """The ``bfchar`` entries of a ToUnicode map (ranges are not written by WeasyPrint)."""
    if b"beginbfrange" in cmap:
        raise ValueError("bfrange")
    return b"".join(re.findall(rb"beginbfchar(.*?)endbfchar", cmap, flags=re.S))


def _to_unicode(entries: dict[bytes, bytes]) -> bytes:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    keys = sorted(entries, key=lambda k: int(k, 16))
    for i in range(0, len(keys), 100):
        chunk = keys[i:i + 100]
        lines.append(str(len(chunk)).encode() + b" beginbfchar")
        lines += [b"<" + k + b"> <" + entries[k] + b">" for k in chunk]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
