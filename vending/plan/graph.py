"""The change graph: a thin networkx wrapper, edges prerequisite -> dependent."""
from __future__ import annotations

import networkx as nx

from vending.errors import CycleError
from vending.plan.changes import Change


def build_graph(changes: list[Change]) -> nx.DiGraph:
    """Nodes are change addresses (with the change as `change` and its action as `action`).

    A dependency on an address that is not part of the plan is already satisfied (that thing
    exists), so it adds no edge. A cycle raises `CycleError` naming the path around it.
    """
    graph = nx.DiGraph()
    for change in changes:
        graph.add_node(change.address, change=change, action=change.action.value)
    for change in changes:
        for prerequisite in change.depends_on:
            if prerequisite in graph:
                graph.add_edge(prerequisite, change.address)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return graph
    path = [edge[0] for edge in cycle] + [cycle[0][0]]
    raise CycleError(path)


def generations(graph: nx.DiGraph) -> list[list[str]]:
    """Layers of addresses; every prerequisite of a layer lies in an earlier layer."""
    return [sorted(layer) for layer in nx.topological_generations(graph)]
