"""The StackSets emulator: CloudFormation StackSets as AWS runs them, SERVICE_MANAGED first.

moto accepts AutoDeployment but ignores it, resolves an OU to its accounts only one level down,
answers every operation as SUCCEEDED at once, does not update member stacks on UpdateStackSet and
keeps nothing between processes (moto-coverage.md section 3). This plug-in answers every
StackSets operation of moto's `CloudFormationResponse` itself (approach P1 of moto-coverage.md
section 8, so in-process under `mock_aws()` and behind `vend local serve` alike), checked against
botocore's `cloudformation/2010-05-15` model by `vending.local.modeled`; plain stacks stay moto's.
Stack sets (`sets`), instances and asynchronous operations (`instances`, `operations`),
auto-deployment (`autodeploy`) and target resolution (`targets`) are in this package; instances
are real stacks in the member accounts (`stacks`). A request the model refuses gets
CloudFormation's `ValidationError` (its code for a bad request, where other services say
ValidationException).

State is plain dicts per account and region (`store.StackSetStore`), persisted with the other
emulators; on restore the member stacks are re-created under their StackIds, since moto's member
backends are not persisted. Faults: `Faults.stack_instance` fails an instance with a reason,
`Faults.drift` makes one drift (see `vending.local.faults`).
"""
from __future__ import annotations

from typing import Any

from moto.cloudformation.responses import CloudFormationResponse
from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionResult
from moto.organizations.models import FakeDelegatedAdministrator

# Importing these modules registers their handlers in HANDLERS.
from vending.local.cloudformation import instances, sets  # noqa: F401
from vending.local.cloudformation import provisioned_products, resources, stacks
from vending.local.cloudformation.autodeploy import reconcile
from vending.local.cloudformation.calls import HANDLERS, PRINCIPAL
from vending.local.cloudformation.store import StackSetStore
from vending.local.errors import AwsServiceError
from vending.local.framework import ApiCall, access_key_id, EmulatorContext, is_read
from vending.local.modeled import ModeledService


class StackSets:
    """Emulator plug-in: CloudFormation StackSets, answered from `StackSetStore`."""

    name = "stacksets"

    def __init__(self, catalog: Any = None) -> None:
        self.catalog = catalog
        """The Service Catalog emulator member stacks provision through (provisioned_products)."""
        self.store = StackSetStore()
        self.retained: list[dict[str, Any]] = []
        """Stacks left in member accounts by RetainStacks (no longer instances)."""
        self.service = ModeledService("cloudformation", self, HANDLERS)
        self._ctx: EmulatorContext | None = None

    @property
    def ctx(self) -> EmulatorContext:
        assert self._ctx is not None, "install() first"
        return self._ctx

    def install(self, ctx: EmulatorContext) -> None:
        self._ctx = ctx
        resources.install(ctx)
        if self.catalog is not None:
            provisioned_products.install(ctx, self.catalog)
        original = CloudFormationResponse.call_action
        emulator = self

        def call_action(response: CloudFormationResponse) -> TYPE_RESPONSE:
            operation = response._get_action()
            if operation not in HANDLERS:
                return original(response)  # plain stacks: moto's
            call = ApiCall("cloudformation", operation, response.current_account,
                           response.region, access_key_id(response.headers))
            try:
                with ctx.request(mutating=not is_read(operation), call=call):
                    response.parse_parameters(response.normalized_request)
                    call.params = dict(response.params)
                    answer: Any = emulator.dispatch(operation, dict(call.params),
                                                    response.current_account, response.region)
            except AwsServiceError as error:
                answer = error
            status, headers, body = response.serialized(ActionResult(answer))
            headers, body = response._enrich_response(headers, body)
            return status, headers, body

        call_action.__doc__ = "CloudFormation; StackSets answered by vending.local.cloudformation."
        ctx.patcher.setattr(CloudFormationResponse, "call_action", call_action)
        transformers = {path: fn for path, fn in
                        CloudFormationResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER.items()
                        if not path.startswith("DescribeStackSetOutput")}  # ours are AWS-shaped
        ctx.patcher.setattr(CloudFormationResponse, "RESPONSE_KEY_PATH_TO_TRANSFORMER",
                            transformers)
        # AWS lets StackSets have a delegated administrator (RegisterDelegatedAdministrator with
        # its service principal, CFN-UG "Register a delegated administrator"); moto's list lacks it.
        ctx.patcher.setattr(FakeDelegatedAdministrator, "SUPPORTED_SERVICES",
                            [*FakeDelegatedAdministrator.SUPPORTED_SERVICES, PRINCIPAL])

    def dispatch(self, operation: str, params: dict[str, Any], account_id: str,
                 region: str) -> dict[str, Any]:
        """One StackSets call: auto-deployment catches up first, then the modeled handler."""
        for item in self.store.all_sets():
            if item["Status"] == "ACTIVE" and item["PermissionModel"] == "SERVICE_MANAGED":
                seen = item["seen"]
                reconcile(item, self.ctx.settings)
                if item["seen"] is not seen:  # a read that queued operations changed state
                    self.ctx.mark_changed()
        try:
            return self.service.dispatch(self.ctx, operation, params, account_id, region)
        except AwsServiceError as error:
            if error.code == "ValidationException":  # CloudFormation's code for it
                raise AwsServiceError("ValidationError", error.message) from None
            raise

    def bootstrap(self, ctx: EmulatorContext) -> None:
        """A fresh landing zone has no stack sets."""
        self.store = StackSetStore()
        self.retained = []

    def state(self) -> Any:
        return {"accounts": self.store.accounts, "retained": self.retained}

    def restore(self, state: Any) -> None:
        self.store = StackSetStore()
        self.store.accounts = state["accounts"]
        self.retained = state["retained"]
        for item in self.store.all_sets():
            for instance in item["instances"].values():
                if instance.get("applied"):
                    stacks.materialize(instance["Account"], instance["Region"],
                                       instance["applied"])
        for kept in self.retained:
            stacks.materialize(kept["account"], kept["region"], kept)
