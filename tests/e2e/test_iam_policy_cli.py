"""`vend iam-policy plan|apply` prints the policy documents, with vend.yaml's resources."""
from __future__ import annotations

import json
from pathlib import Path

from vending.aws.clients import is_read_operation
from vending.iam_policy.operations import BUDGETS_VIEW, NO_PERMISSION, READS, WRITES, iam_action
from vending.local import LocalAws


def _settings(example: Path, extra: str) -> None:
    (example / "vend.yaml").write_text((example / "vend.yaml").read_text() + extra)


def test_the_plan_policy_is_read_only_and_allows_every_read(example: Path, vend) -> None:
    result = vend(example, "iam-policy", "plan")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    allowed = {a for s in document["Statement"] for a in s["Action"]}
    # Budgets authorizes its Describe calls with budgets:ViewBudget (operations.iam_action)
    assert all(is_read_operation(a.split(":")[1]) or a == BUDGETS_VIEW for a in allowed), allowed
    by_sid = {s["Sid"]: s for s in document["Statement"]}
    lock = by_sid["ReadApplyLock"]  # vend plan's note on a held lock
    assert (lock["Action"], lock["Resource"]) == (["s3:GetObject", "s3:ListBucket"], [
        "arn:aws:s3:::vend-lock-*", "arn:aws:s3:::vend-lock-*/vend/apply.lock"])
    snapshot = by_sid["LiveSnapshot"]  # the live snapshot next to the lock (vending.snapshot_store)
    assert (snapshot["Action"], snapshot["Resource"]) == (["s3:GetObject"], [
        "arn:aws:s3:::vend-lock-*/vend/live-snapshot.json", "arn:aws:s3:::vend-lock-*/vend/last-apply.json"])
    others = [s for s in document["Statement"] if s is not lock and s is not snapshot]
    assert {a for s in others for a in s["Action"]} == {
        iam_action(op) for module, ops in READS.items() if module != "vending.snapshot_store" for op in ops} - NO_PERMISSION
    assert {s["Resource"] for s in others} == {"*"}


def test_the_apply_policy_names_the_lock_and_template_buckets_of_vend_yaml(example: Path, vend) -> None:
    _settings(example, "template_bucket: acme-templates\nlock: {bucket: acme-lock, key: org/apply.lock}\n")
    result = vend(example, "iam-policy", "apply")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    by_sid = {s["Sid"]: s for s in document["Statement"]}
    assert by_sid["ApplyLock"]["Resource"] == "arn:aws:s3:::acme-lock/org/apply.lock"
    assert by_sid["ApplyLock"]["Action"] == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    assert by_sid["TemplateBucket"]["Resource"] == "arn:aws:s3:::acme-templates/*"
    # the apply marker beside the lock, which the next incremental plan reads (vending.refresh)
    assert (by_sid["ApplyMarker"]["Action"], by_sid["ApplyMarker"]["Resource"]) == (
        ["s3:PutObject"], "arn:aws:s3:::acme-lock/org/last-apply.json")
    assert by_sid["LiveSnapshot"]["Resource"] == [
        "arn:aws:s3:::acme-lock/org/live-snapshot.json", "arn:aws:s3:::acme-lock/org/last-apply.json"]
    assert set(WRITES["vending.apply.organizations"]) <= set(by_sid["Organizations"]["Action"])
    with LocalAws(example / ".vend") as local:  # IAM takes it as a policy document
        iam = local.session().client("iam")
        arn = iam.create_policy(PolicyName="vend-apply", PolicyDocument=result.out)["Policy"]["Arn"]
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        stored = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    assert (json.loads(stored) if isinstance(stored, str) else stored) == document


def test_the_stacksets_delegated_admins_role_may_be_assumed(example: Path, vend) -> None:
    role = "arn:aws:iam::222222222222:role/VendStackSets"
    _settings(example, f'stacksets: {{delegated_admin: "222222222222", role_arn: {role}}}\n')
    for command in ("plan", "apply"):
        statements = json.loads(vend(example, "iam-policy", command).out)["Statement"]
        assert [s for s in statements if s["Sid"] == "AssumeStackSetsRole"] == [
            {"Sid": "AssumeStackSetsRole", "Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": role}]
