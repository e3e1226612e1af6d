"""Renderers: text, Markdown and JSON, all from the plan's JSON dict (`Plan.to_json()` or a saved
plan file), so a saved plan shows exactly as it did when it was made.

Every renderer returns a string ending in exactly one newline; only `vending.cli` writes it out
(write it as is, e.g. `click.echo(text, nl=False)`, to avoid a blank last line).
"""
from __future__ import annotations

from typing import Any

from vending.render.json_render import render_json
from vending.render.markdown import render_markdown
from vending.render.text import render_text

FORMATS = ("text", "markdown", "json")


def render(plan: dict[str, Any], fmt: str, *, color: bool = False) -> str:
    """Render `plan` as `fmt` (text | markdown | json); `color` only affects text."""
    if fmt == "text":
        return render_text(plan, color=color)
    if fmt == "markdown":
        return render_markdown(plan)
    if fmt == "json":
        return render_json(plan)
    raise ValueError(f"unknown plan format {fmt!r}; choose one of: {', '.join(FORMATS)}")


__all__ = ["FORMATS", "render", "render_json", "render_markdown", "render_text"]
