"""Every AWS operation vend's code calls, by the module that calls it.

This registry is the source of `vend iam-policy`: the plan role may call what READS lists, the
apply role what READS and WRITES list, plus the apply lock's actions. Two tests keep it true:
tests/iam_policy/test_registry.py finds every boto3 operation named in each module's source and
requires it here (and nothing here that the module does not name), and
tests/iam_policy/test_observed.py plans and applies the example organization through an action
observer and requires every call it sees to be allowed. Adding a call to a reader or an applier
without adding it here fails both.
"""
from __future__ import annotations

from vending.apply.lock import IAM_ACTIONS as LOCK_ACTIONS
from vending.snapshot_store import IAM_ACTIONS as SNAPSHOT_ACTIONS

READS: dict[str, tuple[str, ...]] = {
    "vending.state.organizations": (
        "organizations:DescribePolicy", "organizations:ListAccountsForParent",
        "organizations:ListCreateAccountStatus", "organizations:ListDelegatedAdministrators",
        "organizations:ListOrganizationalUnitsForParent", "organizations:ListPolicies",
        "organizations:ListPoliciesForTarget", "organizations:ListRoots", "organizations:ListTagsForResource",
        "organizations:ListTargetsForPolicy",
    ),
    "vending.state.organizations_refresh": (
        "organizations:DescribeAccount", "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy",
        "organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListParents", "organizations:ListPolicies", "organizations:ListPoliciesForTarget",
    ),
    "vending.state.cloudtrail": ("cloudtrail:LookupEvents",),
    "vending.refresh": ("organizations:ListRoots",),
    "vending.state.baselines": (
        "cloudformation:DescribeOrganizationsAccess", "cloudformation:DescribeStackSet",
        "cloudformation:ListStackInstances", "cloudformation:ListStackSetOperations",
        "cloudformation:ListStackSets",
    ),
    "vending.state.control_tower": (
        "controltower:GetLandingZone", "controltower:ListBaselines", "controltower:ListEnabledBaselines",
        "controltower:ListEnabledControls", "controltower:ListLandingZones",
        "servicecatalog:GetProvisionedProductOutputs", "servicecatalog:ListProvisioningArtifacts",
        "servicecatalog:SearchProductsAsAdmin",
    ),
    "vending.state.catalog": ("servicecatalog:GetAWSOrganizationsAccessStatus", "servicecatalog:ListTagOptions"),
    "vending.state.catalog_portfolios": (
        "servicecatalog:DescribeConstraint", "servicecatalog:DescribePortfolio", "servicecatalog:DescribePortfolioShares",
        "servicecatalog:ListConstraintsForPortfolio", "servicecatalog:ListPortfolios",
        "servicecatalog:ListPrincipalsForPortfolio", "servicecatalog:SearchProductsAsAdmin",
    ),
    "vending.state.catalog_launches": ("servicecatalog:SearchProvisionedProducts",),
    "vending.state.catalog_products": (
        "servicecatalog:DescribeProductAsAdmin", "servicecatalog:DescribeProvisioningArtifact",
        "servicecatalog:ListProvisioningArtifacts", "servicecatalog:SearchProductsAsAdmin",
    ),
    "vending.state.budgets": (
        "budgets:DescribeBudgetNotificationsForAccount", "budgets:DescribeBudgets",
        "budgets:DescribeSubscribersForNotification", "budgets:ListTagsForResource",
    ),
    "vending.state.support": ("support:DescribeCases",),
    "vending.state.licenses": (
        "license-manager:GetServiceSettings", "license-manager:ListDistributedGrants",
        "license-manager:ListReceivedLicenses",
    ),
    "vending.state.marketplace": (
        "aws-marketplace:DescribeEntity", "aws-marketplace:ListEntities", "iam:GetRole",
        "organizations:ListAWSServiceAccessForOrganization",
    ),
    "vending.state.contacts": ("account:GetAlternateContact", "organizations:ListAWSServiceAccessForOrganization"),
    "vending.state.identity": (
        "identitystore:GetGroupId", "sso:DescribePermissionSet", "sso:GetInlinePolicyForPermissionSet",
        "sso:GetPermissionsBoundaryForPermissionSet", "sso:ListAccountAssignmentsForPrincipal",
        "sso:ListAccountsForProvisionedPermissionSet", "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
        "sso:ListInstances", "sso:ListManagedPoliciesInPermissionSet", "sso:ListPermissionSets",
    ),
    "vending.aws.paging": ("organizations:ListTagsForResource", "servicecatalog:SearchProvisionedProducts"),
    "vending.aws.clients": ("sts:GetCallerIdentity",),
    "vending.snapshot_store": SNAPSHOT_ACTIONS,
    "vending.rehearse.copy_control_tower": ("servicecatalog:GetProvisionedProductOutputs",),
}
"""What reading the organization calls (`vend plan`, `vend import`, `vend rehearse`, and
`vend apply` again)."""

