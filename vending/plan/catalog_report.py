"""`vend catalog report`: per product version, the accounts whose provisioned products use it.

Enforced products come from what the plan already reads, never a call per account: each
enforced portfolio's stack set (DescribeStackSet: the template, so the version it deploys) and
its stack instances (ListStackInstances, 100 a page: the accounts auto-deployment reached).
A CURRENT instance runs the stack set's version; one that is not (OUTDATED, INOPERABLE) may still
run an earlier one, so it is listed apart, with its status. Self-service launches are not read
yet (README, "vend catalog report"); the report says so instead of guessing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from vending.model.catalog_enforced import baseline_name, deployed_version
from vending.model.live import LiveOrg
from vending.model.types import DesiredOrg

FORMAT_VERSION = 1


@dataclass
class VersionUse:
    product: str
    """vend's name of the product (its folder)."""
    version: str
    guidance: str
    """DEFAULT or DEPRECATED, as the hub says (git's value when the hub has no such version)."""
    active: bool
    accounts: list[str] = field(default_factory=list)
    """Account names (ids where no file names them) whose provisioned product runs this version."""
    outdated: dict[str, str] = field(default_factory=dict)
    """Account -> instance status, for instances not CURRENT (they may run an earlier version)."""
    via: list[str] = field(default_factory=list)
    """Where the accounts come from: `enforced:<portfolio>`."""

    @property
    def flags(self) -> list[str]:
        return (["deprecated"] if self.guidance == "DEPRECATED" else []) + ([] if self.active else ["inactive"])


@dataclass
class CatalogReport:
    versions: list[VersionUse]
    self_service: str
    """What the report says of self-service launches."""

    def as_json(self) -> dict[str, object]:
        return {"format_version": FORMAT_VERSION, "self_service": self.self_service, "versions": [
            {"product": v.product, "version": v.version, "guidance": v.guidance, "active": v.active,
             "flags": v.flags, "accounts": v.accounts, "outdated": v.outdated, "via": v.via}
            for v in self.versions]}


SELF_SERVICE = ("not read: self-service launches live in each account; vend lists only the enforced "
                "products' accounts (see the README's `vend catalog report`)")


def report(desired: DesiredOrg, live: LiveOrg) -> CatalogReport:
    catalog = desired.catalog
    uses: dict[tuple[str, str], VersionUse] = {}
    if catalog is not None:
        for product in sorted(catalog.products.values(), key=lambda p: p.name):
            found = live.catalog.product(product.name) if live.catalog else None
            hub = {v.name: v for v in found.versions} if found else {}
            for version in product.versions:
                seen = hub.get(version.name)
                uses[(product.name, version.name)] = VersionUse(
                    product.name, version.name,
                    seen.guidance if seen else version.guidance.upper(), seen.active if seen else version.active)
    names = {a.id: a.name for a in live.accounts.values()}
    for name, spec in sorted((catalog.portfolios if catalog else {}).items()):
        stack_set = live.baselines.stack_sets.get(baseline_name(name)) if live.baselines else None
        if spec.enforced is None or stack_set is None:
            continue
        version = deployed_version(stack_set.template) or "?"
        use = uses.setdefault((spec.enforced.product, version),
                              VersionUse(spec.enforced.product, version, "DEFAULT", True))
        use.via.append(f"enforced:{name}")
        for instance in sorted(stack_set.instances, key=lambda i: names.get(i.account, i.account)):
            who = names.get(instance.account, instance.account)
            if instance.status == "CURRENT":
                use.accounts.append(who)
            else:
                use.outdated[who] = f"{instance.status}/{instance.detailed_status or '-'}"
    return CatalogReport(sorted(uses.values(), key=lambda u: (u.product, u.version)), SELF_SERVICE)
