"""The Organizations errors the strict layer raises, with AWS's codes, messages and reasons.

Messages are the error shapes' documentation in the botocore `organizations/2016-11-28` model,
which is the text of the Organizations API reference ("Errors" sections,
https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html and each
operation's page). `Reason` values are members of the model's
`ConstraintViolationExceptionReason` / `InvalidInputExceptionReason` enums.
"""
from __future__ import annotations

from vending.local.errors import AwsServiceError


def _err(code: str, message: str, **fields: str) -> AwsServiceError:
    return AwsServiceError(code, message, **fields)


def constraint_violation(reason: str, message: str) -> AwsServiceError:
    return _err("ConstraintViolationException", message, Reason=reason)


def invalid_input(reason: str, message: str) -> AwsServiceError:
    return _err("InvalidInputException", message, Reason=reason)


def not_in_use() -> AwsServiceError:
    return _err("AWSOrganizationsNotInUseException",
                "Your account isn't a member of an organization. To make this request, you must "
                "use the credentials of an account that belongs to an organization.")


def ou_not_empty() -> AwsServiceError:
    return _err("OrganizationalUnitNotEmptyException",
                "The specified OU is not empty. Move all accounts to another root or to other "
                "OUs, remove all child OUs, and try the operation again.")


def ou_not_found() -> AwsServiceError:
    return _err("OrganizationalUnitNotFoundException",
                "We can't find an OU with the OrganizationalUnitId that you specified.")


def parent_not_found() -> AwsServiceError:
    return _err("ParentNotFoundException",
                "We can't find a root or OU with the ParentId that you specified.")


def duplicate_ou() -> AwsServiceError:
    return _err("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")


def source_parent_not_found() -> AwsServiceError:
    return _err("SourceParentNotFoundException",
                "We can't find a source root or OU with the ParentId that you specified.")


def destination_parent_not_found() -> AwsServiceError:
    return _err("DestinationParentNotFoundException",
                "We can't find the destination container (a root or OU) with the ParentId that "
                "you specified.")


def duplicate_account() -> AwsServiceError:
    return _err("DuplicateAccountException",
                "That account is already present in the specified destination.")


def account_not_found() -> AwsServiceError:
    return _err("AccountNotFoundException",
                "We can't find an Amazon Web Services account with the AccountId that you "
                "specified, or the account whose credentials you used to make this request isn't "
                "a member of an organization.")


def account_already_closed() -> AwsServiceError:
    return _err("AccountAlreadyClosedException",
                "You attempted to close an account that is already closed.")


def create_status_not_found() -> AwsServiceError:
    return _err("CreateAccountStatusNotFoundException",
                "We can't find an create account request with the CreateAccountRequestId that "
                "you specified.")


def target_not_found() -> AwsServiceError:
    return _err("TargetNotFoundException",
                "We can't find a root, OU, account, or policy with the TargetId that you "
                "specified.")


def policy_not_found() -> AwsServiceError:
    return _err("PolicyNotFoundException",
                "We can't find a policy with the PolicyId that you specified.")


def duplicate_policy_attachment() -> AwsServiceError:
    return _err("DuplicatePolicyAttachmentException",
                "The selected policy is already attached to the specified target.")


def policy_type_not_enabled() -> AwsServiceError:
    return _err("PolicyTypeNotEnabledException",
                "The specified policy type isn't currently enabled in this root. You can't attach "
                "policies of the specified type to entities in a root until you enable that type "
                "in the root.")


def policy_not_attached() -> AwsServiceError:
    return _err("PolicyNotAttachedException",
                "The policy isn't attached to the specified target in the specified root.")


def malformed_policy() -> AwsServiceError:
    return _err("MalformedPolicyDocumentException",
                "The provided policy document doesn't meet the requirements of the specified "
                "policy type. For example, the syntax might be incorrect.")


def duplicate_policy() -> AwsServiceError:
    return _err("DuplicatePolicyException", "A policy with the same name already exists.")


def organization_not_empty() -> AwsServiceError:
    return _err("OrganizationNotEmptyException",
                "The organization isn't empty. To delete an organization, you must first remove "
                "all accounts except the management account.")
