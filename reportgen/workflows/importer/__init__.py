"""``reportgen import``: a draft edition from last year's published PDF.

:func:`import_pdf` reads the PDF (:mod:`.pages`), sets aside the page furniture and finds the
plan (:mod:`.outline`), the tables (:mod:`.tables`), the key figures, lists of names and
glossary (:mod:`.figures`), then the running text of each chapter (:mod:`.text`), and writes
``content/<caisse>/<année>/`` and ``data/<caisse>/<année>/`` with a report of what it took and
what it left (:mod:`.report`). It never writes over an existing edition, and nothing is
written unless everything was read.
"""
from __future__ import annotations

import datetime
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from ... import french
from ...errors import ConfigError
from ..init import parse_edition
from ...project import EditionPaths, Project
from ...edition.tables import slugify
from . import figures, outline, tables, text
from .pages import Document, UnreadablePDF, open_document
from .report import ImportReport, confidence_word

__all__ = ["import_pdf", "UnreadablePDF", "ImportReport"]

REVIEW = "à réécrire"
EMPTY_CHAPTER = "Texte à écrire : le PDF importé n'imprimait pas de texte sous ce titre."
ORGANISATION = re.compile(r"\b(CPAM|Caisse primaire d['’]assurance maladie)\s+(de la|de l['’]|du|des|de|d['’])\s*"
                          r"([A-ZÉÈÎ][\w'’\-]+(?:[\s\-](?:et|de|du|la|[A-ZÉÈÎ][\w'’\-]+))*)", re.IGNORECASE)


@dataclass
class Chapter:
    heading: outline.Heading | None
    level: int                        # the level of the heading that opens it
    items: list[text.Item]
    file: str = ""
    title: str = ""
    part: int | None = None           # index of its part (parts mode)
    kind: str = "chapter"


def import_pdf(project: Project, pdf: Path, edition: str) -> ImportReport:
    """Read ``pdf`` and write the draft edition ``edition`` (caisse/année) in ``project``."""
    caisse, year = parse_edition(edition)
    paths = EditionPaths(project, caisse, str(year))
    _refuse_existing(paths)
    document = open_document(pdf)
    report = ImportReport(pdf, paths.name)

    # 1. the plan, with the furniture set aside
    outline.mark_furniture(document)
    marks = outline.bookmarks(pdf)
    headings = outline.headings_from_bookmarks(document, marks) if marks else []
    report.outline_from = "signets du PDF" if headings else "tailles et graisses des titres"
    # 2. tables, before the headings found from fonts (a table's title is not a heading)
    found_tables = tables.find_tables(document, [h.title for h in headings])
    if not headings:
        headings = outline.headings_from_fonts(document)
    plan = outline.plan(headings, document)
    # 3. key figures, lists of names, glossary
    tile_groups = figures.find_tiles(document)
    rosters = figures.find_rosters(document)
    glossary = figures.find_glossary(document)
    # 4. everything in reading order, cut into chapters
    items = text.text_items(document)
    for table in found_tables:
        items.append(_item(document, table.first, "table", table))
    for group in tile_groups:
        items.append(_item(document, group.first, "kpis", group))
    for roster in rosters:
        items.append(_item(document, roster.first, "roster", roster))
    if glossary:
        items.append(_item(document, glossary.first, "glossary", glossary))
    flat = _flatten(plan)
    for heading in flat:
        line = heading.lines[0] if heading.lines else None
        items.append(text.Item(heading.page, 0, line.top if line else heading.top, "heading", heading,
                               line.x0 if line else 0))
    if not flat:
        items.append(text.Item(1, 0, -1, "heading", outline.Heading(1, f"Rapport d'activité {year}", 1, -1)))
    items.sort(key=lambda it: it.key)
    chapters, parts, before = _cut(items, plan)
    _name(chapters, found_tables, tile_groups, rosters)
    files = _render(paths, project, chapters, parts, plan, found_tables, tile_groups, rosters, glossary,
                    document, year, caisse, report)
    _left_out(document, found_tables, before, report)
    _write(paths, files, report)
    return report


def _refuse_existing(paths: EditionPaths) -> None:
    for folder in (paths.content, paths.data):
        if folder.exists():
            raise ConfigError(f"l'édition « {paths.name} » existe déjà : l'import ne remplace rien", folder,
                              hint=f"choisissez une autre année, ou déplacez {folder.name}/ si vous voulez "
                                   "recommencer l'import")


