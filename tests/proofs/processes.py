"""Processes for the crash proofs: a `vend local serve` and a `vend apply` that SIGKILLs itself.

Both are forked from the test process, which has imported vend, moto and botocore already; a
fresh interpreter would spend about 2 s importing them for each of the many kill points. The
child runs exactly what `python -m vending` runs (`vending.cli.main`) and dies by SIGKILL, so
nothing of its own survives: no `finally`, no atexit, no flush. Only the server, a separate
process that saves its state itself, keeps what the killed apply had done.

Fork before starting any thread: the test process stays single-threaded between forks (the
server runs in its own process, and an in-process apply joins its worker threads).
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from botocore.client import BaseClient

from vending.aws.clients import is_read_operation

POLLS = {"create_account_polls": 1, "close_account_polls": 1, "provisioning_polls": 1,
         "operation_polls": 1}
"""Emulated asynchronous operations complete on their first status read: short runs."""


def _quiet(log: Path) -> None:
    """Send the child's output to `log`, away from pytest's capture."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = sys.stderr = open(1, "w", buffering=1, closefd=False)


def _cache_moto_modules() -> None:
    """moto's server lists its own package directory on every request (~5 of ~13 ms); the
    listing cannot change while it runs, so compute it once. Speed only, no behaviour."""
    import moto.backends

    modules = tuple(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: iter(modules)


@contextmanager
def served(state_dir: Path, *, control_tower: bool) -> Iterator[str]:
    """A `LocalServer` on a free port in a child process; yields its URL, stops it on exit."""
    from vending.local import LocalServer

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the server
        code = 1
        try:
            os.close(read)
            _quiet(state_dir.parent / "server.log")
            _cache_moto_modules()
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            with LocalServer(state_dir, port=0, control_tower=control_tower,
                             **POLLS) as server:
                os.write(write, server.url.encode())
                os.close(write)
                stop.wait()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        url = pipe.read().decode()
    try:
        if not url:
            _, status = os.waitpid(pid, 0)
            raise RuntimeError(f"the local server did not start (status {status}); see "
                               f"{state_dir.parent / 'server.log'}")
        yield url
    finally:
        if url:
            os.kill(pid, signal.SIGTERM)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0, "the local server failed to stop"


class MutationCounter:
    """Wraps every botocore API call of the process: counts the mutating ones as they return
    (or fail), and on the `kill_at`-th the process SIGKILLs itself. With `operation`, counts
    only calls of that operation (read or not): `kill_at=1` kills right after the first one."""

    def __init__(self, kill_at: int | None = None, operation: str | None = None) -> None:
        self.kill_at = kill_at
        self.operation = operation
        self.count = 0
        self._lock = threading.Lock()
        self._original = BaseClient._make_api_call

    def install(self) -> None:
        counter = self

        def call(client: BaseClient, operation: str, params: dict) -> dict:
            try:
                return counter._original(client, operation, params)
            finally:
                if operation == counter.operation if counter.operation else not is_read_operation(operation):
                    counter.counted()

        BaseClient._make_api_call = call  # type: ignore[method-assign]

    def uninstall(self) -> None:
        BaseClient._make_api_call = self._original  # type: ignore[method-assign]

    def counted(self) -> None:
        with self._lock:
            self.count += 1
            if self.count == self.kill_at:
                os.kill(os.getpid(), signal.SIGKILL)


def killed_apply(repo: Path, kill_at: int, log: Path, operation: str | None = None) -> int:
    """`vend --repo REPO apply --auto-approve` in a child that SIGKILLs itself right after its
    `kill_at`-th mutating AWS call (or call of `operation`) returned, before vend saw the
    answer. Returns the child's exit status as `os.waitstatus_to_exitcode` gives it: -9 when it
    was killed. Fork only outside any `LocalAws` block (one per process)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            _quiet(log)
            MutationCounter(kill_at, operation).install()
            sys.argv = ["vend", "--repo", str(repo), "apply", "--auto-approve"]
            from vending.cli import main

            main()
        except SystemExit as exited:
            code = int(exited.code or 0)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
