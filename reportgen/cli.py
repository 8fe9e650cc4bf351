"""The ``reportgen`` command: a thin layer over the library; the only place that prints.

Exit status: 0 on success, 1 when a build fails (one message naming the place),
2 for a wrong command line, 130 when interrupted (Ctrl+C). Whatever happens, the user reads
one French line; the traceback only with ``--debug``.
"""
from __future__ import annotations

import logging
import os
import sys
import traceback

import click

from . import clitext
from .errors import ReportError, display_path, set_display_root

clitext.install()     # Click's usage errors and help headings, in French


def _project():
    from .project import Project

    project = Project.find()
    set_display_root(project.root)
    return project


def _fail(exc: BaseException, debug: bool) -> None:
    if debug:
        traceback.print_exception(exc)
    click.secho(f"Erreur : {exc}", fg="red", err=True)
    sys.exit(1)


class _Main(click.Group):
    """The entry point, with a last-resort handler: no command ends in a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise                      # click's own: usage errors (status 2), --help, --version
        except KeyboardInterrupt:
            # a build in progress has already removed what it had written: the old outputs stand
            click.secho("Interrompu", fg="red", err=True)
            sys.exit(130)
        except ReportError as exc:
            _fail(exc, _debug(ctx))
        except OSError as exc:         # disk full, no right to write, outside a build
            from .files import os_error

            if _debug(ctx):
                traceback.print_exception(exc)
            _fail(os_error(exc), False)
        except Exception as exc:       # noqa: BLE001 - the last resort: one line, the trace on demand
            if _debug(ctx):
                traceback.print_exception(exc)
            what = " ".join(f"{exc.__class__.__name__} : {exc}".split())
            click.secho(f"Erreur inattendue : {what} — relancez avec --debug pour la trace complète "
                        "et signalez-la", fg="red", err=True)
            sys.exit(1)


def _interactive() -> bool:
    """Whether someone can answer questions: standard input is a terminal (not a script, not CI)."""
    return sys.stdin.isatty()


def _debug(ctx: click.Context) -> bool:
    return bool((ctx.obj or {}).get("debug", ctx.params.get("debug", False)))


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]},
             subcommand_metavar="COMMANDE [ARGUMENTS]…")
@click.option("--debug", is_flag=True, help="Afficher la trace complète des erreurs.")
@click.version_option(package_name="reportgen", prog_name="reportgen")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Produit les rapports d'activité des CPAM en PDF à partir de content/ et data/."""
    ctx.obj = {"debug": debug}
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not debug:
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)


@main.command()
@click.argument("editions", nargs=-1, metavar="[CAISSE/ANNÉE]…")
@click.option("--strict", is_flag=True, help="Tout avertissement arrête la construction.")
@click.option("--draft", is_flag=True,
              help="PDF de travail, rapide : chaque chapitre mis en page à part, en parallèle, et seulement s'il a "
                   "changé ; les valeurs « à renseigner » sont signalées au lieu d'arrêter.")
@click.option("--proof", is_flag=True,
              help="Épreuve pour les relecteurs (…-epreuve.pdf) : filigrane, sources des données, points ouverts.")
@click.option("-j", "--jobs", type=click.IntRange(1, 8), default=1,
              help="Nombre d'éditions construites en même temps (une par cœur).")
@click.option("--archive", is_flag=True,
              help="PDF/A-3a pour l'archivage (balisé lui aussi) au lieu de PDF/UA-1.")
@click.option("--cluster", metavar="local|tcp://HÔTE:8786",
              help="Construit chaque édition sur une grappe Dask : « local » (un travailleur par cœur, ou -j) ou "
                   "l'adresse d'un ordonnanceur déjà lancé.")
@click.option("--shared-folder", "shared_folder", metavar="CHEMIN",
              help="Avec --cluster : le dossier du projet tel que les travailleurs le voient (disque partagé) ; "
                   "sans cette option, les fichiers de chaque édition leur sont envoyés.")
