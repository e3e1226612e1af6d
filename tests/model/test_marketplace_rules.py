"""The V10xx rules' exact words on the cases the bad corpus only locates."""
from __future__ import annotations

from tests.model.repo import MakeRepo, only
from vending.model.loader import load, validate

LICENSE = "license: {product_sku: ide-pro}\nprincipals:\n  - ou: Apps\n  - account: app\nallowed_operations: [CheckoutLicense]\n"


def test_a_grant_with_two_principals_is_a_warning_that_says_vend_splits_it(make_repo: MakeRepo) -> None:
    root = make_repo({"catalog/licenses/ide.yaml": LICENSE})
    warning = only(root, "V1009")
    assert warning.severity == "warning"
    assert warning.format().splitlines()[0] == (
        "catalog/licenses/ide.yaml:2: V1009 principals: warning: 2 principals, and a License Manager grant has "
        "exactly one: vend creates 2 grants, one per principal")
    assert len(load(root).marketplace.licenses["ide"].principals) == 2  # a warning does not stop the load


def test_an_ou_in_two_experiences_names_the_other_file(make_repo: MakeRepo) -> None:
    root = make_repo({
        "catalog/marketplace/a.yaml": "name: A\nproducts: []\naudience: [{ou: Apps}]\n",
        "catalog/marketplace/b.yaml": "name: B\nproducts: []\naudience: [{ou: /Apps}]\n",
    })
    found = only(root, "V1003")
    assert (found.file, found.field, found.message) == (
        "catalog/marketplace/b.yaml", "audience[0].ou",
        "ou Apps is already in the audience of catalog/marketplace/a.yaml (audience[0])")


def test_a_theme_colour_aws_refuses_is_one_finding_not_also_the_schemas(make_repo: MakeRepo) -> None:
    root = make_repo({"catalog/marketplace/a.yaml": "name: A\nproducts: []\nbranding: {theme_color: '#0e7f7'}\n"})
    found = only(root, "V1006")
    assert found.message == '"#0e7f7" is not a colour AWS Marketplace takes'
    assert [d.code for d in validate(root)] == ["V1006"]
