"""Service Catalog TagOptions in the local emulator (vending/local/servicecatalog/tagoptions.py).

Sources: SC-API CreateTagOption, UpdateTagOption, DescribeTagOption, ListTagOptions (botocore
`servicecatalog/2015-12-10`); aws-facts 3.5 and 3.7. moto has none of them (moto-coverage 2).
"""
from __future__ import annotations

import re

import pytest

from vending.local import LocalAws


@pytest.fixture
def catalog(local):
    return local.session().client("servicecatalog")


def test_create_describe_and_ids(catalog, aws_error):
    detail = catalog.create_tag_option(Key="environment", Value="development")["TagOptionDetail"]
    assert re.fullmatch(r"tag-[a-z0-9]{13}", detail["Id"])
    assert {k: detail[k] for k in ("Key", "Value", "Active", "Owner")} == {
        "Key": "environment", "Value": "development", "Active": True, "Owner": "123456789012"}
    assert catalog.describe_tag_option(Id=detail["Id"])["TagOptionDetail"] == detail
    aws_error("ResourceNotFoundException", catalog.describe_tag_option, Id="tag-aaaaaaaaaaaaa")


def test_a_pair_exists_once(catalog, aws_error):
    catalog.create_tag_option(Key="environment", Value="test")
    aws_error("DuplicateResourceException", catalog.create_tag_option, Key="environment", Value="test")
    other = catalog.create_tag_option(Key="environment", Value="prod")["TagOptionDetail"]
    aws_error("DuplicateResourceException", catalog.update_tag_option, Id=other["Id"], Value="test")


def test_update_deactivates_and_renames(catalog, aws_error):
    tag_id = catalog.create_tag_option(Key="tier", Value="gold")["TagOptionDetail"]["Id"]
    assert catalog.update_tag_option(Id=tag_id, Active=False)["TagOptionDetail"]["Active"] is False
    detail = catalog.update_tag_option(Id=tag_id, Value="platinum")["TagOptionDetail"]
    assert (detail["Value"], detail["Active"]) == ("platinum", False)
    aws_error("ResourceNotFoundException", catalog.update_tag_option, Id="tag-aaaaaaaaaaaaa", Active=True)


def test_list_pages_with_page_token_and_filters(catalog):
    for i in range(25):
        catalog.create_tag_option(Key="k", Value=f"v{i:02d}")
    catalog.create_tag_option(Key="other", Value="x")
    first = catalog.list_tag_options(PageSize=20)
    assert len(first["TagOptionDetails"]) == 20 and first["PageToken"]
    rest = catalog.list_tag_options(PageSize=20, PageToken=first["PageToken"])
    assert len(rest["TagOptionDetails"]) == 6 and "PageToken" not in rest
    pages = catalog.get_paginator("list_tag_options").paginate(Filters={"Key": "k"}, PaginationConfig={"PageSize": 7})
    assert sorted(t["Value"] for p in pages for t in p["TagOptionDetails"]) == [f"v{i:02d}" for i in range(25)]
    off = catalog.list_tag_options(Filters={"Active": False})["TagOptionDetails"]
    assert off == []


def test_values_per_key_are_limited(catalog, aws_error):
    for i in range(25):
        catalog.create_tag_option(Key="k", Value=f"v{i}")
    aws_error("LimitExceededException", catalog.create_tag_option, Key="k", Value="v25")


def test_tag_options_persist_between_processes(tmp_path):
    with LocalAws(tmp_path) as aws:
        tag_id = aws.session().client("servicecatalog").create_tag_option(Key="a", Value="b")["TagOptionDetail"]["Id"]
    with LocalAws(tmp_path) as aws:
        detail = aws.session().client("servicecatalog").describe_tag_option(Id=tag_id)["TagOptionDetail"]
    assert (detail["Key"], detail["Value"]) == ("a", "b")


def test_delete_tag_option_is_refused_while_associated(local, aws_error):
    """SC-API DeleteTagOption: ResourceInUseException while associated with a resource."""
    sc = local.session().client("servicecatalog")
    tag = sc.create_tag_option(Key="env", Value="old")["TagOptionDetail"]["Id"]
    folio = sc.create_portfolio(DisplayName="P", ProviderName="p")["PortfolioDetail"]["Id"]
    sc.associate_tag_option_with_resource(ResourceId=folio, TagOptionId=tag)
    error = aws_error("ResourceInUseException", sc.delete_tag_option, Id=tag)
    assert folio in error["Error"]["Message"]
    sc.disassociate_tag_option_from_resource(ResourceId=folio, TagOptionId=tag)
    sc.delete_tag_option(Id=tag)
    assert sc.list_tag_options()["TagOptionDetails"] == []
    aws_error("ResourceNotFoundException", sc.delete_tag_option, Id=tag)
