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
  owns) holds; `restore(state)` puts such a snapshot back. Snapshots of all emulators are pickled
  together, so objects shared between them keep their identity. Prefer plain dicts and lists
  in your own state: a pickled class must stay importable under the same name, and a state
  written by another moto version is refused (`vend local reset` starts afresh).

Emulators handle each request while holding `ctx.lock`, so a snapshot never sees half a request.
Add a new emulator to `vending.local.registry.emulators` - that list is the only registry.
"""
from __future__ import annotations

import fcntl
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import moto
from moto.moto_api._internal import mock_random

from vending.local.errors import LocalStateError
from vending.local.faults import Faults

STATE_FORMAT = 1
STATE_FILE = "state.pickle"
LOCK_FILE = "state.lock"
MANAGEMENT_ACCOUNT_ID = "123456789012"
"""moto's default account, used as the management account of the local organization."""
ACCOUNT_FACTORY_QUOTA = 5
ACCOUNT_FACTORY_QUOTA_MAX = 10
STACK_INSTANCE_QUOTA = 2000
BOOTSTRAP_SEED = 20161128
"""Seed of moto's random source for a fresh landing zone: same ids on every machine."""


@dataclass(frozen=True)
class LocalSettings:
    """Knobs of the emulators; the CLI passes them in (no environment variables)."""

    management_account_id: str = MANAGEMENT_ACCOUNT_ID
    create_account_polls: int = 2
    close_account_polls: int = 2
    provisioning_polls: int = 3
    """Status reads until a Service Catalog record completes (servicecatalog_provisioning)."""
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

    def __post_init__(self) -> None:
        if not 1 <= self.account_factory_quota <= ACCOUNT_FACTORY_QUOTA_MAX:
            raise ValueError(f"account_factory_quota must be 1..{ACCOUNT_FACTORY_QUOTA_MAX} "
                             "(Control Tower's adjustable quota, aws-facts 1.4)")


@dataclass
class EmulatorContext:
    """What an emulator gets from the runtime."""

    settings: LocalSettings
    faults: Faults
    patcher: Patcher
    lock: threading.RLock = field(default_factory=threading.RLock)


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

    def restore(self, state: Any) -> None:
        """Put back a snapshot that `state()` returned (in another process)."""


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


class Runtime:
    """The installed emulators of one process: install, bootstrap, snapshot, restore."""

    _installed = False  # moto's backends and classes are process-global: one runtime at a time

    def __init__(self, emulators: list[Emulator], settings: LocalSettings, faults: Faults):
        self.emulators = emulators
        self.ctx = EmulatorContext(settings=settings, faults=faults, patcher=Patcher())
        self._owner = False

    def install(self) -> None:
        if Runtime._installed:
            raise LocalStateError("the local AWS is already running in this process")
        Runtime._installed = self._owner = True
        try:
            for emulator in self.emulators:
                emulator.install(self.ctx)
        except BaseException:
            self.uninstall()
            raise

    def uninstall(self) -> None:
        self.ctx.patcher.undo_all()
        if self._owner:
            Runtime._installed = self._owner = False

    def bootstrap(self) -> None:
        with self.ctx.lock:
            mock_random.seed(BOOTSTRAP_SEED)
            for emulator in self.emulators:
                emulator.bootstrap(self.ctx)

    def snapshot(self) -> bytes:
        with self.ctx.lock:
            payload = {
                "format": STATE_FORMAT,
                "moto": moto.__version__,
                "random": mock_random.getstate(),
                "emulators": {e.name: e.state() for e in self.emulators},
            }
            return pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)

    def restore(self, blob: bytes, source: Path) -> None:
        try:
            payload = pickle.loads(blob)
        except Exception as exc:  # a truncated or foreign file: say so, never guess
            raise LocalStateError(
                f"{source}: unreadable local state ({exc}); run `vend local reset`") from exc
        if not isinstance(payload, dict):
            raise LocalStateError(f"{source}: not a vend local state; run `vend local reset`")
        if payload.get("format") != STATE_FORMAT or payload.get("moto") != moto.__version__:
            raise LocalStateError(
                f"{source}: state written by format {payload.get('format')} / moto "
                f"{payload.get('moto')}, this is format {STATE_FORMAT} / moto {moto.__version__}; "
                "run `vend local reset`"
            )
        with self.ctx.lock:
            mock_random.setstate(payload["random"])
            saved = payload["emulators"]
            for emulator in self.emulators:
                if emulator.name in saved:
                    emulator.restore(saved[emulator.name])
                else:  # an emulator added after this state was written starts fresh
                    emulator.bootstrap(self.ctx)


class StateStore:
    """`<state_dir>/local/state.pickle`, guarded by an exclusive lock on `state.lock`.

    The lock is held for the whole life of a `LocalAws` or a server, not just while writing, so
    two processes can never both load, change and save the organization (lost updates). Writes
    are atomic: a temporary file in the same directory, fsync, then `os.replace`.
    """

    def __init__(self, state_dir: Path, lock_timeout: float):
        self.dir = Path(state_dir) / "local"
        self.path = self.dir / STATE_FILE
        self.lock_timeout = lock_timeout
        self._lock_fd: int | None = None

    def acquire(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    os.close(fd)
                    raise LocalStateError(
                        f"{self.dir}: local state is in use by process {holder} "
                        "(another vend command or `vend local serve`)"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd

    def release(self) -> None:
        if self._lock_fd is not None:
            os.ftruncate(self._lock_fd, 0)
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def read(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def write(self, blob: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".state-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def remove(self) -> bool:
        try:
            self.path.unlink()
            return True
        except FileNotFoundError:
            return False
