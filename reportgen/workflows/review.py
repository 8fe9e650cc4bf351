"""The reviewers' comments, from their annotated PDFs back to the files to edit.

``reportgen review import EDITION ANNOTATED.pdf…`` reads every annotation a reader saved in the
PDF (sticky note, highlight, underline, strike-out, replacement text, free text, drawings),
with its author and date, finds the printed block under it through the proof's source map
(:mod:`reportgen.pdf.sourcemap`), and writes a checklist, ``build/<edition>/relecture-<date>.md``
and ``.xlsx``: one line per comment, with its page, the text it marks, the comment, who wrote
it and where to make the change (``file:line``, or a data file's line and column).

A comment on the proof of an earlier version (the texts have changed since) is placed
through its text in the edition's newest map. A comment on the cover, the sommaire, a margin,
or on a text that no longer exists is listed apart, never dropped. An item stays open in
``reportgen status`` until it is ticked in the checklist: ``[x]`` in the Markdown file, or
anything in the « Fait » column of the workbook.
"""
from __future__ import annotations

import difflib
import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReportError, display_path
from ..pdf.sourcemap import Block, SourceMap, by_fingerprint, candidates, current, fingerprint

KINDS = {"/Text": "note", "/FreeText": "texte libre", "/Highlight": "surlignage", "/Underline": "soulignement",
         "/StrikeOut": "barré", "/Squiggly": "souligné ondulé", "/Caret": "insertion", "/Ink": "dessin",
         "/Square": "cadre", "/Circle": "cercle", "/Line": "trait", "/Polygon": "polygone", "/PolyLine": "trait",
         "/Stamp": "tampon", "/FileAttachment": "pièce jointe", "/Sound": "son", "/Redact": "masquage"}
MARKUP = {"/Highlight", "/Underline", "/StrikeOut", "/Squiggly"}
CHECKLIST = "relecture-"           # build/<edition>/relecture-<YYYY-MM-DD>.md and .xlsx
ITEM = re.compile(r"^\s*- \[(?P<done>[ xX])\] (?P<text>.*?)\s*<!-- id:(?P<id>[0-9a-f]+) -->\s*$")
COLUMNS = ["Fait", "Page", "Où corriger", "Texte marqué", "Commentaire", "Type", "Auteur", "Date",
           "PDF annoté", "Id"]


@dataclass
class Comment:
    """One reviewer's comment, placed (``source``) or listed apart (``reason``)."""

    id: str
    pdf: str                 # the annotated PDF's file name
    page: int
    kind: str
    author: str
    date: str
    comment: str
    quote: str = ""
    source: str = ""         # « content/…/01-contexte.md:13 », « data/…/effectifs.csv:2, colonne « 2019 » »
    reason: str = ""         # why it is not placed
    done: bool = False
    replies: list[str] = field(default_factory=list)
    rects: list[list[float]] = field(default_factory=list)
    markup: bool = False

    @property
    def placed(self) -> bool:
        return bool(self.source)

    def text(self) -> str:
        """« Barré (Claire Exemple, 12/03/2026 10:20) : supprimer « … » » and the replies."""
        who = ", ".join(w for w in (self.author, self.date) if w)
        said = self.comment or "(sans texte)"
        replies = "".join(f" — {r}" for r in self.replies)
        return f"{self.kind.capitalize()}{f' ({who})' if who else ''} : {said}{replies}"


@dataclass
class Imported:
    comments: list[Comment]
    markdown: Path
    workbook: Path
    other_version: list[str]      # the annotated PDFs that were proofs of an earlier version
    new: int                      # comments not already in the checklist


