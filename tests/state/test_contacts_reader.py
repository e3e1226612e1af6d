"""The contacts reader's cost: nothing for a repository without contacts, one trusted-access
read plus one GetAlternateContact per declared (account, type), none for members while trusted
access is off."""
from __future__ import annotations

from pathlib import Path

from vending import engine
from vending.aws.clients import AwsClients, CallCounter
from vending.local import LocalAws
from vending.model.loader import load

REPO = Path(__file__).resolve().parents[2]


def _read(local: LocalAws, scope) -> tuple[object, CallCounter]:
    counter = CallCounter()
    live = engine.read_live(AwsClients(local.session(), observers=(counter,)), load(REPO).settings, contacts=scope)
    return live, counter


def test_reads_cost_one_call_per_declared_pair_and_nothing_without_contacts(tmp_path) -> None:
    with LocalAws(tmp_path) as local:
        org = local.session().client("organizations")
        accounts = {a["Name"]: a["Id"] for a in org.list_accounts()["Accounts"]}
        management = org.describe_organization()["Organization"]["MasterAccountId"]
        member = next(i for i in accounts.values() if i != management)
        pairs = [(management, "security"), (member, "billing"), (member, "security")]

        live, counter = _read(local, None)
        assert live.contacts is None
        assert not {k for k in counter.counts if "AlternateContact" in k or "ServiceAccess" in k}

        live, counter = _read(local, lambda live: pairs)
        assert (live.contacts.trusted_access, live.contacts.read) == (False, ((management, "security"),))
        assert counter.counts["GetAlternateContact"] == 1

        org.enable_aws_service_access(ServicePrincipal="account.amazonaws.com")
        local.session().client("account", region_name="us-east-1").put_alternate_contact(
            AccountId=member, AlternateContactType="BILLING", Name="Bill", Title="Finance",
            EmailAddress="bill@example.com", PhoneNumber="555 0100")
        live, counter = _read(local, lambda live: pairs)
        assert counter.counts["GetAlternateContact"] == 3
        assert counter.counts["ListAWSServiceAccessForOrganization"] == 1
        assert live.contacts.contacts == {
            management: {"security": None},
            member: {"billing": {"name": "Bill", "title": "Finance", "email": "bill@example.com", "phone": "555 0100"},
                     "security": None},
        }