WRITES: dict[str, tuple[str, ...]] = {
    "vending.apply.organizations": (
        "organizations:AttachPolicy", "organizations:CloseAccount", "organizations:CreateOrganizationalUnit",
        "organizations:CreatePolicy", "organizations:DeleteOrganizationalUnit", "organizations:DetachPolicy",
        "organizations:EnablePolicyType", "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListParents", "organizations:ListPolicies", "organizations:ListRoots",
        "organizations:TagResource", "organizations:UntagResource", "organizations:UpdateOrganizationalUnit",
        "organizations:UpdatePolicy",
    ),
    "vending.apply.accounts": (
        "organizations:CreateAccount", "organizations:DescribeCreateAccountStatus", "organizations:ListAccounts",
        "organizations:ListCreateAccountStatus", "organizations:MoveAccount",
    ),
    "vending.apply.account_factory": (
        "servicecatalog:DescribeProvisionedProduct", "servicecatalog:DescribeRecord",
        "servicecatalog:ProvisionProduct", "servicecatalog:TerminateProvisionedProduct",
        "servicecatalog:UpdateProvisionedProduct",
    ),
    "vending.apply.control_tower": (
        "controltower:DisableBaseline", "controltower:DisableControl", "controltower:EnableBaseline",
        "controltower:EnableControl", "controltower:GetBaselineOperation", "controltower:GetControlOperation",
        "controltower:ListEnabledBaselines", "controltower:ResetEnabledBaseline",
    ),
    "vending.apply.stacksets": (
        "cloudformation:ActivateOrganizationsAccess", "cloudformation:CreateStackInstances",
        "cloudformation:CreateStackSet", "cloudformation:DeleteStackInstances", "cloudformation:DeleteStackSet",
        "cloudformation:DescribeOrganizationsAccess", "cloudformation:DescribeStackSet",
        "cloudformation:UpdateStackInstances", "cloudformation:UpdateStackSet",
    ),
    "vending.apply.stackset_operations": (
        "cloudformation:DescribeStackSetOperation", "cloudformation:ListStackSetOperationResults",
        "cloudformation:ListStackSetOperations", "s3:PutObject",
    ),
    "vending.apply.catalog": (
        "servicecatalog:CreateTagOption", "servicecatalog:DeleteTagOption", "servicecatalog:ListTagOptions",
        "servicecatalog:UpdateTagOption",
    ),
    "vending.apply.catalog_portfolios": (
        "servicecatalog:AssociatePrincipalWithPortfolio", "servicecatalog:AssociateProductWithPortfolio",
        "servicecatalog:CreateConstraint", "servicecatalog:CreatePortfolio", "servicecatalog:DeleteConstraint",
        "servicecatalog:DeletePortfolio", "servicecatalog:DisassociatePrincipalFromPortfolio",
        "servicecatalog:DisassociateProductFromPortfolio", "servicecatalog:UpdateConstraint",
        "servicecatalog:UpdatePortfolio",
    ),
    "vending.apply.catalog_shares": (
        "servicecatalog:CreatePortfolioShare", "servicecatalog:DeletePortfolioShare",
        "servicecatalog:DescribePortfolioShareStatus", "servicecatalog:EnableAWSOrganizationsAccess",
        "servicecatalog:UpdatePortfolioShare",
    ),
    "vending.apply.catalog_products": (
        "s3:PutObject", "servicecatalog:AssociateTagOptionWithResource", "servicecatalog:CreateProduct",
        "servicecatalog:CreateProvisioningArtifact", "servicecatalog:DeleteProduct",
        "servicecatalog:DisassociateTagOptionFromResource", "servicecatalog:ListTagOptions",
        "servicecatalog:UpdateProduct", "servicecatalog:UpdateProvisioningArtifact",
    ),
    "vending.apply.contacts": (
        "account:DeleteAlternateContact", "account:PutAlternateContact", "organizations:EnableAWSServiceAccess",
    ),
    "vending.apply.budgets": (
        "budgets:CreateBudget", "budgets:CreateNotification", "budgets:CreateSubscriber", "budgets:DeleteBudget",
        "budgets:DeleteNotification", "budgets:DeleteSubscriber", "budgets:UpdateBudget",
        "budgets:TagResource", "budgets:UpdateNotification",
    ),
    "vending.apply.support": ("support:CreateCase",),
    "vending.apply.licenses": (
        "license-manager:CreateGrant", "license-manager:CreateGrantVersion", "license-manager:DeleteGrant",
        "license-manager:GetGrant", "license-manager:UpdateServiceSettings",
    ),
    "vending.apply.identity": (
        "sso:AttachCustomerManagedPolicyReferenceToPermissionSet", "sso:AttachManagedPolicyToPermissionSet",
        "sso:CreateAccountAssignment", "sso:CreatePermissionSet", "sso:DeleteAccountAssignment",
        "sso:DeleteInlinePolicyFromPermissionSet", "sso:DeletePermissionSet",
        "sso:DeletePermissionsBoundaryFromPermissionSet", "sso:DescribeAccountAssignmentCreationStatus",
        "sso:DescribeAccountAssignmentDeletionStatus", "sso:DescribePermissionSetProvisioningStatus",
        "sso:DetachCustomerManagedPolicyReferenceFromPermissionSet", "sso:DetachManagedPolicyFromPermissionSet",
        "sso:ProvisionPermissionSet", "sso:PutInlinePolicyToPermissionSet",
        "sso:PutPermissionsBoundaryToPermissionSet", "sso:UpdatePermissionSet",
    ),
    "vending.apply.lock": LOCK_ACTIONS,
    "vending.apply.marketplace_change_sets": ("aws-marketplace:DescribeChangeSet", "aws-marketplace:StartChangeSet"),
    "vending.apply.marketplace": (
        "iam:CreateServiceLinkedRole", "organizations:EnableAWSServiceAccess",
        "organizations:ListAWSServiceAccessForOrganization",
    ),
}
"""What only applying calls (`vend apply`, `vend force-unlock`)."""