# --- reading the annotations --------------------------------------------------------------------
def _open(path: Path):
    import pikepdf

    if not path.is_file():
        raise ReportError("fichier introuvable", path, hint="donnez le chemin du PDF annoté renvoyé par le relecteur")
    try:
        return pikepdf.open(path)
    except pikepdf.PasswordError:
        raise ReportError("ce PDF est protégé par un mot de passe", path,
                          hint="demandez au relecteur de l'enregistrer sans protection, puis relancez") from None
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise ReportError("ce fichier n'est pas un PDF lisible", path,
                          hint="demandez au relecteur de l'enregistrer à nouveau depuis son lecteur PDF "
                               f"(détail : {' '.join(str(exc).split())[:120]})") from None


def _string(value) -> str:
    if value is None:
        return ""
    try:
        return str(value)
    except (UnicodeDecodeError, ValueError):
        return bytes(value).decode("latin-1", errors="replace")


def _rich_text(value) -> str:
    """The plain text of a rich-text comment (``/RC``, XHTML)."""
    text = re.sub(r"<[^>]+>", " ", _string(value))
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return " ".join(text.split())


def pdf_date(value: str) -> str:
    """« D:20260312102000+01'00' » → « 12/03/2026 10:20 »; what cannot be read, as written."""
    match = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?", value or "")
    if not match:
        return (value or "").strip()
    year, month, day, hour, minute = match.groups()
    date = f"{day or '01'}/{month or '01'}/{year}"
    return f"{date} {hour}:{minute or '00'}" if hour else date


def _numbers(value) -> list[float]:
    try:
        return [float(v) for v in value]
    except (TypeError, ValueError):
        return []


def _rect(value) -> list[float] | None:
    numbers = _numbers(value)
    if len(numbers) != 4:
        return None
    x0, y0, x1, y1 = numbers
    return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]


def _quads(value) -> list[list[float]]:
    numbers = _numbers(value)
    quads = []
    for i in range(0, len(numbers) - 7, 8):
        xs, ys = numbers[i:i + 8:2], numbers[i + 1:i + 8:2]
        quads.append([min(xs), min(ys), max(xs), max(ys)])
    return quads


@dataclass
class _Annot:
    key: tuple
    page: int
    subtype: str
    rect: list[float]
    quads: list[list[float]]
    contents: str
    author: str
    date: str
    parent: tuple | None
    relation: str          # « /R » a reply, « /Group » part of its parent


def read_annotations(pdf) -> list[_Annot]:
    """Every comment of an open PDF, page by page, in the order the file lists them."""
    found = []
    for number, page in enumerate(pdf.pages, 1):
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        for annot in annots:
            try:
                subtype = str(annot.get("/Subtype"))
            except (AttributeError, TypeError):
                continue
            if subtype not in KINDS:
                continue          # links, form fields, pop-ups: not comments
            rect = _rect(annot.get("/Rect")) or [0.0, 0.0, 0.0, 0.0]
            contents = _string(annot.get("/Contents")) or _rich_text(annot.get("/RC"))
            parent = annot.get("/IRT")
            relation = str(annot.get("/RT")) if annot.get("/RT") is not None else "/R"
            found.append(_Annot(annot.objgen if annot.is_indirect else (number, len(found)), number, subtype, rect,
                                _quads(annot.get("/QuadPoints")) if subtype in MARKUP else [],
                                " ".join(contents.split()), _string(annot.get("/T")).strip(),
                                pdf_date(_string(annot.get("/M")) or _string(annot.get("/CreationDate"))),
                                parent.objgen if parent is not None and parent.is_indirect else None, relation))
    return found


# --- placing them -------------------------------------------------------------------------------
def _probes(annot: _Annot) -> list[tuple[float, float]]:
    """The points whose block a comment is about: the marked lines; a sticky note's corner
    (where the reader was clicked), then its middle; a box's middle."""
    x0, y0, x1, y1 = annot.rect
    if annot.quads:
        return [((q[0] + q[2]) / 2, (q[1] + q[3]) / 2) for q in annot.quads]
    middle = ((x0 + x1) / 2, (y0 + y1) / 2)
    if annot.subtype == "/Text":
        return [(x0 + 1, y1 - 1), middle]
    return [middle, (x0 + 1, y1 - 1)]


