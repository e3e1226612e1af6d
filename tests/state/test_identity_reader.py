"""The Identity Center reader's cost: nothing without `access`; with it, a constant per group and
per declared permission set, whatever the number of accounts assigned (ListAccountAssignments,
accounts x sets, is never called)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from vending import engine
from vending.aws.clients import AwsClients, CallCounter
from vending.local import LocalAws
from vending.model.loader import load
from vending.plan.diff_identity import IdentityScope

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
PER_SET = ("DescribePermissionSet", "ListManagedPoliciesInPermissionSet",
           "ListCustomerManagedPolicyReferencesInPermissionSet", "GetInlinePolicyForPermissionSet",
           "GetPermissionsBoundaryForPermissionSet", "ListAccountsForProvisionedPermissionSet")
SSO_READS = set(PER_SET) | {"ListInstances", "ListPermissionSets", "GetGroupId", "ListAccountAssignmentsForPrincipal",
                            "ListAccountAssignments"}


def _read(local: LocalAws, scope: IdentityScope | None, region: str = REGION):
    counter = CallCounter()
    settings = dataclasses.replace(load(REPO).settings, home_region=region)
    live = engine.read_live(AwsClients(local.session(), observers=(counter,)), settings, identity=scope)
    return live.identity, {op: n for op, n in counter.counts.items() if op in SSO_READS}


def _assign_everywhere(local: LocalAws, accounts: list[str]) -> None:
    session = local.session()
    sso, store = session.client("sso-admin", region_name=REGION), session.client("identitystore", region_name=REGION)
    instance = sso.list_instances()["Instances"][0]
    arn = instance["InstanceArn"]
    group = store.get_group_id(IdentityStoreId=instance["IdentityStoreId"], AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "Developers"}})["GroupId"]
    existing = {sso.describe_permission_set(InstanceArn=arn, PermissionSetArn=p)["PermissionSet"]["Name"]: p
                for p in sso.list_permission_sets(InstanceArn=arn)["PermissionSets"]}
    ps = existing.get("ReadOnly") or sso.create_permission_set(
        InstanceArn=arn, Name="ReadOnly")["PermissionSet"]["PermissionSetArn"]
    for account in accounts:
        sso.create_account_assignment(InstanceArn=arn, TargetId=account, TargetType="AWS_ACCOUNT", PermissionSetArn=ps,
                                      PrincipalType="GROUP", PrincipalId=group)
    for _ in range(3):
        sso.list_instances()  # lets the requests finish


def test_no_access_reads_nothing_and_the_cost_does_not_grow_with_accounts(tmp_path) -> None:
    scope = IdentityScope(("Developers", "Nobody"), ("ReadOnly",))
    with LocalAws(tmp_path) as local:
        identity, counts = _read(local, None)
        assert identity is None and counts == {}

        accounts = [a["Id"] for a in local.session().client("organizations").list_accounts()["Accounts"]]
        _assign_everywhere(local, accounts[:1])
        identity, one = _read(local, scope)
        assert identity.groups["Nobody"] is None
        assert [a[:1] + a[2:] for a in identity.assignments] == [("Developers", "ReadOnly")]
        assert one == {"ListInstances": 1, "ListPermissionSets": 1, "GetGroupId": 2,
                       "ListAccountAssignmentsForPrincipal": 1, **dict.fromkeys(PER_SET, 1)}

        _assign_everywhere(local, accounts)
        identity, every = _read(local, scope)
        assert sorted(a[1] for a in identity.assignments) == sorted(accounts)
        assert every == one


def test_a_region_without_an_instance_costs_one_read(tmp_path) -> None:
    with LocalAws(tmp_path) as local:
        identity, counts = _read(local, IdentityScope(("Developers",), ("ReadOnly",)), region="eu-west-1")
    assert identity.instance_arn is None and counts == {"ListInstances": 1}
