"""Parsed YAML data -> the model's frozen specs.

The loader has already reported schema problems and dropped every value of the wrong type, so
a key here is either absent (use the default) or of the right type; values may still be bad
(a malformed email), which the rules report with their precise reasons. Building anyway lets
one run report every cross-file problem, not just the first file's.
"""
from __future__ import annotations

from typing import Any

from vending.model.settings_specs import layer as settings_layer
from vending.model import catalog as catalog_files
from vending.model.types import (
    ROOT,
    AccountSpec,
    BudgetsSettings,
    ControlTowerSettings,
    FaultRule,
    FaultSettings,
    LockSettings,
    OrgSettings,
    OuPath,
    OuSpec,
    Source,
    SsoUser,
    StackSetsAdmin,
    Target,
    parse_path,
)
from vending.model.baseline_types import AccountBaseline, Allocation, BaselineRef, IpPlan, IpPool
from vending.model.yaml_source import Lines


FAULT_RULE_KEYS = ("operation", "service", "times", "on_call", "code")


def settings(data: dict[str, Any], file: str, lines: Lines | None = None) -> OrgSettings:
    """vend.yaml; a missing quarantine_ou becomes ROOT, which the rules read as "not set"."""
    target = data.get("target", {})
    return OrgSettings(
        home_region=data.get("home_region", ""),
        governed_regions=tuple(data.get("governed_regions", ())),
        account_factory=data.get("account_factory", "organizations"),
        target=Target(
            kind=target.get("kind", "local"),
            profile=target.get("profile"),
            role_arn=target.get("role_arn"),
            state_dir=target.get("state_dir", ".vend"),
            endpoint=target.get("endpoint"),
            faults=_faults(target.get("faults", {})),
            event_delivery_seconds=float(target.get("event_delivery_seconds", 0)),
        ),
        required_tags=tuple(data.get("required_tags", ())),
        quarantine_ou=parse_path(data.get("quarantine_ou", "Root")),
        policies_dir=data.get("policies_dir", "policies"),
        apply_concurrency=int(data.get("apply_concurrency", 4)),
        control_tower=_control_tower(data.get("control_tower", {})),
        source=Source(file, fields=tuple((key, lines.at((key,))) for key in data if lines and (key,) in lines)),
        template_bucket=data.get("template_bucket"),
        ip_plan=_ip_plan(data["ip_plan"], file, lines) if "ip_plan" in data else None,
        lock=LockSettings(bucket=data.get("lock", {}).get("bucket"),
                          key=data.get("lock", {}).get("key", LockSettings.key)),
        stacksets=_stacksets(data.get("stacksets")),
        catalog=catalog_files.hub(data.get("catalog")),
        budgets=BudgetsSettings(check_subscribers=bool((data.get("budgets") or {}).get("check_subscribers", False))),
        marketplace=_stacksets(data.get("marketplace")),
    )


def _stacksets(data: Any) -> StackSetsAdmin | None:
    if not isinstance(data, dict) or "delegated_admin" not in data or "role_arn" not in data:
        return None  # reported by the schema
    return StackSetsAdmin(delegated_admin=str(data["delegated_admin"]), role_arn=str(data["role_arn"]))


def _ip_plan(data: dict[str, Any], file: str, lines: Lines | None) -> IpPlan | None:
    if "prefix_length" not in data or "pools" not in data:
        return None  # reported by the schema
    pools = tuple(
        IpPool(region=p["region"], cidr=p["cidr"], at=_at(file, lines, "ip_plan", "pools", i),
               environment=p.get("environment"), prefix_length=p.get("prefix_length"))
        for i, p in enumerate(data["pools"]) if "region" in p and "cidr" in p
    )
    return IpPlan(prefix_length=data["prefix_length"], pools=pools,
                  environment_tag=data.get("environment_tag", "environment"))


def _at(file: str, lines: Lines | None, *path: Any) -> str:
    return f"{file}:{lines.at(path) if lines else 1}"


def _faults(data: dict[str, Any]) -> FaultSettings:
    def rules(key: str) -> tuple[FaultRule, ...]:  # unknown keys are schema findings: skip them
        items = [i for i in data.get(key, ()) if isinstance(i, dict) and "operation" in i]
        return tuple(FaultRule(**{k: i[k] for k in FAULT_RULE_KEYS if k in i}) for i in items)

    return FaultSettings(throttle_rate=float(data.get("throttle_rate", 0.0)),
                         seed=int(data.get("seed", 0)), throttle=rules("throttle"), fail=rules("fail"))


def _sso_user(data: dict[str, Any]) -> SsoUser:
    return SsoUser(**{k: data[k] for k in ("email", "first_name", "last_name") if k in data})


def _control_tower(data: dict[str, Any]) -> ControlTowerSettings:
    defaults = ControlTowerSettings()
    return ControlTowerSettings(
        account_concurrency=int(data.get("account_concurrency", defaults.account_concurrency)),
        identity_center=bool(data.get("identity_center", defaults.identity_center)),
        baseline_version=str(data.get("baseline_version", defaults.baseline_version)),
        sso_user=_sso_user(data.get("sso_user", {})),
    )


def ou(path: OuPath, data: dict[str, Any], source: Source, lines: Lines | None = None) -> OuSpec:
    """ous/<path>/ou.yaml, or ous/ou.yaml for the root (whose schema allows fewer keys)."""
    return OuSpec(
        path=path,
        source=source,
        description=data.get("description", ""),
        tags=dict(data["tags"]) if "tags" in data else None,
        default_account_tags=dict(data.get("default_account_tags", {})),
        scps=tuple(data.get("scps", ())),
        tag_policies=tuple(data.get("tag_policies", ())),
        full_aws_access=data.get("full_aws_access", True),
        pinned_id=data.get("id") if path != ROOT else None,
        renamed_from=data.get("renamed_from") if path != ROOT else None,
        retired=data.get("retired", False) if path != ROOT else False,
        controls=tuple(data.get("controls", ())) if path != ROOT else (),
        baselines=tuple(BaselineRef(name, _at(source.file, lines, "baselines", i))
                        for i, name in enumerate(data.get("baselines", ()))),
        settings=settings_layer(data),
    )


def account(data: dict[str, Any], source: Source, lines: Lines | None = None) -> AccountSpec | None:
    """accounts/**/<stem>.yaml; None when a required field is missing (already reported)."""
    if not all(key in data for key in ("name", "email", "ou", "owner")):
        return None
    return AccountSpec(
        name=data["name"],
        email=data["email"],
        ou=parse_path(data["ou"]),
        owner=data["owner"],
        source=source,
        tags=dict(data.get("tags", {})),
        pinned_id=data.get("id"),
        state=data.get("state", "active"),
        sso_user=dict(data.get("sso_user", {})),
        baselines={
            name: AccountBaseline(name, _at(source.file, lines, "baselines", name),
                                  parameters=dict(entry.get("parameters", {})), exclude=entry.get("exclude", False))
            for name, entry in data.get("baselines", {}).items()
        },
        network={region: Allocation(cidr, _at(source.file, lines, "network", region))
                 for region, cidr in data.get("network", {}).items()},
        settings=settings_layer(data),
    )
