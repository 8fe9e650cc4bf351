"""A long flowing part cut where a page starts anyway, so that an edit lays out a few pages only.

Chapters that flow on (« chapter_break: flow ») make one unit of many pages: Artois's second
part is 31 pages long. A unit is cut again where the last build saw a page start cleanly: the
page's first element began there (not a paragraph running on), every element before it in the
document lay on earlier pages and every element after it on this one or later. The piece that
follows reopens that element's ancestors (a section, a div) as their continuation, without the
top margin, padding and border a continued box does not print, and without their ids; the piece
before ends with the same ancestors cut, without their bottom ones. Each cut is checked at every
build by a **sentinel**: the piece before is laid out with the next piece's first element after
it, which must start a page exactly as in the whole report (with its top margin truncated or
kept as then). When it does not (an edit above moved the pages), the cut is dropped and what
follows is laid out as one piece again; new cuts are found in it for the next build.

What a page prints from earlier pages is carried into the piece that starts it: the running
header's named strings (``string-set``), read from the pieces before and checked after the
round like the sommaire's page numbers. A section cut in two is two elements of the structure
tree, as in the whole document, whose tags follow the pages (one element per page a box runs over).

A cut keeps the parity of the unit's pages (a left page stays a left page); pieces are at
least :data:`MIN_PAGES` long. Running elements (``position: running()``) are not carried: a
layout printing them is never cut (:func:`allowed`). CSS counters other than the footnotes'
are not carried either, as between the top-level units already.
"""
from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser

# never a figure: the pieces of a long table are measured together (reportgen.pdf.longtables)
CONTAINERS = {"section", "div", "article", "main", "aside"}
MIN_PAGES = 4           # a piece shorter than this costs more in overhead than it saves
LONGEST_SENTINEL = 8000    # an element longer than this (characters) is not a cut: its sentinel would cost too much
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
MARKERS = re.compile(r' data-rg-[\w-]+(?:="[^"]*")?')

# the piece's stylesheet for reopened and cut ancestors (their continuation: CSS box-decoration-break: slice)
CSS = """
[data-rg-open] { margin-top: 0 !important; padding-top: 0 !important; border-top-width: 0 !important;
                 break-before: auto !important; counter-increment: none !important;
                 counter-reset: none !important; string-set: none !important; }
[data-rg-open]::before { content: none !important; }
[data-rg-cut] { margin-bottom: 0 !important; padding-bottom: 0 !important; border-bottom-width: 0 !important;
                break-after: auto !important; }
[data-rg-cut]::after { content: none !important; }
[data-rg-first] { margin-top: 0 !important; }
"""


# --- the unit's HTML as a tree of offsets ----------------------------------------------------------
@dataclass(eq=False)
class Node:
    tag: str
    start: int
    open_end: int            # where its opening tag ends
    end: int = -1            # after its closing tag
    parent: "Node | None" = None
    children: list = field(default_factory=list)

    def ancestors(self) -> list["Node"]:
        """Outermost first, the node itself left out."""
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found[::-1]


class _Tree(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.text = text
        self.offsets = [0]
        for line in text.split("\n"):
            self.offsets.append(self.offsets[-1] + len(line) + 1)
        self.roots: list[Node] = []
        self.stack: list[Node] = []
        self.by_start: dict[int, Node] = {}
        self.feed(text)
        self.close()
        for node in self.stack:          # unclosed: ends with the text
            node.end = len(text)

    def _here(self) -> int:
        line, column = self.getpos()
        return self.offsets[line - 1] + column

    def handle_starttag(self, tag, attrs, closed: bool = False):
        start = self._here()
        node = Node(tag, start, start + len(self.get_starttag_text()),
                    parent=self.stack[-1] if self.stack else None)
        (self.stack[-1].children if self.stack else self.roots).append(node)
        self.by_start[start] = node
        if closed or tag in VOID:
            node.end = node.open_end
        else:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs, closed=True)

    def handle_endtag(self, tag):
        if tag in VOID or not any(n.tag == tag for n in self.stack):
            return
        here = self._here()
        end = self.text.index(">", here) + 1
        while self.stack:
            node = self.stack.pop()
            node.end = end if node.tag == tag else here
            if node.tag == tag:
                break


def tree(text: str) -> _Tree:
    """The elements of an HTML fragment with their offsets (its top-level ones: ``roots``)."""
    return _Tree(text)


def signature(outer: str) -> str:
    return hashlib.sha256(MARKERS.sub("", outer).encode()).hexdigest()[:20]


