"""The apply lock end to end: one `vend apply` at a time per organization, a killed apply's
lock reported and broken with `vend force-unlock ID`, released on every other way out."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.e2e.test_local_target import _client, _serve, _stop
from tests.proofs.processes import killed_apply
from vending.apply.lock import ApplyLock, Holder, PlanRef
from vending.aws.clients import is_read_operation
from vending.local import LocalAws

REPO_ROOT = Path(__file__).resolve().parents[2]
BUCKET, KEY = "vend-lock-123456789012", "vend/apply.lock"
WHERE = f"s3://{BUCKET}/{KEY}"
HELD = "Error: another vend apply holds the lock of this organization"
TAKEN = datetime(2026, 11, 30, 9, 15, 0, tzinfo=timezone.utc)
UNLOCK = re.compile(r"break its lock with: vend force-unlock (\S+)$")

RACER = """
import os, sys, time
from pathlib import Path
from vending.cli import main  # imported before the start, so both race from the same line

go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.005)
sys.argv = ["vend", "--repo", sys.argv[2], "apply", "--auto-approve"]
main()
"""


def lock_object(repo: Path) -> bytes | None:
    """The lock object in the repository's local AWS, read as any S3 client would."""
    with LocalAws(repo / ".vend") as aws:
        try:
            return aws.session().client("s3").get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "NoSuchKey"
            return None


def hold(repo: Path, host: str = "ci-runner-7", pid: int = 4242) -> str:
    """Someone else's apply holds the lock; returns its id."""
    with LocalAws(repo / ".vend") as aws:
        lock = ApplyLock(aws.session().client("s3"), BUCKET, KEY, clock=lambda: TAKEN)
        holder = Holder("arn:aws:sts::123456789012:assumed-role/vend-apply/build-17", "codebuild", host,
                        pid, "vend-apply:0f3e")
        return lock.acquire(holder, PlanRef("sha256:4f1d2c9a8b7e6d5c4b3a", "9c1e5b7d3a2f40aa", "plan.json")).id


@pytest.fixture
def calls(monkeypatch) -> list[str]:
    """Every AWS call this process makes, as service:Operation."""
    made: list[str] = []
    original = BaseClient._make_api_call

    def record(client: BaseClient, operation: str, params: dict) -> dict:
        made.append(f"{client.meta.service_model.endpoint_prefix}:{operation}")
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    return made


def test_two_concurrent_applies_exactly_one_proceeds_the_other_names_it(example, vend, tmp_path):
    child, url = _serve(example)
    try:
        settings = example / "vend.yaml"
        settings.write_text(settings.read_text().replace("  state_dir: .vend\n", f"  endpoint: {url}\n"))
        go = tmp_path / "go"
        racers = [subprocess.Popen([sys.executable, "-c", RACER, str(go), str(example)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}) for _ in range(2)]
        time.sleep(3)  # both have imported vend and wait for the start
        go.touch()
        results = [(racer, *racer.communicate(timeout=300)) for racer in racers]
        codes = sorted(racer.returncode for racer, _, _ in results)
        assert codes == [0, 1], [err for _, _, err in results]
        (winner, out, _), = [r for r in results if r[0].returncode == 0]
        (_, _, refused), = [r for r in results if r[0].returncode == 1]
        assert out.splitlines()[-1].startswith("Apply complete: ") and ", 0 failed" in out
        assert refused.startswith(f"{HELD} ({WHERE}): lock ")
        assert " by arn:aws:sts::123456789012:user/moto (user " in refused
        assert f"host {socket.gethostname()}, pid {winner.pid})" in refused
        assert "applying a plan computed under the lock" in refused
        assert "Nothing was read from or changed in the organization." in refused
        assert "Traceback" not in refused
        s3 = _client(url, "s3")
        with pytest.raises(ClientError, match="NoSuchKey"):  # the winner released it
            s3.get_object(Bucket=BUCKET, Key=KEY)
        assert vend(example, "plan", "--detailed-exitcode").code == 0
    finally:
        _stop(child)


