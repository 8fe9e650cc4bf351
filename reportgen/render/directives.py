"""The directives a chapter may use, each rendering one block of the layout.

Data blocks read the edition's data (``table``, ``chart``, ``kpis``, ``roster``,
``contacts``, ``fig``, ``callout``); editorial blocks wrap Markdown written in the
chapter (``{% call focus("Titre") %}…{% endcall %}``: ``focus``, ``interview``,
``timeline``, ``dated``, ``card``). Each validates its input and raises an error
that the content stage turns into « fichier:ligne: message ».
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from typing import Any

from markupsafe import Markup

from . import charts as charts_mod
from .. import french, paths
from ..pdf import longtables
from ..french import MONTHS
from ..edition.content import markdown_to_html, place
from ..edition.datastore import DataStore
from ..errors import ReportWarning
from .layout import Layout



@dataclass
class Event:
    """A timeline event: a printed date label, its place on the month axis, title and text."""

    label: str
    month: int | None
    day: int
    title: str
    html: str


@dataclass
class Question:
    question: str
    html: str


class Directives:
    """Builds the directive functions for one edition; remembers the charts it placed."""

    def __init__(self, store: DataStore, layout: Layout, manifest: Any, content_dir: Path,
                 warnings: list[ReportWarning], out_dir: Path):
        self.store = store
        self.layout = layout
        self.manifest = manifest
        self.content_dir = content_dir
        self.warnings = warnings
        self.out_dir = out_dir
        self.theme = manifest.theme.model_dump()
        self.prepared: dict[str, charts_mod.ChartData] = {}
        self.used_charts: dict[str, charts_mod.ChartData] = {}
        self.chart_settings = charts_mod.layout_settings(layout.folders)   # the grid and type scale
        self.anchors: set[str] = set()
        self.table_uses: dict[str, int] = {}
        self.proof = False
        self.svg_of = None      # the web edition's chart inliner (:class:`reportgen.render.web.Charts`)
        self.table_breaks: dict[str, longtables.Cut] = {}   # set by the builder after a first layout

    def functions(self) -> dict[str, Any]:
        names = ["table", "tables", "chart", "charts", "kpis", "roster", "glossary", "fig", "callout",
                 "contacts", "button", "photo", "focus", "interview", "timeline", "dated", "card", "phone",
                 "feed", "charter", "ranking", "new_page"]
        return {name: getattr(self, name) for name in names}

    # --- helpers ------------------------------------------------------------------------------
    def anchor(self, name: str) -> str:
        """An element id for the first use of a block; a block shown twice gets none."""
        if name in self.anchors:
            return ""
        self.anchors.add(name)
        return name

    def block(self, template: str, **ctx: Any) -> Markup:
        if self.svg_of:
            ctx["svg_of"] = self.svg_of
        html = Markup(self.layout.render(template, edition=self.manifest, anchor=self.anchor, **ctx))
        source = self.proof and _source_of(ctx, self.store)
        if source:   # a reviewer's proof names the data file of every table, chart and tile group
            html = Markup('<div class="proof-block"><p class="proof-source">{}</p>{}</div>').format(source, html)
        return html

    def chart_data(self, chart_id: str, columns: int = 1) -> charts_mod.ChartData:
        """A chart sized for its place: full width, or one of ``columns`` side by side."""
        store = self.store
        if chart_id not in store.charts:
            raise KeyError(f"graphique « {chart_id} » inconnu (graphiques : "
                           f"{', '.join(sorted(store.charts)) or 'aucun'})")
        if chart_id not in self.prepared:
            self.prepared[chart_id] = charts_mod.prepare(store.charts[chart_id], store)
        data = charts_mod.placed(self.prepared[chart_id], self.chart_settings, columns)
        self.used_charts[self.chart_file(data)] = data
        return data

    def chart_file(self, data: charts_mod.ChartData) -> str:
        return charts_mod.file_name(data, self.theme)

    # --- data blocks --------------------------------------------------------------------------
    def table(self, table_id: str) -> Markup:
        table = get(self.store.tables, _name(table_id, "table", "effectifs"), "tableau")
        return self.block("blocks/table.html", table=table, **self.table_use(table))

    def table_use(self, table: Any) -> dict[str, Any]:
        """Each showing of a table is a « use », cut where the builder found its page breaks."""
        self.table_uses[table.id] = self.table_uses.get(table.id, 0) + 1
        use = f"{table.id}:{self.table_uses[table.id]}"
        cut = self.table_breaks.get(use)
        return {"use": use, "pieces": longtables.pieces(len(table.rows), cut.rows if cut else []),
                "widths": cut.widths if cut else [], "table_width": cut.width if cut else 0}

    def tables(self, *table_ids: str) -> Markup:
        _names(table_ids, "tables", '"effectifs", "effectifs-cdd"')
        tables = [get(self.store.tables, t, "tableau") for t in table_ids]
        return self.block("blocks/tables.html", items=[(t, self.table_use(t)) for t in tables])

    def chart(self, chart_id: str) -> Markup:
        _name(chart_id, "chart", "population-caisse")
        try:
            data = self.chart_data(chart_id)
        except charts_mod.MissingValue:
            return self.block("blocks/chart-missing.html", spec=self.store.charts[chart_id])
        return self.block("blocks/chart.html", chart=data, src=self.chart_file(data))

    def charts(self, *chart_ids: str) -> Markup:
        _names(chart_ids, "charts", '"population-caisse", "population-france"')
        try:
            items = [self.chart_data(c, columns=len(chart_ids)) for c in chart_ids]
        except charts_mod.MissingValue:
            return Markup("").join(self.chart(c) for c in chart_ids)
        return self.block("blocks/charts.html", charts=[(d, self.chart_file(d)) for d in items])

    def kpis(self, group: str) -> Markup:
        return self.block("blocks/kpis.html", group=get(self.store.kpis, _name(group, "kpis", "circonscription"),
                                                        "groupe de chiffres clés"))

    def roster(self, roster_id: str) -> Markup:
        return self.block("blocks/roster.html",
                          roster=get(self.store.rosters, _name(roster_id, "roster", "conseil"), "liste"))

    def glossary(self) -> Markup:
        if not self.store.glossary:
            raise KeyError("glossaire vide : créez glossary.yml dans le dossier de données")
        return self.block("blocks/glossary.html", entries=self.store.glossary)

    def contacts(self, contacts_id: str) -> Markup:
        return self.block("blocks/contacts.html",
                          contacts=get(self.store.contacts, _name(contacts_id, "contacts", "contacts"),
                                       "liste de contacts"))

    def fig(self, ref: str) -> Markup:
        return french.figure_markup(self.store.resolve(_name(ref, "fig", "effectifs.cdi.2017")).display)

    def callout(self, value: str, label: str, sub: str = "") -> Markup:
        """A big figure: ``callout("=kpis.groupe.cle", "libellé")`` or a printed figure."""
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
            raise ValueError('callout(…) attend un chiffre entre guillemets, par exemple '
                             'callout("=kpis.circonscription.communes", "communes")')
        _text(label, "callout", "le libellé")
        _text(sub, "callout", "« sub »")
        resolved = self.store.value(value)
        if resolved.display == french.MISSING:
            return self.block("blocks/callout.html", value=french.figure_markup(french.MISSING), label=label, sub=sub)
        if resolved.figure is None:
            raise ValueError(f"chiffre en exergue : « {value} » n'est pas un chiffre")
        return self.block("blocks/callout.html", value=resolved.display, label=label, sub=sub)

    def new_page(self) -> Markup:
        """What follows opens a new page of the PDF (the web edition ignores it): the hand fitting
        of a part's last pages, where the preflight says a break would balance them."""
        if self.svg_of:      # the web edition: one long page
            return Markup("")
        return Markup('<div class="new-page" aria-hidden="true"></div>')

    def button(self, text: str, url: str) -> Markup:
        """A link shown as a button; in the PDF it is a real link."""
        url = paths.link(url, self.content_dir, None, "bouton")   # the chapter's line is added by the caller
        return self.block("blocks/button.html", text=text, url=url)

    def phone(self, number: str, note: str = "", hours: str = "") -> Markup:
        """A phone cartouche: ``phone("3646", "Service 0,06 € / min + prix appel", hours="…")``."""
        if not re.fullmatch(r"[0-9 +.]{3,20}", str(number)):
            raise ValueError(f"numéro de téléphone « {number} » : chiffres et espaces seulement")
        return self.block("blocks/phone.html", number=str(number), note=note, hours=hours)

    def photo(self, src: str, caption: str = "", credit: str = "", alt: str | None = None) -> Markup:
        """A photo of the edition's ``images/`` folder; absent, nothing is printed (no empty frame).

        ``alt`` is what the photo shows, for a screen reader (by default its caption).
        """
        src_url = self._photo_url(src)
        if not src_url:
            return Markup("")
        return self.block("blocks/photo.html", src=src_url, caption=caption, credit=credit,
                          alt=caption if alt is None else alt)

    def _photo_url(self, src: str) -> str:
        """A photo's address from the document, or "" (and a warning) when the file is absent."""
        # inside the edition's folder, symlinks followed; the chapter's line is added by the caller
        path = paths.inside(src, self.content_dir, [self.content_dir], self.content_dir, None, "photo",
                            place=paths.edition_place(self.content_dir))
        if not path.is_file():    # named at the chapter's line that asks for it
            chapter, line = place()
            self.warnings.append(ReportWarning(f"photo absente, rien n'est imprimé à sa place : {src}",
                                               chapter or self.content_dir, line))
            return ""
        # relative to the document, so the HTML does not depend on where the project lives
        return Path(os.path.relpath(self.content_dir / src, self.out_dir)).as_posix()

    # --- editorial blocks (Markdown bodies) ---------------------------------------------------
    def focus(self, title: str, body: str = "") -> Markup:
        if not body.strip():
            raise ValueError(f"FOCUS « {title} » : le texte de l'encadré est vide")
        return self.block("blocks/focus.html", title=title, html=Markup(markdown_to_html(body)))

    def card(self, icon: str, title: str, body: str = "") -> Markup:
        icons = self.layout.icons()
        if icon not in icons:
            raise ValueError(f"pictogramme « {icon} » inconnu (pictogrammes : {', '.join(sorted(icons))})")
        svg = icons[icon].replace("currentColor", self.theme["primary"])
        uri = "data:image/svg+xml;charset=utf-8," + quote(svg, safe="")
        return self.block("blocks/card.html", icon=uri, title=title,
                          html=Markup(markdown_to_html(body)))

    def dated(self, date: str, body: str = "") -> Markup:
        """A dated list (a council meeting and its decisions)."""
        return self.block("blocks/dated.html", date=date, html=Markup(markdown_to_html(body)))

    def feed(self, title: str = "", body: str = "") -> Markup:
        """The year's events as cards, in the printed order: ``### février | Titre`` then the text."""
        items = []
        for head, text in _split_headed(body):
            if "|" not in head:
                raise ValueError(f"évènement « {head} » : écrivez ### mois | titre (« - » sans mois)")
            label, event_title = (part.strip() for part in head.split("|", 1))
            if not event_title:
                raise ValueError(f"évènement « {head} » : le titre manque après « | »")
            items.append(Item("" if label == "-" else label, event_title, markdown_to_html(text)))
        if not items:
            raise ValueError("fil d'évènements vide : ajoutez des lignes ### mois | titre")
        return self.block("blocks/feed.html", title=title, items=items)

    def charter(self, title: str, signed: str = "", body: str = "") -> Markup:
        """A charter of numbered commitments: each ``### Titre`` then its explanation (01, 02…)."""
        items = [Item(f"{n:02d}", head, markdown_to_html(text))
                 for n, (head, text) in enumerate(_split_headed(body), 1)]
        if not items:
            raise ValueError(f"charte « {title} » vide : un engagement par ligne ### titre")
        return self.block("blocks/charter.html", title=title, signed=signed, items=items)

    def ranking(self, group: str, title: str = "") -> Markup:
        """A « TOP » list: the tiles of a group, in rank order, with bars scaled to the first."""
        tiles = get(self.store.kpis, _name(group, "ranking", "classement"), "groupe de chiffres clés")
        _text(title, "ranking", "le titre")
        missing = [t.label for t in tiles.tiles if t.figure is None and not t.missing]
        if missing:
            raise ValueError(f"classement « {group} » : « {missing[0]} » n'a pas de chiffre")
        top = max((float(t.figure.value) for t in tiles.tiles if t.figure), default=0.0) or 1.0
        return self.block("blocks/ranking.html", group=tiles, title=title or tiles.title,
                          shares=[100 * float(t.figure.value) / top if t.figure else 0.0 for t in tiles.tiles])

    def interview(self, name: str, role: str, heading: str = "", portrait: str = "",
                  preposition: str = "à", portrait_alt: str = "", body: str = "") -> Markup:
        """« 3 questions à … »: each question is a ``### …`` line followed by its answer.

        ``preposition="avec"`` prints « 3 questions avec … », as some reports do. The portrait
        is described to a screen reader by ``portrait_alt``, or by the layout from the name and role.
        """
        questions = _split_headed(body)
        if not 2 <= len(questions) <= 3:
            raise ValueError(f"interview de {name} : {len(questions)} question(s) ; il en faut 2 ou 3, "
                             "chacune sur une ligne qui commence par ###")
        items = [Question(french.typeset_prose(q), markdown_to_html(a)) for q, a in questions]
        return self.block("blocks/interview.html", name=name, role=role, heading=heading,
                          questions=items, count=len(items), preposition=preposition,
                          portrait=self._photo_url(portrait) if portrait else "", portrait_alt=portrait_alt)

    def timeline(self, title: str = "", body: str = "") -> Markup:
        """Events as ``### date | titre`` lines; shown in order along the months of the year.

        ``### [mars] | titre`` places an event printed without a date in its month.
        """
        events = []
        for head, text in _split_headed(body):
            if "|" not in head:
                raise ValueError(f"événement « {head} » : écrivez ### date | titre "
                                 "(date : 15/01/2019, 01/2019, « du 1er au 31 mars » ou « - »)")
            label, event_title = (part.strip() for part in head.split("|", 1))
            month, day = parse_event_date(label.strip("[]"))
            shown = "" if label == "-" or label.startswith("[") else label   # [mars]: placed, not printed
            events.append(Event(shown, month, day, event_title, markdown_to_html(text)))
        if not events:
            raise ValueError("frise vide : ajoutez des lignes ### date | titre")
        events.sort(key=lambda e: (e.month or 13, e.day))
        months = []
        for event in events:
            name = MONTHS[event.month - 1].capitalize() if event.month else "Toute l'année"
            if not months or months[-1][0] != name:
                months.append((name, []))
            months[-1][1].append(event)
        return self.block("blocks/timeline.html", title=title, months=months)


