"""Synthetic organizations for the benchmarks: one description, three renderings.

`generate(accounts, ous)` describes an organization (`SynOrg`) in plain Python. From it:

* `write_repo(org, path)` writes the vend repository (vend.yaml, ous/, accounts/, policies/);
* `live_org(org)` builds the matching `LiveOrg` with made-up ids, for pure compute benchmarks;
* `seed_local(org, repo, local)` builds the same organization in the embedded local AWS.

The repository and the LiveOrg come from the description alone; in the local AWS, vend's own
apply builds the OU tree and policies from the repository and the accounts come from the
description. Either way a plan of the repository must be empty; the benchmarks assert it.

Shape: the landing zone's accounts (Management in the root, Log Archive and Audit in Security),
a Security OU, a Suspended quarantine OU (FullAWSAccess replaced by a deny-all SCP) and a tree
of Division / Team / App OUs at most 3 levels deep, filled breadth-first to the requested OU
count. Members are spread round-robin over the generated OUs; about 1% of them are
`state: suspended` (so they sit in Suspended). Each account ends up with 4-6 effective tags.
Policies: three SCPs (deny-leave-organization on the root, deny-unapproved-regions on every
Division, quarantine-deny-all on Suspended) and one tag policy (cost-center, on the root).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vending.local.bootstrap import (
    AUDIT_ACCOUNT_EMAIL,
    AUDIT_ACCOUNT_NAME,
    LOG_ARCHIVE_ACCOUNT_EMAIL,
    LOG_ARCHIVE_ACCOUNT_NAME,
    MANAGEMENT_ACCOUNT_EMAIL,
    MANAGEMENT_ACCOUNT_NAME,
    SECURITY_OU_NAME,
)
from vending.local.framework import MANAGEMENT_ACCOUNT_ID
from vending.model.live import LiveAccount, LiveOrg, LiveOu, LivePolicy
from vending.model.policy_json import canonical
from vending.model.types import FULL_AWS_ACCESS, POLICY_FOLDERS, SCP, TAG_POLICY, OuPath

QUARANTINE = "Suspended"
REQUIRED_TAGS = ("owner", "cost-center", "environment")
COST_CENTERS = ("platform", "payments", "analytics", "research", "security")
ENVIRONMENTS = ("production", "staging", "development", "test")
LEVEL_NAMES = ("Division", "Team", "App")
"""OU names per level: Division03/Team01/App02."""

POLICIES: dict[tuple[str, str], dict[str, Any]] = {
    (SCP, "deny-leave-organization"): {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "DenyLeave", "Effect": "Deny",
                       "Action": "organizations:LeaveOrganization", "Resource": "*"}],
    },
    (SCP, "deny-unapproved-regions"): {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyOutsideGovernedRegions", "Effect": "Deny",
            "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "route53:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
        }],
    },
    (SCP, "quarantine-deny-all"): {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyAllExceptQuarantineAdmin", "Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/vend-quarantine-admin"}},
        }],
    },
    (TAG_POLICY, "cost-center"): {
        "tags": {"cost-center": {
            "tag_key": {"@@assign": "cost-center"},
            "tag_value": {"@@assign": list(COST_CENTERS)},
        }},
    },
}


@dataclass(frozen=True)
class SynOu:
    path: OuPath
    tags: dict[str, str] = field(default_factory=dict)
    default_account_tags: dict[str, str] = field(default_factory=dict)
    scps: tuple[str, ...] = ()
    tag_policies: tuple[str, ...] = ()
    full_aws_access: bool = True

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else "Root"

    def attached(self, policy_type: str) -> tuple[str, ...]:
        if policy_type == SCP:
            return ((FULL_AWS_ACCESS,) if self.full_aws_access else ()) + self.scps
        return self.tag_policies


@dataclass(frozen=True)
class SynAccount:
    name: str
    email: str
    ou: OuPath
    owner: str
    tags: dict[str, str]
    state: str = "active"
    landing_zone: bool = False
    """One of the accounts the local AWS bootstraps (it exists before seeding)."""

    @property
    def stem(self) -> str:
        return self.name.lower().replace(" ", "-")


@dataclass(frozen=True)
class SynOrg:
    root: SynOu
    ous: dict[OuPath, SynOu]
    accounts: list[SynAccount]

    def ou(self, path: OuPath) -> SynOu:
        return self.root if path == () else self.ous[path]

    def effective_tags(self, account: SynAccount) -> dict[str, str]:
        """OU defaults from the root down, then owner, then the account's own tags."""
        tags: dict[str, str] = {}
        for depth in range(len(account.ou) + 1):
            tags.update(self.ou(account.ou[:depth]).default_account_tags)
        tags["owner"] = account.owner
        tags.update(account.tags)
        return tags

    def placement(self, account: SynAccount) -> OuPath:
        return (QUARANTINE,) if account.state == "suspended" else account.ou


