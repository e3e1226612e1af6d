"""Where the live snapshot (`vending.model.live_snapshot`) is kept, and who may write it.

* **A file**, `<state_dir>/snapshot.json` for the local target (beside the organization it
  describes) and `.vend/snapshot.json` in the repository for a real one (a laptop, a build):
  written by every `vend plan`.
* **An S3 object next to the apply lock**, `s3://<lock bucket>/vend/live-snapshot.json` (the
  lock key's folder), for the pipeline: written only by `vend plan --publish-snapshot`, which
  the pipeline's Plan stage runs. Its role (PlanRole) may put that one object; pull-request
  builds may read it but never write it, because they run the pull request's own buildspec:
  whatever their role may write, a pull request's author may write, and a forged snapshot
  would hide drift from every later plan. Writing the object is a plan's only write, and not
  to the organization: plans stay read-only towards it.

Beside each snapshot, `last-apply.json` (`vend/last-apply.json` in S3, for a real organization)
says when `vend apply` last changed the organization: written by every apply with changes (its
role may put that one object), read by every plan, so an incremental plan reads in full while
CloudTrail may not have delivered that apply's events yet (`vending.refresh`).
The files are written atomically (temporary file, rename); an S3 PutObject is atomic anyway.
"""
from __future__ import annotations

import os
import posixpath
import tempfile
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from vending.apply.lock import default_bucket
from vending.errors import SnapshotError
from vending.model.types import OrgSettings

SNAPSHOT_FILE = "snapshot.json"
SNAPSHOT_NAME = "live-snapshot.json"
MARKER_FILE = "last-apply.json"
SNAPSHOT = "the live snapshot"
MARKER = "the apply marker"
IAM_ACTIONS = ("s3:GetObject", "s3:PutObject")
"""On the snapshot object: every plan may read it, the pipeline's Plan stage may write it; on
the apply marker: every plan may read it, the apply role writes it."""


def snapshot_key(settings: OrgSettings) -> str:
    """`vend/live-snapshot.json` beside the lock's default `vend/apply.lock`."""
    return posixpath.join(posixpath.dirname(settings.lock.key), SNAPSHOT_NAME)


def marker_key(settings: OrgSettings) -> str:
    """`vend/last-apply.json` beside the lock's default `vend/apply.lock`."""
    return posixpath.join(posixpath.dirname(settings.lock.key), MARKER_FILE)


def snapshot_file(settings: OrgSettings, repo: Path) -> Path:
    folder = settings.target.state_dir if settings.target.kind == "local" else ".vend"
    return repo / folder / SNAPSHOT_FILE


def marker_file(settings: OrgSettings, repo: Path) -> Path:
    return snapshot_file(settings, repo).parent / MARKER_FILE


class FileStore:
    def __init__(self, path: Path, what: str = SNAPSHOT):
        self.path, self.what = path, what

    def describe(self) -> str:
        return str(self.path)

    def read(self) -> str | None:
        try:
            return self.path.read_text()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SnapshotError(f"{self.path}: cannot read {self.what}: {exc.strerror}") from None

    def write(self, text: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.stem}-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w") as handle:
                    handle.write(text)
                os.replace(tmp, self.path)
            except OSError:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise SnapshotError(f"{self.path}: cannot write {self.what}: {exc.strerror}; "
                                "make the folder writable") from None


class S3Store:
    def __init__(self, s3: Any, bucket: str, key: str, what: str = SNAPSHOT,
                 write_hint: str = "the pipeline's PlanRole has it), or plan without --publish-snapshot"):
        self.s3, self.bucket, self.key, self.what, self.write_hint = s3, bucket, key, what, write_hint

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def read(self) -> str | None:
        """The object's text; None when there is none yet."""
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.key)["Body"]
            return body.read().decode()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise SnapshotError(f"{self.describe()}: cannot read {self.what}: {exc}") from None
        except BotoCoreError as exc:
            raise SnapshotError(f"{self.describe()}: cannot read {self.what}: {exc}") from None

    def write(self, text: str) -> None:
        try:
            self.s3.put_object(Bucket=self.bucket, Key=self.key, Body=text.encode(),
                               ContentType="application/json")
        except (BotoCoreError, ClientError) as exc:
            raise SnapshotError(
                f"{self.describe()}: cannot write {self.what}: {exc}; the role needs "
                f"s3:PutObject on that object ({self.write_hint}") from None


def s3_store(s3: Any, settings: OrgSettings, account_id: str) -> S3Store:
    """The snapshot object in the lock's bucket (vend.yaml `lock.bucket`, else the default)."""
    return S3Store(s3, settings.lock.bucket or default_bucket(account_id), snapshot_key(settings))


def s3_marker_store(s3: Any, settings: OrgSettings, account_id: str) -> S3Store:
    """The apply marker in the lock's bucket, beside the snapshot object."""
    return S3Store(s3, settings.lock.bucket or default_bucket(account_id), marker_key(settings), MARKER,
                   "the pipeline's ApplyRole has it)")
