"""Service Catalog provisioning in the local emulator (servicecatalog/provisioning.py, queries.py).

Sources: SC-API ProvisionProduct, DescribeRecord, DescribeProvisionedProduct,
Search/ScanProvisionedProducts, UpdateProvisionedProduct, TerminateProvisionedProduct,
GetProvisionedProductOutputs (botocore `servicecatalog/2015-12-10`); aws-facts 1.5, 3.6, 8.2.
A plain CloudFormation product here: no template runs locally, the records only go through
their states (the Account Factory, which does something, is in test_local_ct_account_factory).
"""
from __future__ import annotations

import re

import pytest


@pytest.fixture
def catalog(local):
    return local.session().client("servicecatalog")


@pytest.fixture
def launchable(catalog):
    """A product with one version in a portfolio with a principal: ids for ProvisionProduct."""
    folio = catalog.create_portfolio(DisplayName="Platform", ProviderName="p")["PortfolioDetail"]
    made = catalog.create_product(
        Name="Bucket", Owner="o", ProductType="CLOUD_FORMATION_TEMPLATE",
        ProvisioningArtifactParameters={"Name": "v1",
                                        "Info": {"LoadTemplateFromURL": "https://x/t.yaml"}})
    product_id = made["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    catalog.associate_product_with_portfolio(ProductId=product_id, PortfolioId=folio["Id"])
    catalog.associate_principal_with_portfolio(
        PortfolioId=folio["Id"], PrincipalARN="arn:aws:iam::123456789012:role/Admin",
        PrincipalType="IAM")
    return {"ProductId": product_id,
            "ProvisioningArtifactId": made["ProvisioningArtifactDetail"]["Id"]}


def _statuses(catalog, record_id, polls):
    return [catalog.describe_record(Id=record_id)["RecordDetail"]["Status"] for _ in range(polls)]


def test_record_advances_per_poll(catalog, launchable):
    """DescribeRecord: CREATED, then IN_PROGRESS, then SUCCEEDED on the 3rd read (the default
    provisioning_polls); the product is UNDER_CHANGE meanwhile, then AVAILABLE."""
    detail = catalog.provision_product(ProvisionedProductName="bucket-1", **launchable)[
        "RecordDetail"]
    assert detail["Status"] == "CREATED"
    assert re.fullmatch(r"rec-[a-z0-9]{13}", detail["RecordId"])
    assert re.fullmatch(r"pp-[a-z0-9]{13}", detail["ProvisionedProductId"])
    assert detail["RecordType"] == "PROVISION_PRODUCT"
    assert catalog.describe_provisioned_product(Id=detail["ProvisionedProductId"])[
        "ProvisionedProductDetail"]["Status"] == "UNDER_CHANGE"  # poll 1
    assert _statuses(catalog, detail["RecordId"], 3) == ["IN_PROGRESS", "SUCCEEDED", "SUCCEEDED"]
    pp = catalog.describe_provisioned_product(Name="bucket-1")["ProvisionedProductDetail"]
    assert pp["Status"] == "AVAILABLE"
    assert pp["LastSuccessfulProvisioningRecordId"] == detail["RecordId"]
    assert pp["Arn"].endswith(f":stack/bucket-1/{pp['Id']}")


def test_provision_token_is_idempotent(catalog, launchable):
    """ProvisionToken (aws-facts 8.2): the same token returns the same record; never a second
    provisioned product."""
    first = catalog.provision_product(ProvisionedProductName="b", ProvisionToken="tok-1",
                                      **launchable)["RecordDetail"]
    again = catalog.provision_product(ProvisionedProductName="b", ProvisionToken="tok-1",
                                      **launchable)["RecordDetail"]
    assert again["RecordId"] == first["RecordId"]
    assert catalog.search_provisioned_products()["TotalResultsCount"] == 1


def test_a_name_in_use_is_refused_as_aws_does(catalog, launchable, aws_error):
    """AWS answers InvalidParametersException "A stack named X already exists." (seen in
    awslabs/aws-service-catalog-puppet #236/#284), not the modelled DuplicateResourceException."""
    catalog.provision_product(ProvisionedProductName="b", **launchable)
    response = aws_error("InvalidParametersException", catalog.provision_product,
                         ProvisionedProductName="b", **launchable)
    assert response["Error"]["Message"] == "A stack named b already exists."


def test_search_by_product_id_and_scan(catalog, launchable):
    """SearchProvisionedProducts with AWS's documented Filters {"SearchQuery": ["productId:..."]}
    polls records in flight; ScanProvisionedProducts lists all."""
    catalog.provision_product(ProvisionedProductName="b1", **launchable)
    catalog.provision_product(ProvisionedProductName="b2", **launchable)
    query = {"SearchQuery": [f"productId:{launchable['ProductId']}"]}
    found = catalog.search_provisioned_products(Filters=query)
    assert sorted(p["Name"] for p in found["ProvisionedProducts"]) == ["b1", "b2"]
    assert found["ProvisionedProducts"][0]["ProductName"] == "Bucket"
    assert catalog.search_provisioned_products(
        Filters={"SearchQuery": ["productId:prod-aaaaaaaaaaaaa"]})["ProvisionedProducts"] == []
    by_name = catalog.search_provisioned_products(Filters={"SearchQuery": ["name:b2"]})
    assert [p["Name"] for p in by_name["ProvisionedProducts"]] == ["b2"]
    for _ in range(2):
        scanned = catalog.scan_provisioned_products()["ProvisionedProducts"]
    assert {p["Status"] for p in scanned} == {"AVAILABLE"}


def test_update_and_its_token(catalog, launchable, aws_error):
    """UpdateProvisionedProduct: UNDER_CHANGE products cannot be updated; UpdateToken makes the
    call idempotent."""
    pp_id = catalog.provision_product(ProvisionedProductName="b", **launchable)[
        "RecordDetail"]["ProvisionedProductId"]
    aws_error("InvalidParametersException", catalog.update_provisioned_product,
              ProvisionedProductId=pp_id)
    for _ in range(3):
        catalog.describe_provisioned_product(Id=pp_id)
    first = catalog.update_provisioned_product(ProvisionedProductId=pp_id, UpdateToken="u1")
    again = catalog.update_provisioned_product(ProvisionedProductId=pp_id, UpdateToken="u1")
    assert first["RecordDetail"]["RecordId"] == again["RecordDetail"]["RecordId"]
    assert first["RecordDetail"]["RecordType"] == "UPDATE_PROVISIONED_PRODUCT"


def test_terminate_removes_the_product(catalog, launchable, aws_error):
    """TerminateProvisionedProduct (TerminateToken): the product is gone once the record
    succeeds; its records stay readable."""
    pp_id = catalog.provision_product(ProvisionedProductName="b", **launchable)[
        "RecordDetail"]["ProvisionedProductId"]
    for _ in range(3):
        catalog.describe_provisioned_product(Id=pp_id)
    record = catalog.terminate_provisioned_product(ProvisionedProductId=pp_id,
                                                   TerminateToken="t1")["RecordDetail"]
    assert catalog.terminate_provisioned_product(
        ProvisionedProductId=pp_id, TerminateToken="t1")["RecordDetail"]["RecordId"] == \
        record["RecordId"]
    assert _statuses(catalog, record["RecordId"], 3)[-1] == "SUCCEEDED"
    aws_error("ResourceNotFoundException", catalog.describe_provisioned_product, Id=pp_id)
    catalog.provision_product(ProvisionedProductName="b", **launchable)  # the name is free


def test_failed_fault_leaves_a_new_product_in_error(local, catalog, launchable):
    """aws-facts 1.5: a failed provision leaves the product ERROR (its name still taken)."""
    local.faults.provisioning("FAILED", provisioned_product_name="b")
    detail = catalog.provision_product(ProvisionedProductName="b", **launchable)["RecordDetail"]
    statuses = _statuses(catalog, detail["RecordId"], 3)
    assert statuses[-1] == "FAILED"
    record = catalog.describe_record(Id=detail["RecordId"])["RecordDetail"]
    assert record["RecordErrors"][0]["Code"] == "InjectedFault"
    pp = catalog.describe_provisioned_product(Name="b")["ProvisionedProductDetail"]
    assert pp["Status"] == "ERROR" and pp["StatusMessage"].startswith("InjectedFault")
