"""The embedded local AWS: moto, made strict by the project's emulators, with state on disk.

    with LocalAws(Path(".vend")) as aws:
        org = aws.session().client("organizations")
        ...

Each `vend` command is a separate process; the organization persists in
`<state_dir>/local/state.pickle` between them, so `vend plan`, `vend apply`, `vend plan` behave
as against a real organization. Every request is durable when it is answered and processes
share the state request by request (`vending.local.state_store`), so a killed apply leaves what
AWS would keep and `serve()` (the same organization over HTTP for the AWS CLI) runs alongside
other commands. The README's section "The local emulator" lists the behaviours and the gaps.
"""
from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
import botocore.session
from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES
from moto import mock_aws

from vending.local import registry
from vending.local.bootstrap import HOME_REGION
from vending.local.controltower import (
    ControlTower,
    LandingZoneSummary,
    init_control_tower,
    summarize,
)
from vending.local.errors import AwsServiceError, LocalStateError
from vending.local.faults import Faults
from vending.local.framework import ACCOUNT_FACTORY_QUOTA, MANAGEMENT_ACCOUNT_ID, STACK_INSTANCE_QUOTA, LocalSettings
from vending.local.runtime import Runtime
from vending.local.server import LocalServer, serve
from vending.local.state_store import StateStore, reset

__all__ = [
    "AwsServiceError",
    "Faults",
    "LandingZoneSummary",
    "LocalAws",
    "LocalServer",
    "LocalStateError",
    "init_control_tower",
    "reset_state",
    "serve",
]

ACCOUNT_HEADER = "x-moto-account-id"


