"""Export the change graph as Graphviz DOT or Mermaid, for `vend graph`.

Nodes are change addresses carrying an `action` attribute; edges run prerequisite -> dependent.
Output is sorted so the same plan always gives the same bytes (diffable, golden-testable).
Addresses hold `: / @` and spaces, so ids are quoted (DOT) or replaced by stable indexes (Mermaid).
"""
from __future__ import annotations

import networkx as nx

_COLORS = {
    "create": "#d4f7d4",
    "update": "#fff3c4",
    "move": "#d4ecf7",
    "delete": "#f7d4d4",
    "replace": "#ead4f7",
    "no-op": "#eeeeee",
}


def _nodes(graph: nx.DiGraph) -> list[tuple[str, str]]:
    """(address, action) for every node, sorted by address."""
    return sorted((str(n), str(graph.nodes[n].get("action", ""))) for n in graph.nodes)


def _edges(graph: nx.DiGraph) -> list[tuple[str, str]]:
    return sorted((str(u), str(v)) for u, v in graph.edges)


def _dot_quote(text: str) -> str:
    """A DOT double-quoted string; newlines become `\\n` so one node cannot break the file."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def to_dot(graph: nx.DiGraph) -> str:
    """Graphviz DOT, nodes colored by action; render with `dot -Tsvg`."""
    lines = [
        "digraph plan {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="monospace", fillcolor="#ffffff"];',
    ]
    for address, action in _nodes(graph):
        label = f"{action}\n{address}" if action else address
        attrs = f"label={_dot_quote(label)}"
        if action in _COLORS:
            attrs += f", fillcolor={_dot_quote(_COLORS[action])}"
        lines.append(f"  {_dot_quote(address)} [{attrs}];")
    for source, target in _edges(graph):
        lines.append(f"  {_dot_quote(source)} -> {_dot_quote(target)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    """Mermaid label text: entity codes for characters Mermaid or its HTML labels would parse."""
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("&", "#amp;")):
        text = text.replace(char, code)
    return " ".join(text.split())


def to_mermaid(graph: nx.DiGraph) -> str:
    """A Mermaid flowchart (GitHub renders ```mermaid blocks); ids are n0, n1... in address order."""
    nodes = _nodes(graph)
    ids = {address: f"n{index}" for index, (address, _) in enumerate(nodes)}
    lines = ["flowchart LR"]
    for address, action in nodes:
        label = _mermaid_label(address)
        if action:
            label = f"{_mermaid_label(action)}<br/>{label}"
        lines.append(f'  {ids[address]}["{label}"]')
    for source, target in _edges(graph):
        lines.append(f"  {ids[source]} --> {ids[target]}")
    by_action: dict[str, list[str]] = {}
    for address, action in nodes:
        if action in _COLORS:
            by_action.setdefault(action, []).append(ids[address])
    for action in sorted(by_action):
        name = "action_" + action.replace("-", "")
        lines.append(f"  classDef {name} fill:{_COLORS[action]},stroke:#333333;")
        lines.append(f"  class {','.join(by_action[action])} {name};")
    return "\n".join(lines) + "\n"
