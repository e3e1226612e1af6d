"""The installed emulators of one process, kept in step with the state on disk.

`Runtime` installs the emulators (`vending.local.framework`), loads the state from its
`StateStore` (or bootstraps a fresh landing zone) and is the `Sync` of every request
(`EmulatorContext.request`): `begin` takes the state lock and reloads the state if another
process wrote it since this one last read or wrote it; `end` writes the state if the request
changed it, then releases the lock. So what each answered request changed is on disk before
the answer leaves, and nothing is written for a read that changed nothing.
"""
from __future__ import annotations

import pickle
from typing import Any

import moto
from moto.moto_api._internal import mock_random

from vending.local.errors import LocalStateError
from vending.local.faults import Faults
from vending.local.framework import Emulator, EmulatorContext, LocalSettings, Patcher
from vending.local.state_store import RESET_HINT, Identity, StateStore
from vending.local.unknown_operations import install_unknown_operation_errors

STATE_FORMAT = 1
BOOTSTRAP_SEED = 20161128
"""Seed of moto's random source for a fresh landing zone: same ids on every machine."""
REQUIRED_SNAPSHOTS = ("organizations", "servicecatalog", "controltower")
"""Snapshots every state of format 1 has; without one the file is corrupt. An emulator added
later (not listed here) starts fresh when a state has no snapshot of it yet."""


class Runtime:
    """Install, bootstrap, snapshot, restore; the per-request `Sync`."""

    _installed = False  # moto's backends and classes are process-global: one runtime at a time

    def __init__(self, emulators: list[Emulator], settings: LocalSettings, faults: Faults,
                 store: StateStore):
        self.emulators = emulators
        self.store = store
        self.ctx = EmulatorContext(settings=settings, faults=faults, patcher=Patcher(), sync=self,
                                   data_dir=store.dir)
        self._owner = False
        self._loaded: Identity = None
        """Identity of the state file the emulators hold; None before the first load."""

    def install(self) -> None:
        if Runtime._installed:
            raise LocalStateError("the local AWS is already running in this process")
        Runtime._installed = self._owner = True
        try:
            install_unknown_operation_errors(self.ctx.patcher)
            for emulator in self.emulators:
                emulator.install(self.ctx)
        except BaseException:
            self.uninstall()
            raise

    def uninstall(self) -> None:
        self.store.close()
        self.ctx.patcher.undo_all()
        if self._owner:
            Runtime._installed = self._owner = False

    # ------------------------------------------------------------ in step with the disk

    def open(self) -> None:
        """Load the state, or bootstrap and write a fresh one."""
        with self.ctx.lock:
            self.store.lock()
            try:
                self.store.remove_stale_temporaries()
                self._load()
            finally:
                self.store.unlock()

    def begin(self) -> None:
        self.store.lock()
        try:
            if self.store.identity() != self._loaded:
                self._load()  # another process wrote (or reset) the state
        except BaseException:
            self.store.unlock()
            raise

    def end(self, changed: bool) -> None:
        try:
            if changed:
                self._loaded = self.store.write(self.snapshot())
        finally:
            self.store.unlock()

    def save(self) -> None:
        """Write this process's state now, whatever is on disk (after direct backend edits)."""
        with self.ctx.lock:
            self.store.lock()
            try:
                self._loaded = self.store.write(self.snapshot())
            finally:
                self.store.unlock()

    def _load(self) -> None:
        blob, identity = self.store.read()
        changed = True
        if blob is None:
            self.bootstrap()
        else:
            changed = self.restore(blob)
        self._loaded = identity
        if changed:
            self._loaded = self.store.write(self.snapshot())

    # ------------------------------------------------------------ snapshots

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

    def restore(self, blob: bytes) -> bool:
        """Put a state back; True if restoring changed it (an emulator set something up)."""
        source = self.store.path
        payload = _payload(blob, source)
        changed = False
        with self.ctx.lock:
            try:
                mock_random.setstate(payload["random"])
                saved = payload["emulators"]
                for emulator in self.emulators:
                    if emulator.name in saved:
                        changed = bool(emulator.restore(saved[emulator.name])) or changed
                    else:  # an emulator added after this state was written starts fresh
                        emulator.bootstrap(self.ctx)
                        changed = True
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                raise LocalStateError(
                    f"{source}: damaged local state ({type(exc).__name__}: {exc}); "
                    f"{RESET_HINT}") from exc
        return changed


def _payload(blob: bytes, source: Any) -> dict[str, Any]:
    """The unpickled state, or one LocalStateError saying what is wrong with it."""
    try:
        payload = pickle.loads(blob)
    except Exception as exc:  # a truncated or foreign file: say so, never guess
        raise LocalStateError(f"{source}: unreadable local state ({exc}); {RESET_HINT}") from exc
    if not isinstance(payload, dict):
        raise LocalStateError(f"{source}: not a vend local state; {RESET_HINT}")
    if payload.get("format") != STATE_FORMAT or payload.get("moto") != moto.__version__:
        raise LocalStateError(
            f"{source}: state written by format {payload.get('format')} / moto "
            f"{payload.get('moto')}, this is format {STATE_FORMAT} / moto {moto.__version__}; "
            f"{RESET_HINT}")
    emulators = payload.get("emulators")
    if not isinstance(emulators, dict) or "random" not in payload:
        raise LocalStateError(f"{source}: damaged local state (no emulator snapshots); "
                              f"{RESET_HINT}")
    missing = [name for name in REQUIRED_SNAPSHOTS if name not in emulators]
    if missing:
        raise LocalStateError(f"{source}: damaged local state (no {', '.join(missing)} "
                              f"snapshot); {RESET_HINT}")
    return payload
