"""Parallel layout: the document laid out in pieces, several at once, then put together.

WeasyPrint lays a document out on one core. A layout whose top-level sections of ``<body>``
(cover, sommaire, each chapter, each divider) each start a new page can be laid out section
by section: every section becomes a small document of its own, laid out in a forked worker
process, or taken from the cache when nothing it prints has changed since the last build.
The pieces are then put together with pikepdf, so that the result is the single-pass PDF:

- page numbers: the margin boxes printing ``counter(page)`` are left out of the pieces and
  laid out once over the whole run of pages (a document of empty pages bearing the same page
  names), then laid over each page. A piece does not depend on where it falls, so a change of
  length in one chapter does not lay the following ones out again;
- cross references (``target-counter(attr(href), page)``, the sommaire and the part dividers)
  print the page numbers found; a piece printing them is laid out again when one has moved;
- footnotes are numbered through the document (``counter-reset`` at each piece's start);
- bookmarks, named destinations and links between pieces are rebuilt over the whole PDF.

The stylesheets are parsed once, before the workers are forked, and shared by every piece.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from . import preflight
from .errors import LayoutError, ReportWarning
from .files import replacing
from .pdf import write_pdf_atomically

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TARGET_COUNTER = re.compile(r"target-counter\(\s*attr\(\s*href\s*\)\s*,\s*page\s*(?:,\s*([\w-]+)\s*)?\)")
FOLIO = re.compile(r"\bcounter\(\s*pages?\b")
PX_TO_PT = 0.75
CACHE_VERSION = "2"   # changed when a cached piece's JSON changes shape (preflight findings)


# --- cutting the document ---------------------------------------------------------------------
@dataclass
class Split:
    head: str                          # <head> without its stylesheets
    body_open: str                     # the <body …> tag
    sheets: list[tuple[str, str]]      # (css text, base url) in document order
    units: list[str]                   # the top-level sections of <body>


class _TopLevel(HTMLParser):
    """Offsets (line, column) where each top-level element of a fragment starts."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.depth = 0
        self.starts: list[tuple[int, int]] = []

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.starts.append(self.getpos())
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            self.starts.append(self.getpos())

    def handle_endtag(self, tag):
        if tag not in VOID:
            self.depth -= 1


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
    parser = _TopLevel()
    parser.feed(body)
    lines = body.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    cuts = [offsets[line - 1] + column for line, column in parser.starts] + [len(body)]
    units = [body[a:b] for a, b in zip(cuts, cuts[1:])]
    return Split(head, "<body" + attrs + ">", sheets, units)


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


_SHARED: dict = {}   # set before the workers are forked: parsed stylesheets, fonts, fetcher, tables


def _lay_out_piece(html: str, target: str, printed: dict, wants_cuts: bool) -> Piece:
    from weasyprint import HTML

    from . import longtables, preflight
    from .pdf import collect_warnings

    with collect_warnings() as messages:
        document = HTML(string=html, base_url=_SHARED["base"], url_fetcher=_SHARED["fetcher"]).render(
            stylesheets=_SHARED["css"], font_config=_SHARED["fonts"])
        own = {name for page in document.pages for name in page.anchors}
        piece = Piece(target, printed=printed)
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
            page.links[:] = keep
            page.bookmarks[:] = []       # the whole outline is rebuilt over the assembled PDF
        if wants_cuts:
            piece.cuts = longtables.find_breaks(document, _SHARED["tables"])
        piece.findings = preflight.findings(document)
        write_pdf_atomically(document, Path(target))
    piece.warnings = messages
    return piece


# --- the whole ---------------------------------------------------------------------------------
@dataclass
class _Plan:
    doc: Split
    styles: set[str]                   # counter styles of the page numbers pieces print
    key_base: object                   # the hash every piece's cache key starts from
    starts_notes: list[int]            # footnotes before each unit
    known_pages: dict[str, int]        # anchor → page, from the last build


@dataclass
class Result:
    path: Path
    pages: int
    cuts: dict
    warnings: list[ReportWarning]
    laid_out: int        # pieces laid out in this run (the others came from the cache)
    pieces: int


