"""S3 in the local AWS: moto's S3, shared by every process like the rest of the organization.

moto keeps S3 in process memory, so two `vend apply`s on one state directory would each see
their own buckets, and the apply lock (`vending.apply.lock`) would lock nothing. This plug-in
serves every S3 request inside `ctx.request` (on the latest state on disk, durable when
answered, one request at a time) and persists the management account's buckets with the
organization. moto 5.2.5 already answers conditional requests as S3 does (PutObject
`If-None-Match: *` -> 412 PreconditionFailed when the key exists, DeleteObject `If-Match` ->
412 on another ETag, 404 NoSuchKey when there is no object), and under the request lock its
check and its write are one step, as in S3; tests/local/test_local_s3.py holds it to that.

A fresh landing zone has the lock's default bucket, `vend-lock-<management account id>`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.s3.models import s3_backends
from moto.s3.responses import S3Response

from vending.apply.lock import default_bucket
from vending.local.bootstrap import HOME_REGION
from vending.local.framework import EmulatorContext

PARTITION = "aws"
READ_METHODS = ("GET", "HEAD", "OPTIONS")


class S3:
    """Emulator plug-in: moto's S3, request by request in step with the state on disk."""

    name = "s3"

    def install(self, ctx: EmulatorContext) -> None:
        for attr in ("bucket_response", "key_response"):
            original = getattr(S3Response, attr)
            ctx.patcher.setattr(S3Response, attr, _serve(ctx, original))

    def bootstrap(self, ctx: EmulatorContext) -> None:
        account_id = ctx.settings.management_account_id
        self.restore({"buckets": {}})  # also when another process reset the state
        s3_backends[account_id][PARTITION].create_bucket(default_bucket(account_id), HOME_REGION)

    def state(self) -> Any:
        """Every account's buckets (objects, versions, settings) and S3's bucket namespace."""
        buckets = {
            account_id: dict(partitions[PARTITION].buckets)
            for account_id, partitions in s3_backends.items()
            if PARTITION in partitions and partitions[PARTITION].buckets
        }
        return {"buckets": buckets}

    def restore(self, state: Any) -> None:
        saved = state["buckets"]
        if not isinstance(saved, dict):
            raise TypeError("s3 snapshot is not a mapping")
        for partitions in s3_backends.values():
            if PARTITION in partitions:
                partitions[PARTITION].buckets.clear()
        s3_backends.bucket_accounts.clear()
        for account_id, buckets in saved.items():
            s3_backends[account_id][PARTITION].buckets.update(buckets)
            for name in buckets:
                s3_backends.bucket_accounts[name] = (PARTITION, account_id)


def _serve(ctx: EmulatorContext, original: Callable[..., Any]) -> Callable[..., Any]:
    def response(self: S3Response, request: Any, full_url: str, headers: Any) -> Any:
        with ctx.request(mutating=request.method not in READ_METHODS):
            return original(self, request, full_url, headers)

    response.__name__ = original.__name__
    response.__doc__ = f"{original.__doc__ or ''} Served by vending.local.s3."
    return response
