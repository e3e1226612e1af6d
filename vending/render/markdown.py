"""Markdown rendering of a plan for a pull-request comment.

A reviewer sees the summary and a table first, and opens a `<details>` block only for the change
they care about. GitHub rejects comments over 65,536 characters, so a huge plan keeps its summary,
as much of the table and notes as fits, and says how much was left for the JSON artifact.
"""
from __future__ import annotations

import html
import re
from typing import Any

from vending.render import origin, view
from vending.render.fields import FieldLine, clean, describe, field_lines, plural

GITHUB_COMMENT_LIMIT = 65_536
_RESERVE = 1_024
"""Room kept for the "omitted" messages, so the comment stays under the limit once they are added."""
_MAX_LISTED_DESTRUCTIVE = 10
_TEXT_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
_SEE_JSON = "see the JSON plan artifact (`vend plan --out plan.json`) for the full plan"
_TABLE_HEAD = "| Action | Address | Reason |\n| --- | --- | --- |\n"
_MAX_LISTED_FILES = 20


def render_markdown(plan: dict[str, Any], *, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The plan as a Markdown comment no longer than `limit` characters (GitHub's by default)."""
    head = _head(plan) + _base_head(plan)
    grouped = origin.groups(plan, view.ordered_changes(plan))
    split = origin.base(plan) is not None
    changes = [c for _, members in grouped for c in members]
    rows = _group_rows(plan, grouped) if split else [_row(c) for c in changes]
    details = [_details(c) for c in changes]
    notes = _note_blocks(plan)

    budget = limit - len(head) - _RESERVE
    notes_share = min(sum(map(len, notes)), max(budget, 0) // 3)
    n_rows = _fit(rows, budget - notes_share)
    budget -= sum(map(len, rows[:n_rows]))
    n_notes = _fit(notes, budget)
    budget -= sum(map(len, notes[:n_notes]))
    n_details = _fit(details, budget)

    parts = [head]
    if rows:
        parts += [] if split else [_TABLE_HEAD]
        parts += rows[:n_rows]
        if n_rows < len(rows):
            parts.append(f"\n_{plural(len(rows) - n_rows, 'more change')} not listed; {_SEE_JSON}._\n")
        parts.append("\n")
    parts += details[:n_details]
    if n_details < len(details):
        omitted = len(details) - n_details
        parts.append(
            f"_Details of {omitted} of {len(details)} changes omitted to stay under GitHub's "
            f"{limit:,}-character comment limit; {_SEE_JSON}._\n\n"
        )
    parts += notes[:n_notes]
    if n_notes < len(notes):
        parts.append(f"\n_{plural(len(notes) - n_notes, 'more note')} omitted; {_SEE_JSON}._\n\n")
    return "".join(parts).rstrip("\n") + "\n"


def _fit(blocks: list[str], budget: int) -> int:
    """How many leading blocks fit in `budget` characters (a prefix keeps the plan's order)."""
    used = 0
    for index, block in enumerate(blocks):
        used += len(block)
        if used > budget:
            return index
    return len(blocks)


def _head(plan: dict[str, Any]) -> str:
    facts = (
        f"Target {_code(view.target_name(plan))}, git commit "
        f"{_code(view.short_commit(plan.get('git_commit')))}, state fingerprint "
        f"{_code(view.short_fingerprint(plan.get('fingerprint')))}."
    )
    refresh = view.refresh_line(plan)
    if refresh:
        facts += f" Refresh: {_escape(refresh)}."
    if not view.has_changes(plan):
        return f"### vend plan: no changes\n\n{facts}\n\nYour organization matches the repository.\n\n"
    text = f"### vend plan: {view.summary_sentence(plan)}\n\n{facts}\n\n"
    danger = view.destructive(plan)
    if danger:
        listed = ", ".join(_code(a) for a in danger[:_MAX_LISTED_DESTRUCTIVE])
        if len(danger) > _MAX_LISTED_DESTRUCTIVE:
            listed += f" and {len(danger) - _MAX_LISTED_DESTRUCTIVE} more"
        text += (
            f"> [!CAUTION]\n> {plural(len(danger), 'destructive change')}: {listed}. "
            f"`vend apply` refuses {'it' if len(danger) == 1 else 'them'} without `--allow-destroy`.\n\n"
        )
    return text


def _base_head(plan: dict[str, Any]) -> str:
    """Which base the split is against, the files changed since, and what the split may miss."""
    if origin.base(plan) is None:
        return ""
    files = origin.changed_files(plan)
    listed = ", ".join(_code(f) for f in files[:_MAX_LISTED_FILES])
    if len(files) > _MAX_LISTED_FILES:
        listed += f" and {len(files) - _MAX_LISTED_FILES} more"
    text = f"Base {_escape(origin.base_line(plan))}" + (f": {listed}.\n\n" if files else ".\n\n")
    for fact in origin.facts(plan):
        text += f"> [!NOTE]\n> {_escape(fact)}\n\n"
    taken_back = origin.withdrawn(plan)
    if taken_back:
        listed = ", ".join(_code(a) for a in taken_back[:_MAX_LISTED_DESTRUCTIVE])
        if len(taken_back) > _MAX_LISTED_DESTRUCTIVE:
            listed += f" and {len(taken_back) - _MAX_LISTED_DESTRUCTIVE} more"
        text += (f"This pull request takes back {plural(len(taken_back), 'change')} pending on"
                 f" {_code(origin.ref(plan))}: {listed}.\n\n")
    return text


def _group_rows(plan: dict[str, Any], grouped: list[tuple[str | None, list[dict[str, Any]]]]) -> list[str]:
    """Table rows, the first of each group carrying the group's heading and the table head, so a
    cut keeps every heading it shows above its rows."""
    rows: list[str] = []
    for kind, members in grouped:
        for index, change in enumerate(members):
            row = _row(change)
            if index == 0:
                lead = "" if not rows else "\n"
                row = f"{lead}#### {_escape(origin.heading(plan, str(kind), members))}\n\n{_TABLE_HEAD}{row}"
            rows.append(row)
    return rows


def _row(change: dict[str, Any]) -> str:
    action = _escape(str(change.get("action")))
    if change.get("destructive"):
        action = f"**{action}** (destructive)"
    return f"| {action} | {_code(clean(change['address']))} | {_escape(change.get('reason') or '')} |\n"


def _details(change: dict[str, Any]) -> str:
    address = html.escape(clean(change["address"]))
    summary = f"<code>{address}</code> {html.escape(describe(change))}"
    meta = []
    if change.get("source"):
        meta.append(f"Source: {_code(clean(change['source']))}")
    if change.get("destructive"):
        meta.append("**Destructive.**")
    fields, hidden = field_lines(change)
    body = _diff_lines(fields, 0)
    if hidden:
        body.append(f"  # ({plural(hidden, 'unchanged field')} hidden)")
    block = f"<details>\n<summary>{summary}</summary>\n\n"
    if meta:
        block += " ".join(meta) + "\n\n"
    if body:
        block += _fenced("\n".join(body), "diff")
    return block + "</details>\n\n"


def _diff_lines(fields: list[FieldLine], depth: int) -> list[str]:
    """Lines for a ```diff block: the first column is always `+`, `-` or space, so GitHub colors
    them; a changed value becomes a `-` line and a `+` line."""
    pad = "  " * depth
    lines: list[str] = []
    for field in fields:
        op = field.op if field.op in "+-" else " "
        if field.shape == "map":
            lines.append(f"{op} {pad}{field.name}:")
            lines += _diff_lines(list(field.children), depth + 1)
            if field.hidden:
                lines.append(f"  {pad}  # ({field.hidden})")
        elif field.shape == "doc":
            lines.append(f"{op} {pad}{field.name}:")
            for doc in field.doc:
                if doc.op == "@":
                    lines.append(doc.text)
                else:
                    lines.append(f"{doc.op} {pad}  {doc.text}".rstrip())
        elif field.op == "~":
            lines.append(f"- {pad}{field.name}: {field.before}")
            lines.append(f"+ {pad}{field.name}: {field.after}")
        else:
            lines.append(f"{op} {pad}{field.name}: {field.before if field.op == '-' else field.after}")
    return lines


def _note_blocks(plan: dict[str, Any]) -> list[str]:
    """One block per note; the first of each group carries the group's heading."""
    blocks: list[str] = []
    for heading, notes in view.note_groups(plan):
        for index, note in enumerate(notes):
            address = clean(note.get("address") or "")
            line = f"- {_code(address)}: " if address else "- "
            line += _escape(note.get("message", "")) + "\n"
            if index == 0:
                line = f"#### {heading.rstrip(':')}\n\n{line}"
            if index == len(notes) - 1:
                line += "\n"
            blocks.append(line)
    return blocks


def _escape(text: str) -> str:
    """Plain text for a table cell or list item: no markup, no HTML, no line breaks."""
    return _TEXT_SPECIAL.sub(r"\\\1", clean(" ".join(str(text).split())))


def _code(text: str) -> str:
    """An inline code span that survives backticks in the text."""
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    return f"{fence} {text} {fence}" if run else f"{fence}{text}{fence}"


def _fenced(body: str, lang: str) -> str:
    run = max((len(m) for m in re.findall(r"`{3,}", body)), default=2)
    fence = "`" * max(3, run + 1)
    return f"{fence}{lang}\n{body}\n{fence}\n\n"
