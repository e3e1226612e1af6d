"""The loader: the example organization, the model it builds, and how failures surface."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.model.repo import MakeRepo, account
from vending.errors import ValidationFailed
from vending.model.loader import load, validate
from vending.model.policy_json import canonical
from vending.model.types import FULL_AWS_ACCESS, SCP, TAG_POLICY, Target

REPO = Path(__file__).resolve().parents[2]


def test_example_organization_has_no_findings() -> None:
    assert [d.format() for d in validate(REPO)] == []


def test_example_organization_model() -> None:
    org = load(REPO)
    assert org.settings.home_region == "us-east-1"
    assert org.settings.governed_regions == ("us-east-1", "eu-west-1")
    assert org.settings.target == Target(kind="local", state_dir=".vend")
    assert org.settings.required_tags == ("owner", "cost-center", "environment", "data-classification")
    assert org.settings.quarantine_ou == ("Suspended",)
    assert org.root is not None and org.root.scps == ("deny-leave-organization",)
    assert org.root.attached(SCP) == (FULL_AWS_ACCESS, "deny-leave-organization")
    assert ("Workloads", "Prod", "Regulated") in org.ous
    assert len(org.accounts) >= 10
    bootstrap = {name: (org.accounts[name].email, org.accounts[name].ou) for name in ("Management", "Log Archive", "Audit")}
    assert bootstrap == {"Management": ("management@example.com", ()),
                         "Log Archive": ("log-archive@example.com", ("Security",)),
                         "Audit": ("audit@example.com", ("Security",))}
    source = org.accounts["Log Archive"].source
    assert (source.file, source.line) == ("accounts/log-archive.yaml", 1)
    assert (source.at("ou"), source.at("state")) == ("accounts/log-archive.yaml:4", "accounts/log-archive.yaml:1")
    assert set(org.policies) == {(SCP, "deny-leave-organization"), (SCP, "deny-unapproved-regions"),
                                 (SCP, "quarantine-deny-all"), (TAG_POLICY, "cost-center")}


def test_example_effective_tags_of_a_third_level_account() -> None:
    org = load(REPO)
    assert org.account_tags(org.accounts["data-lake-prod"]) == {
        "managed-by": "vend", "data-classification": "restricted", "environment": "production",
        "owner": "analytics-team@example.com", "cost-center": "analytics", "application": "data-lake",
    }


def test_policy_content_is_canonical(make_repo: MakeRepo) -> None:
    text = '{\n  "Version": "2012-10-17",\n  "Statement": {"Resource": "*", "Effect": "Deny", "Action": "*"}\n}\n'
    root = make_repo({"policies/scp/deny.json": text})
    assert load(root).policies[(SCP, "deny")].content == canonical(text)


def test_load_raises_with_every_finding(make_repo: MakeRepo) -> None:
    root = make_repo({"accounts/web.yaml": account("web", email="app@example.com"), "vend.yaml": None})
    with pytest.raises(ValidationFailed) as caught:
        load(root)
    assert [(d.file, d.code) for d in caught.value.diagnostics] == [
        ("accounts/web.yaml", "V103"), ("vend.yaml", "V401")]


def test_findings_are_sorted_by_file_then_line(make_repo: MakeRepo) -> None:
    root = make_repo({"accounts/b.yaml": account("b", ou="X"), "accounts/a.yaml": account("a", ou="Y", owner="x&y")})
    found = validate(root)
    assert found == sorted(found)
    assert [(d.file, d.line) for d in found] == [("accounts/a.yaml", 3), ("accounts/a.yaml", 4), ("accounts/b.yaml", 3)]


def test_optional_parts_may_be_absent(make_repo: MakeRepo) -> None:
    root = make_repo({"accounts/app.yaml": None})
    org = load(root)
    assert org.root is None and org.accounts == {} and org.policies == {}
    assert org.settings.policies_dir == "policies" and org.settings.apply_concurrency == 4


def test_account_fields_and_defaults(make_repo: MakeRepo) -> None:
    root = make_repo({"accounts/team/web.yaml": account("web", extra="id: '123456789012'\nstate: suspended\n")})
    web = load(root).accounts["web"]
    assert (web.pinned_id, web.state, web.ou, web.source.file) == ("123456789012", "suspended", ("Apps",),
                                                                    "accounts/team/web.yaml")
    assert load(root).placement(web) == ("Suspended",)


def test_empty_ou_file_declares_an_ou(make_repo: MakeRepo) -> None:
    root = make_repo({"ous/Apps/Web/ou.yaml": "# yaml-language-server: $schema=../../../s.json\n"})
    spec = load(root).ous[("Apps", "Web")]
    assert (spec.name, spec.parent, spec.full_aws_access, spec.retired) == ("Web", ("Apps",), True, False)


def test_notes_and_dot_files_are_ignored(make_repo: MakeRepo) -> None:
    root = make_repo({"accounts/README.md": "# accounts\n", "ous/.keep": "", "policies/scp/README.md": "",
                      "accounts/.drafts/x.yml": "", "ous/Apps/NOTES.md": ""})
    assert validate(root) == []
