"""AWS::ServiceCatalog::CloudFormationProvisionedProduct in a SERVICE_MANAGED stack instance:
launched through the Service Catalog emulator in the member as the StackSets execution role,
and refused as AWS refuses it (aws-facts 14b): no share reaching the account, or no IAM_PATTERN
principal for the role, is "No launch paths found for resource"; a deprecated version cannot be
launched; an UpdateStackSet with another version updates the provisioned product, and deleting
the instances terminates it."""
from __future__ import annotations

import json
from typing import Any

from tests.local.stacksets_support import (  # noqa: F401 (fixtures)
    AUTO,
    REGION,
    cfn,
    instances,
    member_client,
    settle,
    tree,
)

PATTERN = "arn:aws:iam:::role/stacksets-exec-*"


def _template(version: str) -> str:
    return json.dumps({"Resources": {"Alarms": {
        "Type": "AWS::ServiceCatalog::CloudFormationProvisionedProduct",
        "Properties": {"ProductName": "Alarms", "ProvisioningArtifactName": version,
                       "ProvisionedProductName": "vend-alarms",
                       "ProvisioningParameters": [{"Key": "Email", "Value": "a@example.com"}]}}}})


def _hub(local: Any, org: Any, ou: str, *, share: bool = True, principal: str | None = PATTERN) -> Any:
    sc = local.session().client("servicecatalog", region_name=REGION)
    product = sc.create_product(Name="Alarms", Owner="Security", ProductType="CLOUD_FORMATION_TEMPLATE",
                                IdempotencyToken="p1", ProvisioningArtifactParameters={
                                    "Name": "v1", "Info": {"LoadTemplateFromURL": "https://b.s3.amazonaws.com/t"},
                                    "Type": "CLOUD_FORMATION_TEMPLATE"})["ProductViewDetail"]["ProductViewSummary"]
    folio = sc.create_portfolio(DisplayName="Alarms", ProviderName="Security", IdempotencyToken="f1")
    folio_id = folio["PortfolioDetail"]["Id"]
    sc.associate_product_with_portfolio(ProductId=product["ProductId"], PortfolioId=folio_id)
    if principal:
        sc.associate_principal_with_portfolio(PortfolioId=folio_id, PrincipalARN=principal, PrincipalType="IAM_PATTERN")
    if share:
        sc.enable_aws_organizations_access()
        token = sc.create_portfolio_share(PortfolioId=folio_id, SharePrincipals=True, OrganizationNode={
            "Type": "ORGANIZATIONAL_UNIT", "Value": ou})["PortfolioShareToken"]
        for _ in range(5):
            if sc.describe_portfolio_share_status(PortfolioShareToken=token)["Status"] == "COMPLETED":
                break
    return sc, product["ProductId"]


def _deploy(cfn: Any, ou: str, version: str = "v1") -> dict[str, Any]:
    cfn.create_stack_set(StackSetName="alarms", TemplateBody=_template(version), PermissionModel="SERVICE_MANAGED",
                         AutoDeployment=AUTO)
    started = cfn.create_stack_instances(StackSetName="alarms", Regions=[REGION],
                                         DeploymentTargets={"OrganizationalUnitIds": [ou]})
    settle(cfn, "alarms", started["OperationId"])
    return instances(cfn, "alarms")


def _provisioned(account_id: str) -> list[tuple[str, str, str]]:
    found = member_client("servicecatalog", account_id).search_provisioned_products()["ProvisionedProducts"]
    return [(p["Name"], p["Status"], p["ProvisioningArtifactId"]) for p in found]


def test_each_account_of_the_shared_ou_gets_the_product_and_an_update_moves_it(
        local: Any, org: Any, cfn: Any, tree: dict[str, str]) -> None:
    sc, product = _hub(local, org, tree["prod"])
    v1 = sc.list_provisioning_artifacts(ProductId=product)["ProvisioningArtifactDetails"][0]["Id"]
    found = _deploy(cfn, tree["prod"])
    assert {a: i["Status"] for a, i in found.items()} == {tree["p1"]: "CURRENT", tree["pay1"]: "CURRENT"}
    assert _provisioned(tree["p1"]) == [("vend-alarms", "AVAILABLE", v1)]
    assert _provisioned(tree["w1"]) == []  # Workloads itself is not shared
    v2 = sc.create_provisioning_artifact(ProductId=product, IdempotencyToken="a2", Parameters={
        "Name": "v2", "Info": {"LoadTemplateFromURL": "https://b.s3.amazonaws.com/t2"},
        "Type": "CLOUD_FORMATION_TEMPLATE"})["ProvisioningArtifactDetail"]["Id"]
    updated = cfn.update_stack_set(StackSetName="alarms", TemplateBody=_template("v2"))
    assert settle(cfn, "alarms", updated["OperationId"])["Status"] == "SUCCEEDED"
    assert _provisioned(tree["pay1"]) == [("vend-alarms", "AVAILABLE", v2)]
    removed = cfn.delete_stack_instances(StackSetName="alarms", Regions=[REGION], RetainStacks=False,
                                         DeploymentTargets={"OrganizationalUnitIds": [tree["prod"]]})
    assert settle(cfn, "alarms", removed["OperationId"])["Status"] == "SUCCEEDED"
    assert _provisioned(tree["p1"]) == _provisioned(tree["pay1"]) == []  # terminated with the stack


def test_refused_without_a_share_or_a_principal_for_the_execution_role(
        local: Any, org: Any, cfn: Any, tree: dict[str, str]) -> None:
    _hub(local, org, tree["prod"], principal="arn:aws:iam:::role/builders/*")
    found = _deploy(cfn, tree["prod"])
    reasons = {i["StatusReason"] for i in found.values()}
    assert reasons == {"ResourceLogicalId:Alarms, ResourceType:AWS::ServiceCatalog::CloudFormationProvisionedProduct,"
                       " ResourceStatusReason:No launch paths found for resource: Alarms"}
    assert _provisioned(tree["p1"]) == []


def test_refused_in_an_account_the_share_does_not_reach(local: Any, org: Any, cfn: Any, tree: dict[str, str]) -> None:
    _hub(local, org, tree["payments"])
    found = _deploy(cfn, tree["prod"])
    assert found[tree["pay1"]]["Status"] == "CURRENT"
    assert "No launch paths found for resource: Alarms" in found[tree["p1"]]["StatusReason"]


def test_a_deprecated_version_is_not_launched(local: Any, org: Any, cfn: Any, tree: dict[str, str]) -> None:
    sc, product = _hub(local, org, tree["prod"])
    v1 = sc.list_provisioning_artifacts(ProductId=product)["ProvisioningArtifactDetails"][0]["Id"]
    sc.update_provisioning_artifact(ProductId=product, ProvisioningArtifactId=v1, Guidance="DEPRECATED")
    found = _deploy(cfn, tree["prod"])
    assert f"Provisioning artifact {v1} cannot be used to launch a new provisioned product." in \
        found[tree["p1"]]["StatusReason"]
