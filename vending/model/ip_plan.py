"""The IP plan: which accounts need a block in which Region, and the lowest free block of a pool.

Pure and deterministic: the same repository always yields the same allocations, so `vend
allocate` is idempotent and two people running it on one branch write the same lines.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterable, Iterator

from vending.errors import VendError
from vending.model.types import ROOT, AccountSpec, DesiredOrg, OuPath
from vending.model.baseline_types import FromNetwork, IpPool

Network = ipaddress.IPv4Network


class PoolExhausted(VendError):
    """No free block of the right size is left in a pool."""


@dataclass(frozen=True)
class Need:
    """An account that must have a block in a Region, and the pool it comes from (None: none fits)."""

    account: AccountSpec
    region: str
    pool: IpPool | None


def network(text: str) -> Network | None:
    """An IPv4 network written as a.b.c.d/n with no host bits set; None otherwise.

    Parsed by hand into the (address, prefix) form, which ipaddress builds about twice as fast
    as from text: validation parses every allocation of the organization."""
    address, slash, prefix = text.partition("/")
    parts = address.split(".")
    if not slash or len(parts) != 4 or not prefix.isdigit() or not all(p.isdigit() and p == str(int(p)) for p in parts):
        return None
    value, length = 0, int(prefix)
    for part in parts:
        value = value * 256 + int(part)
    if any(int(p) > 255 for p in parts) or length > 32 or value & ((1 << (32 - length)) - 1):
        return None
    return ipaddress.IPv4Network((value, length))


def environment(org: DesiredOrg, account: AccountSpec) -> str | None:
    plan = org.settings.ip_plan
    return org.account_tags(account).get(plan.environment_tag) if plan else None


def needs(org: DesiredOrg) -> list[Need]:
    """Every (account, Region) a live baseline takes `{from: network}` for, in a stable order:
    accounts by file, Regions in governed_regions order. Closed and excluded accounts, and
    accounts in undeclared OUs, need none."""
    plan = org.settings.ip_plan
    if plan is None:
        return []
    regions_by_baseline = {name: _network_regions(spec.parameters.values(), spec.regions)
                           for name, spec in org.baselines.items() if not spec.retired and spec.uses_network()}
    if not regions_by_baseline:
        return []
    reach: dict[OuPath, frozenset[str]] = {}
    order = {region: i for i, region in enumerate(org.settings.governed_regions)}
    found: list[Need] = []
    for account in sorted(org.accounts.values(), key=lambda a: a.source.file):
        placement = org.placement(account)
        if account.state == "closed" or (placement != ROOT and placement not in org.ous):
            continue  # an undeclared OU is reported already (V106, V402); nothing reaches it
        regions: set[str] = set()
        for name in reaching(org, placement, reach):
            entry = account.baselines.get(name)
            if name in regions_by_baseline and not (entry and entry.exclude):
                regions |= regions_by_baseline[name]
        env = environment(org, account) if regions else None
        for region in sorted(regions, key=lambda r: (order.get(r, len(order)), r)):
            found.append(Need(account, region, plan.pool_for(region, env)))
    return found


def _network_regions(values: Iterable[object], regions: tuple[str, ...]) -> frozenset[str]:
    wanted: set[str] = set()
    for value in values:
        if isinstance(value, FromNetwork):
            wanted |= {value.region} if value.region else set(regions)
    return frozenset(wanted)


def reaching(org: DesiredOrg, path: OuPath, memo: dict[OuPath, frozenset[str]]) -> frozenset[str]:
    """Baselines listed on the OU or any OU above it (a stack set's OU target covers the subtree)."""
    if path not in memo:
        spec = org.ou(path)
        own = frozenset(ref.name for ref in spec.baselines) if spec else frozenset()
        memo[path] = own | (reaching(org, path[:-1], memo) if path != ROOT else frozenset())
    return memo[path]


def used_in(pool: Network, allocations: Iterable[Network]) -> list[Network]:
    """The allocations that overlap the pool, lowest first."""
    return sorted(a for a in allocations if a.overlaps(pool))


def free_blocks(pool: Network, prefix_length: int, used: list[Network]) -> Iterator[Network]:
    """Aligned blocks of `prefix_length` inside the pool overlapping nothing in `used`, lowest
    first. Walks the gaps between used blocks, so it costs O(used + blocks yielded)."""
    if prefix_length < pool.prefixlen:
        return
    size = 2 ** (32 - prefix_length)
    cursor, end = int(pool.network_address), int(pool.broadcast_address) + 1
    for block in sorted(used) + [None]:
        gap_end = end if block is None else max(int(block.network_address), cursor)
        while cursor + size <= min(gap_end, end):
            yield ipaddress.IPv4Network((cursor, prefix_length))
            cursor += size
        if block is None:
            return
        cursor = max(cursor, _align_up(int(block.broadcast_address) + 1, size))


def _align_up(value: int, size: int) -> int:
    return -(-value // size) * size


def count_free(pool: Network, prefix_length: int, used: list[Network], limit: int) -> int:
    """How many free blocks the pool has, counting at most `limit` (enough to answer "is it
    enough?" without walking a huge pool)."""
    count = 0
    for _ in free_blocks(pool, prefix_length, used):
        count += 1
        if count >= limit:
            break
    return count


def allocate(org: DesiredOrg) -> dict[str, dict[str, str]]:
    """The missing allocations: account file -> Region -> CIDR, lowest free block of the right
    pool, accounts in file order. Raises PoolExhausted (and VendError for a need without pool)."""
    plan = org.settings.ip_plan
    if plan is None:
        return {}
    taken: dict[str, list[Network]] = {}
    for account in org.accounts.values():
        for region, allocation in account.network.items():
            net = network(allocation.cidr)
            if net is not None:
                taken.setdefault(region, []).append(net)
    cursors: dict[int, Iterator[Network]] = {}
    result: dict[str, dict[str, str]] = {}
    for need in needs(org):
        if need.region in need.account.network:
            continue
        if need.pool is None:
            raise VendError(f"{need.account.source.file}: no ip_plan pool in {need.region} for environment "
                            f"{environment(org, need.account)!r}; add one to vend.yaml ip_plan.pools")
        pool_net = network(need.pool.cidr)
        if pool_net is None:
            raise VendError(f"{need.pool.at}: pool {need.pool.cidr} is not a network address; run vend validate")
        key = id(need.pool)
        if key not in cursors:
            cursors[key] = free_blocks(pool_net, plan.block_size(need.pool), used_in(pool_net, taken.get(need.region, [])))
        block = next(cursors[key], None)
        if block is None:
            env = f" ({need.pool.environment})" if need.pool.environment else ""
            raise PoolExhausted(f"{need.pool.at}: pool {need.pool.cidr} in {need.region}{env} has no free "
                                f"/{plan.block_size(need.pool)} left for {need.account.source.file}; "
                                "widen the pool (allocations already committed stay inside a larger cidr)")
        result.setdefault(need.account.source.file, {})[need.region] = str(block)
    return result
