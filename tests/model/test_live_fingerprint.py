"""LiveOrg.fingerprint hashes exactly what `dataclasses.asdict` serialises, only faster.

Saved plans embed the fingerprint, so its value must not depend on how it is computed.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace

from tests.bench import synthetic
from vending.model.live import (
    EnabledBaseline,
    EnabledControl,
    LiveControlTower,
    LiveOrg,
    PendingCreation,
    ProvisionedAccount,
)


def _reference(live: LiveOrg) -> str:
    blob = json.dumps(asdict(live), sort_keys=True, separators=(",", ":"), default=list)
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def test_fingerprint_is_the_hash_of_asdict():
    live = synthetic.live_org(synthetic.generate(40, 8))
    assert live.fingerprint() == _reference(live)


def test_fingerprint_covers_nested_and_optional_parts():
    live = replace(
        synthetic.live_org(synthetic.generate(6, 4)),
        pending_creations=(PendingCreation("car-1", "new-account"),),
        control_tower=LiveControlTower(
            landing_zone="arn:lz", landing_zone_version="3.3", landing_zone_status="ACTIVE",
            account_baseline="arn:baseline", identity_center_baseline=None,
            enabled_baselines=(EnabledBaseline("arn:eb", "arn:baseline", "arn:ou", "SUCCEEDED", "4.0"),),
            enabled_controls=(EnabledControl("arn:control", "arn:ou", "SUCCEEDED"),),
            product_id="prod-1", artifact_id="pa-1",
            provisioned=(ProvisionedAccount("pp-1", "acct", "AVAILABLE", account_id="123456789012"),),
        ),
    )
    assert live.fingerprint() == _reference(live)
    assert live.fingerprint() != replace(live, control_tower=None).fingerprint()
