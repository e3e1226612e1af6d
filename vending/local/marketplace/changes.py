"""Private Marketplace change types: the checks StartChangeSet makes at once, and what each
change does when its change set applies (aws-facts 5.3 and 5.4).

At StartChangeSet (an error answers the call): 1-20 changes (model), a known change type on its
entity type, never the same change type twice on one entity, a DetailsDocument of the right shape,
at most 50 unique product ids per Allow/Deny change (422 ValidationException), and no change on
an entity another running change set holds (423 ResourceInUseException).

When the change set applies, changes run in order on a copy of the entities; the first failure
fails the whole set (nothing is kept) with the change's ErrorDetailList: ENTITY_NOT_FOUND (an
unknown experience, or no procurement policy / branding yet), ENTITY_ALREADY_EXISTS (a second
policy or branding; a principal already directly in another experience), CALLER_NOT_AUTHORIZED
(a principal outside the organization), ENTITY_IN_USE (a principal another running change set
associates or disassociates), INVALID_URL / INVALID_IMAGE (the logo), INVALID_STATE (archiving an
enabled experience, reviving one not archived; the emulator's code, not confirmed from AWS).
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import urlsplit

from moto.organizations.models import OrganizationsBackend

from vending.local.marketplace.state import (
    PREFIXES,
    RUNNING,
    Store,
    entity_id,
    entity_type,
    in_use,
    new_id,
    now,
    validation,
)

MAX_PRODUCT_IDS = 50
ON_EXPERIENCE = ("CreateProcurementPolicy", "CreateBrandingSettings", "UpdateBrandingSettings", "UpdateExperience",
                 "UpdateProcurementPolicy", "AllowProductProcurement", "DenyProductProcurement", "AssociateAudience",
                 "DisassociateAudience", "RestrictExperience", "ReviveExperience")
CHANGE_TYPES = ("CreateExperience",) + ON_EXPERIENCE
_THEME = re.compile(r"^#[0-9A-Fa-f]{6}$")
_PRINCIPAL = re.compile(r"^([0-9]{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|o-[a-z0-9]{10,32})$")


class ChangeFailed(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def check_start(changes: list[dict[str, Any]], state: Store) -> list[str]:
    """Raise the synchronous errors; return the ids of the entities the set will lock."""
    seen: set[tuple[str, str]] = set()
    locked: list[str] = []
    for index, change in enumerate(changes):
        kind, entity = change["ChangeType"], change["Entity"]
        etype = entity_type(entity["Type"])
        if kind not in CHANGE_TYPES:
            raise validation(f"Change type {kind} is not supported for entity type {entity['Type']}.")
        if etype != "Experience":
            raise validation(f"Change type {kind} must target an Experience entity, not {entity['Type']}.")
        identifier = entity.get("Identifier")
        if kind == "CreateExperience" and identifier:
            raise validation("CreateExperience creates an entity: omit Entity.Identifier.")
        if kind != "CreateExperience" and not identifier:
            raise validation(f"{kind} needs Entity.Identifier (the experience's id).")
        if "Details" in change and "DetailsDocument" in change:
            raise validation("Give either Details or DetailsDocument, not both.")
        key = (kind, entity_id(identifier) if identifier else f"new:{index}")
        if key in seen:
            raise validation(f"The change set has change type {kind} twice for entity {identifier}; a change "
                             "type can target an entity once per change set.")
        seen.add(key)
        _check_details(kind, _details(change))
        if identifier:
            held = _holder(state, entity_id(identifier))
            if held:
                raise in_use(f"Entity {entity_id(identifier)} is in use by change set {held}, which is "
                             f"{state['change_sets'][held]['Status']}; try again when it completes.")
            locked.append(entity_id(identifier))
    return sorted(set(locked))


def _details(change: dict[str, Any]) -> dict[str, Any]:
    if "DetailsDocument" in change:
        details = change["DetailsDocument"]
    else:
        try:
            details = json.loads(change.get("Details", "{}"))
        except ValueError:
            raise validation("Details is not valid JSON.") from None
    if not isinstance(details, dict):
        raise validation("The change's details must be a JSON object.")
    return details


def _check_details(kind: str, details: dict[str, Any]) -> None:
    if kind in ("CreateExperience", "CreateProcurementPolicy", "CreateBrandingSettings") and not details.get("Name"):
        raise validation(f"{kind} needs Name in its details.")
    if kind == "UpdateExperience" and details.get("Status") not in ("Enabled", "Disabled"):
        raise validation("UpdateExperience Status must be Enabled or Disabled.")
    if kind == "UpdateProcurementPolicy":
        value = (details.get("Configuration") or {}).get("PolicyResourceRequests")
        if value not in ("Allow", "Deny"):
            raise validation("UpdateProcurementPolicy Configuration.PolicyResourceRequests must be Allow or Deny.")
    if kind in ("AllowProductProcurement", "DenyProductProcurement"):
        products = details.get("Products")
        if not isinstance(products, list) or not products:
            raise validation(f"{kind} needs Products: [{{Ids: [...], Notes}}].")
        ids = [i for p in products if isinstance(p, dict) for i in p.get("Ids", ())]
        if not ids or len(ids) > MAX_PRODUCT_IDS:
            raise validation(f"{kind} takes 1 to {MAX_PRODUCT_IDS} product ids; got {len(ids)}.")
        if len(set(ids)) != len(ids):
            raise validation(f"{kind} lists a product id more than once.")
    if kind in ("AssociateAudience", "DisassociateAudience"):
        principals = details.get("Principals")
        if not isinstance(principals, list) or not principals:
            raise validation(f"{kind} needs Principals.")
        bad = [p for p in principals if not isinstance(p, str) or not _PRINCIPAL.match(p)]
        if bad:
            raise validation(f"Principal {bad[0]} is not an account id, an OU id or an organization id.")


def _holder(state: Store, identifier: str) -> str | None:
    return next((cs["Id"] for cs in state["change_sets"].values()
                 if cs["Status"] in RUNNING and identifier in cs["Locks"]), None)


def apply(state: Store, change_set: dict[str, Any], org: OrganizationsBackend | None, owner: str) -> bool:
    """Apply every change or none; record each change's errors. True if all applied."""
    entities = copy.deepcopy(state["entities"])
    created: str | None = None
    for change in change_set["ChangeSet"]:
        identifier = change["Entity"].get("Identifier")
        target = entity_id(identifier) if identifier else created
        try:
            result = _apply(entities, change["ChangeType"], target, _details(change), org, owner,
                            _busy_principals(state, change_set["Id"]))
        except ChangeFailed as failed:
            change["ErrorDetailList"] = [{"ErrorCode": failed.code, "ErrorMessage": failed.message}]
            return False
        if change["ChangeType"] == "CreateExperience":
            created = result
            change["Entity"]["Identifier"] = result
    state["entities"] = entities
    return True