def _item(document: Document, line, kind: str, payload) -> text.Item:
    page = document.pages[line.page - 1]
    return text.Item(line.page, text.column_of(page, line.x0, text.two_columns(page)), line.top, kind,
                     payload, line.x0)


def _flatten(plan: outline.Plan) -> list[outline.Heading]:
    out: list[outline.Heading] = []

    def walk(nodes):
        for node in nodes:
            out.append(node)
            walk(node.children)

    walk(plan.parts)
    return out


def _cut(items: list[text.Item], plan: outline.Plan):
    """The items cut into chapters at the chapter-level headings; parts noted apart."""
    chapter_level = 2 if plan.mode == "parts" else 1
    chapters: list[Chapter] = []
    parts: list[dict] = []
    before: list[text.Item] = []
    current: Chapter | None = None
    part_intro: list[text.Item] | None = None
    for item in items:
        if item.kind == "heading":
            heading = item.payload
            if plan.mode == "parts" and heading.level == 1:
                parts.append({"heading": heading, "intro": []})
                part_intro = parts[-1]["intro"]
                current = None
                continue
            if heading.level <= chapter_level:
                current = Chapter(heading, heading.level, [], part=len(parts) - 1 if parts else None)
                chapters.append(current)
                part_intro = None
                continue
        if current is None:
            if part_intro is not None:
                part_intro.append(item)
            else:
                before.append(item)
            continue
        current.items.append(item)
    return chapters, parts, before


def _name(chapters: list[Chapter], found_tables, tile_groups, rosters) -> None:
    """File names of the chapters, ids of the tables, tile groups and lists after their chapter."""
    used: set[str] = set()
    for n, chapter in enumerate(chapters):
        title = outline.clean_title(chapter.heading.title) if chapter.heading else f"Chapitre {n + 1}"
        chapter.title = title
        base = f"{n:02d}-{slugify(title)[:40].strip('-') or 'chapitre'}"
        chapter.file = f"{base}.md"
        used.add(chapter.file)
    taken: dict[str, int] = {}

    def new_id(base: str) -> str:
        taken[base] = taken.get(base, 0) + 1
        return base if taken[base] == 1 else f"{base}-{taken[base]}"

    for chapter in chapters:
        stem = slugify(chapter.title)[:30].strip("-") or "chapitre"
        for item in chapter.items:
            if item.kind == "table" and not item.payload.id:
                item.payload.id = new_id(item.payload.stem() or f"{stem}-tableau")
            elif item.kind == "kpis":
                item.payload.id = new_id(f"{stem}-chiffres")
            elif item.kind == "roster":
                item.payload.id = new_id(f"liste-{stem}")
    for table in found_tables:            # before the first chapter (a table on the cover…)
        table.id = table.id or new_id(table.stem() or "tableau")
    for group in tile_groups:
        group.id = group.id or new_id("chiffres")
    for roster in rosters:
        roster.id = roster.id or new_id("liste")


