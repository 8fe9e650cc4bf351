"""The accessibility audit of a built PDF (PDF/UA-1, as RGAA asks of public documents).

The final PDF is written as PDF/UA-1 by WeasyPrint: tagged, its language and title set.
This module opens the file that was written, not the HTML, and checks what a screen reader
will meet:

- a structure tree, the document marked as tagged, the PDF/UA identification in its XMP;
- the language (``fr``) and the title shown by the viewer instead of the file name;
- headings in order: an H1 first, never a level skipped on the way down;
- every figure with its alternative text (a decorative image is a background: an artifact);
- every table with header cells, each header with its scope (column or row);
- every font embedded, with its map back to Unicode, so that the text can be read out;
- every mark on a page either tagged (reachable from the structure tree) or an artifact:
  running headers, folios and leader dots are artifacts, the cover's paint too;
- one heading per title (no heading inside a heading), and the bookmarks at the levels of
  the headings they point to;
- every link annotation in the tree and described by its text and target, not by an anchor
  name or a bare address; every footnote a ``Note`` with an ``ID``.

Then it runs the independent checker ``pdfua`` (PyPI), whose findings count as ours. Its rule
UA-14-001 (empty headings) stops on a heading whose ``/K`` is an array, which is every heading
of a WeasyPrint PDF, and reports itself « skipped »; the empty-heading check is ours instead.
Its UA-15-003 warns when header cells carry neither ``Scope`` nor ``Headers``: ours carry both
``Scope`` and the ``ID`` their cells name, so it has nothing to say; were it to warn on a table
tied by ``Headers``/``ID`` alone, that would be a false positive (PDF/UA-1 §7.5 accepts either).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

HEADINGS = {f"/H{n}": n for n in range(1, 7)}
PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "BI"}
# pdfua rules whose silence on our PDFs is explained in the docstring above
PDFUA_SKIPPED_KNOWN = {"UA-14-001"}


@dataclass
class Audit:
    path: Path
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)      # pdfua rules it could not run

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_pdf(path: Path, independent: bool = True) -> Audit:
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
            reachable = _reachable(tree)
            _check_marked_content(pdf, tree, reachable, audit)
            _check_links(pdf, reachable, audit)
            _check_bookmarks(pdf, audit)
        _check_fonts(pdf, audit)
    if independent:
        _run_pdfua(path, audit)
    return audit


def _run_pdfua(path: Path, audit: Audit) -> None:
    """The independent checker: its errors and warnings are problems; a rule skipped is said."""
    from pdfua import PdfuaError, validate

    try:
        report = validate(str(path))
    except PdfuaError as exc:
        audit.problems.append(f"pdfua ne peut pas lire le fichier : {exc}")
        return
    for finding in report.findings:
        if finding.severity.name in ("ERROR", "WARNING"):
            page = getattr(finding.location, "page", None)
            where = f" (page {page})" if page else ""
            audit.problems.append(f"pdfua {finding.rule_id}{where} : {finding.message}")
    audit.counts["pdfua rules"] = len(report.outcomes) - len(report.skipped)
    audit.skipped = [o.rule_id for o in report.skipped]
    for outcome in report.skipped:
        if outcome.rule_id not in PDFUA_SKIPPED_KNOWN:
            audit.problems.append(f"pdfua n'a pas pu vérifier la règle {outcome.rule_id} : {outcome.skipped_reason}")


def _walk_structure(tree, audit: Audit) -> None:
    import pikepdf

    counts: dict[str, int] = {}
    last_heading = 0
    stack = [iter(_kids(tree))]
    tags_open: list[str] = [""]        # the tag of the element each level of the stack walks
    tables: list[dict] = []
    while stack:
        headings_open = [t for t in tags_open if t in HEADINGS]
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            tags_open.pop()
            if tables and tables[-1]["depth"] == len(stack):
                table = tables.pop()
                if not table["th"]:
                    audit.problems.append(f"tableau n° {table['n']} sans cellule d'en-tête (TH)")
            continue
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            continue
        tag = str(element.S)
        counts[tag] = counts.get(tag, 0) + 1
        if tag == "/Note" and not str(element.get("/ID", "")).strip():
            audit.problems.append(f"note n° {counts[tag]} sans identifiant (ID) : son appel ne peut pas la désigner")
        if tag in HEADINGS:
            if any(level_tag in HEADINGS for level_tag in headings_open):
                audit.problems.append(f"un titre dans un titre ({tag[1:]} dans {headings_open[-1][1:]}) : "
                                      "un titre sur deux lignes doit rester un seul titre")
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
        tags_open.append(tag)
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


def _reachable(tree) -> set[tuple[int, int]]:
    """The structure elements reachable from the root, by object number."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    todo = list(_kids(tree))
    while todo:
        element = todo.pop()
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            continue
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        todo.extend(_kids(element))
    return seen


