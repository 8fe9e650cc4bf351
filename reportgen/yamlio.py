"""Reading YAML files with errors that name the file and the line.

The loader is a safe one with two more guards: a document may not use more than
:data:`MAX_ALIASES` aliases (``*nom``), nor unfold (aliases expanded) into more than
:data:`MAX_NODES` values. A small file that unfolds into millions of values (« billion
laughs ») is refused before anything is built from it.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError

MAX_ALIASES = 200          # the reference editions use none
MAX_NODES = 100_000        # values once the aliases are unfolded; the largest reference file has 566


class _Refused(yaml.YAMLError):
    """A document the loader refuses to build, with the line where it decided so."""

    def __init__(self, message: str, mark: yaml.Mark, hint: str):
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1
        self.hint = hint


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping key, and counts what aliases unfold."""

    def __init__(self, stream: Any):
        super().__init__(stream)
        self._aliases = 0
        self._unfolded = 0
        self._sizes: dict[int, int] = {}    # id(node) → values it unfolds into
        self._open: set[str] = set()        # anchors of the collections being read

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(f"plus de {MAX_ALIASES} alias (« *{event.anchor} ») dans ce fichier",
                               event.start_mark,
                               "écrivez les valeurs en toutes lettres plutôt que par des alias")
            if event.anchor in self._open:
                raise _Refused(f"l'alias « *{event.anchor} » se contient lui-même", event.start_mark,
                               "un alias ne peut pas renvoyer à la liste ou au groupe qui le contient")
            node = super().compose_node(parent, index)
            self._count(self._size(node), event)
            return node
        self._count(1, event)
        anchor = getattr(event, "anchor", None)
        if anchor and isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self._open.add(anchor)
            try:
                return super().compose_node(parent, index)
            finally:
                self._open.discard(anchor)
        return super().compose_node(parent, index)

    def _count(self, values: int, event: yaml.Event) -> None:
        self._unfolded += values
        if self._unfolded > MAX_NODES:
            raise _Refused(f"ce fichier se déplie en plus de {MAX_NODES:_} valeurs".replace("_", "\u202f"),
                           event.start_mark, "ses alias (« *nom ») se multiplient : écrivez les valeurs "
                           "en toutes lettres, sans alias d'alias")

    def _size(self, node: yaml.Node) -> int:
        """How many values a node unfolds into, each alias expanded (memoised: linear time)."""
        known = self._sizes.get(id(node))
        if known is None:
            if isinstance(node, yaml.MappingNode):
                known = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
            elif isinstance(node, yaml.SequenceNode):
                known = 1 + sum(self._size(item) for item in node.value)
            else:
                known = 1
            self._sizes[id(node)] = known
        return known


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping = LineDict()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"la clé « {key} » apparaît deux fois", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
        mapping.lines[key] = key_node.start_mark.line + 1
    mapping.line = node.start_mark.line + 1
    return mapping


MAX_INT_BITS = 13_000      # about 3 900 digits: below Python's limit on printing a whole number


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    """A whole number; one too long for Python to build or print is refused at its line."""
    try:
        value = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        value = None
    if value is None or value.bit_length() > MAX_INT_BITS:
        raise _Refused("nombre entier beaucoup trop long (des milliers de chiffres)", node.start_mark,
                       "un rapport n'imprime pas de nombre aussi long : vérifiez la valeur")
    return value


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """A date (« 2020-03-15 ») that does not exist (« 2020-13-45 ») is refused at its line."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise _Refused(f"date impossible « {node.value} »", node.start_mark,
                       "vérifiez le jour et le mois, ou écrivez la valeur entre guillemets") from None


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class LineDict(dict):
    """A dict read from YAML that knows the line of each key (``lines[key]``)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int] = {}
        self.line: int | None = None


def line_of(mapping: Any, key: Any = None) -> int | None:
    """The line of ``key`` in a mapping read by :func:`load_yaml`, if known."""
    if isinstance(mapping, LineDict):
        if key is not None and key in mapping.lines:
            return mapping.lines[key]
        return mapping.line
    return None