def _render(paths: EditionPaths, project: Project, chapters: list[Chapter], parts: list[dict],
            plan: outline.Plan, found_tables, tile_groups, rosters, glossary, document: Document, year: int,
            caisse: str, report: ImportReport) -> dict[Path, str]:
    files: dict[Path, str] = {}
    data = paths.data
    pdf_name = document.path.name
    # chapters
    kpi_files: dict[str, dict] = {}
    for chapter in chapters:
        body = _chapter_body(chapter, plan, kpi_files)
        only_glossary = any(it.kind == "glossary" for it in chapter.items) and \
            not any(it.kind == "text" for it in chapter.items)
        chapter.kind = "glossary" if only_glossary else "chapter"
        pages = sorted({it.page for it in chapter.items} | ({chapter.heading.page} if chapter.heading else set()))
        front = {"title": chapter.title}
        if chapter.kind != "chapter":
            front["kind"] = chapter.kind
        front["review"] = REVIEW
        head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
        files[paths.content / chapter.file] = f"---\n{head}---\n{body}"
        where = f"pages {pages[0]} à {pages[-1]}" if len(pages) > 1 else f"page {pages[0]}" if pages else ""
        report.chapters.append(f"content/{caisse}/{year}/{chapter.file} ({where})")
    # tables
    for table in found_tables:
        if not any(it.kind == "table" and it.payload is table for ch in chapters for it in ch.items):
            continue
        files[data / "tables" / f"{table.id}.csv"] = table.csv_text()
        files[data / "tables" / f"{table.id}.yml"] = table.spec_text(pdf_name)
        pages = ", ".join(str(p) for p in table.pages)
        title = f" « {table.title} »" if table.title else ""
        doubts = f" ; à vérifier : {'; '.join(table.doubts[:3])}" if table.doubts else ""
        report.tables.append(
            f"data/{caisse}/{year}/tables/{table.id}.csv{title} — page{'s' if len(table.pages) > 1 else ''} "
            f"{pages} — {len(table.rows)} lignes × {table.width} colonnes — confiance "
            f"{tables.french_percent(table.confidence)} ({confidence_word(table.confidence)}){doubts}")
    # key figures, lists, glossary
    for stem, groups in kpi_files.items():
        files[data / "kpis" / f"{stem}.yml"] = (
            f"# Chiffres clés importés de {pdf_name} : candidats à vérifier sur le PDF (valeur et libellé).\n"
            + yaml.safe_dump(groups, allow_unicode=True, sort_keys=False, width=110))
    tiles = sum(len(g["tiles"]) for groups in kpi_files.values() for g in groups.values())
    if tiles:
        pages = sorted({g.page for g in tile_groups})
        report.imported.append(f"Chiffres clés : {tiles} tuile(s) en {sum(len(g) for g in kpi_files.values())} "
                               f"groupe(s), pages {', '.join(map(str, pages))} (data/{caisse}/{year}/kpis/)")
    for roster in rosters:
        if not roster.id:
            continue
        files[data / "lists" / f"{roster.id}.yml"] = (
            f"# Liste importée de {pdf_name}, page {roster.page} : à vérifier (noms, qualités, groupes).\n"
            + yaml.safe_dump(roster.data(), allow_unicode=True, sort_keys=False, width=110))
        report.imported.append(f"Liste de noms : data/{caisse}/{year}/lists/{roster.id}.yml, page {roster.page}, "
                               f"{roster.count} personne(s)")
    if glossary:
        files[data / "glossary.yml"] = (
            f"# Glossaire importé de {pdf_name} : à vérifier.\n"
            + yaml.safe_dump(glossary.entries, allow_unicode=True, sort_keys=False, width=110))
        report.imported.append(f"Glossaire : data/{caisse}/{year}/glossary.yml, {len(glossary.entries)} entrée(s), "
                               f"page(s) {', '.join(map(str, glossary.pages))}")
    files[paths.manifest] = _manifest(chapters, parts, plan, document, year, caisse)
    return files


def _chapter_body(chapter: Chapter, plan: outline.Plan, kpi_files: dict[str, dict]) -> str:
    blocks: list[str] = []
    para = text.Paragraphs()
    offset = 1 if plan.mode == "parts" else 0
    stem = chapter.file[:-3]
    for item in chapter.items:
        if item.kind == "text":
            para.add(item.payload)
            continue
        blocks += para.take()
        if item.kind == "heading":
            level = min(4, item.payload.level - offset)
            blocks.append(f"{'#' * level} {text.escape(outline.clean_title(item.payload.title))}")
        elif item.kind == "table":
            blocks.append(f'{{{{ table("{item.payload.id}") }}}}')
        elif item.kind == "kpis":
            kpi_files.setdefault(stem, {})[item.payload.id] = item.payload.data()
            blocks.append(f'{{{{ kpis("{item.payload.id}") }}}}')
        elif item.kind == "roster":
            blocks.append(f'{{{{ roster("{item.payload.id}") }}}}')
        elif item.kind == "glossary":
            blocks.append("{{ glossary() }}")
    blocks += para.take()
    if not blocks:
        blocks = [EMPTY_CHAPTER]
    return "\n" + text.markdown(blocks)


