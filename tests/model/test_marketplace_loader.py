"""catalog/marketplace/ and catalog/licenses/ as the loader reads them: typed specs of the example,
and the layout findings (a repository without them reads no marketplace at all)."""
from __future__ import annotations

from pathlib import Path

from tests.model.repo import MakeRepo, codes
from vending.model.loader import load
from vending.model.marketplace_types import AllowedProduct, Branding, LicenseGrantSpec, Member

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_example_experiences_and_grant_load_into_typed_specs() -> None:
    spec = load(REPO_ROOT).marketplace
    assert spec is not None
    assert sorted(spec.experiences) == ["default", "engineering"]
    engineering = spec.experiences["engineering"]
    assert (engineering.file, engineering.display_name, engineering.status, engineering.default) == (
        "catalog/marketplace/engineering.yaml", "Engineering", "enabled", False)
    assert engineering.branding == Branding(
        title="Engineering marketplace",
        information="Ask the platform team (platform@example.com) for a product that is not here.",
        theme_color="#0e7f74", logo_url="https://assets.example.com/engineering-logo.png")
    assert engineering.user_requests == "allow"
    assert engineering.products[0] == AllowedProduct("prod-4ryx5o7yffoqo",
                                                     "Observability agent, approved by security in 2026-03.", 0)
    assert engineering.audience == (Member("ou", "Workloads/Dev", 0), Member("ou", "Workloads/Test", 1),
                                    Member("account", "data-lake-prod", 2))
    default = spec.experiences["default"]
    assert (default.default, default.products, default.branding, default.audience) == (True, (), None, ())
    assert default.members() == (Member("organization", "", -1),)
    assert spec.licenses == {"observability-agent": LicenseGrantSpec(
        name="observability-agent", file="catalog/licenses/observability-agent.yaml",
        product_sku="8a7cbcf2-obs-agent-enterprise", principals=(Member("ou", "Workloads/Prod", 0),),
        allowed_operations=("CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "ListPurchasedLicenses"),
        activation_override="distributed-grants-only")}


def test_a_repository_without_the_folders_declares_no_marketplace(make_repo: MakeRepo) -> None:
    root = make_repo({"catalog/tagoptions.yaml": "tag_options:\n  team: [{value: a}]\n"})
    assert load(root).marketplace is None


def test_a_license_by_arn_and_experience_defaults(make_repo: MakeRepo) -> None:
    arn = "arn:aws:license-manager::294406891311:license:l-" + "0a" * 16
    root = make_repo({
        "catalog/licenses/ide.yaml": f"license: {{arn: '{arn}'}}\nprincipals: [{{organization: true}}]\n"
                                     "allowed_operations: [CheckoutLicense]\n",
        "catalog/marketplace/open.yaml": "name: Open\nproducts: []\naudience: [{account: '123456789012'}]\n",
    })
    spec = load(root).marketplace
    assert spec is not None
    grant = spec.licenses["ide"]
    assert (grant.license_arn, grant.product_sku, grant.principals, grant.activation_override) == (
        arn, "", (Member("organization", "", 0),), None)
    open_ = spec.experiences["open"]
    assert (open_.status, open_.user_requests, open_.default, open_.audience) == (
        "enabled", "allow", False, (Member("account", "123456789012", 0),))


def test_strays_and_folders_named_like_files_are_reported(make_repo: MakeRepo) -> None:
    root = make_repo({
        "catalog/marketplace/notes.txt": "x\n",
        "catalog/marketplace/team.yaml/x": "x\n",
        "catalog/licenses/a.yml": "x\n",
        "catalog/marketplace/bad.yaml": "name: Bad\nproducts: []\ncolour: red\n",
    })
    assert codes(root) == {("catalog/marketplace/notes.txt", 1, "V021"), ("catalog/marketplace/team.yaml", 1, "V025"),
                           ("catalog/licenses/a.yml", 1, "V021"), ("catalog/marketplace/bad.yaml", 3, "V010")}
