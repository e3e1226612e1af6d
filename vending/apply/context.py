"""What appliers share during one apply: ids of things that exist, including ones just created.

A plan names OUs by path, accounts by name and policies by name; their ids come from the live
state read at the start of the apply, and from each create as it completes.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from vending.model.live import LiveOrg
from vending.model.types import OuPath, parse_path


@dataclass(frozen=True)
class Polling:
    """How to wait for AWS's asynchronous operations (CreateAccount, EnableBaseline, ...).

    Each wait has its own deadline (`vending.apply.deadlines`); `timeout`, when set, caps them
    all (tests, a short-lived pipeline job). `clock` and `sleep` are injectable so a test of a
    15-minute deadline runs in milliseconds.
    """

    first_delay: float = 5.0
    max_delay: float = 30.0
    timeout: float | None = None
    max_polls: int = 10_000
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def limit(self, deadline: float) -> float:
        """The deadline a wait really gets: its own, capped by `timeout`."""
        return deadline if self.timeout is None else min(deadline, self.timeout)

    def delays(self) -> Iterator[float]:
        """Delays before each poll: doubling from first_delay up to max_delay, max_polls of them."""
        delay = self.first_delay
        for _ in range(self.max_polls):
            yield delay
            delay = min(self.max_delay, delay * 2)


INSTANT = Polling(first_delay=0.001, max_delay=0.05, max_polls=1_000)
"""For the local emulator, whose asynchronous operations advance per poll (a wait of a few polls
costs milliseconds) or within seconds (the growing delay gives them up to ~50 s)."""


class ApplyContext:
    def __init__(
        self, live: LiveOrg, clients: Any, polling: Polling, home_region: str = "us-east-1",
        *, stacksets_role: str | None = None, catalog_role: str | None = None, marketplace_role: str | None = None,
    ) -> None:
        self.live = live
        self.clients = clients
        self.polling = polling
        self.home_region = home_region
        self.stacksets_role = stacksets_role
        """vend.yaml stacksets.role_arn: StackSets calls go through it, CallAs DELEGATED_ADMIN."""
        self.catalog_role = catalog_role
        """vend.yaml catalog.role_arn: Service Catalog hub calls go through it (delegated admin)."""
        self.marketplace_role = marketplace_role
        """vend.yaml marketplace.role_arn: Marketplace Catalog calls go through it (delegated admin)."""
        self.fingerprint = live.fingerprint()
        """Of the state this apply started from: part of tokens that must differ per plan."""
        self._lock = threading.Lock()
        self._ou_ids: dict[OuPath, str] = {path: ou.id for path, ou in live.ou_by_path().items()}
        self._policy_ids: dict[tuple[str, str], str] = {
            (p.type, p.name): p.id for p in live.policies.values()
        }
        self._account_ids: dict[str, str] = {}
        baselines = live.baselines.stack_sets.values() if live.baselines else ()
        self._stack_set_arns: dict[str, str] = {s.name: s.arn for s in baselines if s.arn}
        self._catalog_ids: dict[str, str] = {}
        """Service Catalog ids made by this apply, by plan address (products, portfolios)."""
        sets = live.identity.permission_sets.values() if live.identity else ()
        self._permission_set_arns: dict[str, str] = {p.name: p.arn for p in sets}

    @property
    def organizations(self) -> Any:
        return self.clients.organizations()

    @property
    def call_as(self) -> dict[str, str]:
        """The CallAs parameter of every StackSets call ({} for the management account)."""
        return {"CallAs": "DELEGATED_ADMIN"} if self.stacksets_role else {}

    def _stacksets_clients(self) -> Any:
        if self.stacksets_role:
            return self.clients.assumed(self.stacksets_role, self.home_region)
        return self.clients

    @property
    def cloudformation(self) -> Any:
        """CloudFormation of the home Region, as StackSets are run (delegated admin or not)."""
        return self._stacksets_clients().client("cloudformation", self.home_region)

    @property
    def s3(self) -> Any:
        """S3 as the same principal, so CloudFormation can read the templates it uploads."""
        return self._stacksets_clients().client("s3", self.home_region)

    def _hub_clients(self) -> Any:
        return self.clients.assumed(self.catalog_role, self.home_region) if self.catalog_role else self.clients

    @property
    def servicecatalog(self) -> Any:
        """Service Catalog of the home Region in the hub (the delegated admin's, with catalog.role_arn)."""
        return self._hub_clients().client("servicecatalog", self.home_region)

    @property
    def marketplace_catalog(self) -> Any:
        """The Marketplace Catalog API (us-east-1), as the Private Marketplace's administrator."""
        clients = self.clients.assumed(self.marketplace_role, "us-east-1") if self.marketplace_role else self.clients
        return clients.client("marketplace-catalog", "us-east-1")

    @property
    def hub_s3(self) -> Any:
        """S3 as the hub, which uploads product templates to catalog.template_bucket."""
        return self._hub_clients().client("s3", self.home_region)

    @property
    def management_cloudformation(self) -> Any:
        """CloudFormation as the management account: only it can enable trusted access."""
        return self.clients.client("cloudformation", self.home_region)

    def stack_set_arn(self, name: str) -> str:
        with self._lock:
            return self._stack_set_arns[name]

    def set_stack_set_arn(self, name: str, arn: str) -> None:
        with self._lock:
            self._stack_set_arns[name] = arn

    def catalog_id(self, address: str, known: str | None = None) -> str:
        """The id of the catalog resource at `address`: `known` from the plan, else made now."""
        if known:
            return known
        with self._lock:
            return self._catalog_ids[address]

    def set_catalog_id(self, address: str, resource_id: str) -> None:
        with self._lock:
            self._catalog_ids[address] = resource_id
    def permission_set_arn(self, name: str, known: str | None = None) -> str:
        """An Identity Center permission set's ARN: `known` from the plan, else made in this apply."""
        if known:
            return known
        with self._lock:
            return self._permission_set_arns[name]

    def set_permission_set_arn(self, name: str, arn: str) -> None:
        with self._lock:
            self._permission_set_arns[name] = arn

    def ou_id(self, path: str | OuPath) -> str:
        key = parse_path(path) if isinstance(path, str) else path
        with self._lock:
            return self._ou_ids[key]

    def set_ou_id(self, path: OuPath, ou_id: str) -> None:
        with self._lock:
            self._ou_ids[path] = ou_id

    def renamed(self, old: OuPath, new: OuPath) -> None:
        """After a rename, the OU and everything below it answer to their new paths too."""
        with self._lock:
            for path, ou_id in list(self._ou_ids.items()):
                if path[: len(old)] == old:
                    self._ou_ids[new + path[len(old):]] = ou_id

    def policy_id(self, policy_type: str, name: str) -> str:
        with self._lock:
            return self._policy_ids[(policy_type, name)]

    def set_policy_id(self, policy_type: str, name: str, policy_id: str) -> None:
        with self._lock:
            self._policy_ids[(policy_type, name)] = policy_id

    def account_id(self, name: str, known: str | None = None) -> str:
        """The id of account `name`: `known` from the plan, else one created in this apply."""
        if known:
            return known
        with self._lock:
            return self._account_ids[name]

    def set_account_id(self, name: str, account_id: str) -> None:
        with self._lock:
            self._account_ids[name] = account_id
