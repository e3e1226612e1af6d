"""Plug a service moto lacks into moto's routing, the way moto's own services are found.

moto finds a service by a `moto.<backend>` package with `<backend>_backends` and a `urls`
module (url_bases, url_paths), and routes a request by `backend_index.backend_url_patterns`.
The emulators of services moto has no code for (Marketplace Catalog, License Manager) make
those modules here, as patches the emulator's context undoes; the state lives in the emulator.
"""
from __future__ import annotations

import re
import sys
import types

import moto.backend_index as backend_index
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.responses import BaseResponse

from vending.local.framework import EmulatorContext


def register_with_moto(ctx: EmulatorContext, *, backend: str, service: str, url: str, path: str,
                       response: type[BaseResponse]) -> None:
    """Make `moto.<backend>` importable and route `url` + `path` to `response.dispatch`."""
    backend_class = type(f"{backend}Backend", (BaseBackend,), {
        "__doc__": "moto's handle on the service: routing only, the state lives in the emulator.",
        "__module__": f"moto.{backend}.models",  # moto finds urls.py from it
    })
    backends = BackendDict(backend_class, service)
    package = types.ModuleType(f"moto.{backend}")
    models = types.ModuleType(f"moto.{backend}.models")
    urls = types.ModuleType(f"moto.{backend}.urls")
    for holder in (package, models):
        setattr(holder, f"{backend}_backends", backends)
    urls.url_bases = [url]  # type: ignore[attr-defined]
    urls.url_paths = {path: response.dispatch}  # type: ignore[attr-defined]
    for name, module in ((f"moto.{backend}", package), (f"moto.{backend}.models", models),
                         (f"moto.{backend}.urls", urls)):
        ctx.patcher.setitem(sys.modules, name, module)
    patterns = [p for p in backend_index.backend_url_patterns if p[0] != backend]
    ctx.patcher.setattr(backend_index, "backend_url_patterns", [*patterns, (backend, re.compile(url))])
