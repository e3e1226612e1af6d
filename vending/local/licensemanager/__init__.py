"""The License Manager emulator: Marketplace licenses the organization bought, and the grants that
distribute them to its accounts (aws-facts section 6), which moto lacks.

Added to moto as a service the way `vending.local.marketplace` is (approach P2 of
moto-coverage.md section 8): a `moto.licensemanager` package with a backend and the URL pattern
of `license-manager.<region>.amazonaws.com`, registered in `moto.backend_index`, so it serves
in-process under `mock_aws()` and behind `vend local serve` (whose server finds the service from
the signing name, license-manager). Requests and answers are checked against botocore's
`license-manager/2018-08-01` model (`vending.local.modeled`). Licenses and settings: `licenses`;
grants and their workflow: `grants`; state, ARNs and principals: `state`.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from moto.core.responses import BaseResponse

from vending.local.framework import EmulatorContext
from vending.local.licensemanager import grants, licenses  # noqa: F401  (their handlers register)
from vending.local.licensemanager.state import HANDLERS, purchased_licenses
from vending.local.modeled import ModeledService
from vending.local.moto_service import register_with_moto

SERVICE = "license-manager"
BACKEND = "licensemanager"
URL = r"https?://license-manager\.(.+)\.amazonaws\.com"


class LicenseManagerResponse(BaseResponse):
    """Answers every license-manager operation through ModeledService (installed)."""

    def __init__(self) -> None:
        super().__init__(service_name=SERVICE)


class LicenseManager:
    """Emulator plug-in: License Manager's licenses, grants and service settings."""

    name = "licensemanager"

    def __init__(self) -> None:
        self.licenses: dict[str, Any] = {}
        self.grants: dict[str, Any] = {}
        self.settings: dict[str, Any] = {}
        self.tokens: dict[str, str] = {}

    def install(self, ctx: EmulatorContext) -> None:
        ModeledService(SERVICE, self, HANDLERS, lambda account, region: grants.step(self)).install_on(
            ctx, LicenseManagerResponse)
        register_with_moto(ctx, backend=BACKEND, service=SERVICE, url=URL, path="{0}/$",
                           response=LicenseManagerResponse)

    def bootstrap(self, ctx: EmulatorContext) -> None:
        """The management account bought a few products in AWS Marketplace; nothing is granted and
        AWS Organizations is not linked yet."""
        created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.licenses = purchased_licenses(ctx.settings.management_account_id, created)
        self.grants, self.settings, self.tokens = {}, {}, {}

    def state(self) -> Any:
        return {"licenses": self.licenses, "grants": self.grants, "settings": self.settings, "tokens": self.tokens}

    def restore(self, state: Any) -> None:
        for key in ("licenses", "grants", "settings", "tokens"):
            if not isinstance(state[key], dict):
                raise TypeError(f"licensemanager {key} is not a mapping")
        self.licenses, self.grants = state["licenses"], state["grants"]
        self.settings, self.tokens = state["settings"], state["tokens"]
