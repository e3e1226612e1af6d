"""The CloudFormation StackSets errors the emulator raises, with AWS's codes and, where seen, words.

Codes are the error shapes of botocore's `cloudformation/2010-05-15` model (CFN-API), plus
`ValidationError`, CloudFormation's code for a request it refuses (not in the model's shapes).
Messages quoted from AWS say where they were seen; the others are the emulator's own, kept close
to the model's shape documentation.
"""
from __future__ import annotations

from vending.local.errors import AwsServiceError

TRUSTED_ACCESS = ("You must enable organizations access to operate a service managed stack set")
"""Seen from CreateStackSet as ValidationError (pepperize/cdk-organizations issue #1718 and
several onboarding guides quoting `An error occurred (ValidationError) when calling the
CreateStackSet operation: ...`)."""
NOT_ORG_ADMIN = ("You must be the master or delegated admin account of an organization before "
                 "operating a SERVICE_MANAGED stack set")
"""Seen from a member account (aws-cloudformation/cloudformation-coverage-roadmap issue #799)."""
SUSPENDED = ("This account is suspended. To remove this instance from the stack set, run "
             "DeleteStackInstances with the RetainStacks parameter.")
"""StatusReason of a SKIPPED_SUSPENDED_ACCOUNT instance (ansible-collections/community.aws issue
#2358, quoting ListStackInstances)."""


def validation(message: str) -> AwsServiceError:
    return AwsServiceError("ValidationError", message)


def not_found(name: str) -> AwsServiceError:
    return AwsServiceError("StackSetNotFoundException", f"StackSet {name} not found")


def operation_not_found(operation_id: str) -> AwsServiceError:
    return AwsServiceError("OperationNotFoundException", f"Operation {operation_id} not found")


def instance_not_found(name: str, account: str, region: str) -> AwsServiceError:
    return AwsServiceError("StackInstanceNotFoundException",
                           f"Stack instance in account {account} and region {region} not found "
                           f"for StackSet {name}")


def name_exists(name: str) -> AwsServiceError:
    return AwsServiceError("NameAlreadyExistsException", f"StackSet {name} already exists")


def in_progress(arn: str) -> AwsServiceError:
    """Seen from UpdateStackInstances (ansible-collections/community.aws issue #103)."""
    return AwsServiceError("OperationInProgressException",
                           f"Another Operation on StackSet {arn} is in progress")


def operation_id_exists(operation_id: str) -> AwsServiceError:
    return AwsServiceError("OperationIdAlreadyExistsException",
                           f"The operation ID {operation_id} already exists.")


def not_empty(name: str) -> AwsServiceError:
    return AwsServiceError("StackSetNotEmptyException",
                           f"StackSet {name} cannot be deleted while it still contains stack "
                           "instances. Delete all stack instances first.")


def capabilities(needed: str) -> AwsServiceError:
    """CloudFormation's words for a template that needs IAM capabilities."""
    return AwsServiceError("InsufficientCapabilitiesException",
                           f"Requires capabilities : [{needed}]")


def limit(message: str) -> AwsServiceError:
    return AwsServiceError("LimitExceededException", message)


def invalid_operation(message: str) -> AwsServiceError:
    return AwsServiceError("InvalidOperationException", message)
