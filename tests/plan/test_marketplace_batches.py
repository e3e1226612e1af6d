"""Private Marketplace changes grouped into change sets the way AWS takes them."""
from __future__ import annotations

from vending.plan.marketplace_batches import MarketplaceChange, change_sets


def _ids(n: int, start: int = 0) -> list[str]:
    return [f"prod-{i:013d}" for i in range(start, start + n)]


def test_phases_order_experience_policy_products_and_disassociate_before_associate() -> None:
    changes = [
        MarketplaceChange("AssociateAudience", "eng", {"Principals": ["ou-ab12-cdef5678"]}),
        MarketplaceChange("AllowProductProcurement", "eng", {"Products": [{"Ids": _ids(1)}]}),
        MarketplaceChange("DisassociateAudience", "old", {"Principals": ["ou-ab12-cdef5678"]}),
        MarketplaceChange("CreateProcurementPolicy", "eng", {"Name": "eng"}),
        MarketplaceChange("CreateExperience", "eng", {"Name": "Engineering"}),
        MarketplaceChange("UpdateExperience", "old", {"Status": "Disabled"}),
        MarketplaceChange("RestrictExperience", "old"),
    ]
    sets = change_sets(changes, "fp")
    assert [[c.change_type for c in s.changes] for s in sets] == [
        ["CreateExperience"], ["CreateProcurementPolicy"], ["AllowProductProcurement", "DisassociateAudience"],
        ["AssociateAudience", "UpdateExperience"], ["RestrictExperience"]]
    assert [s.name for s in sets] == [f"vend phase {i} set 1" for i in range(1, 6)]


def test_more_than_50_ids_split_into_changes_in_separate_sets_and_20_changes_a_set() -> None:
    big = MarketplaceChange("AllowProductProcurement", "eng", {"Products": [{"Ids": _ids(120), "Notes": "n"}]})
    many = [MarketplaceChange("AllowProductProcurement", f"exp{i}", {"Products": [{"Ids": _ids(1)}]}) for i in range(25)]
    sets = change_sets([big, *many], "fp")
    assert [len(s.changes) for s in sets] == [20, 7, 1]  # 3 pieces of eng + 25 others
    for s in sets:
        keys = [(c.change_type, c.experience) for c in s.changes]
        assert len(keys) == len(set(keys))
    chunks = [c.details["Products"][0] for s in sets for c in s.changes if c.experience == "eng"]
    assert [len(p["Ids"]) for p in chunks] == [50, 50, 20] and all(p["Notes"] == "n" for p in chunks)
    assert sum((p["Ids"] for p in chunks), []) == _ids(120)


def test_tokens_are_stable_for_one_plan_and_differ_for_another() -> None:
    changes = [MarketplaceChange("CreateExperience", "eng", {"Name": "Engineering"})]
    first, again, other = change_sets(changes, "fp-1"), change_sets(changes, "fp-1"), change_sets(changes, "fp-2")
    assert first[0].token == again[0].token != other[0].token
    assert first[0].token.startswith("vend-") and len(first[0].token) <= 64


def test_groups_of_ids_with_their_notes_are_packed_50_ids_a_change() -> None:
    a = [f"prod-a{i:012d}" for i in range(30)]
    b = [f"prod-b{i:012d}" for i in range(30)]
    allow = MarketplaceChange("AllowProductProcurement", "eng", {"Products": [{"Ids": a, "Notes": "A"},
                                                                              {"Ids": b, "Notes": "B"}]})
    first, second = change_sets([allow], "fp")
    assert [c.details for c in first.changes] == [{"Products": [{"Ids": a, "Notes": "A"},
                                                                {"Ids": b[:20], "Notes": "B"}]}]
    assert [c.details for c in second.changes] == [{"Products": [{"Ids": b[20:], "Notes": "B"}]}]
