"""`vend local serve`: the local AWS over HTTP on loopback, for the AWS CLI and other tools.

    aws --endpoint-url http://127.0.0.1:4566 organizations list-accounts

It is moto's werkzeug server (what `ThreadedMotoServer` runs) with the same emulators and the same
persisted state as `LocalAws`. Requests are handled one at a time under the runtime lock, each
on the latest state on disk and written through before it is answered, so other `vend`
commands work on the same organization while it runs, and killing the server loses nothing it
answered. One server per state directory (`serve.lock`, with its pid and URL): a second one
fails before it listens. Faults (`LocalServer.faults`) can be injected from the serving process
only.
"""
from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from moto.core.base_backend import BackendDict
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from vending.errors import ConfigError
from vending.local import registry
from vending.local.faults import Faults
from vending.local.framework import ACCOUNT_FACTORY_QUOTA, LocalSettings
from vending.local.runtime import Runtime
from vending.local.state_store import ServeLock, StateStore


class LocalServer:
    """A started-and-stopped local AWS server; also a context manager."""

    def __init__(
        self,
        state_dir: Path,
        host: str = "127.0.0.1",
        port: int = 4566,
        *,
        create_account_polls: int = 2,
        close_account_polls: int = 2,
        lock_timeout: float = 10.0,
        control_tower: bool = False,
        account_factory_quota: int = ACCOUNT_FACTORY_QUOTA,
        provisioning_polls: int = 3,
        operation_polls: int = 2,
        event_delivery_seconds: float = 0.0,
    ):
        """Options as `LocalAws`'s (see there)."""
        self.host, self.port = host, port
        self.settings = LocalSettings(
            create_account_polls=create_account_polls, close_account_polls=close_account_polls,
            control_tower=control_tower, account_factory_quota=account_factory_quota,
            provisioning_polls=provisioning_polls, operation_polls=operation_polls,
            event_delivery_seconds=event_delivery_seconds,
        )
        self.faults = Faults()
        self._store = StateStore(Path(state_dir), lock_timeout)
        self._serve_lock = ServeLock(Path(state_dir))
        self._runtime: Runtime | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://{self.host}:{self._server.port}"

    def start(self) -> str:
        """Load (or bootstrap) the state, start serving; returns the endpoint URL.

        Raises LocalStateError if another server serves this state directory, ConfigError if
        the port is taken - both before anything listens."""
        self._serve_lock.acquire()
        try:
            runtime = Runtime(registry.emulators(), self.settings, self.faults, self._store)
            runtime.install()  # refuses a second local AWS in this process
            self._runtime = runtime
            BackendDict.reset()
            runtime.open()
            app = DomainDispatcherApplication(create_backend_app)
            listening = _listen(self.host, self.port)
            try:  # werkzeug gets a bound socket: binding itself, it would print and exit
                self._server = make_server(self.host, self.port, self._serialized(app),
                                           threaded=True, request_handler=MotoRequestHandler,
                                           fd=listening.fileno())
            finally:
                listening.close()  # werkzeug holds a duplicate
            self._serve_lock.publish(self.url)
        except BaseException:
            self._close()
            raise
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, name="vend-local-serve",
                                        daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and release the state directory (every request is already saved)."""
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._server is not None:
            self._server.server_close()
        self._close()

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serialized(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
        def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            assert self._runtime is not None
            with self._runtime.ctx.lock:
                chunks = app(environ, start_response)
                try:
                    return list(chunks)
                finally:
                    close = getattr(chunks, "close", None)
                    if close is not None:
                        close()
        return wsgi

    def _close(self) -> None:
        try:
            if self._runtime is not None:
                self._runtime.uninstall()
                BackendDict.reset()
        finally:
            self._runtime = self._server = None
            self._serve_lock.release()


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot serve on {host}:{port}: {exc.strerror}; pick another port "
                          "with --port") from None
    return sock


def serve(
    state_dir: Path,
    host: str = "127.0.0.1",
    port: int = 4566,
    *,
    stop: threading.Event | None = None,
    on_ready: Callable[[str], None] | None = None,
    create_account_polls: int = 2,
    close_account_polls: int = 2,
    control_tower: bool = False,
    account_factory_quota: int = ACCOUNT_FACTORY_QUOTA,
) -> None:
    """Serve until Ctrl-C, SIGTERM or until `stop` is set.

    `on_ready(url)` is called once the server listens (the CLI prints it then, so a server that
    cannot start never says it serves). `control_tower=True`
    sets a Control Tower landing zone up first, if there is none. SIGTERM is handled
    only when called from the main thread (Python's rule for signal handlers).
    """
    stop = stop or threading.Event()
    server = LocalServer(state_dir, host, port, create_account_polls=create_account_polls,
                         close_account_polls=close_account_polls, control_tower=control_tower,
                         account_factory_quota=account_factory_quota)
    server.start()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, lambda *_: stop.set())  # type: ignore[union-attr]
    try:
        if on_ready is not None:
            on_ready(server.url)
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        server.stop()
