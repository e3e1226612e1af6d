"""What each request changed is on disk when it is answered: a process killed at any point
(SIGKILL, or SIGTERM as CI cancellation and `timeout` send) leaves what AWS would keep."""
from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys

import pytest

from vending.local import LocalAws

APPLY = """
import json, sys
from pathlib import Path
from vending.local import LocalAws

# An apply that creates accounts one after another and reports each one, with its id, as
# `vend apply` prints them; it is killed while it is still creating more.
with LocalAws(Path(sys.argv[1])) as aws:
    org = aws.session().client("organizations")
    root = org.list_roots()["Roots"][0]["Id"]
    for i in range(1000):
        name = f"Team {i}"
        request = org.create_account(AccountName=name, Email=f"team-{i}@example.com")
        request_id = request["CreateAccountStatus"]["Id"]
        while True:
            status = org.describe_create_account_status(CreateAccountRequestId=request_id)
            if status["CreateAccountStatus"]["State"] != "IN_PROGRESS":
                break
        account_id = status["CreateAccountStatus"]["AccountId"]
        org.tag_resource(ResourceId=account_id, Tags=[{"Key": "team", "Value": str(i)}])
        print(json.dumps({"name": name, "id": account_id}), flush=True)
"""


def _kill_mid_apply(state_dir, sig: int, after: int) -> list[dict[str, str]]:
    """Run APPLY, signal it once it reported `after` accounts; what it reported."""
    child = subprocess.Popen([sys.executable, "-c", APPLY, str(state_dir)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reported = []
    try:
        assert child.stdout is not None
        while len(reported) < after:
            line = child.stdout.readline()
            assert line, child.stderr.read() if child.stderr else "the apply died"
            reported.append(json.loads(line))
        child.send_signal(sig)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -sig
    return reported


def _accounts(state_dir) -> dict[str, dict]:
    with LocalAws(state_dir) as aws:
        org = aws.session().client("organizations")
        pages = org.get_paginator("list_accounts").paginate()
        return {a["Id"]: {**a, "tags": org.list_tags_for_resource(ResourceId=a["Id"])["Tags"]}
                for page in pages for a in page["Accounts"]}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_accounts_an_apply_reported_survive_its_kill(tmp_path, sig):
    reported = _kill_mid_apply(tmp_path, sig, after=4)
    accounts = _accounts(tmp_path)
    for i, created in enumerate(reported):
        assert accounts[created["id"]]["Name"] == created["name"]
        assert accounts[created["id"]]["tags"] == [{"Key": "team", "Value": str(i)}]
    assert not list((tmp_path / "local").glob(".state-*.tmp"))  # the reload cleaned up


def test_a_creation_in_flight_at_the_kill_completes_later(tmp_path):
    """The request the apply had sent when it died is IN_PROGRESS on reload, then completes -
    with no second account for the same email."""
    reported = _kill_mid_apply(tmp_path, signal.SIGKILL, after=2)
    with LocalAws(tmp_path) as aws:
        org = aws.session().client("organizations")
        for _ in range(5):  # reads let time pass
            org.list_roots()
        statuses = org.list_create_account_status()["CreateAccountStatuses"]
        assert all(s["State"] == "SUCCEEDED" for s in statuses)
        emails = [a["Email"] for page in org.get_paginator("list_accounts").paginate()
                  for a in page["Accounts"]]
    assert len(emails) == len(set(emails))
    assert len(statuses) >= len(reported)


def test_each_mutation_is_on_disk_when_it_returns(tmp_path):
    state = tmp_path / "local" / "state.pickle"
    with LocalAws(tmp_path) as aws:
        org = aws.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        org.create_organizational_unit(ParentId=root, Name="Durable-Now")
        assert b"Durable-Now" in state.read_bytes()


def test_reads_that_change_nothing_do_not_write(tmp_path):
    """A no-change plan must not pay for a snapshot: the file is untouched by plain reads."""
    with LocalAws(tmp_path) as aws:
        org = aws.session().client("organizations")
        before = os.stat(tmp_path / "local" / "state.pickle")
        root = org.list_roots()["Roots"][0]["Id"]
        for ou in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]:
            org.list_accounts_for_parent(ParentId=ou["Id"])
        org.list_accounts()
        after = os.stat(tmp_path / "local" / "state.pickle")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_read_that_advances_an_operation_writes(tmp_path):
    def saved_accounts():
        payload = pickle.loads((tmp_path / "local" / "state.pickle").read_bytes())
        backend = payload["emulators"]["organizations"]["backends"][aws.management_account_id]
        return {a.name for a in backend["aws"].accounts}

    with LocalAws(tmp_path, create_account_polls=1) as aws:
        org = aws.session().client("organizations")
        org.create_account(AccountName="Soon", Email="soon@example.com")
        assert "Soon" not in saved_accounts()
        org.list_roots()  # completes the creation: the account must be on disk now
        assert "Soon" in saved_accounts()


def test_two_processes_share_one_state_request_by_request(tmp_path):
    """Another process's change is visible to the next request of this one (no lock held for
    the life of a process, no lost update)."""
    other = """
import sys
from pathlib import Path
from vending.local import LocalAws
with LocalAws(Path(sys.argv[1])) as aws:
    org = aws.session().client("organizations")
    org.create_organizational_unit(ParentId=org.list_roots()["Roots"][0]["Id"], Name=sys.argv[2])
"""
    with LocalAws(tmp_path) as aws:
        org = aws.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        org.create_organizational_unit(ParentId=root, Name="Mine")
        done = subprocess.run([sys.executable, "-c", other, str(tmp_path), "Theirs"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        names = {o["Name"] for o in org.list_organizational_units_for_parent(
            ParentId=root)["OrganizationalUnits"]}
        assert names == {"Security", "Mine", "Theirs"}
        org.create_organizational_unit(ParentId=root, Name="Mine-Again")
    with LocalAws(tmp_path) as aws:
        org = aws.session().client("organizations")
        names = {o["Name"] for o in org.list_organizational_units_for_parent(
            ParentId=root)["OrganizationalUnits"]}
    assert names == {"Security", "Mine", "Theirs", "Mine-Again"}
