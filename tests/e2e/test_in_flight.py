"""Operations left in progress in AWS by a killed apply (or by someone else) are found by the
plan and waited for, within deadlines; nothing that depends on them starts before they end.

A "killed apply" is simulated by starting the operation directly with boto3 against the
embedded local AWS, then running vend's plan and apply.
"""
from __future__ import annotations

import time
from pathlib import Path

import yaml

import pytest

from tests.e2e.test_control_tower import FAST, add_accounts, local, plan_of, run


@pytest.fixture
def ct_example(example):
    repo = example
    settings = repo / "vend.yaml"
    settings.write_text(settings.read_text().replace("account_factory: organizations", "account_factory: control-tower"))
    return repo
from vending import engine
from vending.apply import accounts as account_applier
from vending.apply.context import ApplyContext, Polling
from vending.aws.clients import AwsClients
from vending.local import LocalAws
from vending.model.loader import load
from vending.plan.changes import Action, Kind

CT_BASELINE = "arn:aws:controltower:us-east-1::baseline/17BSJV3IGJ2QSGA2"


class Clock:
    """A fake clock: sleeping advances it, so hour-long deadlines pass in milliseconds."""

    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def time(self) -> float:
        return self.now


def add_ou(repo: Path, name: str, accounts: int) -> None:
    """OU `name` with accounts <name>-00, <name>-01, ..."""
    (repo / "ous" / name).mkdir()
    (repo / "ous" / name / "ou.yaml").write_text(yaml.safe_dump({"description": f"{name} OU"}))
    for i in range(accounts):
        account = f"{name.lower()}-{i:02}"
        (repo / "accounts" / f"{account}.yaml").write_text(yaml.safe_dump({
            "name": account, "email": f"aws+{account}@example.com", "ou": name, "owner": "team@example.com",
            "tags": {"cost-center": "teams", "environment": "sandbox"},
        }))


def start_enable_baseline(aws: LocalAws, repo: Path, ou_name: str, *, parent: str | None = None) -> str:
    """What an apply killed right after EnableBaseline had sent: the OU exists, its
    registration is IN_PROGRESS, and nobody is reading the operation."""
    org = aws.session().client("organizations")
    live = engine.read_live(AwsClients(aws.session()), load(repo).settings)
    ou_id = org.create_organizational_unit(ParentId=parent or live.root.id, Name=ou_name)["OrganizationalUnit"]["Id"]
    ct = aws.session().client("controltower")
    return ct.enable_baseline(
        baselineIdentifier=CT_BASELINE, baselineVersion="4.0", targetIdentifier=live.ou_arn(ou_id),
        parameters=[{"key": "IdentityCenterEnabledBaselineArn", "value": live.control_tower.identity_center_baseline}],
    )["operationIdentifier"]


def test_a_registration_left_in_progress_is_waited_for_before_its_accounts_are_vended(ct_example):
    with local(ct_example, operation_polls=6) as aws:
        assert run(ct_example, aws)[1].ok
        add_ou(ct_example, "Lab", 2)
        add_ou(ct_example, "Lab2", 1)  # registered by vend: must wait for Lab's operation too
        operation = start_enable_baseline(aws, ct_example, "Lab")
        plan = plan_of(ct_example, aws)
        changes = {c.address: c for c in plan.changes}
        wait = changes["ou_registration:Lab"]
        assert (wait.action, wait.after["operation"]) == (Action.UPDATE, operation)
        assert "ou_registration:Lab" in changes["account:lab-00"].depends_on
        started = time.monotonic()
        _, report = run(ct_example, aws)
        assert report.ok, [o for o in report.outcomes if o.status != "applied"]
        assert time.monotonic() - started < 60
        assert plan_of(ct_example, aws).changes == []


def test_an_ou_operation_of_someone_else_holds_the_slot_until_it_ends(ct_example):
    """An operation on an OU vend does not manage: the registration vend needs waits for it
    (reading it), instead of retrying ConflictException blindly."""
    with local(ct_example, operation_polls=6) as aws:
        assert run(ct_example, aws)[1].ok
        add_ou(ct_example, "Lab", 1)
        start_enable_baseline(aws, ct_example, "Elsewhere")  # not in YAML
        _, report = run(ct_example, aws)
        assert report.ok, [o for o in report.outcomes if o.status != "applied"]
        assert [c.address for c in plan_of(ct_example, aws).changes] == []


def test_an_operation_that_never_ends_gives_up_at_its_deadline_with_what_to_do(ct_example):
    with local(ct_example) as aws:
        assert run(ct_example, aws)[1].ok
    with local(ct_example, operation_polls=10**6) as aws:  # the same organization, slower
        add_ou(ct_example, "Lab", 1)
        operation = start_enable_baseline(aws, ct_example, "Lab")
        desired = load(ct_example)
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        clock = Clock()
        polling = Polling(first_delay=5, max_delay=30, sleep=clock.sleep, clock=clock.time)
        ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=polling, live=live)
        started = time.monotonic()
        report = engine.apply(plan, ctx, desired.settings)
        assert time.monotonic() - started < 30
        status = {o.address: (o.status, o.detail) for o in report.outcomes}
        assert status["ou_registration:Lab"] == ("failed", (
            f"Control Tower operation {operation} on Lab still IN_PROGRESS after 60 min;"
            " it continues in AWS; rerun vend apply to pick it up"))
        assert status["account:lab-00"] == ("skipped", "prerequisite ou_registration:Lab did not apply")
        # The next run finds the same operation again and waits for it (no second EnableBaseline).
        again = {c.address: c for c in plan_of(ct_example, aws).changes}["ou_registration:Lab"]
        assert again.after["operation"] == operation


