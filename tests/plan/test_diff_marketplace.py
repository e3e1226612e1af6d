"""The Private Marketplace plan, pure: status transitions in AWS's order, products by notes and
out-of-band allows, a principal taken from an experience no file names, a new OU's association
waiting for it, and tokens that change with any edit of the experience."""
from __future__ import annotations

from dataclasses import replace

from tests.plan.builders import account, desired, live, ou
from vending.model.live import LiveAccount
from vending.model.live_marketplace import LiveAudience, LiveExperience, LiveMarketplace, LiveProcurementPolicy
from vending.model.marketplace_types import AllowedProduct, ExperienceSpec, MarketplaceSpec, Member
from vending.plan.build import build_plan

APP = "222222222222"


def _spec(*experiences: ExperienceSpec, ous=("Apps",)):
    org = desired(ous=[ou(p) for p in ous], accounts=[account("app", "Apps")])
    files = frozenset(e.file for e in experiences)
    return replace(org, marketplace=MarketplaceSpec(experiences={e.name: e for e in experiences},
                                                     experience_files=files))


def _experience(name: str = "eng", **fields) -> ExperienceSpec:
    fields.setdefault("display_name", "Engineering")
    return ExperienceSpec(name=name, file=f"catalog/marketplace/{name}.yaml", **fields)


def _live(*experiences: LiveExperience):
    org = live(ous=[("ou-ab12-apps0001", "Apps", {})],
               accounts=[LiveAccount(APP, "app", "aws+app@example.com", "ACTIVE", "ou-ab12-apps0001")])
    return replace(org, marketplace=LiveMarketplace(experiences=experiences, trusted_access=True, service_role=True))


def _existing(status: str = "Enabled", allowed=(), principals=(), exp_id="exp-aaaaaaaaaaaaa", name="Engineering"):
    return LiveExperience(
        exp_id, f"{exp_id}@4", name, status,
        policy=LiveProcurementPolicy("procpolicy-aaaaaaaaaaaaa", "procpolicy-aaaaaaaaaaaaa@2", name, "Allow", allowed),
        audience=LiveAudience("audience-aaaaaaaaaaaaa", "audience-aaaaaaaaaaaaa@1", name, "", principals))


def _marketplace(plan):
    return [c for c in plan.changes if c.kind.value.startswith("marketplace")]


def _changes(plan):
    return {c.address: c for c in _marketplace(plan)}


def test_an_enabled_experience_archived_is_disabled_then_restricted_in_one_change() -> None:
    plan = build_plan(_spec(_experience(status="archived")), _live(_existing()))
    [change] = _marketplace(plan)
    assert change.address == "marketplace_status:eng"
    assert change.after["change_requests"] == [["UpdateExperience", {"Status": "Disabled"}],
                                               ["RestrictExperience", {}]]
    assert not change.destructive  # ReviveExperience undoes it


def test_products_are_allowed_by_their_notes_and_one_allowed_in_the_console_is_denied() -> None:
    spec = _experience(products=(AllowedProduct("prod-aaaaaaaaaaaaa", "kept", 0),
                                 AllowedProduct("prod-bbbbbbbbbbbbb", "new notes", 1),
                                 AllowedProduct("prod-ccccccccccccc", "new notes", 2)))
    found = _existing(allowed=(("prod-aaaaaaaaaaaaa", "kept"), ("prod-bbbbbbbbbbbbb", "old notes"),
                               ("prod-zzzzzzzzzzzzz", "")))
    [change] = _marketplace(build_plan(_spec(spec), _live(found)))
    assert change.address == "marketplace_products:eng"
    assert change.after["change_requests"] == [
        ["AllowProductProcurement", {"Products": [{"Ids": ["prod-bbbbbbbbbbbbb", "prod-ccccccccccccc"],
                                                   "Notes": "new notes"}]}],
        ["DenyProductProcurement", {"Products": [{"Ids": ["prod-zzzzzzzzzzzzz"]}]}]]


def test_a_principal_of_an_experience_no_file_names_is_taken_from_it_first() -> None:
    spec = _experience(audience=(Member("account", "app", 0),))
    console = _existing(exp_id="exp-ccccccccccccc", name="Console made", principals=(APP,))
    plan = build_plan(_spec(spec), _live(_existing(), console))
    changes = _changes(plan)
    release = changes["marketplace_audience:exp-ccccccccccccc/disassociate"]
    assert release.before["principals"] == ["account:app"]
    assert release.reason == "a file gives them another experience"
    associate = changes["marketplace_audience:eng/associate"]
    assert associate.depends_on == ("marketplace_audience:exp-ccccccccccccc/disassociate",)
    assert associate.after["change_requests"][0][1]["Principals"] == [APP]
    assert [n.message for n in plan.notes if n.kind == "unmanaged"] == [
        "Private Marketplace experience 'Console made' (exp-ccccccccccccc, Enabled) is not in catalog/marketplace/;"
        " vend leaves it"]


def test_an_ou_this_apply_makes_is_associated_once_it_exists() -> None:
    spec = _experience(audience=(Member("ou", "Apps/New", 0),))
    associate = _changes(build_plan(_spec(spec, ous=("Apps", "Apps/New")), _live(_existing())))[
        "marketplace_audience:eng/associate"]
    assert associate.after["change_requests"][0][1]["Principals"] == ["ou:Apps/New"]
    assert "ou:Apps/New" in associate.depends_on


def test_a_new_experience_is_one_chain_after_its_prerequisites() -> None:
    spec = _experience(audience=(Member("organization", "", 0),))
    org = replace(_live(), marketplace=LiveMarketplace())
    plan = build_plan(_spec(spec), org)
    chain = [(c.address, c.depends_on) for c in _marketplace(plan)]
    assert chain == [
        ("marketplace_access", ()), ("marketplace_service_role", ("marketplace_access",)),
        ("marketplace_experience:eng", ("marketplace_access", "marketplace_service_role")),
        ("marketplace_policy:eng", ("marketplace_experience:eng",)),
        ("marketplace_audience:eng/associate", ("marketplace_policy:eng",)),  # products: []: nothing to allow
        ("marketplace_status:eng", ("marketplace_audience:eng/associate",))]


def test_the_tokens_seed_changes_with_any_edit_of_the_experience() -> None:
    spec = _experience(user_requests="deny")
    before = _marketplace(build_plan(_spec(spec), _live(_existing())))[0].after["client_request_token"]
    edited = replace(_existing(), revision="exp-aaaaaaaaaaaaa@5")
    after = _marketplace(build_plan(_spec(spec), _live(edited)))[0].after["client_request_token"]
    assert before != after and before.startswith("mp-")


def test_an_archived_experience_wanted_back_is_revived_before_its_other_parts_change() -> None:
    spec = _experience(user_requests="deny")
    changes = _marketplace(build_plan(_spec(spec), _live(_existing(status="Archived"))))
    assert [(c.address, c.after["change_requests"], c.depends_on) for c in changes] == [
        ("marketplace_status:eng/revive", [["ReviveExperience", {}]], ()),
        ("marketplace_policy:eng", [["UpdateProcurementPolicy", {"Configuration": {"PolicyResourceRequests": "Deny"}}]],
         ("marketplace_status:eng/revive",)),
        ("marketplace_status:eng", [["UpdateExperience", {"Status": "Enabled"}]], ("marketplace_policy:eng",))]
