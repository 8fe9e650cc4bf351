"""The structure tree of the final PDF, to the letter of PDF/UA-1.

WeasyPrint tags a PDF from its boxes (``weasyprint.pdf.tags``); its tree leaves out what
PDF/UA-1 asks and what a screen reader needs. While the final PDF is written, this module
builds the tree instead, with WeasyPrint's function adapted (BSD licence, the version
pinned in ``constraints.txt``; :func:`check_engine` stops the build if its internals move):

- page furniture is an artifact: running headers and folios (the page's margin boxes) and
  the leader dots of the sommaire are painted as ``/Artifact``, never read out;
- a link says where it goes: « Aller à : La gestion des prestations, page 23 », or its text
  and address for a site, instead of the anchor name;
- a footnote is a ``Note`` with an ``ID``, and its call a ``Reference`` holding a link to it;
- one heading per title (a title set on two lines is not a heading inside a heading), its
  level the depth of its bookmark in the outline, so that the tags and the bookmarks agree;
  ``role="heading"`` with ``aria-level`` (interview, focus, tile-group titles) is a heading;
- header cells carry their ``Scope`` as well as the ``ID`` their cells point to;
- a phrase in another language (``lang``) carries its ``Lang``;
- a hyphen added by line breaking reads as a soft hyphen (``ActualText``), so that a word
  cut at the end of a line is read and found whole.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

SOFT_HYPHEN = "\u00ad"
HEADINGS = {f"h{n}": n for n in range(1, 7)}
WEASYPRINT_TESTED = ("70",)     # the major versions whose tagging code this module follows


class EngineChanged(RuntimeError):
    """WeasyPrint's tagging is not the one this module was written against."""


def check_engine() -> None:
    import weasyprint
    from weasyprint.pdf import stream, tags

    major = weasyprint.__version__.split(".")[0]
    if major not in WEASYPRINT_TESTED or not hasattr(tags, "add_tags") or not hasattr(stream.Stream, "marked"):
        raise EngineChanged(f"WeasyPrint {weasyprint.__version__} : le balisage PDF/UA de reportgen suit "
                            f"WeasyPrint {', '.join(WEASYPRINT_TESTED)} ; installez les versions de "
                            "constraints.txt")


def _text(element) -> str:
    """The text of an HTML element as read out: spaces collapsed, soft hyphens dropped."""
    text = "".join(element.itertext()).replace(SOFT_HYPHEN, "")
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class PieceTags:
    """A piece of a document tagged apart (:mod:`reportgen.pdf.segments`), to be merged later.

    Its notes are numbered from ``note_start``; its header cell IDs start with ``id_prefix``;
    an internal link's description is left to the merge, which knows every page (its
    ``Contents`` holds the link's own text); its headings and bookmarks are recorded in order
    (a bookmark that is no heading with no object and level 0, a heading without bookmark
    with ``None``), so that the merge gives each heading its level in the whole outline.
    """

    note_start: int = 0
    id_prefix: str = ""
    outline: list = field(default_factory=list)   # [heading's object number, its level written, bookmark level]


class OutlineLevels:
    """The depth of each bookmark and the level of each heading, in document order, as in one whole document."""

    def __init__(self):
        self.skipped_levels: list[int] = []
        self.previous_level = 0
        self.last_bookmarked: tuple[int, int] | None = None      # (written level, depth)
        self.last_heading = 0

    def bookmark_depth(self, level: int) -> int:
        """The depth of a bookmark in the outline, as WeasyPrint's ``make_page_bookmark_tree`` finds it."""
        skipped = self.skipped_levels
        if level > self.previous_level:
            skipped.append(level - self.previous_level - 1)
        else:
            temp = level
            while temp < self.previous_level:
                temp += 1 + skipped.pop()
            if temp > self.previous_level:
                skipped.append(temp - self.previous_level - 1)
        self.previous_level = level
        return level - sum(skipped)

    def heading_level(self, written: int, depth: int | None) -> int:
        """A heading's level: the depth of its bookmark, else placed under the last bookmarked one."""
        if depth is not None:
            self.last_bookmarked = (written, depth)
            result = depth
        elif self.last_bookmarked is None:
            result = written
        else:
            base_written, base_depth = self.last_bookmarked
            result = max(1, base_depth + written - base_written)
        result = min(result, self.last_heading + 1)
        self.last_heading = result
        return result