def read_text(path: Path, error: type = DataError, hint: str = "enregistrez-le en UTF-8",
              missing: str = "fichier introuvable", missing_hint: str | None = None,
              controls: bool = True) -> str:
    """A text file in UTF-8 (a leading byte-order mark is dropped); any failure is ``error``.

    A byte that is not UTF-8 is reported at its line and column, as an editor shows them.
    With ``controls=False``, a control character (a NUL byte…) is refused the same way: see
    :func:`refuse_controls`.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(missing, path, hint=missing_hint) from None
    except IsADirectoryError:
        raise error("c'est un dossier, pas un fichier", path,
                    hint="remplacez-le par le fichier attendu, ou corrigez le nom qui y mène") from None
    except OSError as exc:
        raise error(f"fichier illisible ({exc.strerror})", path,
                    hint="vérifiez que le fichier existe et que vous avez le droit de le lire") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = position_of_byte(data, exc.start)
        raise error(f"le fichier n'est pas en UTF-8 : octet 0x{data[exc.start]:02X} illisible à la colonne "
                    f"{column}", path, line, hint=hint) from None
    if not controls:
        refuse_controls(text, path, error)
    return text


# control characters other than tab, line feed and carriage return: invisible, never typed on
# purpose, and some (form feed, U+001C…) even count as line breaks for Python, not for an editor
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_controls(text: str, path: Path | None, error: type = DataError, first_line: int = 1) -> None:
    """A control character (NUL…) in a text file is ``error``, at its line and column."""
    found = CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + first_line
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        raise error(f"caractère de contrôle interdit U+{ord(found[0]):04X} à la colonne {column}", path, line,
                    hint="retirez ce caractère invisible (souvent collé depuis un autre logiciel)")


def position_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    """(line, column), from 1, of the byte at ``offset``; the column counts the characters before it."""
    start = data.rfind(b"\n", 0, offset) + 1
    before = data[start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1


def parse_yaml(text: str, path: Path, error: type = DataError, first_line: int = 1,
               what: str = "YAML illisible") -> Any:
    """Parse YAML text read from ``path`` (starting at ``first_line`` of it); every failure is ``error``."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as exc:
        raise error(exc.message, path, exc.line + first_line - 1, hint=exc.hint) from None
    except yaml.reader.ReaderError as exc:   # a control character, such as a NUL byte
        line = text.count("\n", 0, exc.position) + first_line
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise error(f"{what} : caractère interdit U+{exc.character:04X} à la colonne {column}", path, line,
                    hint="retirez ce caractère invisible (souvent collé depuis un autre logiciel)") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        problem = exc.problem or str(exc)
        raise error(f"{what} : {problem}", path, line,
                    hint="vérifiez l'indentation et les deux-points à cette ligne") from None
    except yaml.YAMLError as exc:
        raise error(f"{what} : {exc}", path, first_line) from None
    except ValueError:   # a value YAML reads but Python cannot build (the loader names most)
        raise error(f"{what} : une valeur ne peut pas être lue", path, first_line,
                    hint="vérifiez les nombres et les dates de ce fichier") from None
    except RecursionError:   # brackets nested thousands deep
        raise error(f"{what} : listes ou groupes imbriqués trop profondément", path, first_line,
                    hint="un fichier de données s'écrit sur quelques niveaux d'indentation") from None


def load_yaml(path: Path, error: type = DataError) -> Any:
    """Parse a YAML file; a syntax error becomes ``error`` with the file and line."""
    return parse_yaml(read_text(path, error), path, error)


def plain(value: Any) -> Any:
    """What :func:`load_yaml` read, as plain dicts and lists: for writing it back with ``yaml.safe_dump``."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def load_plain(path: Path, error: type = DataError) -> Any:
    """A YAML file read with the guards of :func:`load_yaml`, as plain data (empty file: ``{}``)."""
    return plain(load_yaml(path, error)) or {}
