"""Fault injection for tests: throttling and one-off failures of named AWS operations.

Faults fire *inside the emulator*, where moto dispatches the request (see
`organizations.strict.OrganizationsStrict._wrap`), not in a botocore client hook. So they sit
below botocore's retry loop: a throttled call is retried by botocore exactly as against AWS, and
each retry counts as a new call. That also makes them work for every client of the process,
including the in-process `vend local serve`. Faults live in memory only; they are never persisted.

Counting: `on_call` counts the calls of that operation that reach the emulator after the fault
was registered (retries included). A throttled call still counts toward a pending `fail`; when
both are due on the same call, the `fail` fires and the throttle waits for the next call.

A throttle *rate* (`throttle_rate`) throttles a share of every call of every operation of every
emulated service (Organizations, Service Catalog, Control Tower), drawn from a seeded random
source: the same sequence of calls is throttled identically on every run. `configure` applies
vend.yaml's `target.faults` (`vending.model.types.FaultSettings`).

Provisioning faults (`provisioning`) act on Service Catalog provisioning operations instead of
API calls: the next matching operation ends TAINTED or FAILED, and/or takes extra polls.
"""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from functools import lru_cache

import botocore.session

from vending.errors import ConfigError
from vending.local.errors import AwsServiceError
from vending.model.types import FaultSettings

THROTTLE_MESSAGE = (
    "You have sent too many requests in too short a period of time. The quota helps protect "
    "against denial-of-service attacks. Try again later."
)
"""AWS's text for TooManyRequestsException (Organizations API reference, error shape docs)."""

THROTTLING = {"organizations": ("TooManyRequestsException", THROTTLE_MESSAGE)}
"""Throttling error per service; the others use AWS's common ThrottlingException."""
COMMON_THROTTLE = ("ThrottlingException", "Rate exceeded")
OUTCOMES = ("TAINTED", "FAILED")

SERVICE_EXCEPTION_MESSAGE = (
    "Organizations can't complete your request because of an internal service error. "
    "Try again later."
)


@dataclass
class _Fault:
    kind: str  # "throttle" | "fail"
    code: str
    message: str
    remaining: int = 0  # throttle: calls still to throttle
    on_call: int = 0  # fail: which call fails
    seen: int = 0  # fail: calls seen so far


@dataclass
class ProvisioningFault:
    """What happens to one Service Catalog provisioning operation (see `Faults.provisioning`)."""

    outcome: str | None  # None: succeeds (only slower); "TAINTED" | "FAILED"
    extra_polls: int
    message: str
    account_name: str | None
    provisioned_product_name: str | None

    def matches(self, provisioned_product_name: str, parameters: dict[str, str]) -> bool:
        if self.provisioned_product_name not in (None, provisioned_product_name):
            return False
        return self.account_name in (None, parameters.get("AccountName"))


@lru_cache(maxsize=None)
def _operation_names(service: str) -> frozenset[str]:
    model = botocore.session.get_session().get_service_model(service)
    return frozenset(model.operation_names)


