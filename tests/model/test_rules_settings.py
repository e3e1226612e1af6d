"""vend.yaml's Regions and the settings that belong to the other account engine."""
from __future__ import annotations

from tests.model.repo import VEND, MakeRepo, account, codes, only
from vending.model import regions
from vending.model.loader import validate

CT = VEND.replace("account_factory: organizations", "account_factory: control-tower")


def test_an_unknown_region_is_named_with_the_closest_real_one(make_repo: MakeRepo) -> None:
    root = make_repo({"vend.yaml": VEND.replace("home_region: us-east-1", "home_region: eu-west-7")
                      .replace("[us-east-1]", "[eu-west-7]")})
    assert codes(root) == {("vend.yaml", 2, "V404"), ("vend.yaml", 3, "V404")}
    home, governed = validate(root)
    assert home.format() == (
        f'vend.yaml:2: V404 home_region: "eu-west-7" is not an AWS Region ({regions.source()} lists '
        f"{len(regions.partition_of())})\n"
        "    hint: eu-west has eu-west-1, eu-west-2, eu-west-3; a Region newer than that list needs a newer vend")
    assert governed.field == "governed_regions[0]"


def test_a_misspelt_region_gets_the_closest_name(make_repo: MakeRepo) -> None:
    found = only(make_repo({"vend.yaml": VEND.replace("home_region: us-east-1", "home_region: us-east1")}), "V404")
    assert found.hint == "did you mean us-east-1? a Region newer than that list needs a newer vend"
    found = only(make_repo({"vend.yaml": VEND.replace("[us-east-1]", "[us-east-1, EU-WEST-1]")}), "V404")
    assert (found.field, found.hint) == ("governed_regions[1]", "write it in lower case, eu-west-1; a Region newer "
                                                                "than that list needs a newer vend")


def test_regions_of_every_partition_are_accepted(make_repo: MakeRepo) -> None:
    for region in ("eusc-de-east-1", "us-gov-west-1", "cn-northwest-1", "us-isob-east-1"):
        root = make_repo({"vend.yaml": VEND.replace("us-east-1", region)})
        assert codes(root) == set(), region


def test_mixed_partitions(make_repo: MakeRepo) -> None:
    root = make_repo({"vend.yaml": VEND.replace("[us-east-1]", "[us-east-1, us-gov-west-1, eu-west-1]")})
    found = only(root, "V405")
    assert (found.line, found.field, found.message) == (
        3, "governed_regions[1]", "us-gov-west-1 is in partition aws-us-gov, us-east-1 in aws")


def test_control_tower_settings_need_the_control_tower_engine(make_repo: MakeRepo) -> None:
    block = "control_tower:\n  sso_user: {first_name: Platform}\n"
    assert only(make_repo({"vend.yaml": VEND + block}), "V406").format() == (
        "vend.yaml:8: V406 control_tower: control_tower settings are used only with account_factory: control-tower "
        "(this organization uses organizations)\n"
        "    hint: remove the control_tower block, or set account_factory: control-tower")
    assert codes(make_repo({"vend.yaml": CT + block})) == set()


def test_an_accounts_sso_user_needs_the_control_tower_engine(make_repo: MakeRepo) -> None:
    web = account("web", extra="tags: {cost-center: web}\nsso_user:\n  email: web-admin@example.com\n")
    assert only(make_repo({"accounts/web.yaml": web}), "V112").format() == (
        "accounts/web.yaml:6: V112 sso_user: sso_user is used only with account_factory: control-tower "
        "(Account Factory's SSOUser* parameters)\n"
        "    hint: remove sso_user, or set account_factory: control-tower in vend.yaml")
    assert codes(make_repo({"vend.yaml": CT, "accounts/web.yaml": web})) == set()


def test_the_stacksets_role_must_be_in_the_delegated_admin_account(make_repo: MakeRepo) -> None:
    block = 'stacksets:\n  delegated_admin: "222222222222"\n  role_arn: arn:aws:iam::{}:role/VendStackSets\n'
    assert only(make_repo({"vend.yaml": VEND + block.format("333333333333")}), "V407").format() == (
        "vend.yaml:10: V407 stacksets.role_arn: arn:aws:iam::333333333333:role/VendStackSets is a role in account"
        " 333333333333, not in the delegated administrator 222222222222\n"
        "    hint: name a role in the delegated administrator account (StackSets calls with CallAs DELEGATED_ADMIN"
        " must be made from it), or fix stacksets.delegated_admin")
    assert codes(make_repo({"vend.yaml": VEND + block.format("222222222222")})) == set()
    loose = 'stacksets: {delegated_admin: "22", role_arn: arn:aws:iam::222222222222:role/X}\n'
    assert {c for _, _, c in codes(make_repo({"vend.yaml": VEND + loose}))} == {"V013"}
