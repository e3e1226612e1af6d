"""The Marketplace Catalog emulator: Private Marketplace experiences as AWS Marketplace Catalog
entities (aws-facts section 5), which moto lacks.

Added to moto as a service the way `vending.local.controltower` is (approach P2 of
moto-coverage.md section 8): a `moto.marketplacecatalog` package with a backend and the URL
pattern of `catalog.marketplace.<region>.amazonaws.com`, registered in `moto.backend_index`, so it
serves in-process under `mock_aws()` and behind `vend local serve` (where moto finds the service
from the signing name `aws-marketplace`). Requests and answers are checked against botocore's
`marketplace-catalog/2018-09-17` model (`vending.local.modeled`), with two exceptions where the
model cannot be what AWS does: its EntityType pattern `^[a-zA-Z]+$` has no room for the version
AWS's documented requests and answers carry ("Experience@1.0"), so the version is set aside for
the check; and its EntitySummary Name pattern is escaped twice (`^\\S+...`, a backslash and an
S), so summary names are not checked against it. Handlers: `handlers`;
change types: `changes`; state, ids and callers: `state`; the service-linked role: `service_role`.
"""
from __future__ import annotations

import copy
from typing import Any

import moto.moto_server.werkzeug_app as werkzeug_app
from moto.core.responses import BaseResponse
from moto.organizations.models import FakeDelegatedAdministrator, FakeServiceAccess

from vending.local.framework import EmulatorContext, is_read
from vending.local.marketplace import handlers
from vending.local.marketplace import service_role
from vending.local.marketplace.state import HANDLERS, PRINCIPAL, organization
from vending.local.modeled import Call, ModeledService, check_request, check_response, service_model
from vending.local.moto_service import register_with_moto
from vending.local.unknown_operations import unknown_operation

SERVICE = "marketplace-catalog"
BACKEND = "marketplacecatalog"
URL = r"https?://catalog\.marketplace\.(.+)\.amazonaws\.com"
SIGNING_NAME = "aws-marketplace"


class MarketplaceCatalogResponse(BaseResponse):
    """Answers every marketplace-catalog operation through `_Modeled` (installed)."""

    def __init__(self) -> None:
        super().__init__(service_name=SERVICE)


def _unversioned(value: Any) -> Any:
    """A copy for the model check (see the docstring): no "@1.0" in EntityType/Type strings, no
    Name in entity summaries."""
    if isinstance(value, dict):
        return {k: (v.split("@", 1)[0] if k in ("Type", "EntityType") and isinstance(v, str) else _unversioned(v))
                for k, v in value.items() if not (k == "Name" and "EntityId" in value)}
    if isinstance(value, list):
        return [_unversioned(v) for v in value]
    return value


class _Modeled(ModeledService):
    """ModeledService, checking entity types without their version."""

    def dispatch(self, ctx: EmulatorContext, operation: str, params: dict[str, Any],
                 account_id: str, region: str) -> dict[str, Any]:
        fault = ctx.faults.take(self.service, operation)
        if fault is not None:
            raise fault
        handler = self.handlers.get(operation)
        if handler is None:
            raise unknown_operation(self.service, operation)
        if self.step is not None and (is_read(operation) or operation == "StartChangeSet") and self.step(
                account_id, region):
            ctx.mark_changed()  # time passes for the change sets in flight (handlers.step)
        model = service_model(self.service).operation_model(operation)
        check_request(model, _unversioned(params))
        result = handler(Call(operation, copy.deepcopy(params), account_id, region, self.emulator, ctx.settings))
        check_response(model, _unversioned(result))
        return result


def _register_with_moto(ctx: EmulatorContext) -> None:
    """Make `moto.marketplacecatalog` routable, signed as `aws-marketplace` (undone with the other patches)."""
    register_with_moto(ctx, backend=BACKEND, service=SERVICE, url=URL, path="{0}/.*$",
                       response=MarketplaceCatalogResponse)
    ctx.patcher.setitem(werkzeug_app.SIGNING_ALIASES, SIGNING_NAME, "catalog.marketplace")


class MarketplaceCatalog:
    """Emulator plug-in: the Private Marketplace part of the AWS Marketplace Catalog API."""

    name = "marketplacecatalog"

    def __init__(self) -> None:
        self.accounts: dict[str, Any] = {}
        self._ctx: EmulatorContext | None = None

    def install(self, ctx: EmulatorContext) -> None:
        self._ctx = ctx
        _register_with_moto(ctx)
        _Modeled(SERVICE, self, HANDLERS, self.step).install_on(ctx, MarketplaceCatalogResponse)
        # Private marketplace takes trusted access and a delegated administrator (aws-facts 5.1);
        # moto's lists of such service principals lack it.
        ctx.patcher.setattr(FakeServiceAccess, "TRUSTED_SERVICES", [*FakeServiceAccess.TRUSTED_SERVICES, PRINCIPAL])
        ctx.patcher.setattr(FakeDelegatedAdministrator, "SUPPORTED_SERVICES",
                            [*FakeDelegatedAdministrator.SUPPORTED_SERVICES, PRINCIPAL])
        service_role.install(ctx)

    def step(self, account_id: str, region: str) -> bool:
        """A read lets time pass for the change sets of the caller and of the management account
        (whose entities a delegated administrator works on)."""
        assert self._ctx is not None
        management = self._ctx.settings.management_account_id
        changed = False
        for account in dict.fromkeys((account_id, management)):
            state = self.accounts.get(account)
            if state is not None:
                changed = handlers.step(state, organization(management), account) or changed
        return changed

    def bootstrap(self, ctx: EmulatorContext) -> None:
        """A new organization has no private marketplace."""
        self.accounts = {}

    def state(self) -> Any:
        """The entities, and which accounts have the service-linked role (no emulator keeps IAM's
        roles, so this one keeps its own)."""
        return {"accounts": self.accounts, "service_roles": service_role.holders()}

    def restore(self, state: Any) -> None:
        accounts = state["accounts"]
        if not isinstance(accounts, dict):
            raise TypeError("marketplacecatalog accounts is not a mapping")
        self.accounts = accounts
        service_role.restore(state.get("service_roles", ()))
