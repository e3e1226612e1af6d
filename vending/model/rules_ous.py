"""OU rules: names, depth, siblings, pinned ids, retirement, the quarantine OU (V2xx, V402)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from vending.errors import Diagnostic
from vending.model.codes import finding, quote
from vending.model.rules_values import ou_name_problem
from vending.model.types import ROOT, OuSpec, path_str

if TYPE_CHECKING:
    from vending.model.rules import Loaded

MAX_DEPTH = 5
"""CreateOrganizationalUnit: "For service control policies, the limit is five" levels under the root."""


def check(loaded: Loaded) -> list[Diagnostic]:
    ous = [loaded.org.ous[p] for p in sorted(loaded.org.ous)]
    found: list[Diagnostic] = []
    for ou in ous:
        found.extend(_names(loaded, ou))
        found.extend(_retired_parent(loaded, ou))
        found.extend(_controls(loaded, ou))
    found.extend(_siblings(loaded, ous))
    found.extend(_pinned_ids(loaded, ous))
    found.extend(_quarantine(loaded))
    return found


def _controls(loaded: Loaded, ou: OuSpec) -> list[Diagnostic]:
    if not ou.controls or loaded.settings is None or loaded.settings.account_factory == "control-tower":
        return []
    file = ou.source.file
    return [finding(
        "V206", file, loaded.line(file, "controls"), "controls",
        "Control Tower controls need account_factory: control-tower in vend.yaml",
        "set account_factory: control-tower (the organization needs a landing zone), or remove controls",
    )]


def _names(loaded: Loaded, ou: OuSpec) -> list[Diagnostic]:
    file, found = ou.source.file, []
    problem = ou_name_problem(ou.name)
    if problem:
        found.append(finding("V201", file, 1, "name", f"OU name {quote(ou.name)} (its folder) {problem}",
                             "rename the folder under ous/"))
    if ou.renamed_from is not None:
        problem = ou_name_problem(ou.renamed_from)
        if problem:
            found.append(finding("V201", file, loaded.line(file, "renamed_from"), "renamed_from",
                                 f"{quote(ou.renamed_from)} {problem}", "give the OU's current name in AWS"))
    if len(ou.path) > MAX_DEPTH:
        found.append(finding(
            "V202", file, 1, "name", f"OU {quote(path_str(ou.path))} is {len(ou.path)} levels deep",
            f"AWS allows at most {MAX_DEPTH} levels of OUs under the root: flatten the folders under ous/",
        ))
    return found


def _siblings(loaded: Loaded, ous: list[OuSpec]) -> list[Diagnostic]:
    """Names under one parent must differ ignoring case, counting the names OUs are renamed from.

    An OU's own renamed_from may equal its name in another case: that is a case-only rename.
    """
    claimed: dict[tuple[tuple[str, ...], str], tuple[OuSpec, str]] = {}
    found = []
    for ou in ous:
        claims = [("name", ou.name)] + ([("renamed_from", ou.renamed_from)] if ou.renamed_from else [])
        for field, name in claims:
            key = (ou.parent, name.lower())
            if key not in claimed:
                claimed[key] = (ou, field)
                continue
            other, other_field = claimed[key]
            if other is ou:
                continue
            other_name = other.name if other_field == "name" else other.renamed_from
            found.append(finding(
                "V203", ou.source.file, _line(loaded, ou, field), field,
                f"{quote(name)} clashes under {path_str(ou.parent)} with "
                f"{'OU' if other_field == 'name' else 'renamed_from'} {quote(other_name)} of "
                f"{other.source.file}:{_line(loaded, other, other_field)}",
                "OU names under one parent must differ ignoring case: rename one folder, or drop "
                "renamed_from once the rename is applied",
            ))
    return found


def _line(loaded: Loaded, ou: OuSpec, field: str) -> int:
    """The OU's name is its folder, which has no line: point at the file's start."""
    return 1 if field == "name" else loaded.line(ou.source.file, field)


def _pinned_ids(loaded: Loaded, ous: list[OuSpec]) -> list[Diagnostic]:
    first: dict[str, OuSpec] = {}
    found = []
    for ou in ous:
        if ou.pinned_id is None:
            continue
        if ou.pinned_id in first:
            other = first[ou.pinned_id]
            found.append(finding(
                "V204", ou.source.file, loaded.line(ou.source.file, "id"), "id",
                f"OU id {ou.pinned_id} is already pinned by {other.source.file}:{loaded.line(other.source.file, 'id')}",
                "an id names exactly one OU: remove or correct the id in one of the files",
            ))
        else:
            first[ou.pinned_id] = ou
    return found


def _retired_parent(loaded: Loaded, ou: OuSpec) -> list[Diagnostic]:
    if not ou.retired:
        return []
    depth = len(ou.path)
    live = [p for p, spec in sorted(loaded.org.ous.items()) if len(p) > depth and p[:depth] == ou.path and not spec.retired]
    if not live:
        return []
    return [finding(
        "V205", ou.source.file, loaded.line(ou.source.file, "retired"), "retired",
        f"OU {quote(path_str(ou.path))} is retired but these OUs below it are not: "
        + ", ".join(path_str(p) for p in live),
        "retire them too (retired: true), or move their folders elsewhere: AWS deletes only empty OUs",
    )]


def _quarantine(loaded: Loaded) -> list[Diagnostic]:
    """V402: suspended accounts are moved to quarantine_ou, so it must exist and stay."""
    settings = loaded.settings
    if settings is None or settings.quarantine_ou == ROOT:
        return []  # vend.yaml missing, or quarantine_ou absent/invalid: already reported
    path, file = settings.quarantine_ou, settings.source.file
    spec = loaded.org.ous.get(path)
    if spec is not None and not spec.retired:
        return []
    state = "is retired" if spec is not None else f"is not declared: there is no {loaded.ou_file(path)}"
    return [finding(
        "V402", file, loaded.line(file, "quarantine_ou"), "quarantine_ou",
        f"quarantine OU {quote(path_str(path))} {state}",
        f"create {loaded.ou_file(path)} (suspended accounts are moved there), or point "
        "quarantine_ou at an existing OU",
    )]
