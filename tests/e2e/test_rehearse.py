"""`vend rehearse`: a plan applied to a scratch copy of the organization, never to the organization."""
from __future__ import annotations

import json
import shutil

from vending import engine
from vending.aws.clients import AwsClients, CallCounter, is_read_operation
from vending.local import LocalAws
from vending.model.loader import load
from vending.rehearse import run
from tests.e2e.conftest import REPO_ROOT, without_baselines

BIG_SCP_CHARS = 6000


def _live_fingerprint(repo):
    settings = load(repo).settings
    with LocalAws(repo / ".vend") as aws:
        return engine.read_live(AwsClients(aws.session()), settings, baselines=True).fingerprint()


def _observing(monkeypatch):
    """Every request sent to the real target, by operation."""
    calls = CallCounter()
    connect = run.connect
    monkeypatch.setattr(run, "connect", lambda settings, repo, observers=(): connect(
        settings, repo, observers=(*observers, calls)))
    return calls


def test_a_saved_plan_rehearses_cleanly_and_the_organization_is_only_read(example, vend, tmp_path, monkeypatch):
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--out", str(saved)).code == 0
    state = example / ".vend" / "local" / "state.pickle"
    before, snapshot = _live_fingerprint(example), state.read_bytes()
    calls = _observing(monkeypatch)

    result = vend(example, "rehearse", str(saved))

    assert result.code == 0, result.out + result.err
    changes = len(json.loads(saved.read_text())["changes"])
    assert f"Applied {changes} of {changes} change(s); 0 refused, 0 skipped." in result.out
    assert "\nNo changes. Your organization matches the repository.\n" in result.out
    assert "target:      a copy of local emulator (.vend)" in result.out
    assert calls.total > 0 and sorted(op for op in calls.counts if not is_read_operation(op)) == []
    assert state.read_bytes() == snapshot  # nothing written, not even a read that moved time on
    assert _live_fingerprint(example) == before
    plan_again = vend(example, "plan", "--detailed-exitcode")
    assert plan_again.code == 2  # the real organization still has every change to make


def test_a_change_the_emulator_refuses_is_reported_with_aws_error_and_the_end_plan(example, vend, tmp_path):
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--out", str(saved)).code == 0
    plan = json.loads(saved.read_text())
    # A plan.json made by other means (edited, another tool) with an SCP over AWS's 5,120 characters.
    change = next(c for c in plan["changes"] if c["address"] == "policy:scp/deny-unapproved-regions")
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Big", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "x" * BIG_SCP_CHARS}}}]}
    change["after"]["content"] = json.dumps(document)
    saved.write_text(json.dumps(plan))

    result = vend(example, "rehearse", str(saved))

    assert result.code == 1
    assert ("\nRefused by the emulator, as AWS answers:\n"
            "  policy:scp/deny-unapproved-regions: CreatePolicy -> ConstraintViolationException:"
            " You attempted to create a policy that is larger than the maximum size.\n") in result.out
    skipped = result.out.split("Skipped (a change they depend on was refused):\n")[1].split("\n\n")[0]
    assert skipped.splitlines() == [
        f"  policy_attachment:scp/deny-unapproved-regions@{ou}" for ou in ("Infrastructure", "Sandbox", "Workloads")]
    changes = len(plan["changes"])
    assert f"Applied {changes - 4} of {changes} change(s); 1 refused, 3 skipped." in result.out
    end_plan = result.out.split("Plan of the rehearsed end state:\n")[1]
    assert "+ policy:scp/deny-unapproved-regions" in end_plan
    assert "Plan: 4 to add, 0 to change, 0 to destroy." in end_plan


def test_a_stale_plan_is_refused_as_vend_apply_refuses_it(example, vend, tmp_path):
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--out", str(saved)).code == 0
    with LocalAws(example / ".vend") as aws:
        org = aws.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        console = org.create_organizational_unit(ParentId=root, Name="Console")["OrganizationalUnit"]["Id"]

    result = vend(example, "rehearse", str(saved))

    assert (result.code, result.out) == (1, "")
    assert result.err.startswith(
        "Error: plan is stale, run vend plan again: the organization changed since the plan was computed"
        f" (plan {json.loads(saved.read_text())['fingerprint'][:19]}, now sha256:")
    assert result.err.endswith(f"): OU Console ({console}) is new\n")
    assert vend(example, "apply", str(saved)).err == result.err  # word for word what apply says


