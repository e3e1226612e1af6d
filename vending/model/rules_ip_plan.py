"""V7xx: the IP plan in vend.yaml and the allocations committed in account files.

Overlaps are found with one sort and a sweep (O(n log n) in allocations), so a plan of 5,000
accounts in two Regions costs milliseconds.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from vending.errors import Diagnostic
from vending.model import ip_plan
from vending.model.codes import finding
from vending.model.types import AccountSpec
from vending.model.baseline_types import IpPool

if TYPE_CHECKING:
    from vending.model.rules import Loaded

_ALLOCATE_HINT = "run `vend allocate`: it writes the lowest free block of the account's pool into its file"


def _split(at: str) -> tuple[str, int]:
    file, line = at.rsplit(":", 1)
    return file, int(line)


def check(loaded: Loaded) -> list[Diagnostic]:
    settings = loaded.settings
    has_network = any(a.network for a in loaded.accounts)
    if settings is None or (settings.ip_plan is None and not has_network):
        return []
    found: list[Diagnostic] = []
    pools = _pools(loaded, found)
    allocations = _allocations(loaded, pools, found)
    found.extend(_overlaps(allocations))
    found.extend(_missing(loaded, pools, allocations))
    return found


def _pools(loaded: Loaded, found: list[Diagnostic]) -> dict[int, ip_plan.Network]:
    """Each readable pool's network by id(pool); pool findings go to `found`."""
    settings = loaded.settings
    plan = settings.ip_plan if settings else None
    if plan is None:
        return {}
    nets: dict[int, ip_plan.Network] = {}
    seen: dict[tuple[str, str | None], IpPool] = {}
    for pool in plan.pools:
        file, line = _split(pool.at)
        if settings.governed_regions and pool.region not in settings.governed_regions:
            found.append(finding("V708", file, line, "ip_plan.pools", f"pool region {pool.region} is not governed",
                                 "add the Region to governed_regions, or remove the pool"))
        net = ip_plan.network(pool.cidr)
        if net is None:
            found.append(finding("V707", file, line, "ip_plan.pools", f"{pool.cidr} is not an IPv4 network address",
                                 "write the network itself (host bits zero), e.g. 10.0.0.0/12"))
            continue
        if plan.block_size(pool) < net.prefixlen:
            found.append(finding("V703", file, line, "ip_plan.pools",
                                 f"blocks of /{plan.block_size(pool)} do not fit in {pool.cidr}",
                                 "use a longer prefix_length, or a larger pool"))
        key = (pool.region, pool.environment)
        if key in seen:
            found.append(finding("V706", file, line, "ip_plan.pools",
                                 f"a second pool for {pool.region}" + (f" and environment {pool.environment}" if pool.environment else ""),
                                 f"keep one (the first is at {seen[key].at})"))
        seen.setdefault(key, pool)
        for other, other_net in ((p, nets[id(p)]) for p in plan.pools if id(p) in nets):
            if other_net.overlaps(net):
                found.append(finding("V706", file, line, "ip_plan.pools", f"{pool.cidr} overlaps the pool {other.cidr} ({other.at})",
                                     "pools must not overlap, so no two accounts can ever get the same addresses"))
                break
        nets[id(pool)] = net
    return nets