INDIRECT: dict[str, tuple[str, ...]] = {
    "vending.aws.assume": ("sts:AssumeRole",),
}
"""Calls botocore makes on vend's behalf (AssumeRoleCredentialFetcher), named nowhere in vend:
the StackSets delegated administrator's role (vend.yaml `stacksets.role_arn`), read and applied."""

NO_PERMISSION = frozenset({"sts:GetCallerIdentity"})
"""Operations every principal may call: no policy grants them (aws-facts; IAM's STS docs)."""

TEMPLATE_ACTIONS = ("s3:GetObject", "s3:PutObject")
"""On the template bucket's objects: vend uploads a template over 51,200 bytes
(vending.apply.stackset_operations) and CloudFormation reads it back from TemplateURL with the
caller's credentials."""


BUDGETS_VIEW = "budgets:ViewBudget"
BUDGETS_MODIFY = "budgets:ModifyBudget"
"""AWS Budgets authorizes its budget, notification and subscriber operations with two IAM actions,
not one per operation (Service Authorization Reference, "Actions defined by AWS Budgets":
ViewBudget for the Describe calls, ModifyBudget for the writes)."""


def iam_action(operation: str) -> str:
    """The IAM action that allows `service:Operation` (the same name, but for Budgets)."""
    service, name = operation.split(":", 1)
    if service == "budgets" and "Action" not in name and not name.endswith("Resource"):
        return BUDGETS_VIEW if name.startswith("Describe") else BUDGETS_MODIFY
    return operation