def block_at(blocks: list[Block], points: list[tuple[float, float]]) -> Block | None:
    """The smallest block holding one of ``points``, the first point first."""
    for x, y in points:
        hits = [b for b in blocks if b.contains(x, y)]
        if hits:
            return min(hits, key=lambda b: b.area)
    return None


def quoted(blocks: list[Block], quads: list[list[float]]) -> str:
    """The printed words under the marked lines: each run of text cut where the mark starts and ends."""
    words = []
    for qx0, qy0, qx1, qy1 in quads:
        for block in blocks:
            for x0, y0, x1, y1, text in block.lines:
                height = max(y1 - y0, 0.1)
                if min(y1, qy1) - max(y0, qy0) < 0.5 * height or min(x1, qx1) - max(x0, qx0) <= 0:
                    continue
                width = max(x1 - x0, 0.1)
                start = max(0, int(round((qx0 - x0) / width * len(text))))
                end = min(len(text), int(round((qx1 - x0) / width * len(text))))
                while 0 < start < len(text) and not text[start - 1].isspace():
                    start -= 1          # whole words
                while end < len(text) and not text[end].isspace() and end > 0 and not text[end - 1].isspace():
                    end += 1
                words.append(text[start:end].strip())
    return " ".join(w for w in words if w)


def _short(text: str, length: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


REASONS = {"couverture": "sur la couverture : son texte vient de edition.yml et de la mise en page",
           "sommaire": "dans le sommaire : il reprend les titres des chapitres, à corriger dans chaque chapitre",
           "points ouverts": "sur la page « points ouverts » de l'épreuve, qui n'est pas imprimée",
           "quatrième de couverture": "sur la quatrième de couverture : son texte vient de edition.yml et de la "
                                      "mise en page"}


def _same_in(newest: SourceMap, block: Block) -> Block | None:
    """The block of the newest map that prints what ``block`` printed: the same data (table
    cell, tile, chart), or the same text, or, reworded since, the closest text."""
    key = block.source.key if block.source else None
    if key:
        same = [b for b in newest.blocks if b.source and b.source.key == key]
        if same:
            return same[0]
    same = [b for b in newest.blocks if b.text and b.text == block.text and b.kind == block.kind]
    if same:
        return min(same, key=lambda b: abs(b.page - block.page))
    best, found = 0.0, None
    if len(block.text) >= 20:
        for other in newest.blocks:
            if other.kind != block.kind or not other.text or other.source is None:
                continue
            matcher = difflib.SequenceMatcher(None, block.text, other.text, autojunk=False)
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                ratio = matcher.ratio()
                if ratio > best:
                    best, found = ratio, other
    return found if best >= 0.6 else None


def place(annots: list[_Annot], mapped: SourceMap, newest: SourceMap | None, pdf_name: str) -> list[Comment]:
    """The comments of one annotated PDF, each with its source or the reason it has none."""
    by_key = {a.key: a for a in annots}
    groups: dict[tuple, list[_Annot]] = {}
    replies: dict[tuple, list[_Annot]] = {}
    heads = []
    for annot in annots:
        parent = by_key.get(annot.parent) if annot.parent else None
        if parent is not None and annot.relation == "/Group":
            groups.setdefault(parent.key, []).append(annot)
        elif parent is not None:
            replies.setdefault(parent.key, []).append(annot)
        else:
            heads.append(annot)
    comments = []
    for annot in heads:
        members = [annot, *groups.get(annot.key, [])]
        subtypes = {m.subtype for m in members}
        marked = next((m for m in members if m.quads), None)
        blocks = mapped.on_page(annot.page)
        points = [p for m in ([marked] if marked else members) for p in _probes(m)]
        block = block_at(blocks, points)
        quote = quoted(blocks, marked.quads) if marked else ""
        if not quote and block is not None:
            quote = block.text
        said = " ".join(m.contents for m in members if m.contents)
        kind = KINDS[annot.subtype]
        if "/StrikeOut" in subtypes and "/Caret" in subtypes:
            kind, said = "remplacement", f"remplacer « {_short(quote, 80)} » par « {said} »"
        elif annot.subtype == "/StrikeOut" and not said:
            said = f"supprimer « {_short(quote, 80)} »"
        source, reason = "", ""
        if block is None:
            reason = ("page hors de l'épreuve" if annot.page > len(mapped.pages)
                      else "dans une marge ou un blanc de la page : aucun texte imprimé sous le commentaire")
        elif block.region in REASONS:
            reason = REASONS[block.region]
        elif block.source is None:
            reason = f"texte « {_short(block.text, 40)} » composé par la mise en page, sans fichier source"
        elif newest is not None and newest.fingerprint != mapped.fingerprint:
            now = _same_in(newest, block)
            if now is None or now.source is None:
                reason = (f"texte absent de la version actuelle (il était écrit à {block.source.display()}) : "
                          "déjà modifié ou supprimé ?")
            else:
                source = now.source.display()
        else:
            source = block.source.display()
        ident = hashlib.sha256(repr((pdf_name, annot.page, annot.subtype, [round(v) for v in annot.rect],
                                     said, annot.author, annot.date)).encode()).hexdigest()[:10]
        comments.append(Comment(ident, pdf_name, annot.page, kind, annot.author, annot.date, said,
                                _short(quote), source, reason,
                                replies=[f"réponse de {r.author or 'anonyme'} : {r.contents}"
                                         for r in replies.get(annot.key, [])],
                                rects=[q for m in members for q in (m.quads or [m.rect])],
                                markup=bool(marked)))
    return comments


def read_comments(paths, pdf_path: Path) -> tuple[list[Comment], bool]:
    """The comments of one annotated PDF of the edition ``paths``, and whether the PDF is the
    proof of an earlier version."""
    with _open(pdf_path) as pdf:
        wanted = fingerprint(pdf)
        annots = read_annotations(pdf)
        pages = len(pdf.pages)
    mapped = by_fingerprint(candidates(paths, pdf_path), wanted)
    if mapped is None:
        raise ReportError(
            f"ce PDF n'est pas une épreuve reportgen de {paths.name} (aucune carte des sources ne correspond à "
            f"ses {pages} pages)", pdf_path,
            hint=f"importez le PDF annoté d'une épreuve construite par « reportgen build --proof {paths.name} » ; "
                 f"si c'en est une, sa carte a été effacée de {display_path(paths.out / 'sources')}")
    newest = current(paths)
    return place(annots, mapped, newest, pdf_path.name), newest is not None and newest.fingerprint != wanted


# --- the checklist ------------------------------------------------------------------------------
def _checklists(paths) -> list[Path]:
    return sorted(paths.out.glob(f"{CHECKLIST}*.md")) if paths.out.is_dir() else []


def _ticked_in_markdown(path: Path) -> dict[str, bool]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    found = {}
    for line in lines:
        match = ITEM.match(line)
        if match:
            found[match["id"]] = match["done"] != " "
    return found


def _workbook_items(path: Path) -> list[dict]:
    """The rows of a checklist workbook, by column name; nothing when it cannot be read."""
    if not path.is_file():
        return []
    try:
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    except Exception:     # noqa: BLE001 - a workbook spoilt by hand: its ticks are read from the Markdown
        return []
    if not rows:
        return []
    header = [str(h or "") for h in rows[0]]
    return [{h: ("" if v is None else str(v)) for h, v in zip(header, row)} for row in rows[1:]
            if any(v is not None for v in row)]


def _from_row(row: dict) -> Comment | None:
    if not row.get("Id"):
        return None
    try:
        page = int(float(row.get("Page") or 0))
    except ValueError:
        page = 0
    source = row.get("Où corriger", "")
    placed = bool(source) and not source.startswith("non placé")
    return Comment(row["Id"], row.get("PDF annoté", ""), page, row.get("Type", ""), row.get("Auteur", ""),
                   row.get("Date", ""), row.get("Commentaire", ""), row.get("Texte marqué", ""),
                   source if placed else "", source.removeprefix("non placé : ") if not placed else "",
                   bool(row.get("Fait", "").strip()))


def import_review(paths, pdfs: list[Path], today: str | None = None) -> Imported:
    """Read the annotated PDFs and add their comments to the checklist of ``today`` (YYYY-MM-DD)."""
    comments: list[Comment] = []
    other = []
    for pdf in pdfs:
        found, older = read_comments(paths, pdf)
        comments += found
        if older:
            other.append(pdf.name)
    today = today or time.strftime("%Y-%m-%d")
    markdown = paths.out / f"{CHECKLIST}{today}.md"
    workbook = markdown.with_suffix(".xlsx")
    kept = [c for c in map(_from_row, _workbook_items(workbook)) if c is not None]
    ticks = _ticked_in_markdown(markdown)
    for item in kept:
        item.done = item.done or ticks.get(item.id, False)
    known = {c.id for c in kept}
    new = [c for c in comments if c.id not in known]
    everything = kept + new
    write_checklist(paths, everything, markdown, workbook, today)
    return Imported(comments, markdown, workbook, other, len(new))


def _where(comment: Comment) -> str:
    return comment.source or f"non placé : {comment.reason}"


def write_checklist(paths, comments: list[Comment], markdown: Path, workbook: Path, today: str) -> None:
    from ..files import replacing, write_text

    placed = sorted((c for c in comments if c.placed), key=lambda c: (c.page, c.source))
    apart = sorted((c for c in comments if not c.placed), key=lambda c: c.page)
    day = "/".join(reversed(today.split("-")))
    pdfs = sorted({c.pdf for c in comments if c.pdf})
    lines = [f"# Relecture de {paths.name} du {day}", "",
             f"PDF annotés : {', '.join(pdfs) or 'aucun'}. Cochez chaque commentaire traité ([x] ici, ou « x » "
             f"dans la colonne « Fait » de {workbook.name}) : « reportgen status {paths.name} » compte ceux "
             "qui restent.", "", f"## À reporter dans les sources ({len(placed)})", ""]
    lines += [_line(c) for c in placed] or ["Aucun."]
    lines += ["", f"## Non placés ({len(apart)}) : à lire sur le PDF annoté", ""]
    lines += [_line(c) for c in apart] or ["Aucun."]
    write_text(markdown, "\n".join(lines) + "\n")

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Relecture"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for c in placed + apart:
        sheet.append(["x" if c.done else "", c.page, _where(c), c.quote,
                      c.comment + "".join(f" — {r}" for r in c.replies), c.kind, c.author, c.date, c.pdf, c.id])
    for letter, width in zip("ABCDEFGHIJ", (6, 6, 45, 45, 60, 14, 20, 17, 28, 12)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    with replacing(workbook) as tmp:
        book.save(tmp)


def _line(c: Comment) -> str:
    quote = f" · « {c.quote} »" if c.quote else ""
    return f"- [{'x' if c.done else ' '}] p. {c.page} · {_where(c)}{quote} · {c.text()} <!-- id:{c.id} -->"


def open_items(paths) -> list[str]:
    """The comments of every checklist of the edition not yet ticked (in the Markdown file or the
    workbook): « relecture-2026-03-12.md : p. 5 · content/…:13 · Note de … »."""
    found = []
    for markdown in _checklists(paths):
        ticked_rows = {row.get("Id") for row in _workbook_items(markdown.with_suffix(".xlsx"))
                       if row.get("Fait", "").strip()}
        try:
            lines = markdown.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            match = ITEM.match(line)
            if match and match["done"] == " " and match["id"] not in ticked_rows:
                found.append(f"{markdown.name} : {_short(match['text'], 160)}")
    return found