def test_a_killed_apply_is_reported_and_only_its_id_breaks_the_lock(example, vend, tmp_path):
    assert vend(example, "plan").code == 0  # the landing zone exists: the apply's 1st change is the lock
    assert killed_apply(example, 1, tmp_path / "killed.log") == -signal.SIGKILL
    refused = vend(example, "apply", "--auto-approve")
    assert refused.code == 1 and refused.out == ""
    line = refused.err.strip()
    assert len(refused.err.strip().splitlines()) == 1 and line.startswith(f"{HELD} ({WHERE}): lock ")
    killed = re.search(r"host (\S+), pid (\d+)\), applying a plan computed under the lock \(pid (\d+) no longer runs"
                       r" on this host: that apply was killed\)\.", line)
    assert killed and killed.group(1) == socket.gethostname() and killed.group(2) == killed.group(3)
    assert re.search(r"taken \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ s ago\) by arn:aws:sts::123456789012:", line)
    lock_id = UNLOCK.search(line).group(1)

    wrong = vend(example, "force-unlock", "0b6f1a52-8d1e-4c7a-9f3e-2a5d4c3b1e07")
    assert wrong.code == 1
    assert wrong.err.startswith(f"Error: 0b6f1a52-8d1e-4c7a-9f3e-2a5d4c3b1e07 is not the apply lock in"
                                f" place at {WHERE}, which is lock {lock_id}, taken ")
    assert wrong.err.strip().endswith(f"nothing was unlocked. Break that one only if its apply no longer"
                                      f" runs: vend force-unlock {lock_id}")
    assert vend(example, "apply", "--auto-approve").code == 1  # still held

    broken = vend(example, "force-unlock", lock_id)
    assert broken.code == 0, broken.err
    assert broken.out.startswith(f"Released the apply lock at {WHERE}: lock {lock_id}, taken ")
    assert lock_object(example) is None
    again = vend(example, "force-unlock", lock_id)
    assert (again.code, again.err) == (1, f"Error: no apply lock is held at {WHERE}: nothing to unlock\n")

    resumed = vend(example, "apply", "--auto-approve")
    assert resumed.code == 0, resumed.err
    assert vend(example, "plan", "--detailed-exitcode").code == 0


def test_a_held_lock_fails_fast_without_touching_the_organization(example, vend, tmp_path, calls):
    planned = vend(example, "plan", "--out", str(tmp_path / "plan.json"))
    assert planned.code == 0
    lock_id = hold(example)
    calls.clear()
    for args in (["apply", str(tmp_path / "plan.json")], ["apply", "--auto-approve"]):
        refused = vend(example, *args)
        assert refused.code == 1 and refused.out == ""
        assert re.sub(r"\(\d+ (s|min|h|days) ago\)", "(AGE ago)", refused.err) == (
            f"{HELD} ({WHERE}): lock {lock_id}, taken 2026-11-30 09:15:00 UTC (AGE ago) by"
            " arn:aws:sts::123456789012:assumed-role/vend-apply/build-17 (user codebuild, host"
            " ci-runner-7, pid 4242, build vend-apply:0f3e), applying plan sha256:4f1d2c9a8b7e"
            " (from plan.json, git commit 9c1e5b7d3a2f). Nothing was read from or changed in the"
            " organization. Wait for that apply to finish, then run vend plan again. If it was"
            f" killed and no longer runs, break its lock with: vend force-unlock {lock_id}\n"
        )
    assert set(calls) == {"sts:GetCallerIdentity", "s3:PutObject", "s3:GetObject"}
    assert vend(example, "plan", "--detailed-exitcode").code == 2  # nothing was applied
    assert lock_object(example) is not None  # and someone else's lock is left alone


def test_the_lock_spans_the_stale_check_and_the_whole_apply(example, vend, tmp_path, calls):
    assert vend(example, "plan", "--out", str(tmp_path / "plan.json")).code == 0
    calls.clear()
    applied = vend(example, "apply", str(tmp_path / "plan.json"))
    assert applied.code == 0, applied.err
    locked = calls.index("s3:PutObject")
    assert not [c for c in calls[:locked] if not c.startswith("sts:")]  # before any organization read
    assert calls[-1] == "s3:DeleteObject" and calls.count("s3:DeleteObject") == 1
    assert lock_object(example) is None


def test_the_lock_is_released_after_a_failing_apply(example, vend):
    settings = example / "vend.yaml"
    settings.write_text(settings.read_text().replace(
        "  state_dir: .vend\n",
        "  state_dir: .vend\n  faults:\n    fail:\n      - {operation: CreateOrganizationalUnit}\n"))
    failed = vend(example, "apply", "--auto-approve")
    assert failed.code == 1 and "Failed: ou:" in failed.err
    assert lock_object(example) is None