class _Plan(OutlineLevels):
    """What the tree needs to know of the whole document before a page is tagged."""

    def __init__(self, document, piece: PieceTags | None = None):
        from weasyprint.formatting_structure import boxes

        self.piece = piece
        note_start = piece.note_start if piece else 0

        self.anchor_page: dict[str, int] = {}
        for number, page in enumerate(document.pages, 1):
            for name in page.anchors:
                self.anchor_page.setdefault(name, number)
        self.by_id: dict[str, object] = {}
        self.notes: dict[object, str] = {}            # footnote element -> its ID
        self.note_place: dict[object, tuple[int, float, float]] = {}   # element -> page, x, y (CSS px)
        root = None
        for number, page in enumerate(document.pages):
            page_box = page._page_box
            for box in _descendants(page_box):
                if root is None and getattr(box, "element", None) is not None:
                    root = box.element
                if isinstance(box, boxes.MarginBox) or getattr(box, "is_leader", False):
                    for inner in _descendants(box):
                        inner._reportgen_artifact = True
                elif isinstance(box, boxes.FootnoteAreaBox):
                    for note in box.children:
                        if note.element is not None and note.element not in self.notes:
                            self.notes[note.element] = f"note-{note_start + len(self.notes) + 1}"
                            self.note_place[note.element] = (number, note.position_x, note.position_y)
        if root is not None:
            for element in root.iter():
                ident = element.get("id") if hasattr(element, "get") else None
                if ident:
                    self.by_id.setdefault(ident, element)
        self.scale = 0.75        # PDF points per CSS pixel (WeasyPrint's zoom 1)
        self.heights = [page.height for page in document.pages]
        OutlineLevels.__init__(self)

    def describe(self, target: str, internal: bool, own_text: str) -> str:
        if not internal:
            if target.startswith("mailto:"):
                return f"Écrire à {target[7:]}"
            if target.startswith("tel:"):
                return f"Appeler le {own_text or target[4:]}"
            return f"{own_text} (lien externe : {target})" if own_text else f"Lien externe : {target}"
        if self.piece is not None:     # described by the merge, which knows the pages
            return own_text
        element = self.by_id.get(target)
        return describe_internal(target_title(element) if element is not None else "", own_text,
                                 self.anchor_page.get(target))

def target_title(element) -> str:
    """What a link to ``element`` goes to: its heading's text, else its own."""
    heading = element if _heading_level(element) else next(
        (e for e in element.iter() if _heading_level(e)), None)
    return _text(heading if heading is not None else element)


def describe_internal(title: str, own_text: str, page: int | None) -> str:
    """« Aller à : La gestion des prestations, page 23 »."""
    title = title or own_text
    if len(title) > 120:
        title = title[:119].rstrip() + "…"
    where = f", page {page}" if page else ""
    return f"Aller à : {title}{where}" if title else f"Aller à la page {page}"


def link_titles(html: str, targets: set[str]) -> dict[str, str]:
    """The title of each of ``targets`` (element IDs) in a whole HTML document, for the merge."""
    import lxml.html

    root = lxml.html.document_fromstring(html.encode("utf-8"))
    found: dict[str, str] = {}
    for element in root.iter():
        ident = element.get("id") if isinstance(element.tag, str) else None
        if ident in targets and ident not in found:
            found[ident] = target_title(element)
    return found


def _descendants(box) -> Iterator:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _descendants(child)


def _heading_level(element) -> int:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in HEADINGS:
        return HEADINGS[tag]
    if element.get("role") == "heading":
        try:
            return max(1, min(6, int(element.get("aria-level", "2"))))
        except ValueError:
            return 2
    return 0


