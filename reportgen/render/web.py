"""The web edition: the same report as one accessible, responsive HTML page.

``build/<edition>/html/`` is a folder that can be published as it is: ``index.html``, its
accessibility statement ``accessibilite.html`` (RGAA), the stylesheets, fonts and images they
use under ``assets/`` and ``images/``, the PDF and the tables' workbook to download. Nothing in
it points outside it.

The page is rendered by the layout for the ``web`` medium (``web/`` templates first, see
:mod:`reportgen.render.layout`), from the chapters' HTML computed again without the print's table
cuts. This module then finishes what a template cannot see whole:

- page footnotes become numbered notes at the end of their chapter, linked both ways;
- each table sits in a scroll container (made focusable by the page's script when it
  scrolls) and its title row becomes its ``<caption>``;
- images are copied beside the page;
- each chart is inlined as SVG with a ``<title>`` and ``<desc>``, its ids made unique.
"""
from __future__ import annotations

import hashlib
import html as html_mod
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from markupsafe import Markup

from .. import french, paths
from .charts import file_name, for_screen
from ..errors import LayoutError

MARKER = "rg-svg"     # where a chart's SVG goes, until the page is serialised


PENDING_SIZE = "\ue000taille\ue000"   # a download's size, while the file is still being made


@dataclass
class Download:
    source: Path
    label: str            # « Le rapport en PDF »
    kind: str             # « PDF », « XLSX »
    pending: bool = False  # the file is still being made: its size is filled in by :func:`write_edition`

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def size(self) -> str:
        """« 2,3 Mo », « 850 ko »."""
        if self.pending:
            return PENDING_SIZE
        size = self.source.stat().st_size
        if size >= 1_000_000:
            return french.format_number(round(size / 1_000_000, 1), 1) + "\u00a0Mo"
        return french.format_number(max(1, round(size / 1000))) + "\u00a0ko"


class Charts:
    """The SVG of each chart placed on the page, inlined after the page is finished."""

    def __init__(self, out_dir: Path, theme: dict):
        self.out_dir = out_dir
        self.theme = theme
        self.svgs: list[str] = []

    def __call__(self, chart, src: str) -> Markup:
        """Called by the web chart template: a marker now, the chart's SVG at serialisation.

        Two drawings are inlined: the printed one, and one drawn for a phone's width
        (:func:`reportgen.render.charts.for_screen`); the stylesheet shows one of them.
        """
        n = len(self.svgs) + 1
        drawings = []
        for look, name in (("wide", src), ("narrow", file_name(for_screen(chart), self.theme))):
            try:
                svg = (self.out_dir / name).read_text(encoding="utf-8")
            except OSError:
                raise LayoutError(f"graphique « {chart.id} » non dessiné : {name} manque") from None
            drawings.append(inline_svg(svg, f"g{n}{look[0]}-{chart.id}", chart.title, chart.alt_text(),
                                       f"chart-svg--{look}"))
        self.svgs.append("".join(drawings))
        return Markup(f'<{MARKER} data-n="{n}"></{MARKER}>')

    def fill(self, page: str) -> str:
        return re.sub(rf'<{MARKER} data-n="(\d+)"></{MARKER}>', lambda m: self.svgs[int(m[1]) - 1], page)


def inline_svg(svg: str, prefix: str, title: str, desc: str, look: str = "") -> str:
    """A matplotlib SVG made fit to sit in a page: named, described, its ids unique, fluid."""
    svg = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    opening = re.search(r"<svg\b[^>]*>", svg)
    if not opening:
        raise LayoutError(f"graphique « {prefix} » : SVG illisible")
    tag = re.sub(r'\s(width|height)="[^"]*"', "", opening[0])
    classes = f"chart-svg {look}".strip()
    tag = tag.replace("<svg", f'<svg class="{classes}" role="img" focusable="false" '
                              f'aria-labelledby="{prefix}-titre" aria-describedby="{prefix}-desc"', 1)
    named = (f'<title id="{prefix}-titre">{html_mod.escape(title)}</title>'
             f'<desc id="{prefix}-desc">{html_mod.escape(desc)}</desc>')
    return (svg[:opening.start()] + tag + named + svg[opening.end():]).strip()


# --- the pages: the report, and its accessibility statement -------------------------------------
REPORT_PAGE, STATEMENT_PAGE = "index.html", "accessibilite.html"
PAGES = {REPORT_PAGE: "document.html", STATEMENT_PAGE: "accessibility.html"}     # page: its template


