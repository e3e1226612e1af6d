"""vend.yaml rules: Regions that exist and belong together, and settings for the other account
engine (V403-V406), the StackSets delegated administrator (V407)."""
from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from vending.errors import Diagnostic
from vending.model import regions
from vending.model.codes import finding, quote
from vending.model.types import OrgSettings

if TYPE_CHECKING:
    from vending.model.rules import Loaded

CONTROL_TOWER = "control-tower"


def check(loaded: Loaded) -> list[Diagnostic]:
    settings = loaded.settings
    if settings is None:
        return []
    return _home_governed(loaded, settings) + _unknown_regions(loaded, settings) + _partitions(loaded, settings) \
        + _engine(loaded, settings) + _stacksets_admin(loaded, settings)


def _home_governed(loaded: Loaded, s: OrgSettings) -> list[Diagnostic]:
    """V403: Control Tower and StackSets run in the home Region, so vend must govern it."""
    if not s.home_region or not s.governed_regions or s.home_region in s.governed_regions:
        return []
    return [finding(
        "V403", s.source.file, loaded.line(s.source.file, "home_region"), "home_region",
        f"{s.home_region} is not among governed_regions ({', '.join(s.governed_regions)})",
        f"add {s.home_region} to governed_regions, or pick a governed Region as home_region",
    )]


def _unknown_regions(loaded: Loaded, s: OrgSettings) -> list[Diagnostic]:
    """V404: a Region AWS does not have is refused only later, by Control Tower or StackSets."""
    known = regions.partition_of()
    file, found = s.source.file, []
    named = [("home_region", (), s.home_region)] if s.home_region else []
    named += [(f"governed_regions[{i}]", (i,), r) for i, r in enumerate(s.governed_regions)]
    for field, index, region in named:
        if not isinstance(region, str) or region in known:
            continue
        found.append(finding(
            "V404", file, loaded.line(file, field.split("[")[0], *index), field,
            f"{quote(region)} is not an AWS Region ({regions.source()} lists {len(known)})",
            f"{_guess(region, known)}a Region newer than that list needs a newer vend",
        ))
    return found


def _guess(region: str, known: dict[str, str]) -> str:
    """The Regions that differ only in their number ("eu-west-7": eu-west-1, -2, -3), else the
    closest name."""
    if region.lower() in known:
        return f"write it in lower case, {region.lower()}; "
    stem = region.rstrip("0123456789")
    same = [r for r in sorted(known) if r.rstrip("0123456789") == stem]
    if same:
        return f"{stem[:-1]} has {', '.join(same)}; "
    close = difflib.get_close_matches(region, sorted(known), n=1)
    return f"did you mean {close[0]}? " if close else "use a Region code such as eu-west-1; "


def _partitions(loaded: Loaded, s: OrgSettings) -> list[Diagnostic]:
    """V405: an organization lives in one partition (aws, aws-cn, aws-us-gov, ...)."""
    known = regions.partition_of()
    named = ([s.home_region] if s.home_region else []) + list(s.governed_regions)
    first = next((r for r in named if r in known), None)
    if first is None:
        return []
    file, found = s.source.file, []
    for index, region in enumerate(s.governed_regions):
        if region in known and known[region] != known[first]:
            found.append(finding(
                "V405", file, loaded.line(file, "governed_regions", index), f"governed_regions[{index}]",
                f"{region} is in partition {known[region]}, {first} in {known[first]}",
                "an organization lives in one partition: govern Regions of that partition only",
            ))
    return found


def _engine(loaded: Loaded, s: OrgSettings) -> list[Diagnostic]:
    """V406: a control_tower block does nothing for the organizations engine; an error, like
    controls on an OU (V206), because a setting that is silently ignored is a mistake waiting."""
    file = s.source.file
    lines = loaded.lines.get(file)
    if s.account_factory == CONTROL_TOWER or lines is None or ("control_tower",) not in lines:
        return []
    return [finding(
        "V406", file, loaded.line(file, "control_tower"), "control_tower",
        f"control_tower settings are used only with account_factory: {CONTROL_TOWER} "
        f"(this organization uses {s.account_factory})",
        f"remove the control_tower block, or set account_factory: {CONTROL_TOWER}",
    )]


def _stacksets_admin(loaded: Loaded, s: OrgSettings) -> list[Diagnostic]:
    """V407: CallAs DELEGATED_ADMIN must come from the delegated administrator account itself,
    so the role vend assumes for StackSets has to live in that account."""
    admin = s.stacksets
    if admin is None:
        return []
    role_account = admin.role_arn.split(":")[4] if admin.role_arn.count(":") >= 5 else ""
    if role_account == admin.delegated_admin or not _account_id(role_account) or not _account_id(admin.delegated_admin):
        return []  # malformed ids are the schema's findings (V013)
    file = s.source.file
    return [finding(
        "V407", file, loaded.line(file, "stacksets", "role_arn"), "stacksets.role_arn",
        f"{admin.role_arn} is a role in account {role_account}, not in the delegated"
        f" administrator {admin.delegated_admin}",
        "name a role in the delegated administrator account (StackSets calls with CallAs"
        " DELEGATED_ADMIN must be made from it), or fix stacksets.delegated_admin",
    )]


def _account_id(text: str) -> bool:
    return len(text) == 12 and text.isdigit()
