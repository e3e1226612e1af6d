"""boto3 clients configured the way every AWS call in vend must be.

- standard-mode retries with backoff (botocore's default "legacy" mode retries fewer throttling
  codes, see aws-facts §8.1), so TooManyRequestsException is retried everywhere, generously, and
  so are throttling errors standard mode does not know (License Manager's RateLimitExceededException);
- short connect/read timeouts and a small budget of retries for connection errors, so an
  unreachable endpoint fails in seconds (a network that is down does not heal in a backoff);
- failed responses tagged with their IAM action (`organizations:ListRoots`) for error messages;
- a read-only variant that refuses any operation that is not List*, Describe*, Get*, Search* or Scan*: `vend plan`
  uses it, so a plan cannot mutate AWS even through a bug;
- an optional request observer, used by tests and benchmarks to count calls by operation, and an
  action observer told each call's "service:Operation" (the IAM policy's tests check them);
- the same, in another role (`assumed`): StackSets through a delegated administrator account.
"""
from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any, Callable

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as AwsConnectionError

from vending.errors import MutationDuringPlan

READ_PREFIXES = ("List", "Describe", "Get", "Search", "Scan", "Lookup")
ORGANIZATIONS_REGION = "us-east-1"
"""Organizations is a global service hosted in us-east-1 (aws-facts §2.1)."""

MAX_ATTEMPTS = 10
"""Attempts per call when AWS throttles (or answers 5xx): AWS asks clients to back off and retry."""
CONNECTION_ATTEMPTS = 2
"""Attempts per call when the endpoint cannot be reached or does not answer in time."""
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 20.0
IAM_ACTION_KEY = "VendIamAction"
MODELED_THROTTLING = {"license-manager": frozenset({"RateLimitExceededException"})}
"""Throttling errors a service models without the retryable trait, so standard mode would not
retry them (botocore retries only its own list of codes and unmodeled 429s)."""


def client_config() -> Config:
    return Config(
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        max_pool_connections=32,
    )


def is_read_operation(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES)


_UNKNOWN = object()


