"""The plug-in interface of the local AWS, and the machinery every emulator shares.

An *emulator* makes one AWS service behave like AWS where moto does not (or adds a service moto
lacks). Each one is a small object satisfying `Emulator`:

* `install(ctx)` patches or registers itself into moto. It must work for both ways the local AWS
  runs: in-process under `mock_aws()` and behind moto's werkzeug server (`vend local serve`).
  Patching moto *classes* (approach P1 of moto-coverage.md section 8) or registering a backend
  (P2) does both at once. Make every patch through `ctx.patcher`: the runtime undoes them all
  when the local AWS stops, leaving plain moto behind for the rest of the process.
* `bootstrap(ctx)` creates the service's part of a fresh landing zone. It runs once, when the
  state directory holds no state for this emulator.
* `state()` returns a picklable snapshot of everything the emulator (and the moto backends it
  owns) holds; `restore(state)` puts such a snapshot back, replacing whatever the emulator held
  (it also runs when another process changed the state); it returns True if restoring changed
  the state (e.g. set up something the settings ask for). Snapshots of all emulators are pickled
  together, so objects shared between them keep their identity. Prefer plain dicts and lists
  in your own state: a pickled class must stay importable under the same name, and a state
  written by another moto version is refused (`vend local reset` starts afresh).

Emulators serve each request inside `with ctx.request(mutating=..., call=ApiCall(...))`: under
`ctx.lock`, on the latest state on disk, and durable when the block ends
(`vending.local.runtime`). A read that changes state anyway (one that advances an asynchronous
operation) calls `ctx.mark_changed()`. A mutating request that names its `call` is recorded as
a CloudTrail management event (`ctx.recorder`, `vending.local.cloudtrail`), also when it fails;
`ModeledService` names every call it serves, so an emulator built on it needs nothing more.
Add a new emulator to `vending.local.registry.emulators` - that list is the only registry.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from vending.local.faults import Faults

MANAGEMENT_ACCOUNT_ID = "123456789012"
"""moto's default account, used as the management account of the local organization."""
ACCOUNT_FACTORY_QUOTA = 5
ACCOUNT_FACTORY_QUOTA_MAX = 10
STACK_INSTANCE_QUOTA = 2000
READ_PREFIXES = ("Describe", "Get", "List", "Lookup", "Search", "Scan")
"""Operations named so only read (what `vend plan`'s clients allow too)."""


@dataclass(frozen=True)
class LocalSettings:
    """Knobs of the emulators; the CLI passes them in (no environment variables)."""

    management_account_id: str = MANAGEMENT_ACCOUNT_ID
    create_account_polls: int = 2
    close_account_polls: int = 2
    provisioning_polls: int = 3
    """Status reads until a Service Catalog record completes (servicecatalog.provisioning)."""
    operation_polls: int = 2
    """Status reads until a Control Tower baseline/control operation completes."""
    provisioning_seconds: float = 0.0
    """Wall-clock time a Service Catalog record takes at least, on top of its polls."""
    account_factory_quota: int = ACCOUNT_FACTORY_QUOTA
    """Account Factory operations in progress at once: default 5, at most 10 (aws-facts 1.4)."""
    stack_set_polls: int = 2
    """Status reads until a StackSets operation completes (vending.local.cloudformation)."""
    stack_instance_quota: int = STACK_INSTANCE_QUOTA
    """Stack instances per stack set (aws-facts 4.4: 2,000, adjustable)."""
    control_tower: bool = False
    """Set up a Control Tower landing zone on load, if the state has none (idempotent)."""
    event_delivery_seconds: float = 0.0
    """How long after a call its CloudTrail event becomes visible to LookupEvents (AWS: about
    15 minutes, not guaranteed, aws-facts 13.1); 0 shows every event at once."""

    def __post_init__(self) -> None:
        if not 1 <= self.account_factory_quota <= ACCOUNT_FACTORY_QUOTA_MAX:
            raise ValueError(f"account_factory_quota must be 1..{ACCOUNT_FACTORY_QUOTA_MAX} "
                             "(Control Tower's adjustable quota, aws-facts 1.4)")