def _number_tree(node) -> dict[int, object]:
    """A number tree (the parent tree) as a dictionary, its kids followed."""
    entries: dict[int, object] = {}
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            entries[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids") or ():
        entries.update(_number_tree(kid))
    return entries


def _check_marked_content(pdf, tree, reachable: set, audit: Audit) -> None:
    """Every mark on a page is tagged or an artifact (PDF/UA-1 §7.1)."""
    import pikepdf

    parents = _number_tree(tree.ParentTree) if "/ParentTree" in tree else {}
    unmarked = artifacts = orphans = 0
    pages_unmarked: list[int] = []
    pages_orphans: list[int] = []
    for number, page in enumerate(pdf.pages, 1):
        owners = parents.get(int(page.obj.get("/StructParents", -1)))
        depth = 0
        page_unmarked = page_orphans = 0
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                depth += 1
                if str(operands[0]) == "/Artifact":
                    artifacts += 1
                elif op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    mcid = int(operands[1].MCID)
                    owner = owners[mcid] if owners is not None and mcid < len(owners) else None
                    if owner is None or not owner.is_indirect or owner.objgen not in reachable:
                        page_orphans += 1
            elif op == "EMC":
                depth -= 1
            elif op in PAINTING and depth <= 0:
                page_unmarked += 1
        if page_unmarked:
            unmarked += page_unmarked
            pages_unmarked.append(number)
        if page_orphans:
            orphans += page_orphans
            pages_orphans.append(number)
    if unmarked:
        audit.problems.append(f"{unmarked} tracé(s) hors de tout balisage, ni balisé(s) ni artefact(s) "
                              f"(pages {_pages(pages_unmarked)})")
    if orphans:
        audit.problems.append(f"{orphans} séquence(s) marquée(s) hors de l'arbre de structure, ni balisée(s) "
                              f"ni artefact(s) (pages {_pages(pages_orphans)})")
    audit.counts["artifacts"] = artifacts


def _pages(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:8])
    return shown + (" …" if len(numbers) > 8 else "")


BARE_TARGET = re.compile(r"^(?:[\w.-]+|[a-z]+:\S+)$")


def _check_links(pdf, reachable: set, audit: Audit) -> None:
    """Each link is in the tree and described by its text and target (PDF/UA-1 §7.18.5)."""
    links = described = untagged = 0
    for number, page in enumerate(pdf.pages, 1):
        for annotation in page.obj.get("/Annots") or ():
            if str(annotation.get("/Subtype")) != "/Link":
                continue
            links += 1
            text = str(annotation.get("/Contents", "")).strip()
            if text and not BARE_TARGET.match(text):
                described += 1
            if "/StructParent" not in annotation:
                untagged += 1
    audit.counts["links"], audit.counts["links described"] = links, described
    if described < links:
        audit.problems.append(f"{links - described} lien(s) sur {links} décrit(s) par un nom d'ancre ou une "
                              "adresse nue, non par leur texte et leur cible")
    if untagged:
        audit.problems.append(f"{untagged} lien(s) hors de l'arbre de structure (sans StructParent)")


def _check_bookmarks(pdf, audit: Audit) -> None:
    """Each bookmark points to a heading of its own level on its page, in order."""
    import pikepdf

    levels_by_page: dict[int, list[int]] = {}
    pages = {page.objgen: n for n, page in enumerate((p.obj for p in pdf.pages), 1)}
    todo = [pdf.Root.StructTreeRoot]
    order: list[tuple[int, int]] = []
    while todo:
        element = todo.pop()
        tag = str(element.get("/S", "")) if isinstance(element, pikepdf.Dictionary) else ""
        if tag in HEADINGS and "/Pg" in element:
            order.append((pages.get(element.Pg.objgen, 0), HEADINGS[tag]))
        if isinstance(element, pikepdf.Dictionary):
            todo.extend(reversed([k for k in _kids(element) if isinstance(k, pikepdf.Dictionary)]))
    for page, level in order:
        levels_by_page.setdefault(page, []).append(level)
    total = agree = 0
    with pdf.open_outline() as outline:
        def walk(items, depth):
            nonlocal total, agree
            for item in items:
                total += 1
                page = _outline_page(pdf, item, pages)
                levels = levels_by_page.get(page, [])
                if depth in levels:
                    levels.remove(depth)
                    agree += 1
                walk(item.children, depth + 1)
        walk(outline.root, 1)
    audit.counts["bookmarks"], audit.counts["bookmarks agreeing"] = total, agree
    if agree < total:
        audit.problems.append(f"{total - agree} signet(s) sur {total} à un autre niveau que le titre "
                              "qu'ils désignent")


def _outline_page(pdf, item, pages: dict) -> int:
    import pikepdf

    destination = item.destination
    if destination is None and item.action is not None:
        destination = item.action.get("/D")
    if isinstance(destination, (pikepdf.String, str)):
        destination = _named_destination(pdf, str(destination))
    if isinstance(destination, pikepdf.Array) and len(destination):
        return pages.get(destination[0].objgen, 0)
    return 0


def _named_destination(pdf, name: str):
    from pikepdf import NameTree

    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return None
    found = NameTree(names.Dests).get(name)
    if found is not None and "/D" in found:
        return found.D
    return found