@contextmanager
def tagged(document, piece: PieceTags | None = None) -> Iterator[None]:
    """While the block writes ``document``, its PDF is tagged by this module (a piece's, with ``piece``)."""
    import weasyprint.pdf as wpdf
    from weasyprint.pdf import stream as wstream

    check_engine()
    plan = _Plan(document, piece)
    original_marked = wstream.Stream.marked
    original_add_tags = wpdf.add_tags

    @contextmanager
    def marked(self, box, tag):
        if getattr(box, "_reportgen_artifact", False):
            with self.artifact():
                yield
        else:
            with original_marked(self, box, tag):
                yield

    def add_tags(pdf, document, pdf_version, page_streams):
        _add_tags(pdf, document, pdf_version, page_streams, plan)

    wstream.Stream.marked = marked
    wpdf.add_tags = add_tags
    try:
        yield
    finally:
        wstream.Stream.marked = original_marked
        wpdf.add_tags = original_add_tags


def _add_tags(pdf, document, pdf_version, page_streams, plan: _Plan) -> None:
    import pydyf
    from weasyprint.logger import LOGGER

    content_mapping = pydyf.Dictionary({})
    pdf.add_object(content_mapping)
    structure_root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": content_mapping.reference})
    pdf.add_object(structure_root)
    structure_document = pydyf.Dictionary({
        "Type": "/StructElem", "S": "/Document", "K": pydyf.Array(), "P": structure_root.reference})
    pdf.add_object(structure_document)
    structure_root["K"] = pydyf.Array([structure_document.reference])
    pdf.catalog["StructTreeRoot"] = structure_root.reference
    if str(pdf_version) >= "2.0":
        namespace = pydyf.Dictionary({"Type": "/Namespace", "NS": pydyf.String("http://iso.org/pdf2/ssn")})
        pdf.add_object(namespace)
        structure_root["Namespaces"] = pydyf.Array([namespace.reference])
        structure_document["NS"] = namespace.reference

    content_mapping["Nums"] = pydyf.Array()
    builder = _TreeBuilder(pdf, plan)
    for page_number, (page, stream) in enumerate(zip(document.pages, page_streams)):
        tags = stream._tags
        content_mapping["Nums"].append(page_number)
        content_mapping["Nums"].append(pydyf.Array())
        page_nums: dict[int, object] = {}
        builder.start_page(page_number, page_nums, tags)
        for element in builder.build(page._page_box, structure_document):
            structure_document["K"].append(element.reference)
        if tags:
            raise AssertionError(f"contenu marqué hors de l'arbre de structure, page {page_number + 1}")
        content_mapping["Nums"][-1].extend(ref for _, ref in sorted(page_nums.items()))

    start = len(document.pages)
    for i, (reference, annotation) in enumerate(builder.annotations, start=start):
        content_mapping["Nums"].append(i)
        content_mapping["Nums"].append(reference)
        annotation["StructParent"] = i
    if builder.ids:
        # IDs (header cells, notes) are found through the IDTree, as PDF 1.7 §14.7.2 asks
        names = pydyf.Array()
        for key, ref in sorted(builder.ids.items()):
            names.append(pydyf.String(key))
            names.append(ref)
        id_tree = pydyf.Dictionary({"Names": names})
        pdf.add_object(id_tree)
        structure_root["IDTree"] = id_tree.reference

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
    if "Lang" not in pdf.catalog:
        LOGGER.error('Missing required "lang" attribute at the root of the document')
        pdf.catalog["Lang"] = pydyf.String()