def test_the_lock_is_released_after_ctrl_c_sigterm_and_a_stale_plan(example, vend, tmp_path, monkeypatch):
    import vending.cli.applying

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    def terminated(*_: object) -> None:  # CI cancelling the build
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)

    for stop in (interrupted, terminated):
        monkeypatch.setattr(vending.cli.applying, "_apply_with_progress", stop)
        stopped = vend(example, "apply", "--auto-approve")
        assert (stopped.code, stopped.err.strip().splitlines()[-1]) == (1, "Aborted.")
        assert lock_object(example) is None
    monkeypatch.undo()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # vend's handler lives as long as the apply

    assert vend(example, "plan", "--out", str(tmp_path / "plan.json")).code == 0
    with LocalAws(example / ".vend") as aws:  # the organization changes after the plan
        org = aws.session().client("organizations")
        org.create_organizational_unit(ParentId=org.list_roots()["Roots"][0]["Id"], Name="Console")
    stale = vend(example, "apply", str(tmp_path / "plan.json"))
    assert stale.code == 1 and stale.err.startswith("Error: plan is stale")
    assert lock_object(example) is None


def test_a_lock_bucket_that_does_not_exist_is_one_message(example, vend):
    settings = example / "vend.yaml"
    settings.write_text(settings.read_text() + "lock: {bucket: team-locks, key: org/apply.lock}\n")
    failed = vend(example, "apply", "--auto-approve")
    assert (failed.code, failed.err) == (1, (
        "Error: the apply lock's bucket team-locks does not exist: create it (aws s3api create-bucket"
        " --bucket team-locks, with versioning and encryption as you like) or set lock.bucket in"
        " vend.yaml to a bucket the apply role may write\n"))


def test_force_unlock_has_help_with_an_example(example, vend):
    helped = vend(example, "force-unlock", "--help")
    assert helped.code == 0 and "Example:\n    vend force-unlock 0b6f1a52-" in helped.out


def test_a_plan_names_the_apply_that_holds_the_lock_and_writes_nothing(example, vend, calls):
    lock_id = hold(example)
    before = lock_object(example)
    calls.clear()
    note = (f"a vend apply holds the lock of this organization ({WHERE}) since 2026-11-30 09:15:00 UTC:"
            f" lock {lock_id}, held by arn:aws:sts::123456789012:assumed-role/vend-apply/build-17 (user codebuild,"
            " host ci-runner-7, pid 4242, build vend-apply:0f3e), applying plan sha256:4f1d2c9a8b7e (from plan.json,"
            " git commit 9c1e5b7d3a2f). This plan was computed while it ran: plan again once it has finished;"
            " vend apply will not start until then")

    text = vend(example, "plan")
    as_json = vend(example, "plan", "--format", "json")
    markdown = vend(example, "plan", "--format", "markdown")

    assert (text.code, as_json.code, markdown.code) == (0, 0, 0), text.err
    assert f"\nNotes:\n  - apply_lock: {note}\n" in text.out
    assert [n for n in json.loads(as_json.out)["notes"] if n["kind"] == "apply_lock"] == [
        {"kind": "apply_lock", "address": "apply_lock", "message": note}]
    assert note in markdown.out
    assert "s3:GetObject" in calls and [c for c in calls if not is_read_operation(c.split(":")[1])] == []
    assert lock_object(example) == before  # the holder's lock, untouched


def test_no_lock_no_note_and_a_denied_read_of_the_lock_is_a_note_not_an_error(example, vend, monkeypatch):
    assert "apply_lock" not in vend(example, "plan").out
    original = BaseClient._make_api_call

    def denied(client: BaseClient, operation: str, params: dict) -> dict:
        if operation == "GetObject":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, operation)
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", denied)
    result = vend(example, "plan", "--format", "json")

    assert result.code == 0, result.err
    assert [n["message"] for n in json.loads(result.out)["notes"] if n["kind"] == "apply_lock"] == [
        f"could not read the lock {WHERE} (AccessDenied: Access Denied); this plan cannot tell whether a vend apply"
        " is running. Grant the plan role s3:GetObject and s3:ListBucket on it (vend iam-policy plan)"]


def test_a_denied_read_of_the_lock_in_an_apply_names_the_apply_role_not_the_plan_role():
    from vending.aws import clients as aws_clients
    from vending.aws.errors import Caller, explain

    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied",
                                    aws_clients.IAM_ACTION_KEY: "s3:GetObject"}}, "GetObject")
    message = explain(denied, Caller("AWS", whoami=lambda: "arn:aws:sts::123456789012:assumed-role/vend-apply/b"))
    assert message is not None and message.startswith(
        "AWS denied s3:GetObject to arn:aws:sts::123456789012:assumed-role/vend-apply/b: the apply role (what"
        " vend apply changes the organization with) lacks this permission.")
