"""Click's own words in French: usage errors, help headings, prompts.

Click marks every message it prints with gettext (``_("Missing argument")``) but ships no
French catalogue, and reading one would depend on the machine's locale. The command line
of reportgen speaks French whatever the locale: :func:`install` gives Click's modules a
``gettext`` that looks the message up here. A message missing from the table stays as
Click wrote it; the tests run every usage error a user can meet and look for English.
"""
from __future__ import annotations

import importlib

import click

FRENCH = {
    # help pages
    "Usage:": "Utilisation :",
    "Options": "Options ",            # the heading is followed by « : »
    "Commands": "Commandes ",
    "Positional arguments": "Arguments",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "deprecated": "obsolète",
    "(dynamic)": "(variable)",
    # usage errors
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Pour l'aide : « {command} {option} ».",
    "No such command {name!r}.": "Commande « {name} » inconnue.",
    "No such option {name!r}.": "Option « {name} » inconnue.",
    "No such option: {name}": "Option « {name} » inconnue.",
    "Missing command.": "Commande manquante.",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing {param_type}": "{param_type} manquant",
    "Missing {param_type} {param_hint}.": "{param_type} manquant : {param_hint}.",
    "argument": "argument",
    "option": "option",
    "parameter": "paramètre",
    "Option {name!r} does not take a value.": "L'option « {name} » ne prend pas de valeur.",
    "Option {name!r} requires an argument.": "L'option « {name} » demande une valeur.",
    "Option {name!r} requires {nargs} arguments.": "L'option « {name} » demande {nargs} valeurs.",
    "Argument {name!r} takes {nargs} values.": "L'argument « {name} » prend {nargs} valeurs.",
    "Got unexpected extra argument ({args})": "Argument en trop : {args}",
    "Got unexpected extra arguments ({args})": "Arguments en trop : {args}",
    "Takes {nargs} values but 1 was given.": "Demande {nargs} valeurs, une seule est donnée.",
    "Takes {nargs} values but {len} were given.": "Demande {nargs} valeurs, {len} sont données.",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Did you mean {possibility}?": "Vouliez-vous dire {possibility} ?",
    "(Did you mean one of: {possibilities}?)": "(Vouliez-vous dire l'une de : {possibilities} ?)",
    "Name '{name}' defined twice": "Nom « {name} » défini deux fois",
    "Invalid start character for option ({option})": "Caractère de début d'option invalide ({option})",
    # values
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un nombre valide ({number_type}).",
    "integer": "entier",
    "float": "nombre décimal",
    "{value} is not in the range {range}.": "{value} n'est pas dans les valeurs permises ({range}).",
    "{value!r} is not {choice}.": "« {value} » n'est pas {choice}.",
    "{value!r} is not one of {choices}.": "« {value} » n'est pas l'une des valeurs : {choices}.",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    "{value!r} is not a valid boolean.": "« {value} » n'est pas oui ou non (true, false).",
    "{value!r} is not a valid UUID.": "« {value} » n'est pas un UUID valide.",
    "{value!r} does not match the format {format}.": "« {value} » ne suit pas le format {format}.",
    "{value!r} does not match the formats {formats}.": "« {value} » ne suit aucun des formats {formats}.",
    "{len_type} values are required, but {len_value} was given.":
        "{len_type} valeurs sont demandées, {len_value} est donnée.",
    "{len_type} values are required, but {len_value} were given.":
        "{len_type} valeurs sont demandées, {len_value} sont données.",
    "Value must be an iterable.": "Une liste de valeurs est attendue.",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "{name} {filename!r} does not exist.": "{name} « {filename} » introuvable.",
    "{name} {filename!r} is a file.": "{name} « {filename} » est un fichier.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » est un dossier.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » : lecture interdite.",
    "{name} {filename!r} is not writable.": "{name} « {filename} » : écriture interdite.",
    "{name} {filename!r} is not executable.": "{name} « {filename} » n'est pas exécutable.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir « {filename} » : {message}",
    "unknown error": "erreur inconnue",
    # prompts
    "Aborted!": "Abandon.",
    "Error: invalid input": "Erreur : réponse invalide",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs diffèrent.",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Do you want to continue?": "Voulez-vous continuer ?",
    "Confirm the action without prompting.": "Confirmer sans poser la question.",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
}

_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils",
            "shell_completion", "_termui_impl")


def gettext(message: str) -> str:
    return FRENCH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def _hint(self, ctx) -> str:
    """« --jobs » rather than '--jobs' where Click names a parameter in an error."""
    if isinstance(self, click.Argument):
        return f"« {self.make_metavar(ctx) if ctx is not None else self.human_readable_name} »"
    return " / ".join(f"« {name} »" for name in self.opts or [self.human_readable_name])


def _range(self) -> str:
    """« de 1 à 8 » rather than « 1<=x<=8 »."""
    if self.min is not None and self.max is not None:
        return f"de {self.min} à {self.max}"
    return f"au moins {self.min}" if self.min is not None else f"au plus {self.max}"


def install() -> None:
    """Click's modules look their messages up in :data:`FRENCH` from now on."""
    click.IntRange._describe_range = _range
    click.FloatRange._describe_range = _range
    click.Option.get_error_hint = _hint
    click.Argument.get_error_hint = _hint
    for name in _MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:      # a module of another version of Click, or of another system
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
