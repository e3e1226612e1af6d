"""`vend local serve`: the local AWS over HTTP on loopback, for the AWS CLI and other tools.

    aws --endpoint-url http://127.0.0.1:4566 organizations list-accounts

It is moto's werkzeug server (what `ThreadedMotoServer` runs) with the same emulators and the same
persisted state as `LocalAws`. Requests are handled one at a time under the runtime lock; after
any request the state is marked dirty and a saver thread writes it within `save_interval`
seconds, and once more on shutdown. The state directory stays locked while the server runs.
Faults (`LocalServer.faults`) can be injected from the serving process only.
"""
from __future__ import annotations

import signal
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
from vending.local.framework import ACCOUNT_FACTORY_QUOTA, LocalSettings, Runtime, StateStore


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
        save_interval: float = 0.5,
        lock_timeout: float = 10.0,
        control_tower: bool = False,
        account_factory_quota: int = ACCOUNT_FACTORY_QUOTA,
        provisioning_polls: int = 3,
        operation_polls: int = 2,
    ):
        """Options as `LocalAws`'s (see there)."""
        self.host, self.port = host, port
        self.settings = LocalSettings(
            create_account_polls=create_account_polls, close_account_polls=close_account_polls,
            control_tower=control_tower, account_factory_quota=account_factory_quota,
            provisioning_polls=provisioning_polls, operation_polls=operation_polls,
        )
        self.faults = Faults()
        self.save_interval = save_interval
        self._store = StateStore(Path(state_dir), lock_timeout)
        self._runtime: Runtime | None = None
        self._server: BaseWSGIServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._save_lock = threading.Lock()
        self._generation = 0
        self._saved_generation = 0

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> str:
        """Load (or bootstrap) the state, start serving; returns the endpoint URL."""
        self._store.acquire()
        try:
            runtime = Runtime(registry.emulators(), self.settings, self.faults)
            runtime.install()  # refuses a second local AWS in this process
            self._runtime = runtime
            BackendDict.reset()
            blob = self._store.read()
            if blob is None:
                self._runtime.bootstrap()
                self._generation += 1
            else:
                self._runtime.restore(blob, self._store.path)
            app = DomainDispatcherApplication(create_backend_app)
            try:
                self._server = make_server(self.host, self.port, self._serialized(app),
                                           threaded=True, request_handler=MotoRequestHandler)
            except OSError as exc:
                raise ConfigError(f"cannot serve on {self.host}:{self.port}: {exc.strerror}")
        except BaseException:
            self._close()
            raise
        self._stopping.clear()
        self._threads = [
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                             name="vend-local-serve", daemon=True),
            threading.Thread(target=self._save_loop, name="vend-local-save", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving, save the state, release the state directory."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
        for thread in self._threads:
            thread.join()
        self._threads = []
        try:
            if self._runtime is not None:
                self.save()
        finally:
            if self._server is not None:
                self._server.server_close()
            self._close()

    def save(self) -> None:
        assert self._runtime is not None
        with self._save_lock:
            with self._runtime.ctx.lock:
                generation = self._generation
                blob = self._runtime.snapshot()
            self._store.write(blob)
            self._saved_generation = generation

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
                    body = list(chunks)
                finally:
                    close = getattr(chunks, "close", None)
                    if close is not None:
                        close()
                self._generation += 1
            return body
        return wsgi

    def _save_loop(self) -> None:
        while not self._stopping.wait(self.save_interval):
            if self._generation != self._saved_generation:
                self.save()

    def _close(self) -> None:
        try:
            if self._runtime is not None:
                self._runtime.uninstall()
                BackendDict.reset()
        finally:
            self._runtime = self._server = None
            self._store.release()


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
    """Serve until Ctrl-C, SIGTERM or until `stop` is set; saves the state on the way out.

    `on_ready(url)` is called once the server listens (the CLI prints it). `control_tower=True`
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
