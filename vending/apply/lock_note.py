"""What `vend plan` says about the apply lock: a note when an apply holds it, read-only.

A plan computed while an apply runs may be stale by the time it is read, and `vend apply` will
refuse to start until the lock is released, so the plan names the holder, the start time and
the plan being applied. Reading it is one s3:GetObject of the lock object (no write, no lock
taken); the plan role needs s3:GetObject on it and s3:ListBucket on its bucket (without
ListBucket, S3 answers a missing key with AccessDenied). A read that fails is a note too ("could
not read the lock"), never an error: the lock is the apply's business, the plan goes on.
"""
from __future__ import annotations

from typing import Callable

from botocore.exceptions import ClientError

from vending.apply.lock import ApplyLock
from vending.errors import LockError
from vending.plan.changes import Note

KIND = "apply_lock"
PLAN_IAM_ACTIONS = ("s3:GetObject", "s3:ListBucket")
"""What the plan role needs to read the lock: GetObject on the object, ListBucket on the bucket."""


def lock_note(lock: Callable[[], ApplyLock]) -> Note | None:
    """A note naming the apply that holds the lock, or saying it could not be read; None when
    no lock is held (or its bucket does not exist: no apply can hold it)."""
    where = "the apply lock"
    try:
        found = lock()
        where = found.where
        current = found.current()
    except LockError as exc:
        if "does not exist" in str(exc):
            return None
        return Note(KIND, KIND, f"could not read the lock ({exc}); this plan cannot tell whether a vend apply is running")
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return Note(KIND, KIND, f"could not read the lock {where} ({error.get('Code', '')}: {error.get('Message', '')});"
                                " this plan cannot tell whether a vend apply is running. Grant the plan role"
                                f" {' and '.join(PLAN_IAM_ACTIONS)} on it (vend iam-policy plan)")
    if current is None:
        return None
    taken = f"{current.started:%Y-%m-%d %H:%M:%S} UTC"
    if current.foreign:
        return Note(KIND, KIND, f"{where} holds an object that is not a vend lock (written {taken}, id {current.id}):"
                                f" vend apply will not start until it is removed (vend force-unlock {current.id})")
    return Note(KIND, KIND, f"a vend apply holds the lock of this organization ({where}) since {taken}:"
                            f" lock {current.id}, held by {current.holder.describe()}, applying"
                            f" {current.plan.describe()}. This plan was computed while it ran: plan again once"
                            " it has finished; vend apply will not start until then")
