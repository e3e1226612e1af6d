"""The strict Organizations emulator: moto's Organizations, made to answer as AWS does.

The first plug-in of `vending.local.framework`. It wraps every action method of moto's
`OrganizationsResponse` (approach P1 of moto-coverage.md section 8), so it works in-process under
`mock_aws()` and behind moto's server alike. Each call is one `ctx.request` (on the latest
state, durable when answered), in which the wrapper:

1. returns an injected fault, if one is due (`vending.local.faults`);
2. for a read, lets time pass for the creations and closures in flight
   (`organizations.lifecycle.step`);
3. rejects MaxResults above the model's maximum (20 for every Organizations list) with
   InvalidInputException reason MAX_VALUE_EXCEEDED - moto accepts any page size;
4. runs the operation's strict handler: a `@replaces` handler answers the call itself, a
   `@guards` handler checks AWS's preconditions and lets moto answer
   (`organizations.rules`, `organizations.lifecycle`);
5. otherwise lets moto answer unchanged.

moto's backend methods themselves stay unpatched, so moto-internal calls (and the bootstrap)
keep moto's synchronous behaviour. ListAccounts pages by 20 like AWS (moto: 100).
"""
from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import botocore.session
from botocore import xform_name
from moto.core.exceptions import InvalidToken
from moto.organizations.models import organizations_backends
from moto.organizations.responses import OrganizationsResponse
from moto.organizations.utils import PAGINATION_MODEL

from vending.local.organizations import errors as err
# Importing these modules registers their handlers in REPLACE / GUARD.
from vending.local.organizations import lifecycle, policies  # noqa: F401
from vending.local.bootstrap import bootstrap_organization
from vending.local.framework import ApiCall, access_key_id, EmulatorContext, is_read
from vending.local.organizations.rules import GUARD, PAGE_MAX, REPLACE

GLOBAL_REGION = "us-east-1"
"""Organizations' events are recorded in US East (N. Virginia) only (aws-facts 13.2)."""


@lru_cache(maxsize=1)
def _model_operations() -> dict[str, tuple[str, int | None]]:
    """snake_case method name -> (AWS operation name, MaxResults maximum or None)."""
    model = botocore.session.get_session().get_service_model("organizations")
    result = {}
    for name in model.operation_names:
        members = model.operation_model(name).input_shape
        limit = None
        if members is not None and "MaxResults" in members.members:
            limit = members.members["MaxResults"].metadata.get("max")
        result[xform_name(name)] = (name, limit)
    return result


def _check_page_size(params: dict[str, Any], limit: int | None) -> None:
    size = params.get("MaxResults")
    if limit is not None and isinstance(size, int) and size > limit:
        raise err.invalid_input(
            "MAX_VALUE_EXCEEDED",
            f"You provided a numeric parameter that has a larger value than allowed: "
            f"MaxResults must be at most {limit}.")


class OrganizationsStrict:
    """Emulator plug-in: strict Organizations on top of moto's backend."""

    name = "organizations"

    def __init__(self) -> None:
        self._ctx: EmulatorContext | None = None

    def install(self, ctx: EmulatorContext) -> None:
        self._ctx = ctx
        operations = _model_operations()
        for attr, original in list(vars(OrganizationsResponse).items()):
            if attr.startswith("_") or not inspect.isfunction(original) or attr not in operations:
                continue
            operation, limit = operations[attr]
            ctx.patcher.setattr(OrganizationsResponse, attr,
                                self._wrap(ctx, operation, limit, original))
        ctx.patcher.setitem(PAGINATION_MODEL, "list_accounts", {
            **PAGINATION_MODEL["list_accounts"],
            "limit_default": PAGE_MAX,
            "unique_attribute": "Id",  # JoinedTimestamp can repeat
        })

    @staticmethod
    def _wrap(ctx: EmulatorContext, operation: str, limit: int | None,
              original: Callable[[OrganizationsResponse], Any]) -> Callable[..., Any]:
        replace = REPLACE.get(operation)
        guard = GUARD.get(operation)
        read = is_read(operation)

        def action(response: OrganizationsResponse) -> Any:
            call = ApiCall("organizations", operation, response.current_account, GLOBAL_REGION,
                           access_key_id(response.headers))
            with ctx.request(mutating=not read, call=call):
                fault = ctx.faults.take("organizations", operation)
                if fault is not None:
                    raise fault
                backend = response.organizations_backend
                if read and lifecycle.step(backend):
                    ctx.mark_changed()
                call.params = params = response.request_params
                _check_page_size(params, limit)
                if replace is not None:
                    return json.dumps(replace(backend, params, ctx.settings))
                if guard is not None:
                    guard(backend, params, ctx.settings)
                try:
                    return original(response)
                except InvalidToken:
                    raise err.invalid_input("INVALID_NEXT_TOKEN",
                                            "The NextToken value is not valid.") from None

        action.__name__ = original.__name__
        action.__qualname__ = original.__qualname__
        action.__doc__ = f"{operation}, made strict by vending.local.organizations.strict."
        return action

    def bootstrap(self, ctx: EmulatorContext) -> None:
        organizations_backends.clear()  # also when another process reset the state
        organizations_backends.master_accounts.clear()
        bootstrap_organization(ctx.settings.management_account_id)

    def state(self) -> Any:
        """moto's backends of the accounts that own an organization, and the member map.

        Only Organizations is persisted: the IAM, STS, ... backends of member accounts are not
        (they are huge and our tools do not rely on them across processes).
        """
        owners = {
            account_id: dict(regions)
            for account_id, regions in organizations_backends.items()
            if any(backend.org is not None for backend in regions.values())
        }
        return {"backends": owners, "master_accounts": dict(organizations_backends.master_accounts)}

    def restore(self, state: Any) -> None:
        """Replace every organization this process holds (the snapshot may be another
        process's newer one)."""
        backends, masters = state["backends"], state["master_accounts"]
        if not isinstance(backends, dict) or not isinstance(masters, dict):
            raise TypeError("organizations snapshot is not a mapping")
        organizations_backends.clear()
        for account_id, regions in backends.items():
            account_backends = organizations_backends[account_id]
            for region, backend in regions.items():
                account_backends[region] = backend
        organizations_backends.master_accounts.clear()
        organizations_backends.master_accounts.update(masters)