@dataclass(frozen=True)
class Notice:
    """What the footer's legal notice and the accessibility statement say, from the manifest.

    The manifest's ``web:`` block (:class:`reportgen.edition.config.Web`) with its defaults filled in
    and its dates and rates set in French. The compliance is never more than the manifest
    states: without an audit, « non conforme ».
    """

    settings: object                 # config.Web
    publisher: str                   # the organisation, unless the manifest names another
    director: str                    # « Nom, fonction »: the signatory, unless named
    published: str                   # « 28 juin 2024 », or « » when not given
    drawn_up: str                    # the statement's date, or « »
    audit_date: str = ""
    rate: str = ""                   # « 82,5 % »
    average: str = ""

    @property
    def level(self) -> str:
        """none, partial or full."""
        return self.settings.accessibility.level

    @property
    def label(self) -> str:
        """« non conforme », « partiellement conforme », « totalement conforme »."""
        return self.settings.accessibility.label

    @property
    def tel(self) -> str:
        """The contact's phone number as a ``tel:`` link writes it: its digits."""
        return re.sub(r"[^\d+]", "", self.settings.contact.phone)


def _percent(value: float) -> str:
    decimals = 0 if value == int(value) else len(f"{value:g}".partition(".")[2])
    return french.format_number(value, decimals) + "\u00a0%"


def notice(manifest) -> Notice:
    """The :class:`Notice` of an edition's manifest."""
    settings = manifest.web
    audit = settings.accessibility.audit
    signatory = manifest.signatory
    return Notice(
        settings=settings,
        publisher=settings.publisher or manifest.organisation,
        director=settings.director or ", ".join(p for p in (signatory.name, signatory.role) if p),
        published=french.format_date(settings.published),
        drawn_up=french.format_date(settings.accessibility.date),
        audit_date=french.format_date(audit.date) if audit else "",
        rate=_percent(audit.rate) if audit else "",
        average=_percent(audit.average) if audit and audit.average is not None else "",
    )


def render_page(layout, page: str, **context) -> str:
    """One page of the web edition (a name of :data:`PAGES`), rendered by the layout's web templates.

    ``context`` holds what the templates use (``edition``, the manifest; ``theme``, ``stylesheets``,
    ``downloads``, and for the report its chapters); the footer's notice and the pages' names
    are added here.
    """
    return layout.render(PAGES[page], **context, notice=notice(context["edition"]), report_page=REPORT_PAGE,
                         statement_page=STATEMENT_PAGE)


def render_pages(layout, **context) -> dict[str, str]:
    """Each page of the web edition (:data:`PAGES`): file name → HTML."""
    return {page: render_page(layout, page, **context) for page in PAGES}


# --- the finishing touches ----------------------------------------------------------------------
def finish(page: str, charts: Charts, out_dir: Path, target: Path) -> str:
    """Notes, tables, images and charts: the served page from the rendered template."""
    doc = lxml.html.document_fromstring(page)
    _footnotes(doc)
    _tables(doc)
    _images(doc, out_dir, target)
    text = lxml.html.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode")
    return charts.fill(text)


def _footnotes(doc) -> None:
    """Each page footnote becomes a call in the text and a note at the end of its chapter.

    The call is a link named « Note 3 » (``doc-noteref``) to its note; the notes close the
    chapter in a section headed « Notes » (``doc-endnotes``, a landmark named « Notes – » and the
    chapter's title), each with a link back to its call (``doc-backlink``, « Retour à l'appel de
    la note 3 »).
    """
    n = 0
    for section in doc.xpath("//section[contains(concat(' ', @class, ' '), ' chapter ')]"):
        spans = section.xpath(".//span[@class='footnote']")
        if not spans:
            continue
        heading = next(iter(section.xpath(".//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5]")), None)
        level = min(int(heading.tag[1]) + 1, 6) if heading is not None else 2
        title_id = f"{section.get('id') or 'chapitre'}-notes"
        notes = lxml.html.Element("section", {"class": "chapter-notes", "role": "doc-endnotes",
                                              "aria-labelledby": title_id})
        title = lxml.html.Element(f"h{level}", {"id": title_id, "class": "chapter-notes-title"})
        title.text = "Notes"
        if heading is not None:     # each chapter's notes a landmark of its own name
            hidden = lxml.html.Element("span", {"class": "visually-hidden"})
            hidden.text = " – " + re.sub(r"\s+", " ", heading.text_content()).strip()
            title.append(hidden)
        listing = lxml.html.Element("ol")
        notes.extend([title, listing])
        for span in spans:
            n += 1
            call = lxml.html.fragment_fromstring(
                f'<sup class="note-call"><a href="#note-{n}" id="appel-{n}" role="doc-noteref" '
                f'aria-label="Note {n}">{n}</a></sup>')
            call.tail = span.tail
            item = lxml.html.Element("li", {"id": f"note-{n}", "value": str(n)})
            item.text = span.text
            for child in list(span):
                item.append(child)
            back = lxml.html.fragment_fromstring(
                f'<a href="#appel-{n}" class="note-back" role="doc-backlink" '
                f'aria-label="Retour à l’appel de la note {n}">↩</a>')
            back.tail = ""
            if len(item):
                item[-1].tail = (item[-1].tail or "") + " "
            else:
                item.text = (item.text or "") + " "
            item.append(back)
            listing.append(item)
            span.getparent().replace(span, call)
        body = section.find(".//div[@class='chapter-body']")
        (body if body is not None else section).append(notes)


