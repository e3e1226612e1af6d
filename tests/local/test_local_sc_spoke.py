"""The spoke side of the Service Catalog emulator (servicecatalog/access.py, enduser.py, rules.py):
an end user in an account a portfolio is shared with, acting through STS AssumeRole credentials.

Sources: SC-API ListAcceptedPortfolioShares, AcceptPortfolioShare, SearchProducts,
DescribeProduct, ListLaunchPaths, DescribeProvisioningParameters, ProvisionProduct,
UpdateProvisionedProduct; aws-facts 3.1 (what a share carries: IAM_PATTERN principals with
SharePrincipals on organization node shares only, never IAM ARNs), 3.3 (deprecated: updates only;
inactive: invisible), the admin guide's template constraint rules.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.local.catalog_support import as_role

TEMPLATE = """
Parameters:
  StorageClass:
    Type: String
    Default: STANDARD
    AllowedValues: [STANDARD, GLACIER, INTELLIGENT_TIERING]
Resources:
  Bucket: {Type: "AWS::S3::Bucket", Properties: {Tags: [{Key: c, Value: !Ref StorageClass}]}}
"""
RULES = {"Rules": {"AllowedStorageClass": {"Assertions": [{
    "Assert": {"Fn::Contains": [["STANDARD"], {"Ref": "StorageClass"}]},
    "AssertDescription": "StorageClass must be one of: STANDARD"}]}}}
BUILDER = "builders/app-builder"


@pytest.fixture
def hub(local, org, root_id, make_ou, wait_created) -> dict[str, Any]:
    """A portfolio with one product (two versions, the template in S3) and a template constraint,
    an OU `Dev` with a member account, and a second member outside it."""
    dev_ou = make_ou(root_id, "Dev")
    ids = {}
    for name in ("dev", "other"):
        request = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["Id"]
        ids[name] = wait_created(request)["AccountId"]
    org.move_account(AccountId=ids["dev"], SourceParentId=root_id, DestinationParentId=dev_ou)
    s3 = local.session().client("s3")
    s3.create_bucket(Bucket="hub-templates")
    s3.put_object(Bucket="hub-templates", Key="s3/v1.yaml", Body=TEMPLATE.encode())
    url = "https://hub-templates.s3.us-east-1.amazonaws.com/s3/v1.yaml"
    sc = local.session().client("servicecatalog")
    sc.enable_aws_organizations_access()
    folio = sc.create_portfolio(DisplayName="Dev builders", ProviderName="Platform")["PortfolioDetail"]["Id"]
    made = sc.create_product(Name="S3 bucket", Owner="Platform", ProductType="CLOUD_FORMATION_TEMPLATE",
                             ProvisioningArtifactParameters={"Name": "v1", "Info": {"LoadTemplateFromURL": url}})
    product = made["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    v1 = made["ProvisioningArtifactDetail"]["Id"]
    v2 = sc.create_provisioning_artifact(ProductId=product, IdempotencyToken="v2", Parameters={
        "Name": "v2", "Info": {"LoadTemplateFromURL": url}})["ProvisioningArtifactDetail"]["Id"]
    sc.associate_product_with_portfolio(ProductId=product, PortfolioId=folio)
    sc.associate_principal_with_portfolio(PortfolioId=folio, PrincipalType="IAM_PATTERN",
                                          PrincipalARN="arn:aws:iam:::role/builders/*")
    sc.create_constraint(PortfolioId=folio, ProductId=product, Type="TEMPLATE", IdempotencyToken="t",
                         Parameters=json.dumps(RULES), Description="Dev buckets are Standard.")
    sc.create_constraint(PortfolioId=folio, ProductId=product, Type="LAUNCH", IdempotencyToken="l",
                         Parameters=json.dumps({"LocalRoleName": "SCLaunchRole"}))
    tag = sc.create_tag_option(Key="environment", Value="development")["TagOptionDetail"]["Id"]
    sc.associate_tag_option_with_resource(ResourceId=folio, TagOptionId=tag)
    return {"sc": sc, "ou": dev_ou, "portfolio": folio, "product": product, "v1": v1, "v2": v2, "tag": tag, **ids}


def share_ou(hub: dict[str, Any], **flags: bool) -> None:
    token = hub["sc"].create_portfolio_share(PortfolioId=hub["portfolio"], OrganizationNode={
        "Type": "ORGANIZATIONAL_UNIT", "Value": hub["ou"]}, **flags)["PortfolioShareToken"]
    while hub["sc"].describe_portfolio_share_status(PortfolioShareToken=token)["Status"] != "COMPLETED":
        pass


def provision(client: Any, hub: dict[str, Any], name: str, storage: str | None = None, **extra: Any) -> Any:
    params = [{"Key": "StorageClass", "Value": storage}] if storage else []
    return client.provision_product(ProductId=hub["product"], ProvisioningArtifactId=extra.pop("version", hub["v2"]),
                                    ProvisionedProductName=name, ProvisioningParameters=params, **extra)


def test_an_ou_share_reaches_the_accounts_below_it_once_completed(local, hub):
    """AWS_ORGANIZATIONS shares are in effect without an import, for accounts under the node only,
    and only once DescribePortfolioShareStatus says COMPLETED."""
    builder = as_role(local, hub["dev"], BUILDER)
    token = hub["sc"].create_portfolio_share(PortfolioId=hub["portfolio"], OrganizationNode={
        "Type": "ORGANIZATIONAL_UNIT", "Value": hub["ou"]}, SharePrincipals=True)["PortfolioShareToken"]
    assert builder.list_accepted_portfolio_shares(PortfolioShareType="AWS_ORGANIZATIONS")["PortfolioDetails"] == []
    while hub["sc"].describe_portfolio_share_status(PortfolioShareToken=token)["Status"] != "COMPLETED":
        pass
    shared = builder.list_accepted_portfolio_shares(PortfolioShareType="AWS_ORGANIZATIONS")["PortfolioDetails"]
    assert [(p["Id"], p["DisplayName"]) for p in shared] == [(hub["portfolio"], "Dev builders")]
    assert builder.list_accepted_portfolio_shares()["PortfolioDetails"] == []  # IMPORTED: none
    outsider = as_role(local, hub["other"], BUILDER)
    assert outsider.list_accepted_portfolio_shares(PortfolioShareType="AWS_ORGANIZATIONS")["PortfolioDetails"] == []


def test_a_builder_finds_the_product_its_path_and_constraints(local, hub):
    share_ou(hub, SharePrincipals=True, ShareTagOptions=True)
    builder = as_role(local, hub["dev"], BUILDER)
    found = builder.search_products()["ProductViewSummaries"]
    assert [(p["ProductId"], p["Name"]) for p in found] == [(hub["product"], "S3 bucket")]
    described = builder.describe_product(Id=hub["product"])
    assert [a["Name"] for a in described["ProvisioningArtifacts"]] == ["v1", "v2"]
    paths = builder.list_launch_paths(ProductId=hub["product"])["LaunchPathSummaries"]
    assert [p["Name"] for p in paths] == ["Dev builders"]
    assert sorted((c["Type"], c.get("Description")) for c in paths[0]["ConstraintSummaries"]) == [
        ("LAUNCH", None), ("TEMPLATE", "Dev buckets are Standard.")]
    params = builder.describe_provisioning_parameters(ProductId=hub["product"], ProvisioningArtifactId=hub["v2"],
                                                      PathId=paths[0]["Id"])
    [storage] = params["ProvisioningArtifactParameters"]
    assert (storage["ParameterKey"], storage["DefaultValue"]) == ("StorageClass", "STANDARD")
    assert storage["ParameterConstraints"]["AllowedValues"] == ["STANDARD", "GLACIER", "INTELLIGENT_TIERING"]
    assert params["TagOptions"] == [{"Key": "environment", "Values": ["development"]}]
    usage = {u["Type"]: u["Value"] for u in params["UsageInstructions"]}
    assert json.loads(usage["rules"]) == RULES["Rules"]
    assert usage["launchAsRole"] == f"arn:aws:iam::{hub['dev']}:role/SCLaunchRole"


def test_the_template_constraint_is_enforced_at_launch(local, hub, aws_error):
    share_ou(hub, SharePrincipals=True)
    builder = as_role(local, hub["dev"], BUILDER)
    error = aws_error("InvalidParametersException", lambda: provision(builder, hub, "cold", "GLACIER"))
    assert error["Error"]["Message"] == "StorageClass must be one of: STANDARD"
    error = aws_error("InvalidParametersException", lambda: provision(builder, hub, "odd", "REDUCED"))
    assert error["Error"]["Message"] == "Parameter 'StorageClass' must be one of AllowedValues"
    record = provision(builder, hub, "mine", "STANDARD")["RecordDetail"]
    assert provision(builder, hub, "defaulted")["RecordDetail"]["Status"] == "CREATED"  # the default: STANDARD
    for _ in range(3):
        status = builder.describe_record(Id=record["RecordId"])["RecordDetail"]["Status"]
    assert status == "SUCCEEDED"
    mine = builder.search_provisioned_products()["ProvisionedProducts"]
    assert sorted(p["Name"] for p in mine) == ["defaulted", "mine"]
    assert hub["sc"].search_provisioned_products()["ProvisionedProducts"] == []  # in the spoke, not the hub


def test_principal_sharing_on_an_ou_share_and_what_does_not_travel(local, hub, aws_error):
    """Without SharePrincipals no hub principal reaches the spoke; with it, IAM_PATTERN ones do,
    for roles that match; an IAM ARN principal never travels."""
    hub["sc"].associate_principal_with_portfolio(PortfolioId=hub["portfolio"], PrincipalType="IAM",
                                                 PrincipalARN=f"arn:aws:iam::{hub['dev']}:role/Named")
    share_ou(hub)
    builder = as_role(local, hub["dev"], BUILDER)
    assert builder.search_products()["ProductViewSummaries"] == []
    aws_error("ResourceNotFoundException", lambda: provision(builder, hub, "a"))
    hub["sc"].update_portfolio_share(PortfolioId=hub["portfolio"], SharePrincipals=True,
                                     OrganizationNode={"Type": "ORGANIZATIONAL_UNIT", "Value": hub["ou"]})
    assert provision(builder, hub, "a")["RecordDetail"]["Status"] == "CREATED"
    named = as_role(local, hub["dev"], "Named")
    error = aws_error("ResourceNotFoundException", lambda: provision(named, hub, "b"))
    assert error["Error"]["Message"] == f"No launch paths found for resource: {hub['product']}"
    assert as_role(local, hub["dev"], "deployers/ci").search_products()["ProductViewSummaries"] == []


def test_an_account_share_is_imported_and_needs_the_recipients_own_principals(local, hub, aws_error):
    """aws-facts 3.1: an account-to-account share must be accepted (IMPORTED); SharePrincipals
    does not apply to it, so the recipient associates its own principals."""
    hub["sc"].create_portfolio_share(PortfolioId=hub["portfolio"], AccountId=hub["other"], SharePrincipals=True)
    admin = as_role(local, hub["other"], "OrganizationAccountAccessRole")
    builder = as_role(local, hub["other"], BUILDER)
    assert admin.list_accepted_portfolio_shares()["PortfolioDetails"] == []
    admin.accept_portfolio_share(PortfolioId=hub["portfolio"])
    assert [p["Id"] for p in admin.list_accepted_portfolio_shares()["PortfolioDetails"]] == [hub["portfolio"]]
    shares = hub["sc"].describe_portfolio_shares(PortfolioId=hub["portfolio"], Type="ACCOUNT")["PortfolioShareDetails"]
    assert [(s["PrincipalId"], s["Accepted"], s["SharePrincipals"]) for s in shares] == [(hub["other"], True, False)]
    aws_error("ResourceNotFoundException", lambda: provision(builder, hub, "x"))
    admin.associate_principal_with_portfolio(PortfolioId=hub["portfolio"], PrincipalType="IAM",
                                             PrincipalARN=f"arn:aws:iam::{hub['other']}:role/{BUILDER}")
    assert provision(builder, hub, "x")["RecordDetail"]["Status"] == "CREATED"
    hub_principals = hub["sc"].list_principals_for_portfolio(PortfolioId=hub["portfolio"])["Principals"]
    assert [p["PrincipalType"] for p in hub_principals] == ["IAM_PATTERN"]  # the recipient's stay with it


def test_deprecated_versions_update_but_do_not_launch_and_inactive_ones_are_hidden(local, hub, aws_error):
    share_ou(hub, SharePrincipals=True)
    builder = as_role(local, hub["dev"], BUILDER)
    record = provision(builder, hub, "old", version=hub["v1"])["RecordDetail"]
    for _ in range(3):
        builder.describe_record(Id=record["RecordId"])
    hub["sc"].update_provisioning_artifact(ProductId=hub["product"], ProvisioningArtifactId=hub["v1"],
                                           Guidance="DEPRECATED")
    error = aws_error("InvalidParametersException", lambda: provision(builder, hub, "new", version=hub["v1"]))
    assert "deprecated" in error["Error"]["Message"]
    updated = builder.update_provisioned_product(ProvisionedProductName="old", ProvisioningArtifactId=hub["v1"],
                                                 ProvisioningParameters=[{"Key": "StorageClass", "Value": "STANDARD"}])
    assert updated["RecordDetail"]["RecordType"] == "UPDATE_PROVISIONED_PRODUCT"
    for _ in range(3):
        builder.describe_record(Id=updated["RecordDetail"]["RecordId"])
    refused = aws_error("InvalidParametersException", builder.update_provisioned_product, ProvisionedProductName="old",
                        UpdateToken="u2", ProvisioningParameters=[{"Key": "StorageClass", "Value": "GLACIER"}])
    assert refused["Error"]["Message"] == "StorageClass must be one of: STANDARD"  # constraints hold on update
    hub["sc"].update_provisioning_artifact(ProductId=hub["product"], ProvisioningArtifactId=hub["v1"], Active=False)
    assert [a["Name"] for a in builder.describe_product(Id=hub["product"])["ProvisioningArtifacts"]] == ["v2"]
    aws_error("ResourceNotFoundException", lambda: provision(builder, hub, "hidden", version=hub["v1"]))
    aws_error("ResourceNotFoundException", builder.describe_provisioning_parameters, ProductId=hub["product"],
              ProvisioningArtifactId=hub["v1"])


def test_tag_options_reach_the_spoke_only_when_shared_and_active(local, hub):
    share_ou(hub, SharePrincipals=True)
    builder = as_role(local, hub["dev"], BUILDER)
    params = dict(ProductId=hub["product"], ProvisioningArtifactId=hub["v2"])
    assert builder.describe_provisioning_parameters(**params)["TagOptions"] == []
    hub["sc"].update_portfolio_share(PortfolioId=hub["portfolio"], ShareTagOptions=True,
                                     OrganizationNode={"Type": "ORGANIZATIONAL_UNIT", "Value": hub["ou"]})
    assert builder.describe_provisioning_parameters(**params)["TagOptions"] == [
        {"Key": "environment", "Values": ["development"]}]
    hub["sc"].update_tag_option(Id=hub["tag"], Active=False)
    assert builder.describe_provisioning_parameters(**params)["TagOptions"] == []
    resources = hub["sc"].list_resources_for_tag_option(TagOptionId=hub["tag"])["ResourceDetails"]
    assert [r["Id"] for r in resources] == [hub["portfolio"]]  # deactivation keeps the association


def test_an_in_process_caller_names_the_role_it_acts_as(local, hub):
    """Another emulator (a stack set's execution role) calls the provisioning handler directly:
    Call.principal_arn is matched like a signed request's role."""
    from vending.local.modeled import Call
    from vending.local.servicecatalog.enduser import search_products

    share_ou(hub, SharePrincipals=True)
    emulator = local.emulator("servicecatalog")

    def names(role: str | None) -> list[str]:
        call = Call("SearchProducts", {}, hub["dev"], "us-east-1", emulator, emulator.ctx.settings,
                    principal_arn=role)
        return [p["Name"] for p in search_products(call)["ProductViewSummaries"]]
    assert names(f"arn:aws:iam::{hub['dev']}:role/builders/stackset-exec") == ["S3 bucket"]
    assert names(f"arn:aws:iam::{hub['dev']}:role/other") == []
    assert names(None) == []  # the spoke's root is no principal of a shared portfolio
