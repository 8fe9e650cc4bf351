"""The builder: one object owns the six stages and gathers everything before writing.

1. Lecture      manifest, layout, data and chapters are read and validated
2. Contenu      directives are resolved, Markdown becomes HTML, figures are typeset
3. Graphiques   charts are drawn as SVG (reused when their data has not changed)
4. HTML         the layout assembles the whole document
5. Mise en page WeasyPrint lays the pages out: the final PDF as one document; the draft in
                pieces, in parallel, unchanged pieces from the cache (:mod:`reportgen.pdf.segments`)
6. Écriture     the PDF, and for a final build the tables as CSV and XLSX and the web edition
                (:mod:`reportgen.render.web`), are written in a staging folder, then swapped in together

Nothing is written under ``build/`` before stage 3, and the previous outputs (PDF, tables,
web edition, build stamp) are replaced only all together, by complete new ones. The draft and
the proof have their own file names (``…-brouillon.pdf``, ``…-epreuve.pdf``): neither ever
replaces the final PDF.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import multiprocessing
import os
import re
import time
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import Protocol

from markupsafe import Markup

from .render import charts as charts_mod
from .edition.config import Manifest, load_manifest, theme_file
from .edition.content import Chapter, ContentRenderer, locator, markdown_to_html, read_chapter
from .edition.datastore import DataStore
from .render.directives import Directives
from .errors import ConfigError, DataError, ReportError, ReportWarning
from .files import Staging, os_error, remove_stale, write_text
from .render.layout import Layout, load_layout
from .render import exports
from .edition import lint
from .pdf import longtables, preflight, sourcemap
from .workflows import yearly
from .pdf.writing import PDF_A, PDF_UA, image_names_from, layout_document, write_pdf_atomically
from .project import DRAFT, PROOF, EditionPaths, Project, tagged

log = logging.getLogger("reportgen")

STAGES = ("Lecture", "Contenu", "Graphiques", "HTML", "Mise en page", "Écriture")
STAMP = "build-inputs.json"     # beside a build's outputs: what it read (a fingerprint), what it made


class Progress(Protocol):
    def stage(self, number: int, name: str, detail: str = "") -> None: ...
    def step(self, done: int, total: int) -> None: ...


class _Silent:
    def stage(self, number: int, name: str, detail: str = "") -> None:
        log.info("%d/%d %s %s", number, len(STAGES), name, detail)

    def step(self, done: int, total: int) -> None:
        pass


@dataclass
class Part:
    title: str
    number: int | None
    chapters: list[Chapter]
    id: str
    kind: str = "part"
    divider: bool = True
    photo: str = ""        # once read: relative to the document, and only if the file is there
    caption: str = ""      # printed with the photo only
    label: str = ""        # the number as printed: « 1 », or « 01 » with a width of 2
    photo_alt: str = ""
    photo_credit: str = ""
    colour: str = ""       # its divider's colour, from the theme's « chapters »
    intro: str = ""        # its introduction (``intro:``), as typeset HTML
    chapter_colours: dict[str, str] = field(default_factory=dict)   # chapter id → its divider's colour


@dataclass
class BuildResult:
    edition: str
    pdf: Path
    html: Path
    pages: int
    warnings: list[ReportWarning]
    timings: dict[str, float] = field(default_factory=dict)
    reused: bool = False        # nothing had changed: the previous PDF stands
    web: Path | None = None     # the web edition's page, for a final build


def same_cuts(found: dict[str, longtables.Cut], applied: dict[str, longtables.Cut]) -> bool:
    """The long tables cut at the same rows: the layout that measured them is the one to keep."""
    return {u: c.rows for u, c in found.items()} == {u: c.rows for u, c in applied.items()}


class Beside:
    """Work done in a forked process while this one lays out the PDF (on the machine's other core).

    The process writes only into the build's staging folder. :meth:`done` waits for it and says
    whether it succeeded; if not, the caller does the work again itself, so that an error gets
    its usual message (the process prints nothing). :meth:`cancel` stops it, if still running.
    """

    def __init__(self, work):
        self.process = multiprocessing.get_context("fork").Process(target=_quietly, args=(work,), daemon=True)
        self.process.start()

    def done(self) -> bool:
        self.process.join()
        return self.process.exitcode == 0

    def cancel(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


def _quietly(work) -> None:
    try:
        work()
    except BaseException:
        os._exit(1)
    os._exit(0)


def wait_for(path: Path) -> None:
    """Until ``path`` exists (written whole, then renamed); gives up if the process that makes it ends."""
    parent = os.getppid()
    while not path.exists():
        if os.getppid() != parent:
            raise RuntimeError("build interrupted")
        time.sleep(0.02)


def every_chapter(front, parts, back) -> list[Chapter]:
    """The chapters in reading order: front pages, each part's, back pages."""
    return [*front, *(c for p in parts for c in p.chapters), *back]


@dataclass
class Edition:
    """The edition being built, as read by stage 1: what every later stage works from."""

    manifest: Manifest
    layout: Layout
    store: DataStore
    front: list[Chapter]
    parts: list[Part]
    back: list[Chapter]

    @property
    def chapters(self) -> list[Chapter]:
        """Every chapter in reading order."""
        return every_chapter(self.front, self.parts, self.back)


class Builder:
    """Builds one edition into ``build/<caisse>-<year>/``."""

    def __init__(self, project: Project, edition: str, progress: Progress | None = None,
                 strict: bool = False, draft: bool = False, proof: bool = False, workers: int | None = None,
                 archive: bool = False):
        self.project = project
        self.paths: EditionPaths = project.edition(edition)
        self.progress = progress or _Silent()
        self.strict = strict
        self.draft = draft or proof   # values « à renseigner » are shown, not refused
        self.proof = proof            # a reviewer's proof: watermark, sources, open items
        # laid out in pieces, in parallel and from the cache: the draft, and the final PDF (its pieces
        # tagged, their structure trees merged); the proof and the archival PDF/A in one pass
        self.pieces = not proof and not archive and not os.environ.get("REPORTGEN_NO_CACHE")
        self.workers = workers or os.cpu_count() or 1
        self._last_cut_tables: set[str] = set()   # the long tables of the last build (its stamp)
        self._last_cuts: dict[str, longtables.Cut] = {}   # and their cuts
        self.table_cuts: dict[str, longtables.Cut] = {}      # this build's: first tried, then as found
        self._salt: str | None = None
        self.cut_tables: list[str] = []           # this build's
        self.layouts = 0         # whole-document layouts of a final build
        self.measured = 0        # chapters laid out to measure their long tables (cached ones not counted)
        self.variant = PDF_A if archive else PDF_UA   # the final PDF is tagged either way
        self.laid_out: tuple[int, int] | None = None   # pieces laid out / pieces, for a draft
        self.warnings: list[ReportWarning] = []
        self.timings: dict[str, float] = {}

    # --- stages -------------------------------------------------------------------------------
    def run(self) -> BuildResult:
        """The six stages; every output is written in a staging folder and swapped in at the end.

        The final PDF (or the draft, or the proof) and its HTML, the tables' CSV and workbook, the web edition
        and the build stamp are all written beside their targets (:class:`~reportgen.files.Staging`),
        then put in place together: a failure anywhere, or Ctrl+C, leaves the previous ones as
        they were. A system error (disk full, no right to write) becomes one French message.
        """
        try:
            return self._run()
        except OSError as exc:
            raise os_error(exc, self.paths.out, outputs_kept=True) from None

    def _run(self) -> BuildResult:
        started = time.perf_counter()
        self._stage(1)
        remove_stale(self.paths.out)      # what a build killed while writing left behind
        stamp = self._out(self.paths.out / STAMP)
        inputs = self._inputs()
        reused = None if os.environ.get("REPORTGEN_NO_CACHE") else self._reuse(stamp, inputs)
        if reused:
            return reused
        self._last_cut_tables = self._cut_tables_of(stamp)
        self._last_cuts = self._cuts_of(stamp)
        edition = self.read()
        manifest, layout, store = edition.manifest, edition.layout, edition.store
        self._store = store
        self.warnings += yearly.restated(self.project, self.paths, store)
        placeholders = yearly.placeholders(self.paths)
        missing = [f"{path.name}:{line} (« {key} »)" for path, key, line in placeholders] + store.missing()
        if missing and not self.draft:   # named by the first file that holds one, the others listed
            first, line = (placeholders[0][0], placeholders[0][2]) if placeholders else (self.paths.data, None)
            raise DataError(f"{len(missing)} valeur(s) encore « à renseigner », dont : "
                            + " ; ".join(missing[:5]), first, line,
                            hint=f"« reportgen status {self.paths.name} » les liste toutes ; "
                                 "« reportgen build --draft » produit un PDF de travail qui les signale")
        self._stage(2)
        self.table_cuts = self._start_cuts(edition) if self.pieces else {}
        chart_data = self.compute(edition, self.table_cuts)
        self._screen_charts = {}
        if not self.draft:   # the web edition shows each chart drawn again for a phone's width (beside the PDF)
            theme = manifest.theme.model_dump()
            self._screen_charts = {charts_mod.file_name(narrow, theme): narrow for narrow in
                                   map(charts_mod.for_screen, chart_data.values())}
        self._stage(3, f"({len(chart_data)})")
        chart_files = self.draw_charts(chart_data, manifest, layout, keep=set(self._screen_charts))
        chart_data = {**chart_data, **self._screen_charts}
        self._stage(4)
        html = self.render_html(edition)
        html_path = self._out(self.paths.html)    # the name messages give; written with the other outputs
        if self.strict and self.warnings:
            raise self.warnings[0]
        self._stage(5)
        pdf = self._out(self.paths.pdf)
        web_page = None
        with Staging(self.paths.out) as staging, image_names_from(self.project.root):
            self._html_file = staging.path(html_path)
            write_text(self._html_file, html)
            staged_pdf, beside = staging.path(pdf), None
            if not self.draft:   # the open data and the web edition: made while the PDF is laid out
                for folder in ("donnees", "html"):     # registered here: swapped in after the PDF, before the stamp
                    staging.path(self.paths.out / folder)
                if self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
                    beside = Beside(lambda: self.write_beside(edition, staging, staged_pdf))
            try:
                if self.pieces:
                    pages = self._lay_out_in_pieces(html, html_path, edition, target=staged_pdf)
                else:
                    pages = self._lay_out_whole(html, html_path, edition, target=staged_pdf)
                    sourcemap.stage(self._document, edition, self.paths, staging, pdf, proof=self.proof)
                if not self.draft:
                    start = time.perf_counter()
                    if beside is None or not beside.done():   # else done here, where an error has its message
                        self.write_beside(edition, staging)
                    web_page = self.paths.out / "html" / "index.html"
                    self.timings["web"] = round(time.perf_counter() - start, 3)
            finally:
                if beside is not None:
                    beside.cancel()
            # « seconds »: what this build took, so that « build -j » starts the longest edition first
            write_text(staging.path(stamp), json.dumps({"inputs": inputs, "pages": pages,
                                                        "seconds": round(time.perf_counter() - started, 1),
                                                        "charts": sorted(chart_data),
                                                        "cut_tables": self.cut_tables,
                                                        "cuts": self._cuts_record(edition),
                                                        "warnings": [str(w) for w in self.warnings]}))
            staging.commit()      # the stamp last: it vouches for the outputs swapped before it
        self._stage(0)
        del chart_files
        return BuildResult(self.paths.name, pdf, html_path, pages, self.warnings, self.timings, web=web_page)

    def write_beside(self, edition: Edition, staging: Staging, pdf: Path | None = None) -> None:
        """What a final PDF has beside it, written in ``staging``: the printed tables as CSV and
        XLSX (``donnees/``), and the web edition (``html/``) with its charts drawn for a phone. With ``pdf``, this runs while that PDF
        is being laid out (:class:`Beside`): the web pages wait for it only to give its size."""
        manifest = edition.manifest
        theme = manifest.theme.model_dump()
        for target, narrow in self._undrawn(self._screen_charts):    # the web's charts, for a phone's width
            charts_mod.draw(narrow, target, theme, edition.layout.fonts)
        exports.export_tables(
            {t: edition.store.tables[t] for t in self._directives.table_uses},
            staging.path(self.paths.out / "donnees"), self.paths.pdf.stem,
            chapters=exports.table_chapters(edition.chapters), about=exports.About.of(manifest))
        self.write_web(edition, staging, pending=pdf)

    def write_web(self, edition: Edition, staging: Staging, pending: Path | None = None) -> Path:
        """``build/<edition>/html/``, written in ``staging``: the chapters again, in the web layout.

        The PDF and the workbook offered for download are the new ones, from ``staging``; with
        ``pending``, the PDF is still being laid out: the pages are made, then wait for it.
        """
        from .render import web

        manifest = edition.manifest
        layout = load_layout(self.project.layout_roots, manifest.layout, self.paths.content / "layout", medium="web")
        charts = web.Charts(self.paths.out, manifest.theme.model_dump())
        known = len(self.warnings)
        self.compute(replace(edition, layout=layout), svg_of=charts)
        del self.warnings[known:]      # the same chapters: their warnings are already counted
        assets = web.plan_assets(layout.stylesheets, layout.folders)
        pdf = staging.path(self.paths.pdf)
        workbook = staging.path(self.paths.out / "donnees") / f"{self.paths.pdf.stem}-tableaux.xlsx"
        downloads = [web.Download(pdf, "Le rapport en PDF", "PDF", pending=pending is not None)]
        if workbook.exists():
            downloads.append(web.Download(workbook, "Les tableaux en classeur", "XLSX"))
        package = workbook.with_name(f"{self.paths.pdf.stem}-donnees.zip")
        if package.exists():
            downloads.append(web.Download(package, "Les tableaux en données ouvertes (CSV et description, "
                                          f"{manifest.open_data.licence_terms[1]})", "ZIP"))
        pages = web.render_pages(layout, edition=manifest, front=edition.front, parts=edition.parts, back=edition.back,
                                 theme=manifest.theme, downloads=downloads, proof=None,
                                 stylesheets=[href for src, href in assets if src.suffix == ".css"])
        return web.write_edition(pages, charts, self.paths.out, staging.path(self.paths.out / "html"), assets,
                                 downloads, wait=None if pending is None else lambda: wait_for(pending))

    def _lay_out_whole(self, html, html_path, edition: Edition, *, target: Path) -> int:
        """The final build: one WeasyPrint document, so tags, links and bookmarks are its own.

        The tables cut in the last build are measured first within their own chapters (taken
        from the piece cache when unchanged), so that the whole document is usually laid out
        once, with its cuts, instead of once without them and once again with them.
        """
        breaks: dict[str, longtables.Cut] = {}
        if self._last_cut_tables and not os.environ.get("REPORTGEN_NO_CACHE"):
            assembler, uses = self._assembler(edition, html_path), set(self._last_cut_tables)
            for _ in range(3):     # as below, but chapter by chapter: a cut moves the tables after it
                measured, laid_out = assembler.measure(html, uses)
                self.measured += laid_out
                if same_cuts(measured, breaks):
                    break
                breaks, uses = measured, uses | set(measured)
                html = self._again(breaks, html_path, edition)
        document, warnings = layout_document(html, self.paths.out, self.project.readable, html_path)
        self.layouts = 1
        for _ in range(3):   # tables over several pages: cut them where the pages fall, lay out again
            found = longtables.find_breaks(document, edition.store.tables)
            if same_cuts(found, breaks):
                break        # a cut above moves what follows: repeat until nothing moves
            breaks = found
            html = self._again(breaks, html_path, edition)
            document, warnings = layout_document(html, self.paths.out, self.project.readable, html_path)
            self.layouts += 1
        self.table_cuts = breaks
        self.cut_tables = sorted(breaks)
        self.warnings += warnings
        self.warnings += preflight.check_pages(document, html_path, locator(edition.chapters))
        if self.strict and self.warnings:
            raise self.warnings[0]
        self._stage(6, f"({len(document.pages)} pages)")
        write_pdf_atomically(document, target, variant=self.variant)
        self._document = document      # for the source map (reportgen.pdf.sourcemap)
        return len(document.pages)

    def _lay_out_in_pieces(self, html, html_path, edition: Edition, *, target: Path) -> int:
        """Each top-level section laid out apart, in parallel, unchanged ones from the cache; for the
        final PDF, each piece tagged and the structure trees merged (:mod:`reportgen.pdf.segments`)."""
        assembler = self._assembler(edition, html_path, variant=None if self.draft else self.variant)
        breaks = self.table_cuts    # the last build's cuts of tables unchanged since: often right at once
        laid_out = 0
        for attempt in range(4):
            # a piece whose tables are not cut as they should be is measured, not written (segments)
            result = assembler.render(html, target, always=attempt == 3)
            laid_out += result.laid_out
            if same_cuts(result.cuts, breaks):
                if result.assembled:
                    break
                continue
            breaks = result.cuts
            html = self._again(breaks, html_path, edition)
        assembler.prune()
        self.table_cuts = breaks
        self.cut_tables = sorted(breaks)
        self.warnings += result.warnings
        self.laid_out = (laid_out, result.pieces)
        self._stage(6, f"({result.pages} pages)")
        if self.strict and self.warnings:
            raise self.warnings[0]
        return result.pages

    def _assembler(self, edition: Edition, html_path: Path, variant: str | None = None):
        """The pieces laid out apart and cached (``build/<edition>/pieces/``): the draft's, and the
        final build's measure of its long tables."""
        from .pdf.segments import Assembler

        # the draft's pieces and the final's (tagged) apart: each build prunes its own
        cache = self.paths.out / ("pieces-final" if variant else "pieces")
        return Assembler(cache, self.paths.out, self.project.readable, html_path,
                         edition.store.tables, workers=self.workers, fingerprint=self._layouts_stamp,
                         locate=locator(edition.chapters), variant=variant)

    def _again(self, breaks, html_path, edition: Edition) -> str:
        """The HTML again, with the long tables cut as measured."""
        known = len(self.warnings)
        self.compute(edition, breaks)
        del self.warnings[known:]
        html = self.render_html(edition)
        write_text(self._html_file, html)    # in the staging folder, as the first one
        return html

    def _stage(self, number: int, detail: str = "") -> None:
        now = time.perf_counter()
        if hasattr(self, "_current"):
            name, start = self._current
            self.timings[name] = round(now - start, 3)
        if number:
            self._current = (STAGES[number - 1], now)
            self.progress.stage(number, STAGES[number - 1], detail)

    def read(self) -> Edition:
        """Stage 1: everything is read and validated before anything is written."""
        from . import paths as paths_mod
        from .errors import ConfigError

        manifest, warnings = load_manifest(self.paths.manifest)
        self.warnings += warnings
        edition_layout = self.paths.content / "layout"
        layout = load_layout(self.project.layout_roots, manifest.layout, edition_layout)
        store = DataStore.load(self.paths.data)
        used_files: set[Path] = set()

        def chapters(refs, prefix: str) -> list[Chapter]:
            out = []
            for ref in refs:
                names = [ref] if isinstance(ref, str) else list(ref)
                files = [self.paths.content / n for n in names]
                for name, f in zip(names, files):
                    # checked with its line by load_manifest; again here, whoever made the manifest
                    found = paths_mod.inside(name, self.paths.content, [self.paths.content], self.paths.manifest,
                                             None, "chapitre", ConfigError,
                                             place=paths_mod.edition_place(self.paths.content))
                    if found in used_files:
                        raise ConfigError(f"chapitre « {name} » cité deux fois : un fichier n'est imprimé qu'une "
                                          "fois", self.paths.manifest, _repeated_line(self.paths.manifest, name),
                                          hint="retirez l'une des deux mentions")
                    used_files.add(found)
                out.append(read_chapter(files, f"{prefix}{Path(names[0]).stem}"))
            return out

        front = chapters(manifest.front, "")
        parts = []
        count = manifest.style.first_part_number    # a part with « number: false » does not count
        for n, part in enumerate(manifest.parts, manifest.style.first_part_number):
            number = count if manifest.part_numbering == "arabic" and part.number else None
            count += number is not None
            parts.append(Part(part.title, number, chapters(part.chapters, ""), f"partie-{n}", divider=part.divider,
                              photo=part.photo, caption=part.caption, photo_alt=part.photo_alt,
                              photo_credit=part.photo_credit, intro=_intro_html(part.intro or part.summary),
                              label="" if number is None else str(number).zfill(manifest.style.part_number_width)))
        if manifest.chapters:   # a report without parts: its chapters stand at the first level
            parts.append(Part("", None, chapters(manifest.chapters, ""), "chapitres", kind="chapters",
                              divider=False))
        _number_chapters(manifest.style, parts)
        if manifest.annexes:
            annexes = manifest.annexes
            parts.append(Part(annexes.title, None, chapters(annexes.chapters, ""), "annexes", kind="annexes",
                              divider=annexes.divider, photo=annexes.photo, caption=annexes.caption,
                              photo_alt=annexes.photo_alt, photo_credit=annexes.photo_credit,
                              intro=_intro_html(annexes.intro or annexes.summary)))
        _colour_dividers(manifest, parts)
        manifest = self._photos(manifest, parts)
        back = chapters(manifest.back, "")
        for chapter_path in sorted(self.paths.content.glob("*.md")):
            if chapter_path.resolve() not in used_files:
                self.warnings.append(ReportWarning("fichier non cité dans edition.yml : il n'est pas imprimé",
                                                   chapter_path))
        for i, part in enumerate(parts):
            for chapter in part.chapters:
                chapter.part = i
        for chapter in every_chapter(front, parts, back):
            if chapter.meta.get("review"):   # carried over from last year: a warning, an error if strict
                self.warnings.append(ReportWarning(
                    f"chapitre à relire (« review: {chapter.meta['review']} ») : retirez la ligne une fois "
                    "le texte mis à jour", chapter.files[0], 2))
        return Edition(manifest, layout, store, front, parts, back)

    def _photos(self, manifest: Manifest, parts: list[Part]) -> Manifest:
        """Photos that are there are printed with their caption and credit; the others, nothing.

        A part's caption and credit, and the manifest's photo credits (« Crédits photos : … »,
        see :data:`PHOTO_CREDIT`), go with a photo: without one they are not printed, and one
        warning lists what was left out. Paths become relative to the document.
        """
        from .errors import ConfigError
        from .yamlio import line_of, load_yaml

        folder = self.paths.content
        raw = load_yaml(self.paths.manifest, ConfigError)
        raw = raw if isinstance(raw, dict) else {}
        left_out: list[str] = []
        lines: list[int | None] = []
        captions: list[int | None] = []

        def there(src: str) -> str:
            """The photo's address from the document, or "" when its file is absent."""
            if src and (folder / src).is_file():
                return Path(os.path.relpath(folder / src, self.paths.out)).as_posix()
            return ""

        written = raw.get("parts") if isinstance(raw.get("parts"), list) else []
        mappings = {p.id: m for p, m in zip([p for p in parts if p.kind == "part"], written)}
        if parts and parts[-1].kind == "annexes":
            mappings[parts[-1].id] = raw.get("annexes")
        for part in parts:
            src = there(part.photo)
            mapping = mappings.get(part.id) if isinstance(mappings.get(part.id), dict) else {}
            if part.photo and not src:
                left_out.append(f"la photo « {part.photo} »")
                lines.append(line_of(mapping, "photo"))
            if part.caption and not src:
                captions.append(line_of(mapping, "caption"))
            part.photo = src
            if not src:
                part.caption = part.photo_credit = part.photo_alt = ""
        if captions:
            left_out.append(f"{len(captions)} légende(s) d'intercalaire")
            lines += captions
        cover = there(manifest.cover_photo)
        if manifest.cover_photo and not cover:
            left_out.append(f"la photo de couverture « {manifest.cover_photo} »")
            lines.append(line_of(raw, "cover_photo"))
        photographed = bool(cover) or any(p.photo for p in parts) or any(
            path.suffix.lower() in PHOTO_FILES for path in folder.rglob("*")
            if "layout" not in path.relative_to(folder).parts)
        credits = [c for c in manifest.credits if photographed or not PHOTO_CREDIT.match(c)]
        if len(credits) < len(manifest.credits):
            left_out.append(f"{len(manifest.credits) - len(credits)} crédit(s) photo")
            lines.append(line_of(raw, "credits"))
        if left_out:
            self.warnings.append(ReportWarning(
                "non imprimé faute de photo : " + ", ".join(left_out),
                self.paths.manifest,
                next((n for n in lines if n), None),
                hint="placez la photo dans le dossier de l'édition, ou retirez ces lignes du manifeste"))
        return manifest.model_copy(update={"cover_photo": cover, "credits": credits})

    def compute(self, edition: Edition, table_breaks: dict[str, longtables.Cut] | None = None,
                problems: list[ReportError] | None = None, svg_of=None):
        """Stage 2: directives resolved against the data; chapters become HTML.

        With ``problems``, a chapter that fails is noted there and the others go on.
        """
        manifest = edition.manifest
        directives = Directives(edition.store, edition.layout, manifest, self.paths.content, self.warnings,
                                self.paths.out)
        directives.table_breaks = table_breaks or {}
        directives.proof = self.proof
        directives.svg_of = svg_of
        context = {"edition": {"year": manifest.year, "organisation": manifest.organisation,
                               "caisse": manifest.caisse}}
        renderer = ContentRenderer(directives.functions(), self.project.root, context)
        for chapter in edition.chapters:
            try:
                renderer.render(chapter)
            except ReportError as exc:
                if problems is None:
                    raise
                problems.append(exc)
        self._directives = directives
        return directives.used_charts

    def check(self) -> list[ReportError]:
        """Everything a build validates, without laying out: every problem, then the warnings.

        Returns the errors (empty when the edition would build); warnings are in ``self.warnings``.
        """
        problems: list[ReportError] = []
        try:
            edition = self.read()
        except ReportError as exc:      # every bad cell of every table, each on its own line
            return list(getattr(exc, "errors", [exc]))
        manifest, store = edition.manifest, edition.store
        self.warnings += yearly.restated(self.project, self.paths, store)
        problems += [ConfigError(f"« {key} » encore « à renseigner »", path, line)
                     for path, key, line in yearly.placeholders(self.paths)]
        problems += [DataError("valeur encore « à renseigner »", self.paths.data / place.split(" ")[0])
                     for place in store.missing()]
        self.compute(edition, problems=problems)
        problems = [p for problem in problems for p in getattr(problem, "errors", [problem])]   # each directive
        used_tables = set(self._directives.table_uses)
        used_tables |= {str(c.raw.get("table")) for c in store.charts.values() if c.raw.get("table")}
        used_tables |= {ref.split(".")[0] for ref in store.used}
        for name, table in sorted(store.tables.items()):
            if name not in used_tables:
                self.warnings.append(ReportWarning(f"tableau « {name} » jamais imprimé", table.path,
                                                   hint="placez-le avec {{ table(\"" + name + "\") }} ou retirez-le"))
        problems += lint.unknown_rules(manifest.lint.disable, self.paths.manifest)
        self.warnings += [f.warning() for f in lint.lint_edition(self.paths.content, manifest.lint.disable, store,
                                                                 units=manifest.lint.units)]
        if not problems:
            try:
                self.render_html(edition)
            except ReportError as exc:
                problems.append(exc)
        return problems

    def draw_charts(self, used: dict[str, charts_mod.ChartData], manifest: Manifest, layout: Layout,
                    keep: set[str] = frozenset()):
        """Stage 3: draw each chart used, unless an identical one was drawn before.

        Charts are independent, so several are drawn at once in forked workers
        (forking keeps matplotlib imported once); one chart is drawn in process. The others
        in the folder are removed, but those of ``keep`` (the web's, drawn beside the PDF).
        """
        theme = manifest.theme.model_dump()
        out = self.paths.out / "charts"
        out.mkdir(parents=True, exist_ok=True)
        no_cache = bool(os.environ.get("REPORTGEN_NO_CACHE"))   # the benchmark's baseline
        todo = self._undrawn(used)
        done = len(used) - len(todo)
        workers = 1 if no_cache else min(len(todo), self.workers, 4)   # under « build -j », the cores left
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            from concurrent.futures import ProcessPoolExecutor, as_completed

            charts_mod.preload(layout.fonts)      # once here, not once in each worker
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                futures = [pool.submit(charts_mod.draw, data, target, theme, layout.fonts)
                           for target, data in todo]
                for future in as_completed(futures):
                    future.result()
                    done += 1
                    self.progress.step(done, len(used))
        else:
            for target, data in todo:
                charts_mod.draw(data, target, theme, layout.fonts)
                done += 1
                self.progress.step(done, len(used))
        keep = {Path(name).name for name in [*used, *keep]}
        for old in out.glob("*.svg"):
            if old.name not in keep:
                old.unlink()
        return [self.paths.out / name for name in used]

    def _undrawn(self, used: dict[str, charts_mod.ChartData]) -> list[tuple[Path, charts_mod.ChartData]]:
        """The charts to draw: those not drawn before (all of them for the benchmark's baseline)."""
        no_cache = bool(os.environ.get("REPORTGEN_NO_CACHE"))
        return [(self.paths.out / name, data) for name, data in sorted(used.items())
                if no_cache or not (self.paths.out / name).exists()]

    def render_html(self, edition: Edition) -> str:
        """Stage 4: the whole document, one HTML file."""
        manifest, layout = edition.manifest, edition.layout
        out = self.paths.out
        # relative links keep the HTML independent of where the project lives
        sheets = [Path(os.path.relpath(s, out)).as_posix() for s in layout.stylesheets]
        proof = None
        if self.proof:
            proof = {"date": time.strftime("%d/%m/%Y %H:%M"), "version": self._version(),
                     "missing": self._store.missing(),
                     "review": [f"{c.files[0].name} : {c.meta['review']}"
                                for c in edition.chapters if c.meta.get("review")],
                     "warnings": [str(w) for w in self.warnings]}
        return layout.render("document.html", edition=manifest, front=edition.front, parts=edition.parts,
                             back=edition.back, theme=manifest.theme, stylesheets=sheets, proof=proof)

    def _inputs(self) -> str:
        """A fingerprint of all a build reads: the edition, the caisse's theme, the layouts, the code, the options."""
        self._layouts_stamp = self._fingerprint(self.project.layout_roots)   # also keys the draft's pieces
        theme = theme_file(self.paths.manifest)
        self._theme_stamp = f"{theme.stat().st_size}:{theme.stat().st_mtime_ns}" if theme.is_file() else ""
        self._code_stamp = self._fingerprint([Path(__file__).parent])
        return self._fingerprint([self.paths.content, self.paths.data],
                                 f"{self.strict}{self.draft}{self.proof}{self.variant}{self._layouts_stamp}"
                                 f"{self._theme_stamp}{self._code_stamp}")

    @property
    def _cuts_salt(self) -> str:
        """What a long table's widths and heights depend on besides its rows: the last build's cuts
        of an unchanged table are tried first only when none of it changed (see _start_cuts)."""
        if self._salt is None:
            own_layout, manifest = self.paths.content / "layout", self.paths.manifest.stat()
            self._salt = self._fingerprint(
                [own_layout] if own_layout.is_dir() else [],
                f"{self.draft}{self.proof}{self.variant}{self._layouts_stamp}{self._theme_stamp}{self._code_stamp}"
                f"{manifest.st_size}:{manifest.st_mtime_ns}{importlib.metadata.version('weasyprint')}")
        return self._salt

    @staticmethod
    def _fingerprint(folders: list[Path], options: str = "") -> str:
        digest = hashlib.sha256(options.encode())
        for folder in folders:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()

    @staticmethod
    def _cut_tables_of(stamp: Path) -> set[str]:
        """The table uses the last build cut across pages, as its stamp says; none when unknown."""
        try:
            return set(json.loads(stamp.read_text(encoding="utf-8")).get("cut_tables") or [])
        except (OSError, ValueError, AttributeError):
            return set()

    @staticmethod
    def _cuts_of(stamp: Path) -> dict[str, longtables.Cut]:
        """The cuts of the last build's long tables, each with its table's fingerprint."""
        try:
            found = json.loads(stamp.read_text(encoding="utf-8")).get("cuts") or {}
            return {use: longtables.Cut(*cut) for use, cut in found.items()}
        except (OSError, ValueError, AttributeError, TypeError):
            return {}

    def _fingerprint_of(self, edition: Edition, use: str) -> str:
        table = edition.store.tables.get(use.rsplit(":", 1)[0])
        return longtables.fingerprint(table, self._cuts_salt) if table is not None else ""

    def _start_cuts(self, edition: Edition) -> dict[str, longtables.Cut]:
        """The last build's cuts of the tables that have not changed since (nor the layouts, the
        theme or the kind of build): laid out with them first, the report is usually right at
        once; any cut that no longer holds is found by that layout (:mod:`reportgen.pdf.longtables`)."""
        return {use: cut for use, cut in self._last_cuts.items()
                if cut.fingerprint and cut.fingerprint == self._fingerprint_of(edition, use)}

    def _cuts_record(self, edition: Edition) -> dict[str, list]:
        """This build's cuts for the stamp, each with its table's fingerprint."""
        return {use: [cut.rows, cut.widths, cut.width, self._fingerprint_of(edition, use)]
                for use, cut in sorted(self.table_cuts.items())}

    def up_to_date(self) -> tuple[BuildResult | None, str]:
        """(the last build's result if nothing it read has changed since, else None; the
        fingerprint of the inputs now): what a build would reuse, without building."""
        inputs = self._inputs()
        if os.environ.get("REPORTGEN_NO_CACHE"):
            return None, inputs
        return self._reuse(self._out(self.paths.out / STAMP), inputs), inputs

    def _reuse(self, stamp: Path, inputs: str) -> BuildResult | None:
        """Nothing read by the build has changed since the last one of its kind: its outputs stand.

        The final build, the draft and the proof each have their own stamp and PDF.
        """
        pdf = self._out(self.paths.pdf)
        try:
            last = json.loads(stamp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if last.get("inputs") != inputs or not pdf.exists() or pdf.stat().st_mtime < stamp.stat().st_mtime - 5:
            return None
        if not all((self.paths.out / name).exists() for name in last.get("charts", [])):
            return None   # a chart file was removed: it is drawn again
        if not self.draft and not (self.paths.out / "donnees").is_dir():
            return None   # the tables' CSV and workbook were removed: they are written again
        web_page = self.paths.out / "html" / "index.html"
        if not self.draft and not web_page.exists():
            return None   # the web edition was removed: it is written again
        self._stage(0)
        warnings = [ReportWarning(w) for w in last.get("warnings", [])]
        return BuildResult(self.paths.name, pdf, self._out(self.paths.html), last["pages"], warnings,
                           self.timings, reused=True, web=None if self.draft else web_page)

    def _out(self, path: Path) -> Path:
        return output_path(path, draft=self.draft, proof=self.proof)

    def _version(self) -> str:
        """A short fingerprint of the edition's content and data: two proofs of one state agree."""
        digest = hashlib.sha256()
        for folder in (self.paths.content, self.paths.data):
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
        return digest.hexdigest()[:10]


def _repeated_line(manifest: Path, name: str) -> int | None:
    """The line of edition.yml where ``name`` is written for the last time (its repetition)."""
    try:
        text = manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = list(re.finditer(rf"(?<![\w./-]){re.escape(name)}(?![\w./-])", text))
    return text.count("\n", 0, found[-1].start()) + 1 if found else None


# a line of « credits: » about photos (« Crédits photos : … », « Photos : … », « © Photo … »):
# printed only when the edition has a photo
PHOTO_CREDIT = re.compile(r"\s*(©\s*)?((crédits?|credits?)\s+)?photo", re.IGNORECASE)
PHOTO_FILES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff"}


def _intro_html(text: str) -> str:
    """A part's introduction (``intro:``): its Markdown as typeset HTML; HTML written in it prints as text."""
    if not text.strip():
        return ""
    return Markup(markdown_to_html(escape(text, quote=False)))


def _colour_dividers(manifest: Manifest, parts: list[Part]) -> None:
    """Each divider page, in order, takes the next colour of the theme's « chapters »."""
    n = 0
    for part in parts:
        if part.divider and part.title:
            part.colour = manifest.theme.colour(n)
            n += 1
        if manifest.style.chapter_dividers:
            for chapter in part.chapters:
                if chapter.label:
                    part.chapter_colours[chapter.id] = manifest.theme.colour(n)
                    n += 1


def _number_chapters(style, parts) -> None:
    """« Chapitre 1 »… through the report, or A, B… within each part of several chapters."""
    numbering = style.chapter_numbering
    if numbering == "none" and style.chapter_label:
        numbering = "arabic"
    if numbering == "none":
        return
    n = 0
    for part in parts:
        if part.kind == "annexes":
            continue
        if numbering == "letters" and len(part.chapters) < 2:
            continue     # a part of one chapter has no A
        for k, chapter in enumerate(part.chapters):
            n += 1
            number = str(n) if numbering == "arabic" else chr(ord("A") + k) if k < 26 else str(k + 1)
            chapter.label = f"{style.chapter_label} {number}".strip()


def check(project: Project, edition: str, strict: bool = False) -> tuple[list[ReportError], list[ReportWarning]]:
    """Validate one edition without producing its PDF: (errors, warnings)."""
    builder = Builder(project, edition, strict=strict)
    problems = builder.check()
    return problems, builder.warnings


def output_path(path: Path, *, draft: bool = False, proof: bool = False) -> Path:
    """A proof or a draft is written beside the final PDF (and its HTML, its stamp), never over it."""
    if proof:
        return tagged(path, PROOF)
    return tagged(path, DRAFT) if draft else path


def longest_first(project: Project, names: list[str]) -> list[str]:
    """The editions by the time their last build took (its stamp), longest first; never built: first of all."""
    def cost(name: str) -> float:
        stamp = project.edition(name).out / STAMP
        try:
            return float(json.loads(stamp.read_text(encoding="utf-8"))["seconds"])
        except (OSError, ValueError, KeyError, TypeError):
            return float("inf")

    return sorted(names, key=lambda name: -cost(name))


def build(project: Project, edition: str, progress: Progress | None = None,
          strict: bool = False, draft: bool = False, proof: bool = False, workers: int | None = None,
          archive: bool = False) -> BuildResult:
    """Build one edition; raises :class:`ReportError` with the place of the first problem.

    ``proof`` writes a reviewer's proof beside the PDF (``…-epreuve.pdf``) instead.
    """
    return Builder(project, edition, progress, strict, draft, proof, workers, archive).run()


__all__ = ["Builder", "BuildResult", "Edition", "build", "STAGES", "ReportError", "DataError"]
