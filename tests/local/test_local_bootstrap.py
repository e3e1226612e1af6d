"""The fresh landing zone a new local state starts from (vending/local/bootstrap.py)."""
from __future__ import annotations

from vending.local import LocalAws, bootstrap


def test_bootstrap_creates_a_control_tower_less_landing_zone(org, root_id):
    """Organization with all features, SCPs enabled on the root and TAG_POLICY not
    (aws-facts 2.5 policy types; API_EnablePolicyType), management account 123456789012."""
    organization = org.describe_organization()["Organization"]
    assert organization["FeatureSet"] == "ALL"
    assert organization["MasterAccountId"] == bootstrap.MANAGEMENT_ACCOUNT_ID == "123456789012"
    assert organization["MasterAccountEmail"] == bootstrap.MANAGEMENT_ACCOUNT_EMAIL
    root = org.list_roots()["Roots"][0]
    assert [t["Type"] for t in root["PolicyTypes"] if t["Status"] == "ENABLED"] == [
        "SERVICE_CONTROL_POLICY"]

    accounts = {a["Name"]: a for a in org.list_accounts()["Accounts"]}
    assert set(accounts) == {"Management", "Log Archive", "Audit"}
    assert accounts["Management"]["Email"] == "management@example.com"
    assert accounts["Log Archive"]["Email"] == bootstrap.LOG_ARCHIVE_ACCOUNT_EMAIL
    assert accounts["Audit"]["Email"] == bootstrap.AUDIT_ACCOUNT_EMAIL
    assert all(a["Status"] == "ACTIVE" for a in accounts.values())

    ous = org.list_organizational_units_for_parent(ParentId=root_id)["OrganizationalUnits"]
    assert [ou["Name"] for ou in ous] == [bootstrap.SECURITY_OU_NAME]
    in_security = org.list_accounts_for_parent(ParentId=ous[0]["Id"])["Accounts"]
    assert sorted(a["Name"] for a in in_security) == ["Audit", "Log Archive"]
    in_root = org.list_accounts_for_parent(ParentId=root_id)["Accounts"]
    assert [a["Name"] for a in in_root] == ["Management"]


def test_bootstrap_attaches_full_aws_access_everywhere(org, root_id):
    """Every root, OU and account keeps at least one SCP (API_DetachPolicy)."""
    targets = org.list_targets_for_policy(PolicyId="p-FullAWSAccess")["Targets"]
    assert {t["Type"] for t in targets} == {"ROOT", "ORGANIZATIONAL_UNIT", "ACCOUNT"}
    assert len(targets) == 1 + 1 + 3


def test_bootstrap_is_deterministic(tmp_path):
    """The same ids on every machine (moto seed, moto-coverage section 8)."""
    def snapshot(state_dir):
        with LocalAws(state_dir) as aws:
            client = aws.session().client("organizations")
            return (client.describe_organization()["Organization"]["Id"],
                    sorted(a["Id"] for a in client.list_accounts()["Accounts"]))

    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_session_pins_the_management_account_header(local):
    """moto-coverage section 7: clients send x-moto-account-id of the management account."""
    client = local.session().client("organizations")
    seen = []
    client.meta.events.register("before-send", lambda request, **_: seen.append(
        request.headers.get("x-moto-account-id")))
    client.list_roots()
    assert seen and seen[0] in (b"123456789012", "123456789012")
