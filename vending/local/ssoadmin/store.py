"""The state of the local IAM Identity Center: one organization instance, its identity store's
groups, permission sets, account assignments and asynchronous requests, as plain dicts.

Quotas are AWS's (aws-facts §11.4, SSO-QUOTA); AWS's error codes for exceeding them are the
model's ServiceQuotaExceededException, their messages vend's wording (AWS's are unconfirmed).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from vending.local.errors import AwsServiceError

PERMISSION_SETS_PER_INSTANCE = 2000
"""Permission sets per instance: 2,000 (SSO-QUOTA, docs.aws.amazon.com EN; newer copies 3,500)."""
POLICIES_PER_PERMISSION_SET = 20
"""AWS managed plus customer managed policies per permission set: 20, fixed (SSO-QUOTA)."""
INLINE_NON_WHITESPACE = 10240
"""Inline policy: 32,768 characters (the model's max), of which at most 10,240 not white space (SSO-QUOTA)."""
PROVISIONED_PER_ACCOUNT = 250
"""Permission sets provisioned to one account: 250 (SSO-QUOTA EN; newer copies 500)."""
OUTSTANDING_CREATIONS = 10
"""Asynchronous CreateAccountAssignment calls in progress at once: 10, not adjustable (archived
SSO-QUOTA; a newer IAM page says 15). Beyond it: ThrottlingException (code unconfirmed)."""
ASYNC_POLLS = 2
"""Status reads (of any sso-admin/identitystore operation) until an asynchronous request ends."""


def now() -> datetime:
    return datetime.now(timezone.utc)


class IdentityStore:
    """Everything the emulator persists; `data` is the picklable snapshot."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = data if data is not None else {
            "instance": None, "groups": {}, "permission_sets": {}, "assignments": [], "provisioned": {},
            "requests": {}, "counter": 0,
        }

    @property
    def instance(self) -> dict[str, Any] | None:
        return self.data["instance"]

    @property
    def groups(self) -> dict[str, dict[str, Any]]:
        return self.data["groups"]

    @property
    def permission_sets(self) -> dict[str, dict[str, Any]]:
        return self.data["permission_sets"]

    @property
    def assignments(self) -> list[list[str]]:
        """[account id, permission set ARN, principal type, principal id]."""
        return self.data["assignments"]

    @property
    def provisioned(self) -> dict[str, dict[str, int]]:
        """Permission set ARN -> account id -> the version of the set provisioned there."""
        return self.data["provisioned"]

    @property
    def requests(self) -> dict[str, dict[str, Any]]:
        return self.data["requests"]

    def token(self, kind: str, size: int) -> str:
        """A repeatable hex id (sha256 of a counter), `size` characters."""
        self.data["counter"] += 1
        return hashlib.sha256(f"{kind}:{self.data['counter']}".encode()).hexdigest()[:size]

    def uuid(self) -> str:
        h = self.token("uuid", 32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def create_instance(self, owner: str, region: str) -> None:
        ins = self.token("instance", 16)
        self.data["instance"] = {
            "InstanceArn": f"arn:aws:sso:::instance/ssoins-{ins}", "IdentityStoreId": f"d-{self.token('store', 10)}",
            "OwnerAccountId": owner, "Region": region, "CreatedDate": now(),
        }

    def add_group(self, name: str, description: str = "") -> str:
        group_id = f"{self.token('prefix', 10)}-{self.uuid()}"
        self.groups[group_id] = {"DisplayName": name, "Description": description, "CreatedAt": now()}
        return group_id

    def instance_for(self, call: Any, arn: str | None = None) -> dict[str, Any]:
        """The instance, for a caller in its Region and account (AWS's checks)."""
        found = self.instance
        if found is None or call.region != found["Region"] or (arn is not None and arn != found["InstanceArn"]):
            raise AwsServiceError("ResourceNotFoundException", f"Instance {arn or ''} does not exist in"
                                  f" {call.region}".replace("  ", " "))
        if call.account_id != found["OwnerAccountId"]:
            raise AwsServiceError("AccessDeniedException", f"Account {call.account_id} is not the management account"
                                  " that holds this organization instance of IAM Identity Center")
        return found

    def permission_set(self, call: Any) -> dict[str, Any]:
        self.instance_for(call, call.params["InstanceArn"])
        arn = call.params["PermissionSetArn"]
        found = self.permission_sets.get(arn)
        if found is None:
            raise AwsServiceError("ResourceNotFoundException", f"Could not find PermissionSet with arn {arn}")
        return found

    def edited(self, found: dict[str, Any]) -> None:
        """An edit: accounts it is provisioned to now run an older version."""
        found["Version"] += 1
