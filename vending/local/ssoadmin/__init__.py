"""IAM Identity Center in the local AWS: sso-admin and identitystore, answered by one emulator.

Why one package for both: the identity store belongs to the instance (its id comes from
ListInstances), an assignment is refused unless its principal is in that store, and one
snapshot keeps the two consistent across processes. moto's ssoadmin answers every async call
SUCCEEDED at once, lacks DescribePermissionSetProvisioningStatus and the permissions boundary
calls, and ignores ProvisionPermissionSet's target (aws-facts §14e); here every request is
checked against botocore's `sso-admin`/`identitystore` models (`vending.local.modeled`) and:

* Create/DeleteAccountAssignment and ProvisionPermissionSet answer IN_PROGRESS; a later read
  (of either service) finds them further along, SUCCEEDED after `store.ASYNC_POLLS` reads, or
  FAILED with a FailureReason (a customer managed policy missing in the account);
* an unknown permission set, principal (not in the store) or account (not in the
  organization) is refused; only the management account may call (organization instance);
* every edit to a permission set leaves the accounts it is provisioned to on an older version
  (ListAccountsForProvisionedPermissionSet LATEST_PERMISSION_SET_NOT_PROVISIONED) until
  ProvisionPermissionSet; an assignment provisions the latest version to its account;
* quotas are named in `store` with their AWS source.
The landing zone's instance lives in the home Region (`bootstrap.HOME_REGION`) with the groups
`GROUPS`, the ones the example repository's `access` names.
"""
from __future__ import annotations

from typing import Any

from moto.identitystore.responses import IdentityStoreResponse
from moto.ssoadmin.responses import SSOAdminResponse

from vending.local.bootstrap import HOME_REGION
from vending.local.framework import EmulatorContext
from vending.local.modeled import ModeledService
from vending.local.ssoadmin import assignments, identitystore, permission_sets  # noqa: F401 (handlers)
from vending.local.ssoadmin.handlers import IDS_HANDLERS, SSO_HANDLERS
from vending.local.ssoadmin.store import IdentityStore

GROUPS = (("Developers", "Application developers"), ("Operators", "Production operations"),
          ("Auditors", "Read-only reviewers"))


class IdentityCenter:
    """Emulator plug-in: an organization instance of IAM Identity Center and its identity store."""

    name = "ssoadmin"

    def __init__(self) -> None:
        self.store = IdentityStore()

    def install(self, ctx: EmulatorContext) -> None:
        ModeledService("sso-admin", self, SSO_HANDLERS, self.step).install_on(ctx, SSOAdminResponse)
        ModeledService("identitystore", self, IDS_HANDLERS, self.step).install_on(ctx, IdentityStoreResponse)

    def step(self, account_id: str, region: str) -> bool:
        return assignments.step(self.store)

    def bootstrap(self, ctx: EmulatorContext) -> None:
        self.store = IdentityStore()
        self.store.create_instance(ctx.settings.management_account_id, HOME_REGION)
        for name, description in GROUPS:
            self.store.add_group(name, description)

    def state(self) -> Any:
        return self.store.data

    def restore(self, state: Any) -> None:
        if not isinstance(state, dict) or "permission_sets" not in state:
            raise TypeError("ssoadmin snapshot is not a mapping of the identity store")
        self.store = IdentityStore(state)