class Faults:
    """In-process fault injector; `LocalAws.faults` is one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[tuple[str, str], list[_Fault]] = {}
        self._provisioning: list[ProvisioningFault] = []
        self._stack_instances: list[tuple[str | None, str, str, str, str]] = []
        self._rate = 0.0
        self._random = random.Random(0)
        self.rate_throttled = 0
        """How many calls `throttle_rate` has throttled so far."""

    def throttle_rate(self, rate: float, *, seed: int = 0) -> None:
        """Throttle each call of every operation of every emulated service with probability
        `rate` (0 <= rate < 1; 0 stops it), after the named faults had their turn. The draws come
        from `random.Random(seed)`, one per call, so a run that makes the same calls in the same
        order (e.g. `apply_concurrency: 1`) is throttled identically every time."""
        if not 0.0 <= rate < 1.0:
            raise ValueError("rate must be at least 0 and below 1")
        with self._lock:
            self._rate, self._random, self.rate_throttled = rate, random.Random(seed), 0

    def configure(self, settings: FaultSettings, file: str = "vend.yaml") -> None:
        """Register vend.yaml's `target.faults`; an unknown operation is a `ConfigError`."""
        self.throttle_rate(settings.throttle_rate, seed=settings.seed)
        for key, rules in (("throttle", settings.throttle), ("fail", settings.fail)):
            for index, rule in enumerate(rules):
                try:
                    if key == "throttle":
                        self.throttle(rule.operation, rule.times, service=rule.service)
                    else:
                        self.fail(rule.operation, rule.on_call, rule.code, service=rule.service)
                except ValueError as exc:
                    raise ConfigError(f"{file}: target.faults.{key}[{index}].operation: {exc}") from None

    def throttle(self, operation: str, times: int = 1, *, service: str = "organizations") -> None:
        """Make the next `times` calls of `operation` fail with the service's throttling error:
        TooManyRequestsException for Organizations, ThrottlingException ("Rate exceeded") for the
        others (HTTP 400, or the status the service's model gives it, 429 for controltower)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        code, message = THROTTLING.get(service, COMMON_THROTTLE)
        self._add(service, operation, _Fault("throttle", code, message, remaining=times))

    def provisioning(
        self,
        outcome: str | None = None,
        *,
        account_name: str | None = None,
        provisioned_product_name: str | None = None,
        extra_polls: int = 0,
        message: str | None = None,
    ) -> None:
        """Make the next matching Service Catalog provisioning operation (ProvisionProduct,
        UpdateProvisionedProduct or TerminateProvisionedProduct) end differently, once.

        `outcome="FAILED"`: the record ends FAILED with a RecordError and nothing changes (a new
        provisioned product is left in ERROR; an existing one TAINTED, rolled back).
        `outcome="TAINTED"`: the operation takes effect (e.g. the account is created or moved) but
        the record ends FAILED and the provisioned product TAINTED, as when an Account Factory
        step after the account creation fails. `extra_polls` adds emulated latency: that many
        more status reads before the record completes. Match on the Account Factory parameter
        `AccountName` and/or on the provisioned product name; neither matches any operation.
        """
        if outcome is not None and outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES} or None")
        if extra_polls < 0:
            raise ValueError("extra_polls must not be negative")
        text = message or (f"Fault injected by the local emulator: the operation ended {outcome}."
                           if outcome else "")
        fault = ProvisioningFault(outcome, extra_polls, text, account_name,
                                  provisioned_product_name)
        with self._lock:
            self._provisioning.append(fault)

    def take_provisioning(self, provisioned_product_name: str,
                          parameters: dict[str, str]) -> ProvisioningFault | None:
        """Called by the Service Catalog emulator when a provisioning operation starts."""
        with self._lock:
            for fault in self._provisioning:
                if fault.matches(provisioned_product_name, parameters):
                    self._provisioning.remove(fault)
                    return fault
        return None

    def fail(
        self,
        operation: str,
        on_call: int = 1,
        code: str = "ServiceException",
        *,
        message: str | None = None,
        service: str = "organizations",
    ) -> None:
        """Make the `on_call`-th call of `operation` (from now) fail once with error `code`.

        The error is returned with HTTP 400. Choose a code botocore does not retry (the default
        ServiceException is not retried by the legacy or standard modes) to see the failure in
        the caller; a retryable code such as TooManyRequestsException is retried by botocore.
        """
        if on_call < 1:
            raise ValueError("on_call must be at least 1")
        text = message or (SERVICE_EXCEPTION_MESSAGE if code == "ServiceException"
                           else f"Fault injected by the local emulator on {operation}.")
        self._add(service, operation, _Fault("fail", code, text, on_call=on_call))

    def stack_instance(self, account: str, region: str, reason: str | None = None, *,
                       stack_set_name: str | None = None) -> None:
        """Make the next StackSets operation that touches `account` in `region` (of that stack
        set, or of any) fail there, once, with StatusReason `reason`."""
        text = reason or "Fault injected by the local emulator: the stack operation failed."
        with self._lock:
            self._stack_instances.append((stack_set_name, account, region, "fail", text))

    def drift(self, account: str, region: str, *, stack_set_name: str | None = None) -> None:
        """Make the stack of that instance drift: the next drift detection that checks it
        finds it DRIFTED (until a stack set operation updates the stack)."""
        with self._lock:
            self._stack_instances.append((stack_set_name, account, region, "drift", ""))

    def take_stack_instance(self, stack_set_name: str, account: str, region: str) -> str | None:
        """Called by the StackSets emulator for each instance an operation works on."""
        return self._take_instance(stack_set_name, account, region, "fail")

    def take_drift(self, stack_set_name: str, account: str, region: str) -> bool:
        return self._take_instance(stack_set_name, account, region, "drift") is not None

    def _take_instance(self, name: str, account: str, region: str, kind: str) -> str | None:
        with self._lock:
            for fault in self._stack_instances:
                if fault[0] in (None, name) and fault[1:4] == (account, region, kind):
                    self._stack_instances.remove(fault)
                    return fault[4]
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._provisioning.clear()
            self._stack_instances.clear()
            self._rate = 0.0

    def pending(self) -> int:
        """How many faults have not fired yet."""
        with self._lock:
            return (sum(len(v) for v in self._faults.values()) + len(self._provisioning)
                    + len(self._stack_instances))

    def take(self, service: str, operation: str) -> AwsServiceError | None:
        """Called by an emulator for each call it receives; the error to return, if any."""
        with self._lock:
            fired = self._take_named(service, operation)
            if fired is not None:
                return AwsServiceError(fired.code, fired.message)
            if self._rate and self._random.random() < self._rate:
                self.rate_throttled += 1
                return AwsServiceError(*THROTTLING.get(service, COMMON_THROTTLE))
            return None

    def _take_named(self, service: str, operation: str) -> _Fault | None:
        """The throttle/fail fault due on this call, if any (the caller holds the lock)."""
        faults = self._faults.get((service, operation))
        if not faults:
            return None
        fired: _Fault | None = None
        for fault in list(faults):
            if fault.kind == "fail":
                fault.seen += 1
                if fault.seen == fault.on_call:
                    faults.remove(fault)
                    fired = fired or fault
        for fault in list(faults):
            if fault.kind == "throttle" and fired is None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    faults.remove(fault)
                fired = fault
        if not faults:
            del self._faults[(service, operation)]
        return fired

    def _add(self, service: str, operation: str, fault: _Fault) -> None:
        if operation not in _operation_names(service):
            raise ValueError(f"{service} has no operation {operation!r} (use the API name, "
                             "e.g. ListAccountsForParent)")
        with self._lock:
            self._faults.setdefault((service, operation), []).append(fault)