# ---------------------------------------------------------------- generation


def _branching(count: int) -> int:
    """The smallest fan-out b with b + b^2 + b^3 >= count (a tree of at most 3 levels)."""
    b = 1
    while b + b * b + b * b * b < count:
        b += 1
    return b


def generate(accounts: int, ous: int) -> SynOrg:
    """An organization of `accounts` accounts (landing zone included) in `ous` OUs (>= 3)."""
    if ous < 3:
        raise ValueError("at least 3 OUs: Security, Suspended and one generated OU")
    if accounts < 4:
        raise ValueError("at least 4 accounts: the landing zone's 3 and one member")
    root = SynOu((), default_account_tags={"managed-by": "vend"},
                 scps=("deny-leave-organization",), tag_policies=("cost-center",))
    tree: dict[OuPath, SynOu] = {
        (SECURITY_OU_NAME,): SynOu((SECURITY_OU_NAME,), tags={"purpose": "security"},
                                   default_account_tags={"environment": "production"}),
        (QUARANTINE,): SynOu((QUARANTINE,), tags={"purpose": "quarantine"},
                             scps=("quarantine-deny-all",), full_aws_access=False),
    }
    budget = ous - len(tree)
    fan_out = _branching(budget)
    generated: list[OuPath] = []
    parents: list[OuPath] = [()]
    for level, prefix in enumerate(LEVEL_NAMES):
        children: list[OuPath] = []
        for parent in parents:
            for i in range(fan_out):
                if len(generated) == budget:
                    break
                path = parent + (f"{prefix}{i + 1:02d}",)
                children.append(path)
                generated.append(path)
        parents = children
    for n, path in enumerate(generated):
        if len(path) == 1:
            spec = SynOu(path, tags={"division": path[0].lower()},
                         default_account_tags={"environment": ENVIRONMENTS[n % len(ENVIRONMENTS)]},
                         scps=("deny-unapproved-regions",))
        else:
            spec = SynOu(path, tags={"team": "-".join(path).lower()} if n % 2 else {})
        tree[path] = spec

    members = [
        SynAccount(MANAGEMENT_ACCOUNT_NAME, MANAGEMENT_ACCOUNT_EMAIL, (), "platform@example.com",
                   {"cost-center": "platform", "environment": "production"}, landing_zone=True),
        SynAccount(LOG_ARCHIVE_ACCOUNT_NAME, LOG_ARCHIVE_ACCOUNT_EMAIL, (SECURITY_OU_NAME,),
                   "security@example.com", {"cost-center": "security"}, landing_zone=True),
        SynAccount(AUDIT_ACCOUNT_NAME, AUDIT_ACCOUNT_EMAIL, (SECURITY_OU_NAME,),
                   "security@example.com", {"cost-center": "security", "application": "audit"},
                   landing_zone=True),
    ]
    for i in range(accounts - len(members)):
        name = f"acct-{i:05d}"
        own = {"cost-center": COST_CENTERS[i % len(COST_CENTERS)]}
        if i % 3:
            own["application"] = f"app{i % 97:02d}"
        if i % 3 == 2:
            own["team"] = f"team{i % 41:02d}"
        members.append(SynAccount(
            name=name,
            email=f"aws+{name}@example.com",
            ou=generated[i % len(generated)],
            owner=f"owner{i % 37:02d}@example.com",
            tags=own,
            state="suspended" if i % 100 == 99 else "active",
        ))
    return SynOrg(root=root, ous=tree, accounts=members)


# ---------------------------------------------------------------- the repository


