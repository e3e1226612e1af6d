"""catalog/ as the loader reads it: typed specs of the example, compiled constraints, layout findings."""
from __future__ import annotations

from pathlib import Path

from tests.model.repo import MakeRepo, codes
from vending.model.catalog import template_rules
from vending.model.catalog_types import CatalogHub, Constraint, Enforced, Principal, Share, TagOption
from vending.model.loader import load

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_example_catalog_loads_into_typed_specs() -> None:
    org = load(REPO_ROOT)
    catalog = org.catalog
    assert catalog is not None
    assert org.settings.catalog == CatalogHub(template_bucket="vend-catalog-templates")
    library = catalog.tag_options
    assert library is not None and library.source.file == "catalog/tagoptions.yaml"
    assert library.values("environment") == ("development", "test", "production")
    assert library.options[("data-classification", "legacy")] == TagOption("data-classification", "legacy", False, 3, 16)
    assert sorted(catalog.products) == ["dynamodb-table", "s3-bucket", "security-alarms", "sqs-queue"]
    s3 = catalog.products["s3-bucket"]
    assert (s3.display_name, s3.owner, s3.distributor) == ("S3 bucket", "Platform team", "Cloud Center of Excellence")
    assert s3.support_email == "platform@example.com"
    assert [(v.name, v.guidance, v.active, v.template_file) for v in s3.versions] == [
        ("v1", "deprecated", True, "catalog/products/s3-bucket/v1.yaml"),
        ("v2", "default", True, "catalog/products/s3-bucket/v2.yaml")]
    assert "NoncurrentDays" in s3.versions[1].template
    assert s3.tag_options == (("data-classification", "internal"), ("data-classification", "confidential"))
    assert catalog.products["dynamodb-table"].versions[0].name == "1.0"

    dev = catalog.portfolios["dev-builders"]
    assert (dev.distribution, dev.products, dev.share_tag_options, dev.share_principals) == (
        "available", ("s3-bucket", "sqs-queue"), True, True)
    assert dev.shares == (Share("ou", "Workloads/Dev", 0),)
    assert dev.principals == (Principal("IAM_PATTERN", "arn:aws:iam:::role/builders/*", 0),)
    assert dev.tag_options == (("environment", "development"), ("cost-center", "1001"))
    launch, template, update = dev.constraints["s3-bucket"]
    assert launch == Constraint("LAUNCH", {"LocalRoleName": "SCLaunchRole"}, "", 0)
    assert template.type == "TEMPLATE" and template.allowed == {"StorageClass": ("STANDARD",)}
    assert template.description == "Dev buckets use the Standard storage class."
    assert update.parameters == {"Version": "2.0", "Properties": {"TagUpdateOnProvisionedProduct": "ALLOWED"}}
    test = catalog.portfolios["test-builders"]
    assert test.constraints["s3-bucket"][1].allowed == {"StorageClass": ("STANDARD", "INTELLIGENT_TIERING")}
    enforced = catalog.portfolios["security-alarms"]
    assert enforced.distribution == "enforced" and enforced.products == ()
    assert enforced.enforced == Enforced("security-alarms", "v2", (("Security",), ("Infrastructure",)),
                                         {"AlarmEmail": "security-alarms@example.com"}, True)


def test_allowed_values_compile_into_aws_template_constraint_rules() -> None:
    assert template_rules({"Size": ("small", "medium"), "Class": ("STANDARD",)}) == {"Rules": {
        "AllowedClass": {"Assertions": [{"Assert": {"Fn::Contains": [["STANDARD"], {"Ref": "Class"}]},
                                         "AssertDescription": "Class must be one of: STANDARD"}]},
        "AllowedSize": {"Assertions": [{"Assert": {"Fn::Contains": [["small", "medium"], {"Ref": "Size"}]},
                                        "AssertDescription": "Size must be one of: small, medium"}]},
    }}


def test_a_repository_without_catalog_has_no_catalog(make_repo: MakeRepo) -> None:
    org = load(make_repo())
    assert org.catalog is None and org.settings.catalog is None


def test_files_catalog_does_not_read_are_reported(make_repo: MakeRepo) -> None:
    root = make_repo({
        "catalog/notes.txt": "hello\n", "catalog/products/notes.txt": "x\n",
        "catalog/portfolios/old.yml": "x\n", "catalog/products/web/template.yaml": "Resources: {}\n",
    })
    found = codes(root)
    assert ("catalog/notes.txt", 1, "V021") in found
    assert ("catalog/products/notes.txt", 1, "V021") in found
    assert ("catalog/portfolios/old.yml", 1, "V021") in found
    assert ("catalog/products/web/product.yaml", 1, "V821") in found