class _TreeBuilder:
    """WeasyPrint's ``_build_box_tree``, with the rules of this module's docstring."""

    def __init__(self, pdf, plan: _Plan):
        self.pdf = pdf
        self.plan = plan
        self.annotations: list[tuple[object, object]] = []
        self.ids: dict[str, object] = {}
        self.owner: dict[int, object] = {}     # heading or note element -> its HTML element

    def start_page(self, page_number: int, nums: dict, tags: dict) -> None:
        self.page_number, self.nums, self.tags = page_number, nums, tags

    # -- elements ---------------------------------------------------------------------------
    def new(self, tag: str, parent, kids=None):
        import pydyf

        element = pydyf.Dictionary({
            "Type": "/StructElem", "S": f"/{tag}", "K": pydyf.Array(kids or []),
            "Pg": self.pdf.page_references[self.page_number], "P": parent.reference})
        self.pdf.add_object(element)
        return element

    def object_reference(self, annotation):
        import pydyf

        reference = pydyf.Dictionary({
            "Type": "/OBJR", "Obj": annotation.reference, "Pg": self.pdf.page_references[self.page_number]})
        self.pdf.add_object(reference)
        return reference

    def page_dict(self, number: int):
        return self.pdf.objects[self.pdf.pages["Kids"][3 * number]]

    # -- the tree ---------------------------------------------------------------------------
    def build(self, box, parent) -> Iterator:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder
        from weasyprint.pdf.tags import _get_pdf_tag

        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        element_tag = None if box.element is None else box.element_tag
        tag = _get_pdf_tag(element_tag)
        html = box.element
        parent_tag = str(parent["S"])
        if getattr(box, "_reportgen_artifact", False):
            # painted as an artifact (margin boxes, leader dots); a link's area still belongs to it
            if parent_tag == "/Link":
                for inner in _descendants(box):
                    self._attach_link(inner, parent)
            return

        if element_tag in ("html", "body") or isinstance(box, boxes.PageBox) or (
                isinstance(box, boxes.FootnoteAreaBox)):
            if isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
                for child in box.children:
                    yield from self.build(child, parent)
                return
        elif isinstance(box, boxes.MarginBox):
            return
        elif tag in ("TD", "TH"):
            if parent_tag in ("/TD", "/TH"):
                tag = "NonStruct"
        elif tag == "LI":
            anonymous_list_element = parent_tag == "/LI"
            anonymous_li_child = parent_tag == "/LBody"
            dl_item = box.element_tag in ("dt", "dd")
            no_bullet_li = box.element_tag == "li" and (
                "list-item" not in box.style["display"] or box.style["list_style_type"] == "none")
            if anonymous_list_element:
                tag = "LBody"
            elif anonymous_li_child:
                tag = "NonStruct"
            elif dl_item or no_bullet_li:
                item = self.new("LI", parent)
                item["K"].append(self._fill(box, item, "LBody", html, element_tag).reference)
                yield item
                return

        own = html is not None and element_tag == html.tag
        if own and self.owner.get(id(parent)) is html:
            # an anonymous box of the same heading or note (a title set on two lines): no second one
            self._children(box, parent, parent_tag)
            return
        depth = bookmarked = None
        if box.style["bookmark_level"] != "none" and getattr(box, "bookmark_label", None):
            bookmarked = int(box.style["bookmark_level"])
            depth = self.plan.bookmark_depth(bookmarked)
        heading = _heading_level(html) if own else 0
        piece = self.plan.piece
        if piece is not None and (heading or bookmarked is not None):
            entry = [None, heading, bookmarked]
            piece.outline.append(entry)
            if heading:      # its level is set again by the merge, from the whole outline
                element = self._fill(box, parent, f"H{self.plan.heading_level(heading, depth)}", html, element_tag)
                entry[0] = element.number
                yield element
                return
        if heading:
            tag = f"H{self.plan.heading_level(heading, depth)}"
        elif element_tag and "::" in element_tag and parent_tag == "/Link" and not element_tag.endswith(
                ("::footnote-call", "::marker")):
            # the ::before / ::after of a link (the sommaire's page number) reads with the link
            self._attach_link(box, parent)
            self._children(box, parent, parent_tag)
            return
        elif html is not None and html in self.plan.notes:
            if element_tag.endswith("::footnote-call"):
                yield self._note_call(box, parent, html)
                return
            if own:
                tag = "Note"
            elif element_tag.endswith("::footnote-marker"):
                tag = "Lbl"

        yield self._fill(box, parent, tag, html, element_tag)

    def _fill(self, box, parent, tag: str, html, element_tag):
        import pydyf

        element = self.new(tag, parent)
        if tag == "Note" or (tag.startswith("H") and tag[1:].isdigit()):
            self.owner[id(element)] = html
        if tag == "Note":
            key = self.plan.notes[html]
            element["ID"] = pydyf.String(key)
            self.ids[key] = element.reference
        if html is not None and element_tag == html.tag and html.get("lang") and tag not in ("Link",):
            element["Lang"] = pydyf.String(html.get("lang"))

        if tag == "Figure":
            x1, y1 = box.content_box_x(), box.content_box_y()
            element["A"] = pydyf.Dictionary({
                "O": "/Layout", "BBox": pydyf.Array((x1, y1, x1 + box.width, y1 + box.height))})
            if html.tag == "{http://www.w3.org/2000/svg}svg":
                title = html.find("{http://www.w3.org/2000/svg}title")
                if title is not None and title.text:
                    element["Alt"] = pydyf.String(title.text)
            elif alt := html.attrib.get("alt"):
                element["Alt"] = pydyf.String(alt)
        elif tag == "Table":
            if box.is_table_wrapper:
                wrapper, table = box, box.get_wrapped_table()
                if table:
                    box = table.copy_with_children([])
                    for child in wrapper.children:
                        box.children.extend(child.children if child is table else [child])
        elif tag in ("TH", "TD"):
            element["A"] = pydyf.Dictionary({"O": "/Table"})
            if box.colspan != 1:
                element["A"]["ColSpan"] = box.colspan
            if box.rowspan != 1:
                element["A"]["RowSpan"] = box.rowspan
            if tag == "TH":
                scope = (html.get("scope") or "").lower()
                element["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"
            box.mark = element

        self._attach_link(box, element)

        if box.widget_annotation:
            annotation = box.widget_annotation
            form = self.new("Form", element, [self.object_reference(annotation).reference])
            self.annotations.append((form.reference, annotation))
            element["K"].append(form.reference)

        self._children(box, element, f"/{tag}")

        from weasyprint.formatting_structure import boxes
        if isinstance(box, boxes.ReplacedBox):
            kid = self.tags.pop(box)
            element["K"].append(kid["mcid"])
            self.nums[kid["mcid"]] = element.reference
        if tag == "Table":
            self._headers(box, element)
        return element

    def _children(self, box, element, tag: str) -> None:
        import pydyf
        from weasyprint.formatting_structure import boxes

        for child in box.children:
            children = child.children if isinstance(child, boxes.LineBox) else [child]
            for child in children:
                if getattr(child, "_reportgen_artifact", False):
                    if tag == "/Link":
                        for inner in _descendants(child):
                            self._attach_link(inner, element)
                    continue
                if isinstance(child, boxes.TextBox):
                    kid = self.tags.pop(child)
                    if tag == "/Link":
                        element["K"].append(kid["mcid"])
                        self.nums[kid["mcid"]] = element.reference
                    else:
                        span = self.new(kid["tag"], element, [kid["mcid"]])
                        actual = _actual_text(child)
                        if actual is not None:
                            span["ActualText"] = pydyf.String(actual)
                        element["K"].append(span.reference)
                        self.nums[kid["mcid"]] = span.reference
                else:
                    if child.element_tag in ("ul", "ol") and tag == "/LI":
                        child_parent = element["P"]
                        child_parent = self._resolve(child_parent)
                    else:
                        child_parent = element
                    index = len(child_parent["K"])
                    child_parent["K"][index:index] = [e.reference for e in self.build(child, child_parent)]

    def _resolve(self, reference):
        number = int(str(reference if not isinstance(reference, bytes) else reference.decode()).split()[0])
        return self.pdf.objects[number]

    def _attach_link(self, box, element) -> None:
        """The link annotation of a box, in the structure tree under ``element`` and described."""
        annotation = getattr(box, "link_annotation", None)
        if annotation is None or annotation.get("StructParent") is not None:
            return
        element["K"].append(self.object_reference(annotation).reference)
        self.annotations.append((element.reference, annotation))
        annotation["StructParent"] = -1          # numbered at the end with the others
        self._describe_link(annotation, box, box.element)

    def _describe_link(self, annotation, box, html) -> None:
        import pydyf

        if "Dest" in annotation:
            target, internal = _pdf_string(annotation["Dest"]), True
        else:
            target, internal = _pdf_string(annotation["A"]["URI"]), False
        own = _text(html) if html is not None else ""
        annotation["Contents"] = pydyf.String(self.plan.describe(target, internal, own))

    def _note_call(self, box, parent, note):
        """The call of a footnote: a Reference holding a link to the Note."""
        import pydyf

        reference = self.new("Reference", parent)
        link = self.new("Link", reference)
        reference["K"].append(link.reference)
        number, x, y = self.plan.note_place[note]
        scale = self.plan.scale
        height = self.plan.heights[self.page_number]
        x1 = box.position_x * scale
        x2 = (box.position_x + box.margin_width()) * scale
        y1 = (height - box.position_y - box.margin_height()) * scale
        y2 = (height - box.position_y) * scale
        key = self.plan.notes[note]
        annotation = pydyf.Dictionary({
            "Type": "/Annot", "Subtype": "/Link", "Rect": pydyf.Array([x1, y1, x2, y2]),
            "BS": pydyf.Dictionary({"W": 0}),
            "Dest": pydyf.Array([self.pdf.page_references[number], "/XYZ", x * scale,
                                 (self.plan.heights[number] - y) * scale, 0]),
            "Contents": pydyf.String(f"Note {key.split('-')[-1]} : {_text(note)[:200]}"),
        })
        self.pdf.add_object(annotation)
        page = self.page_dict(self.page_number)
        if "Annots" not in page:
            page["Annots"] = pydyf.Array()
        page["Annots"].append(annotation.reference)
        link["K"].append(self.object_reference(annotation).reference)
        self.annotations.append((link.reference, annotation))
        self._children(box, link, "/Link")
        return reference

    def _headers(self, box, element) -> None:
        import pydyf

        def rows(table_box):
            for child in table_box.children:
                yield from [child] if child.element_tag == "tr" else rows(child)

        column_headers, row_headers = defaultdict(list), defaultdict(list)
        all_rows = tuple(rows(box))
        for i, j, cell in _grid(all_rows):
            if cell.element is not None and cell.element_tag == "th":
                key = f"{self.plan.piece.id_prefix if self.plan.piece else ''}{element.number}-{i}-{j}"
                cell.mark["ID"] = pydyf.String(key)
                self.ids[key] = cell.mark.reference
                if cell.element.attrib.get("scope") == "row":
                    row_headers[i].append(pydyf.String(key))
                else:
                    column_headers[j].append(pydyf.String(key))
        for i, j, cell in _grid(all_rows):
            if cell.element is not None and cell.element_tag == "td":
                headers = [h for span in range(cell.rowspan) for h in row_headers[i + span]]
                headers += [h for span in range(cell.colspan) for h in column_headers[j + span]]
                cell.mark["A"]["Headers"] = pydyf.Array(headers)


def _grid(rows) -> Iterator[tuple[int, int, object]]:
    """Each cell with its row and first column, cells spanning rows above counted (WeasyPrint's walk)."""
    colspans: dict[int, int] = defaultdict(int)
    for i, row in enumerate(rows):
        j = 0
        for cell in row.children:
            yield i, j, cell
            for _ in range(cell.colspan):
                colspans[j] = cell.rowspan - 1
                j += 1
            if colspans[j]:
                j += 1
                colspans[j] -= 1


def _pdf_string(value) -> str:
    """The text of a pydyf string."""
    return value.string if hasattr(value, "string") else str(value)


def _actual_text(text_box) -> str | None:
    """A line cut by hyphenation ends with the hyphen the layout added: it reads as a soft hyphen.

    The hyphen of the layout is the hyphen of the text (``hyphenate-character: "-"``), so a line
    that ends with a word's own hyphen (« rendez- » / « vous ») is told apart by the source: the
    word followed by a hyphen is in the element's text only when the hyphen is the author's.
    """
    hyphen = text_box.style["hyphenate_character"]
    text = text_box.text
    if not hyphen or not text.endswith(hyphen) or text_box.style["hyphens"] == "none":
        return None
    word = re.search(r"(\w+)" + re.escape(hyphen) + "$", text)
    if word is None:
        return None
    source = "".join(text_box.element.itertext()) if text_box.element is not None else ""
    if word[1] + hyphen in source:
        return None
    return text[: -len(hyphen)] + SOFT_HYPHEN

