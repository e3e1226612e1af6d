"""Service Catalog constraints in the local emulator (vending/local/servicecatalog/constraints.py).
Sources: SC-API CreateConstraint (Parameters per type, one LAUNCH, LAUNCH not with STACKSET),
UpdateConstraint, ListConstraintsForPortfolio, ListLaunchPaths; aws-facts 3.4."""
from __future__ import annotations

import json
import re

import pytest

URL = "https://b.s3.us-east-1.amazonaws.com/t.yaml"


@pytest.fixture
def pair(local):
    catalog = local.session().client("servicecatalog")
    product_id = catalog.create_product(
        Name="P", Owner="O", ProductType="CLOUD_FORMATION_TEMPLATE", IdempotencyToken="p",
        ProvisioningArtifactParameters={"Name": "v1", "Info": {"LoadTemplateFromURL": URL}},
    )["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    portfolio_id = catalog.create_portfolio(DisplayName="D", ProviderName="P", IdempotencyToken="q")["PortfolioDetail"]["Id"]
    return catalog, portfolio_id, product_id


def create(catalog, portfolio_id, product_id, kind, parameters, token):
    return catalog.create_constraint(**args(portfolio_id, product_id, kind, parameters, token))


def args(portfolio_id, product_id, kind, parameters, token):
    return {"PortfolioId": portfolio_id, "ProductId": product_id, "Type": kind,
            "Parameters": json.dumps(parameters), "IdempotencyToken": token}


def test_a_constraint_needs_the_product_in_the_portfolio_and_valid_parameters(pair, aws_error):
    catalog, portfolio_id, product_id = pair
    aws_error("ResourceNotFoundException", catalog.create_constraint, **args(portfolio_id, product_id, "LAUNCH", {"LocalRoleName": "R"}, "a"))
    catalog.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
    bad = [("LAUNCH", {"LocalRoleName": "R", "RoleArn": "arn:aws:iam::111111111111:role/R"}),
           ("LAUNCH", {}), ("NOTIFICATION", {"NotificationArns": ["not-an-arn"]}),
           ("RESOURCE_UPDATE", {"Version": "2.0", "Properties": {"TagUpdateOnProvisionedProduct": "MAYBE"}}),
           ("TEMPLATE", {"Rules": {}}), ("TEMPLATE", {"Rules": {"R": {"Assertions": [{"AssertDescription": "x"}]}}}),
           ("STACKSET", {"Version": "String", "Properties": {"AccountList": []}})]
    for i, (kind, parameters) in enumerate(bad):
        aws_error("InvalidParametersException", catalog.create_constraint, **args(portfolio_id, product_id, kind, parameters, f"b{i}"))
    aws_error("InvalidParametersException", catalog.create_constraint, PortfolioId=portfolio_id, ProductId=product_id,
              Type="LAUNCH", Parameters="{not json", IdempotencyToken="c")


def test_one_launch_constraint_no_stackset_beside_it_and_tokens_replay(pair, aws_error):
    catalog, portfolio_id, product_id = pair
    catalog.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
    first = create(catalog, portfolio_id, product_id, "LAUNCH", {"LocalRoleName": "R"}, "t")
    assert re.fullmatch(r"cons-[a-z0-9]{13}", first["ConstraintDetail"]["ConstraintId"])
    again = create(catalog, portfolio_id, product_id, "LAUNCH", {"LocalRoleName": "R"}, "t")
    assert again["ConstraintDetail"] == first["ConstraintDetail"]
    aws_error("DuplicateResourceException", catalog.create_constraint, **args(portfolio_id, product_id, "LAUNCH", {"LocalRoleName": "S"}, "u"))
    stackset = {"Version": "2.0", "Properties": {"AccountList": ["111111111111"], "RegionList": ["us-east-1"],
                                                 "AdminRole": "a", "ExecutionRole": "e"}}
    aws_error("InvalidParametersException", catalog.create_constraint, **args(portfolio_id, product_id, "STACKSET", stackset, "v"))
    rules = {"Rules": {"R": {"Assertions": [{"Assert": {"Fn::Contains": [["A"], {"Ref": "P"}]}}]}}}
    template = create(catalog, portfolio_id, product_id, "TEMPLATE", rules, "w")["ConstraintDetail"]
    updated = catalog.update_constraint(Id=template["ConstraintId"], Description="only A",
                                        Parameters=json.dumps(rules))
    assert updated["ConstraintDetail"]["Description"] == "only A"
    aws_error("InvalidParametersException", catalog.update_constraint, Id=template["ConstraintId"],
              Parameters=json.dumps({"Rules": {}}))
    listed = catalog.list_constraints_for_portfolio(PortfolioId=portfolio_id)["ConstraintDetails"]
    assert sorted(c["Type"] for c in listed) == ["LAUNCH", "TEMPLATE"]
    catalog.associate_principal_with_portfolio(PortfolioId=portfolio_id, PrincipalARN="arn:aws:iam:::role/b/*",
                                               PrincipalType="IAM_PATTERN")
    [path] = catalog.list_launch_paths(ProductId=product_id)["LaunchPathSummaries"]
    assert sorted(s["Type"] for s in path["ConstraintSummaries"]) == ["LAUNCH", "TEMPLATE"]
    aws_error("ResourceInUseException", catalog.disassociate_product_from_portfolio, ProductId=product_id,
              PortfolioId=portfolio_id)
    for c in listed:
        catalog.delete_constraint(Id=c["ConstraintId"])
    catalog.disassociate_product_from_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