def test_resuming_five_create_account_requests_never_asks_for_a_sixth(example, monkeypatch):
    refused: list[str] = []
    original = account_applier._start

    def counted(ctx, name, email):
        try:
            return original(ctx, name, email)
        except account_applier.Refused as exc:
            refused.append(exc.reason)
            raise

    monkeypatch.setattr(account_applier, "_start", counted)
    add_accounts(example, 8)
    with LocalAws(example / ".vend", create_account_polls=4) as aws:
        org = aws.session().client("organizations")
        for i in range(3, 8):  # an apply killed with five requests in progress
            org.create_account(Email=f"aws+team-{i:02}@example.com", AccountName=f"team-{i:02}")
        _, report = run(example, aws)
        assert report.ok, [o for o in report.outcomes if o.status != "applied"]
        assert refused == []
        emails = [a["Email"] for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]]
        assert all(emails.count(f"aws+team-{i:02}@example.com") == 1 for i in range(8))
        assert plan_of(example, aws).changes == []


def test_a_create_account_refused_for_the_rate_limit_is_waited_out(example):
    """Five requests the plan did not see (started after it): the refusal is waited out."""
    add_accounts(example, 1)
    with LocalAws(example / ".vend", create_account_polls=3) as aws:
        desired = load(example)
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        org = aws.session().client("organizations")
        for i in range(5):
            org.create_account(Email=f"other-{i}@example.com", AccountName=f"other-{i}")
        ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=FAST, live=live)
        report = engine.apply(plan, ctx, desired.settings)
        assert report.ok, [o for o in report.outcomes if o.status != "applied"]


def test_the_rate_limit_wait_ends_at_its_deadline(example):
    add_accounts(example, 1)
    with LocalAws(example / ".vend", create_account_polls=10**6) as aws:
        org = aws.session().client("organizations")
        for i in range(5):
            org.create_account(Email=f"other-{i}@example.com", AccountName=f"other-{i}")
        desired = load(example)
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        clock = Clock()
        polling = Polling(first_delay=5, max_delay=30, sleep=clock.sleep, clock=clock.time)
        ctx = ApplyContext(live, clients, polling, desired.settings.home_region)
        change = next(c for c in plan.changes if c.address == "account:team-00")
        try:
            account_applier.create_account(change, ctx)
        except account_applier.ApplyFailure as failure:
            message = str(failure)
        assert message == (
            "CreateAccount for aws+team-00@example.com still refused after 30 min:"
            " ConstraintViolationException ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED (You attempted to"
            " exceed the number of accounts that can be in progress at a time.); five other"
            " requests are in progress (or the daily limit is reached); rerun vend apply later"
        )


def test_account_factory_busy_with_other_work_is_waited_out_within_the_apply(ct_example):
    with local(ct_example, provisioning_polls=3) as aws:
        assert run(ct_example, aws)[1].ok
        add_accounts(ct_example, 2)
        desired = load(ct_example)
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        sc = aws.session().client("servicecatalog")
        sandbox = next(ou for ou in live.ous.values() if ou.path == ("Sandbox",))
        for i in range(5):  # other Control Tower work, started after the plan: all five slots
            sc.provision_product(
                ProductId=live.control_tower.product_id, ProvisioningArtifactId=live.control_tower.artifact_id,
                ProvisionedProductName=f"other-{i}", ProvisioningParameters=[
                    {"Key": "AccountName", "Value": f"other-{i}"}, {"Key": "AccountEmail", "Value": f"other-{i}@example.com"},
                    {"Key": "ManagedOrganizationalUnit", "Value": f"Sandbox ({sandbox.id})"},
                    {"Key": "SSOUserEmail", "Value": f"other-{i}@example.com"},
                    {"Key": "SSOUserFirstName", "Value": "O"}, {"Key": "SSOUserLastName", "Value": "T"}])
        ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=FAST, live=live)
        report = engine.apply(plan, ctx, desired.settings)
        assert report.ok, [o for o in report.outcomes if o.status != "applied"]
        assert [c.address for c in plan_of(ct_example, aws).changes] == []


def test_a_failed_product_without_an_account_converges(ct_example):
    """Vended into an OU whose registration had not finished, the product is left ERROR with
    no account; the next apply replaces it instead of updating it forever."""
    with local(ct_example) as aws:
        assert run(ct_example, aws)[1].ok
        add_accounts(ct_example, 1)
        aws.faults.provisioning("FAILED", account_name="team-00", message="The parent organizational unit is not enrolled")
        _, report = run(ct_example, aws)
        assert [o.address for o in report.outcomes if o.status == "failed"] == ["account:team-00"]
        retry = {c.address: c for c in plan_of(ct_example, aws).changes}["account:team-00"]
        assert (retry.kind, retry.action) == (Kind.FACTORY_ACCOUNT, Action.CREATE) and retry.after["replaces"]
        _, report = run(ct_example, aws)
        assert report.ok, [o for o in report.outcomes if o.status != "applied"]
        assert plan_of(ct_example, aws).changes == []


