"""The import's documented choices on small organizations, in memory: what it refuses, what
it warns about, and where it writes."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from tests.importer.live_orgs import MANAGEMENT, POLICIES, ROOT_ID, settings
from tests.plan.builders import control_tower
from vending import importer
from vending.errors import ImportRefused
from vending.importer.render import Settings
from vending.model.live import LiveAccount, LiveOrg, LiveOu, LivePolicy
from vending.model.policy_json import canonical
from vending.model.types import SCP, TAG_POLICY

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
SUSPENDED = LiveOu("ou-gen0-susp0000", "Suspended", ROOT_ID, ("Suspended",), tags={},
                   policies={SCP: ("p-full",), TAG_POLICY: ()})


def org(*ous: LiveOu, policies=POLICIES, enabled=(SCP, TAG_POLICY)) -> LiveOrg:
    root = LiveOu(ROOT_ID, "Root", None, (), tags={}, policies={SCP: ("p-full",), TAG_POLICY: ()})
    management = LiveAccount(MANAGEMENT, "Management", "management@example.com", "ACTIVE", ROOT_ID, {"owner": "p"})
    return LiveOrg("o-gen0", MANAGEMENT, root, enabled, {o.id: o for o in ous}, {MANAGEMENT: management},
                   dict(policies))


def test_a_policy_vend_would_refuse_is_written_as_aws_holds_it_with_a_warning():
    bad = LivePolicy("p-bad", "with-principal", SCP, canonical(json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Principal": "*"}]})))
    imported, chosen = importer.build(org(SUSPENDED, policies={**POLICIES, "p-bad": bad}), settings("organizations"),
                                      None, NOW)
    assert "policies/scp/with-principal.json" in imported.files
    assert len(chosen.warnings) == 1
    assert chosen.warnings[0].startswith("policies/scp/with-principal.json:")
    assert " V313 Statement[0].Principal: " in chosen.warnings[0]


def test_policies_go_to_the_policies_dir_of_vend_yaml_and_a_kept_vend_yaml_is_not_written():
    custom = replace(settings("organizations"), policies_dir="org-policies")
    imported, _ = importer.build(org(SUSPENDED), custom, None, NOW)
    assert "vend.yaml" not in imported.files
    assert "org-policies/tag/cost-center.json" in imported.files
    written, _ = importer.build(org(SUSPENDED), custom, Settings({"version": 1}), NOW)
    assert written.files["vend.yaml"].endswith("\nversion: 1\n")


def test_no_quarantine_ou_and_no_scps_stop_the_import():
    with pytest.raises(ImportRefused) as refused:
        importer.build(org(), settings("organizations"), None, NOW)
    assert str(refused.value) == (
        "vend.yaml: quarantine_ou: Suspended is not an OU this import can describe (the organization has no such"
        " OU); name an existing OU in vend.yaml, or create that OU, then import again")
    with pytest.raises(ImportRefused) as refused:
        importer.build(org(SUSPENDED, enabled=(TAG_POLICY,)), settings("organizations"), None, NOW)
    assert str(refused.value).startswith("service control policies are not enabled in this organization")


def test_an_unregistered_quarantine_ou_under_control_tower_says_why():
    live = control_tower(org(SUSPENDED))
    with pytest.raises(ImportRefused) as refused:
        importer.build(live, settings("control-tower"), None, NOW)
    assert str(refused.value).startswith(
        "vend.yaml: quarantine_ou: Suspended is not an OU this import can describe (OU Suspended"
        " (ou-gen0-susp0000): not registered with Control Tower, so vend would register it;")
