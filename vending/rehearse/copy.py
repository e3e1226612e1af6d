"""Load a `LiveOrg` into a scratch local AWS, ids and all (the fingerprint covers them).

What is copied is what vend reads, so the copy read back is the same `LiveOrg`: the root (its
tags and enabled policy types), every OU (id, name, parent, tags), every account (id, name,
email, status, parent, tags), every SCP and tag policy (id, name, description, document) with
its attachments to the root and OUs, and trusted access for StackSets. Built directly on
moto's Organizations backend (as `vending.local.bootstrap` builds the fresh landing zone), so
no request of the copy runs through the emulators' rules - the organization already exists.

What vend does not read cannot be copied: policies attached directly to accounts (each copied
account gets AWS's default FullAWSAccess), IAM, SSO. What vend reads but this module cannot
rebuild yet is returned by `gaps`, and the rehearsal stops naming it. Stack sets: see
`copy_stacksets`; alternate contacts and TagOptions: `copy_settings`; a Control Tower landing
zone and its Account Factory: `copy_control_tower`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from moto.organizations import utils
from moto.organizations.models import (
    FakeAccount,
    FakeOrganization,
    FakeOrganizationalUnit,
    FakePolicy,
    FakeRoot,
    FakeServiceAccess,
    organizations_backends,
)

from vending.model.live import LiveOrg, LiveOu
from vending.rehearse import copy_billing, copy_catalog, copy_control_tower, copy_identity, copy_licenses
from vending.rehearse import copy_marketplace, copy_settings, copy_stacksets
from vending.model.types import OrgSettings
from vending.state.baselines import PRINCIPAL as STACKSETS_PRINCIPAL

REGION = "us-east-1"
PARTITION = "aws"
NOT_COPIED = ("policies attached directly to accounts (vend does not read them; each copy has"
              " FullAWSAccess)", "IAM roles, and Identity Center beyond the groups and permission sets vend reads")
"""Parts of a real organization no rehearsal covers, whatever it holds."""
_DEFAULT_DOCUMENTS = {
    utils.DEFAULT_SCP_POLICY_ID: ("FullAWSAccess", "SERVICE_CONTROL_POLICY", "Allows access to every operation",
                                  {"Version": "2012-10-17",
                                   "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    utils.DEFAULT_RCP_POLICY_ID: ("RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY", "Allows access to every resource",
                                  {"Version": "2012-10-17", "Statement": [
                                      {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
}
"""AWS's managed policies that moto attaches to every new OU and account (ids as AWS's)."""


@dataclass(frozen=True)
class Copied:
    ous: int
    accounts: int
    policies: int
    attachments: int
    trusted_access: bool
    stack_sets: int = 0
    stack_instances: int = 0
    control_tower: bool = False


def gaps(live: LiveOrg, settings: OrgSettings) -> list[str]:
    """The parts of `live` the copy cannot reproduce yet: a rehearsal of them would prove nothing."""
    found = []
    if live.control_tower is not None:
        found += copy_control_tower.gaps(live.control_tower)
    if live.pending_creations:
        names = ", ".join(sorted(p.account_name for p in live.pending_creations))
        found.append(f"CreateAccount requests still in progress ({names}): wait for them and rehearse again")
    found += copy_settings.gaps(live, settings)
    found += copy_marketplace.gaps(live, settings)
    if live.baselines is not None:
        found += copy_stacksets.gaps(live.baselines)
        if live.baselines.foreign:
            found.append("stack sets vend does not manage (" + ", ".join(live.baselines.foreign) + ")")
        if settings.stacksets is not None:
            found.append(f"StackSets through the delegated administrator {settings.stacksets.delegated_admin}")
    return found


def load(live: LiveOrg, settings: OrgSettings, emulators: Any,
         factory_outputs: copy_control_tower.Outputs | None = None) -> Copied:
    """Replace the local AWS's organizations with a copy of `live` (call inside a running
    `LocalAws` whose management account is `live.management_account_id`, then save it), and
    copy its stack sets, contacts, TagOptions and Control Tower landing zone into the running
    emulators (`emulators(name)`: `LocalAws.emulator`); `factory_outputs`: see
    `copy_control_tower.read_outputs`."""
    organizations_backends.clear()
    organizations_backends.master_accounts.clear()
    backend = organizations_backends[live.management_account_id][PARTITION]
    org = FakeOrganization(live.management_account_id, REGION, "ALL")
    org.id, org.root_id = live.org_id, live.root.id
    management = live.accounts.get(live.management_account_id)
    if management is not None:
        org.master_account_email = management.email
    backend.org = org
    root = FakeRoot(org)
    root.tags = dict(live.root.tags or {})
    root.policy_types = [{"Type": t, "Status": "ENABLED"} for t in live.enabled_policy_types]
    backend.ou.append(root)
    for ou in sorted(live.ous.values(), key=lambda o: len(o.path)):  # parents first
        node = FakeOrganizationalUnit(org, Name=ou.name, ParentId=ou.parent_id)
        node.id, node.tags = ou.id, dict(ou.tags or {})
        backend.ou.append(node)
    for policy in live.policies.values():
        backend.policies.append(_policy(org, policy.id, policy.name, policy.type, policy.description,
                                        policy.content, policy.aws_managed))
    for policy_id, (name, kind, description, document) in _DEFAULT_DOCUMENTS.items():
        if policy_id not in live.policies:
            backend.policies.append(_policy(org, policy_id, name, kind, description, "", True))
    for account in live.accounts.values():
        created = FakeAccount(org, AccountName=account.name, Email=account.email)
        created.id, created.parent_id, created.tags = account.id, account.parent_id, dict(account.tags)
        created.status = created.state = account.status
        backend.accounts.append(created)
        organizations_backends.master_accounts[account.id] = (live.management_account_id, PARTITION)
        _attach_defaults(backend, account.id)
    attachments = 0
    for node in (live.root, *live.ous.values()):
        attachments += _attach(backend, node)
    trusted = bool(live.baselines and live.baselines.trusted_access)
    if trusted:
        backend.services.append(FakeServiceAccess(ServicePrincipal=STACKSETS_PRINCIPAL).describe())
    copy_settings.load(live, settings, backend, emulators("account"), emulators("servicecatalog"))
    copy_catalog.load(live, settings, backend, emulators("servicecatalog"))
    copy_billing.load(live, emulators("budgets"), emulators("support"))
    if live.control_tower is not None:
        copy_control_tower.load(live, settings, emulators("controltower"), emulators("servicecatalog"),
                                factory_outputs or {})
    copy_identity.load(live, emulators("ssoadmin"))
    copy_licenses.load(live, emulators("licensemanager"))
    copy_marketplace.load(live, backend, emulators("marketplacecatalog"))
    copied = Copied(len(live.ous), len(live.accounts), len(live.policies), attachments, trusted,
                    control_tower=live.control_tower is not None)
    if live.baselines is None or not live.baselines.stack_sets:
        return copied
    instances = copy_stacksets.load(emulators("stacksets"), live.baselines, live.management_account_id)
    return replace(copied, stack_sets=len(live.baselines.stack_sets), stack_instances=instances)


def _policy(org: FakeOrganization, policy_id: str, name: str, kind: str, description: str, content: str,
            aws_managed: bool) -> FakePolicy:
    """vend does not fetch AWS-managed documents; AWS's own text stands in for them."""
    if aws_managed and not content and policy_id in _DEFAULT_DOCUMENTS:
        content = json.dumps(_DEFAULT_DOCUMENTS[policy_id][3])
    policy = FakePolicy(org, Name=name, Type=kind, Description=description, Content=content)
    policy.id, policy.aws_managed = policy_id, aws_managed
    return policy


def _attach_defaults(backend: Any, target: str) -> None:
    for policy_id in (utils.DEFAULT_SCP_POLICY_ID, utils.DEFAULT_RCP_POLICY_ID):
        backend.attach_policy(PolicyId=policy_id, TargetId=target)


def _attach(backend: Any, node: LiveOu) -> int:
    """The node's attachments as read; RCPFullAWSAccess too, which AWS attaches everywhere."""
    wanted = [policy_id for ids in node.policies.values() for policy_id in ids]
    if utils.DEFAULT_RCP_POLICY_ID not in wanted:
        backend.attach_policy(PolicyId=utils.DEFAULT_RCP_POLICY_ID, TargetId=node.id)
    for policy_id in wanted:
        backend.attach_policy(PolicyId=policy_id, TargetId=node.id)
    return len(wanted)
