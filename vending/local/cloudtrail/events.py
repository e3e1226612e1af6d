"""A served call as CloudTrail's management event (the fields LookupEvents returns).

The CloudTrailEvent JSON carries what the planner needs to map a change to resources:
eventSource, eventName, awsRegion, recipientAccountId, userIdentity and `requestParameters`
(the request, with member names in lowerCamelCase as CloudTrail writes them; map keys such as
tag values stay as sent). responseElements is null: the emulator does not copy answers.
Resources are what the request names by identifier (`RESOURCE_PARAMETERS`), as type + name.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from botocore.model import Shape

from vending.local.framework import ApiCall
from vending.local.modeled import service_model

EVENT_VERSION = "1.08"
GLOBAL_SERVICES = frozenset({"organizations", "account", "budgets", "iam", "sts"})
"""Global services: their events are recorded in us-east-1 (aws-facts 13.2)."""
ORG_PREFIXES = (("ou-", "AWS::Organizations::OrganizationalUnit"),
                ("r-", "AWS::Organizations::Root"), ("p-", "AWS::Organizations::Policy"))
RESOURCE_PARAMETERS: dict[str, str] = {
    "AccountId": "AWS::Organizations::Account",
    "OrganizationalUnitId": "AWS::Organizations::OrganizationalUnit",
    "PolicyId": "AWS::Organizations::Policy",
    "ParentId": "", "SourceParentId": "", "DestinationParentId": "", "TargetId": "",
    "ResourceId": "",
    "PortfolioId": "AWS::ServiceCatalog::Portfolio",
    "ProductId": "AWS::ServiceCatalog::Product",
    "ProvisionedProductName": "AWS::ServiceCatalog::ProvisionedProduct",
    "StackSetName": "AWS::CloudFormation::StackSet",
    "targetIdentifier": "AWS::ControlTower::Target",
    "baselineIdentifier": "AWS::ControlTower::Baseline",
    "enabledBaselineIdentifier": "AWS::ControlTower::EnabledBaseline",
    "controlIdentifier": "AWS::ControlTower::Control",
    "bucketName": "AWS::S3::Bucket",
}
"""Request parameter -> resource type; "" means: by the id's form (ou-, r-, p-, 12 digits)."""


def management_event(call: ApiCall, error: BaseException | None, *, account_id: str,
                     username: str, identity: dict[str, Any], now: float) -> dict[str, Any]:
    """The journal line of one call: LookupEvents' fields, plus where it was recorded."""
    model = service_model(call.service)
    source = f"{model.metadata['endpointPrefix']}.amazonaws.com"
    region = "us-east-1" if call.service in GLOBAL_SERVICES else call.region
    event_id = str(uuid.uuid4())  # not moto's seeded random: ids of the organization stay put
    detail: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": datetime.fromtimestamp(int(now), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": call.operation,
        "awsRegion": region,
        "sourceIPAddress": "127.0.0.1",
        "userAgent": "vend-local",
        "requestParameters": request_parameters(call) or None,
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account_id,
        "eventCategory": "Management",
    }
    if error is not None:
        code = getattr(error, "error_type", None) or getattr(error, "code", None)  # moto's, ours
        detail["errorCode"] = code if isinstance(code, str) else type(error).__name__
        detail["errorMessage"] = getattr(error, "message", None) or str(error)
    return {
        "account": account_id, "region": region, "t": now,
        "EventId": event_id, "EventName": call.operation, "ReadOnly": "false",
        "AccessKeyId": call.access_key_id, "EventTime": int(now), "EventSource": source,
        "Username": username, "Resources": resources(call.params),
        "CloudTrailEvent": json.dumps(detail, default=str),
    }


def request_parameters(call: ApiCall) -> dict[str, Any]:
    model = service_model(call.service)
    if call.operation not in model.operation_names:
        return dict(call.params)
    shape = model.operation_model(call.operation).input_shape
    value = _camel(call.params, shape) if shape is not None else call.params
    return value if isinstance(value, dict) else {}


def _camel(value: Any, shape: Shape) -> Any:
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        return {(_lower(k) if k in members else k): (_camel(v, members[k]) if k in members else v)
                for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_camel(item, shape.member) for item in value]  # type: ignore[attr-defined]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _camel(v, shape.value) for k, v in value.items()}  # type: ignore[attr-defined]
    return value


def _lower(name: str) -> str:
    return name[:1].lower() + name[1:]


def resources(params: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    for name, kind in RESOURCE_PARAMETERS.items():
        value = params.get(name)
        if isinstance(value, str) and value:
            kind = kind or _org_kind(value)
            if kind:
                found.append({"ResourceType": kind, "ResourceName": value})
    return found


def _org_kind(value: str) -> str:
    if value.isdigit() and len(value) == 12:
        return "AWS::Organizations::Account"
    return next((kind for prefix, kind in ORG_PREFIXES if value.startswith(prefix)), "")
