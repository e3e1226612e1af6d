"""Diff catalog/marketplace/ against the organization's Private Marketplace, part by part.

Each experience (matched by its AWS name, the file's `name`) is planned as up to six changes:
the experience itself (CreateExperience), its procurement policy and user requests, the products
it allows (AllowProductProcurement for products missing or with other notes, DenyProductProcurement
for products allowed in the console that the file does not list), its branding, its audience
(vending.plan.diff_marketplace_audience) and its status last (enabled, disabled, archived: a
disable before an archive; an archived experience the file wants back is revived before its
other parts change). Every change carries the Marketplace Catalog changes it sends
(`change_requests`) and a `client_request_token` seed: the digest of the experience as read, so
a re-run of an interrupted apply sends the tokens of the change sets it started (AWS answers
those instead of starting new ones) while any later edit makes new ones. Changes of one
experience form a chain, so no two of its change sets run at once (AWS would lock the entity).
Trusted access and the service-linked role are planned first when missing. Experiences no file
names are noted and left; a file's experience is never deleted (status: archived instead).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from vending.model.live_codec import encode
from vending.model.live_marketplace import PRINCIPAL, SERVICE_ROLE, LiveExperience
from vending.model.marketplace_types import ExperienceSpec
from vending.model.types import DesiredOrg, Source
from vending.plan import addresses
from vending.plan.changes import Action, Change, Kind, Note
from vending.plan.diff_context import DiffContext
from vending.plan.diff_marketplace_audience import AudiencePlan, Principal, plan_audiences

STATUS = {"enabled": "Enabled", "disabled": "Disabled", "archived": "Archived"}
STEPS = {  # (live status, wanted status) -> the change types that get there, in order
    ("Enabled", "Disabled"): [("UpdateExperience", {"Status": "Disabled"})],
    ("Enabled", "Archived"): [("UpdateExperience", {"Status": "Disabled"}), ("RestrictExperience", {})],
    ("Disabled", "Enabled"): [("UpdateExperience", {"Status": "Enabled"})],
    ("Disabled", "Archived"): [("RestrictExperience", {})],
}
BRANDING = (("title", "Title"), ("information", "Information"), ("theme_color", "ThemeColor"), ("logo_url", "LogoUrl"))


def reads_marketplace(desired: DesiredOrg) -> bool:
    """The repository declares experiences (catalog/marketplace/ has files)."""
    return desired.marketplace is not None and bool(desired.marketplace.experience_files)


def diff_marketplace(ctx: DiffContext) -> None:
    live, spec = ctx.live.marketplace, ctx.desired.marketplace
    if live is None or spec is None:
        return
    specs = sorted(spec.experiences.values(), key=lambda s: s.name)
    live_of = {s.name: live.experience(s.display_name) for s in specs}
    prerequisites = _prerequisites(ctx)
    audiences = plan_audiences(ctx, specs, live_of)
    for experience in specs:
        chain = _Chain(ctx, experience, live_of[experience.name], prerequisites)
        chain.experience()
        chain.revive()
        chain.policy()
        chain.products()
        chain.branding()
        chain.audience(audiences, "disassociate")
        chain.audience(audiences, "associate")
        chain.status()
    for key, leaving in audiences.leaving.items():
        if key not in live_of:  # an experience no file names gives up what a file claims
            exp = next(e for e in live.experiences if e.id == key)
            _Chain(ctx, None, exp, prerequisites).release(leaving)
    claimed = {e.id for e in live_of.values() if e is not None}
    for exp in live.experiences:
        if exp.id not in claimed:
            ctx.notes.append(Note("unmanaged", f"marketplace_experience:{exp.id}",
                                  f"Private Marketplace experience {exp.name!r} ({exp.id}, {exp.status}) is not in"
                                  " catalog/marketplace/; vend leaves it"))


def _prerequisites(ctx: DiffContext) -> tuple[str, ...]:
    live = ctx.live.marketplace
    assert live is not None
    found: list[str] = []
    if not live.trusted_access:
        found.append(addresses.marketplace_access())
        ctx.add(Change(address=found[-1], kind=Kind.MARKETPLACE_ACCESS, action=Action.CREATE,
                       reason=f"ListAWSServiceAccessForOrganization does not list {PRINCIPAL}: Private Marketplace"
                       " cannot use the organization's OUs and accounts until trusted access is enabled",
                       before={"trusted_access": False}, after={"trusted_access": True, "principal": PRINCIPAL}))
    if not live.service_role:
        ctx.add(Change(address=addresses.marketplace_service_role(), kind=Kind.MARKETPLACE_ROLE, action=Action.CREATE,
                       reason=f"iam:GetRole finds no {SERVICE_ROLE} in the management account: Private Marketplace"
                       " needs its service-linked role", after={"role": SERVICE_ROLE, "service": PRINCIPAL},
                       depends_on=tuple(found)))
        found.append(addresses.marketplace_service_role())
    return tuple(found)


def _seed(experience: LiveExperience | None, name: str) -> str:
    """What the change sets' ClientRequestTokens derive from (see the module docstring)."""
    state = encode(experience) if experience is not None else {"new": name}
    return "mp-" + hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:24]