def _yaml_map(key: str, values: dict[str, str]) -> list[str]:
    return [f"{key}:"] + [f"  {k}: {json.dumps(v)}" for k, v in values.items()] if values else []


def _yaml_list(key: str, values: tuple[str, ...]) -> list[str]:
    return [f"{key}:"] + [f"  - {v}" for v in values] if values else []


def _ou_yaml(spec: SynOu) -> str:
    lines = [f"description: synthetic OU {spec.name}"]
    if spec.path:  # the root's ou.yaml takes no `tags` in this generator
        lines += _yaml_map("tags", spec.tags)
    lines += _yaml_map("default_account_tags", spec.default_account_tags)
    lines += _yaml_list("scps", spec.scps)
    lines += _yaml_list("tag_policies", spec.tag_policies)
    if not spec.full_aws_access:
        lines.append("full_aws_access: false")
    return "\n".join(lines) + "\n"


def _account_yaml(account: SynAccount) -> str:
    lines = [
        f"name: {account.name}",
        f"email: {account.email}",
        f"ou: {'/'.join(account.ou) or 'Root'}",
        f"owner: {account.owner}",
    ]
    lines += _yaml_map("tags", account.tags)
    if account.state != "active":
        lines.append(f"state: {account.state}")
    return "\n".join(lines) + "\n"


