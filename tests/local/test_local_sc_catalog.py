"""Service Catalog administration in the local emulator (vending/local/servicecatalog/catalog.py).

Sources: the Service Catalog API reference (botocore `servicecatalog/2015-12-10`), aws-facts 3.
moto's own handlers give UUID ids, drop provisioning artifacts and answer `{}` for unknown
portfolios (moto-coverage 2); these tests pin AWS's behaviour instead.
"""
from __future__ import annotations

import re

import pytest

TEMPLATE = {"Name": "v1", "Type": "CLOUD_FORMATION_TEMPLATE",
            "Info": {"LoadTemplateFromURL": "https://example.com/template.yaml"}}


@pytest.fixture
def catalog(local):
    return local.session().client("servicecatalog")


@pytest.fixture
def portfolio(catalog):
    return catalog.create_portfolio(DisplayName="Platform", ProviderName="Cloud team")[
        "PortfolioDetail"]


@pytest.fixture
def product(catalog):
    return catalog.create_product(Name="Bucket", Owner="Cloud team",
                                  ProductType="CLOUD_FORMATION_TEMPLATE",
                                  ProvisioningArtifactParameters=TEMPLATE)


def test_portfolio_ids_arn_and_describe(catalog, portfolio, aws_error):
    """API_CreatePortfolio: `port-` + 13 lowercase alphanumerics, `arn:aws:catalog:...`;
    API_DescribePortfolio: ResourceNotFoundException for an unknown id (moto: `{}`)."""
    assert re.fullmatch(r"port-[a-z0-9]{13}", portfolio["Id"])
    assert portfolio["ARN"] == f"arn:aws:catalog:us-east-1:123456789012:portfolio/{portfolio['Id']}"
    assert catalog.describe_portfolio(Id=portfolio["Id"])["PortfolioDetail"]["DisplayName"] == \
        "Platform"
    assert [p["Id"] for p in catalog.list_portfolios()["PortfolioDetails"]] == [portfolio["Id"]]
    aws_error("ResourceNotFoundException", catalog.describe_portfolio, Id="port-aaaaaaaaaaaaa")


def test_idempotency_token_returns_the_same_portfolio(catalog):
    """SC-API: "If multiple requests differ only by the idempotency token, the same response is
    returned" - the same token makes no second portfolio."""
    first = catalog.create_portfolio(DisplayName="A", ProviderName="p", IdempotencyToken="t1")
    again = catalog.create_portfolio(DisplayName="A", ProviderName="p", IdempotencyToken="t1")
    assert first["PortfolioDetail"]["Id"] == again["PortfolioDetail"]["Id"]
    assert len(catalog.list_portfolios()["PortfolioDetails"]) == 1


def test_product_keeps_its_provisioning_artifact(catalog, product):
    """API_CreateProduct returns the first artifact (moto: `{}`), ids `prod-`/`pa-` + 13."""
    summary = product["ProductViewDetail"]["ProductViewSummary"]
    artifact = product["ProvisioningArtifactDetail"]
    assert re.fullmatch(r"prod-[a-z0-9]{13}", summary["ProductId"])
    assert re.fullmatch(r"pa-[a-z0-9]{13}", artifact["Id"])
    assert (artifact["Active"], artifact["Guidance"], artifact["Name"]) == (True, "DEFAULT", "v1")
    listed = catalog.list_provisioning_artifacts(ProductId=summary["ProductId"])
    assert [a["Id"] for a in listed["ProvisioningArtifactDetails"]] == [artifact["Id"]]
    admin = catalog.describe_product_as_admin(Id=summary["ProductId"])
    assert [a["Id"] for a in admin["ProvisioningArtifactSummaries"]] == [artifact["Id"]]


def test_product_needs_a_template(catalog, aws_error):
    aws_error("InvalidParametersException", catalog.create_product, Name="X", Owner="o",
              ProductType="CLOUD_FORMATION_TEMPLATE",
              ProvisioningArtifactParameters={"Name": "v1", "Info": {"Nope": "x"}})


