"""A `Selection` as the repository's files: repo-relative path -> text. Pure.

Files are as small as the format allows: a key is written only when it differs from its
default (`full_aws_access: false`, `state: closed`), ids are always pinned, and every YAML
file starts with a comment saying it was imported, from which organization and when.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from vending.importer.select import Selection
from vending.importer.tags import factor
from vending.model import rules_policies
from vending.model.live import LiveOu
from vending.model.types import FULL_AWS_ACCESS, POLICY_FOLDERS, POLICY_TYPES, ROOT, SCP, OuPath, path_str


@dataclass(frozen=True)
class Settings:
    """The vend.yaml the import starts from (as parsed) and where its target's state is."""

    data: dict[str, Any]
    state_dir: str | None = None
    """kind local, in-process: the state folder as written in the new vend.yaml (relative to it)."""


@dataclass
class Imported:
    files: dict[str, str] = field(default_factory=dict)
    ous: int = 0
    accounts: int = 0
    policies: int = 0


def render(chosen: Selection, settings: Settings | None, now: datetime, policies_dir: str = "policies") -> Imported:
    """The files; vend.yaml only when `settings` is given (else the repository's is kept)."""
    live = chosen.live
    header = (f"# Imported by `vend import` from organization {live.org_id} on"
              f" {now.strftime('%Y-%m-%dT%H:%M:%SZ')}; edit freely from here on.\n")
    out = Imported()
    if settings is not None:
        out.files["vend.yaml"] = header + _dump(_vend_yaml(settings))
    nodes = [p for p in chosen.ous if p in chosen.full] + ([ROOT] if chosen.whole else [])
    tagged = [(a.ou, a.live.tags) for a in chosen.accounts]
    defaults, own = factor(nodes, tagged)
    names = {p.id: p.name for p in live.policies.values()}
    imported = {(live.policies[i].type, live.policies[i].name) for i in chosen.policies}
    for path, ou in chosen.ous.items():
        data = {**_node(chosen, ou, names, imported, defaults.get(path)), "id": ou.id}
        if chosen.controls.get(path):
            data["controls"] = list(chosen.controls[path])
        out.files[_ou_file(path)] = header + _dump(data)
    if chosen.whole:
        out.files[_ou_file(ROOT)] = header + _dump(_node(chosen, live.root, names, imported, defaults.get(ROOT)))
    for account, tags in zip(chosen.accounts, own):
        data: dict[str, Any] = {"name": account.live.name, "email": account.live.email,
                                "ou": path_str(account.ou), "owner": account.live.tags["owner"]}
        if tags:
            data["tags"] = tags
        data["id"] = account.live.id
        if account.state != "active":
            data["state"] = account.state
        out.files[f"accounts/{account.stem}.yaml"] = header + _dump(data)
    for policy_id in sorted(chosen.policies, key=lambda i: (live.policies[i].type, live.policies[i].name)):
        policy = live.policies[policy_id]
        document = json.dumps(json.loads(policy.content), indent=2, ensure_ascii=False) + "\n"
        rel = f"{policies_dir}/{POLICY_FOLDERS[policy.type]}/{policy.name}.json"
        out.files[rel] = document
        for problem in rules_policies.read(rel, policy.name, policy.type, document)[1]:
            chosen.warnings.append(f"{problem.format()}\n    (as AWS holds it; vend validate refuses it until it is fixed)")
    out.ous, out.accounts, out.policies = len(chosen.ous), len(chosen.accounts), len(chosen.policies)
    return out


def _node(chosen: Selection, ou: LiveOu, names: dict[str, str], imported: set[tuple[str, str]],
          defaults: dict[str, str] | None) -> dict[str, Any]:
    """An OU's (or the root's) own settings: tags, defaults and attachments, defaults left out."""
    data: dict[str, Any] = {}
    if ou.tags:
        data["tags"] = dict(sorted(ou.tags.items()))
    if defaults:
        data["default_account_tags"] = defaults
    for policy_type, key in zip(POLICY_TYPES, ("scps", "tag_policies")):
        attached = [names.get(i, i) for i in ou.policies.get(policy_type, ())]
        listed = sorted(n for n in attached if (policy_type, n) in imported)
        for name in sorted(set(attached) - set(listed) - {FULL_AWS_ACCESS}):
            if not name.startswith("aws-guardrails-"):
                chosen.warnings.append(f"{path_str(ou.path)}: {name} is attached but not imported; the plan detaches it")
        if listed:
            data[key] = listed
        if policy_type == SCP and FULL_AWS_ACCESS not in attached:
            data["full_aws_access"] = False
    return data


def _vend_yaml(settings: Settings) -> dict[str, Any]:
    data = dict(settings.data)
    if settings.state_dir is not None:
        data["target"] = {**data["target"], "state_dir": settings.state_dir}
    return data


def _ou_file(path: OuPath) -> str:
    return "/".join(("ous", *path, "ou.yaml"))


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000) if data else ""


def relative_state_dir(source_repo: str, state_dir: str, into: str) -> str:
    """The source's state folder as seen from the new repository."""
    return os.path.relpath(os.path.join(source_repo, state_dir), into)
