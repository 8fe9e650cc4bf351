"""Two PDFs compared as a reader sees them: the text of each page, the bookmarks, the internal
links, the structure tree's elements and the link descriptions, the embedded fonts."""
from __future__ import annotations

import re

import pikepdf
import pypdfium2 as pdfium
from pypdf import PdfReader


def norm(text: str) -> str:
    """Page text as read back; one glyph may map to either space, so spaces are made one."""
    text = text.replace("\xa0", " ").replace("\u202f", " ").replace("‐", "-").replace("\ufffe", "")
    return re.sub(r"\s+", " ", text.replace("-\r\n", "").replace("-\n", "")).strip()


def pages(path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [norm(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    finally:
        pdf.close()


def outline(path) -> list[tuple[int, str, int]]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [(b.level, b.get_title(), b.get_dest().get_index()) for b in pdf.get_toc()]
    finally:
        pdf.close()


def links(path) -> list[tuple[int, int]]:
    """(page of the link, page it leads to) for each internal link."""
    reader = PdfReader(str(path))
    named = {name: reader.get_destination_page_number(dest) for name, dest in reader.named_destinations.items()}
    found = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if "/Dest" in annot and str(annot["/Dest"]) in named:
                found.append((number, named[str(annot["/Dest"])]))
    return sorted(found)


def tags(path) -> tuple[list[str], list[str]]:
    """The structure tree's element types in reading order, and each link annotation's description."""
    found: list[str] = []

    def walk(element):
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            found.append(str(element.S))
            kids = element.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                walk(kid)

    with pikepdf.open(path) as pdf:
        walk(pdf.Root.StructTreeRoot.K[0])
        links = [str(a.get("/Contents", "")) for page in pdf.pages for a in page.obj.get("/Annots", ())]
    return found, links


def fonts(path) -> dict[str, int]:
    """Each embedded font's name and the number of font objects bearing it (pages and drawings)."""
    found: dict[str, set] = {}

    def visit(resources):
        for font in (resources.get("/Font") or {}).values():
            found.setdefault(str(font.BaseFont).split("+")[-1], set()).add(font.objgen)
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == pikepdf.Name.Form and "/Resources" in xobject:
                visit(xobject.Resources)

    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            visit(page.obj.get("/Resources", pikepdf.Dictionary()))
    return {name: len(objects) for name, objects in found.items()}
