"""The example organization vended through Control Tower's Account Factory, offline."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
import yaml

from vending import engine
from vending.apply import registry
from vending.apply.context import Polling
from vending.aws.clients import AwsClients
from vending.local import LocalAws
from vending.model.loader import load
from vending.plan.changes import Action, Kind

FAST = Polling(first_delay=0.002, max_delay=0.002, timeout=60, max_polls=5000)
"""Real (tiny) sleeps between polls, so operations genuinely overlap in time."""


@pytest.fixture
def ct_example(example: Path) -> Path:
    settings = example / "vend.yaml"
    settings.write_text(settings.read_text().replace("account_factory: organizations", "account_factory: control-tower"))
    return example


def local(repo: Path, **options) -> LocalAws:
    return LocalAws(repo / ".vend", control_tower=True, **options)


def run(repo: Path, aws: LocalAws, *, allow_destroy: bool = False):
    """One plan and apply of the repository, as `vend apply --auto-approve` does."""
    desired = load(repo)
    clients = AwsClients(aws.session())
    plan, live = engine.plan(desired, clients, git_commit=None, target="t")
    ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=allow_destroy, polling=FAST, live=live)
    return plan, engine.apply(plan, ctx, desired.settings)


def plan_of(repo: Path, aws: LocalAws):
    return engine.plan(load(repo), AwsClients(aws.session()), git_commit=None, target="t")[0]


def add_accounts(repo: Path, count: int, ou: str = "Sandbox") -> None:
    for i in range(count):
        (repo / "accounts" / f"team-{i:02}.yaml").write_text(yaml.safe_dump({
            "name": f"team-{i:02}", "email": f"aws+team-{i:02}@example.com", "ou": ou, "owner": "team@example.com",
            "tags": {"cost-center": "teams", "environment": "sandbox"},
        }))


class InFlight:
    """Counts Account Factory operations running at once (wrapping the applier)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = self.peak = 0
        self.lock = threading.Lock()
        original = registry.APPLIERS[Kind.FACTORY_ACCOUNT]

        def counted(change, ctx):
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            try:
                return original(change, ctx)
            finally:
                with self.lock:
                    self.now -= 1

        monkeypatch.setitem(registry.APPLIERS, Kind.FACTORY_ACCOUNT, counted)


def test_example_org_is_vended_through_account_factory_and_converges(ct_example, vend):
    first = vend(ct_example, "plan", "--format", "json")
    assert first.code == 0, first.err
    applied = vend(ct_example, "apply", "--auto-approve")
    assert applied.code == 0, applied.err
    again = vend(ct_example, "plan", "--detailed-exitcode")
    assert again.code == 0, again.out


def test_first_plan_vends_new_accounts_registers_new_ous_and_adopts_enrolled_ones(ct_example):
    with local(ct_example) as aws:
        plan = plan_of(ct_example, aws)
    by_address = {c.address: c for c in plan.changes}
    vended = by_address["account:payments-dev"]
    assert (vended.kind, vended.action) == (Kind.FACTORY_ACCOUNT, Action.CREATE)
    assert vended.reason == "new account in accounts/payments-dev.yaml, vended through Account Factory in Workloads/Dev"
    assert "ou_registration:Workloads/Dev" in vended.depends_on
    # Log Archive and Audit were enrolled when the landing zone was set up: adopted, not vended.
    assert "account:log-archive" not in by_address and "account:Log Archive" not in by_address
    assert "ou_registration:Security" not in by_address


def test_twelve_accounts_are_vended_at_most_five_at_a_time(ct_example, monkeypatch):
    add_accounts(ct_example, 12)
    counter = InFlight(monkeypatch)
    with local(ct_example, provisioning_polls=1, provisioning_seconds=0.1) as aws:
        plan, report = run(ct_example, aws)
        assert report.ok, [o for o in report.outcomes if o.status != "applied"]
        assert plan_of(ct_example, aws).changes == []
    vended = [c for c in plan.changes if c.kind is Kind.FACTORY_ACCOUNT]
    assert len(vended) == 21  # the example's 9 new accounts and 12 more
    assert 1 < counter.peak <= 5  # concurrent, and never above the quota


def test_quota_of_ten_runs_ten_at_a_time(ct_example, monkeypatch):
    settings = ct_example / "vend.yaml"
    settings.write_text(settings.read_text() + "control_tower:\n  account_concurrency: 10\n")
    add_accounts(ct_example, 12)
    counter = InFlight(monkeypatch)
    with local(ct_example, provisioning_polls=1, provisioning_seconds=0.1, account_factory_quota=10) as aws:
        _, report = run(ct_example, aws)
    assert report.ok
    assert 5 < counter.peak <= 10  # the raised quota is used, and never exceeded


def test_moving_an_enrolled_account_updates_its_provisioned_product_never_move_account(ct_example, monkeypatch):
    from botocore.client import BaseClient

    with local(ct_example) as aws:
        run(ct_example, aws)
        path = ct_example / "accounts" / "payments-dev.yaml"
        path.write_text(path.read_text().replace("Workloads/Dev", "Workloads/Test"))
        calls: list[str] = []
        original = BaseClient._make_api_call
        monkeypatch.setattr(BaseClient, "_make_api_call", lambda self, op, params: calls.append(op) or original(self, op, params))
        plan, report = run(ct_example, aws)
        assert report.ok
        move = next(c for c in plan.changes if c.address == "account:payments-dev")
        assert (move.kind, move.action) == (Kind.FACTORY_ACCOUNT, Action.MOVE)
        assert "UpdateProvisionedProduct" in calls and "MoveAccount" not in calls
        org = aws.session().client("organizations")
        account_id = move.before["id"]
        parent = org.list_parents(ChildId=account_id)["Parents"][0]["Id"]
        assert org.describe_organizational_unit(OrganizationalUnitId=parent)["OrganizationalUnit"]["Name"] == "Test"


