"""CloudTrail in the local AWS: every mutating request, recorded as a management event.

Why: `vend plan --refresh=events` (issue 12) reads the organization's change events from
CloudTrail's LookupEvents (README, "Change events"). So the local AWS records each mutating
request any emulator serves (`EmulatorContext.request` with an `ApiCall`; `ModeledService`
names every call, Organizations, StackSets and S3 name theirs) - also a failed or throttled
one, with errorCode, as CloudTrail does - and answers LookupEvents from that record, checked
against botocore's cloudtrail model (`cloudtrail.lookup`). Reads are not recorded (CloudTrail
records them as ReadOnly events; nothing here needs them, and a plan makes thousands).

Where an event is recorded follows AWS (aws-facts 13.2): in the account whose credentials made
the call, in us-east-1 for global services (Organizations, Account Management), else in the
request's Region; LookupEvents answers one account and Region. Events become visible
`LocalSettings.event_delivery_seconds` after the call (AWS: about 15 minutes, not guaranteed;
default here 0). The journal is kept beside the state (`cloudtrail.journal`). Other CloudTrail
operations (trails) stay moto's.
"""
from __future__ import annotations

import time
from typing import Any

from moto.cloudtrail.responses import CloudTrailResponse
from moto.core.common_types import TYPE_RESPONSE
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from vending.local.cloudtrail.events import management_event
from vending.local.cloudtrail.journal import Journal
from vending.local.cloudtrail.lookup import HANDLERS, LookupService
from vending.local.framework import ApiCall, EmulatorContext
from vending.local.state_store import EVENTS_FILE


class CloudTrail:
    """Emulator plug-in: the recorder of every emulator's calls, and LookupEvents."""

    name = "cloudtrail"

    def __init__(self) -> None:
        self.journal: Journal | None = None
        self.service = LookupService("cloudtrail", self, HANDLERS)
        self._ctx: EmulatorContext | None = None

    @property
    def ctx(self) -> EmulatorContext:
        assert self._ctx is not None, "install() first"
        return self._ctx

    def install(self, ctx: EmulatorContext) -> None:
        self._ctx = ctx
        if ctx.data_dir is not None:
            self.journal = Journal(ctx.data_dir / EVENTS_FILE)
        ctx.recorder = self
        original = CloudTrailResponse.call_action
        self.service.install_on(ctx, CloudTrailResponse)
        ours = CloudTrailResponse.call_action

        def call_action(response: CloudTrailResponse) -> TYPE_RESPONSE:
            if response._get_action() in HANDLERS:
                return ours(response)
            return original(response)  # trails: moto's

        call_action.__doc__ = "CloudTrail; LookupEvents answered by vending.local.cloudtrail."
        ctx.patcher.setattr(CloudTrailResponse, "call_action", call_action)

    def record(self, call: ApiCall, error: BaseException | None) -> None:
        if self.journal is None:
            return
        account_id = call.account_id or self.ctx.settings.management_account_id
        username, identity = caller(call.access_key_id, account_id)
        self.journal.append(management_event(call, error, account_id=account_id,
                                             username=username, identity=identity,
                                             now=time.time()))

    def events(self) -> list[dict[str, Any]]:
        """Every recorded event, oldest first (visible or not yet)."""
        return self.journal.events() if self.journal is not None else []

    def bootstrap(self, ctx: EmulatorContext) -> None:
        """A fresh landing zone has no history."""
        if self.journal is not None:
            self.journal.clear()

    def state(self) -> Any:
        return {}  # the history is the journal, beside the state

    def restore(self, state: Any) -> None:
        if not isinstance(state, dict):
            raise TypeError("cloudtrail snapshot is not a mapping")


def caller(access_key_id: str, account_id: str) -> tuple[str, dict[str, Any]]:
    """CloudTrail's Username and userIdentity for the call's access key.

    A key from STS AssumeRole is that role's session; an IAM user's key, that user; anything
    else (the local AWS's dummy credentials) the account's root user."""
    for partitions in sts_backends.values() if access_key_id.startswith("ASIA") else ():
        for backend in partitions.values():
            role = backend.get_assumed_role_from_access_key(access_key_id)
            if role is not None:
                return role.session_name, {
                    "type": "AssumedRole", "arn": role.arn, "principalId": role.user_id,
                    "accountId": role.account_id, "accessKeyId": access_key_id}
    if account_id in iam_backends:
        user = iam_backends[account_id]["aws"].get_user_from_access_key_id(access_key_id)
        if user is not None:
            return user.name, {"type": "IAMUser", "arn": user.arn, "principalId": user.id,
                               "accountId": account_id, "accessKeyId": access_key_id,
                               "userName": user.name}
    return "root", {"type": "Root", "arn": f"arn:aws:iam::{account_id}:root",
                    "principalId": account_id, "accountId": account_id,
                    "accessKeyId": access_key_id}
