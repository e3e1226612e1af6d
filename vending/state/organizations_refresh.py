"""Bring a snapshot's Organizations state up to date with targeted reads (issue 12).

`refresh` starts from the `LiveOrg` a snapshot kept and re-reads exactly what the change events
name (`vending.plan.event_map.Targets`), plus what every refresh reads because no event says
it: the root (its enabled policy types), the pending CreateAccount requests and the accounts in
the root (where created and invited accounts land). The result is the `LiveOrg` a full read
(`OrganizationsReader.read`) would give, with the same OU tag scope: tags of the roots and OUs
`ou_tags` selects, None for the others.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from botocore.exceptions import ClientError

from vending.aws.paging import pages
from vending.model.live import LiveAccount, LiveOrg, LiveOu, LivePolicy
from vending.model.types import POLICY_TYPES, OuPath
from vending.plan.event_map import Targets
from vending.state.organizations import OrganizationsReader, live_policy, read_tags

GONE = {"AccountNotFoundException", "OrganizationalUnitNotFoundException", "PolicyNotFoundException",
        "ParentNotFoundException", "TargetNotFoundException"}


class RefreshRefused(Exception):
    """The snapshot cannot be brought up to date by targeted reads; the message says why."""


def _gone(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in GONE


class OrganizationsRefresh:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.reader = OrganizationsReader(client, workers=1)

    def refresh(self, base: LiveOrg, found: Targets, ou_tags: Callable[[OuPath, str], bool],
                root: dict[str, Any]) -> LiveOrg:
        """`root` is ListRoots' root, as just read."""
        enabled = tuple(sorted(t["Type"] for t in root.get("PolicyTypes", [])
                               if t["Status"] == "ENABLED" and t["Type"] in POLICY_TYPES))
        if root["Id"] != base.root.id:
            raise RefreshRefused("the organization's root is not the snapshot's")
        retyped = set(found.retyped) | (set(enabled) ^ set(base.enabled_policy_types))
        pending = self.reader.pending()
        nodes: dict[str, LiveOu] = {base.root.id: base.root, **base.ous}
        accounts = dict(base.accounts)
        policies = dict(base.policies)
        fresh_tags = set(found.tags)
        attach = set(found.attachments) | (set(nodes) if retyped else set())
        recheck = set(found.accounts)

        for ou_id in sorted(found.ous):
            if ou_id not in nodes:
                continue
            try:
                ou = self.client.describe_organizational_unit(OrganizationalUnitId=ou_id)["OrganizationalUnit"]
                nodes[ou_id] = replace(nodes[ou_id], name=ou["Name"])
            except ClientError as exc:
                if not _gone(exc):
                    raise
                _drop(nodes, ou_id)
        for parent in sorted(found.children):
            if parent in nodes:
                self._children(parent, nodes, accounts, fresh_tags, attach)
        listed = set()
        for account in pages(self.client, "list_accounts_for_parent", "Accounts", ParentId=root["Id"]):
            listed.add(account["Id"])
            known = accounts.get(account["Id"])
            accounts[account["Id"]] = _account(account, root["Id"], known.tags if known else None)
            if known is None:
                fresh_tags.add(account["Id"])
        recheck |= {a.id for a in base.accounts.values() if a.parent_id == root["Id"] and a.id not in listed}
        for account_id in sorted(recheck - listed):
            self._account(account_id, accounts, fresh_tags)
        for account_id in sorted(fresh_tags & set(accounts)):
            accounts[account_id] = replace(accounts[account_id], tags=read_tags(self.client, account_id))
        unknown = sorted({a.parent_id for a in accounts.values()} - set(nodes))
        if unknown:
            raise RefreshRefused(f"an account is in {unknown[0]}, an OU the events did not introduce")
        policies = {i: p for i, p in policies.items() if p.type in enabled}
        self._policies(found, policies, enabled, retyped)
        for node_id in sorted(attach & set(nodes)):
            nodes[node_id] = replace(nodes[node_id], policies=self._attached(node_id, enabled))
        nodes = _with_paths(nodes, root["Id"])
        for node_id, node in list(nodes.items()):
            if not ou_tags(node.path, node_id):
                nodes[node_id] = replace(node, tags=None)
            elif node.tags is None or node_id in fresh_tags:
                nodes[node_id] = replace(node, tags=read_tags(self.client, node_id))
        known_policies = set(policies)
        nodes = {n: replace(o, policies={t: tuple(i for i in ids if i in known_policies)
                                         for t, ids in o.policies.items()}) for n, o in nodes.items()}
        live_root = nodes.pop(root["Id"])
        return replace(base, root=live_root, ous=nodes, accounts=accounts, policies=policies,
                       pending_creations=pending, enabled_policy_types=enabled)

    def _children(self, parent: str, nodes: dict[str, LiveOu], accounts: dict[str, LiveAccount],
                  fresh_tags: set[str], attach: set[str]) -> None:
        """List `parent`'s child OUs again: drop the vanished, read the new ones' subtrees."""
        listed = list(pages(self.client, "list_organizational_units_for_parent", "OrganizationalUnits",
                            ParentId=parent))
        for gone in [n for n, o in nodes.items() if o.parent_id == parent and n not in {o["Id"] for o in listed}]:
            _drop(nodes, gone)
        for ou in listed:
            if ou["Id"] in nodes:
                nodes[ou["Id"]] = replace(nodes[ou["Id"]], name=ou["Name"])
                continue
            nodes[ou["Id"]] = LiveOu(id=ou["Id"], name=ou["Name"], parent_id=parent, path=(), tags=None,
                                     policies={})
            fresh_tags.add(ou["Id"])
            attach.add(ou["Id"])
            for account in pages(self.client, "list_accounts_for_parent", "Accounts", ParentId=ou["Id"]):
                known = accounts.get(account["Id"])
                accounts[account["Id"]] = _account(account, ou["Id"], known.tags if known else None)
                if known is None:
                    fresh_tags.add(account["Id"])
            self._children(ou["Id"], nodes, accounts, fresh_tags, attach)

    def _account(self, account_id: str, accounts: dict[str, LiveAccount], fresh_tags: set[str]) -> None:
        try:
            account = self.client.describe_account(AccountId=account_id)["Account"]
            parents = self.client.list_parents(ChildId=account_id)["Parents"]
        except ClientError as exc:
            if not _gone(exc):
                raise
            accounts.pop(account_id, None)
            return
        accounts[account_id] = _account(account, parents[0]["Id"], None)
        fresh_tags.add(account_id)

    def _policies(self, found: Targets, policies: dict[str, LivePolicy], enabled: tuple[str, ...],
                  retyped: set[str]) -> None:
        ids = set(found.policies)
        for policy_type in sorted((found.policy_types | retyped) & set(enabled)):
            listed = {p["Id"] for p in pages(self.client, "list_policies", "Policies", Filter=policy_type)}
            ids |= listed - set(policies)
            ids |= {p.id for p in policies.values() if p.type == policy_type and p.id not in listed}
        for policy_id in sorted(ids):
            try:
                policy = self.client.describe_policy(PolicyId=policy_id)["Policy"]
            except ClientError as exc:
                if not _gone(exc):
                    raise
                policies.pop(policy_id, None)
                continue
            summary = policy["PolicySummary"]
            if summary["Type"] in enabled:  # else a type vend does not read
                policies[policy_id] = live_policy(summary, policy.get("Content", ""))

    def _attached(self, node_id: str, enabled: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        return {t: tuple(sorted(p["Id"] for p in pages(self.client, "list_policies_for_target", "Policies",
                                                        TargetId=node_id, Filter=t)))
                for t in enabled}


def _account(account: dict[str, Any], parent: str, tags: dict[str, str] | None) -> LiveAccount:
    return LiveAccount(id=account["Id"], name=account["Name"], email=account["Email"],
                       status=account.get("State") or account["Status"], parent_id=parent, tags=tags or {})


def _drop(nodes: dict[str, LiveOu], node_id: str) -> None:
    for child in [n for n, o in nodes.items() if o.parent_id == node_id]:
        _drop(nodes, child)
    nodes.pop(node_id, None)


def _with_paths(nodes: dict[str, LiveOu], root_id: str) -> dict[str, LiveOu]:
    """Every node's path from the names on the way down (a renamed OU renames its subtree)."""
    out: dict[str, LiveOu] = {}

    def path(node_id: str) -> OuPath:
        node = nodes[node_id]
        if node_id == root_id or node.parent_id is None:
            return ()
        return path(node.parent_id) + (node.name,)

    for node_id, node in nodes.items():
        out[node_id] = replace(node, path=path(node_id))
    return out