def test_a_tainted_product_is_shown_and_retried(ct_example):
    with local(ct_example) as aws:
        aws.faults.provisioning("TAINTED", account_name="payments-dev", message="StackSet instance failed")
        _, report = run(ct_example, aws)
        failed = [o for o in report.outcomes if o.status == "failed"]
        assert [o.address for o in failed] == ["account:payments-dev"]
        assert "StackSet instance failed" in failed[0].detail
        retry = {c.address: c for c in plan_of(ct_example, aws).changes}["account:payments-dev"]
        assert retry.action is Action.UPDATE
        assert retry.reason.startswith("provisioned product vend-payments-dev is TAINTED")
        _, report = run(ct_example, aws)
        assert report.ok
        assert plan_of(ct_example, aws).changes == []


def test_an_interrupted_provisioning_is_resumed_without_a_duplicate(ct_example):
    from vending.apply.account_factory import parameters, token
    from vending.apply.context import ApplyContext

    # Every Service Catalog read is a poll of every record in flight: enough polls that the
    # plan's own reads do not finish the interrupted one.
    with local(ct_example, provisioning_polls=20) as aws:
        run(ct_example, aws)
        (ct_example / "accounts" / "late.yaml").write_text(
            "name: late\nemail: aws+late@example.com\nou: Sandbox\nowner: t@example.com\n"
            "tags: {cost-center: x, environment: sandbox}\n")
        desired = load(ct_example)
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        create = next(c for c in plan.changes if c.address == "account:late")
        ctx = ApplyContext(live, clients, FAST, desired.settings.home_region)
        sc = aws.session().client("servicecatalog")
        sc.provision_product(  # what an apply that died right after ProvisionProduct had sent
            ProductId=live.control_tower.product_id, ProvisioningArtifactId=live.control_tower.artifact_id,
            ProvisionedProductName="vend-late", ProvisioningParameters=parameters(ctx, create.after),
            ProvisionToken=token("provision", "aws+late@example.com"))
        resumed = {c.address: c for c in plan_of(ct_example, aws).changes}["account:late"]
        assert "still running" in resumed.reason
        _, report = run(ct_example, aws)
        assert report.ok
        org = aws.session().client("organizations")
        emails = [a["Email"] for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]]
        assert emails.count("aws+late@example.com") == 1
        assert plan_of(ct_example, aws).changes == []


def test_suspending_unmanages_then_quarantines(ct_example):
    with local(ct_example) as aws:
        run(ct_example, aws)
        path = ct_example / "accounts" / "sandbox-bob.yaml"
        path.write_text(path.read_text() + "state: suspended\n")
        plan, report = run(ct_example, aws, allow_destroy=True)
        assert report.ok
        kinds = {c.address: (c.kind, c.action) for c in plan.changes}
        assert kinds["enrollment:sandbox-bob"] == (Kind.ENROLLMENT, Action.DELETE)
        assert kinds["account:sandbox-bob"] == (Kind.ACCOUNT, Action.MOVE)
        assert plan_of(ct_example, aws).changes == []


def test_controls_are_enabled_and_a_control_disabled_out_of_band_comes_back(ct_example):
    control = "AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS"
    ou_file = ct_example / "ous" / "Sandbox" / "ou.yaml"
    ou_file.write_text(ou_file.read_text() + f"controls:\n  - {control}\n")
    with local(ct_example) as aws:
        _, report = run(ct_example, aws)
        assert report.ok
        assert plan_of(ct_example, aws).changes == []
        ct = aws.session().client("controltower")
        live = engine.read_live(AwsClients(aws.session()), load(ct_example).settings)
        sandbox = next(ou for ou in live.ous.values() if ou.path == ("Sandbox",))
        operation = ct.disable_control(  # someone in the console
            controlIdentifier=f"arn:aws:controltower:us-east-1::control/{control}",
            targetIdentifier=live.ou_arn(sandbox.id))["operationIdentifier"]
        while ct.get_control_operation(operationIdentifier=operation)["controlOperation"]["status"] == "IN_PROGRESS":
            pass
        drift = {c.address: c for c in plan_of(ct_example, aws).changes}
        assert list(drift) == [f"control:{control}@Sandbox"]
        assert drift[f"control:{control}@Sandbox"].action is Action.CREATE
        _, report = run(ct_example, aws)
        assert report.ok and plan_of(ct_example, aws).changes == []


def test_accounts_created_before_control_tower_are_enrolled_not_created_again(example, vend):
    """An organization built with CreateAccount, then given a landing zone: vend enrolls every
    account through Account Factory (ProvisionProduct with the existing email) and converges."""
    assert vend(example, "apply", "--auto-approve").code == 0
    settings = example / "vend.yaml"
    settings.write_text(settings.read_text().replace("account_factory: organizations", "account_factory: control-tower"))
    with local(example) as aws:
        plan = plan_of(example, aws)
        enrolls = [c for c in plan.changes if c.kind is Kind.FACTORY_ACCOUNT]
        assert enrolls and all(c.action is Action.UPDATE and c.after["enrolled"] for c in enrolls)
        assert not [c for c in plan.changes if c.action is Action.CREATE and c.kind is Kind.FACTORY_ACCOUNT]
        _, report = run(example, aws)
        assert report.ok, [o for o in report.outcomes if o.status != "applied"]
        assert plan_of(example, aws).changes == []
        org = aws.session().client("organizations")
        emails = [a["Email"] for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]]
        assert len(emails) == len(set(emails)) == 12
