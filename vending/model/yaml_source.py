"""YAML parsing that remembers where every key and list item came from.

`yaml.safe_load` forgets lines and silently keeps the last of two duplicate keys; a reviewer
needs `file:line` for every finding, and a duplicate key is almost always a merge mistake. So we
compose the node tree with SafeLoader and build the data ourselves, recording the line of each
mapping key and sequence item under its JSON path.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

JsonPath = tuple[Hashable, ...]
"""Keys and list indexes from the document root: ("tags", "cost-center"), ("scps", 0)."""

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


class YamlSyntaxError(Exception):
    """The text is not YAML (or not one document); `line` is 1-based."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


@dataclass(frozen=True)
class DuplicateKey:
    """A key given twice in one mapping; the later value wins in `Parsed.data`."""

    path: JsonPath
    line: int
    first_line: int


class Lines:
    """JSON path -> 1-based line, answering for the nearest recorded ancestor."""

    def __init__(self, table: dict[JsonPath, int] | None = None):
        self._table = dict(table or {})

    def at(self, path: JsonPath) -> int:
        for end in range(len(path), -1, -1):
            line = self._table.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1

    def __contains__(self, path: JsonPath) -> bool:
        return tuple(path) in self._table


@dataclass(frozen=True)
class Parsed:
    """One YAML document: plain Python data, its lines, and any duplicate keys found."""

    data: Any
    lines: Lines
    duplicates: tuple[DuplicateKey, ...] = ()


_FAST_LOADER: type | None = getattr(yaml, "CSafeLoader", None)
"""libyaml's parser (with PyYAML's own safe constructor), when PyYAML was built with it: about
ten times faster than the pure-Python parser, which dominated loading a large repository."""


def parse(text: str) -> Parsed:
    """Parse one YAML document; raises YamlSyntaxError with the line of the problem.

    Valid documents are parsed by libyaml when available. A document that fails there is parsed
    again by the pure-Python parser, so every finding reads the same with or without libyaml.
    """
    if _FAST_LOADER is not None:
        try:
            return _parse(text, _FAST_LOADER)
        except (yaml.YAMLError, YamlSyntaxError):
            pass
    try:
        return _parse(text, yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        message = f"{exc.context}, {problem}" if exc.context else problem
        raise YamlSyntaxError(mark.line + 1 if mark else 1, message) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise YamlSyntaxError(line, f"character {chr(exc.character)!r} is not allowed in YAML") from exc
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML's remaining errors carry no mark
        raise YamlSyntaxError(1, str(exc)) from exc


def _parse(text: str, loader_class: type) -> Parsed:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed(None, Lines({(): 1}))
        builder = _Builder(loader)
        data = builder.build(node, ())
        return Parsed(data, Lines(builder.lines), tuple(builder.duplicates))
    finally:
        loader.dispose()


class _Builder:
    """Turns composed nodes into data, recording lines and duplicate keys on the way."""

    def __init__(self, loader: yaml.SafeLoader):
        self.loader = loader
        self.lines: dict[JsonPath, int] = {}
        self.duplicates: list[DuplicateKey] = []
        self._open: set[int] = set()

    def build(self, node: Node, path: JsonPath) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if id(node) in self._open:
            raise YamlSyntaxError(node.start_mark.line + 1, "an alias refers to its own anchor")
        self._open.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self._item(child, path + (i,)) for i, child in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            raise YamlSyntaxError(node.start_mark.line + 1, "unsupported YAML node")
        finally:
            self._open.discard(id(node))

    def _item(self, node: Node, path: JsonPath) -> Any:
        self.lines[path] = node.start_mark.line + 1
        return self.build(node, path)

    def _mapping(self, node: MappingNode, path: JsonPath) -> dict[Hashable, Any]:
        first: dict[Hashable, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key, line = self._key(key_node), key_node.start_mark.line + 1
            if key in first:
                self.duplicates.append(DuplicateKey(path + (key,), line, first[key]))
            else:
                first[key] = line
        self.loader.flatten_mapping(node)  # resolves `<<: *anchor`; own keys override merged ones
        result: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            self.lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, path + (key,))
        return result

    def _key(self, node: Node) -> Hashable:
        if not isinstance(node, ScalarNode):
            raise YamlSyntaxError(node.start_mark.line + 1, "a mapping key must be a plain value")
        return self._scalar(node)

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag == _STR_TAG:  # most values; what SafeConstructor.construct_yaml_str returns
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError as exc:  # e.g. a timestamp-looking value that is no real date
            raise YamlSyntaxError(node.start_mark.line + 1, f"cannot read value: {exc}") from exc


def dotted(path: JsonPath) -> str:
    """A JSON path as a Diagnostic field: ("tags", "cost-center") -> "tags.cost-center",
    ("scps", 1) -> "scps[1]"."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
