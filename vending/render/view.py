"""What a plan says, independent of how it looks: change order, counts, header facts, note groups.

Renderers read the plan's JSON dict (fresh from `Plan.to_json()` or loaded from a saved plan
file), so these helpers tolerate a hand-edited file with missing optional keys.
"""
from __future__ import annotations

import re
from typing import Any

from vending.render.fields import clean

NOTE_GROUPS = (
    ("warning", "Warnings:"),
    ("unmanaged", "Not managed by vend (left untouched):"),
    ("info", "Notes:"),
)
"""Note kinds in the order shown, with their headings; unknown kinds fall under "Notes:"."""

_HEX_PREFIX = re.compile(r"([0-9a-fA-F]{7})[0-9a-fA-F]*(.*)", re.DOTALL)


def ordered_changes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Changes to show, in apply order: the `order` generations, then any change not scheduled.

    No-op changes are left out: like Terraform, the plan only talks about what will happen.
    """
    by_address = {c["address"]: c for c in plan.get("changes", [])}
    seen: set[str] = set()
    result: list[dict[str, Any]] = []
    scheduled = [address for generation in plan.get("order", []) for address in generation]
    for address in scheduled + [c["address"] for c in plan.get("changes", [])]:
        if address in seen or address not in by_address:
            continue
        seen.add(address)
        if by_address[address].get("action") != "no-op":
            result.append(by_address[address])
    return result


def summary(plan: dict[str, Any]) -> dict[str, int]:
    """The plan's own counts; recomputed only when a hand-made file lacks them."""
    given = plan.get("summary")
    if isinstance(given, dict) and {"add", "change", "destroy"} <= set(given):
        return {k: int(given[k]) for k in ("add", "change", "destroy")}
    counts = {"add": 0, "change": 0, "destroy": 0}
    for change in plan.get("changes", []):
        action = change.get("action")
        if change.get("destructive"):
            counts["destroy"] += 1
        elif action == "create":
            counts["add"] += 1
        elif action in ("update", "move", "delete"):
            counts["change"] += 1
    return counts


def legend_key(change: dict[str, Any]) -> str:
    """The action as the legend names it: a delete that is not destructive is a "remove"."""
    action = str(change.get("action"))
    return "remove" if action == "delete" and not change.get("destructive") else action


def summary_sentence(plan: dict[str, Any]) -> str:
    counts = summary(plan)
    return f"{counts['add']} to add, {counts['change']} to change, {counts['destroy']} to destroy"


def has_changes(plan: dict[str, Any]) -> bool:
    return bool(ordered_changes(plan))


def destructive(plan: dict[str, Any]) -> list[str]:
    return [clean(c["address"]) for c in ordered_changes(plan) if c.get("destructive")]


def short_commit(commit: str | None) -> str:
    """`4623b90` from a full sha, keeping any suffix such as `-dirty`."""
    if not commit:
        return "(none)"
    match = _HEX_PREFIX.fullmatch(commit)
    return clean(match.group(1) + match.group(2)) if match else clean(commit)


def short_fingerprint(fingerprint: str | None) -> str:
    """First 12 characters of the digest (after any `sha256:` style prefix): enough to compare."""
    if not fingerprint:
        return "(none)"
    digest = fingerprint.split(":", 1)[-1]
    return clean(digest[:12])


def target_name(plan: dict[str, Any]) -> str:
    return clean(plan.get("target") or "(default)")


def note_groups(plan: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Notes grouped by kind under their heading, in plan order inside each group."""
    known = {kind for kind, _ in NOTE_GROUPS}
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    notes = plan.get("notes", [])
    for kind, heading in NOTE_GROUPS:
        members = [
            n for n in notes if n.get("kind") == kind or (kind == "info" and n.get("kind") not in known)
        ]
        if members:
            groups.append((heading, members))
    return groups


def refresh_line(plan: dict[str, Any]) -> str | None:
    """How the plan read the organization (`vend plan --refresh`), in one sentence; None when
    the plan does not say (plans computed by other commands, older plans)."""
    refresh = plan.get("refresh")
    if not isinstance(refresh, dict):
        return None
    age = refresh.get("snapshot_age_seconds")
    snapshot = f"snapshot {_age(age)} old" if isinstance(age, int) else ""
    if refresh.get("mode") == "events":
        line = (f"events: {refresh.get('events', 0)} change event(s) since {refresh.get('events_since')}"
                f" ({snapshot}, {refresh.get('event_requests', 0)} LookupEvents request(s))")
        late = refresh.get("not_reflected_after")
        if late:
            line += f"; changes made after {late} may not be reflected yet (CloudTrail delivers events late)"
        return clean(line)
    reason = refresh.get("reason") or "no reason given"
    return clean(f"full read ({reason})" + (f"; {snapshot}" if snapshot and "old" not in reason else ""))


def _age(seconds: int) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 7200:
        return f"{seconds // 3600} hours"
    if seconds >= 120:
        return f"{seconds // 60} minutes"
    return f"{max(seconds, 0)} seconds"
