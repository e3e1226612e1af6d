"""Read the live organization: a walk that costs O(OUs + accounts + policies) requests.

The tree is walked top-down with ListOrganizationalUnitsForParent and ListAccountsForParent
(never ListParents per account, which is what throttles other tools at a few hundred accounts).
Pages are at most 20 items, as AWS serves them. Tags need one ListTagsForResource per account
(AWS has no batch call), so those run on a small thread pool.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from vending.aws.paging import PAGE_SIZE, pages
from vending.model.live import LiveAccount, LiveOrg, LiveOu, LivePolicy, PendingCreation
from vending.model.policy_json import canonical
from vending.model.types import POLICY_TYPES, OuPath

def delegated_admins(organizations: Any, service_principal: str) -> set[str]:
    """Ids of the accounts registered as delegated administrators of `service_principal`
    (ListDelegatedAdministrators, paged by 20)."""
    return {a["Id"] for a in pages(organizations, "list_delegated_administrators", "DelegatedAdministrators",
                                   ServicePrincipal=service_principal)}


def read_tags(client: Any, resource_id: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for tag in pages(client, "list_tags_for_resource", "Tags", ResourceId=resource_id):
        tags[tag["Key"]] = tag["Value"]
    return tags


class OrganizationsReader:
    """Builds a `LiveOrg` from one management-account Organizations client."""

    def __init__(self, client: Any, *, workers: int = 4) -> None:
        self.client = client
        self.workers = max(1, workers)

    def read(self, ou_tags: Callable[[OuPath, str], bool] = lambda path, node_id: True) -> LiveOrg:
        """The live organization; `ou_tags(path, id)` says which roots/OUs to read tags of
        (the others get tags None: a plan reads only the tags it manages)."""
        root = self.client.list_roots()["Roots"][0]
        # arn:aws:organizations::<management account>:root/<org id>/<root id> names both, so
        # DescribeOrganization is not needed.
        management_account_id = root["Arn"].split(":")[4]
        org_id = root["Arn"].split("/")[1]
        enabled = tuple(
            sorted(
                t["Type"]
                for t in root.get("PolicyTypes", [])
                if t["Status"] == "ENABLED" and t["Type"] in POLICY_TYPES
            )
        )
        # Pending creations first: one that completes during the walk then shows up as an
        # account, or as pending, never as neither (which would make the plan create it again).
        pending = self.pending()
        nodes, accounts = self._walk(root["Id"])
        policies = self._policies(enabled)
        tagged = {n: info for n, info in nodes.items() if ou_tags(info[2], n)}
        node_tags, account_tags = self._tags(tagged, accounts)
        attached = self._attachments(nodes, enabled, policies, len(accounts))
        live_nodes = {
            node_id: LiveOu(
                id=node_id,
                name=name,
                parent_id=parent,
                path=path,
                tags=node_tags.get(node_id),
                policies=attached[node_id],
            )
            for node_id, (name, parent, path) in nodes.items()
        }
        live_root = live_nodes.pop(root["Id"])
        return LiveOrg(
            org_id=org_id,
            management_account_id=management_account_id,
            root=live_root,
            enabled_policy_types=enabled,
            ous=live_nodes,
            accounts={
                a["Id"]: LiveAccount(
                    id=a["Id"],
                    name=a["Name"],
                    email=a["Email"],
                    status=a.get("State") or a["Status"],
                    parent_id=parent,
                    tags=account_tags[a["Id"]],
                )
                for a, parent in accounts
            },
            policies=policies,
            pending_creations=pending,
        )

    def _walk(self, root_id: str) -> tuple[dict[str, tuple[str, str | None, OuPath]], list]:
        """Breadth-first over the OU tree: nodes (id -> name, parent, path) and (account, parent)."""
        nodes: dict[str, tuple[str, str | None, OuPath]] = {root_id: ("Root", None, ())}
        accounts: list[tuple[dict, str]] = []
        frontier = [root_id]
        while frontier:
            next_frontier = []
            for parent in frontier:
                parent_path = nodes[parent][2]
                for ou in pages(
                    self.client, "list_organizational_units_for_parent", "OrganizationalUnits",
                    ParentId=parent,
                ):
                    nodes[ou["Id"]] = (ou["Name"], parent, parent_path + (ou["Name"],))
                    next_frontier.append(ou["Id"])
                for account in pages(
                    self.client, "list_accounts_for_parent", "Accounts", ParentId=parent
                ):
                    accounts.append((account, parent))
            frontier = next_frontier
        return nodes, accounts

    def _policies(self, enabled: tuple[str, ...]) -> dict[str, LivePolicy]:
        summaries = [
            summary
            for policy_type in enabled
            for summary in pages(self.client, "list_policies", "Policies", Filter=policy_type)
        ]

        def describe(summary: dict) -> LivePolicy:
            # vend never compares AWS-managed documents, so it does not fetch them.
            content = ""
            if not summary.get("AwsManaged"):
                content = self.client.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"]
            return live_policy(summary, content)

        with ThreadPoolExecutor(self.workers) as pool:
            return {p.id: p for p in pool.map(describe, summaries)}

    def _tags(
        self, nodes: dict, accounts: list[tuple[dict, str]]
    ) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
        ids = list(nodes) + [a["Id"] for a, _ in accounts]
        with ThreadPoolExecutor(self.workers) as pool:
            tags = dict(zip(ids, pool.map(lambda rid: read_tags(self.client, rid), ids)))
        return {n: tags[n] for n in nodes}, {a["Id"]: tags[a["Id"]] for a, _ in accounts}

    def _attachments(
        self, nodes: dict, enabled: tuple[str, ...], policies: dict[str, LivePolicy], accounts: int
    ) -> dict[str, dict[str, tuple[str, ...]]]:
        """Attached policy ids per root/OU and type, read the cheaper of two ways per type.

        Per target costs one ListPoliciesForTarget per root and OU. Per policy costs one
        ListTargetsForPolicy page per customer policy (usually attached to a few OUs) plus, for
        AWS-managed FullAWSAccess, which sits on every root, OU and account, a page per 20 of
        those. Small organizations with many OUs read by policy; large ones by target.
        """
        attached: dict[str, dict[str, list[str]]] = {n: {t: [] for t in enabled} for n in nodes}
        for policy_type in enabled:
            typed = [p for p in policies.values() if p.type == policy_type]
            everywhere = -(-(len(nodes) + accounts) // PAGE_SIZE)
            by_policy = sum(everywhere if p.aws_managed else 1 for p in typed)
            if by_policy < len(nodes):
                self._attachments_by_policy(typed, attached)
            else:
                self._attachments_by_target(policy_type, attached)
        return {
            node: {t: tuple(sorted(ids)) for t, ids in by_type.items()}
            for node, by_type in attached.items()
        }

    def _attachments_by_policy(self, typed: list[LivePolicy], attached: dict) -> None:
        def targets(policy: LivePolicy) -> list[str]:
            listed = pages(self.client, "list_targets_for_policy", "Targets", PolicyId=policy.id)
            return [t["TargetId"] for t in listed]

        with ThreadPoolExecutor(self.workers) as pool:
            for policy, target_ids in zip(typed, pool.map(targets, typed)):
                for target_id in target_ids:
                    if target_id in attached:  # accounts' own attachments are not managed
                        attached[target_id][policy.type].append(policy.id)

    def _attachments_by_target(self, policy_type: str, attached: dict) -> None:
        def listed(node_id: str) -> list[str]:
            return [
                p["Id"]
                for p in pages(
                    self.client, "list_policies_for_target", "Policies",
                    TargetId=node_id, Filter=policy_type,
                )
            ]

        with ThreadPoolExecutor(self.workers) as pool:
            for node_id, ids in zip(attached, pool.map(listed, list(attached))):
                attached[node_id][policy_type].extend(ids)

    def pending(self) -> tuple[PendingCreation, ...]:
        statuses = pages(
            self.client, "list_create_account_status", "CreateAccountStatuses",
            States=["IN_PROGRESS"],
        )
        return tuple(
            sorted(
                (PendingCreation(request_id=s["Id"], account_name=s["AccountName"]) for s in statuses),
                key=lambda p: p.request_id,
            )
        )


def live_policy(summary: dict, content: str) -> LivePolicy:
    """A policy as the plan compares it: the document canonical, none for AWS-managed ones."""
    managed = bool(summary.get("AwsManaged"))
    return LivePolicy(id=summary["Id"], name=summary["Name"], type=summary["Type"],
                      content="" if managed else _canonical_or_raw(content), aws_managed=managed,
                      description=summary.get("Description", ""))


def _canonical_or_raw(content: str) -> str:
    """Canonical JSON; a live policy AWS accepted is JSON, but never crash the read over it."""
    try:
        return canonical(content)
    except ValueError:
        return content
