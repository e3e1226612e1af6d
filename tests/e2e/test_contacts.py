"""Alternate contacts end to end on the example organization: apply sets them (inherited from
the OUs, deeper wins, the account file's added), boto3 reads them back from the emulator, the
next plan is empty; drift made with boto3 comes back as changes to git; `none` deletes."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.conftest import without_baselines
from vending.local import LocalAws

MEMBER_TYPES = ("BILLING", "OPERATIONS", "SECURITY")


def _contacts(repo: Path) -> tuple[bool, dict[str, dict[str, Any]]]:
    """(trusted access on, account name -> TYPE -> contact) for the accounts with any."""
    with LocalAws(repo / ".vend") as aws:
        session = aws.session()
        org, account = session.client("organizations"), session.client("account", region_name="us-east-1")
        trusted = any(s["ServicePrincipal"] == "account.amazonaws.com"
                      for s in org.list_aws_service_access_for_organization()["EnabledServicePrincipals"])
        management = org.describe_organization()["Organization"]["MasterAccountId"]
        found: dict[str, dict[str, Any]] = {}
        for page in org.get_paginator("list_accounts").paginate():
            for acct in page["Accounts"]:
                target = {} if acct["Id"] == management else {"AccountId": acct["Id"]}
                for kind in MEMBER_TYPES:
                    try:
                        got = account.get_alternate_contact(AlternateContactType=kind, **target)["AlternateContact"]
                    except account.exceptions.ResourceNotFoundException:
                        continue
                    found.setdefault(acct["Name"], {})[kind] = {k: got[k] for k in ("Name", "EmailAddress")}
    return trusted, found


def _boto3(repo: Path, name: str, call: str, **params: Any) -> None:
    with LocalAws(repo / ".vend") as aws:
        session = aws.session()
        ids = {a["Name"]: a["Id"] for p in session.client("organizations").get_paginator("list_accounts").paginate()
               for a in p["Accounts"]}
        getattr(session.client("account", region_name="us-east-1"), call)(AccountId=ids[name], **params)


def _changes(vend, repo: Path) -> dict[str, dict]:
    result = vend(repo, "plan", "--format", "json")
    assert result.code == 0, result.err
    return {c["address"]: c for c in json.loads(result.out)["changes"]}


def test_apply_sets_every_declared_contact_and_the_next_plan_is_empty(example, vend) -> None:
    repo = without_baselines(example)
    first = _changes(vend, repo)
    assert first["alternate_contact:payments-prod/security"]["depends_on"] == ["account:payments-prod", "account_access"]
    assert vend(repo, "apply", "--auto-approve").code == 0
    trusted, found = _contacts(repo)
    assert trusted
    assert found == {
        "payments-prod": {
            "BILLING": {"Name": "Payments Finance", "EmailAddress": "payments-finance@example.com"},
            "OPERATIONS": {"Name": "Platform On-call", "EmailAddress": "oncall@example.com"},
            "SECURITY": {"Name": "Security Operations", "EmailAddress": "security@example.com"},
        },
        "data-lake-prod": {  # Regulated's security contact wins; operations comes from Workloads/Prod
            "OPERATIONS": {"Name": "Platform On-call", "EmailAddress": "oncall@example.com"},
            "SECURITY": {"Name": "Data Protection Office", "EmailAddress": "dpo@example.com"},
        },
    }
    result = vend(repo, "plan", "--detailed-exitcode")
    assert result.code == 0, result.out


def test_drift_made_with_boto3_comes_back_and_none_deletes(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    _boto3(repo, "payments-prod", "put_alternate_contact", AlternateContactType="SECURITY", Name="Security Operations",
           Title="Security team", EmailAddress="someone@elsewhere.com", PhoneNumber="+1 206 555 0100")
    _boto3(repo, "data-lake-prod", "delete_alternate_contact", AlternateContactType="OPERATIONS")
    changes = _changes(vend, repo)
    assert set(changes) == {"alternate_contact:payments-prod/security", "alternate_contact:data-lake-prod/operations"}
    drifted = changes["alternate_contact:payments-prod/security"]
    assert (drifted["action"], drifted["before"]["email"], drifted["after"]["email"]) == (
        "update", "someone@elsewhere.com", "security@example.com")
    assert drifted["source"] == "ous/Workloads/Prod/ou.yaml:6"
    assert changes["alternate_contact:data-lake-prod/operations"]["action"] == "create"

    account = repo / "accounts/payments-prod.yaml"
    account.write_text(account.read_text().replace("contacts:", "contacts:\n  operations: none", 1))
    changes = _changes(vend, repo)
    gone = changes["alternate_contact:payments-prod/operations"]
    assert (gone["action"], gone["destructive"], gone["before"]["email"]) == ("delete", False, "oncall@example.com")
    assert vend(repo, "apply", "--auto-approve").code == 0  # no --allow-destroy: `none` asks for it
    _, found = _contacts(repo)
    assert set(found["payments-prod"]) == {"BILLING", "SECURITY"}
    assert found["payments-prod"]["SECURITY"]["EmailAddress"] == "security@example.com"
    assert set(found["data-lake-prod"]) == {"OPERATIONS", "SECURITY"}
    assert vend(repo, "plan", "--detailed-exitcode").code == 0


def test_a_saved_plan_is_stale_once_a_contact_changes(example, vend, tmp_path) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    _boto3(repo, "payments-prod", "delete_alternate_contact", AlternateContactType="BILLING")
    saved = tmp_path / "plan.json"
    assert vend(repo, "plan", "--out", str(saved)).code == 0
    _boto3(repo, "payments-prod", "delete_alternate_contact", AlternateContactType="SECURITY")
    refused = vend(repo, "apply", str(saved), "--auto-approve")
    assert refused.code == 1
    assert "the security contact of account payments-prod" in refused.err + refused.out
