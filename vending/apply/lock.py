"""The apply lock: one `vend apply` at a time per organization, from any machine.

The lock is one S3 object (vend.yaml `lock: {bucket, key}`), a small JSON record of who holds
it (principal, user, host, pid, CI build), what it applies (plan fingerprint, git commit) and
since when. Taking it is PutObject with `If-None-Match: *`: S3 writes the object only if the key
does not exist, atomically, else answers 412 PreconditionFailed (409 ConditionalRequestConflict
when another write to the key is in flight: try again). Releasing it is DeleteObject with
`If-Match: <its ETag>`, so an apply only ever deletes the very object it wrote: if its lock was
broken (`vend force-unlock`) and another apply took the key since, the delete fails with 412 and
the other apply keeps its lock. Why S3 and not DynamoDB: see the README ("The apply lock").

The lock is released on every way out that runs Python (success, failure, Ctrl-C, SIGTERM,
which the CLI turns into Ctrl-C); a SIGKILLed apply leaves it behind, and the next apply
reports it with its holder and age. Only `vend force-unlock ID`, with the id of the lock in
place, breaks it: an id typed from an older message never deletes a newer lock.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.exceptions import ClientError

from vending.errors import LockError, LockHeld

LOCK_FORMAT = "vend-apply-lock/1"
IAM_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:DeleteObject")
"""What the apply role needs on the lock object (GetObject: a delete conditional on an ETag
needs it too, per S3's conditional-deletes guide)."""
CONFLICT_ATTEMPTS = 5
"""Writes of the key when S3 answers 409 ConditionalRequestConflict, or when the lock vanished
between our refused write and our read of it; a few tries settle either race."""
CONFLICT_BACKOFF = 0.2


def default_bucket(account_id: str) -> str:
    """The lock's bucket when vend.yaml names none (the local emulator bootstraps it)."""
    return f"vend-lock-{account_id}"


@dataclass(frozen=True)
class Holder:
    """Who takes the lock; the CLI fills it in (it alone reads the process's environment)."""

    principal: str | None
    user: str | None
    host: str
    pid: int
    build: str | None = None
    """The CI build (CodeBuild's build id), if any."""

    def describe(self) -> str:
        who = self.principal or "an unknown principal"
        where = ", ".join(part for part in (
            f"user {self.user}" if self.user else "", f"host {self.host}", f"pid {self.pid}",
            f"build {self.build}" if self.build else "") if part)
        return f"{who} ({where})"


@dataclass(frozen=True)
class PlanRef:
    """What the holder applies: a saved plan's fingerprint, or a plan computed under the lock."""

    fingerprint: str | None = None
    git_commit: str | None = None
    file: str | None = None

    def describe(self) -> str:
        what = f"plan {self.fingerprint[:19]}" if self.fingerprint else "a plan computed under the lock"
        details = [f"from {self.file}" if self.file else "",
                   f"git commit {self.git_commit[:12]}" if self.git_commit else ""]
        details = [d for d in details if d]
        return what + (f" ({', '.join(details)})" if details else "")


@dataclass(frozen=True)
class LockRecord:
    """The lock object's content, and the ETag S3 gave it."""

    id: str
    holder: Holder
    plan: PlanRef
    started: datetime
    etag: str = field(default="", compare=False)
    foreign: bool = False
    """The object at the key is not a vend lock: its id is its ETag, `started` its LastModified."""

    def describe(self, now: datetime) -> str:
        if self.foreign:
            return (f"lock {self.id}, an object that is not a vend lock, written"
                    f" {self.started:%Y-%m-%d %H:%M:%S} UTC ({_age(now - self.started)} ago)")
        return (f"lock {self.id}, taken {self.started:%Y-%m-%d %H:%M:%S} UTC"
                f" ({_age(now - self.started)} ago) by {self.holder.describe()},"
                f" applying {self.plan.describe()}")

    def to_json(self) -> str:
        data = {"format": LOCK_FORMAT, "id": self.id, "holder": asdict(self.holder),
                "plan": asdict(self.plan), "started": self.started.isoformat()}
        return json.dumps(data, indent=2) + "\n"


class ApplyLock:
    """The lock object `s3://bucket/key`, through one S3 client."""

    def __init__(self, s3: Any, bucket: str, key: str, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 sleep: Callable[[float], None] = time.sleep):
        self.s3, self.bucket, self.key = s3, bucket, key
        self.clock, self.sleep = clock, sleep

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @contextmanager
    def held(self, holder: Holder, plan: PlanRef) -> Iterator[LockRecord]:
        """The lock, held for the block and released however it ends (but SIGKILL)."""
        record = self.acquire(holder, plan)
        try:
            yield record
        except BaseException as failure:
            try:
                self.release(record)
            except Exception as stuck:  # say both: why the apply stopped, and the stuck lock
                raise LockError(f"{failure or type(failure).__name__}; the apply lock could not be"
                                f" released either ({stuck}): once no apply runs, run"
                                f" vend force-unlock {record.id}") from failure
            raise
        self.release(record)

    def acquire(self, holder: Holder, plan: PlanRef) -> LockRecord:
        """Take the lock, or raise LockHeld naming whoever has it."""
        record = LockRecord(str(uuid.uuid4()), holder, plan, self.clock().replace(microsecond=0))
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                answer = self.s3.put_object(Bucket=self.bucket, Key=self.key, IfNoneMatch="*",
                                            Body=record.to_json().encode(),
                                            ContentType="application/json")
                return LockRecord(record.id, holder, plan, record.started, answer["ETag"])
            except ClientError as exc:
                code = _code(exc)
                if code == "NoSuchBucket":
                    raise LockError(self._no_bucket()) from None
                if code not in ("PreconditionFailed", "ConditionalRequestConflict"):
                    raise
            current = self.current() if code == "PreconditionFailed" else None
            if current is not None:
                raise LockHeld(self._held_message(current, holder), current)
            self.sleep(CONFLICT_BACKOFF * attempt)  # a conflict, or released meanwhile: again
        raise LockError(f"could not write the apply lock {self.where}: S3 kept answering that"
                        f" another write to it was in progress ({CONFLICT_ATTEMPTS} tries); run"
                        " vend apply again")

    def release(self, record: LockRecord) -> None:
        """Delete the lock object if it is still the one `record` wrote."""
        try:
            self.s3.delete_object(Bucket=self.bucket, Key=self.key, IfMatch=record.etag)
        except ClientError as exc:
            if _code(exc) not in ("PreconditionFailed", "NoSuchKey"):
                raise
            now = self.current()
            taken = f"; it is now {now.describe(self.clock())}" if now else ""
            raise LockError(f"the apply lock {record.id} ({self.where}) was broken with vend"
                            f" force-unlock while this apply ran{taken}. Run vend plan to see"
                            " where the organization stands") from None

    def current(self) -> LockRecord | None:
        """The lock in place, if any."""
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            if _code(exc) == "NoSuchKey":
                return None
            if _code(exc) == "NoSuchBucket":
                raise LockError(self._no_bucket()) from None
            raise
        return _parse(answer["Body"].read(), answer["ETag"], answer["LastModified"])

    def force_unlock(self, lock_id: str) -> LockRecord:
        """Break the lock `lock_id` (a killed apply's); refuse any other."""
        current = self.current()
        now = self.clock()
        if current is None:
            raise LockError(f"no apply lock is held at {self.where}: nothing to unlock")
        if current.id != lock_id:
            raise LockError(f"{lock_id} is not the apply lock in place at {self.where}, which is"
                            f" {current.describe(now)}; nothing was unlocked. Break that one only"
                            f" if its apply no longer runs: vend force-unlock {current.id}")
        try:
            self.s3.delete_object(Bucket=self.bucket, Key=self.key, IfMatch=current.etag)
        except ClientError as exc:
            if _code(exc) not in ("PreconditionFailed", "NoSuchKey"):
                raise
            raise LockError(f"the apply lock at {self.where} changed while vend force-unlock ran"
                            " (its holder released it, or another apply took it): nothing was"
                            " unlocked; run vend force-unlock again with the id it shows") from None
        return current

    def _held_message(self, current: LockRecord, us: Holder) -> str:
        gone = ""
        if current.holder.host == us.host and not current.foreign and not _running(current.holder.pid):
            gone = f" (pid {current.holder.pid} no longer runs on this host: that apply was killed)"
        return (f"another vend apply holds the lock of this organization ({self.where}):"
                f" {current.describe(self.clock())}{gone}. Nothing was read from or changed in the"
                " organization. Wait for that apply to finish, then run vend plan again. If it"
                f" was killed and no longer runs, break its lock with: vend force-unlock {current.id}")

    def _no_bucket(self) -> str:
        return (f"the apply lock's bucket {self.bucket} does not exist: create it (aws s3api"
                f" create-bucket --bucket {self.bucket}, with versioning and encryption as you"
                " like) or set lock.bucket in vend.yaml to a bucket the apply role may write")


def _parse(body: bytes, etag: str, written: datetime) -> LockRecord:
    """The record; an object at the key that is not a vend lock is still a lock (someone's),
    named by its ETag so force-unlock can remove it."""
    try:
        data = json.loads(body)
        if data.get("format") != LOCK_FORMAT:
            raise ValueError(data.get("format"))
        return LockRecord(str(data["id"]), Holder(**data["holder"]), PlanRef(**data["plan"]),
                          datetime.fromisoformat(data["started"]), etag)
    except (ValueError, TypeError, KeyError, AttributeError):
        unknown = Holder(principal=None, user=None, host="unknown", pid=0)
        return LockRecord(etag.strip('"'), unknown, PlanRef(), written, etag, foreign=True)


def _running(pid: int) -> bool:
    """Whether process `pid` exists on this host (signal 0 only checks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
