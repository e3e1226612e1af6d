"""Reading AWS error responses, and turning every AWS-side failure into one clear message.

This is the one place botocore exceptions are mapped: `translated()` wraps everything a
connection does (vending.target.connect), and the executor asks `explain()` about each failed
change. A user sees what failed, as whom, and what to do; never a traceback.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    SSOTokenLoadError,
    TokenRetrievalError,
)
from botocore.exceptions import ConnectionError as AwsConnectionError

from vending.aws import clients
from vending.errors import AwsCallFailed

EXPIRED_OR_INVALID = frozenset({
    "ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
    "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch",
    "IncompleteSignature", "AuthFailure", "InvalidToken", "MissingAuthenticationToken",
    "UnauthorizedException",
})
DENIED = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AccessDeniedForDependencyException",
})
THROTTLED = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
})
"""botocore's standard-mode throttling codes (aws-facts §8.1), less LimitExceededException,
which Service Catalog and CloudFormation use for quotas that no retry can fix."""

_NOT_AUTHORIZED = re.compile(r"(?:User|Principal): (arn:\S+) is not authorized to perform: ([\w-]+:\w+)")


@dataclass(frozen=True)
class Caller:
    """Who vend calls AWS as, for messages; `whoami` asks sts:GetCallerIdentity (or None)."""

    target: str = "AWS"
    profile: str | None = None
    role_arn: str | None = None
    whoami: Callable[[], str | None] = lambda: None


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


@contextmanager
def translated(caller: Caller) -> Iterator[None]:
    """Any botocore failure inside becomes AwsCallFailed with one clear message."""
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        message = explain(exc, caller)
        if message is None and isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            message = f"{iam_action(exc)} failed: {error.get('Code')}: {error.get('Message')}"
        raise AwsCallFailed(message or f"AWS call failed for {caller.target}: {exc}") from exc


def explain(exc: Exception, caller: Caller) -> str | None:
    """The message for a failure of credentials, permissions, network or throttling; None for
    an ordinary AWS answer (a conflict, a validation error) that the caller reports as is."""
    if isinstance(exc, ClientError):
        return _client_error(exc, caller)
    if isinstance(exc, ProfileNotFound):
        return _no_profile(caller)
    if isinstance(exc, (SSOError, SSOTokenLoadError, TokenRetrievalError)):
        return (
            f"the AWS SSO session for {caller.target} has expired or was never started ({exc}):"
            f" run `{_login(caller)}`, then run vend again."
        )
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError)):
        found = "no AWS credentials found" if isinstance(exc, NoCredentialsError) else f"unusable AWS credentials ({exc})"
        return (
            f"{found} for {caller.target}. Sign in (`{_login(caller)}`) or export AWS_ACCESS_KEY_ID and"
            " AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or set target.profile in vend.yaml to a"
            " profile of the management account, then run vend again."
        )
    if isinstance(exc, (AwsConnectionError, HTTPClientError)):
        return _unreachable(exc, caller)
    if isinstance(exc, NoRegionError):
        return f"no AWS region for {caller.target}: set home_region in vend.yaml."
    return None


def iam_action(exc: ClientError) -> str:
    """`organizations:ListRoots` when AwsClients tagged the response, else the operation name."""
    return exc.response.get("Error", {}).get(clients.IAM_ACTION_KEY) or exc.operation_name


def _client_error(exc: ClientError, caller: Caller) -> str | None:
    code = error_code(exc)
    said = f"(AWS said {code}: {exc.response.get('Error', {}).get('Message', '')})"
    action = iam_action(exc)
    if code in EXPIRED_OR_INVALID:
        return (
            f"AWS rejected the credentials of {caller.target} on {action}: they are expired or not"
            f" valid. Refresh them (`{_login(caller)}`, or new keys), then run vend again. {said}"
        )
    if code in DENIED and exc.operation_name == "AssumeRole":
        principal = _principal(exc, caller)
        return (
            f"{principal} cannot assume target.role_arn {caller.role_arn}: the role's trust policy"
            " must allow that principal, and the principal needs sts:AssumeRole on the role."
            f" Fix either, or change target in vend.yaml, then run vend again. {said}"
        )
    if code in DENIED:
        return _denied(exc, action, caller, said)
    if code in THROTTLED:
        retries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        return (
            f"AWS kept throttling {action} ({code}): vend retried it {retries} times with backoff,"
            " then gave up. Nothing is wrong with the repository: wait a minute and run the same"
            " command again; what was done stays done, and vend converges from there."
        )
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code.isdigit() or code == "":
        body = " ".join(str(exc.response.get("Error", {}).get("Message", "")).split())[:200]
        return (
            f"{action} got HTTP {status} from an endpoint that does not answer like AWS: check"
            f" AWS_ENDPOINT_URL and the proxy settings (HTTPS_PROXY), then run vend again."
            f" (It answered: {body})"
        )
    return None


def _denied(exc: ClientError, action: str, caller: Caller, said: str) -> str:
    match = _NOT_AUTHORIZED.search(exc.response.get("Error", {}).get("Message", ""))
    if match and ":" not in action:
        action = match.group(2)
    principal = _principal(exc, caller)
    operation = action.rsplit(":", 1)[-1]
    # S3 objects vend reads are the apply lock and the template bucket's: the apply role's (vend
    # plan's read of the lock never fails the plan: vending.apply.lock_note makes it a note).
    if clients.is_read_operation(operation) and not action.startswith("s3:"):
        role = "the read-only plan role (what vend plan and vend apply read the organization with)"
        again = "vend again"
    else:
        role = "the apply role (what vend apply changes the organization with)"
        again = "vend apply again (what already applied stays applied; it converges)"
    return (
        f"AWS denied {action} to {principal}: {role} lacks this permission. Grant {action} to that"
        f" principal, or set target.role_arn in vend.yaml to a role that has it, then run {again}."
        f" {said}"
    )


def _principal(exc: ClientError, caller: Caller) -> str:
    match = _NOT_AUTHORIZED.search(exc.response.get("Error", {}).get("Message", ""))
    if match:
        return match.group(1)
    return caller.whoami() or f"the principal of {caller.target}"


def _unreachable(exc: Exception, caller: Caller) -> str:
    url = getattr(exc, "kwargs", {}).get("endpoint_url", "AWS")
    if isinstance(exc, ConnectTimeoutError):
        what = f"connecting to {url} timed out ({clients.CONNECT_TIMEOUT:g} s per attempt)"
    elif isinstance(exc, ReadTimeoutError):
        what = f"{url} did not answer within {clients.READ_TIMEOUT:g} s"
    else:
        what = f"cannot reach {url} ({exc})"
    return (
        f"{what}; vend tried {clients.CONNECTION_ATTEMPTS} times for {caller.target}. Check the"
        " network, the proxy settings (HTTPS_PROXY) and AWS_ENDPOINT_URL, then run vend again."
    )


def _no_profile(caller: Caller) -> str:
    import botocore.session

    known = sorted(botocore.session.Session().available_profiles)
    listed = ", ".join(known) if known else "none"
    return (
        f"vend.yaml target.profile {caller.profile!r} is not a profile in the AWS config files"
        f" (~/.aws/config, ~/.aws/credentials; profiles there: {listed}): fix the name or add the"
        " profile, then run vend again."
    )


def _login(caller: Caller) -> str:
    return f"aws sso login --profile {caller.profile}" if caller.profile else "aws sso login"


__all__ = ["AwsCallFailed", "Caller", "error_code", "explain", "iam_action", "translated"]