def _busy_principals(state: Store, own: str) -> set[str]:
    busy: set[str] = set()
    for cs in state["change_sets"].values():
        if cs["Id"] != own and cs["Status"] in RUNNING:
            for change in cs["ChangeSet"]:
                if change["ChangeType"] in ("AssociateAudience", "DisassociateAudience"):
                    busy |= set(_details(change).get("Principals", ()))
    return busy


def _entity(entities: dict[str, Any], kind: str, name: str, experience: str | None, details: dict[str, Any]) -> str:
    identifier = new_id(PREFIXES[kind])
    entities[identifier] = {"Id": identifier, "Type": kind, "Revision": 1, "Name": name, "LastModified": now(),
                            "ExperienceId": experience, "Details": details}
    return identifier


def _child(entities: dict[str, Any], kind: str, experience: str) -> dict[str, Any] | None:
    return next((e for e in entities.values() if e["Type"] == kind and e["ExperienceId"] == experience), None)


def _touch(entity: dict[str, Any]) -> None:
    entity["Revision"] += 1
    entity["LastModified"] = now()


def _apply(entities: dict[str, Any], kind: str, target: str | None, details: dict[str, Any],
           org: OrganizationsBackend | None, owner: str, busy: set[str]) -> str | None:
    if kind == "CreateExperience":
        return _entity(entities, "Experience", details["Name"], None, {"Name": details["Name"], "Status": "Disabled"})
    experience = entities.get(target or "")
    if experience is None or experience["Type"] != "Experience":
        raise ChangeFailed("ENTITY_NOT_FOUND", f"Experience {target} does not exist.")
    exp_id = experience["Id"]
    policy = _child(entities, "ProcurementPolicy", exp_id)
    if kind == "CreateProcurementPolicy":
        if policy is not None:
            raise ChangeFailed("ENTITY_ALREADY_EXISTS", f"Experience {exp_id} already has procurement policy {policy['Id']}.")
        _entity(entities, "ProcurementPolicy", details["Name"], exp_id, {
            "Name": details["Name"], "Configuration": {"PolicyResourceRequests": "Allow"}, "AllowedProducts": [],
            "DeniedProducts": []})
    elif kind in ("UpdateProcurementPolicy", "AllowProductProcurement", "DenyProductProcurement"):
        if policy is None:
            raise ChangeFailed("ENTITY_NOT_FOUND", f"Experience {exp_id} has no procurement policy; create one first.")
        _policy_change(policy, kind, details)
        _touch(policy)
    elif kind in ("CreateBrandingSettings", "UpdateBrandingSettings"):
        _branding(entities, kind, exp_id, details)
    elif kind in ("AssociateAudience", "DisassociateAudience"):
        _audience(entities, kind, exp_id, details, org, owner, busy)
    else:
        _status(experience, kind, details)
    _touch(experience)
    return exp_id


def _policy_change(policy: dict[str, Any], kind: str, details: dict[str, Any]) -> None:
    body = policy["Details"]
    if kind == "UpdateProcurementPolicy":
        body["Configuration"]["PolicyResourceRequests"] = details["Configuration"]["PolicyResourceRequests"]
        return
    into, other = ("AllowedProducts", "DeniedProducts") if kind == "AllowProductProcurement" else (
        "DeniedProducts", "AllowedProducts")
    for group in details["Products"]:
        for product_id in group.get("Ids", ()):
            body[other] = [p for p in body[other] if p["Id"] != product_id]
            body[into] = [p for p in body[into] if p["Id"] != product_id]
            entry = {"Id": product_id}
            if group.get("Notes"):
                entry["Notes"] = group["Notes"]
            body[into].append(entry)


