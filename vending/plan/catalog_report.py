"""`vend catalog report`: per product version, the accounts whose provisioned products use it.

Enforced products come from what the plan already reads, never a call per account: each
enforced portfolio's stack set (DescribeStackSet: the template, so the version it deploys) and
its stack instances (ListStackInstances, 100 a page: the accounts auto-deployment reached).
A CURRENT instance runs the stack set's version; one that is not (OUTDATED, INOPERABLE) may still
run an earlier one, so it is listed apart, with its status. Self-service launches are read only
when asked (`--self-service`, vending.state.catalog_launches: one role per account); without
them the report says so instead of guessing. A launch is matched to the hub's product and version
by id; the enforced portfolios' own provisioned products (`vend-<portfolio>`) are left to the
stack sets' half, so no account is counted twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from vending.model.catalog_enforced import baseline_name, deployed_version, provisioned_product_name
from vending.model.live import LiveOrg
from vending.model.live_catalog import Launches
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
    sources: dict[str, list[str]] = field(default_factory=dict)
    """Account -> `enforced` and/or `self-service:<provisioned product name>`."""
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
    unreadable: dict[str, str] = field(default_factory=dict)
    """Account -> AWS's error code, for accounts whose launches could not be read."""

    def as_json(self) -> dict[str, object]:
        return {"format_version": FORMAT_VERSION, "self_service": self.self_service,
                "unreadable": self.unreadable, "versions": [
            {"product": v.product, "version": v.version, "guidance": v.guidance, "active": v.active,
             "flags": v.flags, "accounts": v.accounts, "sources": v.sources, "outdated": v.outdated, "via": v.via}
            for v in self.versions]}


SELF_SERVICE = ("not read: self-service launches live in each account; `vend catalog report --self-service` "
                "reads them through a role in each account (one AssumeRole per account)")


def report(desired: DesiredOrg, live: LiveOrg, launches: Launches | None = None) -> CatalogReport:
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
                use.sources.setdefault(who, []).append("enforced")
            else:
                use.outdated[who] = f"{instance.status}/{instance.detailed_status or '-'}"
    if launches is None:
        return CatalogReport(sorted(uses.values(), key=lambda u: (u.product, u.version)), SELF_SERVICE)
    _self_service(uses, live, launches, {provisioned_product_name(n) for n, p in
                                         (catalog.portfolios if catalog else {}).items() if p.enforced})
    summary = (f"read in {launches.accounts - len(launches.unreadable)} of {launches.accounts} active accounts "
               f"through the role {launches.role}")
    return CatalogReport(sorted(uses.values(), key=lambda u: (u.product, u.version)), summary,
                         {names.get(a, a): code for a, code in sorted(launches.unreadable.items(),
                                                                      key=lambda i: names.get(i[0], i[0]))})


def _self_service(uses: dict[tuple[str, str], VersionUse], live: LiveOrg, launches: Launches,
                  enforced: set[str]) -> None:
    """Each launch of a vend product (by the hub's product and artifact ids) under its version."""
    names = {a.id: a.name for a in live.accounts.values()}
    versions = {(p.id, v.id): (p.vend_name, v.name) for p in (live.catalog.products if live.catalog else ())
                for v in p.versions}
    for launch in launches.found:
        key = versions.get((launch.product_id, launch.artifact_id))
        if key is None or key not in uses or launch.name in enforced:
            continue
        use, who = uses[key], names.get(launch.account, launch.account)
        if who not in use.sources:
            use.accounts.append(who)
        use.sources.setdefault(who, []).append(f"self-service:{launch.name}")
        if "self-service" not in use.via:
            use.via.append("self-service")
    for use in uses.values():
        use.accounts.sort()
