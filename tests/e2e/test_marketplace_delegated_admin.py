"""The Private Marketplace managed from a delegated administrator (vend.yaml `marketplace`): the
plan checks the registration, reads the management account's experiences with the Scope
SharedWithMe, and the change sets it sends as the administrator change them."""
from __future__ import annotations

import json
import shutil

from tests.e2e.conftest import REPO_ROOT, without_baselines
from tests.e2e.test_marketplace_example import changes, ids, read_back
from vending.local import LocalAws

PRINCIPAL = "private-marketplace.marketplace.amazonaws.com"


def test_a_delegated_administrator_reads_what_is_shared_with_it_and_applies_there(example, vend) -> None:
    repo = without_baselines(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    admin, other = ids(repo)["shared-services"], ids(repo)["Audit"]
    shutil.copytree(REPO_ROOT / "catalog" / "marketplace", repo / "catalog" / "marketplace")
    settings = repo / "vend.yaml"
    plain = settings.read_text()
    settings.write_text(plain + f"marketplace:\n  delegated_admin: \"{other}\"\n"
                        f"  role_arn: arn:aws:iam::{other}:role/vend-marketplace\n")
    refused = vend(repo, "plan")
    assert refused.code == 1
    line = len(plain.splitlines()) + 1  # the appended marketplace block
    assert (f"vend.yaml:{line}: marketplace.delegated_admin: account {other} is not registered"
            " as a delegated administrator for private marketplace.") in refused.err

    with LocalAws(repo / ".vend") as aws:
        org = aws.session().client("organizations")
        org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
        org.register_delegated_administrator(AccountId=admin, ServicePrincipal=PRINCIPAL)
    settings.write_text(plain + f"marketplace:\n  delegated_admin: \"{admin}\"\n"
                        f"  role_arn: arn:aws:iam::{admin}:role/vend-marketplace\n")
    planned = changes(vend, repo)
    assert "marketplace_experience:engineering" in planned
    assert "marketplace_access" not in planned and "marketplace_service_role" not in planned  # management-only steps
    applied = vend(repo, "apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert sorted(read_back(repo)) == ["Engineering", "Organization default"]  # as the management account reads them
    again = vend(repo, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err


def test_the_marketplace_delegated_admins_role_may_be_assumed(example, vend) -> None:
    role = "arn:aws:iam::222222222222:role/VendMarketplace"
    settings = example / "vend.yaml"
    settings.write_text(settings.read_text() + f'marketplace: {{delegated_admin: "222222222222", role_arn: {role}}}\n')
    for command in ("plan", "apply"):
        statements = json.loads(vend(example, "iam-policy", command).out)["Statement"]
        assert [s for s in statements if s["Sid"] == "AssumeMarketplaceRole"] == [
            {"Sid": "AssumeMarketplaceRole", "Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": role}]
