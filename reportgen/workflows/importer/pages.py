"""The pages of a published PDF as words, lines and segments, with their font, size and weight.

Whatever engine made the PDF, the importer reads only what every engine leaves: each word's
text, position, font name and size (pdfplumber), the images and the vector drawings of each
page. A *line* gathers the words that share a baseline across the page; a *segment* is a run
of words inside a line with no wide gap (a cell of a table, a column of text).
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ReportError

SUBSET = re.compile(r"^[A-Z]{6}\+")
WEIGHTS = (("hairline", 100), ("thin", 100), ("extralight", 200), ("ultralight", 200), ("light", 300),
           ("semibold", 600), ("demibold", 600), ("extrabold", 800), ("ultrabold", 800), ("heavy", 800),
           ("black", 900), ("medium", 500), ("bold", 700))
SEGMENT_GAP = 0.55      # × font size: a wider gap between two words opens a new segment (a cell)
FRAGMENT_GAP = 1.6      # × font size: a wider gap separates two columns of text


def font_weight(fontname: str) -> int:
    """« ABCDEF+Lato-Heavy » → 800, « Helvetica-Bold » → 700, « Times-Roman » → 400."""
    name = SUBSET.sub("", fontname or "").lower().replace("-", "").replace(" ", "").replace("_", "")
    style = name.split("+")[-1]
    for word, weight in WEIGHTS:
        if word in style:
            return weight
    return 400


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    weight: int
    italic: bool = False

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def _weight(words: list[Word]) -> int:
    """The weight of most of their letters."""
    count: Counter = Counter()
    for w in words:
        count[w.weight] += len(w.text)
    return count.most_common(1)[0][0]


class _Run:
    """Words set on one line, left to right: their extent, size and text."""

    words: list[Word]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Segment(_Run):
    words: list[Word]

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def weight(self) -> int:
        return _weight(self.words)


@dataclass
class Line(_Run):
    page: int                  # 1-based
    words: list[Word]
    used: str = ""             # what took it: « table », « heading », « furniture », « kpi »…
    heading: str = ""          # the bookmark's title, on the lines of a heading found from it

    @property
    def top(self) -> float:
        return min(w.top for w in self.main)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.main)

    @property
    def main(self) -> list[Word]:
        """The words of the line's own size (superscript calls left out)."""
        big = max(w.size for w in self.words)
        return [w for w in self.words if w.size >= big * 0.8] or self.words

    @property
    def weight(self) -> int:
        return _weight(self.main)

    def segments(self, gap: float = SEGMENT_GAP) -> list[Segment]:
        """Runs of words split where the gap is wider than ``gap`` × the font size."""
        runs: list[list[Word]] = []
        for word in self.words:
            if runs and word.x0 - runs[-1][-1].x1 <= gap * max(word.size, runs[-1][-1].size):
                runs[-1].append(word)
            else:
                runs.append([word])
        return [Segment(run) for run in runs]

    def fragments(self) -> list["Line"]:
        """The line cut where columns of text meet (a wide gutter)."""
        return [Line(self.page, seg.words, self.used) for seg in self.segments(FRAGMENT_GAP)]


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    images: list[tuple[float, float, float, float]] = field(default_factory=list)
    drawings: list[tuple[float, float, float, float]] = field(default_factory=list)   # curves, rects, lines
    chars: int = 0


@dataclass
class Document:
    path: Path
    pages: list[Page]
    title: str = ""            # the PDF's metadata title
    body_size: float = 10.0    # the size of most letters: the running text
    body_weight: int = 400

    def lines(self) -> list[Line]:
        return [line for page in self.pages for line in page.lines]


class UnreadablePDF(ReportError):
    """A PDF that cannot be imported: encrypted, scanned (images only), damaged."""


