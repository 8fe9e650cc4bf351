"""Key figures, lists of names and the glossary: candidates read from the pages' text.

- a *tile*: a figure set much larger than the running text, with the smaller lines just under
  it as its label; the tiles of one band of a page make a group;
- a *roster*: three lines or more that begin with a civility (M., Mme, Dr…) and a name in
  capitals, the lines between them (a college, a union) its groups; two cells on a line make
  two columns, the line above naming them;
- the *glossary*: four lines or more that each begin with a term in capitals (a cell of its own,
  or followed by « : » or a dash) and its definition.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ... import french
from ...edition.tables import slugify
from .pages import Document, Line

CIVILITY = re.compile(r"^(?:M\.|MM\.|Mme|Mmes|Mlle|Melle|Mr|Dr|Docteur|Pr|Professeur|Me|Maître)\s+\S")
CAPITAL_NAME = re.compile(r"\b[A-ZÀ-Ý][A-ZÀ-Ý'’\-]{1,}\b")
TERM = re.compile(r"^([A-ZÀ-Ý0-9][A-Za-zÀ-ÿ0-9&/'’.+\-]{0,14}(?:\s[A-ZÀ-Ý0-9][A-Za-zÀ-ÿ0-9&/'’.+\-]{0,14}){0,2})"
                  r"\s*(?:[:–—]|\s-)\s+(.{3,})$")
BIG_FIGURE = 1.6       # × body size


@dataclass
class Tile:
    value: str
    label: str
    lines: list[Line]


@dataclass
class TileGroup:
    page: int
    tiles: list[Tile]
    id: str = ""

    @property
    def first(self) -> Line:
        return min((ln for t in self.tiles for ln in t.lines), key=lambda ln: (ln.top, ln.x0))

    def data(self) -> dict:
        keys: dict[str, int] = {}
        tiles = []
        for n, tile in enumerate(self.tiles, 1):
            key = slugify(tile.label)[:30].strip("-") or f"chiffre-{n}"
            keys[key] = keys.get(key, 0) + 1
            if keys[key] > 1:
                key = f"{key}-{keys[key]}"
            tiles.append({"key": key, "value": tile.value, "label": tile.label or french.MISSING})
        return {"tiles": tiles}


def find_tiles(document: Document) -> list[TileGroup]:
    groups: list[TileGroup] = []
    for page in document.pages:
        frags = [f for ln in page.lines if not ln.used for f in ln.fragments()]
        values = [f for f in frags if f.size >= BIG_FIGURE * document.body_size
                  and french.parse_figure(f.text) is not None]
        page_tiles: list[Tile] = []
        for value in values:
            label_lines = []
            last = value
            for frag in sorted(frags, key=lambda f: f.top):
                if frag.top <= value.top or frag in values or frag.size >= value.size * 0.8:
                    continue
                if frag.top - last.bottom > 1.2 * frag.size or len(label_lines) >= 3:
                    if frag.top > last.bottom:
                        if label_lines or frag.top - last.bottom > 2 * frag.size:
                            break
                    continue
                overlap = min(frag.x1, value.x1 + 150) - max(frag.x0, value.x0 - 20)
                if overlap <= 0 or abs(frag.x0 - value.x0) > 40 and abs((frag.x0 + frag.x1) / 2 -
                                                                        (value.x0 + value.x1) / 2) > 40:
                    continue
                label_lines.append(frag)
                last = frag
            label = " ".join(" ".join(w.text for w in f.words) for f in label_lines)
            page_tiles.append(Tile(" ".join(w.text for w in value.words), label, [value, *label_lines]))
        if not page_tiles:
            continue
        # tiles of one band (close tops) make one group
        page_tiles.sort(key=lambda t: (t.lines[0].top, t.lines[0].x0))
        current: list[Tile] = []
        for tile in page_tiles:
            if current and tile.lines[0].top - max(ln.bottom for t in current for ln in t.lines) > \
                    3 * document.body_size:
                groups.append(TileGroup(page.number, current))
                current = []
            current.append(tile)
        groups.append(TileGroup(page.number, current))
    for group in groups:
        for tile in group.tiles:
            for frag in tile.lines:
                _use(document, frag, "kpi")
    return groups


def _use(document: Document, fragment: Line, what: str) -> None:
    """Mark the words of a fragment as taken; the line is taken when all its words are."""
    page = document.pages[fragment.page - 1]
    ids = {id(w) for w in fragment.words}
    for line in page.lines:
        if any(id(w) in ids for w in line.words):
            rest = [w for w in line.words if id(w) not in ids]
            if not rest:
                line.used = what
            else:
                line.words = rest       # the other column's text stays to be read


# --- rosters -------------------------------------------------------------------------------------
@dataclass
class Roster:
    page: int
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)     # before any group
    groups: list[dict] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    id: str = ""

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def count(self) -> int:
        def rows(groups):
            return sum(len(g.get("rows", [])) + rows(g.get("groups", [])) for g in groups)
        return len(self.rows) + rows(self.groups)

    def data(self) -> dict:
        out: dict = {"title": "", "columns": self.columns}
        if self.groups:
            out["groups"] = self.groups
        if self.rows:
            out["rows"] = self.rows
        return out


def _named(line: Line) -> bool:
    text = line.text.strip()
    return bool(CIVILITY.match(text)) and bool(CAPITAL_NAME.search(text[3:]))


def find_rosters(document: Document) -> list[Roster]:
    rosters: list[Roster] = []
    lines = [ln for ln in document.lines() if ln.used in ("", "furniture")]
    i = 0
    while i < len(lines):
        if lines[i].used or not _named(lines[i]):
            i += 1
            continue
        # the run: name lines, with short title lines between them (groups), across pages
        run = [i]
        j = i + 1
        while j < len(lines):
            line = lines[j]
            if line.used == "furniture":
                j += 1
                continue
            if _named(line):
                run.append(j)
            elif len(line.text) < 80 and any(_named(x) for x in lines[j + 1:j + 4] if not x.used):
                run.append(j)
            else:
                break
            j += 1
        names = [k for k in run if _named(lines[k])]
        if len(names) < 3:
            i = j
            continue
        roster = _roster([lines[k] for k in run], lines[i - 1] if i else None, document)
        rosters.append(roster)
        i = j
    return rosters


def _roster(run: list[Line], above: Line | None, document: Document) -> Roster:
    widths = [len(ln.segments()) for ln in run if _named(ln)]
    two = sum(1 for w in widths if w >= 2) >= len(widths) / 3
    columns = ["Nom", "Qualité"]
    lines = list(run)
    if above is not None and not above.used and two and len(above.segments()) == 2 and not _named(above) \
            and run[0].top - above.bottom < 3 * above.size:
        columns = [s.text for s in above.segments()]
        lines.insert(0, above)
    roster = Roster(run[0].page, columns, lines=lines)
    titles = [ln for ln in run if not _named(ln)]
    heavy = sorted({(round(t.size, 1), t.weight) for t in titles}, reverse=True)
    nested = len(heavy) >= 2
    top_style = heavy[0] if nested else None
    current_top: dict | None = None
    current: dict | None = None
    for line in run:
        if not _named(line):
            group = {"title": line.text.strip(), "rows": []}
            if nested and (round(line.size, 1), line.weight) == top_style:
                current_top = {"title": line.text.strip(), "groups": []}
                roster.groups.append(current_top)
                current = None
            else:
                current = group
                (current_top["groups"] if current_top is not None else roster.groups).append(group)
            continue
        if two:
            segs = [s.text for s in line.segments()]
            row = [segs[0], " ".join(segs[1:])]
        else:
            row = _name_and_role(line.text)
        if current is not None:
            current["rows"].append(row)
        elif current_top is not None:
            current = {"title": "", "rows": [row]}
            current_top["groups"].append(current)
        else:
            roster.rows.append(row)
    for group in roster.groups:       # a group with no rows of its own keeps only its subgroups
        if "rows" in group and not group["rows"]:
            del group["rows"]
    for line in lines:
        line.used = "roster"
    return roster


def _name_and_role(text: str) -> list[str]:
    """« Mme Claire MARTIN, présidente » → [« Mme Claire MARTIN », « présidente »]."""
    text = text.strip()
    match = re.match(r"^(.*?[A-ZÀ-Ý]{2,}[^,(–—]*?)\s*(?:,|\(|–|—| - )\s*(.+?)\)?$", text)
    if match:
        return [match[1].strip(), match[2].strip()]
    return [text, ""]


# --- the glossary --------------------------------------------------------------------------------
@dataclass
class Glossary:
    entries: list[dict]
    lines: list[Line]
    pages: list[int]

    @property
    def first(self) -> Line:
        return self.lines[0]


def _entry(line: Line) -> tuple[str, str] | None:
    found = _term(line)
    if found and sum(c.isalpha() for c in found[1]) >= 3:
        return found
    return None


def _term(line: Line) -> tuple[str, str] | None:
    segs = line.segments()
    first = segs[0].text.strip()
    if len(segs) >= 2 and len(first) <= 30 and sum(c.isupper() for c in first) >= 2 \
            and not CIVILITY.match(first):
        return first.rstrip(" :"), " ".join(s.text for s in segs[1:]).strip()
    match = TERM.match(line.text.strip())
    if match and sum(c.isupper() for c in match[1]) >= 2:
        return match[1].strip(), match[2].strip()
    return None


def find_glossary(document: Document) -> Glossary | None:
    best: Glossary | None = None
    lines = [ln for ln in document.lines() if not ln.used]
    i = 0
    while i < len(lines):
        if _entry(lines[i]) is None:
            i += 1
            continue
        entries: list[dict] = []
        taken: list[Line] = []
        j = i
        while j < len(lines):
            line = lines[j]
            found = _entry(line)
            if found:
                entries.append({"term": found[0], "definition": found[1]})
            elif entries and taken and line.top - taken[-1].bottom < 0.6 * line.size and \
                    line.page == taken[-1].page and line.x0 > taken[-1].x0 + 5:
                entries[-1]["definition"] += " " + line.text.strip()     # a definition on two lines
            else:
                break
            taken.append(line)
            j += 1
        if len(entries) >= 4 and (best is None or len(entries) > len(best.entries)):
            best = Glossary(entries, taken, sorted({ln.page for ln in taken}))
        i = max(j, i + 1)
    if best:
        for entry in best.entries:
            entry["definition"] = re.sub(r"(\w)- (\w)", r"\1\2", entry["definition"])
        for line in best.lines:
            line.used = "glossary"
    return best
