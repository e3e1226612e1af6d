"""Shared state of one diff: both sides, their indexes, and what the diff has found so far."""
from __future__ import annotations

from dataclasses import dataclass, field

from vending.model.live import LiveOrg, LiveOu, ProvisionedAccount
from vending.model.types import DesiredOrg, OuPath, Source
from vending.plan import addresses
from vending.plan.changes import Change, Note


def where(source: Source, field: str | None = None) -> str:
    """`file:line` of the YAML asking for a change: the line of `field` when it is written."""
    return source.at(field)


@dataclass
class DiffContext:
    desired: DesiredOrg
    live: LiveOrg
    changes: list[Change] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ou_match: dict[OuPath, LiveOu] = field(default_factory=dict)
    """Desired OU path -> the live OU it is (root included), for OUs that exist."""
    matched_live: dict[str, OuPath] = field(default_factory=dict)
    """Live OU id -> the desired path it is matched to (differs from its live path if renamed)."""
    created_ous: set[OuPath] = field(default_factory=set)
    """Desired OU paths the plan creates (so dependents wait for them)."""
    renamed_ous: set[OuPath] = field(default_factory=set)
    """Desired OU paths the plan renames (their live path has the old name)."""
    retired_ous: set[OuPath] = field(default_factory=set)
    """Desired OU paths the plan deletes."""
    managed_account_ids: set[str] = field(default_factory=set)
    product_index: dict[str, ProvisionedAccount] | None = None
    """Control Tower: provisioned products by name, account id and email (built on first use)."""
    registering: set[OuPath] = field(default_factory=set)
    """Control Tower: desired OU paths whose registration the plan enables or resets."""
    deregistering: set[OuPath] = field(default_factory=set)
    """Control Tower: retired OU paths whose registration the plan disables before the delete."""

    @property
    def control_tower(self) -> bool:
        """Accounts go through Account Factory (vend.yaml says so and a landing zone was read)."""
        return self.desired.settings.account_factory == "control-tower" and self.live.control_tower is not None

    def __post_init__(self) -> None:
        self.match((), self.live.root)

    def match(self, path: OuPath, live_ou: LiveOu) -> None:
        self.ou_match[path] = live_ou
        self.matched_live[live_ou.id] = path

    def add(self, change: Change) -> None:
        self.changes.append(change)

    def ou_dependency(self, path: OuPath) -> tuple[str, ...]:
        """What a change addressing OU `path` must wait for: its creation, or the renaming of it
        or of an ancestor (until then, that path does not exist in AWS)."""
        if path in self.created_ous:
            return (addresses.ou(path),)
        return tuple(addresses.ou(path[:n]) for n in range(len(path), 0, -1) if path[:n] in self.renamed_ous)
