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

Bucket-level writes (CreateBucket, PutBucketPolicy, ...) are management events and recorded
(`vending.local.cloudtrail`); object-level ones (PutObject, DeleteObject: the apply lock) are
CloudTrail *data* events, which LookupEvents never returns (aws-facts 13.1), so they are not.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from moto.s3.models import s3_backends
from moto.s3.responses import S3Response
from moto.s3.utils import bucket_name_from_url

from vending.apply.lock import default_bucket
from vending.local.bootstrap import HOME_REGION
from vending.local.framework import ApiCall, EmulatorContext, access_key_id

PARTITION = "aws"
READ_METHODS = ("GET", "HEAD", "OPTIONS")


class S3:
    """Emulator plug-in: moto's S3, request by request in step with the state on disk."""

    name = "s3"

    def install(self, ctx: EmulatorContext) -> None:
        for attr in ("bucket_response", "key_response"):
            original = getattr(S3Response, attr)
            ctx.patcher.setattr(S3Response, attr, _serve(ctx, original, attr == "bucket_response"))

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


def _serve(ctx: EmulatorContext, original: Callable[..., Any],
           bucket_level: bool) -> Callable[..., Any]:
    def response(self: S3Response, request: Any, full_url: str, headers: Any) -> Any:
        mutating = request.method not in READ_METHODS
        call = bucket_call(request.method, full_url, headers) if mutating and bucket_level else None
        with ctx.request(mutating=mutating, call=call):
            return original(self, request, full_url, headers)

    response.__name__ = original.__name__
    response.__doc__ = f"{original.__doc__ or ''} Served by vending.local.s3."
    return response


def bucket_call(method: str, url: str, headers: Any) -> ApiCall | None:
    """The management event of a bucket-level write: its S3 operation name and bucket.

    `PUT /bucket` is CreateBucket, `PUT /bucket?policy` PutBucketPolicy, `DELETE /bucket?tagging`
    DeleteBucketTagging; `POST ?delete` (DeleteObjects) is a data event: None."""
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    bucket = bucket_name_from_url(url) or parts.path.strip("/").split("/")[0]
    sub = next(iter(query), "")
    if method == "POST":
        return None
    verb = {"PUT": "Put", "DELETE": "Delete"}.get(method, method.title())
    if not sub:
        operation = "CreateBucket" if method == "PUT" else f"{verb}Bucket"
    elif sub == "publicAccessBlock":
        operation = f"{verb}PublicAccessBlock"
    else:
        operation = f"{verb}Bucket{sub[:1].upper()}{sub[1:]}"
    scope = (headers.get("Authorization") or "").partition("Credential=")[2].split("/")
    region = scope[2] if len(scope) > 2 else HOME_REGION
    return ApiCall("s3", operation, headers.get("x-moto-account-id", ""), region,
                   access_key_id(headers), {"bucketName": bucket})
