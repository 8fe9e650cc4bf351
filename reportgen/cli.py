"""The ``reportgen`` command: a thin layer over the library; the only place that prints.

Exit status: 0 on success, 1 when a build fails (one message naming the place),
2 for a wrong command line.
"""
from __future__ import annotations

import logging
import sys
import traceback

import click

from .errors import ReportError, set_display_root


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@click.argument("editions", nargs=-1)
@click.option("--strict", is_flag=True, help="Tout avertissement arrête la construction.")
@click.pass_obj
def build(obj: dict, editions: tuple[str, ...], strict: bool) -> None:
    """Construit le PDF des ÉDITIONS (caisse/année) ; sans argument, de toutes les éditions."""
    from .builder import build as build_edition
    from .progress import make_progress

    debug = obj["debug"]
    try:
        project = _project()
        names = list(editions) or project.editions()
        if not names:
            raise ReportError("aucune édition trouvée sous content/ (il faut content/<caisse>/<année>/edition.yml)")
        for name in names:
            progress = make_progress(name)
            try:
                result = build_edition(project, name, progress, strict=strict)
            finally:
                progress.close()
            for warning in result.warnings:
                click.secho(f"Avertissement : {warning}", fg="yellow", err=True)
            click.echo(f"{result.pdf.relative_to(project.root)} : {result.pages} pages")
    except ReportError as exc:
        _fail(exc, debug)


@main.command(name="list")
@click.pass_obj
def list_editions(obj: dict) -> None:
    """Liste les éditions trouvées et l'état de leur PDF."""
    try:
        project = _project()
        for name in project.editions():
            paths = project.edition(name)
            if paths.pdf.exists():
                newest_input = max((p.stat().st_mtime for folder in (paths.content, paths.data)
                                    for p in folder.rglob("*") if p.is_file()), default=0)
                state = "à jour" if paths.pdf.stat().st_mtime >= newest_input else "à reconstruire"
            else:
                state = "jamais construit"
            click.echo(f"{name:<20} {state}")
    except ReportError as exc:
        _fail(exc, obj["debug"])