def _manifest(chapters: list[Chapter], parts: list[dict], plan: outline.Plan, document: Document, year: int,
              caisse: str) -> str:
    organisation = _organisation(document)
    from ..init import territory_of

    manifest: dict = {"caisse": caisse, "year": year, "organisation": organisation,
                      "territory": territory_of(organisation) if organisation != french.MISSING else french.MISSING,
                      "title": "Rapport d'activité",
                      "signatory": {"name": french.MISSING, "role": french.MISSING}}
    files = [c.file for c in chapters]
    with_children = [i for i, c in enumerate(chapters) if any(it.kind == "heading" for it in c.items)]
    first = with_children[0] if with_children else 0
    glossaries = [c.file for c in chapters if c.kind == "glossary"]
    if plan.mode == "parts" and parts:
        front = [c.file for c in chapters if c.part is None]
        manifest["front"] = front
        manifest["parts"] = []
        for n, part in enumerate(parts):
            entry: dict = {"title": outline.clean_title(part["heading"].title),
                           "chapters": [c.file for c in chapters if c.part == n and c.kind != "glossary"]}
            intro = " ".join(" ".join(w.text for w in it.payload.words) for it in part["intro"]
                             if it.kind == "text").strip()
            if intro and len(intro) < 800:
                entry["intro"] = text.escape(intro)
            if entry["chapters"]:
                manifest["parts"].append(entry)
        if not manifest["parts"]:
            del manifest["parts"]
            manifest["chapters"] = [f for f in files if f not in front and f not in glossaries]
    else:
        front = [f for f in files[:first] if f not in glossaries] if len(files) > 1 else []
        manifest["front"] = front
        manifest["chapters"] = [f for f in files if f not in front and f not in glossaries]
    if not manifest.get("chapters") and not manifest.get("parts"):
        manifest["chapters"] = manifest.pop("front") or files[:1]
    if glossaries:
        manifest["back"] = glossaries
    if not manifest.get("front"):
        manifest.pop("front", None)
    head = (f"# Édition importée de {document.path.name} par reportgen import : plan dans l'ordre du "
            "sommaire publié.\n# Remplacez chaque « à renseigner » (organisme, signataire…), puis "
            "relisez l'ordre des chapitres.\n")
    return head + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=110)


def _organisation(document: Document) -> str:
    texts = [document.title] + [ln.text for page in document.pages[:3] for ln in page.lines]
    for candidate in texts:
        match = ORGANISATION.search(candidate or "")
        if match:
            words = match[3].split()
            while words and words[-1].lower() in ("et", "de", "du", "la"):
                words.pop()
            return f"CPAM {match[2].lower().replace('’', chr(39))}{'' if match[2].endswith(('’', chr(39))) else ' '}" \
                   f"{' '.join(words)}"
    return french.MISSING


def _left_out(document: Document, found_tables, before: list[text.Item], report: ImportReport) -> None:
    """Images, drawings (charts, decoration) and pages with nothing taken, each with its page."""
    for page in document.pages:
        boxes = [(min(ln.x0 for ln in t.lines) - 10, min(ln.top for ln in t.lines if ln.page == page.number) - 10,
                  max(ln.x1 for ln in t.lines) + 10, max(ln.bottom for ln in t.lines if ln.page == page.number) + 10)
                 for t in found_tables if page.number in t.pages]
        for x0, top, x1, bottom in page.images:
            w, h = (x1 - x0) * 25.4 / 72, (bottom - top) * 25.4 / 72
            if w > 10 and h > 10:
                report.left_out.append((page.number, f"image de {w:.0f} × {h:.0f} mm non importée : placez-la "
                                                     "avec photo() si elle doit être reprise"))
        loose = [d for d in page.drawings if not any(b[0] <= d[0] and d[2] <= b[2] and b[1] <= d[1] and d[3] <= b[3]
                                                     for b in boxes)]
        if len(loose) >= 6:
            report.left_out.append((page.number, f"dessin ou graphique ({len(loose)} tracés) non importé : refaites "
                                                 "un graphique avec chart() et ses données dans charts/"))
        lines = [ln for ln in page.lines if ln.used != "furniture"]
        taken = [ln for ln in lines if ln.used]
        if lines and not taken and any(it.page == page.number for it in before):
            report.left_out.append((page.number, f"page non reprise ({len(lines)} ligne(s) avant le premier "
                                                 "chapitre : couverture, crédits) : le manifeste et la mise en page "
                                                 "la refont"))


def _write(paths: EditionPaths, files: dict[Path, str], report: ImportReport) -> None:
    """Every file written, or none: a failure removes what was begun."""
    _refuse_existing(paths)       # again: another import may have run meanwhile
    made = []
    try:
        for folder in (paths.content, paths.data):
            folder.mkdir(parents=True)
            made.append(folder)
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            report.written.append(path)
        out = paths.out
        out.mkdir(parents=True, exist_ok=True)
        report.file = out / f"import-{slugify(report.pdf.stem) or 'rapport'}.md"
        report.file.write_text(report.markdown(datetime.datetime.now().strftime("%d/%m/%Y à %H:%M")),
                               encoding="utf-8")
    except BaseException:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)
        raise