def test_an_organization_with_stack_sets_is_copied_and_a_baseline_update_rehearses(example, vend, tmp_path):
    assert vend(example, "apply", "--auto-approve").code == 0
    baseline = example / "baselines" / "vpc" / "baseline.yaml"
    baseline.write_text(baseline.read_text().replace("FlowLogTraffic: REJECT", "FlowLogTraffic: ALL"))
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--out", str(saved)).code == 0
    assert [c["address"] for c in json.loads(saved.read_text())["changes"]] == ["stack_set:vpc"]
    before = _live_fingerprint(example)

    result = vend(example, "rehearse", str(saved))

    assert result.code == 0, result.out + result.err
    assert ", StackSets trusted access, 3 stack set(s) with " in result.out.splitlines()[0]
    assert "Applied 1 of 1 change(s); 0 refused, 0 skipped." in result.out
    assert "\nNo changes. Your organization matches the repository.\n" in result.out
    assert _live_fingerprint(example) == before
    assert vend(example, "plan", "--detailed-exitcode").code == 2


def test_an_organization_with_a_catalog_is_copied_and_a_portfolio_change_rehearses(example, vend, tmp_path):
    """The hub's products, versions, portfolios, constraints and shares are copied under their
    live ids: the copy reads back as read, and a saved plan that changes a constraint and shares
    a portfolio with one more OU applies there."""
    shutil.copytree(REPO_ROOT / "catalog", example / "catalog")
    assert vend(example, "apply", "--auto-approve").code == 0
    portfolio = example / "catalog" / "portfolios" / "dev-builders.yaml"
    portfolio.write_text(portfolio.read_text().replace("StorageClass: [STANDARD]", "StorageClass: [STANDARD, STANDARD_IA]")
                         .replace("  - ou: Workloads/Dev\n", "  - ou: Workloads/Dev\n  - ou: Sandbox\n"))
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--out", str(saved)).code == 0
    addresses = [c["address"] for c in json.loads(saved.read_text())["changes"]]
    assert addresses == ["catalog_constraint:dev-builders/s3-bucket/template", "portfolio_share:dev-builders@ou:Sandbox"]
    before = _live_fingerprint(example)

    result = vend(example, "rehearse", str(saved))

    assert result.code == 0, result.out + result.err
    assert "Applied 2 of 2 change(s); 0 refused, 0 skipped." in result.out
    assert "\nNo changes. Your organization matches the repository.\n" in result.out
    assert _live_fingerprint(example) == before


def _control_tower(repo):
    """The repository (without its baselines: quicker) vended through Account Factory, on a
    local organization with a fresh landing zone (the Security OU registered, two enrolled)."""
    without_baselines(repo)
    settings = repo / "vend.yaml"
    settings.write_text(settings.read_text().replace("account_factory: organizations", "account_factory: control-tower"))
    with LocalAws(repo / ".vend", control_tower=True) as aws:
        return aws.landing_zone()


def test_a_control_tower_plan_rehearses_through_account_factory(example, vend, tmp_path, monkeypatch):
    _control_tower(example)
    assert vend(example, "apply", "--auto-approve").code == 0
    sandbox = example / "ous" / "Sandbox" / "ou.yaml"
    sandbox.write_text(sandbox.read_text() + "controls: [AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS]\n")
    (example / "ous" / "Workloads" / "QA").mkdir()
    (example / "ous" / "Workloads" / "QA" / "ou.yaml").write_text("description: Quality assurance.\n")
    (example / "accounts" / "qa-team.yaml").write_text(
        "name: qa-team\nemail: aws+qa-team@example.com\nou: Workloads/QA\nowner: qa@example.com\n"
        "tags: {cost-center: analytics, environment: test}\n")
    moved = example / "accounts" / "payments-dev.yaml"
    moved.write_text(moved.read_text().replace("ou: Workloads/Dev", "ou: Workloads/Test"))
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--out", str(saved)).code == 0
    kinds = {c["address"]: (c["kind"], c["action"]) for c in json.loads(saved.read_text())["changes"]}
    assert {a: kinds[a] for a in ("account:qa-team", "ou_registration:Workloads/QA", "account:payments-dev",
                                  "control:AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS@Sandbox")} == {
        "account:qa-team": ("factory_account", "create"), "ou_registration:Workloads/QA": ("ou_registration", "create"),
        "account:payments-dev": ("factory_account", "move"),
        "control:AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS@Sandbox": ("control", "create")}
    before = _live_fingerprint(example)
    calls = _observing(monkeypatch)

    result = vend(example, "rehearse", str(saved))

    assert result.code == 0, result.out + result.err
    assert result.out.splitlines()[0].endswith(", the Control Tower landing zone and its Account Factory.")
    assert f"Applied {len(kinds)} of {len(kinds)} change(s); 0 refused, 0 skipped." in result.out
    assert "\nNo changes. Your organization matches the repository.\n" in result.out
    assert sorted(op for op in calls.counts if not is_read_operation(op)) == []
    assert calls.counts["GetProvisionedProductOutputs"] >= len(kinds)  # which account each product manages
    assert _live_fingerprint(example) == before
    assert vend(example, "plan", "--detailed-exitcode").code == 2


