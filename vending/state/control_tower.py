"""Read Control Tower's side of the organization: landing zone, registered OUs, controls, and
the Account Factory's provisioned products.

Costs one ListEnabledControls per registered OU, a page per 20 provisioned products, and
GetProvisionedProductOutputs only for products vend did not name itself (adopted accounts),
so a plan of a large landing zone stays O(OUs + accounts / 20).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

from botocore.exceptions import ClientError, EndpointConnectionError

from vending.aws.paging import provisioned_products
from vending.errors import ConfigError
from vending.model.live import (
    EnabledBaseline,
    EnabledControl,
    LiveControlTower,
    ProvisionedAccount,
)

ACCOUNT_FACTORY_PRODUCT = "AWS Control Tower Account Factory"
ACCOUNT_BASELINE = "AWSControlTowerBaseline"
IDENTITY_CENTER_BASELINE = "IdentityCenterBaseline"
VEND_PRODUCT_PREFIX = "vend-"
"""Provisioned products vend creates are named vend-<account file stem>."""


NOT_ENABLED_HERE = ("AccessDeniedException", "UnrecognizedClientException", "ResourceNotFoundException")
"""What ListLandingZones answers where vend cannot tell (no permission, Control Tower not offered
in the region): no landing zone is assumed, as before the check existed."""


def landing_zone(controltower: Any) -> str | None:
    """The ARN of the organization's Control Tower landing zone, if it has one: one read
    (ListLandingZones), for the check that `account_factory: organizations` does not create
    accounts behind Control Tower's back."""
    try:
        zones = controltower.list_landing_zones(maxResults=1).get("landingZones", [])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in NOT_ENABLED_HERE:
            return None
        raise
    except EndpointConnectionError:  # no controltower endpoint in this region
        return None
    return zones[0]["arn"] if zones else None


def _pages(client: Any, operation: str, key: str, **params: Any) -> Iterator[dict]:
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


class ControlTowerReader:
    def __init__(self, controltower: Any, servicecatalog: Any, *, workers: int = 4) -> None:
        self.ct = controltower
        self.sc = servicecatalog
        self.workers = max(1, workers)

    def read(self) -> LiveControlTower:
        zones = list(_pages(self.ct, "list_landing_zones", "landingZones"))
        if not zones:
            raise ConfigError(
                "vend.yaml says account_factory: control-tower, but this organization has no"
                " Control Tower landing zone; set up Control Tower, or use account_factory: organizations"
            )
        zone = self.ct.get_landing_zone(landingZoneIdentifier=zones[0]["arn"])["landingZone"]
        baselines = {b["name"]: b["arn"] for b in _pages(self.ct, "list_baselines", "baselines")}
        enabled = tuple(
            sorted(
                (
                    EnabledBaseline(
                        arn=b["arn"],
                        baseline=b["baselineIdentifier"],
                        target=b["targetIdentifier"],
                        status=b["statusSummary"]["status"],
                        version=b.get("baselineVersion", ""),
                        operation=b["statusSummary"].get("lastOperationIdentifier", "")
                        if b["statusSummary"]["status"] == "UNDER_CHANGE"
                        else "",
                    )
                    for b in _pages(self.ct, "list_enabled_baselines", "enabledBaselines")
                ),
                key=lambda b: b.arn,
            )
        )
        identity_center = next(
            (b.arn for b in enabled if b.baseline == baselines.get(IDENTITY_CENTER_BASELINE)), None
        )
        account_baseline = baselines.get(ACCOUNT_BASELINE, "")
        registered = sorted({b.target for b in enabled if b.baseline == account_baseline})
        product_id, artifact_id = self._account_factory()
        return LiveControlTower(
            landing_zone=zone["arn"],
            landing_zone_version=zone.get("version", ""),
            landing_zone_status=zone.get("status", ""),
            account_baseline=account_baseline,
            identity_center_baseline=identity_center,
            enabled_baselines=enabled,
            enabled_controls=self._controls(registered),
            product_id=product_id,
            artifact_id=artifact_id,
            provisioned=self._provisioned(product_id),
        )

    def _controls(self, targets: list[str]) -> tuple[EnabledControl, ...]:
        def on(target: str) -> list[EnabledControl]:
            try:
                return listed(target)
            except ClientError as exc:  # a baseline left enabled on an OU since deleted
                if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                    return []
                raise

        def listed(target: str) -> list[EnabledControl]:
            return [
                EnabledControl(
                    control=c["controlIdentifier"],
                    target=target,
                    status=c.get("statusSummary", {}).get("status", ""),
                    drift=c.get("driftStatusSummary", {}).get("driftStatus", ""),
                )
                for c in _pages(self.ct, "list_enabled_controls", "enabledControls", targetIdentifier=target)
            ]

        with ThreadPoolExecutor(self.workers) as pool:
            found = [control for controls in pool.map(on, targets) for control in controls]
        return tuple(sorted(found, key=lambda c: (c.target, c.control)))

    def _account_factory(self) -> tuple[str, str]:
        products = _pages(
            self.sc, "search_products_as_admin", "ProductViewDetails",
            Filters={"FullTextSearch": [ACCOUNT_FACTORY_PRODUCT]},
        )
        for product in products:
            summary = product["ProductViewSummary"]
            if summary["Name"] == ACCOUNT_FACTORY_PRODUCT:
                artifacts = self.sc.list_provisioning_artifacts(ProductId=summary["ProductId"])
                active = [a for a in artifacts["ProvisioningArtifactDetails"] if a.get("Active", True)]
                if active:
                    newest = max(active, key=lambda a: a["CreatedTime"].timestamp() if a.get("CreatedTime") else 0.0)
                    return summary["ProductId"], newest["Id"]
        raise ConfigError(
            f'the Service Catalog product "{ACCOUNT_FACTORY_PRODUCT}" (with an active version) is'
            " not visible to vend's role; give it access to the Account Factory portfolio"
        )

    def _provisioned(self, product_id: str) -> tuple[ProvisionedAccount, ...]:
        found = list(provisioned_products(self.sc, product_id))

        def describe(item: dict) -> ProvisionedAccount:
            account_id = email = None
            if not item["Name"].startswith(VEND_PRODUCT_PREFIX):
                outputs = self.sc.get_provisioned_product_outputs(ProvisionedProductId=item["Id"])
                values = {o["OutputKey"]: o["OutputValue"] for o in outputs.get("Outputs", [])}
                account_id, email = values.get("AccountId"), values.get("AccountEmail")
            return ProvisionedAccount(
                id=item["Id"],
                name=item["Name"],
                status=item["Status"],
                status_message=item.get("StatusMessage", ""),
                account_id=account_id,
                email=email,
            )

        with ThreadPoolExecutor(self.workers) as pool:
            return tuple(sorted(pool.map(describe, found), key=lambda p: p.id))
