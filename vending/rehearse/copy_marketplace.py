"""The Private Marketplace in the scratch copy: every experience with its procurement policy,
branding and audience, stored straight into the Marketplace Catalog emulator under their live ids
and revisions (the fingerprint covers both), and its trusted access and service-linked role, so
the copy reads back as read. A delegated administrator's view is not copied yet (`gaps`)."""
from __future__ import annotations

from typing import Any

from moto.organizations.models import FakeServiceAccess

from vending.local.marketplace import service_role
from vending.local.marketplace.state import now
from vending.model.live import LiveOrg
from vending.model.live_marketplace import PRINCIPAL, LiveExperience
from vending.model.types import OrgSettings


def gaps(live: LiveOrg, settings: OrgSettings) -> list[str]:
    if live.marketplace is not None and settings.marketplace is not None:
        return [f"the Private Marketplace of the delegated administrator ({settings.marketplace.role_arn})"]
    return []


def load(live: LiveOrg, organizations: Any, emulator: Any) -> None:
    """Into the running emulators: `organizations` (moto's backend of the management account)
    and `emulator` (vending.local.marketplace)."""
    found = live.marketplace
    if found is None:
        return
    if found.trusted_access:
        organizations.services.append(FakeServiceAccess(ServicePrincipal=PRINCIPAL).describe())
    if found.service_role:
        service_role.restore([live.management_account_id])
    entities: dict[str, Any] = {}
    for experience in found.experiences:
        entities.update(_entities(experience))
    emulator.accounts[live.management_account_id] = {"entities": entities, "change_sets": {}, "tokens": {}}


def _entity(kind: str, identifier: str, revision: str, experience: str | None, details: dict[str, Any]) -> Any:
    number = int(revision.rpartition("@")[2]) if "@" in revision else 1
    return identifier, {"Id": identifier, "Type": kind, "Revision": number, "Name": details["Name"],
                        "LastModified": now(), "ExperienceId": experience, "Details": details}


def _entities(exp: LiveExperience) -> dict[str, Any]:
    made = [_entity("Experience", exp.id, exp.revision, None, {"Name": exp.name, "Status": exp.status})]
    if exp.policy is not None:
        p = exp.policy
        made.append(_entity("ProcurementPolicy", p.id, p.revision, exp.id, {
            "Name": p.name, "Configuration": {"PolicyResourceRequests": p.requests},
            "AllowedProducts": [{"Id": i, **({"Notes": n} if n else {})} for i, n in p.allowed],
            "DeniedProducts": [{"Id": i} for i in p.denied]}))
    if exp.branding is not None:
        b = exp.branding
        config = {"Title": b.title, "Information": b.information, "ThemeColor": b.theme_color, "LogoUrl": b.logo_url}
        made.append(_entity("BrandingSettings", b.id, b.revision, exp.id, {
            "Name": b.name, "Description": b.description, "Configuration": {k: v for k, v in config.items() if v}}))
    if exp.audience is not None:
        a = exp.audience
        made.append(_entity("Audience", a.id, a.revision, exp.id, {
            "Name": a.name, "Description": a.description, "Principals": list(a.principals)}))
    return dict(made)
