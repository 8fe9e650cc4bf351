"""Reading YAML files with errors that name the file and the line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import DataError


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping key."""


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


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


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


def load_yaml(path: Path, error: type = DataError) -> Any:
    """Parse a YAML file; a syntax error becomes ``error`` with the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error("fichier introuvable", path) from None
    except UnicodeDecodeError as exc:
        raise error(f"le fichier n'est pas en UTF-8 (octet {exc.start})", path,
                    hint="enregistrez-le en UTF-8") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        raise error(f"YAML illisible : {problem}", path, line,
                    hint="vérifiez l'indentation et les deux-points à cette ligne") from None
