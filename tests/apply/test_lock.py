"""The apply lock's races, on the local AWS's S3: a lock broken and taken again while an apply
ran, a write conflict, an object at the key that is not a vend lock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from vending.apply.lock import ApplyLock, Holder, PlanRef
from vending.errors import LockError, LockHeld
from vending.local import LocalAws

BUCKET, KEY = "vend-lock-123456789012", "vend/apply.lock"
NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)
US = Holder("arn:aws:sts::123456789012:assumed-role/vend-apply/a", "alice", "laptop", 101)
THEM = Holder("arn:aws:sts::123456789012:assumed-role/vend-apply/b", "bob", "ci-3", 202, "vend-apply:9")


@pytest.fixture
def s3(tmp_path) -> Any:
    with LocalAws(tmp_path) as aws:
        yield aws.session().client("s3")


def lock(s3: Any, at: datetime = NOW, sleep=lambda seconds: None) -> ApplyLock:
    return ApplyLock(s3, BUCKET, KEY, clock=lambda: at, sleep=sleep)


def test_the_holder_plan_and_age_are_named(s3):
    taken = lock(s3).acquire(THEM, PlanRef(git_commit="0123456789abcdef"))
    with pytest.raises(LockHeld) as held:
        lock(s3, NOW + timedelta(minutes=42)).acquire(US, PlanRef())
    assert held.value.record == taken
    assert str(held.value).split(": ", 1)[1].startswith(
        f"lock {taken.id}, taken 2026-12-01 12:00:00 UTC (42 min ago) by"
        " arn:aws:sts::123456789012:assumed-role/vend-apply/b (user bob, host ci-3, pid 202, build"
        " vend-apply:9), applying a plan computed under the lock (git commit 0123456789ab). Nothing")


def test_a_lock_broken_and_taken_again_meanwhile_is_not_deleted_by_its_first_holder(s3):
    ours = lock(s3).acquire(US, PlanRef())
    lock(s3).force_unlock(ours.id)
    theirs = lock(s3).acquire(THEM, PlanRef())
    with pytest.raises(LockError) as lost:
        lock(s3).release(ours)
    assert str(lost.value).startswith(
        f"the apply lock {ours.id} (s3://{BUCKET}/{KEY}) was broken with vend force-unlock while this"
        f" apply ran; it is now lock {theirs.id}, taken ")
    assert lock(s3).current() == theirs  # theirs stays


def test_a_failure_and_a_stuck_release_are_both_told(s3):
    with pytest.raises(LockError) as both:
        with lock(s3).held(US, PlanRef()) as ours:
            lock(s3).force_unlock(ours.id)
            lock(s3).acquire(THEM, PlanRef())
            raise LockError("plan is stale, run vend plan again")
    assert str(both.value).startswith("plan is stale, run vend plan again; the apply lock could not be"
                                      f" released either (the apply lock {ours.id} ")


class Conflicting:
    """S3 answering 409 ConditionalRequestConflict to the first `times` writes."""

    def __init__(self, s3: Any, times: int):
        self.s3, self.times, self.writes = s3, times, 0

    def put_object(self, **params: Any) -> Any:
        self.writes += 1
        if self.writes <= self.times:
            raise ClientError({"Error": {"Code": "ConditionalRequestConflict", "Message": "conflict"},
                               "ResponseMetadata": {"HTTPStatusCode": 409}}, "PutObject")
        return self.s3.put_object(**params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.s3, name)


def test_a_write_conflict_is_tried_again_with_backoff_then_given_up(s3):
    slept: list[float] = []
    taken = lock(Conflicting(s3, 2), sleep=slept.append).acquire(US, PlanRef())
    assert lock(s3).current() == taken and slept == [0.2, 0.4]
    lock(s3).release(taken)
    with pytest.raises(LockError, match=r"another write to it was in progress \(5 tries\)"):
        lock(Conflicting(s3, 5)).acquire(US, PlanRef())
    assert lock(s3).current() is None


def test_an_object_at_the_key_that_is_not_a_lock_holds_it_until_force_unlocked(s3):
    etag = s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"terraform.tfstate")["ETag"].strip('"')
    with pytest.raises(LockHeld) as held:
        lock(s3, datetime.now(timezone.utc)).acquire(US, PlanRef())
    assert f"lock {etag}, an object that is not a vend lock, written " in str(held.value)
    assert str(held.value).endswith(f"vend force-unlock {etag}")
    lock(s3).force_unlock(etag)
    assert lock(s3).current() is None