class Assembler:
    """Lays an edition's HTML out in pieces and assembles its PDF."""

    def __init__(self, cache: Path, base: Path, allowed: list[Path], source: Path, tables: dict,
                 workers: int = 2, fingerprint: str = "", wants_cuts: bool = True,
                 locate: preflight.Locate | None = None):
        self.cache = cache
        self.base = base
        self.allowed = allowed
        self.source = source
        self.tables = tables
        self.workers = max(1, workers)
        self.fingerprint = fingerprint
        self.wants_cuts = wants_cuts
        self.locate = locate
        self.used: set[str] = set()      # the pieces the renders of this build used (see prune)

    def _prepare(self, html: str) -> "_Plan":
        """The document cut into units, the stylesheets parsed once (before any fork), the cache keys' base."""
        from weasyprint import CSS
        from weasyprint import __version__ as weasyprint_version
        from weasyprint.text.fonts import FontConfiguration

        from .pdf import make_fetcher

        doc = split(html, self.base)
        styles = {m[1] or "decimal" for text, _ in doc.sheets for m in TARGET_COUNTER.finditer(text)}
        fonts = FontConfiguration()
        fetcher = make_fetcher(self.allowed)
        css_texts = [(piece_css(text), url) for text, url in doc.sheets]
        _SHARED.update(base=self.base.resolve().as_uri() + "/", fetcher=fetcher, fonts=fonts,
                       tables=self.tables,
                       css=[CSS(string=text, base_url=url, font_config=fonts, url_fetcher=fetcher)
                            for text, url in css_texts])
        key_base = hashlib.sha256("\0".join([CACHE_VERSION, weasyprint_version, self.fingerprint, doc.head,
                                             *(t for t, _ in css_texts)]).encode())
        self.cache.mkdir(parents=True, exist_ok=True)
        try:
            known_pages = json.loads((self.cache / "plan.json").read_text(encoding="utf-8"))["anchors"]
        except (OSError, ValueError, KeyError):
            known_pages = {}
        notes = [len(re.findall(r'class="footnote"', unit)) for unit in doc.units]
        return _Plan(doc, styles, key_base, [sum(notes[:i]) for i in range(len(doc.units))], known_pages)

    def _job(self, plan: "_Plan", i: int, pages_of: dict[str, int]):
        """A unit as the small document laid out for it: (its piece from the cache, or the job to run)."""
        unit = plan.doc.units[i]
        text, printed = number_links(unit, pages_of, plan.styles) if plan.styles else (unit, {})
        body = plan.doc.body_open
        if plan.starts_notes[i]:
            body = _with_style(body, f"counter-reset: footnote {plan.starts_notes[i]}")
        page_html = plan.doc.head + body + text + "</body></html>"
        key = plan.key_base.copy()
        key.update(page_html.encode())
        key.update(self._files_stamp(text).encode())
        digest = key.hexdigest()[:24]
        pdf, meta = self.cache / f"{digest}.pdf", self.cache / f"{digest}.json"
        if pdf.exists() and meta.exists():
            try:
                return Piece(**json.loads(meta.read_text(encoding="utf-8"))), None
            except (ValueError, TypeError):
                pass
        return None, (i, page_html, str(pdf), printed, meta)

    def _lay_out(self, jobs, pieces: list) -> None:
        for (i, _h, _p, _printed, meta), piece in zip(jobs, self._run(jobs)):
            pieces[i] = piece
            meta.write_text(json.dumps(piece.__dict__, ensure_ascii=False), encoding="utf-8")

    def measure(self, html: str, uses: set[str]) -> tuple[dict, int]:
        """The cuts of long tables, each unit printing one of ``uses`` laid out alone (or from the cache).

        A unit starts a page, so its tables fall on its pages as in the whole document: the final
        build measures them here, then lays the whole document out once, with the cuts.
        Returns the cuts found and the number of units laid out.
        """
        from .longtables import Cut

        plan = self._prepare(html)
        wanted = [i for i, unit in enumerate(plan.doc.units)
                  if any(f'data-t="{use}"' in unit for use in uses)]
        pieces: list[Piece | None] = [None] * len(plan.doc.units)
        jobs = []
        for i in wanted:
            pieces[i], job = self._job(plan, i, plan.known_pages)
            if job is not None:
                jobs.append(job)
        self._lay_out(jobs, pieces)
        self.used |= {Path(pieces[i].pdf).stem for i in wanted}
        return {use: Cut(*c) for i in wanted for use, c in pieces[i].cuts.items()}, len(jobs)

    def render(self, html: str, target: Path) -> Result:
        plan = self._prepare(html)
        doc = plan.doc
        pieces: list[Piece | None] = [None] * len(doc.units)
        laid_out = 0
        pages_of = dict(plan.known_pages)
        for _round in range(3):
            jobs = []
            for i in range(len(doc.units)):
                if pieces[i] is not None and all(pages_of.get(t, 0) == p for t, p in pieces[i].printed.items()):
                    continue
                pieces[i], job = self._job(plan, i, pages_of)
                if job is not None:
                    jobs.append(job)
            if not jobs:
                break
            laid_out += len(jobs)
            self._lay_out(jobs, pieces)
            pages_of = self._anchor_pages(pieces)
        pages_of = self._anchor_pages(pieces)
        (self.cache / "plan.json").write_text(json.dumps({"anchors": pages_of}), encoding="utf-8")
        size = self._assemble(doc, pieces, target)
        warnings = [ReportWarning(f"WeasyPrint : {m}", self.source) for p in pieces for m in p.warnings]
        first = 1
        for piece in pieces:
            warnings += preflight.warnings(piece.findings, self.source, self.locate, first)
            first += len(piece.pages)
        from .longtables import Cut

        cuts = {use: Cut(*c) for piece in pieces for use, c in piece.cuts.items()}
        self.used |= {Path(p.pdf).stem for p in pieces} | {self._folio_path.stem}
        return Result(target, size, cuts, warnings, laid_out, len(pieces))

    def _run(self, jobs) -> list[Piece]:
        from .longtables import Cut

        workers = min(self.workers, len(jobs))
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            from concurrent.futures import ProcessPoolExecutor

            # the longest pieces first, so that the last one to finish is a short one
            order = sorted(range(len(jobs)), key=lambda k: -len(jobs[k][1]))
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = {k: pool.submit(_lay_out_piece, jobs[k][1], jobs[k][2], jobs[k][3], self.wants_cuts)
                           for k in order}
                results = [futures[k].result() for k in range(len(jobs))]
        else:
            results = [_lay_out_piece(h, p, printed, self.wants_cuts) for _i, h, p, printed, _m in jobs]
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

    def _assemble(self, doc: Split, pieces: list[Piece], target: Path) -> int:
        import pikepdf

        all_pages = [p for piece in pieces for p in piece.pages]
        folios = pikepdf.open(self._folios(doc, all_pages))
        merged = pikepdf.new()
        opened = []
        for piece in pieces:
            source = pikepdf.open(piece.pdf)
            opened.append(source)
            merged.pages.extend(source.pages)
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
                merged.Root[key] = merged.copy_foreign(value) if value.is_indirect else value
        for page, folio in zip(merged.pages, folios.pages):
            page.add_overlay(folio)
        starts, first = [], 0
        for piece in pieces:
            starts.append(first)
            first += len(piece.pages)

        def destination(page_index: int, x: float, y: float):
            height = all_pages[page_index]["height"]
            return pikepdf.Array([merged.pages[page_index].obj, pikepdf.Name.XYZ,
                                  x * PX_TO_PT, (height - y) * PX_TO_PT, 0])

        names = pikepdf.NameTree.new(merged)
        for piece, start in zip(pieces, starts):
            for number, name, x, y in piece.anchors:
                if name not in names:
                    names[name] = destination(start + number, x, y)
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
        marks = [(start + b[0], b[1], b[2], b[3], b[4]) for piece, start in zip(pieces, starts) for b in piece.bookmarks]
        with merged.open_outline() as outline:
            stack: list[tuple[int, object]] = []
            for page_index, level, label, x, y in marks:
                item = pikepdf.OutlineItem(label, destination=destination(page_index, x, y))
                while stack and stack[-1][0] >= level:
                    stack.pop()
                (stack[-1][1].children if stack else outline.root).append(item)
                stack.append((level, item))
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
        grow without end. The pieces of every pass stay (the tables uncut, then cut), so that the
        next build finds them all and lays out only what changed."""
        for path in self.cache.glob("*"):
            if path.suffix in (".pdf", ".json") and path.stem not in self.used and path.name != "plan.json":
                path.unlink(missing_ok=True)


def _with_style(tag: str, style: str) -> str:
    if ' style="' in tag:
        return tag.replace(' style="', f' style="{style}; ', 1)
    return tag[:-1] + f' style="{style}">'