def test_search_products_as_admin_by_portfolio_and_text(catalog, portfolio, product):
    """API_SearchProductsAsAdmin: PortfolioId and Filters.FullTextSearch."""
    product_id = product["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    catalog.create_product(Name="Queue", Owner="Other", ProductType="CLOUD_FORMATION_TEMPLATE",
                           ProvisioningArtifactParameters=TEMPLATE)
    catalog.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio["Id"])

    def names(**params):
        found = catalog.search_products_as_admin(**params)["ProductViewDetails"]
        return [p["ProductViewSummary"]["Name"] for p in found]

    assert names() == ["Bucket", "Queue"]
    assert names(PortfolioId=portfolio["Id"]) == ["Bucket"]
    assert names(Filters={"FullTextSearch": ["queu"]}) == ["Queue"]


def test_launch_paths_need_a_principal(catalog, portfolio, product, aws_error):
    """A product is launchable through a portfolio that has principals (aws-facts 1.1: "No
    Launch Paths Found" without portfolio access)."""
    summary = product["ProductViewDetail"]["ProductViewSummary"]
    catalog.associate_product_with_portfolio(ProductId=summary["ProductId"],
                                             PortfolioId=portfolio["Id"])
    assert catalog.list_launch_paths(ProductId=summary["ProductId"])["LaunchPathSummaries"] == []
    response = aws_error("ResourceNotFoundException", catalog.provision_product,
                         ProductId=summary["ProductId"], ProvisionedProductName="x",
                         ProvisioningArtifactId=product["ProvisioningArtifactDetail"]["Id"])
    assert "No launch paths found" in response["Error"]["Message"]
    catalog.associate_principal_with_portfolio(
        PortfolioId=portfolio["Id"], PrincipalARN="arn:aws:iam::123456789012:role/Admin",
        PrincipalType="IAM")
    paths = catalog.list_launch_paths(ProductId=summary["ProductId"])["LaunchPathSummaries"]
    assert [p["Name"] for p in paths] == ["Platform"]
    assert re.fullmatch(r"lpv2-[a-z0-9]{13}", paths[0]["Id"])
    described = catalog.describe_product(Id=summary["ProductId"])
    assert described["LaunchPaths"] == [{"Id": paths[0]["Id"], "Name": "Platform"}]


def test_principals_and_the_iam_pattern_limit(catalog, portfolio, aws_error):
    """SC-API AssociatePrincipalWithPortfolio: at most 10 IAM_PATTERN principals."""
    for n in range(10):
        catalog.associate_principal_with_portfolio(
            PortfolioId=portfolio["Id"], PrincipalARN=f"arn:aws:iam:::role/team-{n}/*",
            PrincipalType="IAM_PATTERN")
    aws_error("LimitExceededException", catalog.associate_principal_with_portfolio,
              PortfolioId=portfolio["Id"], PrincipalARN="arn:aws:iam:::role/eleven/*",
              PrincipalType="IAM_PATTERN")
    listed = catalog.list_principals_for_portfolio(PortfolioId=portfolio["Id"], PageSize=4)
    assert len(listed["Principals"]) == 4 and listed["NextPageToken"]


def test_requests_are_checked_against_the_model(catalog, aws_error):
    """AWS rejects what breaks the model's constraints with ValidationException, in these words
    (aws-ia/terraform-aws-control_tower_account_factory issue #75); botocore does not check
    patterns, the emulator does."""
    response = aws_error("ValidationException", catalog.describe_provisioned_product,
                         Name="k8s PoC 1")
    assert response["Error"]["Message"] == (
        "1 validation error detected: Value 'k8s PoC 1' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9][a-zA-Z0-9._-]*")


def test_unimplemented_operations_say_so(catalog, aws_error):
    """Operations outside today's scope are AWS's unknown-operation error (JSON protocol: HTTP
    400 UnknownOperationException), a ClientError botocore does not retry."""
    response = aws_error("UnknownOperationException", catalog.list_budgets_for_resource,
                         ResourceId="port-aaaaaaaaaaaaa")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RetryAttempts"] == 0
    assert "ListBudgetsForResource" in response["Error"]["Message"]