def test_a_landing_zone_under_account_factory_organizations_is_a_plan_error(ct_example, vend):
    with local(ct_example):
        pass  # the organization now has a Control Tower landing zone
    settings = ct_example / "vend.yaml"
    settings.write_text(settings.read_text().replace("account_factory: control-tower", "account_factory: organizations"))
    planned = vend(ct_example, "plan")
    assert planned.code == 1
    zone = planned.err.split("landing zone (", 1)[1].split(")", 1)[0]
    assert zone.startswith("arn:aws:controltower:us-east-1:")
    line = planned.err.split("vend.yaml:", 1)[1].split(":", 1)[0]  # where the loader places it
    assert line.isdigit()
    assert planned.err == (
        "Error: the repository cannot be applied to this organization:\n"
        f"  - vend.yaml:{line}: account_factory: organizations, but this organization has a Control Tower"
        f" landing zone ({zone}); vend would create and move accounts behind Control Tower's back."
        " Set account_factory: control-tower in vend.yaml\n"
    )


def test_landing_zone_check_tolerates_no_access_and_no_endpoint():
    from botocore.exceptions import ClientError, EndpointConnectionError

    from vending.state.control_tower import landing_zone

    class Denied:
        def list_landing_zones(self, **_):
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "ListLandingZones")

    class Nowhere:
        def list_landing_zones(self, **_):
            raise EndpointConnectionError(endpoint_url="https://controltower.xx-east-1.amazonaws.com")

    assert landing_zone(Denied()) is None and landing_zone(Nowhere()) is None


def test_a_create_account_that_never_ends_gives_up_after_15_minutes_and_is_resumed(example):
    add_accounts(example, 1)
    with LocalAws(example / ".vend", create_account_polls=10**6) as aws:
        desired = load(example)
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        clock = Clock()
        ctx = ApplyContext(live, clients, Polling(sleep=clock.sleep, clock=clock.time), desired.settings.home_region)
        change = next(c for c in plan.changes if c.address == "account:team-00")
        try:
            account_applier.create_account(change, ctx)
        except account_applier.ApplyFailure as failure:
            message = str(failure)
        request = message.split()[2]
        assert request.startswith("car-")
        assert message == (
            f"CreateAccount request {request} still IN_PROGRESS after 15 min; it continues in AWS;"
            " rerun vend apply to pick it up"
        )
        resumed = {c.address: c for c in plan_of(example, aws).changes}["account:team-00"]
        assert resumed.after["pending_request"] == request


def test_an_account_factory_record_that_never_ends_gives_up_after_60_minutes(ct_example):
    with local(ct_example) as aws:
        assert run(ct_example, aws)[1].ok
    add_accounts(ct_example, 1)
    with local(ct_example, provisioning_polls=10**6) as aws:
        desired = load(ct_example)
        clients = AwsClients(aws.session())
        plan, live = engine.plan(desired, clients, git_commit=None, target="t")
        clock = Clock()
        polling = Polling(first_delay=5, max_delay=30, sleep=clock.sleep, clock=clock.time)
        ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=polling, live=live)
        status = {o.address: o for o in engine.apply(plan, ctx, desired.settings).outcomes}
        detail = status["account:team-00"].detail
        record = detail.split("(record ", 1)[1].split(")", 1)[0]
        assert detail == (
            f"provisioning vend-team-00 (record {record}) still IN_PROGRESS after 60 min; it continues"
            " in AWS; rerun vend apply to pick it up"
        )
        resumed = {c.address: c for c in plan_of(ct_example, aws).changes}["account:team-00"]
        assert resumed.after.get("in_flight") and "still running" in resumed.reason


def test_a_replacement_killed_after_the_termination_converges(ct_example):
    """The failed product was terminated, then the apply died: the provision token's first
    attempt replays as FAILED, so vend starts a fresh one."""
    with local(ct_example) as aws:
        assert run(ct_example, aws)[1].ok
        add_accounts(ct_example, 1)
        aws.faults.provisioning("FAILED", account_name="team-00", message="not enrolled")
        assert not run(ct_example, aws)[1].ok
        sc = aws.session().client("servicecatalog")
        product = sc.describe_provisioned_product(Name="vend-team-00")["ProvisionedProductDetail"]
        record = sc.terminate_provisioned_product(ProvisionedProductId=product["Id"], IgnoreErrors=True)
        while sc.describe_record(Id=record["RecordDetail"]["RecordId"])["RecordDetail"]["Status"] != "SUCCEEDED":
            pass
        _, report = run(ct_example, aws)
        assert report.ok, [o for o in report.outcomes if o.status != "applied"]
        assert plan_of(ct_example, aws).changes == []
