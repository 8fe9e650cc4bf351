"""What changed between two PDFs of a report: figures, sentences, pages.

``reportgen diff EDITION --against OLD.pdf`` compares the edition's newest proof (or PDF with a
source map) with an earlier PDF of the same edition, and ``--against-year`` with last year's
edition. Both sides are read from their source maps (:mod:`reportgen.pdf.sourcemap`): the text of
each block as written, and where it comes from. So a changed figure is named by its table
cell or tile (old → new, and the file to look at), a sentence by its Markdown line, and nothing
is mistaken for a change because a line broke elsewhere.

An earlier PDF without a map (a final PDF, a PDF from before maps, a map deleted) is read
with pdfplumber: its sentences are compared with the new ones, its figures cannot be told
apart from its text.

The result is printed, and drawn on a copy of the new PDF (``…-modifications.pdf``): each
change highlighted, the old text in its note.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReportError, display_path
from ..pdf.sourcemap import Block, SourceMap, by_fingerprint, candidates, current, fingerprint_of

IGNORED = {"sommaire", "points ouverts"}    # they repeat the titles, or speak of the build itself
FIGURES = {"cell", "tile", "chart"}
SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[«\"(A-ZÀ-ÖØ-Þ0-9])")
KINDS = {"chiffre": "Chiffre modifié", "ajouté": "Ajouté", "supprimé": "Supprimé", "reformulé": "Reformulé",
         "page": "Page déplacée"}


@dataclass
class Change:
    kind: str                    # chiffre, ajouté, supprimé, reformulé, page
    old: str
    new: str
    source: str                  # where the new text (or the removed one) is written
    pages: list[int] = field(default_factory=list)       # in the new PDF (the old one for a removal)
    marks: list[tuple[int, list[float]]] = field(default_factory=list)   # (page, rectangle) in the new PDF

    def line(self) -> str:
        where = f"p. {', '.join(map(str, self.pages))}" if self.pages else "p. ?"
        source = f" · {self.source}" if self.source else ""
        if self.kind == "chiffre":
            what = f"« {self.old} » → « {self.new} »"
        elif self.kind == "reformulé":
            what = f"« {self.old} »\n      → « {self.new} »"
        elif self.kind == "ajouté":
            what = f"« {self.new} »"
        elif self.kind == "supprimé":
            what = f"« {self.old} »"
        else:
            what = f"« {self.new} » : page {self.old} → page {self.pages[0] if self.pages else '?'}"
        return f"{KINDS[self.kind]} · {where}{source} : {what}"


@dataclass
class Compared:
    changes: list[Change]
    old: SourceMap
    new: SourceMap
    approximate: bool            # the old text was read from the PDF, not from a map
    marked: Path | None = None


# --- the two sides ------------------------------------------------------------------------------
def old_side(paths, pdf: Path) -> tuple[SourceMap, bool]:
    """The map of ``pdf``, found by its fingerprint; else its text read from the PDF (approximate)."""
    if not pdf.is_file():
        raise ReportError("fichier introuvable", pdf, hint="donnez le chemin d'une épreuve ou d'un PDF déjà construit "
                                                            "de l'édition")
    from .review import _open

    with _open(pdf):
        pass                     # a PDF that cannot be read says so, in French, before anything else
    mapped = by_fingerprint(candidates(paths, pdf), fingerprint_of(pdf))
    if mapped is not None:
        return mapped, False
    return pdf_text_map(pdf, paths.name), True


def pdf_text_map(pdf: Path, edition: str) -> SourceMap:
    """A map without sources from the text of ``pdf``: its lines, joined into paragraphs where the
    gap between two lines is larger than a line's height, words cut at a line's end joined again."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    blocks, sizes = [], []
    try:
        with pdfplumber.open(pdf) as document:
            for number, page in enumerate(document.pages, 1):
                sizes.append([float(page.width), float(page.height)])
                paragraphs: list[list[str]] = []
                bottom = None
                for line in page.extract_text_lines(return_chars=False):
                    height = line["bottom"] - line["top"]
                    if bottom is None or line["top"] - bottom > 0.8 * height:
                        paragraphs.append([])
                    paragraphs[-1].append(line["text"])
                    bottom = line["bottom"]
                for k, lines in enumerate(paragraphs):
                    text = re.sub(r"(\w)[-‐]\n(?=[a-zà-ÿ])", r"\1", "\n".join(lines))
                    flat = " ".join(text.split())
                    if flat:
                        blocks.append(Block(number, [0, 0, 0, 0], "paragraph", "chapitre", flat, number * 10000 + k))
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise ReportError("le texte de ce PDF ne se lit pas", pdf,
                          hint=f"vérifiez qu'il s'ouvre dans un lecteur PDF ({' '.join(str(exc).split())[:100]})") \
            from None
    return SourceMap(edition, pdf.name, "PDF", fingerprint_of(pdf), "", sizes, blocks)


