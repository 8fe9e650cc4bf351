"""The accessibility audit of a built PDF (PDF/UA-1, as RGAA asks of public documents).

The final PDF is written as PDF/UA-1 by WeasyPrint: tagged, its language and title set.
This module opens the file that was written, not the HTML, and checks what a screen reader
will meet:

- a structure tree, the document marked as tagged, the PDF/UA identification in its XMP;
- the language (``fr``) and the title shown by the viewer instead of the file name;
- headings in order: an H1 first, never a level skipped on the way down;
- every figure with its alternative text (a decorative image is a background: an artifact);
- every table with header cells, each header with its scope (column or row);
- every font embedded, with its map back to Unicode, so that the text can be read out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HEADINGS = {f"/H{n}": n for n in range(1, 7)}


@dataclass
class Audit:
    path: Path
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_pdf(path: Path) -> Audit:
    import pikepdf

    audit = Audit(path)
    problems = audit.problems
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        lang = str(root.get("/Lang", ""))
        if not lang.lower().startswith("fr"):
            problems.append(f"langue du document absente ou autre que le français : « {lang} »")
        title = str(pdf.docinfo.get("/Title", "")).strip()
        if not title:
            problems.append("titre du document absent")
        prefs = root.get("/ViewerPreferences")
        if prefs is None or not bool(prefs.get("/DisplayDocTitle", False)):
            problems.append("le lecteur afficherait le nom du fichier et non le titre (DisplayDocTitle)")
        marked = root.get("/MarkInfo")
        if marked is None or not bool(marked.get("/Marked", False)):
            problems.append("document non marqué comme balisé (MarkInfo)")
        with pdf.open_metadata() as meta:
            if str(meta.get("pdfuaid:part", "")) != "1":
                problems.append("identification PDF/UA-1 absente des métadonnées XMP")
        tree = root.get("/StructTreeRoot")
        if tree is None:
            problems.append("pas d'arbre de structure : le PDF n'est pas balisé")
        else:
            _walk_structure(tree, audit)
        _check_fonts(pdf, audit)
    return audit


def _walk_structure(tree, audit: Audit) -> None:
    import pikepdf

    counts: dict[str, int] = {}
    last_heading = 0
    stack = [iter(_kids(tree))]
    tables: list[dict] = []
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            if tables and tables[-1]["depth"] == len(stack):
                table = tables.pop()
                if not table["th"]:
                    audit.problems.append(f"tableau n° {table['n']} sans cellule d'en-tête (TH)")
            continue
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            continue
        tag = str(element.S)
        counts[tag] = counts.get(tag, 0) + 1
        if tag in HEADINGS:
            level = HEADINGS[tag]
            if last_heading == 0 and level != 1:
                audit.problems.append(f"le premier titre est un {tag[1:]}, pas un H1")
            elif level > last_heading + 1 and last_heading:
                audit.problems.append(f"niveau de titre sauté : {tag[1:]} après H{last_heading} "
                                      f"(« {_text(element)[:60]} »)")
            last_heading = level
        elif tag == "/Figure":
            if not str(element.get("/Alt", "")).strip():
                audit.problems.append(f"figure n° {counts[tag]} sans texte de remplacement")
        elif tag == "/Table":
            tables.append({"n": counts[tag], "th": 0, "depth": len(stack)})
        elif tag == "/TH":
            if tables:
                tables[-1]["th"] += 1
            # a header is tied to its cells by a Scope, or by an ID its cells name in Headers
            if _scope(element) not in ("/Column", "/Row", "/Both") and "/ID" not in element:
                audit.problems.append(f"cellule d'en-tête sans portée ni identifiant dans le tableau n° "
                                      f"{tables[-1]['n'] if tables else '?'}")
        stack.append(iter(_kids(element)))
    audit.counts = counts


def _kids(element) -> list:
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    if isinstance(kids, pikepdf.Array):
        return list(kids)
    return [kids]


def _scope(element) -> str:
    import pikepdf

    attributes = element.get("/A")
    if attributes is None:
        return ""
    for attr in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
        if isinstance(attr, pikepdf.Dictionary) and "/Scope" in attr:
            return str(attr.Scope)
    return ""


def _text(element) -> str:
    return str(element.get("/T", "") or element.get("/Alt", "") or "")


def _check_fonts(pdf, audit: Audit) -> None:
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, 1):
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for _name, font in fonts.items():
            key = font.objgen
            if key in seen:
                continue
            seen.add(key)
            base = str(font.get("/BaseFont", "?"))
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font.DescendantFonts[0].get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                if str(font.get("/Subtype")) != "/Type3":
                    audit.problems.append(f"police {base} non incorporée (page {number})")
            if "/ToUnicode" not in font:
                audit.problems.append(f"police {base} sans table ToUnicode : texte illisible (page {number})")
    audit.counts["fonts"] = len(seen)