def _branding(entities: dict[str, Any], kind: str, exp_id: str, details: dict[str, Any]) -> None:
    configuration = dict(details.get("Configuration") or {})
    logo = configuration.get("LogoUrl")
    if logo:
        parts = urlsplit(logo)
        if parts.scheme != "https" or not parts.netloc:
            raise ChangeFailed("INVALID_URL", f"LogoUrl {logo} is not an https URL.")
        if not parts.path.lower().endswith((".png", ".svg")):
            raise ChangeFailed("INVALID_IMAGE", f"The logo at {logo} is not a .png or .svg image.")
    if configuration.get("ThemeColor") and not _THEME.match(configuration["ThemeColor"]):
        raise ChangeFailed("INVALID_INPUT", f"ThemeColor {configuration['ThemeColor']} is not a #rrggbb colour.")
    existing = _child(entities, "BrandingSettings", exp_id)
    if kind == "CreateBrandingSettings":
        if existing is not None:
            raise ChangeFailed("ENTITY_ALREADY_EXISTS", f"Experience {exp_id} already has branding {existing['Id']}.")
        _entity(entities, "BrandingSettings", details["Name"], exp_id, {
            "Name": details["Name"], "Description": details.get("Description", ""), "Configuration": configuration})
        return
    if existing is None:
        raise ChangeFailed("ENTITY_NOT_FOUND", f"Experience {exp_id} has no branding settings; create them first.")
    for key in ("Name", "Description"):
        if key in details:
            existing["Details"][key] = details[key]
    existing["Details"]["Configuration"].update(configuration)
    _touch(existing)


def _audience(entities: dict[str, Any], kind: str, exp_id: str, details: dict[str, Any],
              org: OrganizationsBackend | None, owner: str, busy: set[str]) -> None:
    principals = list(details["Principals"])
    for principal in principals:
        if principal in busy:
            raise ChangeFailed("ENTITY_IN_USE", f"Principal {principal} is being changed by another change set.")
        if not _in_organization(principal, org, owner):
            raise ChangeFailed("CALLER_NOT_AUTHORIZED", f"Principal {principal} is not in the caller's organization.")
    audience = _child(entities, "Audience", exp_id)
    if kind == "DisassociateAudience":
        listed = set(audience["Details"]["Principals"]) if audience else set()
        missing = [p for p in principals if p not in listed]
        if missing:
            raise ChangeFailed("ENTITY_NOT_FOUND", f"Principal {missing[0]} is not associated with experience {exp_id}.")
        audience["Details"]["Principals"] = [p for p in audience["Details"]["Principals"] if p not in principals]
        _touch(audience)
        return
    for principal in principals:
        other = next((e for e in entities.values() if e["Type"] == "Audience" and e["ExperienceId"] != exp_id
                      and principal in e["Details"]["Principals"]), None)
        if other is not None:
            raise ChangeFailed("ENTITY_ALREADY_EXISTS", f"Principal {principal} is already associated with experience "
                               f"{other['ExperienceId']}; disassociate it first.")
    if audience is None:
        name = details.get("Name") or f"{exp_id}-audience"
        _entity(entities, "Audience", name, exp_id, {"Name": name, "Description": details.get("Description", ""),
                                                     "Principals": []})
        audience = _child(entities, "Audience", exp_id)
        assert audience is not None
    else:
        _touch(audience)
    body = audience["Details"]
    body["Principals"] += [p for p in principals if p not in body["Principals"]]
    for key in ("Name", "Description"):
        if details.get(key):
            body[key] = details[key]


def _in_organization(principal: str, org: OrganizationsBackend | None, owner: str) -> bool:
    if org is None or org.org is None:
        return principal == owner
    if principal.startswith("o-"):
        return principal == org.org.id
    if principal.startswith("ou-"):
        return any(ou.id == principal for ou in org.ou)
    return any(a.id == principal for a in org.accounts)


def _status(experience: dict[str, Any], kind: str, details: dict[str, Any]) -> None:
    status = experience["Details"]["Status"]
    if kind == "UpdateExperience":
        if status == "Archived":
            raise ChangeFailed("INVALID_STATE", f"Experience {experience['Id']} is archived; revive it first.")
        experience["Details"]["Status"] = details["Status"]
    elif kind == "RestrictExperience":
        if status != "Disabled":
            raise ChangeFailed("INVALID_STATE", f"Experience {experience['Id']} is {status}; disable it before "
                               "archiving it.")
        experience["Details"]["Status"] = "Archived"
    else:
        if status != "Archived":
            raise ChangeFailed("INVALID_STATE", f"Experience {experience['Id']} is not archived.")
        experience["Details"]["Status"] = "Disabled"