# --- where a unit is cut --------------------------------------------------------------------------
@dataclass
class Cut:
    """A unit cut before ``node``: found again from its record of the last build."""

    node: Node
    record: dict     # prefix, hash, first (its top margin truncated there), strings (carried into the piece)


RUNNING = re.compile(r"\brunning\(|\belement\(")


def allowed(sheets: list[str]) -> bool:
    """Cuts are made only where the layout prints nothing a cut would lose: running elements
    (``position: running()``, ``element()``) are not carried into a piece, named strings are."""
    return not any(RUNNING.search(text) for text in sheets)


def readable(records) -> list[dict]:
    """The records of a plan file that are well formed (the file is the build's own, but may have
    been damaged: a damaged record is no cut, never an error)."""
    if not isinstance(records, list):
        return []
    return [r for r in records if isinstance(r, dict) and isinstance(r.get("prefix"), str) and r["prefix"]
            and isinstance(r.get("hash"), str) and isinstance(r.get("strings", {}), dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in r.get("strings", {}).items())]


def locate(unit: str, records: list[dict]) -> list[Cut]:
    """The recorded cuts found in this unit's text, in order: each one's element exactly as it was,
    inside containers only."""
    if not records or "data-rg" in unit:
        return []
    parsed = None
    found: dict[int, Cut] = {}
    for record in records:
        at = unit.find(record["prefix"])
        if at < 0 or unit.find(record["prefix"], at + 1) >= 0:
            continue
        parsed = parsed or tree(unit)
        node = parsed.by_start.get(at)
        if node is None or signature(unit[node.start:node.end]) != record["hash"] or node.end - node.start > LONGEST_SENTINEL:
            continue
        if any(a.tag not in CONTAINERS for a in node.ancestors()) or (node.parent is None and at == 0):
            continue
        found[at] = Cut(node, record)
    return [found[k] for k in sorted(found)]


@dataclass
class Part:
    """One piece of a unit: the document's body for it, and what it continues."""

    text: str            # reopened ancestors, its own text, the sentinel, the closing tags
    own: str             # the unit's text it prints (for counting its notes)
    sentinel: bool = False
    record: dict | None = None   # the cut it starts at
    unit: int = 0


def _attrs(tag: str, add: str, strip_id: bool = False) -> str:
    if strip_id:
        tag = re.sub(r'\s+id="[^"]*"', "", tag, count=1)
    end = -2 if tag.endswith("/>") else -1
    return tag[:end] + add + tag[end:]


def parts(unit: str, cuts: list[Cut], index: int) -> list[Part]:
    """The unit as pieces, one per cut (its own text: from its cut to the next)."""
    if not cuts:
        return [Part(unit, unit, unit=index)]
    starts = [None, *cuts]
    found = []
    for j, cut in enumerate(starts):
        begin = 0 if cut is None else cut.node.start
        after = cuts[j] if j < len(cuts) else None
        stop = after.node.start if after else len(unit)
        keep_open = set(after.node.ancestors()) if after else set()
        inserts: dict[int, str] = {}       # offset of an opening tag's end → attributes added
        head = ""
        if cut is not None:
            for a in cut.node.ancestors():
                head += _attrs(unit[a.start:a.open_end], " data-rg-open" + (" data-rg-cut" if a in keep_open else ""),
                               strip_id=True)
            if cut.record.get("first"):
                inserts[cut.node.open_end] = " data-rg-first"
        for a in keep_open:
            if begin <= a.start < stop:
                inserts[a.open_end] = inserts.get(a.open_end, "") + " data-rg-cut"
        own = unit[begin:stop]
        body = _insert(unit, begin, stop, inserts)
        tail = ""
        if after is not None:
            tail = _attrs(unit[after.node.start:after.node.open_end], " data-rg-sentinel") + \
                unit[after.node.open_end:after.node.end]
            tail += "".join(f"</{a.tag}>" for a in reversed(after.node.ancestors()))
        found.append(Part(head + body + tail, own, sentinel=after is not None,
                          record=cut.record if cut else None, unit=index))
    return found


def _insert(text: str, begin: int, stop: int, inserts: dict[int, str]) -> str:
    out, at = [], begin
    for offset in sorted(o for o in inserts if begin < o <= stop):
        out += [text[at:offset - 1], inserts[offset], text[offset - 1:offset]]   # before the tag's « > »
        at = offset
    out.append(text[at:stop])
    return "".join(out)