def write_repo(org: SynOrg, path: Path, *, state_dir: str = ".vend") -> Path:
    """Write the repository into `path` (created; must not hold another repository)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "vend.yaml").write_text(
        "version: 1\n"
        "home_region: us-east-1\n"
        "governed_regions: [us-east-1, eu-west-1]\n"
        "account_factory: organizations\n"
        f"target:\n  kind: local\n  state_dir: {state_dir}\n"
        "required_tags:\n" + "".join(f"  - {t}\n" for t in REQUIRED_TAGS)
        + f"quarantine_ou: {QUARANTINE}\n"
        "policies_dir: policies\n"
    )
    ous = path / "ous"
    ous.mkdir(exist_ok=True)
    (ous / "ou.yaml").write_text(_ou_yaml(org.root))
    for spec in org.ous.values():
        folder = ous.joinpath(*spec.path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ou.yaml").write_text(_ou_yaml(spec))
    accounts = path / "accounts"
    accounts.mkdir(exist_ok=True)
    for account in org.accounts:
        (accounts / f"{account.stem}.yaml").write_text(_account_yaml(account))
    for (policy_type, name), document in POLICIES.items():
        folder = path / "policies" / POLICY_FOLDERS[policy_type]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n")
    return path


# ---------------------------------------------------------------- a LiveOrg, no AWS


FULL_AWS_ACCESS_ID = "p-FullAWSAccess"


def live_org(org: SynOrg) -> LiveOrg:
    """The organization as `vending.state` would read it, with made-up but well-formed ids."""
    root_id = "r-bench"
    policy_ids = {key: f"p-{n:08x}" for n, key in enumerate(sorted(POLICIES))}
    policies = {
        policy_ids[key]: LivePolicy(id=policy_ids[key], name=key[1], type=key[0],
                                    content=canonical(json.dumps(document)))
        for key, document in POLICIES.items()
    }
    policies[FULL_AWS_ACCESS_ID] = LivePolicy(
        id=FULL_AWS_ACCESS_ID, name=FULL_AWS_ACCESS, type=SCP, aws_managed=True,
        content=canonical('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'),
        description="Allows access to every operation",
    )

    def attached(spec: SynOu) -> dict[str, tuple[str, ...]]:
        ids = {}
        for policy_type in (SCP, TAG_POLICY):
            ids[policy_type] = tuple(sorted(
                FULL_AWS_ACCESS_ID if name == FULL_AWS_ACCESS else policy_ids[(policy_type, name)]
                for name in spec.attached(policy_type)))
        return ids

    ou_ids = {(): root_id} | {path: f"ou-bnch-{n:08x}" for n, path in enumerate(org.ous)}
    live_root = LiveOu(id=root_id, name="Root", parent_id=None, path=(), policies=attached(org.root))
    live_ous = {
        ou_ids[path]: LiveOu(id=ou_ids[path], name=spec.name, parent_id=ou_ids[path[:-1]],
                             path=path, tags=dict(spec.tags), policies=attached(spec))
        for path, spec in org.ous.items()
    }
    accounts = {}
    for n, account in enumerate(org.accounts):
        account_id = MANAGEMENT_ACCOUNT_ID if account.name == MANAGEMENT_ACCOUNT_NAME else f"{200000000000 + n}"
        accounts[account_id] = LiveAccount(
            id=account_id, name=account.name, email=account.email, status="ACTIVE",
            parent_id=ou_ids[org.placement(account)], tags=org.effective_tags(account))
    return LiveOrg(
        org_id="o-bench00001",
        management_account_id=MANAGEMENT_ACCOUNT_ID,
        root=live_root,
        enabled_policy_types=(SCP, TAG_POLICY),
        ous=live_ous,
        accounts=accounts,
        policies=policies,
    )


# ---------------------------------------------------------------- the local AWS


def seed_local(org: SynOrg, repo: Path, local: Any) -> dict[str, int]:
    """Build `org` in a running `LocalAws` whose repository `repo` was written by `write_repo`.

    The OU tree, OU tags, policies, attachments and the landing-zone accounts' tags are made by
    vend itself (`engine.plan` + `engine.apply` of the repository restricted to the landing-zone
    accounts: about one call per OU and attachment). The member accounts are then created
    straight in moto's Organizations backend of the management account, synchronously and with
    their tags (moto's own create_account, as `vending.local.bootstrap` does), and put in their OU,
    because thousands of asynchronous CreateAccount + MoveAccount calls through the API would
    take minutes. Returns how many things were created each way.

    moto also creates each account's OrganizationAccountAccessRole in a new IAM backend. That is
    kept: skipping it (by patching moto) saved only 0.6 s and 14 MB at 5,000 accounts and changed
    no read time, because `LocalAws.session()` pins `x-moto-account-id` (moto-coverage.md
    section 7), so no request scans the IAM backends.
    """
    import dataclasses

    from moto.organizations.models import organizations_backends

    from vending import engine
    from vending.apply.context import INSTANT
    from vending.aws.clients import AwsClients
    from vending.local.organizations.lifecycle import create_account_now
    from vending.model.loader import load

    desired = load(repo)
    landing_zone = {a.name for a in org.accounts if a.landing_zone}
    scaffold = dataclasses.replace(
        desired, accounts={n: a for n, a in desired.accounts.items() if n in landing_zone})
    clients = AwsClients(local.session())
    plan, live = engine.plan(scaffold, clients, git_commit=None, target="bench")
    ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=INSTANT,
                               live=live)
    report = engine.apply(plan, ctx, desired.settings)
    if not report.ok:
        failed = [f"{o.address}: {o.detail}" for o in report.outcomes if o.status != "applied"]
        raise RuntimeError("seeding the OU tree failed:\n  " + "\n  ".join(failed[:10]))
    backend = organizations_backends[local.management_account_id]["aws"]
    ou_ids = _ou_ids_by_path(backend)
    seeded = 0
    for account in org.accounts:
        if account.landing_zone:
            continue
        tags = [{"Key": k, "Value": v} for k, v in org.effective_tags(account).items()]
        created = create_account_now(
            backend, {"AccountName": account.name, "Email": account.email, "Tags": tags})
        created.parent_id = ou_ids[org.placement(account)]
        seeded += 1
    return {"applied_changes": len(plan.changes), "seeded_accounts": seeded}


def _ou_ids_by_path(backend: Any) -> dict[OuPath, str]:
    """Root and OU ids of moto's backend by path (moto keeps the root among `backend.ou`)."""
    nodes = {node.id: node for node in backend.ou}

    def path(node: Any) -> OuPath:
        return () if node.type == "ROOT" else path(nodes[node.parent_id]) + (node.name,)

    return {path(node): node.id for node in backend.ou}


def assert_no_changes(plan: Any, where: str) -> None:
    """Fail loudly when the synthetic repository and organization disagree."""
    if plan.changes:
        shown = "\n  ".join(f"{c.action.value} {c.address}: {c.reason}" for c in plan.changes[:15])
        raise AssertionError(
            f"{where}: the synthetic organization should plan no changes, got"
            f" {len(plan.changes)}:\n  {shown}")