def new_side(paths) -> SourceMap:
    found = current(paths)
    if found is None:
        raise ReportError(f"{paths.name} : aucune épreuve avec sa carte des sources", paths.proof_pdf,
                          hint=f"construisez-la d'abord : reportgen build --proof {paths.name}")
    return found


# --- comparing ----------------------------------------------------------------------------------
def _figures(side: SourceMap) -> dict[str, list[Block]]:
    """The data blocks (table cells, tiles, charts) by what they print: one key per cell, whatever
    the number of times or pages it is printed on."""
    found: dict[str, list[Block]] = {}
    for block in side.blocks:
        if block.region in IGNORED or block.source is None or not block.source.key or block.kind not in FIGURES:
            continue
        key = block.source.key
        found.setdefault(key, []).append(block)
    return found


def _sentences(side: SourceMap) -> list[tuple[str, Block]]:
    """The sentences of the text blocks in reading order, each block once (the page it starts on)."""
    seen: set[int] = set()
    found = []
    for block in side.blocks:
        if block.region in IGNORED or block.element in seen or not block.text:
            continue
        if block.kind in FIGURES and block.source is not None and block.source.key:
            continue
        seen.add(block.element)
        for sentence in SENTENCE.split(block.text):
            if sentence.strip():
                found.append((sentence.strip(), block))
    return found


def _pages(blocks: list[Block]) -> list[int]:
    return sorted({b.page for b in blocks})


def _digits_only(old: str, new: str) -> bool:
    """Two sentences that differ only by their figures."""
    return re.sub(r"[\d  ,.%‰+-]+", "#", old) == re.sub(r"[\d  ,.%‰+-]+", "#", new)


def _sentence_marks(block: Block, sentence: str) -> list[tuple[int, list[float]]]:
    """The printed lines of ``block`` that hold ``sentence``; the whole block when none is told apart."""
    words = set(re.findall(r"\w+", sentence.lower()))
    lines = [line for line in block.lines
             if (have := set(re.findall(r"\w+", line[4].lower()))) and len(have & words) >= 0.6 * len(have)]
    return [(block.page, line[:4]) for line in lines] or [(block.page, block.rect)]


