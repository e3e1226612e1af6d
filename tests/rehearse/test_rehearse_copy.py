"""The scratch copy reads back as the organization it copies: same ids, same fingerprint."""
from __future__ import annotations

from dataclasses import replace

from tests.bench.synthetic import generate, live_org
from vending import engine
from vending.aws.clients import AwsClients
from vending.local import LocalAws
from vending.model.live import (
    EnabledBaseline,
    EnabledControl,
    LiveControlTower,
    PendingCreation,
    ProvisionedAccount,
)
from vending.model.live_baselines import LiveBaselines
from vending.model.live_budgets import LiveAlert, LiveBudget, LiveBudgets, subscribers_digest
from vending.model.live_catalog import LiveCatalog, LiveTagOption
from vending.model.live_settings import LiveContacts
from vending.model.types import OrgSettings, Target
from vending.rehearse import copy

MANAGEMENT = "210987654321"
SETTINGS = OrgSettings(home_region="us-east-1", governed_regions=("us-east-1",), account_factory="organizations",
                       target=Target(), required_tags=(), quarantine_ou=("Suspended",))


def a_live_org():
    """A synthetic organization (tags on the root and OUs, SCPs and a tag policy attached at
    every level, suspended accounts) under another management account than the emulator's."""
    live = _with_root_id(live_org(generate(accounts=24, ous=9)), "r-b3nc")  # AWS's root id form
    accounts = {}
    for account in live.accounts.values():
        account_id = MANAGEMENT if account.id == "123456789012" else account.id
        accounts[account_id] = replace(account, id=account_id)
    first = next(a for a in accounts.values() if a.id != MANAGEMENT)
    accounts[first.id] = replace(first, status="SUSPENDED")
    root = replace(live.root, tags={"owner": "platform"})
    # vend never fetches AWS-managed documents (vending.state.organizations): read as "".
    policies = {i: replace(p, content="") if p.aws_managed else p for i, p in live.policies.items()}
    member = next(a.id for a in accounts.values() if a.id != MANAGEMENT and a.status == "ACTIVE")
    security = {"name": "Sec Ops", "title": "Security", "email": "sec@example.com", "phone": "+1 206 555 0100"}
    contacts = LiveContacts(trusted_access=True,
                            read=tuple(sorted([(MANAGEMENT, "billing"), (member, "operations"), (member, "security")])),
                            contacts={MANAGEMENT: {"billing": dict(security, name="Billing")},
                                      member: {"operations": None, "security": security}})
    catalog = LiveCatalog(tag_options=(LiveTagOption("tag-abcdefghijklm", "environment", "development", True),
                                       LiveTagOption("tag-nopqrstuvwxyz", "environment", "legacy", False)))
    return replace(live, management_account_id=MANAGEMENT, accounts=accounts, root=root, policies=policies,
                   baselines=LiveBaselines(region="us-east-1", trusted_access=True), contacts=contacts,
                   catalog=catalog)


def _read(clients, live):
    """The copy read back with the scope the rehearsal uses (the pairs read, the hub's TagOptions)."""
    return engine.read_live(clients, SETTINGS, baselines=True, contacts=lambda _: list(live.contacts.read),
                            catalog=True)


def _with_root_id(live, root_id):
    old = live.root.id
    ous = {i: replace(ou, parent_id=root_id if ou.parent_id == old else ou.parent_id) for i, ou in live.ous.items()}
    accounts = {i: replace(a, parent_id=root_id if a.parent_id == old else a.parent_id)
                for i, a in live.accounts.items()}
    return replace(live, root=replace(live.root, id=root_id), ous=ous, accounts=accounts)


def test_a_copy_reads_back_with_the_same_ids_and_fingerprint(tmp_path):
    live = a_live_org()
    with LocalAws(tmp_path / "scratch", management_account_id=MANAGEMENT) as aws:
        copied = copy.load(live, SETTINGS, aws.emulator)
        aws.save()
        clients = AwsClients(aws.session())
        back = _read(clients, live)
        assert aws.session().client("sts").get_caller_identity()["Account"] == MANAGEMENT
    assert back == live
    assert back.fingerprint() == live.fingerprint()
    assert copied == copy.Copied(ous=len(live.ous), accounts=24, policies=5,
                                 attachments=sum(len(ids) for node in (live.root, *live.ous.values())
                                                 for ids in node.policies.values()),
                                 trusted_access=True)
    # The copy is written: a new process (a new LocalAws on the same folder) sees it too.
    with LocalAws(tmp_path / "scratch", management_account_id=MANAGEMENT) as aws:
        again = _read(AwsClients(aws.session()), live)
    assert again.fingerprint() == live.fingerprint()


def test_the_parts_a_copy_cannot_reproduce_are_named():
    live = a_live_org()
    assert copy.gaps(live, SETTINGS) == []
    tower = LiveControlTower("arn:aws:controltower:us-east-1:210987654321:landingzone/1A2B", "3.3",
                             "ACTIVE", "arn:b", None, (), (), "prod-1", "pa-1",
                             (ProvisionedAccount("pp-1", "vend-team", "TAINTED", "InjectedFault: no"),))
    assert copy.gaps(replace(live, control_tower=tower), SETTINGS) == []  # settled: copied
    busy = replace(tower, enabled_baselines=(EnabledBaseline("arn:eb", "arn:b", "arn:ou", "UNDER_CHANGE"),),
                   enabled_controls=(EnabledControl("arn:c", "arn:ou", "SUCCEEDED"),),
                   provisioned=(ProvisionedAccount("pp-2", "vend-new", "UNDER_CHANGE"),))
    pending = (PendingCreation("car-0123456789abcdef0123456789abcdef", "new-team"),)
    assert copy.gaps(replace(live, control_tower=busy, pending_creations=pending), SETTINGS) == [
        "Control Tower operations still in progress (baseline arn:eb, provisioned product vend-new): wait for them",
        "CreateAccount requests still in progress (new-team): wait for them and rehearse again",
    ]


def test_a_copy_keeps_vends_budget_tags_so_its_budgets_read_back_the_same(tmp_path):
    live = a_live_org()
    member = next(a.id for a in live.accounts.values() if a.id != MANAGEMENT and a.status == "ACTIVE")
    alert = LiveAlert(spend="actual", threshold=80.0, recipients=("owner@example.com",), sns=())
    budget = LiveBudget(name=f"vend-{member}", budget_type="COST", amount=100.0, currency="USD", period="monthly",
                        linked_accounts=(member,), other_filters=False, alerts=(alert,),
                        digests=(("actual-80", subscribers_digest(["owner@example.com"])),))
    live = replace(live, budgets=LiveBudgets(budgets={budget.name: budget}, subscribers_read=True))
    with LocalAws(tmp_path / "scratch", management_account_id=MANAGEMENT) as aws:
        copy.load(live, SETTINGS, aws.emulator)
        back = engine.read_live(AwsClients(aws.session()), SETTINGS, budgets=True, budget_subscribers=True)
    assert back.budgets == live.budgets
