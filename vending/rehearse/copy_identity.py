"""IAM Identity Center in the scratch copy: the instance, the groups read, vend's permission sets
and their assignments, stored straight into the emulator's store with their ids (the fingerprint
covers them), so the copy reads back as read. Accounts on an older version of a set stay so."""
from __future__ import annotations

from typing import Any

from vending.local.ssoadmin.store import now
from vending.model.live import LiveOrg


def load(live: LiveOrg, emulator: Any) -> None:
    """Into the running `ssoadmin` plug-in (vending.local.ssoadmin)."""
    found = live.identity
    if found is None or found.instance_arn is None:
        return
    store = emulator.store
    store.data.update(instance={
        "InstanceArn": found.instance_arn, "IdentityStoreId": found.identity_store_id,
        "OwnerAccountId": live.management_account_id, "Region": found.region, "CreatedDate": now()},
        groups={gid: {"DisplayName": name, "Description": "", "CreatedAt": now()}
                for name, gid in found.groups.items() if gid},
        permission_sets={}, assignments=[], provisioned={}, requests={})
    for ps in found.permission_sets.values():
        boundary = None
        if ps.boundary and "managed_policy" in ps.boundary:
            boundary = {"ManagedPolicyArn": ps.boundary["managed_policy"]}
        elif ps.boundary:
            path, _, name = ps.boundary["customer_managed_policy"].rpartition("/")
            boundary = {"CustomerManagedPolicyReference": {"Name": name, "Path": path + "/"}}
        store.permission_sets[ps.arn] = {
            "Name": ps.name, "Description": ps.description or None, "RelayState": None,
            "SessionDuration": ps.session_duration, "CreatedDate": now(), "Managed": list(ps.managed_policies),
            "Customer": [{"Name": n, "Path": p} for n, p in ps.customer_managed_policies], "Inline": ps.inline_policy,
            "Boundary": boundary, "Version": 2,
        }
        store.provisioned[ps.arn] = dict.fromkeys(ps.stale_accounts, 1)
    for group, account_id, name in found.assignments:
        arn = found.permission_sets[name].arn
        store.assignments.append([account_id, arn, "GROUP", found.groups[group]])
        store.provisioned[arn].setdefault(account_id, 2)