def test_a_control_on_an_unregistered_ou_is_refused_as_control_tower_refuses_it(example, vend, tmp_path):
    _control_tower(example)
    sandbox = example / "ous" / "Sandbox" / "ou.yaml"
    sandbox.write_text(sandbox.read_text() + "controls: [AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS]\n")
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--out", str(saved)).code == 0
    plan = json.loads(saved.read_text())
    # A plan.json edited by hand: Sandbox is no longer registered before its control is enabled.
    registration = "ou_registration:Sandbox"
    plan["changes"] = [c for c in plan["changes"] if c["address"] != registration]
    for change in plan["changes"]:
        change["depends_on"] = [d for d in change["depends_on"] if d != registration]
    plan["order"] = [[a for a in level if a != registration] for level in plan["order"]]
    saved.write_text(json.dumps(plan))

    result = vend(example, "rehearse", str(saved))

    assert result.code == 1
    refused = result.out.split("Refused by the emulator, as AWS answers:\n")[1].split("\n\n")[0].splitlines()
    with LocalAws(example / ".vend") as aws:
        live = engine.read_live(AwsClients(aws.session()), load(example).settings)
    assert "ou:Sandbox" not in [ou.path for ou in live.ous.values()]  # the real organization: untouched
    control = ("  control:AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS@Sandbox: EnableControl -> ResourceNotFoundException:"
               " Organizational unit ou-")
    assert [line for line in refused if line.startswith(control)] == [
        line for line in refused if line.startswith("  control:")]
    line = next(line for line in refused if line.startswith("  control:"))
    assert line.endswith(" is not registered with AWS Control Tower.")
    # Accounts vended into Sandbox fail as Account Factory fails them (a FAILED record).
    assert sorted(r.split(":")[1] for r in refused if r.startswith("  account:")) == ["sandbox-alice", "sandbox-bob"], refused
    assert "not enrolled in AWS Control Tower" in next(r for r in refused if r.startswith("  account:sandbox-alice"))
    end_plan = result.out.split("Plan of the rehearsed end state:\n")[1]
    assert "+ ou_registration:Sandbox" in end_plan


def test_vend_yaml_faults_run_in_the_rehearsal_too(example, vend):
    settings = example / "vend.yaml"
    settings.write_text(settings.read_text().replace(
        "  state_dir: .vend\n",
        "  state_dir: .vend\n  faults:\n    fail: [{operation: CreateOrganizationalUnit, on_call: 1}]\n"))

    result = vend(example, "rehearse")

    assert result.code == 1
    refused = result.out.split("Refused by the emulator, as AWS answers:\n")[1].split("\n\n")[0]
    assert len(refused.splitlines()) == 1
    assert refused.endswith(": CreateOrganizationalUnit -> ServiceException: Organizations can't complete your"
                            " request because of an internal service error. Try again later.")
    assert "1 refused" in result.out and "Plan of the rehearsed end state:" in result.out


def test_an_organization_with_license_grants_is_copied_and_a_new_grant_rehearses(example, vend, tmp_path):
    """License Manager's settings, licenses and grants are copied under their live ARNs: the copy
    reads back as read, and a saved plan granting the license to one more account applies there."""
    without_baselines(example)
    (example / "catalog").mkdir()
    shutil.copytree(REPO_ROOT / "catalog" / "licenses", example / "catalog" / "licenses")
    assert vend(example, "apply", "--auto-approve").code == 0
    grant = example / "catalog" / "licenses" / "observability-agent.yaml"
    grant.write_text(grant.read_text().replace("  - ou: Workloads/Prod\n",
                                               "  - ou: Workloads/Prod\n  - account: sandbox-bob\n"))
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--out", str(saved)).code == 0
    addresses = [c["address"] for c in json.loads(saved.read_text())["changes"]]
    assert addresses == ["license_grant:observability-agent@account:sandbox-bob"]
    before = _live_fingerprint(example)

    result = vend(example, "rehearse", str(saved))

    assert result.code == 0, result.out + result.err
    assert "Applied 1 of 1 change(s); 0 refused, 0 skipped." in result.out
    assert "\nNo changes. Your organization matches the repository.\n" in result.out
    assert _live_fingerprint(example) == before
