"""boto3 clients configured the way every AWS call in vend must be.

- standard-mode retries with backoff (botocore's default "legacy" mode retries fewer throttling
  codes, see aws-facts §8.1), so TooManyRequestsException is retried everywhere;
- a read-only variant that refuses any operation that is not List*, Describe*, Get*, Search* or Scan*: `vend plan`
  uses it, so a plan cannot mutate AWS even through a bug;
- an optional request observer, used by tests and benchmarks to count calls by operation.
"""
from __future__ import annotations

import threading
from collections import Counter
from typing import Any, Callable

import boto3
from botocore.config import Config

from vending.errors import MutationDuringPlan

READ_PREFIXES = ("List", "Describe", "Get", "Search", "Scan")
ORGANIZATIONS_REGION = "us-east-1"
"""Organizations is a global service hosted in us-east-1 (aws-facts §2.1)."""

RETRY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 10}, max_pool_connections=32)


def is_read_operation(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES)


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
    ) -> None:
        self.session = session
        self.read_only = read_only
        self.observers = observers
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def reader(self) -> "AwsClients":
        """The same session, but every client refuses mutating operations."""
        return AwsClients(self.session, read_only=True, observers=self.observers)

    def organizations(self) -> Any:
        return self.client("organizations", ORGANIZATIONS_REGION)

    def client(self, service: str, region: str) -> Any:
        key = f"{service}@{region}"
        with self._lock:
            if key not in self._clients:
                client = self.session.client(service, region_name=region, config=RETRY_CONFIG)
                self._instrument(client)
                self._clients[key] = client
            return self._clients[key]

    def _instrument(self, client: Any) -> None:
        events = client.meta.events
        if self.read_only:
            events.register("before-call.*.*", _refuse_mutation)
        for observer in self.observers:
            # before-send fires once per HTTP attempt, so retries are counted as AWS bills them.
            events.register("before-send.*.*", _observe(observer))


def _refuse_mutation(model: Any, **_: Any) -> None:
    if not is_read_operation(model.name):
        raise MutationDuringPlan(
            f"{model.service_model.service_name}:{model.name} attempted through a read-only client"
        )


def _observe(observer: Callable[[str], None]) -> Callable[..., None]:
    def handler(event_name: str, **_: Any) -> None:
        observer(event_name.rsplit(".", 1)[-1])  # "before-send.organizations.ListRoots"

    return handler
