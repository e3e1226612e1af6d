"""Private Marketplace changes grouped into Marketplace Catalog change sets the way AWS takes them
(aws-facts 5.3 and 5.4), so the applier only sends them.

* Phases, each finished before the next starts: experiences are created; then their procurement
  policy and branding (and revived archives); then what needs those (user requests, allowed and
  denied products, branding updates) and every disassociation; then every association and status
  change; then archiving (which needs the experience disabled first). An OU moved between
  experiences is disassociated from the one before it is associated with the other.
* A change set holds at most 20 changes and never the same change type twice on one entity; an
  Allow/Deny of more than 50 product ids becomes several changes (so several change sets).
* Each change set has a ClientRequestToken derived from its content and the plan's `salt` (the
  fingerprint of the live state it was planned from): a re-run of the same plan sends the same
  token, and AWS answers the change set it started instead of starting another, while a later
  plan that happens to make the same change again gets a new token.
Experiences are named by vend's name; the applier puts in their entity ids (new ones come from
the change set that created them).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

MAX_CHANGES = 20
MAX_PRODUCT_IDS = 50
PHASES: tuple[tuple[str, ...], ...] = (
    ("CreateExperience",),
    ("CreateProcurementPolicy", "CreateBrandingSettings", "ReviveExperience"),
    ("UpdateProcurementPolicy", "AllowProductProcurement", "DenyProductProcurement", "UpdateBrandingSettings",
     "DisassociateAudience"),
    ("AssociateAudience", "UpdateExperience"),
    ("RestrictExperience",),
)
_PHASE = {kind: index for index, kinds in enumerate(PHASES) for kind in kinds}


@dataclass(frozen=True)
class MarketplaceChange:
    """One change to one experience (`experience` is vend's name for it)."""

    change_type: str
    experience: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangeSetSpec:
    """One StartChangeSet: its phase, name, idempotency token and changes, in order."""

    phase: int
    name: str
    token: str
    changes: tuple[MarketplaceChange, ...]


def change_sets(changes: list[MarketplaceChange], salt: str) -> list[ChangeSetSpec]:
    """The change sets that apply `changes`, in the order they must run."""
    found: list[ChangeSetSpec] = []
    for phase, _ in enumerate(PHASES):
        batch: list[MarketplaceChange] = []
        used: set[tuple[str, str]] = set()
        pending = [c for change in changes if _PHASE[change.change_type] == phase for c in _split(change)]
        while pending:
            later = []
            for change in pending:
                key = (change.change_type, change.experience)
                if key in used or len(batch) == MAX_CHANGES:
                    later.append(change)
                    continue
                batch.append(change)
                used.add(key)
            found.append(_spec(phase, len([s for s in found if s.phase == phase]), batch, salt))
            batch, used, pending = [], set(), later
    return found


def _split(change: MarketplaceChange) -> list[MarketplaceChange]:
    """An Allow/Deny with more than 50 product ids as changes of at most 50 ids each (groups of
    ids with their notes packed in order, a group split where a change fills up)."""
    if change.change_type not in ("AllowProductProcurement", "DenyProductProcurement"):
        return [change]
    pieces: list[list[dict[str, Any]]] = [[]]
    room = MAX_PRODUCT_IDS
    for group in change.details.get("Products", ()):
        ids = list(group.get("Ids", ()))
        while ids:
            if room == 0:
                pieces.append([])
                room = MAX_PRODUCT_IDS
            taken, ids = ids[:room], ids[room:]
            pieces[-1].append({"Ids": taken, **({"Notes": group["Notes"]} if group.get("Notes") else {})})
            room -= len(taken)
    return [MarketplaceChange(change.change_type, change.experience, {"Products": p}) for p in pieces if p]


def _spec(phase: int, index: int, changes: list[MarketplaceChange], salt: str) -> ChangeSetSpec:
    content = json.dumps([salt, [[c.change_type, c.experience, c.details] for c in changes]], sort_keys=True)
    digest = hashlib.sha256(content.encode()).hexdigest()[:40]
    return ChangeSetSpec(phase=phase, name=f"vend phase {phase + 1} set {index + 1}", token=f"vend-{digest}",
                         changes=tuple(changes))