def _source_of(ctx: dict[str, Any], store: DataStore) -> str:
    """« tables/effectifs.csv », « kpis/01.yml (groupe rh : cdi, cdd) » for a proof's margin."""
    if "table" in ctx:
        return f"{ctx['table'].path.parent.name}/{ctx['table'].path.name}"
    if "items" in ctx and ctx["items"] and isinstance(ctx["items"][0], tuple):
        return " · ".join(f"tables/{t.path.name}" for t, _ in ctx["items"])
    if "chart" in ctx and ctx["chart"].id in store.charts:
        return f"charts/{store.charts[ctx['chart'].id].path.name} ({ctx['chart'].id})"
    if "group" in ctx and hasattr(ctx["group"], "tiles"):
        group = ctx["group"]
        return f"kpis/{group.path.name} ({group.id} : {', '.join(t.key for t in group.tiles)})"
    return ""


@dataclass
class Item:
    """A headed item of a feed or a charter: a label (month, number), a title, its text."""

    label: str
    title: str
    html: str


def _split_headed(body: str) -> list[tuple[str, str]]:
    """Split Markdown at its ``###`` lines: [(heading, text below), …]."""
    parts: list[tuple[str, str]] = []
    for line in body.splitlines():
        if line.startswith("### "):
            parts.append((line[4:].strip(), ""))
        elif parts:
            parts[-1] = (parts[-1][0], parts[-1][1] + line + "\n")
        elif line.strip():
            raise ValueError(f"texte avant la première ligne ### : « {line.strip()[:40]} »")
    return parts


