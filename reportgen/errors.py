"""The user-facing error tree: every problem a build can meet names its place.

The CLI turns a ReportError into one line (``fichier:ligne: message``); a
traceback is shown only with ``--debug``.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path


_LINE_BREAKS = re.compile("[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")    # what str.splitlines() splits on


class ReportError(Exception):
    """A problem the user can fix; ``where`` says in which file, line or cell."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None,
                 hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def where(self) -> str:
        if self.path is None:
            return ""
        text = display_path(self.path)
        if self.line:
            text += f":{self.line}"
        return text

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" — {self.hint}"
        # one line, whatever the message quotes (a cell or a name holding a line break)
        return _LINE_BREAKS.sub(" ", text)


class ConfigError(ReportError):
    """A manifest or layout setting is missing or wrong."""


class DataError(ReportError):
    """A data file is unreadable, or a cell holds what its column does not accept."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None,
                 column: str | None = None, hint: str | None = None):
        super().__init__(message, path, line, hint)
        self.column = column

    def where(self) -> str:
        text = super().where()
        if self.column is not None:
            text += f" (colonne « {self.column} »)"
        return text


class ContentError(ReportError):
    """A Markdown chapter has bad front matter or a directive that does not resolve."""


class LayoutError(ReportError):
    """A layout template or stylesheet fails."""


class ReportWarning(ReportError):
    """Not fatal unless the build is strict; collected and reported at the end."""


class ReportErrors(ReportError):
    """Several problems found together (every bad cell of every table, every broken directive
    of a chapter): a build stops with all of them on its one line, ``check`` lists each one."""

    SHOWN = 10      # on the one line of a build; ``check`` lists them all

    def __init__(self, errors: list[ReportError]):
        self.errors = [e for error in errors for e in getattr(error, "errors", [error])]
        first = self.errors[0]
        super().__init__(first.message, first.path, first.line, hint=first.hint)
        self.column = getattr(first, "column", None)

    def __reduce__(self):      # sent whole to another process
        return self.__class__, (self.errors,)

    def where(self) -> str:
        return self.errors[0].where()

    def __str__(self) -> str:
        shown = [f"{e.where()}: {e.message}" if e.where() else e.message for e in self.errors[:self.SHOWN]]
        text = " ; ".join(shown)
        if len(self.errors) > self.SHOWN:
            text += f" ; et {len(self.errors) - self.SHOWN} autre(s) : « reportgen check » les liste toutes"
        hints = list(dict.fromkeys(e.hint for e in self.errors[:self.SHOWN] if e.hint))
        if hints:
            text += " — " + " ; ".join(hints)
        return _LINE_BREAKS.sub(" ", text)


class DataErrors(ReportErrors, DataError):
    """Several data problems (bad cells of one or more tables), reported together."""


class ContentErrors(ReportErrors, ContentError):
    """Several problems of one chapter (directives, syntax), reported together."""


def gathered(errors: list[ReportError]) -> ReportError:
    """One error as it is, or several in one, of their common kind (data, content) when they share it."""
    flat = [e for error in errors for e in getattr(error, "errors", [error])]
    if len(flat) == 1:
        return flat[0]
    if all(isinstance(e, DataError) for e in flat):
        return DataErrors(flat)
    if all(isinstance(e, ContentError) for e in flat):
        return ContentErrors(flat)
    return ReportErrors(flat)


def closest(word: object, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name ``word`` was most likely meant to be (« titel » → « title »), or None.

    Tried as written, then in lower case with « - » and spaces read as « _ ».
    """
    if not isinstance(word, str):
        return None
    known = list(known)
    lower = word.strip().lower()
    for tried in dict.fromkeys((word, lower, lower.replace("-", "_").replace(" ", "_"))):
        found = difflib.get_close_matches(tried, known, n=1, cutoff=cutoff)
        if found:
            return found[0]
    return None


def did_you_mean(word: object, known: Iterable[str]) -> str:
    """« vouliez-vous dire « title » ? » when a known name is close to ``word``, else ""."""
    close = closest(word, known)
    return f"vouliez-vous dire « {close} » ?" if close else ""


_ROOTS: list[Path] = []


def set_display_root(root: Path) -> None:
    """Paths in messages are shown relative to the project folder."""
    _ROOTS[:] = [root.resolve()]


def display_path(path: Path) -> str:
    """A path relative to the project; a symbolic link by its own name, not by its target's."""
    for root in _ROOTS:
        for shown in (path.parent.resolve() / path.name, path.resolve()):
            try:
                return str(shown.relative_to(root))
            except ValueError:
                continue
    return str(path)
