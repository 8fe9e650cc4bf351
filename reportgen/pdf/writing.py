"""The last two stages: WeasyPrint lays the HTML out, then the PDF is written atomically.

Only files under the project's own folders may be fetched (no network); a
reference elsewhere stops the build with the file named. WeasyPrint's warnings
(ignored CSS, missing images) are collected, not swallowed.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from .. import paths
from ..errors import LayoutError, ReportWarning
from ..files import STAGING, replacing
from .tagging import tagged


def make_fetcher(allowed: list[Path]):
    """WeasyPrint's fetcher, held to the rule of :mod:`reportgen.paths`: files of ``allowed`` only."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = paths.resolved(allowed)

    class ProjectFetcher(URLFetcher):
        """Serves data: URIs and files of the project's folders, nothing else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parsed = urlparse(url)
            if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
                raise FatalURLFetchingError(f"adresse hors du projet refusée : {url}")
            written = unquote(parsed.path)
            if "\0" in written or not paths.within(Path(written), roots):
                raise FatalURLFetchingError(f"fichier hors du projet refusé : {written}")
            path = Path(written).resolve()
            if not path.is_file():
                raise FatalURLFetchingError(f"fichier introuvable : {path}")
            return super().fetch(url, headers)

    return ProjectFetcher()


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def collect_warnings(source: Path | None = None) -> Iterator[list[str]]:
    """WeasyPrint's warnings while the block runs; a file fetched from outside the project stops it."""
    from weasyprint.urls import FatalURLFetchingError

    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.WARNING)
    logger.addHandler(collector)
    try:
        yield collector.messages
    except FatalURLFetchingError as exc:
        raise LayoutError(str(exc), source, hint="les images et polices doivent être dans layouts/, "
                          "content/, data/ ou build/") from None
    finally:
        logger.removeHandler(collector)
        logger.setLevel(level)


@contextmanager
def image_names_from(root: Path) -> Iterator[None]:
    """While the block lays out and writes, a photo's name in the PDF does not say where the project lies.

    WeasyPrint names each raster image ``/i<md5>`` from the md5 of its absolute ``file://`` URL:
    the same edition built in two folders gave two PDFs. The URLs under ``root`` are hashed
    relative to it, so that the PDF is the same bytes wherever the project is. Layout workers
    forked inside the block inherit it.
    """
    from weasyprint import images
    from weasyprint.urls import path2url

    prefix = path2url(f"{root.resolve()}/").encode()
    hashed = images.md5

    def md5(data=b"", **kwargs):
        return hashed(data[len(prefix):] if data.startswith(prefix) else data, **kwargs)

    images.md5 = md5
    try:
        yield
    finally:
        images.md5 = hashed


def layout_document(html: str, base_url: Path, allowed: list[Path], source: Path):
    """Stage 5: parse and lay out; returns the WeasyPrint document and its warnings."""
    from weasyprint import HTML

    with collect_warnings(source) as messages:
        document = HTML(string=html, base_url=str(base_url) + "/", url_fetcher=make_fetcher(allowed)).render()
    warnings = [ReportWarning(f"WeasyPrint : {m}", source) for m in messages]
    return document, warnings


def boxes(box) -> Iterator:
    """A laid-out box and all the boxes inside it, depth first."""
    yield box
    for child in getattr(box, "children", None) or ():
        yield from boxes(child)


PDF_UA = "pdf/ua-1"      # the final PDF: tagged for screen readers (RGAA), title and language set
PDF_A = "pdf/a-3a"       # for archiving: PDF/A-3, level A, which is tagged as well


def write_pdf_atomically(document, target: Path, metadata_date: str | None = None,
                         variant: str | None = None, piece=None) -> int:
    """Stage 6: write to a temporary file beside the target, then rename; returns the size."""
    # attachments are fetched now: a refusal names the document they come from, beside the PDF
    # or beside the staging folder the PDF is written in
    html = next((h for h in (target.with_suffix(".html"), target.parent.parent / f"{target.stem}.html")
                 if h.exists()), None)
    if html is not None and html.parent.name.startswith(STAGING):   # named as it will be once swapped in
        html = html.parent.parent / html.name
    with collect_warnings(html), replacing(target) as tmp:
        if variant:       # tagged: the structure tree of reportgen.pdf.tagging
            with tagged(document, piece):
                document.write_pdf(tmp, pdf_variant=variant)
        else:
            document.write_pdf(tmp)
    return target.stat().st_size