class CallCounter:
    """Counts AWS requests by operation (thread-safe); retries count as separate requests."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, operation: str) -> None:
        with self._lock:
            self.counts[operation] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class AwsClients:
    """A cache of configured clients over one boto3 session."""

    def __init__(
        self,
        session: boto3.Session,
        *,
        read_only: bool = False,
        observers: tuple[Callable[[str], None], ...] = (),
        action_observers: tuple[Callable[[str], None], ...] = (),
    ) -> None:
        self.session = session
        self.read_only = read_only
        self.observers = observers
        self.action_observers = action_observers
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._principal: Any = _UNKNOWN
        self._roles: dict[str, AwsClients] = {}
        self.endpoint_url: str | None = None
        """Where clients of an assumed role go when the base session pins an endpoint."""

    def reader(self) -> "AwsClients":
        """The same session, but every client refuses mutating operations."""
        return AwsClients(self.session, read_only=True, observers=self.observers,
                          action_observers=self.action_observers)

    def assumed(self, role_arn: str, region: str) -> "AwsClients":
        """Clients as `role_arn` (assumed from this session once, refreshed before expiry),
        read-only if these are, with the same observers."""
        from vending.aws.assume import assume

        with self._lock:
            found = self._roles.get(role_arn)
        if found is not None:
            return found
        session = assume(self.session, role_arn, region)  # outside the lock: roles are assumed in parallel
        clients = AwsClients(session, read_only=self.read_only, observers=self.observers,
                             action_observers=self.action_observers)
        clients.endpoint_url = getattr(self.session, "endpoint_url", None)  # `vend local serve`
        with self._lock:
            return self._roles.setdefault(role_arn, clients)

    def organizations(self) -> Any:
        return self.client("organizations", ORGANIZATIONS_REGION)

    def client(self, service: str, region: str) -> Any:
        key = f"{service}@{region}"
        with self._lock:
            if key not in self._clients:
                extra = {"endpoint_url": self.endpoint_url} if self.endpoint_url else {}
                client = self.session.client(service, region_name=region, config=client_config(), **extra)
                instrument(client)
                self._instrument(client)
                self._clients[key] = client
            return self._clients[key]

    def principal(self) -> str | None:
        """The caller's ARN, for error messages (sts:GetCallerIdentity needs no permission);
        asked once, since every failed change of an apply may want it."""
        if self._principal is _UNKNOWN:
            try:
                self._principal = self.client("sts", ORGANIZATIONS_REGION).get_caller_identity()["Arn"]
            except (BotoCoreError, ClientError):
                self._principal = None
        return self._principal

    def _instrument(self, client: Any) -> None:
        events = client.meta.events
        for observer in self.action_observers:  # first: a refused mutation is seen too
            events.register("before-call.*.*", _observe_action(observer))
        if self.read_only:
            events.register("before-call.*.*", _refuse_mutation)
        for observer in self.observers:
            # before-send fires once per HTTP attempt, so retries are counted as AWS bills them.
            events.register("before-send.*.*", _observe(observer))


def instrument(client: Any) -> None:
    """What every vend client does: bound connection retries, tag failures with their action."""
    events = client.meta.events
    service = client.meta.service_model.service_id.hyphenize()
    events.register_first(f"needs-retry.{service}", _bound_connection_retries)
    if service in MODELED_THROTTLING:
        events.register(f"needs-retry.{service}", _retry_throttling(MODELED_THROTTLING[service]))
    events.register("after-call.*.*", _tag_iam_action)


def _bound_connection_retries(attempts: int, caught_exception: Exception | None = None, **_: Any) -> bool | None:
    """Veto standard mode's retries of connection errors past CONNECTION_ATTEMPTS (False wins:
    botocore takes the first non-None answer); throttling keeps its MAX_ATTEMPTS."""
    unreachable = isinstance(caught_exception, (AwsConnectionError, HTTPClientError))
    if unreachable and attempts >= CONNECTION_ATTEMPTS:
        return False
    return None


def _retry_throttling(codes: frozenset[str]) -> Any:
    """A needs-retry handler after standard mode's (which answers None when it does not retry):
    back off on `codes` as standard mode backs off on throttling, up to MAX_ATTEMPTS."""
    def retry(attempts: int, response: Any = None, **_: Any) -> float | None:
        if response is None or attempts >= MAX_ATTEMPTS:
            return None
        error = (response[1] or {}).get("Error") or {}
        return random.uniform(0, min(20.0, 2.0 ** (attempts - 1))) if error.get("Code") in codes else None
    return retry


def api_operation(model: Any) -> str:
    """`organizations:ListRoots`: the call's service prefix (its signing name) and operation."""
    service = model.service_model.signing_name or model.service_model.endpoint_prefix
    return f"{service}:{model.name}"


def _tag_iam_action(parsed: Any, model: Any, **_: Any) -> None:
    error = parsed.get("Error") if isinstance(parsed, dict) else None
    if isinstance(error, dict) and error:
        error.setdefault(IAM_ACTION_KEY, api_operation(model))


def _refuse_mutation(model: Any, **_: Any) -> None:
    if not is_read_operation(model.name):
        raise MutationDuringPlan(
            f"{model.service_model.service_name}:{model.name} attempted through a read-only client"
        )


def _observe(observer: Callable[[str], None]) -> Callable[..., None]:
    def handler(event_name: str, **_: Any) -> None:
        observer(event_name.rsplit(".", 1)[-1])  # "before-send.organizations.ListRoots"

    return handler


def _observe_action(observer: Callable[[str], None]) -> Callable[..., None]:
    def handler(model: Any, **_: Any) -> None:
        observer(api_operation(model))  # once per call (retries are not new actions)

    return handler
