"""What `vend plan --base` adds to a rendered plan: the base it compared with, the files changed
since, and the changes grouped as this pull request's or the base's (vending.plan.origin).

A plan without a `base` (a plain `vend plan`, or an older plan file) renders as before."""
from __future__ import annotations

from typing import Any

from vending.render import view
from vending.render.fields import clean, plural

GROUPS = ("pr", "base")


def base(plan: dict[str, Any]) -> dict[str, Any] | None:
    found = plan.get("base")
    return found if isinstance(found, dict) else None


def ref(plan: dict[str, Any]) -> str:
    return clean(str((base(plan) or {}).get("ref", "the base")))


def groups(plan: dict[str, Any], changes: list[dict[str, Any]]) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """The changes in apply order, as one group (no base) or as the pull request's then the
    base's; empty groups are left out. A change without an origin counts as the pull request's."""
    if base(plan) is None:
        return [(None, changes)] if changes else []
    split = {kind: [c for c in changes if (c.get("origin") == "base") == (kind == "base")] for kind in GROUPS}
    return [(kind, split[kind]) for kind in GROUPS if split[kind]]


def heading(plan: dict[str, Any], kind: str, changes: list[dict[str, Any]]) -> str:
    name, counts = ref(plan), view.summary_sentence({"changes": changes})
    if kind == "pr":
        return f"This pull request (the files changed since {name}): {counts}"
    return f"Already pending on {name}, or drift ({name}'s own files ask for these too): {counts}"


def facts(plan: dict[str, Any]) -> list[str]:
    """Sentences about the comparison, for the header: what the split may get wrong, and why."""
    found = base(plan)
    if found is None:
        return []
    name, out = ref(plan), []
    if found.get("problem"):
        out.append(f"{clean(str(found['problem']))}; every change is shown as this pull request's.")
    merge_base, commit = found.get("merge_base"), found.get("commit")
    if merge_base is None:
        out.append(f"This clone does not have the commit this branch forked from {name} at: the changed"
                   f" files are those that differ from {name}.")
    elif merge_base != commit:
        out.append(f"This branch does not contain {name}'s latest commits (it forked at"
                   f" {view.short_commit(merge_base)}): what {name} changed since shows as this pull"
                   f" request's; merge or rebase {name} for an exact split.")
    shown = view.ordered_changes(plan)
    if shown and not found.get("problem") and all(c.get("origin") == "base" for c in shown):
        out.append(f"The files this pull request changes ask for nothing new: every change below is"
                   f" pending on {name}, or drift.")
    return out


def withdrawn(plan: dict[str, Any]) -> list[str]:
    """Addresses pending on the base that this plan no longer has."""
    return [clean(str(a)) for a in (base(plan) or {}).get("withdrawn", [])]


def changed_files(plan: dict[str, Any]) -> list[str]:
    return [clean(str(f)) for f in (base(plan) or {}).get("changed_files", [])]


def base_line(plan: dict[str, Any]) -> str:
    """`origin/main (4623b90), 2 files changed since`."""
    found = base(plan) or {}
    files = changed_files(plan)
    return (f"{ref(plan)} ({view.short_commit(found.get('commit'))}),"
            f" {plural(len(files), 'file')} changed since")
