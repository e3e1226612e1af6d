"""Every golden output by file name, shared by the tests and `regen`."""
from __future__ import annotations

from pathlib import Path

from vending.plan.graph_export import to_dot, to_mermaid
from vending.render import render

from .plans import PLANS, change_graph

GOLDEN_DIR = Path(__file__).parent / "golden"
EXTENSIONS = {"txt": "text", "md": "markdown", "json": "json"}


def outputs() -> dict[str, str]:
    """`{"all_creates.txt": "...", ...}`: each plan in each format, plus its graph."""
    result: dict[str, str] = {}
    for name, build in PLANS.items():
        plan = build()
        data = plan.to_json()
        for ext, fmt in EXTENSIONS.items():
            result[f"{name}.{ext}"] = render(data, fmt)
        graph = change_graph(plan)
        result[f"{name}.dot"] = to_dot(graph)
        result[f"{name}.mmd"] = to_mermaid(graph)
    return result
