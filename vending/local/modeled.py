"""Model-checked dispatch: the emulators that answer whole AWS operations themselves.

Why: a fake that accepts what AWS refuses, or answers with a shape AWS never sends, makes tests
pass against a lie. So every request an emulator serves here is checked against the operation's
input shape in botocore's service model, and every answer against its output shape
(`botocore.validate.validate_parameters`, plus the constraints botocore's client leaves out:
pattern, enum, maximum length/items/value).

* A request that breaks the model gets AWS's `ValidationException` in AWS's wording ("1 validation
  error detected: Value 'k8s PoC 1' at 'name' failed to satisfy constraint: Member must satisfy
  regular expression pattern: [a-zA-Z0-9][a-zA-Z0-9._-]*", seen from Service Catalog in
  aws-ia/terraform-aws-control_tower_account_factory issue #75). botocore's client does not check
  patterns, so the AWS CLI and boto3 reach this check as they would reach AWS.
* An answer that breaks the model is a bug in the emulator: `EmulatorContractError`, loud.

`ModeledService.install_on(response_class)` makes a moto response class answer through the
handlers (moto still parses the request and serializes the answer from the same model), which
works in-process under `mock_aws()` and behind moto's server alike. Each call is one
`ctx.request` (durable when answered); a read first lets time pass for the service's
asynchronous operations (`step`), as any request to AWS finds them further along. An operation
without a handler is AWS's unknown-operation error (`unknown_operations`).
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

import botocore.session
from botocore.exceptions import ParamValidationError
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import validate_parameters
from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionResult, BaseResponse

from vending.local.errors import AwsServiceError
from vending.local.framework import ApiCall, access_key_id, EmulatorContext, LocalSettings, is_read
from vending.local.unknown_operations import error_response, unknown_operation

S = TypeVar("S")


class EmulatorContractError(AssertionError):
    """An emulator answered with something its AWS service model does not allow (a bug)."""


@dataclass
class Call(Generic[S]):
    """One request, as a handler sees it."""

    operation: str
    params: dict[str, Any]
    account_id: str
    region: str
    emulator: S
    settings: LocalSettings
    access_key_id: str = ""
    """The access key that signed the request: who is calling (an assumed role, an IAM user,
    or the account's root for the local AWS's dummy keys), for emulators that match callers."""
    principal_arn: str | None = None
    """For a call one emulator makes into another in-process (no signed request): the IAM ARN
    it acts as, e.g. a stack set's execution role launching a Service Catalog product."""


Handler = Callable[[Call[Any]], dict[str, Any]]
Step = Callable[[str, str], bool]
"""step(account_id, region): advance every asynchronous operation in flight by one read;
True if any changed."""


@lru_cache(maxsize=None)
def service_model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


@lru_cache(maxsize=None)
def _pattern(text: str) -> re.Pattern[str] | None:
    """AWS patterns are Java regexes; those Python cannot compile (\\p{L}...) are skipped."""
    try:
        return re.compile(text)
    except re.error:
        return None


def constraint_errors(value: Any, shape: Shape, path: str) -> list[str]:
    """AWS-worded violations of pattern/enum/max constraints (botocore checks min and types)."""
    found: list[str] = []
    meta = shape.metadata
    if shape.type_name == "structure":
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if isinstance(value, dict) and value.get(name) is not None:
                found += constraint_errors(value[name], member, _join(path, name))
    elif shape.type_name == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            found.append(f"Value at '{path}' failed to satisfy constraint: Member must have "
                         f"length less than or equal to {meta['max']}")
        member: Shape = shape.member  # type: ignore[attr-defined]
        for index, item in enumerate(value):
            found += constraint_errors(item, member, f"{path}.{index + 1}.member")
    elif shape.type_name == "map" and isinstance(value, dict):
        values: Shape = shape.value  # type: ignore[attr-defined]
        for key, item in value.items():
            found += constraint_errors(item, values, f"{path}.{key}")
    elif shape.type_name == "string" and isinstance(value, str):
        enum = shape.enum  # type: ignore[attr-defined]
        pattern = _pattern(meta["pattern"]) if "pattern" in meta else None
        if enum and value not in enum:
            found.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must "
                         f"satisfy enum value set: [{', '.join(enum)}]")
        elif "max" in meta and len(value) > meta["max"]:
            found.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must "
                         f"have length less than or equal to {meta['max']}")
        elif pattern is not None and not pattern.fullmatch(value):
            found.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must "
                         f"satisfy regular expression pattern: {meta['pattern']}")
    elif shape.type_name in ("integer", "long") and isinstance(value, int):
        if "max" in meta and value > meta["max"]:
            found.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must "
                         f"have value less than or equal to {meta['max']}")
    return found


