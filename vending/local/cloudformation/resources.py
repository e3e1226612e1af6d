"""moto's CloudFormation resource handlers, corrected where they fail unlike AWS.

A stack instance is a real moto stack, so a resource moto cannot create fails the instance with
the exception's text as its StatusReason. Where moto's handler breaks on its own (an IndexError
instead of the service's error), the instance would fail with a message AWS never gives; the
handlers here raise what the service says instead.

- `AWS::EC2::FlowLog` to an S3 bucket that does not exist: EC2's CreateFlowLogs reports the
  resource as unsuccessful ("LogDestination: <bucket> does not exist."), and CloudFormation's
  handler fails the resource with that message; moto indexes the empty list of created flow logs.

The message is the one StackSets gives for a stack instance whose stack failed on a resource:
"ResourceLogicalId:<id>, ResourceType:<type>, ResourceStatusReason:<the handler's message>."
"""
from __future__ import annotations

from typing import Any

from moto.ec2.models.flow_logs import FlowLogs

from vending.local.framework import EmulatorContext


class ResourceHandlerFailed(Exception):
    """A resource CloudFormation could not create; str() is the handler's message."""


def install(ctx: EmulatorContext) -> None:
    original = FlowLogs.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create_flow_log(cls: type[FlowLogs], resource_name: str, cloudformation_json: Any,
                        account_id: str, region_name: str, **kwargs: Any) -> FlowLogs:
        from moto.ec2.models import ec2_backends

        backend = ec2_backends[account_id][region_name]
        before = set(backend.flow_logs)
        try:
            return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        except IndexError:
            if set(backend.flow_logs) != before:
                raise
            properties = cloudformation_json["Properties"]
            bucket = str(properties.get("LogDestination", "")).split(":", 5)[-1]
            raise ResourceHandlerFailed(
                f"ResourceLogicalId:{kwargs.get('LogicalId', resource_name)}, ResourceType:AWS::EC2::FlowLog, "
                f'ResourceStatusReason:Resource handler returned message: "LogDestination: {bucket} '
                f'does not exist." (HandlerErrorCode: InvalidRequest).') from None

    ctx.patcher.setattr(FlowLogs, "create_from_cloudformation_json", classmethod(create_flow_log))