def compare(old: SourceMap, new: SourceMap) -> list[Change]:
    changes: list[Change] = []
    before, after = _figures(old), _figures(new)
    for key in sorted(set(before) | set(after), key=lambda k: (after.get(k) or before.get(k))[0].page):
        was, now = before.get(key), after.get(key)
        if was and now and was[0].text == now[0].text:
            continue
        shown = now or was
        source = shown[0].source.display() if shown[0].source else ""
        marks = [(b.page, b.rect) for b in now or []]
        if was and now:
            changes.append(Change("chiffre", was[0].text, now[0].text, source, _pages(now), marks))
        elif now:
            changes.append(Change("ajouté", "", now[0].text, source, _pages(now), marks))
        else:
            changes.append(Change("supprimé", was[0].text, "", source, _pages(was)))

    old_sentences, new_sentences = _sentences(old), _sentences(new)
    matcher = difflib.SequenceMatcher(None, [s for s, _ in old_sentences], [s for s, _ in new_sentences],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for (text, was), (_, now) in zip(old_sentences[i1:i2], new_sentences[j1:j2]):
                if now.kind == "heading" and was.page != now.page and text == now.text:
                    changes.append(Change("page", str(was.page), text, _display(now), [now.page],
                                          [(now.page, now.rect)]))
            continue
        olds, news = list(old_sentences[i1:i2]), list(new_sentences[j1:j2])
        for text, was in list(olds):       # a sentence reworded: the closest one of the other side
            scored = [(difflib.SequenceMatcher(None, text, other, autojunk=False).ratio(), k)
                      for k, (other, _) in enumerate(news)]
            ratio, k = max(scored, default=(0.0, -1))
            if ratio >= 0.5:
                other, now = news.pop(k)
                olds.remove((text, was))
                kind = "chiffre" if _digits_only(text, other) else "reformulé"
                changes.append(Change(kind, text, other, _display(now), [now.page], _sentence_marks(now, other)))
        for text, was in olds:
            anchor = new_sentences[j1][1] if j1 < len(new_sentences) else None
            changes.append(Change("supprimé", text, "", _display(was), [was.page],
                                  [(anchor.page, anchor.rect)] if anchor else []))
        for text, now in news:
            changes.append(Change("ajouté", "", text, _display(now), [now.page], _sentence_marks(now, text)))
    return sorted(changes, key=lambda c: c.pages[0] if c.pages else 0)     # in the order of the pages


def _display(block: Block) -> str:
    return block.source.display() if block.source else ""


# --- the marked copy ----------------------------------------------------------------------------
def write_marked(pdf: Path, changes: list[Change], target: Path) -> Path:
    """A copy of ``pdf`` with each change highlighted, the old text in the highlight's note."""
    import pikepdf

    from ..files import replacing

    with pikepdf.open(pdf) as document:
        for change in changes:
            if not change.marks:
                continue
            note = {"chiffre": f"Avant : {change.old}", "reformulé": f"Avant : {change.old}",
                    "ajouté": "Ajouté depuis la version précédente", "supprimé": f"Supprimé : {change.old}",
                    "page": f"Était page {change.old}"}[change.kind]
            if change.source:
                note += f"\nSource : {change.source}"
            for page, (x0, y0, x1, y1) in change.marks:
                if not 1 <= page <= len(document.pages):
                    continue
                if change.kind in ("supprimé", "page"):
                    entries = {"/Subtype": pikepdf.Name.Text, "/Rect": [x0 - 22, y1 - 20, x0 - 2, y1],
                               "/Name": pikepdf.Name.Comment, "/C": [0.85, 0.1, 0.1]}
                else:
                    entries = {"/Subtype": pikepdf.Name.Highlight, "/Rect": [x0, y0, x1, y1],
                               "/QuadPoints": [x0, y1, x1, y1, x0, y0, x1, y0], "/C": [1, 0.85, 0]}
                annot = document.make_indirect(pikepdf.Dictionary({
                    "/Type": pikepdf.Name.Annot, **entries, "/Contents": pikepdf.String(note),
                    "/T": pikepdf.String("reportgen diff"), "/F": 4}))
                page_obj = document.pages[page - 1].obj
                annots = page_obj.get("/Annots")
                if annots is None:
                    page_obj.Annots = document.make_indirect(pikepdf.Array([annot]))
                else:
                    annots.append(annot)
        with replacing(target) as tmp:
            document.save(tmp)
    return target


def diff(project, paths, against: Path | None = None, year: int | None = None) -> Compared:
    """Compare the edition's newest mapped PDF with ``against``, or with the edition of ``year``."""
    new = new_side(paths)
    if year is not None:
        try:
            other = project.edition(f"{paths.caisse}/{year}")
        except ReportError:
            raise ReportError(f"pas d'édition {paths.caisse}/{year} à comparer", paths.manifest,
                              hint=f"éditions disponibles : {', '.join(project.editions())}") from None
        old = current(other)
        if old is None:
            raise ReportError(f"{other.name} : aucune épreuve avec sa carte des sources", other.proof_pdf,
                              hint=f"construisez-la d'abord : reportgen build --proof {other.name}")
        approximate = False
    else:
        old, approximate = old_side(paths, against)
    changes = compare(old, new)
    new_pdf = paths.out / new.pdf
    result = Compared(changes, old, new, approximate)
    if new_pdf.is_file() and fingerprint_of(new_pdf) == new.fingerprint:
        result.marked = write_marked(new_pdf, changes, paths.out / f"{paths.pdf.stem}-modifications.pdf")
    return result


__all__ = ["Change", "Compared", "compare", "diff", "write_marked", "display_path"]
