"""JSON rendering of a plan: the plan file format itself, byte for byte.

`vend show --format json plan.json` must print what `vend plan --out plan.json` wrote, so this
uses exactly the settings of `Plan.dumps()`: indent 2, keys in the plan's own order.
"""
from __future__ import annotations

import json
from typing import Any


def render_json(plan: dict[str, Any]) -> str:
    """Stable pretty JSON ending in one newline (the same bytes as `Plan.dumps()`)."""
    return json.dumps(plan, indent=2, sort_keys=False) + "\n"