class LocalAws:
    """The local AWS for one process, as a context manager.

    `__enter__` starts moto's `mock_aws()`, installs the emulators and loads the persisted state
    (or bootstraps and writes a fresh landing zone). Each request then runs on the latest state
    on disk and is written through before it returns, if it changed anything (also when it
    failed: AWS keeps what a failed call did), so a process killed at any point - SIGKILL,
    SIGTERM - leaves what AWS would keep; `__exit__` only stops the mock. Other processes
    (another `vend`, `vend local serve`) use the same state meanwhile; a request waits up to
    `lock_timeout` seconds for another's, then gets `LocalStateError`.

    `control_tower=True` makes the organization a Control Tower landing zone on entry, if it is
    not one yet (`vending.local.controltower`); `account_factory_quota` (1..10, default 5) is
    the Account Factory's concurrent-operation quota. `create_account_polls`,
    `close_account_polls`, `provisioning_polls` and `operation_polls` are the reads of the
    service (any read: time passes) an account creation / closure, a Service Catalog record, a
    Control Tower operation takes to complete;
    `provisioning_seconds` adds a wall-clock latency to every record (for makespan benchmarks).
    `stack_set_polls` is the status reads a StackSets operation takes; `stack_instance_quota` the
    stack instances a stack set may have (default 2,000). `management_account_id` is the
    management account's id (a scratch copy of another organization keeps that one's).
    `event_delivery_seconds` is how long a call's CloudTrail event takes to show in
    LookupEvents (`vending.local.cloudtrail`; default 0, AWS about 15 minutes).
    """

    def __init__(
        self,
        state_dir: Path,
        *,
        create_account_polls: int = 2,
        close_account_polls: int = 2,
        lock_timeout: float = 10.0,
        control_tower: bool = False,
        account_factory_quota: int = ACCOUNT_FACTORY_QUOTA,
        provisioning_polls: int = 3,
        operation_polls: int = 2,
        provisioning_seconds: float = 0.0,
        stack_set_polls: int = 2,
        stack_instance_quota: int = STACK_INSTANCE_QUOTA,
        management_account_id: str = MANAGEMENT_ACCOUNT_ID,
        event_delivery_seconds: float = 0.0,
    ):
        self.state_dir = Path(state_dir)
        self.settings = LocalSettings(
            management_account_id=management_account_id,
            create_account_polls=create_account_polls, close_account_polls=close_account_polls,
            control_tower=control_tower, account_factory_quota=account_factory_quota,
            provisioning_polls=provisioning_polls, operation_polls=operation_polls,
            provisioning_seconds=provisioning_seconds, stack_set_polls=stack_set_polls,
            stack_instance_quota=stack_instance_quota,
            event_delivery_seconds=event_delivery_seconds,
        )
        self.management_account_id = self.settings.management_account_id
        self.faults = Faults()
        self._store = StateStore(self.state_dir, lock_timeout)
        self._runtime: Runtime | None = None
        self._mock = None

    def __enter__(self) -> LocalAws:
        try:
            runtime = Runtime(registry.emulators(), self.settings, self.faults, self._store)
            runtime.install()  # refuses a second local AWS in this process
            self._runtime = runtime
            self._mock = mock_aws()
            self._mock.start()  # starts from empty moto backends
            runtime.open()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()  # nothing to save: every request was written when it was answered

    def session(self) -> boto3.Session:
        """A boto3 session (dummy credentials, us-east-1) acting as the management account.

        It reads no ambient AWS setting (`isolated_session`): AWS_ENDPOINT_URL, AWS_PROFILE,
        ~/.aws/config and the like belong to real targets and must not redirect the local one.

        Its clients send `x-moto-account-id`, which spares moto a scan of every account's IAM
        backend on each request (moto-coverage.md section 7). The header overrides the
        credentials, so to act as a member account build a new session from the credentials
        that STS AssumeRole returns rather than reusing this one.
        """
        session = isolated_session()
        account_id = self.management_account_id

        def pin_account(request: object, **_: object) -> None:
            request.headers[ACCOUNT_HEADER] = account_id  # type: ignore[attr-defined]

        session.events.register("before-sign", pin_account)
        return session

    def landing_zone(self) -> LandingZoneSummary | None:
        """The Control Tower landing zone of the management account, if one is set up."""
        if self._runtime is None:
            raise LocalStateError("LocalAws.landing_zone() outside its `with` block")
        ct = next(e for e in self._runtime.emulators if isinstance(e, ControlTower))
        with self._runtime.ctx.request(mutating=False):
            if ct.landing(self.management_account_id)["landing_zone"] is None:
                return None
            return summarize(ct, self.management_account_id)

    def emulator(self, name: str) -> Any:
        """The running plug-in called `name` (`framework.Emulator.name`), for code that builds
        state directly on it (a rehearsal's copy of an organization); then `save()`."""
        if self._runtime is None:
            raise LocalStateError("LocalAws.emulator() outside its `with` block")
        return next(e for e in self._runtime.emulators if e.name == name)

    def ensure_bucket(self, name: str, region: str) -> None:
        """Create S3 bucket `name` in the management account if it does not exist yet (the
        local stand-in for a bucket a platform team makes before vend uploads to it). Built on
        moto's backend, like the landing zone: no AWS request, so nothing a caller observes."""
        if self._runtime is None:
            raise LocalStateError("LocalAws.ensure_bucket() outside its `with` block")
        from moto.s3.models import s3_backends

        with self._runtime.ctx.request(mutating=False):
            if name in s3_backends.bucket_accounts:
                return
        with self._runtime.ctx.request(mutating=True):
            if name not in s3_backends.bucket_accounts:
                s3_backends[self.management_account_id]["aws"].create_bucket(name, region)

    def save(self) -> None:
        """Write this process's state now, atomically. Requests need no saving; this is for
        code that changes moto's backends directly (benchmarks seeding thousands of accounts),
        and overwrites what other processes wrote since."""
        if self._runtime is None:
            raise LocalStateError("LocalAws.save() outside its `with` block")
        self._runtime.save()

    def _close(self) -> None:
        try:
            if self._runtime is not None:
                self._runtime.uninstall()
            if self._mock is not None:
                self._mock.stop()
        finally:
            self._runtime = self._mock = None


def isolated_session() -> boto3.Session:
    """A boto3 session for the local AWS that reads nothing from the environment or ~/.aws.

    botocore otherwise takes AWS_ENDPOINT_URL(_<SERVICE>), AWS_PROFILE, AWS_CONFIG_FILE (and its
    endpoint_url, ca_bundle, retry and FIPS settings), AWS_DEFAULT_REGION, AWS_CA_BUNDLE and the
    rest from the environment; any of them could send the local target's requests elsewhere or
    fail them. Every session variable keeps its default, the config files are empty, and
    configured endpoint URLs are ignored. (Proxies never apply: moto answers before sending.)
    """
    variables = {name: (None, None, default, convert)
                 for name, (_, _, default, convert) in BOTOCORE_DEFAUT_SESSION_VARIABLES.items()}
    variables["config_file"] = (None, None, os.devnull, None)
    variables["credentials_file"] = (None, None, os.devnull, None)
    core = botocore.session.Session(session_vars=variables)
    core.set_config_variable("ignore_configured_endpoint_urls", True)
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                         region_name=HOME_REGION, botocore_session=core)


def reset_state(state_dir: Path, *, lock_timeout: float = 10.0) -> bool:
    """Forget the local organization (`vend local reset`), whatever state or debris is there;
    True if there was one."""
    return reset(Path(state_dir), lock_timeout)