def parse_event_date(label: str) -> tuple[int | None, int]:
    """« 15/01/2019 », « 01/2019 », « 2019-01-15 », « du 1er au 31 mars », « Mars 2019 », « - »."""
    text = label.strip().lower()
    if text in ("-", ""):
        return None, 0
    if m := re.match(r"^(\d{1,2})/(\d{1,2})/\d{4}$", text):
        day, month = int(m[1]), int(m[2])
    elif m := re.match(r"^(\d{1,2})/\d{4}$", text):
        day, month = 0, int(m[1])
    elif m := re.match(r"^\d{4}-(\d{2})-(\d{2})$", text):
        day, month = int(m[2]), int(m[1])
    else:
        found = [(text.find(name), i + 1) for i, name in enumerate(MONTHS) if name in text]
        if not found:
            raise ValueError(f"date « {label} » illisible : écrivez 15/01/2019, 01/2019 ou un mois en lettres")
        month = min(found)[1]
        digits = re.findall(r"(?<!\d)(\d{1,2})(?:er|e)?(?=\s)(?!\s*\d)", text + " ")
        day = int(digits[0]) if digits else 0
    if not 1 <= month <= 12:
        raise ValueError(f"date « {label} » : mois {month} impossible")
    return month, day


def _name(value: Any, directive: str, example: str) -> str:
    """A data directive's argument: a name written between quotes (not a number, nor a bare word)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f'{directive}(…) attend un nom entre guillemets, par exemple {directive}("{example}")')
    return value


def _names(values: tuple, directive: str, example: str) -> None:
    """``tables("a", "b")``, ``charts(…)``: at least one name, each between quotes."""
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError(f"{directive}(…) attend des noms entre guillemets, séparés par des virgules, "
                         f"par exemple {directive}({example})")


def _text(value: Any, directive: str, what: str) -> None:
    """A text argument of a directive (a label, a title): between quotes."""
    if not isinstance(value, str):
        raise ValueError(f"{directive}(…) : {what} s'écrit entre guillemets")


def get(registry: dict, key: str, what: str):
    try:
        return registry[key]
    except KeyError:
        close = difflib.get_close_matches(key, list(registry), n=5, cutoff=0.6)
        close += [k for k in registry if key.split("-")[0] in k and k not in close]
        close = close[:5]
        hint = f" (proches : {', '.join(close)})" if close else ""
        raise KeyError(f"{what} « {key} » inconnu{hint}") from None


__all__ = ["Directives", "parse_event_date"]
