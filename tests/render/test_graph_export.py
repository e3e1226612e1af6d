"""DOT and Mermaid export: deterministic, safely quoted, and free of AWS imports."""
from __future__ import annotations

import subprocess
import sys

import networkx as nx

from vending.plan.graph_export import to_dot, to_mermaid

from .plans import all_creates, change_graph


def _awkward_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_node('ou:Work "loads"/A B', action="create")
    graph.add_node("account:x\\y#1<b>&", action="move")
    graph.add_node("policy_attachment:scp/a@ou:Work loads/A B")
    graph.add_edge('ou:Work "loads"/A B', "account:x\\y#1<b>&")
    graph.add_edge('ou:Work "loads"/A B', "policy_attachment:scp/a@ou:Work loads/A B")
    return graph


def test_output_does_not_depend_on_insertion_order() -> None:
    graph = change_graph(all_creates())
    reversed_graph = nx.DiGraph()
    reversed_graph.add_nodes_from(reversed(list(graph.nodes(data=True))))
    reversed_graph.add_edges_from(reversed(list(graph.edges)))
    assert to_dot(graph) == to_dot(reversed_graph)
    assert to_mermaid(graph) == to_mermaid(reversed_graph)


def test_dot_quotes_ids() -> None:
    dot = to_dot(_awkward_graph())
    assert '"ou:Work \\"loads\\"/A B" -> "account:x\\\\y#1<b>&";' in dot
    assert 'label="move\\naccount:x\\\\y#1<b>&"' in dot
    assert '"policy_attachment:scp/a@ou:Work loads/A B" [label="policy_attachment:scp/a@ou:Work loads/A B"];' in dot


def test_mermaid_uses_safe_ids_and_escaped_labels() -> None:
    mermaid = to_mermaid(_awkward_graph())
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  n0["move<br/>account:x\\y#35;1#lt;b#gt;#amp;"]' in lines
    assert '  n1["create<br/>ou:Work #quot;loads#quot;/A B"]' in lines
    assert "  n1 --> n0" in lines and "  n1 --> n2" in lines
    for line in lines[1:]:
        if "[" in line:
            assert line.count('"') == 2


def test_does_not_import_boto3() -> None:
    code = "import sys, vending.plan.graph_export, vending.render; assert 'boto3' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
