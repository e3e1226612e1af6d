"""Private Marketplace's service-linked role in the local IAM (aws-facts 5.1).

moto names a service-linked role after its service principal; AWS names this one
AWSServiceRoleForPrivateMarketplaceAdmin (AWS Marketplace buyer guide). No emulator keeps moto's
IAM across processes, so this one serves CreateServiceLinkedRole and GetRole inside the local
AWS's requests (on the latest state, written when changed) and keeps which accounts hold the
role in its own state.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from moto.iam.models import IAMBackend, iam_backends
from moto.iam.responses import IamResponse

from vending.local.framework import ApiCall, EmulatorContext, access_key_id
from vending.local.marketplace.state import PRINCIPAL
from vending.model.live_marketplace import SERVICE_ROLE


def install(ctx: EmulatorContext) -> None:
    ctx.patcher.setattr(IAMBackend, "create_service_linked_role", _named(IAMBackend.create_service_linked_role))
    for attr, operation, mutating in (("create_service_linked_role", "CreateServiceLinkedRole", True),
                                      ("get_role", "GetRole", False)):
        ctx.patcher.setattr(IamResponse, attr, _served(ctx, operation, mutating, getattr(IamResponse, attr)))


def _named(original: Callable[..., Any]) -> Callable[..., Any]:
    def create(backend: IAMBackend, service_name: str, description: str, suffix: str) -> Any:
        if service_name != PRINCIPAL:
            return original(backend, service_name, description, suffix)
        trust = {"Version": "2012-10-17", "Statement": [{"Action": ["sts:AssumeRole"], "Effect": "Allow",
                                                         "Principal": {"Service": [PRINCIPAL]}}]}
        return backend.create_role(SERVICE_ROLE, json.dumps(trust), f"/aws-service-role/{PRINCIPAL}/",
                                   permissions_boundary=None, description=description, tags=[],
                                   max_session_duration="3600", linked_service=PRINCIPAL)

    return create


def _served(ctx: EmulatorContext, operation: str, mutating: bool, original: Callable[..., Any]) -> Callable[..., Any]:
    def action(response: IamResponse) -> Any:
        call = ApiCall("iam", operation, response.current_account, "us-east-1", access_key_id(response.headers))
        with ctx.request(mutating=mutating, call=call):
            return original(response)

    action.__name__ = original.__name__
    return action


def holders() -> list[str]:
    """Accounts whose IAM has the role."""
    return sorted(a for a in list(iam_backends)
                  if any(r.name == SERVICE_ROLE for r in iam_backends[a]["global"].roles.values()))


def restore(accounts: Iterable[str]) -> None:
    for account in accounts:
        backend = iam_backends[account]["global"]
        if not any(r.name == SERVICE_ROLE for r in backend.roles.values()):
            backend.create_service_linked_role(PRINCIPAL, "", "")