def carrying(body_open: str, strings: dict[str, str]) -> str:
    """The piece's <body> tag, bearing the named strings a page printed from before its start."""
    if not strings:
        return body_open
    return _attrs(body_open, f' data-rg-strings="{escape(json.dumps(strings, ensure_ascii=False, sort_keys=True))}"')


def carried(html: str) -> dict[str, str]:
    match = re.search(r'<body\b[^>]*\bdata-rg-strings="([^"]*)"', html)
    return json.loads(unescape(match[1])) if match else {}


def choose(tops: list[tuple[int, dict]], kept: list[int], total: int) -> list[tuple[int, dict]]:
    """New cuts among ``tops`` (page offset in the unit, record): even offsets only (a page keeps its
    side), each at least MIN_PAGES from the unit's ends and from every other cut (``kept``)."""
    chosen = list(kept)
    picked = []
    for offset, record in sorted(tops, key=lambda t: t[0]):
        if offset % 2 or offset < MIN_PAGES or total - offset < MIN_PAGES:
            continue
        if all(abs(offset - other) >= MIN_PAGES for other in chosen):
            chosen.append(offset)
            picked.append((offset, record))
    return picked


# --- in the worker: the layout read -----------------------------------------------------------------
_STATE: dict = {}


def install() -> None:
    """WeasyPrint's named strings: the last context laid out is kept, and a string never set on a
    page nor before it takes the value carried into the piece (``_STATE["carried"]``)."""
    from weasyprint.layout import LayoutContext

    if getattr(LayoutContext, "_rg_carrying", False):
        return
    init, lookup = LayoutContext.__init__, LayoutContext.get_string_or_element_for

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if "carried" in _STATE:        # a piece being laid out: its strings are read afterwards
            _STATE["context"] = self

    def get_string_or_element_for(self, store, page, name, keyword):
        found = lookup(self, store, page, name, keyword)
        if not found and store is self.string_set and keyword != "all-once" and name in _STATE.get("carried", {}) \
                and not any(p <= self.current_page for p in store.get(name, {})):
            return (_STATE["carried"][name],)
        return found

    LayoutContext.__init__ = __init__
    LayoutContext.get_string_or_element_for = get_string_or_element_for
    LayoutContext._rg_carrying = True


@contextmanager
def carried_into(html: str):
    """While a piece is laid out: the strings its <body> carries are in force before its first page
    (:func:`carrying`); afterwards, nothing is (the process may lay out a whole document next)."""
    install()
    _STATE["carried"] = carried(html)
    try:
        yield
    finally:
        _STATE.pop("carried", None)
        _STATE.pop("context", None)


def strings_after(pages: int) -> dict[str, str]:
    """The named strings the first ``pages`` pages of the last layout set (their last values), the
    carried ones left out: what a piece sets does not depend on what it was given."""
    context = _STATE.get("context")
    out = {}
    for name, by_page in (context.string_set.items() if context is not None else ()):
        set_on = [p for p in by_page if p <= pages and by_page[p]]
        if set_on:
            out[name] = by_page[max(set_on)][-1]
    return out


def _page_elements(page) -> list:
    from .writing import boxes

    found = []
    for child in page._page_box.children:
        if type(child).__name__ == "MarginBox":
            continue
        found += [b.element for b in boxes(child) if getattr(b, "element", None) is not None]
    return found


class _Ranks:
    """Each page's elements by their rank in the document, each page read once."""

    def __init__(self, document):
        self.document = document
        self.order, self.parents = _orders(document)
        self.pages: dict[int, set[int]] = {}

    def __getitem__(self, number: int) -> set[int]:
        if number not in self.pages:
            ranks = (self.order.get(e) for e in _page_elements(self.document.pages[number]))
            self.pages[number] = {r for r in ranks if r is not None}
        return self.pages[number]

    def clean_start(self, number: int):
        """(element, its first box) when page ``number`` starts cleanly: see the module."""
        before, here = self[number - 1], self[number]
        element, box = _first_element(self.document.pages[number], before, self.order)
        if element is None:
            return None, None
        rank = self.order[element]
        lineage = set()
        node = self.parents.get(element)
        while node is not None:
            lineage.add(self.order[node])
            node = self.parents.get(node)
        # nothing after it on the page before (its ancestors come before it), nothing before it here but them
        if max(before) >= rank or any(r < rank and r not in lineage for r in here):
            return None, None
        return element, box


def _in_flow(style) -> bool:
    return style["float"] == "none" and style["position"] in ("static", "relative")


