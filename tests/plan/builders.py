"""Small builders for desired and live organizations, for pure plan tests (no AWS, no YAML)."""
from __future__ import annotations

from vending.model.live import LiveAccount, LiveOrg, LiveOu, LivePolicy
from vending.model.policy_json import canonical
from vending.model.types import (
    SCP,
    AccountSpec,
    DesiredOrg,
    OrgSettings,
    OuSpec,
    PolicySpec,
    Source,
    Target,
    parse_path,
)

ROOT_ID = "r-ab12"
FULL = LivePolicy("p-FullAWSAccess", "FullAWSAccess", SCP, canonical('{"Version":"2012-10-17"}'), True)


def settings(**overrides) -> OrgSettings:
    base = dict(
        home_region="us-east-1",
        governed_regions=("us-east-1",),
        account_factory="organizations",
        target=Target(),
        required_tags=(),
        quarantine_ou=("Suspended",),
    )
    base.update(overrides)
    return OrgSettings(**base)


def ou(path: str, **fields) -> OuSpec:
    p = parse_path(path)
    file = "ous/" + "/".join(p) + "/ou.yaml" if p else "ous/ou.yaml"
    return OuSpec(path=p, source=Source(file, 1), **fields)


def account(name: str, ou_path: str, **fields) -> AccountSpec:
    fields.setdefault("email", f"aws+{name}@example.com")
    fields.setdefault("owner", "platform")
    return AccountSpec(name=name, ou=parse_path(ou_path), source=Source(f"accounts/{name}.yaml", 1), **fields)


def policy(name: str, content: str, policy_type: str = SCP) -> PolicySpec:
    folder = "scp" if policy_type == SCP else "tag"
    return PolicySpec(name, policy_type, canonical(content), Source(f"policies/{folder}/{name}.json", 1))


def desired(ous=(), accounts=(), policies=(), root=None, **settings_overrides) -> DesiredOrg:
    return DesiredOrg(
        settings=settings(**settings_overrides),
        root=root,
        ous={o.path: o for o in ous},
        accounts={a.name: a for a in accounts},
        policies={(p.type, p.name): p for p in policies},
    )


def live(ous=(), accounts=(), policies=(), enabled=(SCP,), root_policies=None, pending=()) -> LiveOrg:
    """`ous`: (id, path string, tags) tuples, parents before children; accounts: LiveAccount."""
    by_path = {(): ROOT_ID}
    live_ous = {}
    for ou_id, path, *rest in ous:
        p = parse_path(path)
        attached = rest[1] if len(rest) > 1 else {SCP: (FULL.id,)}
        live_ous[ou_id] = LiveOu(ou_id, p[-1], by_path[p[:-1]], p, rest[0] if rest else {}, attached)
        by_path[p] = ou_id
    root = LiveOu(ROOT_ID, "Root", None, (), {}, root_policies or {SCP: (FULL.id,)})
    return LiveOrg(
        org_id="o-abc",
        management_account_id="111111111111",
        root=root,
        enabled_policy_types=tuple(enabled),
        ous=live_ous,
        accounts={a.id: a for a in accounts},
        policies={p.id: p for p in (FULL, *policies)},
        pending_creations=tuple(pending),
    )


def live_account(account_id: str, name: str, parent: str, tags=None, email=None, status="ACTIVE") -> LiveAccount:
    return LiveAccount(account_id, name, email or f"aws+{name}@example.com", status, parent, tags or {})


ACCOUNT_BASELINE = "arn:aws:controltower:us-east-1::baseline/17BSJV3IGJ2QSGA2"
IDENTITY_CENTER = "arn:aws:controltower:us-east-1:111111111111:enabledbaseline/IC"


def control_tower(have: LiveOrg, registered=(), controls=(), provisioned=()) -> LiveOrg:
    """`have` with a landing zone: `registered` OU ids, `controls` (ou id, arn), products."""
    from dataclasses import replace

    from vending.model.live import EnabledBaseline, EnabledControl, LiveControlTower

    baselines = tuple(
        EnabledBaseline(f"arn:eb/{ou_id}", ACCOUNT_BASELINE, have.ou_arn(ou_id), status, "4.0")
        for ou_id, status in (r if isinstance(r, tuple) else (r, "SUCCEEDED") for r in registered)
    )
    return replace(have, control_tower=LiveControlTower(
        landing_zone="arn:lz", landing_zone_version="3.3", landing_zone_status="ACTIVE",
        account_baseline=ACCOUNT_BASELINE, identity_center_baseline=IDENTITY_CENTER,
        enabled_baselines=baselines,
        enabled_controls=tuple(EnabledControl(arn, have.ou_arn(ou_id), "SUCCEEDED") for ou_id, arn in controls),
        product_id="prod-abc", artifact_id="pa-abc", provisioned=tuple(provisioned),
    ))
