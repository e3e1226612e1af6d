"""What changed in the organization since a saved plan was computed.

The plan's `fingerprint` decides whether a saved plan is stale; these per-resource digests only
explain it: a saved plan keeps one short digest per OU, account, policy, Control Tower
resource and stack set read, and a refused apply names the ones whose live state now differs.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from vending.model.live import LiveOrg
from vending.model.types import path_str

MAX_NAMED = 10


def digests(live: LiveOrg) -> dict[str, str]:
    """`kind:id` -> a 12-hex-digit digest of what was read about it."""
    parts: dict[str, Any] = {
        "organization": [live.org_id, live.management_account_id],
        "root": asdict(live.root),
        "policy_types": sorted(live.enabled_policy_types),
        "pending_creations": sorted(p.request_id for p in live.pending_creations),
    }
    parts.update({f"ou:{ou.id}": asdict(ou) for ou in live.ous.values()})
    parts.update({f"account:{a.id}": asdict(a) for a in live.accounts.values()})
    parts.update({f"policy:{p.id}": asdict(p) for p in live.policies.values()})
    ct = live.control_tower
    if ct is not None:
        parts["control_tower"] = [ct.landing_zone, ct.landing_zone_version, ct.landing_zone_status,
                                  ct.account_baseline, ct.identity_center_baseline, ct.product_id, ct.artifact_id]
        parts.update({f"baseline:{b.target}|{b.baseline}": asdict(b) for b in ct.enabled_baselines})
        parts.update({f"control:{c.target}|{c.control}": asdict(c) for c in ct.enabled_controls})
        parts.update({f"provisioned:{p.id}": asdict(p) for p in ct.provisioned})
    if live.baselines is not None:
        parts["stacksets"] = [live.baselines.trusted_access, sorted(live.baselines.foreign)]
        parts.update({f"stack_set:{s.name}": asdict(s) for s in live.baselines.stack_sets.values()})
    if live.contacts is not None:
        parts["account_access"] = live.contacts.trusted_access
        parts.update({f"contact:{account_id}|{kind}": value for account_id, kinds in live.contacts.contacts.items()
                      for kind, value in kinds.items()})
    if live.identity is not None:
        parts["identity_center"] = [live.identity.instance_arn, live.identity.identity_store_id,
                                    sorted(live.identity.groups.items())]
        parts.update({f"permission_set:{p.name}": asdict(p) for p in live.identity.permission_sets.values()})
        parts.update({f"assignment:{g}|{a}|{p}": True for g, a, p in live.identity.assignments})
    if live.catalog is not None:
        parts.update({f"tag_option:{t.id}": asdict(t) for t in live.catalog.tag_options})
        parts.update({f"product:{p.vend_name}": asdict(p) for p in live.catalog.products})
        parts.update({f"portfolio:{p.vend_name}": asdict(p) for p in live.catalog.portfolios})
        parts["catalog_organizations_access"] = live.catalog.organizations_access
    if live.budgets is not None:
        parts.update({f"budget:{name}": asdict(b) for name, b in live.budgets.budgets.items()})
    if live.licenses is not None:
        parts["license_manager_settings"] = [live.licenses.organization_integration,
                                             live.licenses.cross_account_discovery]
        parts.update({f"license:{lic.arn}": asdict(lic) for lic in live.licenses.licenses})
        parts.update({f"license_grant:{g.arn}": asdict(g) for g in live.licenses.grants})
    if live.support is not None:
        parts.update({f"support_case:{c.case_id}": asdict(c) for c in live.support.cases})
    if live.marketplace is not None:
        parts.update({f"marketplace_experience:{e.id}": asdict(e) for e in live.marketplace.experiences})
        parts["marketplace_prerequisites"] = [live.marketplace.trusted_access, live.marketplace.service_role]
    return {key: _digest(value) for key, value in parts.items()}


def what_changed(saved: dict[str, str], live: LiveOrg) -> str:
    """`account payments-dev (111...) changed; OU Sandbox (ou-...) is new` (at most MAX_NAMED)."""
    now = digests(live)
    changed = [k for k in now if k in saved and saved[k] != now[k]]
    new = [k for k in now if k not in saved]
    gone = [k for k in saved if k not in now]
    named = [f"{_label(k, live)} changed" for k in changed] + [f"{_label(k, live)} is new" for k in new]
    named += [f"{_label(k, live)} is gone" for k in gone]
    if len(named) > MAX_NAMED:
        named = named[:MAX_NAMED] + [f"and {len(named) - MAX_NAMED} more"]
    return "; ".join(named)


def _digest(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), default=list)
    return hashlib.blake2b(blob.encode(), digest_size=6).hexdigest()


def _label(key: str, live: LiveOrg) -> str:
    kind, _, ident = key.partition(":")
    if kind == "ou" and ident in live.ous:
        return f"OU {path_str(live.ous[ident].path)} ({ident})"
    if kind == "account" and ident in live.accounts:
        return f"account {live.accounts[ident].name} ({ident})"
    if kind == "policy" and ident in live.policies:
        return f"policy {live.policies[ident].name} ({ident})"
    fixed = {
        "organization": "the organization", "root": "the root (its tags or policies)",
        "policy_types": "the root's enabled policy types", "control_tower": "the Control Tower landing zone",
        "pending_creations": "the pending CreateAccount requests",
        "stacksets": "StackSets (trusted access, or stack sets vend does not manage)",
        "account_access": "trusted access for AWS Account Management",
        "catalog_organizations_access": "Service Catalog's access to AWS Organizations",
        "identity_center": "the IAM Identity Center instance or its groups",
        "license_manager_settings": "License Manager's settings (its Organizations integration)",
        "marketplace_prerequisites": "Private Marketplace's trusted access or service-linked role",
    }
    if key in fixed:
        return fixed[key]
    target, _, what = ident.partition("|")
    if kind == "baseline":
        return f"baseline {what} on {target}"
    if kind == "control":
        return f"control {what} on {target}"
    if kind == "contact":
        owner = live.accounts.get(target)
        return f"the {what} contact of account {owner.name if owner else target}"
    if kind == "assignment":
        group, _, rest = ident.partition("|")
        account_id, _, name = rest.partition("|")
        owner = live.accounts.get(account_id)
        return f"the assignment of {name} to {group} on account {owner.name if owner else account_id}"
    if kind == "stack_set":
        return f"stack set {ident}"
    if kind == "marketplace_experience":
        return f"Private Marketplace experience {ident}"
    if kind == "provisioned":
        return f"provisioned product {ident}"
    return f"{kind} {ident}"
