"""The Control Tower emulator: the `controltower` API, which moto lacks, and the Account Factory.

moto has no controltower module (moto-coverage.md section 4). This plug-in adds one the way
moto's own services are built (approach P2 of moto-coverage.md section 8): a `moto.controltower`
package with a backend and URL patterns, registered in `moto.backend_index`, so moto's
rest-json router serves it in-process under `mock_aws()` and behind `vend local serve` alike.
Requests are answered by `vending.local.modeled` against botocore's `controltower/2018-05-10`
model: landing zone (`controltower.landing_zone`), baselines (`controltower.baselines`),
controls (`controltower.controls`). It also gives Service Catalog the Account Factory engine
(`controltower.factory`), which vends accounts into the emulated Organizations.

Public API:
* `LocalAws(state_dir, control_tower=True)` / `LocalServer(..., control_tower=True)` set the
  landing zone up on load (idempotent);
* `init_control_tower(state_dir)` does the same for `vend local init --control-tower` and
  returns a `LandingZoneSummary`.
"""
from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import moto.backend_index as backend_index
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.responses import BaseResponse

# Importing these modules registers their handlers in HANDLERS.
from vending.local.controltower import baselines, controls  # noqa: F401
from vending.local.bootstrap import HOME_REGION
from vending.local.controltower.factory import AccountFactory
from vending.local.controltower.landing_zone import setup_landing_zone
from vending.local.controltower.state import CONTROL_TOWER_BASELINE, HANDLERS, Landing, step
from vending.local.framework import EmulatorContext
from vending.local.modeled import ModeledService
from vending.local.servicecatalog import ServiceCatalog

URL = r"https?://controltower\.(.+)\.amazonaws\.com"


class ControlTowerBackend(BaseBackend):
    """moto's handle on the service: routing only, the state lives in `ControlTower`."""


ControlTowerBackend.__module__ = "moto.controltower.models"  # moto finds urls.py from it


class ControlTowerResponse(BaseResponse):
    """Answers every controltower operation through `ModeledService` (installed)."""

    def __init__(self) -> None:
        super().__init__(service_name="controltower")


def _register_with_moto(ctx: EmulatorContext) -> None:
    """Make `moto.controltower` importable and routable (undone with the other patches)."""
    backends = BackendDict(ControlTowerBackend, "controltower")
    package = types.ModuleType("moto.controltower")
    models = types.ModuleType("moto.controltower.models")
    urls = types.ModuleType("moto.controltower.urls")
    for holder in (package, models):
        holder.controltower_backends = backends  # type: ignore[attr-defined]
    urls.url_bases = [URL]  # type: ignore[attr-defined]
    urls.url_paths = {"{0}/.*$": ControlTowerResponse.dispatch}  # type: ignore[attr-defined]
    for name, module in (("moto.controltower", package), ("moto.controltower.models", models),
                         ("moto.controltower.urls", urls)):
        ctx.patcher.setitem(sys.modules, name, module)
    patterns = [p for p in backend_index.backend_url_patterns if p[0] != "controltower"]
    ctx.patcher.setattr(backend_index, "backend_url_patterns",
                        [*patterns, ("controltower", re.compile(URL))])


class ControlTower:
    """Emulator plug-in: Control Tower, and the Account Factory engine of Service Catalog."""

    name = "controltower"
    home_region = HOME_REGION

    def __init__(self, catalog: ServiceCatalog):
        self.catalog = catalog
        self.accounts: dict[str, Landing] = {}
        self._ctx: EmulatorContext | None = None

    @property
    def ctx(self) -> EmulatorContext:
        assert self._ctx is not None, "install() first"
        return self._ctx

    def landing(self, account_id: str) -> Landing:
        """The Control Tower state of one management account."""
        return self.accounts.setdefault(account_id, {
            "landing_zone": None, "baselines": {}, "controls": {}, "operations": {}})

    def install(self, ctx: EmulatorContext) -> None:
        self._ctx = ctx
        _register_with_moto(ctx)
        ModeledService("controltower", self, HANDLERS, self.step).install_on(
            ctx, ControlTowerResponse)
        self.catalog.engines["account-factory"] = AccountFactory(self)

    def step(self, account_id: str, region: str) -> bool:
        """A read lets time pass for the operations in flight (controltower.state)."""
        state = self.accounts.get(account_id)
        return state is not None and step(state)

    def bootstrap(self, ctx: EmulatorContext) -> None:
        """No landing zone unless the settings ask for one (`control_tower=True`)."""
        self.accounts = {}
        if ctx.settings.control_tower:
            setup_landing_zone(self)

    def state(self) -> Any:
        return {"accounts": self.accounts}

    def restore(self, state: Any) -> bool:
        """Put the snapshot back, then set Control Tower up if asked and not yet done
        (Service Catalog and Organizations are restored first: registry order); True if that
        set anything up."""
        accounts = state["accounts"]
        if not isinstance(accounts, dict):
            raise TypeError("controltower accounts is not a mapping")
        self.accounts = accounts
        if not self.ctx.settings.control_tower:
            return False
        before = self._fingerprint()
        setup_landing_zone(self)
        return self._fingerprint() != before

    def _fingerprint(self) -> tuple[Any, ...]:
        """What setting Control Tower up adds: a landing zone, baselines, enrolled accounts."""
        account_id = self.ctx.settings.management_account_id
        state = self.landing(account_id)
        tables = self.catalog.store.accounts.get(account_id, {}).get(HOME_REGION, {})
        return (state["landing_zone"] is None, len(state["baselines"]),
                len(tables.get("provisioned", {})), len(tables.get("products", {})))


@dataclass(frozen=True)
class LandingZoneSummary:
    """What `init_control_tower` set up (or found)."""

    landing_zone_arn: str
    version: str
    registered_ou_arns: list[str]
    account_factory_portfolio_id: str
    account_factory_product_id: str
    enrolled: dict[str, str] = field(default_factory=dict)
    """Account id -> provisioned product id."""


def summarize(ct: ControlTower, account_id: str) -> LandingZoneSummary:
    state = ct.landing(account_id)
    tables = ct.catalog.store.tables(account_id, HOME_REGION)
    product = next(p for p in tables["products"].values() if p["engine"] == "account-factory")
    portfolio = next(f for f in tables["portfolios"].values() if product["Id"] in f["products"])
    return LandingZoneSummary(
        landing_zone_arn=state["landing_zone"]["arn"], version=state["landing_zone"]["version"],
        registered_ou_arns=sorted(b["targetIdentifier"] for b in state["baselines"].values()
                                  if b["baseline_id"] == CONTROL_TOWER_BASELINE),
        account_factory_portfolio_id=portfolio["Id"], account_factory_product_id=product["Id"],
        enrolled={pp["account_id"]: pp["Id"] for pp in tables["provisioned"].values()
                  if pp.get("account_id")})


def init_control_tower(state_dir: Path, *, lock_timeout: float = 10.0) -> LandingZoneSummary:
    """Set a Control Tower landing zone up in the local state (`vend local init
    --control-tower`); idempotent. Raises LocalStateError if the state is in use."""
    from vending.local import LocalAws  # the package imports this module

    with LocalAws(state_dir, control_tower=True, lock_timeout=lock_timeout) as aws:
        summary = aws.landing_zone()
        assert summary is not None
        return summary
