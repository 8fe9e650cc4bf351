"""The running text of a chapter as Markdown paragraphs, in reading order.

Lines are read page by page; a page set in two columns is read column after column. A
paragraph ends where the space between lines opens, where a line stops short after a full
stop, or where the indentation changes; a line that starts with a bullet starts a list item.
A word cut at the end of a line is joined again. The figures are left as printed: ``reportgen
check`` proposes the ``fig()`` that binds each to the data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .pages import Document, Line, Page

BULLET = re.compile(r"^[•◦▪▸►‣■●▶✓➢➤–—\-]\s*")
ENDS = ".!?:»…)"


@dataclass
class Item:
    """Something placed in the reading order: a text line, a heading, a table, a group of tiles…"""

    page: int
    column: int
    top: float
    kind: str
    payload: object
    x0: float = 0.0

    @property
    def key(self) -> tuple:
        return (self.page, self.column, self.top, self.x0)


def two_columns(page: Page) -> bool:
    """Whether the page's running text is set in two columns."""
    frags = [f for ln in page.lines if not ln.used for f in ln.fragments() if len(f.text) > 25]
    if len(frags) < 10:
        return False
    left = sum(1 for f in frags if f.x1 < 0.55 * page.width)
    right = sum(1 for f in frags if f.x0 > 0.45 * page.width)
    return left >= 5 and right >= 5 and left + right >= 0.8 * len(frags)


def column_of(page: Page, x0: float, split: bool) -> int:
    return 1 if split and x0 > 0.45 * page.width else 0


def text_items(document: Document) -> list[Item]:
    items = []
    for page in document.pages:
        split = two_columns(page)
        for line in page.lines:
            if line.used:
                continue
            for frag in line.fragments():
                items.append(Item(page.number, column_of(page, frag.x0, split), frag.top, "text", frag, frag.x0))
    return items


@dataclass
class Paragraphs:
    """Builds the Markdown of a run of text lines."""

    blocks: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    bullet: bool = False
    last: Line | None = None
    right: float = 0.0

    def add(self, line: Line) -> None:
        text = escape(" ".join(w.text for w in line.words).strip())
        if not text:
            return
        starts_item = bool(BULLET.match(text)) and len(text) > 2
        if self.last is None or self._breaks(line) or starts_item:
            self.flush()
            self.bullet = starts_item
            if starts_item:
                text = BULLET.sub("", text)
        self.right = max(self.right, line.x1)
        if self.current and self.current[-1].endswith("-") and len(self.current[-1]) > 1 \
                and self.current[-1][-2].isalpha() and text[:1].islower():
            self.current[-1] = self.current[-1][:-1] + text       # a word cut at the end of the line
        else:
            self.current.append(text)
        self.last = line

    def _breaks(self, line: Line) -> bool:
        last = self.last
        assert last is not None
        if line.page != last.page:
            return last.text.rstrip()[-1:] in ".!?" and line.text[:1].isupper()
        gap = line.top - last.bottom
        if gap > 0.75 * line.size or gap < -2 * line.size:
            return True
        if abs(line.size - last.size) > 0.6 or (line.weight >= 700) != (last.weight >= 700):
            return True
        if last.text.rstrip()[-1:] in ENDS and last.x1 < self.right - 3 * line.size:
            return True
        return line.x0 > last.x0 + 1.5 * line.size and not self.bullet

    def flush(self) -> None:
        if self.current:
            text = " ".join(self.current)
            self.blocks.append(f"- {text}" if self.bullet else text)
        self.current = []
        self.bullet = False
        self.right = 0.0

    def take(self) -> list[str]:
        self.flush()
        blocks, self.blocks, self.last = self.blocks, [], None
        return blocks


def escape(text: str) -> str:
    """Text that Markdown and the chapters' directives read as text, not as markup."""
    text = text.replace("{{", "{ {").replace("{%", "{ %").replace("{#", "{ #")
    text = text.replace("<", "&lt;")
    text = re.sub(r"^(#+)", r"\\\1", text)
    text = re.sub(r"^(\d+)\. ", r"\1\\. ", text)
    text = text.replace("[^", "[\\^")
    return text


def markdown(blocks: list[str]) -> str:
    """Paragraphs and list items, a blank line between paragraphs and around lists."""
    out: list[str] = []
    for block in blocks:
        if out and not (block.startswith("- ") and out[-1].startswith("- ")):
            out.append("")
        out.append(block)
    return "\n".join(out) + "\n"
