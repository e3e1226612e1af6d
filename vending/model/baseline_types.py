"""The DESIRED baselines (baselines/<name>/ and the `baselines` of ou.yaml and account files) and
the IP plan (vend.yaml `ip_plan`) their `{from: network}` parameters draw from.

Pure data, like vending.model.types.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from vending.model.types import Source


@dataclass(frozen=True)
class BaselineRef:
    """A baseline named on an OU (`baselines: [...]` in ou.yaml), with where it is written."""

    name: str
    at: str
    """`file:line` of the list item."""


@dataclass(frozen=True)
class AccountBaseline:
    """accounts/<x>.yaml `baselines: {<name>: {parameters: {...}} | {exclude: true}}`."""

    name: str
    at: str
    parameters: dict[str, str | FromNetwork] = field(default_factory=dict)
    exclude: bool = False


@dataclass(frozen=True)
class FromNetwork:
    """A parameter value taken from the account's IP allocation: `{from: network}` is the block
    in the stack instance's own Region, `{from: network, region: r}` the block in Region r."""

    region: str | None = None


@dataclass(frozen=True)
class OperationPreferences:
    """StackSetOperationPreferences; counts and percentages as written (one of each pair)."""

    region_concurrency: Literal["SEQUENTIAL", "PARALLEL"] = "SEQUENTIAL"
    max_concurrent_count: int | None = None
    max_concurrent_percentage: int | None = None
    failure_tolerance_count: int | None = None
    failure_tolerance_percentage: int | None = None
    concurrency_mode: Literal["STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE"] = "STRICT_FAILURE_TOLERANCE"


@dataclass(frozen=True)
class BaselineSpec:
    """baselines/<name>/baseline.yaml plus its rendered template: one SERVICE_MANAGED stack set."""

    name: str
    source: Source
    template_file: str
    """Repo-relative path of the template as written (before rendering)."""
    template: str
    """The rendered template text (jinja2, deterministic: no per-account value)."""
    template_source: str = ""
    """The template file's text as written, to point findings at its lines."""
    description: str = ""
    parameters: dict[str, str | FromNetwork] = field(default_factory=dict)
    regions: tuple[str, ...] = ()
    """Where the stack set deploys; vend.yaml's governed_regions when the file gives none."""
    capabilities: tuple[str, ...] = ()
    operation_preferences: OperationPreferences = OperationPreferences()
    retain_stacks_on_account_removal: bool = False
    depends_on: tuple[str, ...] = ()
    retired: bool = False

    def uses_network(self) -> bool:
        return any(isinstance(v, FromNetwork) for v in self.parameters.values())


@dataclass(frozen=True)
class Allocation:
    """One committed IP block of an account (`network: {us-east-1: 10.1.16.0/20}`)."""

    cidr: str
    at: str


@dataclass(frozen=True)
class IpPool:
    """A supernet accounts take blocks from: per Region, optionally per environment."""

    region: str
    cidr: str
    at: str
    environment: str | None = None
    """None: accounts whose environment has no pool of its own in this Region."""
    prefix_length: int | None = None
    """Block size for this pool; None: the plan's."""


@dataclass(frozen=True)
class IpPlan:
    """vend.yaml `ip_plan`."""

    prefix_length: int
    pools: tuple[IpPool, ...]
    environment_tag: str = "environment"
    """Effective-tag key whose value picks an account's pool."""

    def pool_for(self, region: str, environment: str | None) -> IpPool | None:
        """The environment's own pool in the Region, else the Region's pool for any environment."""
        fallback = None
        for pool in self.pools:
            if pool.region != region:
                continue
            if pool.environment is not None and pool.environment == environment:
                return pool
            if pool.environment is None and fallback is None:
                fallback = pool
        return fallback

    def block_size(self, pool: IpPool) -> int:
        return pool.prefix_length or self.prefix_length
