"""An operation the local AWS does not implement answers as AWS answers an unknown action.

moto raises NotImplementedError, which its server turns into HTTP 500 with an HTML page; the AWS
CLI and boto3 retry a 500 (four more times by default) and then show a parse error. AWS answers
an action it does not know with HTTP 400 and an error code in the protocol's own error format,
which botocore raises at once as a ClientError:

* query protocols (IAM, STS, ...): `InvalidAction` ("The action or operation requested is
  invalid", AWS common errors);
* JSON and REST-JSON protocols (Organizations, Service Catalog, Control Tower):
  `UnknownOperationException` (`{"__type": "com.amazon.coral.service#UnknownOperationException"}`
  with status 400, as seen from CloudWatch Logs in aws/aws-sdk-net#1536 and OpsWorks in
  aws/aws-sdk-js#425).

The same holds in-process: the call fails with that ClientError instead of a NotImplementedError.
"""
from __future__ import annotations

import warnings
from functools import lru_cache

import botocore.session
from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionResult, BaseResponse

from vending.local.errors import AwsServiceError
from vending.local.framework import Patcher

UNKNOWN_STATUS = 400
QUERY_PROTOCOLS = ("query", "ec2")


@lru_cache(maxsize=None)
def _protocol(service: str) -> str:
    return str(botocore.session.get_session().get_service_model(service).protocol)


class UnknownOperation(AwsServiceError):
    """The error AWS answers for an operation it does not know (always HTTP 400)."""


def unknown_operation(service: str, operation: str) -> UnknownOperation:
    """The error AWS answers for `operation`, which `service` does not implement here."""
    code = "InvalidAction" if _protocol(service) in QUERY_PROTOCOLS else "UnknownOperationException"
    return UnknownOperation(code, f"The {operation} operation is not implemented by the vend local "
                                 "emulator (see the README's list of gaps).")


def error_response(response: BaseResponse, error: UnknownOperation) -> TYPE_RESPONSE:
    """`error` serialized in the protocol of `response`'s service, with status 400."""
    with warnings.catch_warnings():  # moto warns that no model has this error shape: none does
        warnings.simplefilter("ignore", UserWarning)
        _, headers, body = response.serialized(ActionResult(error))
    headers, body = response._enrich_response(headers, body)
    headers["status"] = UNKNOWN_STATUS
    return UNKNOWN_STATUS, headers, body


def install_unknown_operation_errors(patcher: Patcher) -> None:
    """Make every moto service answer an unimplemented operation as AWS answers unknown ones."""
    original = BaseResponse.call_action

    def call_action(response: BaseResponse) -> TYPE_RESPONSE:
        try:
            return original(response)
        except NotImplementedError:
            error = unknown_operation(response.boto3_service_name, response._get_action())
            return error_response(response, error)

    call_action.__doc__ = original.__doc__
    patcher.setattr(BaseResponse, "call_action", call_action)
