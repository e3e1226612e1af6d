"""Service Catalog administration in the local emulator (vending/local/servicecatalog/admin.py):
versions updated but never re-templated, products and portfolios deleted only when free,
TagOption associations. Sources: SC-API UpdateProvisioningArtifact, CreateProvisioningArtifact,
DeleteProduct, AssociateTagOptionWithResource (botocore `servicecatalog/2015-12-10`)."""
from __future__ import annotations

import pytest

URL = "https://b.s3.us-east-1.amazonaws.com/vend/catalog/p/" + "a" * 64 + ".yaml"


@pytest.fixture
def catalog(local):
    return local.session().client("servicecatalog")


def product(catalog, token="t1"):
    return catalog.create_product(
        Name="P", Owner="O", ProductType="CLOUD_FORMATION_TEMPLATE", IdempotencyToken=token,
        ProvisioningArtifactParameters={"Name": "v1", "Info": {"LoadTemplateFromURL": URL}})


def test_versions_are_created_once_per_token_and_updated_in_place(catalog, aws_error):
    created = product(catalog)
    product_id = created["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    params = {"Name": "v2", "Info": {"LoadTemplateFromURL": URL.replace("a" * 64, "b" * 64)}}
    v2 = catalog.create_provisioning_artifact(ProductId=product_id, Parameters=params, IdempotencyToken="x")
    again = catalog.create_provisioning_artifact(ProductId=product_id, Parameters=params, IdempotencyToken="x")
    assert v2["ProvisioningArtifactDetail"]["Id"] == again["ProvisioningArtifactDetail"]["Id"]
    assert v2["Info"] == {"TemplateUrl": URL.replace("a" * 64, "b" * 64)} and v2["Status"] == "AVAILABLE"
    v1_id = created["ProvisioningArtifactDetail"]["Id"]
    updated = catalog.update_provisioning_artifact(ProductId=product_id, ProvisioningArtifactId=v1_id,
                                                   Guidance="DEPRECATED", Active=False)
    assert (updated["ProvisioningArtifactDetail"]["Guidance"], updated["ProvisioningArtifactDetail"]["Active"]) == (
        "DEPRECATED", False)
    described = catalog.describe_provisioning_artifact(ProductId=product_id, ProvisioningArtifactId=v1_id)
    assert described["Info"] == {"TemplateUrl": URL}
    assert len(catalog.list_provisioning_artifacts(ProductId=product_id)["ProvisioningArtifactDetails"]) == 2
    catalog.delete_provisioning_artifact(ProductId=product_id, ProvisioningArtifactId=v1_id)
    aws_error("ResourceInUseException", catalog.delete_provisioning_artifact, ProductId=product_id,
              ProvisioningArtifactId=v2["ProvisioningArtifactDetail"]["Id"])


def test_tag_options_associate_once_and_only_when_active(catalog, aws_error):
    product_id = product(catalog)["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    portfolio_id = catalog.create_portfolio(DisplayName="D", ProviderName="P", IdempotencyToken="p")["PortfolioDetail"]["Id"]
    tag = catalog.create_tag_option(Key="env", Value="dev")["TagOptionDetail"]
    catalog.associate_tag_option_with_resource(ResourceId=product_id, TagOptionId=tag["Id"])
    catalog.associate_tag_option_with_resource(ResourceId=portfolio_id, TagOptionId=tag["Id"])
    aws_error("DuplicateResourceException", catalog.associate_tag_option_with_resource,
              ResourceId=product_id, TagOptionId=tag["Id"])
    assert catalog.describe_product_as_admin(Id=product_id)["TagOptions"] == [tag]
    assert [t["Id"] for t in catalog.describe_portfolio(Id=portfolio_id)["TagOptions"]] == [tag["Id"]]
    resources = catalog.list_resources_for_tag_option(TagOptionId=tag["Id"])["ResourceDetails"]
    assert sorted(r["Id"] for r in resources) == sorted([product_id, portfolio_id])
    catalog.update_tag_option(Id=tag["Id"], Active=False)  # deactivating keeps associations
    assert catalog.describe_product_as_admin(Id=product_id)["TagOptions"][0]["Active"] is False
    other = catalog.create_tag_option(Key="env", Value="old")["TagOptionDetail"]
    catalog.update_tag_option(Id=other["Id"], Active=False)
    aws_error("InvalidParametersException", catalog.associate_tag_option_with_resource,
              ResourceId=product_id, TagOptionId=other["Id"])
    catalog.disassociate_tag_option_from_resource(ResourceId=product_id, TagOptionId=tag["Id"])
    assert catalog.describe_product_as_admin(Id=product_id)["TagOptions"] == []


def test_products_and_portfolios_are_updated_and_deleted_only_when_free(catalog, aws_error):
    product_id = product(catalog)["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    updated = catalog.update_product(Id=product_id, Owner="New", AddTags=[{"Key": "k", "Value": "v"}])
    assert updated["ProductViewDetail"]["ProductViewSummary"]["Owner"] == "New"
    assert updated["Tags"] == [{"Key": "k", "Value": "v"}]
    portfolio_id = catalog.create_portfolio(DisplayName="D", ProviderName="P", IdempotencyToken="p")["PortfolioDetail"]["Id"]
    assert catalog.update_portfolio(Id=portfolio_id, DisplayName="E")["PortfolioDetail"]["DisplayName"] == "E"
    catalog.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
    aws_error("ResourceInUseException", catalog.delete_product, Id=product_id)
    aws_error("ResourceInUseException", catalog.delete_portfolio, Id=portfolio_id)
    catalog.disassociate_product_from_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
    catalog.delete_product(Id=product_id)
    catalog.delete_portfolio(Id=portfolio_id)
    aws_error("ResourceNotFoundException", catalog.describe_portfolio, Id=portfolio_id)