def open_document(path: Path) -> Document:
    """Every page's words, lines, images and drawings; a French message for what cannot be read."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    if not path.is_file():
        raise UnreadablePDF("fichier introuvable", path, hint="donnez le chemin du PDF publié l'an dernier")
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if b"%PDF" not in head:
        raise UnreadablePDF("ce fichier n'est pas un PDF (il ne commence pas par « %PDF »)", path,
                           hint="donnez le PDF du rapport publié, pas un document Word ou une image")
    _refuse_encrypted(path)
    try:
        pdf = pdfplumber.open(str(path))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise _encrypted(path) from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _damaged(path, exc) from None
    try:
        pages = []
        for number, page in enumerate(pdf.pages, 1):
            try:
                pages.append(_read_page(number, page))
            except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError) as exc:
                raise UnreadablePDF(f"page {number} illisible ({exc.__class__.__name__}) : le PDF est abîmé",
                                   path, hint="réenregistrez-le depuis le logiciel qui l'a produit (ou « Imprimer "
                                              "en PDF » depuis un lecteur), puis relancez l'import") from None
        title = str((pdf.metadata or {}).get("Title") or "")
    finally:
        pdf.close()
    if not pages:
        raise _damaged(path, None)
    document = Document(path, pages, title if isinstance(title, str) else "")
    if sum(p.chars for p in pages) < 20 * len(pages) and not any(p.chars > 200 for p in pages):
        with_images = [p.number for p in pages if p.images]
        if with_images:
            raise UnreadablePDF(f"PDF scanné : ses {len(pages)} page(s) sont des images, sans texte à lire",
                               path, hint="passez-le d'abord dans un logiciel de reconnaissance de caractères "
                                          "(OCR, par exemple « Reconnaître le texte » d'Acrobat), ou demandez à "
                                          "l'agence le PDF d'origine, puis relancez l'import")
        raise UnreadablePDF("ce PDF ne contient presque pas de texte à importer", path,
                           hint="demandez à l'agence le PDF exporté du logiciel de mise en page")
    sizes: Counter = Counter()
    weights: Counter = Counter()
    for line in document.lines():
        for w in line.words:
            sizes[round(w.size, 1)] += len(w.text)
            weights[w.weight] += len(w.text)
    document.body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    document.body_weight = weights.most_common(1)[0][0] if weights else 400
    return document


def _refuse_encrypted(path: Path) -> None:
    """A PDF that asks for a password to be opened is refused with a message that says so."""
    import pikepdf

    try:
        with pikepdf.open(str(path)):
            return
    except pikepdf.PasswordError:
        raise _encrypted(path) from None
    except pikepdf.PdfError as exc:
        raise _damaged(path, exc) from None


def _encrypted(path: Path) -> UnreadablePDF:
    return UnreadablePDF("PDF protégé par un mot de passe : il ne peut pas être lu", path,
                        hint="demandez à l'agence une version sans mot de passe (ou ouvrez-le et "
                             "« Imprimer en PDF » si vous avez le mot de passe), puis relancez l'import")


def _damaged(path: Path, exc: Exception | None) -> UnreadablePDF:
    why = f" ({exc.__class__.__name__})" if exc else ""
    return UnreadablePDF(f"PDF abîmé ou incomplet{why} : il ne peut pas être lu", path,
                        hint="vérifiez qu'il s'ouvre dans un lecteur PDF ; téléchargez-le ou copiez-le à "
                             "nouveau, puis relancez l'import")


def _read_page(number: int, page) -> Page:
    raw = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False, use_text_flow=False,
                             x_tolerance=1.5)
    words = [Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]),
                  float(w["size"]), font_weight(w["fontname"]),
                  "italic" in w["fontname"].lower() or "oblique" in w["fontname"].lower())
             for w in raw if w["text"].strip()]
    lines = _lines(number, words)
    area = page.width * page.height
    images = [(float(i["x0"]), float(i["top"]), float(i["x1"]), float(i["bottom"])) for i in page.images]
    drawings = []
    for obj in (*page.curves, *page.rects, *page.lines):
        box = (float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]))
        if (box[2] - box[0]) * (box[3] - box[1]) < 0.6 * area:      # a full-page background is no drawing
            drawings.append(box)
    return Page(number, float(page.width), float(page.height), lines, images, drawings, len(page.chars))


def _lines(number: int, words: list[Word]) -> list[Line]:
    """Words gathered by baseline: a word joins a line when its middle falls in the line's height."""
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        home = None
        for line in reversed(lines[-6:]):
            main = line.main
            middle = statistics.fmean(w.middle for w in main)
            size = max(w.size for w in main)
            if abs(word.middle - middle) <= 0.45 * max(size, word.size):
                home = line
                break
        if home is None:
            lines.append(Line(number, [word]))
        else:
            home.words.append(word)
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def norm(text: str) -> str:
    """Compare texts whatever their spaces, apostrophes and case."""
    text = text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    return re.sub(r"\s+", " ", text).strip().lower()