@dataclass
class ApiCall:
    """One request as CloudTrail records it: the caller fills `params` once it parsed them."""

    service: str
    """botocore's service name (organizations, servicecatalog, s3, ...)."""
    operation: str
    account_id: str
    region: str
    access_key_id: str = ""
    params: dict[str, Any] = field(default_factory=dict)


class Recorder(Protocol):
    """What records mutating calls (the CloudTrail emulator), under the request's lock."""

    def record(self, call: ApiCall, error: BaseException | None) -> None: ...


class Sync(Protocol):
    """What brackets a request: catch up with the state on disk, then make it durable."""

    def begin(self) -> None: ...

    def end(self, changed: bool) -> None: ...


def access_key_id(headers: Any) -> str:
    """The access key a SigV4-signed request names (`Credential=<key>/<date>/...`)."""
    authorization = headers.get("Authorization") or headers.get("authorization") or ""
    _, found, rest = authorization.partition("Credential=")
    return rest.split("/", 1)[0] if found else ""


def is_read(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES)


@dataclass
class EmulatorContext:
    """What an emulator gets from the runtime."""

    settings: LocalSettings
    faults: Faults
    patcher: Patcher
    lock: threading.RLock = field(default_factory=threading.RLock)
    sync: Sync | None = None
    recorder: Recorder | None = None
    data_dir: Path | None = None
    """Directory of the state on disk (for files kept beside the state, like the event journal)."""
    changed: bool = False
    """Whether the request being served changed the state (mutating, or `mark_changed`)."""
    call: ApiCall | None = None
    """The outermost request being served, when it named its `ApiCall` (who signed it)."""
    _depth: int = 0

    @contextmanager
    def request(self, *, mutating: bool, call: ApiCall | None = None) -> Iterator[None]:
        """Serve one request: under `lock`, on the latest state, durable on exit (also when the
        request failed: AWS keeps what a failed call did). Nested requests commit with the
        outermost one, which alone is recorded (if mutating and `call` says what it was)."""
        with self.lock:
            outer = self._depth == 0
            if outer:
                if self.sync is not None:
                    self.sync.begin()
                self.changed = False
                self.call = call
            self.changed = self.changed or mutating
            self._depth += 1
            error: BaseException | None = None
            try:
                yield
            except BaseException as exc:
                error = exc
                raise
            finally:
                self._depth -= 1
                if outer:
                    self.call = None
                    try:
                        if mutating and call is not None and self.recorder is not None:
                            self.recorder.record(call, error)
                    finally:
                        if self.sync is not None:
                            self.sync.end(self.changed)

    def mark_changed(self) -> None:
        self.changed = True


class Emulator(Protocol):
    """One plug-in of the local AWS (see the module docstring)."""

    name: str
    """Key of the emulator's snapshot in the state file; never rename it."""

    def install(self, ctx: EmulatorContext) -> None:
        """Patch moto through `ctx.patcher`; serve requests under `ctx.lock`."""

    def bootstrap(self, ctx: EmulatorContext) -> None:
        """Create this service's part of a fresh landing zone."""

    def state(self) -> Any:
        """A picklable snapshot of everything this emulator must keep between processes."""

    def restore(self, state: Any) -> bool | None:
        """Put back a snapshot that `state()` returned; True if that changed the state."""


class Patcher:
    """Records monkeypatches so they can all be undone, last first."""

    _MISSING = object()

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    def setattr(self, owner: Any, name: str, value: Any) -> None:
        old = owner.__dict__.get(name, self._MISSING) if isinstance(owner, type) else getattr(
            owner, name, self._MISSING
        )
        setattr(owner, name, value)
        if old is self._MISSING:
            self._undo.append(lambda: delattr(owner, name))
        else:
            self._undo.append(lambda: setattr(owner, name, old))

    def setitem(self, mapping: MutableMapping[Any, Any], key: Any, value: Any) -> None:
        old = mapping.get(key, self._MISSING)
        mapping[key] = value
        if old is self._MISSING:
            self._undo.append(lambda: mapping.pop(key, None))
        else:
            self._undo.append(lambda: mapping.__setitem__(key, old))

    def undo_all(self) -> None:
        while self._undo:
            self._undo.pop()()


