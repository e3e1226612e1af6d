"""The license grants' plan, pure: one grant per principal with stable names, a grant to an
account being created waits for it, the prerequisite, versions and deletions, statuses and
unmanaged grants as notes, licenses that cannot be resolved."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.plan.builders import account, desired, live, live_account, ou
from vending.errors import PlanError
from vending.model.live_licenses import LiveGrant, LiveLicense, LiveLicenses
from vending.model.marketplace_types import LicenseGrantSpec, MarketplaceSpec, Member
from vending.plan.build import build_plan

SKU = "8a7cbcf2-obs-agent-enterprise"
LICENSE = "arn:aws:license-manager::294406891311:license:l-" + "a" * 32
OPS = ("CheckoutLicense", "CheckInLicense")
PROD_ARN = "arn:aws:organizations::111111111111:ou/o-abc/ou-prod"
APP_ARN = "arn:aws:iam::222222222222:root"


def _spec(*principals: Member, **fields) -> LicenseGrantSpec:
    return LicenseGrantSpec(name="agent", file="catalog/licenses/agent.yaml", product_sku=SKU,
                            principals=principals, allowed_operations=OPS, **fields)


def _desired(spec: LicenseGrantSpec, *extra_accounts):
    org = desired(ous=[ou("Prod")], accounts=[account("app", "Prod"), *extra_accounts])
    return replace(org, marketplace=MarketplaceSpec(licenses={spec.name: spec}))


def _live(*grants: LiveGrant, integration: bool = True, licenses=None):
    org = live(ous=[("ou-prod", "Prod", {})], accounts=[live_account("222222222222", "app", "ou-prod")])
    licenses = licenses or (LiveLicense(LICENSE, SKU, "Agent", "us-east-1", "AVAILABLE", ()),)
    return replace(org, licenses=LiveLicenses(organization_integration=integration, licenses=licenses, grants=grants))


def _grant(principal: str, arn: str = "arn:aws:license-manager::111111111111:grant:g-1", name="agent-Prod",
           ops=tuple(sorted(OPS)), status="ACTIVE") -> LiveGrant:
    return LiveGrant(arn, name, LICENSE, principal, ops, None, status, "3")


def _licensing(plan):
    return [c for c in plan.changes if c.kind.value.startswith("license")]


def _changes(plan):
    return {c.address: c for c in _licensing(plan)}


def test_each_principal_is_its_own_grant_and_a_new_account_is_waited_for() -> None:
    spec = _spec(Member("ou", "Prod", 0), Member("account", "app", 1), Member("account", "new", 2),
                 Member("organization", "", 3))
    plan = build_plan(_desired(spec, account("new", "Prod")), _live())
    grants = {a: c for a, c in _changes(plan).items() if a.startswith("license_grant:")}
    assert {a: c.after["grant_name"] for a, c in grants.items()} == {
        "license_grant:agent@ou:Prod": "agent-Prod", "license_grant:agent@account:app": "agent-app",
        "license_grant:agent@account:new": "agent-new", "license_grant:agent@organization": "agent-organization"}
    assert grants["license_grant:agent@ou:Prod"].after["principal_arn"] == PROD_ARN
    assert grants["license_grant:agent@organization"].after["principal_arn"] == \
        "arn:aws:organizations::111111111111:organization/o-abc"
    new = grants["license_grant:agent@account:new"]
    assert "principal_arn" not in new.after and new.depends_on == ("account:new",)
    assert len({c.after["client_token"] for c in grants.values()}) == 4
    assert "license_manager_org" not in _changes(plan)  # linked already


def test_without_the_integration_it_comes_first() -> None:
    plan = build_plan(_desired(_spec(Member("ou", "Prod", 0))), _live(integration=False))
    changes = _changes(plan)
    assert changes["license_manager_org"].after == {"organization_integration": True}
    assert changes["license_grant:agent@ou:Prod"].depends_on == ("license_manager_org",)
    layer = {a: i for i, g in enumerate(plan.order) for a in g}
    assert layer["license_manager_org"] < layer["license_grant:agent@ou:Prod"]


def test_an_existing_grant_is_a_note_or_a_new_version_and_retired_deletes_it() -> None:
    same = build_plan(_desired(_spec(Member("ou", "Prod", 0))), _live(_grant(PROD_ARN, status="WORKFLOW_COMPLETED")))
    assert _licensing(same) == []
    assert [n.message for n in same.notes] == [
        "grant agent-Prod: distributed: each account accepts and activates it (WORKFLOW_COMPLETED)"]
    edited = build_plan(_desired(_spec(Member("account", "app", 0))),
                        _live(_grant(APP_ARN, name="agent-app", ops=("CheckoutLicense",), status="PENDING_ACCEPT")))
    [update] = _licensing(edited)
    assert update.action.value == "update" and update.before["version"] == "3"
    assert update.after["allowed_operations"] == ["CheckInLicense", "CheckoutLicense"]
    assert "pending acceptance" in edited.notes[0].message
    retired = build_plan(_desired(_spec(Member("ou", "Prod", 0), retired=True)), _live(_grant(PROD_ARN)))
    [delete] = _licensing(retired)
    assert (delete.action.value, delete.destructive, delete.before["grant_arn"]) == (
        "delete", True, "arn:aws:license-manager::111111111111:grant:g-1")


def test_a_deleted_grant_comes_back_with_a_new_token_and_others_are_noted() -> None:
    spec = _spec(Member("ou", "Prod", 0))
    first = _changes(build_plan(_desired(spec), _live()))["license_grant:agent@ou:Prod"]
    deleted = _grant(PROD_ARN, status="DELETED")
    other = _grant("arn:aws:iam::999999999999:root", arn="arn:aws:license-manager::111111111111:grant:g-2",
                   name="console")
    plan = build_plan(_desired(spec), _live(deleted, other))
    again = _changes(plan)["license_grant:agent@ou:Prod"]
    assert again.action.value == "create" and again.reason.endswith("(its grant was deleted out of band)")
    assert again.after["client_token"] != first.after["client_token"]
    assert [(n.kind, n.address) for n in plan.notes] == [("unmanaged", "license_grant:console")]


def test_a_license_that_cannot_be_resolved_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="received no license for product SKU"):
        build_plan(_desired(_spec(Member("ou", "Prod", 0))), _live(licenses=(
            LiveLicense(LICENSE, "other-sku", "Other", "us-east-1", "AVAILABLE", ()),)))
    two = (LiveLicense(LICENSE, SKU, "A", "us-east-1", "AVAILABLE", ()),
           LiveLicense(LICENSE.replace("a" * 32, "b" * 32), SKU, "B", "us-east-1", "AVAILABLE", ()))
    with pytest.raises(PlanError, match="name one with license.arn"):
        build_plan(_desired(_spec(Member("ou", "Prod", 0))), _live(licenses=two))
    assert _licensing(build_plan(_desired(_spec(Member("ou", "Prod", 0), retired=True)), _live(licenses=two))) == []
