"""AWS-side failures through the CLI: one clear message on stderr, exit 1, never a traceback.

A real-organization target (`target: {kind: aws}`) is pointed with AWS_ENDPOINT_URL at a tiny
local endpoint (fake_aws) that answers as each test scripts, at a closed port, or at a socket
that never answers. Every test is bounded in time: timeouts are seconds, sleeps are skipped.
"""
from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

import botocore
import botocore.endpoint
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError, ConnectTimeoutError
import pytest

from tests.e2e.fake_aws import CALLER_ARN, Answer, FakeAws, caller_identity, json_error, query_error
from vending.aws import clients as aws_clients
from vending.aws.errors import Caller, explain

ROLE = "arn:aws:iam::111111111111:role/vend-reconciler"
DENIED_ORGS = "You don't have permissions to access this resource."


def set_target(repo: Path, target: str, home_region: str = "us-east-1") -> None:
    text = (repo / "vend.yaml").read_text()
    text = re.sub(r"^target:.*\n(?:  .*\n)*", f"target: {target}\n", text, flags=re.M)
    text = text.replace("home_region: us-east-1", f"home_region: {home_region}")
    (repo / "vend.yaml").write_text(text)


@pytest.fixture
def aws_repo(example: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The example pointed at a real organization, on a machine with no AWS credentials."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    set_target(example, "{kind: aws}")
    return example


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's retry backoff, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", slept.append)
    return slept


def fake(monkeypatch: pytest.MonkeyPatch, answers: dict) -> FakeAws:
    server = FakeAws(answers)
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    return server


def failed_with(result, message: str) -> None:
    assert "Traceback" not in result.err
    assert (result.code, result.err) == (1, f"Error: {message}\n")


def test_no_credentials_is_one_message(aws_repo, vend):
    failed_with(vend(aws_repo, "plan"), (
        "no AWS credentials found for AWS (default credentials). Sign in (`aws sso login`) or export"
        " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or set target.profile"
        " in vend.yaml to a profile of the management account, then run vend again."
    ))


def test_no_credentials_with_a_role_to_assume_is_one_message(aws_repo, vend):
    set_target(aws_repo, f"{{kind: aws, role_arn: '{ROLE}'}}")
    result = vend(aws_repo, "apply", "--auto-approve")
    failed_with(result, (
        f"no AWS credentials found for AWS (default credentials, role {ROLE}). Sign in (`aws sso login`)"
        " or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or set"
        " target.profile in vend.yaml to a profile of the management account, then run vend again."
    ))


def test_an_unknown_profile_names_the_profiles_there(aws_repo, vend):
    (Path(os.environ["AWS_CONFIG_FILE"])).write_text("[profile org-management]\nregion = us-east-1\n")
    set_target(aws_repo, "{kind: aws, profile: org-mgmt}")
    failed_with(vend(aws_repo, "plan"), (
        "vend.yaml target.profile 'org-mgmt' is not a profile in the AWS config files (~/.aws/config,"
        " ~/.aws/credentials; profiles there: org-management): fix the name or add the profile, then"
        " run vend again."
    ))


def test_an_sso_profile_without_a_session_says_to_log_in(aws_repo, vend):
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(
        "[profile corp]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
        "region = us-east-1\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = us-east-1\n"
    )
    set_target(aws_repo, "{kind: aws, profile: corp}")
    result = vend(aws_repo, "plan")
    assert (result.code, "Traceback" in result.err) == (1, False)
    assert result.err.startswith("Error: the AWS SSO session for AWS (profile corp) has expired or was never started (")
    assert result.err.endswith("): run `aws sso login --profile corp`, then run vend again.\n")


def test_expired_credentials_say_to_refresh_them(aws_repo, vend, keys, monkeypatch):
    expired = json_error("ExpiredTokenException", "The security token included in the request is expired")
    with fake(monkeypatch, {"ListRoots": expired}):
        failed_with(vend(aws_repo, "plan"), (
            "AWS rejected the credentials of AWS (default credentials) on organizations:ListRoots: they"
            " are expired or not valid. Refresh them (`aws sso login`, or new keys), then run vend again."
            " (AWS said ExpiredTokenException: The security token included in the request is expired)"
        ))


def test_a_role_that_cannot_be_assumed_names_it_and_the_principal(aws_repo, vend, keys, monkeypatch):
    set_target(aws_repo, f"{{kind: aws, role_arn: '{ROLE}'}}")
    said = (f"User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:AssumeRole"
            f" on resource: {ROLE}")
    with fake(monkeypatch, {"AssumeRole": query_error("AccessDenied", said)}) as server:
        failed_with(vend(aws_repo, "plan"), (
            f"arn:aws:iam::111111111111:user/ci cannot assume target.role_arn {ROLE}: the role's trust"
            " policy must allow that principal, and the principal needs sts:AssumeRole on the role. Fix"
            f" either, or change target in vend.yaml, then run vend again. (AWS said AccessDenied: {said})"
        ))
    assert server.calls["ListRoots"] == 0


def test_access_denied_on_a_read_names_the_operation_the_principal_and_the_plan_role(aws_repo, vend, keys, monkeypatch):
    answers = {"ListRoots": json_error("AccessDeniedException", DENIED_ORGS), "GetCallerIdentity": caller_identity()}
    with fake(monkeypatch, answers) as server:
        failed_with(vend(aws_repo, "plan"), (
            f"AWS denied organizations:ListRoots to {CALLER_ARN}: the read-only plan role (what vend plan"
            " and vend apply read the organization with) lacks this permission. Grant"
            " organizations:ListRoots to that principal, or set target.role_arn in vend.yaml to a role"
            f" that has it, then run vend again. (AWS said AccessDeniedException: {DENIED_ORGS})"
        ))
    assert server.calls["ListRoots"] == 1  # AccessDenied is not retried


def test_throttling_that_outlasts_the_retries_says_what_and_how_often(aws_repo, vend, keys, monkeypatch, no_sleep):
    throttled = json_error("TooManyRequestsException", "You have sent too many requests in too short a period of time.")
    with fake(monkeypatch, {"ListRoots": throttled}) as server:
        failed_with(vend(aws_repo, "plan"), (
            "AWS kept throttling organizations:ListRoots (TooManyRequestsException): vend retried it 9"
            " times with backoff, then gave up. Nothing is wrong with the repository: wait a minute and"
            " run the same command again; what was done stays done, and vend converges from there."
        ))
    assert server.calls["ListRoots"] == aws_clients.MAX_ATTEMPTS == 10
    assert len(no_sleep) == 9


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_endpoint_fails_within_seconds(aws_repo, vend, keys, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    started = time.monotonic()
    result = vend(aws_repo, "plan")
    assert time.monotonic() - started < 5
    failed_with(result, (
        f'cannot reach {url}/ (Could not connect to the endpoint URL: "{url}/"); vend tried 2 times'
        " for AWS (default credentials). Check the network, the proxy settings (HTTPS_PROXY) and"
        " AWS_ENDPOINT_URL, then run vend again."
    ))


def test_an_endpoint_that_never_answers_times_out(aws_repo, vend, keys, monkeypatch):
    monkeypatch.setattr(aws_clients, "READ_TIMEOUT", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # accepted by the kernel, never answered
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        started = time.monotonic()
        result = vend(aws_repo, "plan")
    assert time.monotonic() - started < 5
    failed_with(result, (
        f'{url}/ did not answer within 0.5 s; vend tried 2 times for AWS (default credentials). Check'
        " the network, the proxy settings (HTTPS_PROXY) and AWS_ENDPOINT_URL, then run vend again."
    ))


def test_an_endpoint_that_is_not_aws_says_so(aws_repo, vend, keys, monkeypatch):
    with fake(monkeypatch, {"ListRoots": Answer(404, "<html>Not Found</html>", "text/html")}):
        failed_with(vend(aws_repo, "plan"), (
            "organizations:ListRoots got HTTP 404 from an endpoint that does not answer like AWS: check"
            " AWS_ENDPOINT_URL and the proxy settings (HTTPS_PROXY), then run vend again. (It answered:"
            " <html>Not Found</html>)"
        ))


def test_an_unknown_region_fails_before_any_call(aws_repo, vend, keys, monkeypatch):
    """Validation (V404, from botocore's partition data) refuses it with file:line."""
    set_target(aws_repo, "{kind: aws}", home_region="us-esat-1")
    text = (aws_repo / "vend.yaml").read_text().replace("  - us-east-1\n", "  - us-esat-1\n")
    (aws_repo / "vend.yaml").write_text(text)
    with fake(monkeypatch, {}) as server:
        result = vend(aws_repo, "plan")
    assert (result.code, "Traceback" in result.err) == (1, False)
    assert any(line.startswith('vend.yaml:3: V404 home_region: "us-esat-1" is not an AWS Region')
               for line in result.err.splitlines())
    assert "hint: did you mean us-west-1?" in result.err
    assert sum(server.calls.values()) == 0


def deny(monkeypatch: pytest.MonkeyPatch, operation: str, message: str = DENIED_ORGS) -> None:
    """Every vend client answers `operation` with AccessDeniedException, before any request."""
    original = aws_clients.instrument

    def answer(**_: object) -> tuple[AWSResponse, dict]:
        error = {"Error": {"Code": "AccessDeniedException", "Message": message},
                 "ResponseMetadata": {"HTTPStatusCode": 400}}
        return AWSResponse("https://organizations.us-east-1.amazonaws.com/", 400, {}, None), error

    def instrument(client: object) -> None:
        original(client)
        client.meta.events.register(f"before-call.organizations.{operation}", answer)

    monkeypatch.setattr(aws_clients, "instrument", instrument)


def test_apply_reports_what_applied_before_access_denied_and_names_the_apply_role(example, vend, monkeypatch):
    deny(monkeypatch, "CreateOrganizationalUnit")
    result = vend(example, "apply", "--auto-approve")
    assert (result.code, "Traceback" in result.err) == (1, False)
    principal = "arn:aws:sts::123456789012:user/moto"
    failed = [line.split(": ", 2)[1:] for line in result.err.splitlines() if line.startswith("Failed: ")]
    assert sorted(address for address, _ in failed) == ["ou:Infrastructure", "ou:Sandbox", "ou:Suspended", "ou:Workloads"]
    assert {message for _, message in failed} == {(
        f"AWS denied organizations:CreateOrganizationalUnit to {principal}: the"
        " apply role (what vend apply changes the organization with) lacks this permission. Grant"
        " organizations:CreateOrganizationalUnit to that principal, or set target.role_arn in vend.yaml"
        " to a role that has it, then run vend apply again (what already applied stays applied; it"
        f" converges). (AWS said AccessDeniedException: {DENIED_ORGS})"
    )}
    # Progress lines are whole, not wrapped at 80 columns, when stderr is not a terminal.
    assert {m for _, m in failed} == set(re.findall(r"^ +failed  ou:\w+: (.*)$", result.err, flags=re.M))
    applied = [m.group(1) for m in re.finditer(r"^ +applied  (.+?): ", result.err, flags=re.M)]
    assert "policy:scp/deny-unapproved-regions" in applied
    assert result.out.splitlines()[-1].startswith(f"Apply complete: {len(applied)} applied, {len(failed)} failed, ")


def test_timeouts_and_dropped_connections_are_explained_too():
    caller = Caller("AWS (profile org)", profile="org")
    timeout = ConnectTimeoutError(endpoint_url="https://organizations.us-east-1.amazonaws.com/")
    assert explain(timeout, caller) == (
        "connecting to https://organizations.us-east-1.amazonaws.com/ timed out (3 s per attempt);"
        " vend tried 2 times for AWS (profile org). Check the network, the proxy settings"
        " (HTTPS_PROXY) and AWS_ENDPOINT_URL, then run vend again."
    )
    dropped = ConnectionClosedError(endpoint_url="https://organizations.us-east-1.amazonaws.com/")
    assert explain(dropped, caller).startswith("cannot reach https://organizations.us-east-1.amazonaws.com/ (")


def test_an_assumed_role_is_assumed_again_before_its_credentials_expire(aws_repo, vend, keys, monkeypatch):
    """An apply through Account Factory outlasts the hour an assumed role lasts."""
    set_target(aws_repo, f"{{kind: aws, role_arn: '{ROLE}'}}")

    def assumed() -> Answer:
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 300))
        body = (
            '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
            "<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>"
            f"<SessionToken>token</SessionToken><Expiration>{expires}</Expiration></Credentials>"
            f"<AssumedRoleUser><Arn>{CALLER_ARN}</Arn><AssumedRoleId>AROAEXAMPLE:vend</AssumedRoleId>"
            "</AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>"
        )
        return Answer(200, body, "text/xml")

    answers = {"AssumeRole": assumed, "ListRoots": json_error("AccessDeniedException", DENIED_ORGS),
               "GetCallerIdentity": caller_identity()}
    with fake(monkeypatch, answers) as server:
        result = vend(aws_repo, "plan")
    assert result.err.startswith(f"Error: AWS denied organizations:ListRoots to {CALLER_ARN}: the read-only plan role")
    # Once when connecting; again before ListRoots, since 5 minutes left is too close to expiry.
    assert server.calls["AssumeRole"] >= 2


def test_incomplete_credentials_say_what_is_missing(aws_repo, vend, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    failed_with(vend(aws_repo, "plan"), (
        "unusable AWS credentials (Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY)"
        " for AWS (default credentials). Sign in (`aws sso login`) or export AWS_ACCESS_KEY_ID and"
        " AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or set target.profile in vend.yaml to a"
        " profile of the management account, then run vend again."
    ))