class _Chain:
    """The changes of one experience, each waiting for the one before it."""

    def __init__(self, ctx: DiffContext, spec: ExperienceSpec | None, live: LiveExperience | None,
                 prerequisites: tuple[str, ...]) -> None:
        self.ctx, self.spec, self.live = ctx, spec, live
        self.name = spec.name if spec else live.id  # type: ignore[union-attr]
        self.last: str | None = None
        self.prerequisites = prerequisites
        self.seed = _seed(live, self.name)
        self.source = (spec.source or Source(spec.file)) if spec else None

    def _add(self, kind: Kind, action: Action, reason: str, requests: list[tuple[str, dict[str, Any]]],
             *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None, part: str = "",
             field: str | None = None, waits: tuple[str, ...] = ()) -> None:
        address = addresses.marketplace(kind.value.removeprefix("marketplace_"), self.name, part)
        ident = {"experience": self.name, **({"experience_id": self.live.id} if self.live else {})}
        applying = {**ident, "change_requests": [list(r) for r in requests], "client_request_token": self.seed}
        after = {**ident, **(after or {}), **applying}
        before = {**ident, **before} if before is not None else None
        depends = ((self.last,) if self.last else self.prerequisites) + waits
        self.ctx.add(Change(address=address, kind=kind, action=action, reason=reason, before=before, after=after,
                            depends_on=tuple(dict.fromkeys(depends)),
                            source=self.source.at(field) if self.source else None))
        self.last = address

    def experience(self) -> None:
        spec = self.spec
        assert spec is not None
        if self.live is None and spec.status != "archived":
            self._add(Kind.MARKETPLACE_EXPERIENCE, Action.CREATE, "no experience of that name (ListEntities)",
                      [("CreateExperience", {"Name": spec.display_name})], after={"name": spec.display_name},
                      field="name")

    def _managed(self) -> bool:
        return self.spec is not None and self.spec.status != "archived"

    def policy(self) -> None:
        if not self._managed():
            return
        spec = self.spec
        assert spec is not None
        requests = "Allow" if spec.user_requests == "allow" else "Deny"
        update = ("UpdateProcurementPolicy", {"Configuration": {"PolicyResourceRequests": requests}})
        policy = self.live.policy if self.live else None
        if policy is None:
            self._add(Kind.MARKETPLACE_POLICY, Action.CREATE, "the experience has no procurement policy",
                      [("CreateProcurementPolicy", {"Name": spec.display_name}), update],
                      after={"user_requests": spec.user_requests}, field="user_requests")
        elif policy.requests != requests:
            self._add(Kind.MARKETPLACE_POLICY, Action.UPDATE, f"PolicyResourceRequests is {policy.requests}",
                      [update], before={"user_requests": policy.requests.lower()},
                      after={"user_requests": spec.user_requests}, field="user_requests")

    def products(self) -> None:
        if not self._managed():
            return
        spec = self.spec
        assert spec is not None
        wanted = {p.id: p.notes for p in spec.products}
        policy = self.live.policy if self.live else None
        allowed = dict(policy.allowed) if policy else {}
        allow = [(i, n) for i, n in wanted.items() if i not in allowed or allowed[i] != n]
        deny = [i for i in allowed if i not in wanted]
        if not allow and not deny:
            return
        groups: dict[str, list[str]] = {}
        for product_id, notes in allow:
            groups.setdefault(notes, []).append(product_id)
        requests: list[tuple[str, dict[str, Any]]] = []
        if groups:
            requests.append(("AllowProductProcurement", {"Products": [
                {"Ids": ids, **({"Notes": notes} if notes else {})} for notes, ids in groups.items()]}))
        if deny:
            requests.append(("DenyProductProcurement", {"Products": [{"Ids": deny}]}))
        reason = (f"{len(allow)} product(s) to allow, {len(deny)} allowed in AWS that the file does not list"
                  if policy else "a new procurement policy allows nothing")
        self._add(Kind.MARKETPLACE_PRODUCTS, Action.UPDATE if allowed else Action.CREATE, reason, requests,
                  before={"allowed_products": allowed} if allowed else None,
                  after={"allowed_products": wanted}, field="products")

    def branding(self) -> None:
        spec = self.spec
        if not self._managed() or spec is None or spec.branding is None:
            return
        wanted = {ours: getattr(spec.branding, ours) for ours, _ in BRANDING}
        wanted["description"] = spec.description
        found = self.live.branding if self.live else None
        config = {theirs: wanted[ours] for ours, theirs in BRANDING}
        if found is None:
            details = {"Name": spec.display_name, **({"Description": spec.description} if spec.description else {}),
                       "Configuration": {k: v for k, v in config.items() if v}}
            self._add(Kind.MARKETPLACE_BRANDING, Action.CREATE, "the experience has no branding settings",
                      [("CreateBrandingSettings", details)], after=wanted, field="branding")
            return
        have = {ours: getattr(found, ours) for ours, _ in BRANDING}
        have["description"] = found.description
        if have == wanted:
            return
        details: dict[str, Any] = {"Configuration": {theirs: wanted[ours] for ours, theirs in BRANDING
                                                     if have[ours] != wanted[ours]}}
        if have["description"] != wanted["description"]:
            details["Description"] = wanted["description"]
        changed = [k for k in wanted if have[k] != wanted[k]]
        self._add(Kind.MARKETPLACE_BRANDING, Action.UPDATE, f"{', '.join(changed)} differ from the file",
                  [("UpdateBrandingSettings", details)], before={k: have[k] for k in changed},
                  after={k: wanted[k] for k in changed}, field="branding")

    def audience(self, plan: AudiencePlan, step: str) -> None:
        spec = self.spec
        assert spec is not None
        if step == "disassociate":
            self.release(plan.leaving.get(self.name, []))
            return
        joining = plan.joining.get(self.name, [])
        if not joining:
            return
        waits = tuple(addresses.marketplace("audience", plan.holders[p.id], "disassociate")
                      for p in joining if p.id in plan.holders) + tuple(w for p in joining for w in p.waits)
        details = {"Name": spec.display_name, **({"Description": spec.description} if spec.description else {}),
                   "Principals": [p.id for p in joining]}
        held = [p.label for p in joining if p.id in plan.holders]
        reason = "not directly in this experience" + (f" ({', '.join(held)} leave another first)" if held else "")
        self._add(Kind.MARKETPLACE_AUDIENCE, Action.CREATE, reason, [("AssociateAudience", details)],
                  after={"principals": [p.label for p in joining]}, part="associate",
                  field="audience" if spec.audience else "default", waits=waits)

    def release(self, leaving: list[Principal]) -> None:
        if not leaving:
            return
        reason = "the file does not list them" if self._managed() else "a file gives them another experience"
        self._add(Kind.MARKETPLACE_AUDIENCE, Action.DELETE, reason,
                  [("DisassociateAudience", {"Principals": [p.id for p in leaving]})],
                  before={"principals": [p.label for p in leaving]}, part="disassociate", field="audience")

    def revive(self) -> None:
        """An archived experience the file wants back is revived first: its other parts change after."""
        if self.live is not None and self.live.status == "Archived" and self._managed():
            self._add(Kind.MARKETPLACE_STATUS, Action.UPDATE, "the experience is Archived", [("ReviveExperience", {})],
                      before={"status": "archived"}, after={"status": "disabled"}, part="revive", field="status")

    def status(self) -> None:
        spec = self.spec
        assert spec is not None
        have = self.live.status if self.live else ("Disabled" if spec.status != "archived" else "Archived")
        if have == "Archived" and self._managed():
            have = "Disabled"  # revived first (`revive`)
        steps = STEPS.get((have, STATUS[spec.status]))
        if steps:
            self._add(Kind.MARKETPLACE_STATUS, Action.UPDATE, f"the experience is {have}", list(steps),
                      before={"status": have.lower()}, after={"status": spec.status}, field="status")