def _join(path: str, name: str) -> str:
    member = name[:1].lower() + name[1:]  # AWS reports members in lowerCamelCase
    return f"{path}.{member}" if path else member


def check_request(operation: OperationModel, params: dict[str, Any]) -> None:
    """ValidationException, as AWS words it, for a request outside the input shape."""
    shape = operation.input_shape
    if shape is None:
        return
    try:
        validate_parameters(params, shape)
    except ParamValidationError as exc:
        raise AwsServiceError("ValidationException", str(exc.kwargs["report"])) from None
    errors = constraint_errors(params, shape, "")
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise AwsServiceError("ValidationException",
                              f"{len(errors)} validation {noun} detected: {'; '.join(errors)}")


def check_response(operation: OperationModel, result: dict[str, Any]) -> None:
    """EmulatorContractError unless `result` is a valid instance of the output shape."""
    shape = operation.output_shape
    if shape is None:
        if result:
            raise EmulatorContractError(f"{operation.name} has no output, got {result!r}")
        return
    try:
        validate_parameters(result, shape)
    except ParamValidationError as exc:
        raise EmulatorContractError(f"{operation.name} answer breaks the model: {exc}") from None
    errors = constraint_errors(result, shape, "")
    if errors:
        raise EmulatorContractError(f"{operation.name} answer breaks the model: {errors}")


class ModeledService:
    """The handlers of one AWS service, dispatched with model checks, faults and the lock."""

    def __init__(self, service: str, emulator: Any, handlers: dict[str, Handler],
                 step: Step | None = None):
        self.service = service
        self.emulator = emulator
        self.handlers = handlers
        self.step = step

    def dispatch(self, ctx: EmulatorContext, operation: str, params: dict[str, Any],
                 account_id: str, region: str) -> dict[str, Any]:
        """Answer one call (the caller is inside `ctx.request`)."""
        fault = ctx.faults.take(self.service, operation)
        if fault is not None:
            raise fault
        handler = self.handlers.get(operation)
        if handler is None:
            raise unknown_operation(self.service, operation)
        if self.step is not None and is_read(operation) and self.step(account_id, region):
            ctx.mark_changed()
        model = service_model(self.service).operation_model(operation)
        check_request(model, params)
        result = handler(Call(operation, params, account_id, region, self.emulator, ctx.settings,
                               ctx.call.access_key_id if ctx.call is not None else ""))
        check_response(model, result)
        return result

    def install_on(self, ctx: EmulatorContext, response_class: type[BaseResponse]) -> None:
        """Make moto's `response_class` answer every operation through `dispatch`."""
        service = self

        def call_action(response: BaseResponse) -> TYPE_RESPONSE:
            operation = response._get_action()
            if operation not in service.handlers:  # changes nothing: no request to persist
                return error_response(response, unknown_operation(service.service, operation))
            call = ApiCall(service.service, operation, response.current_account,
                           response.region, access_key_id(response.headers))
            try:
                with ctx.request(mutating=not is_read(operation), call=call):
                    response.parse_parameters(response.normalized_request)
                    call.params = params = dict(response.params)
                    answer: Any = service.dispatch(ctx, operation, params,
                                                   response.current_account, response.region)
            except AwsServiceError as error:
                answer = error
            status, headers, body = response.serialized(ActionResult(answer))
            headers, body = response._enrich_response(headers, body)
            return status, headers, body

        call_action.__doc__ = (f"{self.service}, answered by vending.local "
                               f"({type(self.emulator).__name__}).")
        ctx.patcher.setattr(response_class, "call_action", call_action)


def registry() -> tuple[dict[str, Handler], Callable[[str], Callable[[Handler], Handler]]]:
    """A handler table and its `@handles("Operation")` decorator."""
    table: dict[str, Handler] = {}

    def handles(operation: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            table[operation] = fn
            return fn
        return register

    return table, handles


def page(items: list[Any], size: int | None, token: str | None, default: int,
         bad_token: Callable[[], AwsServiceError]) -> tuple[list[Any], str | None]:
    """One page of `items` and the token of the next (opaque offset tokens, as AWS's are)."""
    start = 0
    if token:
        try:
            start = int(json.loads(base64.b64decode(token))["offset"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise bad_token() from None
    size = size or default
    following = None
    if start + size < len(items):
        following = base64.b64encode(json.dumps({"offset": start + size}).encode()).decode()
    return items[start:start + size], following
