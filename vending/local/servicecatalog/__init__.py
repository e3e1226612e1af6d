"""The Service Catalog emulator: replaces moto's servicecatalog handlers entirely.

moto implements 11 of about 90 Service Catalog operations, with UUID ids, provisioning artifacts
dropped and no provisioning at all (moto-coverage.md section 2). This plug-in answers every
Service Catalog request itself, through `vending.local.modeled` (requests and answers checked
against botocore's `servicecatalog/2015-12-10` model); an operation it lacks raises moto's own
NotImplementedError. Scope today is what Control Tower's Account Factory needs: portfolios,
products and their provisioning artifacts, product and principal associations, launch paths,
provisioning with asynchronous records (`servicecatalog.catalog`,
`servicecatalog.provisioning`, `servicecatalog.queries`), and for vend's catalog: updates,
deletes and TagOption associations (`servicecatalog.admin`), TagOptions, constraints with their
parameters checked (`servicecatalog.constraints`), Organizations access and portfolio shares
with asynchronous status (`servicecatalog.shares`).

State is plain dicts, per account and region (`CatalogStore`), persisted with the other
emulators. Ids follow AWS: `port-`, `prod-`, `prodview-`, `pa-`, `lpv2-`, `pp-`, `rec-` followed
by 13 lowercase alphanumerics, drawn from moto's seeded random source (repeatable runs).
How a provisioned product is realised is up to its product's *engine*: `cloudformation` (no
resources, succeeds) unless an emulator registers another one, as Control Tower does for the
Account Factory (`engines`).
"""
from __future__ import annotations

from typing import Any

from moto.servicecatalog.responses import ServiceCatalogResponse

# Importing these modules registers their handlers in HANDLERS.
from vending.local.servicecatalog import catalog, provisioning  # noqa: F401
from vending.local.servicecatalog import admin, constraints, enduser, queries, shares, tagoptions  # noqa: F401
from vending.local.framework import EmulatorContext
from vending.local.modeled import ModeledService
from vending.local.servicecatalog.provisioning import CloudFormationEngine, Engine, step
from vending.local.servicecatalog.tables import HANDLERS, CatalogStore


class ServiceCatalog:
    """Emulator plug-in: Service Catalog, answered from `CatalogStore` instead of moto."""

    name = "servicecatalog"

    def __init__(self) -> None:
        self.store = CatalogStore()
        self.engines: dict[str, Engine] = {"cloudformation": CloudFormationEngine()}
        self._ctx: EmulatorContext | None = None

    @property
    def ctx(self) -> EmulatorContext:
        assert self._ctx is not None, "install() first"
        return self._ctx

    def install(self, ctx: EmulatorContext) -> None:
        self._ctx = ctx
        ModeledService("servicecatalog", self, HANDLERS, self.step).install_on(
            ctx, ServiceCatalogResponse)

    def step(self, account_id: str, region: str) -> bool:
        """A read lets time pass for the records in flight (servicecatalog.provisioning)."""
        regions = self.store.accounts.get(account_id, {})
        if region not in regions:
            return False
        provisioned = step(self, regions[region])
        return shares.step(regions[region]) or provisioned

    def bootstrap(self, ctx: EmulatorContext) -> None:
        """A fresh landing zone has an empty catalog (Control Tower adds its portfolio)."""
        self.store = CatalogStore()

    def state(self) -> Any:
        return {"accounts": self.store.accounts}

    def restore(self, state: Any) -> None:
        store = CatalogStore()
        store.accounts = state["accounts"]
        self.store = store
