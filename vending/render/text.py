"""Terraform-style text rendering of a plan, for terminals and CI logs.

Users already read `terraform plan`; the same symbols, headings and `Plan: N to add` line let them
review an organization change without learning a new format.
"""
from __future__ import annotations

from typing import Any

from vending.render import origin, view
from vending.render.fields import FieldLine, clean, describe, field_lines, plural

SYMBOLS = {"create": "+", "update": "~", "move": "->", "delete": "-", "remove": "-", "replace": "-/+"}
LEGEND = {
    "create": "create",
    "update": "update in-place",
    "move": "move",
    "delete": "destroy",
    "remove": "detach or disable (a change, not a destroy)",
    "replace": "destroy and then create replacement",
}
NO_CHANGES = "No changes. Your organization matches the repository."

_ANSI = {
    "+": "32",
    "~": "33",
    "->": "36",
    "-": "31",
    "-/+": "35",
    "@": "36",
    "heading": "1",
    "danger": "1;31",
}


class _Painter:
    """Wraps text in ANSI codes when color is on; plain codes need no terminal library."""

    def __init__(self, color: bool):
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        code = _ANSI.get(style)
        if not self.color or not code or not text:
            return text
        return f"\x1b[{code}m{text}\x1b[0m"


def render_text(plan: dict[str, Any], *, color: bool = False) -> str:
    """The plan as Terraform-style text ending in one newline; colorless unless `color`."""
    paint = _Painter(color)
    out: list[str] = _header(plan)
    changes = view.ordered_changes(plan)
    if changes:
        out += _legend(changes, paint)
        out += ["vend will perform the following actions:", ""]
        for group, members in origin.groups(plan, changes):
            if group:
                out += [paint(origin.heading(plan, group, members) + ":", "heading"), ""]
            for change in members:
                out += _change_block(change, paint)
                out.append("")
    out += _withdrawn(plan)
    out += _notes(plan)
    danger = view.destructive(plan)
    if danger:
        out.append(paint(f"{plural(len(danger), 'destructive change')} (apply needs --allow-destroy):", "danger"))
        out += [f"  - {address}" for address in danger]
        out.append("")
    if changes:
        out.append(paint(f"Plan: {view.summary_sentence(plan)}.", "heading"))
    else:
        out.append(paint(NO_CHANGES, "heading"))
    return "\n".join(out) + "\n"


def _header(plan: dict[str, Any]) -> list[str]:
    lines = [
        "vend plan",
        f"  target:      {view.target_name(plan)}",
        f"  git commit:  {view.short_commit(plan.get('git_commit'))}",
        f"  fingerprint: {view.short_fingerprint(plan.get('fingerprint'))}",
    ]
    refresh = view.refresh_line(plan)
    if refresh:
        lines.append(f"  refresh:     {refresh}")
    if origin.base(plan) is not None:
        lines.append(f"  base:        {origin.base_line(plan)}")
        lines += [f"                 {name}" for name in origin.changed_files(plan)]
        lines += ["", *origin.facts(plan)] if origin.facts(plan) else []
    return lines + [""]


def _withdrawn(plan: dict[str, Any]) -> list[str]:
    taken_back = origin.withdrawn(plan)
    if not taken_back:
        return []
    return [f"This pull request takes back changes pending on {origin.ref(plan)} (they are in its plan, not in this one):",
            *[f"  - {address}" for address in taken_back], ""]


def _legend(changes: list[dict[str, Any]], paint: _Painter) -> list[str]:
    used = {view.legend_key(c) for c in changes}
    lines = ["Actions are shown with the following symbols:"]
    for action, symbol in SYMBOLS.items():
        if action in used:
            lines.append(f"{paint(symbol.rjust(3), symbol)} {LEGEND[action]}")
    return lines + [""]


def _notes(plan: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for heading, notes in view.note_groups(plan):
        lines.append(heading)
        for note in notes:
            address = clean(note.get("address") or "")
            message = clean(note.get("message", ""))
            lines.append(f"  - {address}: {message}" if address else f"  - {message}")
        lines.append("")
    return lines


def _change_block(change: dict[str, Any], paint: _Painter) -> list[str]:
    action = str(change.get("action"))
    symbol = SYMBOLS.get(action, "?")
    address = clean(change["address"])
    lines = [paint(f"  # {address} {describe(change)}", "heading")]
    if change.get("reason"):
        lines.append(f"  #   reason: {clean(change['reason'])}")
    if change.get("source"):
        lines.append(f"  #   source: {clean(change['source'])}")
    if change.get("destructive"):
        lines.append(paint("  #   !! DESTRUCTIVE: apply refuses this change without --allow-destroy", "danger"))
    lines.append(f"{paint(symbol.rjust(3), symbol)} {address}")
    fields, hidden = field_lines(change)
    lines += _fields(fields, 6, paint)
    if hidden:
        lines.append(f"        # ({plural(hidden, 'unchanged field')} hidden)")
    return lines


def _fields(fields: list[FieldLine], indent: int, paint: _Painter) -> list[str]:
    """`op name: before -> after` lines, names padded so the values line up, as Terraform does."""
    pad = " " * indent
    width = max((len(f.name) for f in fields if f.shape == "scalar"), default=0)
    lines: list[str] = []
    for field in fields:
        op = paint(field.op, field.op)
        if field.shape == "map":
            lines.append(f"{pad}{op} {field.name}:".rstrip())
            lines += _fields(list(field.children), indent + 4, paint)
            if field.hidden:
                lines.append(f"{pad}    # ({field.hidden})")
        elif field.shape == "doc":
            lines.append(f"{pad}{op} {field.name}:")
            for doc in field.doc:
                if doc.op == "@":
                    lines.append(f"{pad}    {paint(doc.text, '@')}")
                else:
                    lines.append(f"{pad}    {paint(doc.op, doc.op)} {doc.text}".rstrip())
        else:
            label = f"{field.name}:".ljust(width + 1)
            lines.append(f"{pad}{op} {label} {_value(field)}")
    return lines


def _value(field: FieldLine) -> str:
    if field.op == "~":
        return f"{field.before} -> {field.after}"
    if field.op == "-":
        return str(field.before)
    return str(field.after)
