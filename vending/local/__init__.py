"""The embedded local AWS: moto, made strict by the project's emulators, with state on disk.

    with LocalAws(Path(".vend")) as aws:
        org = aws.session().client("organizations")
        ...

Each `vend` command is a separate process; the organization persists in
`<state_dir>/local/state.pickle` between them, so `vend plan`, `vend apply`, `vend plan` behave
as against a real organization. `serve()` offers the same organization over HTTP for the AWS CLI.
The README's section "The local emulator" lists the behaviours and the known gaps.
"""
from __future__ import annotations

from pathlib import Path
from types import TracebackType

import boto3
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
from vending.local.framework import (
    ACCOUNT_FACTORY_QUOTA,
    STACK_INSTANCE_QUOTA,
    LocalSettings,
    Runtime,
    StateStore,
)
from vending.local.server import LocalServer, serve

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
    (or bootstraps a fresh landing zone). `__exit__` saves the state - also when the block raised,
    since AWS keeps whatever a failed apply did - and stops the mock. The state directory stays
    locked while the block runs; another process waits up to `lock_timeout` seconds, then gets
    `LocalStateError`.

    `control_tower=True` makes the organization a Control Tower landing zone on entry, if it is
    not one yet (`vending.local.controltower`); `account_factory_quota` (1..10, default 5) is
    the Account Factory's concurrent-operation quota. `provisioning_polls` and `operation_polls`
    are the status reads a Service Catalog record / a Control Tower operation takes to complete;
    `provisioning_seconds` adds a wall-clock latency to every record (for makespan benchmarks).
    `stack_set_polls` is the status reads a StackSets operation takes; `stack_instance_quota` the
    stack instances a stack set may have (default 2,000).
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
    ):
        self.state_dir = Path(state_dir)
        self.settings = LocalSettings(
            create_account_polls=create_account_polls, close_account_polls=close_account_polls,
            control_tower=control_tower, account_factory_quota=account_factory_quota,
            provisioning_polls=provisioning_polls, operation_polls=operation_polls,
            provisioning_seconds=provisioning_seconds, stack_set_polls=stack_set_polls,
            stack_instance_quota=stack_instance_quota,
        )
        self.management_account_id = self.settings.management_account_id
        self.faults = Faults()
        self._store = StateStore(self.state_dir, lock_timeout)
        self._runtime: Runtime | None = None
        self._mock = None

    def __enter__(self) -> LocalAws:
        self._store.acquire()
        try:
            runtime = Runtime(registry.emulators(), self.settings, self.faults)
            runtime.install()  # refuses a second local AWS in this process
            self._runtime = runtime
            self._mock = mock_aws()
            self._mock.start()  # starts from empty moto backends
            blob = self._store.read()
            if blob is None:
                self._runtime.bootstrap()
            else:
                self._runtime.restore(blob, self._store.path)
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
        try:
            self.save()
        finally:
            self._close()

    def session(self) -> boto3.Session:
        """A boto3 session (dummy credentials, us-east-1) acting as the management account.

        Its clients send `x-moto-account-id`, which spares moto a scan of every account's IAM
        backend on each request (moto-coverage.md section 7). The header overrides the
        credentials, so to act as a member account build a new session from the credentials
        that STS AssumeRole returns rather than reusing this one.
        """
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=HOME_REGION
        )
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
        with self._runtime.ctx.lock:
            if ct.landing(self.management_account_id)["landing_zone"] is None:
                return None
            return summarize(ct, self.management_account_id)

    def save(self) -> None:
        """Write the state now (atomically); `__exit__` does this too."""
        if self._runtime is None:
            raise LocalStateError("LocalAws.save() outside its `with` block")
        self._store.write(self._runtime.snapshot())

    def _close(self) -> None:
        try:
            if self._runtime is not None:
                self._runtime.uninstall()
            if self._mock is not None:
                self._mock.stop()
        finally:
            self._runtime = self._mock = None
            self._store.release()


def reset_state(state_dir: Path, *, lock_timeout: float = 10.0) -> bool:
    """Forget the local organization (`vend local reset`); True if there was one."""
    store = StateStore(Path(state_dir), lock_timeout)
    store.acquire()
    try:
        return store.remove()
    finally:
        store.release()