def _allocations(loaded: Loaded, pools: dict[int, ip_plan.Network],
                 found: list[Diagnostic]) -> list[tuple[ip_plan.Network, str, str, AccountSpec]]:
    """(network, region, at, account) for every readable allocation; per-allocation findings."""
    settings = loaded.settings
    plan = settings.ip_plan if settings else None
    result = []
    for account in loaded.accounts:
        if not account.network:
            continue
        env = ip_plan.environment(loaded.org, account) if plan else None
        for region, allocation in account.network.items():
            file, line = _split(allocation.at)
            field = f"network.{region}"
            governed = not settings.governed_regions or region in settings.governed_regions
            if not governed:
                found.append(finding("V708", file, line, field, f"{region} is not governed",
                                     "remove this allocation, or govern the Region in vend.yaml"))
            net = ip_plan.network(allocation.cidr)
            if net is None:
                found.append(finding("V707", file, line, field, f"{allocation.cidr} is not an IPv4 network address",
                                     "write the network itself (host bits zero), or remove the line and run `vend allocate`"))
                continue
            result.append((net, region, allocation.at, account))
            if not governed:
                continue
            if plan is None:
                found.append(finding("V702", file, line, field, "vend.yaml has no ip_plan for this allocation to come from",
                                     "declare ip_plan in vend.yaml, or remove the network mapping"))
                continue
            pool = plan.pool_for(region, env)
            if pool is None:
                which = f" for environment {env!r}" if env else " for accounts without an environment tag"
                found.append(finding("V702", file, line, field, f"no pool in {region}{which}",
                                     "add a pool for it (or one without environment) to vend.yaml ip_plan.pools"))
                continue
            pool_net = pools.get(id(pool))
            if pool_net is not None and not net.subnet_of(pool_net):
                found.append(finding("V702", file, line, field, f"{allocation.cidr} is outside its pool {pool.cidr} ({pool.at})",
                                     "remove the line and run `vend allocate`, or move the account's environment"))
            elif net.prefixlen != plan.block_size(pool):
                found.append(finding("V703", file, line, field,
                                     f"{allocation.cidr} is a /{net.prefixlen}; blocks of this pool are /{plan.block_size(pool)}",
                                     "remove the line and run `vend allocate`"))
    return result


def _overlaps(allocations: list[tuple[ip_plan.Network, str, str, AccountSpec]]) -> list[Diagnostic]:
    """V701 on the later of two overlapping blocks, naming both files. Address space is one for
    the whole organization (networks get peered and routed across Regions), so Regions share it."""
    found: list[Diagnostic] = []
    ordered = sorted(allocations, key=lambda item: (int(item[0].network_address), -item[0].prefixlen, item[2]))
    widest: tuple[ip_plan.Network, str, str, AccountSpec] | None = None
    for item in ordered:
        net, region, at, _ = item
        if widest is not None and net.overlaps(widest[0]):
            file, line = _split(at)
            found.append(finding("V701", file, line, f"network.{region}",
                                 f"{net} overlaps {widest[0]} of {widest[2]} ({widest[1]})",
                                 "remove this line and run `vend allocate` for a free block"))
        if widest is None or int(net.broadcast_address) > int(widest[0].broadcast_address):
            widest = item
    return found


def _missing(loaded: Loaded, pools: dict[int, ip_plan.Network],
             allocations: list[tuple[ip_plan.Network, str, str, AccountSpec]]) -> list[Diagnostic]:
    """V704 for every (account, Region) a baseline needs a block for; V705 once per pool whose
    free blocks cannot cover the accounts still waiting for one."""
    settings = loaded.settings
    plan = settings.ip_plan if settings else None
    found: list[Diagnostic] = []
    if plan is None:
        return found
    waiting: dict[int, int] = {}
    for need in ip_plan.needs(loaded.org):
        if need.region in need.account.network:
            continue
        file, line = need.account.source.file, 1
        found.append(finding("V704", file, line, f"network.{need.region}",
                             f"a baseline of this account takes its IP block in {need.region}, and it has none",
                             _ALLOCATE_HINT))
        if need.pool is not None:
            waiting[id(need.pool)] = waiting.get(id(need.pool), 0) + 1
    for pool in plan.pools:
        pool_net = pools.get(id(pool))
        count = waiting.get(id(pool), 0)
        if not count or pool_net is None:
            continue
        used = ip_plan.used_in(pool_net, (net for net, region, _, _ in allocations if region == pool.region))
        free = ip_plan.count_free(pool_net, plan.block_size(pool), used, count)
        if free < count:
            file, line = _split(pool.at)
            found.append(finding("V705", file, line, "ip_plan.pools",
                                 f"pool {pool.cidr} in {pool.region} has {free} free /{plan.block_size(pool)} "
                                 f"block(s) for {count} account(s) waiting",
                                 "widen this pool (a larger cidr keeps every committed block inside it), or move some accounts to another environment"))
    return found