@click.pass_obj
def build(obj: dict, editions: tuple[str, ...], strict: bool, draft: bool, proof: bool, jobs: int,
          archive: bool, cluster: str | None, shared_folder: str | None) -> None:
    """Construit le PDF des éditions nommées (caisse/année) ; sans argument, de toutes les éditions."""
    from .builder import build as build_edition
    from .progress import make_progress

    debug = obj["debug"]
    try:
        project = _project()
        names = list(editions) or project.editions()
        if not names:
            raise ReportError("aucune édition trouvée sous content/ (il faut content/<caisse>/<année>/edition.yml)")
        if shared_folder and not cluster:
            raise ReportError("--shared-folder va avec --cluster", hint="par exemple : --cluster tcp://serveur:8786 "
                                                                       "--shared-folder /srv/rapports")
        if cluster:
            _build_on_cluster(project, names, cluster, shared_folder, jobs if jobs > 1 else None, debug,
                              strict=strict, draft=draft, proof=proof, archive=archive)
            return
        if jobs > 1 and len(names) > 1:
            workers = max(1, (os.cpu_count() or 1) // jobs)   # a draft's pieces share the cores left
            _build_in_parallel(project, names, jobs, strict=strict, draft=draft, proof=proof, workers=workers,
                               archive=archive)
            return
        for name in names:
            progress = make_progress(name)
            try:
                result = build_edition(project, name, progress, strict=strict, draft=draft, proof=proof,
                                       archive=archive)
            finally:
                progress.close()
            for warning in result.warnings:
                click.secho(f"Avertissement : {warning}", fg="yellow", err=True)
            click.echo(f"{result.pdf.relative_to(project.root)} : {result.pages} pages"
                       + (" (à jour : rien n'a changé depuis la dernière construction)" if result.reused else ""))
            if result.web:
                click.echo(f"{result.web.relative_to(project.root)} : l'édition web")
    except ReportError as exc:
        _fail(exc, debug)


def _build_one(project, name: str, options: dict) -> tuple[str, str, int, list[str], bool, str]:
    from .builder import build as build_edition

    try:
        result = build_edition(project, name, **options)
    except ReportError as exc:
        return name, f"Erreur : {exc}", 0, [], False, ""
    return name, str(result.pdf.relative_to(project.root)), result.pages, [str(w) for w in result.warnings], \
        result.reused, str(result.web.relative_to(project.root)) if result.web else ""


def _build_in_parallel(project, names: list[str], jobs: int, **options) -> None:
    """Editions built side by side in forked processes; the first error ends with status 1."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    failed = False
    context = multiprocessing.get_context("fork")
    from .builder import longest_first

    order = longest_first(project, names)       # the longest is not left to run alone at the end
    with ProcessPoolExecutor(min(jobs, len(names)), mp_context=context) as pool:
        try:
            futures = {name: pool.submit(_build_one, project, name, options) for name in order}
            for name, pdf, pages, warnings, reused, web in (futures[n].result() for n in names):
                for warning in warnings:
                    click.secho(f"Avertissement : {warning}", fg="yellow", err=True)
                if pdf.startswith("Erreur"):
                    click.secho(f"[{name}] {pdf}", fg="red", err=True)
                    failed = True
                else:
                    click.echo(f"{pdf} : {pages} pages" + (" (à jour)" if reused else ""))
                    if web:
                        click.echo(f"{web} : l'édition web")
        except BaseException:
            pool.shutdown(cancel_futures=True)     # Ctrl+C, a crash: the editions not started are not built
            raise
    if failed:
        sys.exit(1)


def _build_on_cluster(project, names: list[str], address: str, shared: str | None, workers: int | None,
                      debug: bool, **options) -> None:
    """Each edition one task on a Dask cluster; progress on stderr, the summary table; status 1 on a failure."""
    from .network.cluster import build_on_cluster, progress_line, summary_lines

    failed: list[str] = []

    def done(outcome, count: int, total: int) -> None:
        if not outcome.ok:
            failed.append(outcome.edition)
            click.secho(f"[{outcome.edition}] {outcome.message}", fg="red", err=True)
        for warning in outcome.warnings:
            click.secho(f"Avertissement : {warning}", fg="yellow", err=True)
        click.echo(progress_line(outcome, count, total, len(failed)), err=True)

    report = build_on_cluster(project, names, address, shared=shared, workers=workers, options=options,
                              on_done=done, quiet=not debug)
    for line in summary_lines(report):
        click.echo(line)
    if report.failed:
        sys.exit(1)


@main.command()
@click.argument("edition", metavar="CAISSE/ANNÉE")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port local du serveur (0 : un port libre).")
@click.option("--open/--no-open", "open_browser", default=True, show_default=True,
              help="Ouvrir l'aperçu dans le navigateur.")
@click.pass_obj
def preview(obj: dict, edition: str, port: int, open_browser: bool) -> None:
    """Aperçu de l’édition dans le navigateur, reconstruit à chaque enregistrement."""
    from .workflows.preview import serve

    try:
        project = _project()
        project.edition(edition)

        def ready(state, actual_port: int) -> None:
            url = f"http://127.0.0.1:{actual_port}/"
            click.echo(f"Aperçu de {edition} : {url}  (Ctrl+C pour arrêter)")
            click.echo("Chaque fichier enregistré sous content/, data/ ou layouts/ relance la construction.")
            if state.error:
                click.secho(f"Erreur : {state.error}", fg="red", err=True)
            if open_browser:
                import webbrowser

                webbrowser.open(url)

        serve(project, edition, port, on_ready=ready)
    except ReportError as exc:
        _fail(exc, obj["debug"])


@main.command(name="check")
@click.argument("editions", nargs=-1, metavar="[CAISSE/ANNÉE]…")
@click.option("--strict", is_flag=True, help="Tout avertissement compte comme une erreur.")
@click.option("--fix", is_flag=True, help="Applique les corrections de style sûres (montre d'abord les changements).")
@click.pass_obj
def check_command(obj: dict, editions: tuple[str, ...], strict: bool, fix: bool) -> None:
    """Vérifie les éditions nommées (caisse/année) sans produire de PDF : tous les problèmes d'un coup, par fichier."""
    from .builder import check
    from .edition.config import load_manifest
    from .edition.lint import diff, fixes

    try:
        project = _project()
        names = list(editions) or project.editions()
        failed = False
        if fix:
            for name in names:
                paths = project.edition(name)
                manifest, _ = load_manifest(paths.manifest)
                for path, (before, after) in fixes(paths.content, manifest.lint.disable).items():
                    click.echo(diff(path, before, after, project.root))
                    path.write_text(after, encoding="utf-8")
        for name in names:
            errors, warnings = check(project, name, strict=strict)
            found = [("Erreur", e) for e in errors] + [("Erreur" if strict else "Avertissement", w)
                                                      for w in warnings]
            by_file: dict[str, list[str]] = {}
            for kind, problem in found:
                where = problem.where().split(":")[0] or name
                by_file.setdefault(where, []).append(f"{kind} : {problem}")
            for where in sorted(by_file):
                click.echo(where)
                for line in by_file[where]:
                    click.secho(f"  {line}", fg="red" if line.startswith("Erreur") else "yellow")
            errors_count = len(errors) + (len(warnings) if strict else 0)
            failed |= errors_count > 0
            click.echo(f"{name} : {errors_count} erreur(s), {0 if strict else len(warnings)} avertissement(s)")
        if failed:
            sys.exit(1)
    except ReportError as exc:
        _fail(exc, obj["debug"])


@main.command()
@click.argument("edition", metavar="CAISSE/ANNÉE")
@click.option("--organisation", metavar="NOM", help="L'organisme, en entier : « CPAM de la Vienne ».")
@click.option("--territory", "--territoire", "territory", metavar="NOM",
              help="Le nom sous le logo de la couverture (par défaut, tiré de l'organisme : VIENNE).")
@click.option("--signatory", "--signataire", "signatory", metavar="NOM",
              help="Qui signe le message de la direction.")
@click.option("--role", "--fonction", "role", metavar="FONCTION", help="Sa fonction, imprimée sous son nom.")
@click.option("--address", "--adresse", "address", metavar="LIGNE", multiple=True,
              help="Une ligne de l'adresse de la quatrième de couverture (à répéter pour chaque ligne).")
@click.option("--slogan", metavar="TEXTE", help="La signature de la couverture (par défaut, la nationale).")
@click.pass_obj
def init(obj: dict, edition: str, organisation: str | None, territory: str | None, signatory: str | None,
         role: str | None, address: tuple[str, ...], slogan: str | None) -> None:
    """Commence la première édition d'une nouvelle caisse (CAISSE/ANNÉE, par exemple vienne/2024),
    sur la mise en page nationale ; dans un dossier qui n'est pas encore un projet, en fait un.

    Ce qui n'est pas donné en option est demandé quand la commande est lancée dans un terminal ;
    sinon il reste « à renseigner » dans content/CAISSE/ANNÉE/edition.yml."""
    from pathlib import Path

    from .workflows.init import Identity, init_edition, parse_edition, territory_of

    try:
        parse_edition(edition)        # a wrong name is said before any question
        asking = _interactive()
        if organisation is None:
            if not asking:
                raise ReportError("--organisation manquant : le nom de l'organisme est nécessaire",
                                  hint=f'écrivez par exemple : reportgen init {edition} --organisation "CPAM de …"')
            organisation = click.prompt("Organisme (par exemple « CPAM de la Vienne »)")
        if asking:
            territory = territory or click.prompt("Nom sous le logo de la couverture",
                                                  default=territory_of(organisation))
            signatory = signatory or click.prompt("Qui signe le message de la direction", default="à renseigner")
            role = role or click.prompt("Sa fonction", default="à renseigner")
            if not address:
                lines = click.prompt("Adresse de la quatrième de couverture (lignes séparées par « / », "
                                     "vide : aucune)", default="", show_default=False)
                address = tuple(lines.split("/"))
            slogan = slogan or click.prompt("Signature de la couverture", default="Agir ensemble, protéger chacun")
        identity = Identity(organisation, territory or "", signatory or "", role or "", list(address),
                            slogan or "")
        project, written = init_edition(Path.cwd(), edition, identity)
        set_display_root(project.root)
        for path in written:
            click.echo(f"  {path.relative_to(project.root)}")
        caisse = edition.strip("/")
        click.echo(f"Édition {caisse} créée dans {project.root}. Suite : « reportgen build --draft {caisse} » "
                   f"pour un premier PDF de travail, « reportgen status {caisse} » pour ce qui reste à écrire "
                   "et à renseigner.")
    except ReportError as exc:
        _fail(exc, obj["debug"])


@main.command()
@click.argument("edition", metavar="CAISSE/ANNÉE")
@click.option("--from", "source", metavar="CAISSE/ANNÉE",
              help="Édition de la même caisse à reprendre (par défaut : la précédente).")
@click.pass_obj
def new(obj: dict, edition: str, source: str | None) -> None:
    """Crée l’édition CAISSE/ANNÉE à partir de celle de l'année d'avant."""
    from .workflows.yearly import new_edition

    try:
        project = _project()
        for line in new_edition(project, edition, source):
            click.echo(line)
        click.echo(f"Édition {edition} créée. Suite : « reportgen status {edition} », puis "
                   f"« reportgen collect export {edition} ».")
    except ReportError as exc:
        _fail(exc, obj["debug"])


@main.command()
@click.argument("edition", metavar="CAISSE/ANNÉE")
@click.pass_obj
def status(obj: dict, edition: str) -> None:
    """Ce qui reste à faire sur l’édition : chapitres à relire, valeurs à renseigner ; les PDF construits."""
    from .workflows.yearly import status as edition_status

    try:
        project = _project()
        progress = edition_status(project.edition(edition))
        click.echo(f"Chapitres à relire : {len(progress.chapters)}")
        for line in progress.chapters:
            click.echo(f"  {line}")
        click.echo(f"Valeurs à renseigner : {sum(progress.missing.values())}")
        for name, count in sorted(progress.missing.items()):
            click.echo(f"  {name} : {count}")
        if progress.done:
            click.echo("Tout est renseigné : l'édition peut être construite.")
        click.echo(f"Fichiers construits : {len(progress.files) or 'aucun'}")
        for kind, path, fresh in progress.files:
            click.echo(f"  {path.relative_to(project.root)} : {_built(kind, fresh)}")
        from .workflows.review import open_items

        items = open_items(project.edition(edition))
        if items:
            click.echo(f"Commentaires de relecture à traiter : {len(items)}")
            for line in items:
                click.echo(f"  {line}")
    except ReportError as exc:
        _fail(exc, obj["debug"])


def _built(kind: str, fresh: bool) -> str:
    """« PDF final, à jour », « brouillon, à reconstruire (à ne pas publier) »."""
    state = "à jour" if fresh else "à reconstruire"
    return f"{kind}, {state}" + ("" if kind == "PDF final" else " (à ne pas publier)")


@main.group(subcommand_metavar="COMMANDE [ARGUMENTS]…")
def collect() -> None:
    """Collecte des chiffres de l'année dans des classeurs Excel."""


@collect.command(name="export")
@click.argument("edition", metavar="CAISSE/ANNÉE")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Classeur à écrire.")
@click.pass_obj
def collect_export(obj: dict, edition: str, output: str | None) -> None:
    """Écrit le classeur de collecte de l’édition (build/<caisse>-<année>/collecte-….xlsx)."""
    from pathlib import Path

    from .edition.collect import export

    try:
        project = _project()
        paths = project.edition(edition)
        target = Path(output) if output else paths.out / f"collecte-{paths.slug}.xlsx"
        written = export(paths, target.resolve())
        click.echo(f"{written} : à remplir par les services, puis « reportgen collect import {edition} "
                   f"<classeur.xlsx> »")
    except ReportError as exc:
        _fail(exc, obj["debug"])


@collect.command(name="import")
@click.argument("edition", metavar="CAISSE/ANNÉE")
@click.argument("workbooks", nargs=-1, required=True, metavar="CLASSEUR…", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def collect_import(obj: dict, edition: str, workbooks: tuple[str, ...]) -> None:
    """Lit les classeurs remplis dans data/ ; une seule case fausse et rien n'est écrit."""
    from pathlib import Path

    from .edition.collect import import_workbooks

    try:
        project = _project()
        report = import_workbooks(project.edition(edition), [Path(w).resolve() for w in workbooks])
        for line in report or ["rien de nouveau : les valeurs du classeur sont déjà dans data/"]:
            click.echo(line)
    except ReportError as exc:
        _fail(exc, obj["debug"])


@main.command()
@click.argument("editions", nargs=-1, metavar="[CAISSE/ANNÉE]…")
@click.pass_obj
def audit(obj: dict, editions: tuple[str, ...]) -> None:
    """Contrôle d'accessibilité (PDF/UA-1) du PDF final déjà construit des éditions nommées (ou d'un fichier .pdf)."""
    from pathlib import Path

    from .pdf.accessibility import audit_pdf

    try:
        project = _project()
        names = list(editions) or project.editions()
        failed = False
        for name in names:
            if name.lower().endswith(".pdf"):     # a file: a draft, a proof, a PDF from elsewhere
                pdf = Path(name) if Path(name).exists() else project.root / name
                if not pdf.is_file():
                    raise ReportError("fichier introuvable", pdf, hint="donnez le chemin d'un PDF, ou une édition")
                pdf = pdf.resolve()
            else:
                paths = project.edition(name)
                pdf = paths.pdf
                if not pdf.exists():
                    draft = " (il n'y a qu'un brouillon, qui n'est pas balisé)" if paths.draft_pdf.exists() else ""
                    raise ReportError(f"{name} : pas encore de PDF final{draft}", pdf,
                                      hint=f"construisez-le : reportgen build {name}")
            result = audit_pdf(pdf)
            where = display_path(pdf)
            if result.ok:
                counts = result.counts
                click.echo(f"{where} : accessible (PDF/UA-1) — {counts.get('/Figure', 0)} figure(s) "
                           f"décrite(s), {counts.get('/Table', 0)} tableau(x) avec en-têtes, "
                           f"{counts.get('links described', 0)} lien(s) décrit(s), {counts.get('/Note', 0)} "
                           f"note(s), {counts.get('bookmarks agreeing', 0)} signet(s) au niveau de leur titre")
                skipped = f" ; non exécutée(s) : {', '.join(result.skipped)} (voir le README)" if result.skipped else ""
                click.echo(f"  vérificateur indépendant pdfua : {counts.get('pdfua rules', 0)} règle(s) "
                           f"sans constat{skipped}")
            else:
                failed = True
                for problem in result.problems:
                    click.secho(f"{where} : {problem}", fg="red", err=True)
        if failed:
            sys.exit(1)
    except ReportError as exc:
        _fail(exc, obj["debug"])


@main.command(name="list")
@click.pass_obj
def list_editions(obj: dict) -> None:
    """Liste les éditions, l'état de leur PDF final, et leurs brouillons et épreuves."""
    try:
        project = _project()
        for name in project.editions():
            built = project.edition(name).built()
            states = [_built(kind, fresh) for kind, _path, fresh in built]
            if not built or built[0][0] != "PDF final":
                states.insert(0, "PDF final jamais construit")
            click.echo(f"{name:<20} {' ; '.join(states)}")
    except ReportError as exc:
        _fail(exc, obj["debug"])


@main.group(subcommand_metavar="COMMANDE [ARGUMENTS]…")
def review() -> None:
    """Relecture : les commentaires des PDF annotés, ramenés aux fichiers à corriger."""


@review.command(name="import")
@click.argument("edition", metavar="CAISSE/ANNÉE")
@click.argument("pdfs", nargs=-1, required=True, metavar="PDF_ANNOTÉ…", type=click.Path(dir_okay=False))
@click.pass_obj
def review_import(obj: dict, edition: str, pdfs: tuple[str, ...]) -> None:
    """Lit les commentaires des épreuves annotées et écrit la liste à traiter
    (build/<caisse>-<année>/relecture-<date>.md et .xlsx)."""
    from pathlib import Path

    from .workflows.review import import_review

    try:
        project = _project()
        paths = project.edition(edition)
        done = import_review(paths, [Path(p).resolve() for p in pdfs])
        for name in done.other_version:
            click.secho(f"{name} : épreuve d'une version antérieure ; ses commentaires sont placés d'après leur "
                        "texte dans la dernière épreuve", fg="yellow", err=True)
        placed = [c for c in done.comments if c.placed]
        apart = [c for c in done.comments if not c.placed]
        for c in placed:
            quote = f" « {c.quote} »" if c.quote else ""
            click.echo(f"p. {c.page} · {c.source}{quote}\n    {c.text()}")
        if apart:
            click.secho(f"Non placés ({len(apart)}) : à lire sur le PDF annoté", fg="yellow")
            for c in apart:
                click.echo(f"p. {c.page} · {c.reason}\n    {c.text()}")
        click.echo(f"{len(done.comments)} commentaire(s), dont {done.new} nouveau(x) : "
                   f"{display_path(done.markdown)} et {display_path(done.workbook)} ; cochez-les une fois "
                   f"traités, « reportgen status {edition} » compte ceux qui restent.")
    except ReportError as exc:
        _fail(exc, obj["debug"])


@main.command(name="import")
@click.argument("published", metavar="PUBLIÉ.pdf", type=click.Path(dir_okay=False))
@click.argument("edition", metavar="CAISSE/ANNÉE")
@click.pass_obj
def import_command(obj: dict, published: str, edition: str) -> None:
    """Écrit une édition brouillon (CAISSE/ANNÉE) à partir du PDF publié l'an dernier : plan, tableaux,
    chiffres clés, listes, glossaire et textes à réécrire ; ne remplace jamais une édition existante."""
    from pathlib import Path

    from .workflows.importer import import_pdf

    try:
        try:
            project = _project()
        except ReportError:
            from .project import Project

            project = Project(Path.cwd().resolve())     # a folder that is not yet a project becomes one
            set_display_root(project.root)
        report = import_pdf(project, Path(published).resolve(), edition)
        for line in report.lines():
            click.echo(line)
        name = edition.strip("/")
        click.echo(f"Édition {name} écrite ({len(report.written)} fichiers) ; le compte rendu : "
                   f"{display_path(report.file)}. Suite : « reportgen status {name} » (chapitres à réécrire), "
                   f"« reportgen check {name} » (chiffres à lier aux données), « reportgen build --draft {name} ».")
    except ReportError as exc:
        _fail(exc, obj["debug"])


@main.command(name="diff")
@click.argument("edition", metavar="CAISSE/ANNÉE")
@click.option("--against", "against", type=click.Path(dir_okay=False), metavar="ANCIEN.pdf",
              help="Une épreuve ou un PDF précédent de la même édition.")
@click.option("--against-year", "year", metavar="N-1",
              help="L'édition d'une autre année de la même caisse (par exemple 2019, ou N-1).")
@click.pass_obj
def diff_command(obj: dict, edition: str, against: str | None, year: str | None) -> None:
    """Ce qui a changé depuis un PDF précédent : chiffres, phrases, pages ; et le PDF des
    modifications (build/<caisse>-<année>/…-modifications.pdf)."""
    from pathlib import Path

    from .workflows.diffing import diff

    try:
        project = _project()
        paths = project.edition(edition)
        if bool(against) == bool(year):
            raise ReportError("dites à quoi comparer : --against ANCIEN.pdf ou --against-year N-1",
                              hint=f"par exemple : reportgen diff {edition} --against-year N-1")
        number = None
        if year:
            written = year.strip().upper().replace(" ", "")
            if written.startswith("N-") and written[2:].isdigit():
                number = int(paths.year) - int(written[2:])
            elif written.isdigit():
                number = int(written)
            else:
                raise ReportError(f"--against-year « {year} » : écrivez une année (2019) ou N-1")
        done = diff(project, paths, Path(against).resolve() if against else None, number)
        old = Path(against).name if against else f"{paths.caisse}/{number}"
        if done.approximate:
            click.secho(f"{old} n'a pas de carte des sources : son texte est lu dans le PDF, les chiffres ne sont "
                        "pas distingués des phrases", fg="yellow", err=True)
        for change in done.changes:
            click.echo(change.line())
        counts = {}
        for change in done.changes:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        summary = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "aucune modification"
        click.echo(f"{done.new.pdf} par rapport à {old} : {summary}"
                   + (f" ; surlignées dans {display_path(done.marked)}" if done.marked and done.changes else ""))
    except ReportError as exc:
        _fail(exc, obj["debug"])


@main.group(subcommand_metavar="COMMANDE [ARGUMENTS]…")
def demo() -> None:
    """Données de démonstration, pour les essais de charge."""


@demo.command(name="network")
@click.argument("count", metavar="N", type=click.IntRange(1, 1000))
@click.argument("folder", metavar="DOSSIER", type=click.Path(file_okay=False))
@click.pass_obj
def demo_network(obj: dict, count: int, folder: str) -> None:
    """Écrit dans DOSSIER (hors du projet) un projet de N caisses fictives, faites des éditions de ce
    projet : noms, territoires et chiffres changés, textes gardés ; les mêmes N donnent les mêmes fichiers."""
    from pathlib import Path

    from .network.demo import make_network

    try:
        project = _project()
        written = make_network(project, count, Path(folder))
        target = Path(folder).resolve()
        click.echo(f"{len(written)} édition(s) fictive(s) dans {target} : {', '.join(written[:3])}"
                   + (" …" if len(written) > 3 else ""))
        click.echo(f"Suite : « cd {target} && reportgen build --cluster local »")
    except ReportError as exc:
        _fail(exc, obj["debug"])