def _tables(doc) -> None:
    """Tables scroll in their own box on a narrow screen; a title row becomes the caption."""
    for table in doc.iter("table"):
        title_row = table.find("thead/tr[@class='table-title-row']")
        if title_row is not None:
            cell = title_row[0]
            caption = lxml.html.Element("caption", {"class": "table-title"})
            caption.text = cell.text
            for child in list(cell):
                caption.append(child)
            title_row.getparent().remove(title_row)
            table.insert(0, caption)
        for corner in table.xpath(".//th[not(normalize-space()) and not(*)]"):
            corner.tag = "td"          # an empty header cell (a corner, a blank row head) heads nothing
            corner.attrib.pop("scope", None)
        parent = table.getparent()
        if "table-scroll" in (parent.get("class") or "").split():
            continue
        box = lxml.html.Element("div", {"class": "table-scroll"})
        box.tail = table.tail
        table.tail = None
        parent.replace(table, box)
        box.append(table)


def _images(doc, out_dir: Path, target: Path) -> None:
    """Images the chapters name are copied under ``images/``; the page points there.

    Only files the rule of :mod:`reportgen.paths` allows are copied: inside the project's
    ``content/``, ``data/``, ``layouts/`` (its own or reportgen's) or ``build/`` (``out_dir`` is ``build/<édition>``).
    """
    from ..project import Project

    roots = Project(out_dir.parent.parent).readable
    for img in doc.iter("img"):
        src = img.get("src") or ""
        if not src or re.match(r"^(data|https?):", src, re.I):
            continue
        source = paths.inside(src, out_dir, roots, None, None, "image de l'édition web", LayoutError)
        if not source.is_file():
            raise LayoutError(f"image introuvable pour l'édition web : {src}")
        name = f"{hashlib.sha1(str(source.parent).encode()).hexdigest()[:8]}-{source.name}"
        (target / "images").mkdir(exist_ok=True)
        shutil.copy2(source, target / "images" / name)
        img.set("src", f"images/{name}")


# --- assets -------------------------------------------------------------------------------------
def plan_assets(stylesheets: list[Path], folders: list[Path]) -> list[tuple[Path, str]]:
    """Each stylesheet and what it loads (fonts, images), with its place under ``assets/``.

    What a sheet loads lies in its own layout folder (:func:`reportgen.paths.stylesheet_files`,
    the check the print's stylesheets pass too), so the copy keeps the sheet's relative ``url()``.
    """
    tags: dict[Path, str] = {}
    for i, folder in enumerate(folders):
        tag = folder.name if folder.name not in tags.values() else f"{folder.name}-{i}"
        tags[folder] = tag
    plan: list[tuple[Path, str]] = []
    for sheet in stylesheets:
        home = next(f for f in folders if f in sheet.parents)
        plan.append((sheet, f"assets/{tags[home]}/{sheet.relative_to(home).as_posix()}"))
        for _written, used in paths.stylesheet_files(sheet, home):
            plan.append((used, f"assets/{tags[home]}/{used.relative_to(home.resolve()).as_posix()}"))
    return plan


def write_edition(pages: dict[str, str], charts: Charts, out_dir: Path, target: Path,
                  assets: list[tuple[Path, str]], downloads: list[Download], wait=None) -> Path:
    """Write the web folder ``target`` with ``pages`` (file name: HTML); returns its ``index.html``.

    The builder gives a ``target`` in its staging folder, swapped in with the other outputs
    (:class:`reportgen.files.Staging`). An existing ``target`` is replaced only by a complete
    new folder, written beside it: a failure leaves the old one. A download still being made
    (``pending``) has its size filled in once ``wait()`` has returned: the pages are finished
    meanwhile.
    """
    from ..files import Staging

    if target.exists() or target.is_symlink():
        with Staging(target.parent) as staging:
            write_edition(pages, charts, out_dir, staging.path(target), assets, downloads, wait)
            staging.commit()
        return target / "index.html"
    try:
        target.mkdir(parents=True)
        finished = {name: finish(page, charts, out_dir, target) for name, page in pages.items()}
        if wait is not None:
            wait()
        for download in downloads:
            if download.pending:
                download.pending = False
                finished = {name: page.replace(PENDING_SIZE, download.size, 1) for name, page in finished.items()}
        for name, page in finished.items():
            (target / name).write_text(page, encoding="utf-8")
        for source, href in assets:
            (target / href).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / href)
        for download in downloads:
            shutil.copy2(download.source, target / download.name)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target / "index.html"