def _first_element(page, before: set[int], order: dict):
    """The element that starts this page cleanly, with the box that starts it; else (None, None)."""
    root = next((c for c in page._page_box.children if getattr(c, "element_tag", None) == "html"), None)
    box = root
    while box is not None:
        children = [c for c in (getattr(box, "children", None) or ()) if getattr(c, "element", None) is not None]
        if not children:
            return None, None
        child = children[0]
        name = type(child).__name__
        if name.startswith("Anon") or name in ("LineBox", "TextBox", "InlineBox") or not _in_flow(child.style):
            return None, None
        if child.element.tag in ("html", "body"):
            box = child
            continue
        if order.get(child.element) in before:     # a continued box: a container we may reopen, or a running paragraph
            style = child.style
            if child.element.tag not in CONTAINERS or style["display"] != ("block", "flow") \
                    or style["height"] != "auto" or style["box_decoration_break"] != "slice" \
                    or style["column_count"] != "auto" or style["column_width"] != "auto":
                return None, None
            box = child
            continue
        if child.style["break_before"] in ("left", "right", "recto", "verso"):
            return None, None
        return child.element, child
    return None, None


def truncated(box) -> bool:
    """Its top margin dropped where the page broke (an unforced break)."""
    wanted = box.style["margin_top"]
    value = wanted.value if hasattr(wanted, "value") else 0
    return bool(value) and not box.margin_top


def _orders(document):
    root = next(c for c in document.pages[0]._page_box.children if getattr(c, "element_tag", None) == "html").element
    order, parents = {}, {}
    for rank, element in enumerate(e for e in root.iter() if isinstance(e.tag, str)):
        order[element] = rank
        for child in element:
            parents[child] = element
    return order, parents


def sentinel_page(document, record_first: bool | None) -> int | None:
    """The page where the sentinel starts cleanly (a page of its own), else None."""
    ranks = _Ranks(document)
    sentinel = next((e for e in ranks.order if e.get("data-rg-sentinel") is not None), None)
    if sentinel is None:
        return None
    for number in range(1, len(document.pages)):
        if ranks.order[sentinel] not in ranks[number]:
            continue
        element, box = ranks.clean_start(number)       # the first page it is on: it must start it
        if element is not sentinel or record_first is not None and truncated(box) != bool(record_first):
            return None
        return number
    return None


def tops(document, html: str) -> list[list]:
    """Where this piece's pages start cleanly: [page, record] for each, the record naming the element
    by its text (:func:`locate` finds it again in the next build)."""
    if len(document.pages) < 2:
        return []
    from .writing import boxes

    ranks = _Ranks(document)
    parsed = styles = None
    found = []
    for number in range(1, len(document.pages)):
        element, box = ranks.clean_start(number)
        if element is None or element.get("data-rg-sentinel") is not None:
            continue
        if styles is None:     # an element's own box comes before its lines and anonymous boxes
            styles = {}
            for page in document.pages:
                for b in boxes(page._page_box):
                    if getattr(b, "element", None) is not None and "::" not in (getattr(b, "element_tag", "") or ""):
                        styles.setdefault(b.element, b.style)
        if _kept_with_next(element, styles):
            continue
        parsed = parsed or tree(html)
        node = _node_of(element, ranks.parents, parsed)
        if node is None or node.end - node.start > LONGEST_SENTINEL:
            continue
        outer = MARKERS.sub("", html[node.start:node.end])
        found.append([number, {"prefix": outer[:120], "hash": signature(outer), "first": truncated(box),
                               "strings": strings_after(number)}])
    return found


def _kept_with_next(element, styles: dict) -> bool:
    """A heading, or what ends with one (a break-after passes from a last child to its parent), goes
    to the next page with what follows it: alone as a sentinel it would stay, so it makes no cut."""
    while element is not None:
        style = styles.get(element)
        if style is not None and style["break_after"] in ("avoid", "avoid-page"):
            return True
        children = [c for c in element if isinstance(c.tag, str) and c in styles]
        element = children[-1] if children else None
    return False


def _node_of(element, parents: dict, parsed: _Tree) -> Node | None:
    """The node of the piece's HTML for a laid-out element: found by its place under <body>."""
    path = []
    node = element
    while node is not None and node.tag != "body":
        parent = parents.get(node)
        if parent is None:
            return None
        path.append([c for c in parent if isinstance(c.tag, str)].index(node))
        node = parent
    body = next((n for n in _walk(parsed.roots) if n.tag == "body"), None)
    if body is None:
        return None
    here = body
    for index in reversed(path):
        if index >= len(here.children):
            return None
        here = here.children[index]
    return here if here.tag == element.tag else None


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)
