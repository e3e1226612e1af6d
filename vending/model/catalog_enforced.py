"""Enforced portfolios as the pieces the rest of vend already plans: a hub portfolio and a baseline.

An enforced portfolio (`distribution: enforced`) puts one product version into every account of
its OUs, and of each account vended there later, at O(OUs) mutating calls. So it becomes:
- in the hub, a portfolio holding the product, shared to each OU with SharePrincipals on, whose
  one principal is the IAM_PATTERN of the StackSets execution role (`hub_view`): that role is
  who launches from a SERVICE_MANAGED stack instance (aws-facts 14b), and without the principal
  and the share every launch fails with "No launch paths found for resource";
- a baseline `catalog-<portfolio>` (stack set `vend-catalog-<portfolio>`, auto-deployment on),
  listed on those OUs, whose template holds one AWS::ServiceCatalog::CloudFormationProvisionedProduct
  (`as_baseline`). The product and version go by name, so the template is known before the
  product exists, and the parameters are literals in it: StackSet overrides never reach accounts
  auto-deployment adds later (aws-facts 4, 14a). A new version is an UpdateStackSet, one
  operation per stack set whatever the number of accounts.
The baselines engine (diff_baselines, diff_stack_instances, the StackSets appliers) does the rest.
"""
from __future__ import annotations

import json
from dataclasses import replace

from vending.model.catalog_types import PortfolioSpec, Principal, ProductSpec, Share
from vending.model.types import ROOT, DesiredOrg, path_str
from vending.model.baseline_types import BaselineRef, BaselineSpec, OperationPreferences

EXECUTION_ROLE_PATTERN = "arn:aws:iam:::role/stacksets-exec-*"
"""The IAM_PATTERN (no account id) matching StackSets' execution role in every member."""
BASELINE_PREFIX = "catalog-"
RESOURCE_TYPE = "AWS::ServiceCatalog::CloudFormationProvisionedProduct"
LOGICAL_ID = "EnforcedProduct"
PREFERENCES = OperationPreferences(region_concurrency="PARALLEL", max_concurrent_percentage=100,
                                   failure_tolerance_percentage=10, concurrency_mode="SOFT_FAILURE_TOLERANCE")
"""One provisioned product per account, independent of each other: all at once."""


def baseline_name(portfolio: str) -> str:
    return BASELINE_PREFIX + portfolio


def provisioned_product_name(portfolio: str) -> str:
    """The provisioned product's name in each account (unique per account, immutable)."""
    return f"vend-{portfolio}"


def hub_view(spec: PortfolioSpec) -> PortfolioSpec:
    """The enforced portfolio as the hub holds it (see the module docstring)."""
    enforced = spec.enforced
    if enforced is None:
        return spec
    return replace(spec, products=(enforced.product,) if enforced.product else (),
                   shares=tuple(Share("ou", path_str(p), i) for i, p in enumerate(enforced.ous) if p != ROOT)
                   + ((Share("organization", "", len(enforced.ous)),) if ROOT in enforced.ous else ()),
                   share_principals=True, principals=(Principal("IAM_PATTERN", EXECUTION_ROLE_PATTERN, 0),))


def template(spec: PortfolioSpec, product: ProductSpec, version: str) -> str:
    """The stack set's template: the provisioned product of `version` with the file's parameters."""
    enforced = spec.enforced
    assert enforced is not None
    properties = {
        "ProductName": product.display_name,
        "ProvisioningArtifactName": version,
        "ProvisionedProductName": provisioned_product_name(spec.name),
        "ProvisioningParameters": [{"Key": k, "Value": str(v)} for k, v in sorted(enforced.parameters.items())],
    }
    body = {"AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"vend: enforced portfolio {spec.name} ({product.name} {version})",
            "Resources": {LOGICAL_ID: {"Type": RESOURCE_TYPE, "Properties": properties}}}
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def deployed_version(text: str) -> str | None:
    """The ProvisioningArtifactName a stack set's template (as read back) deploys."""
    try:
        body = json.loads(text)
        return str(body["Resources"][LOGICAL_ID]["Properties"]["ProvisioningArtifactName"])
    except (ValueError, KeyError, TypeError):
        return None


def as_baseline(spec: PortfolioSpec, product: ProductSpec, home_region: str) -> BaselineSpec:
    enforced = spec.enforced
    assert enforced is not None
    return BaselineSpec(
        name=baseline_name(spec.name), source=spec.source, template_file=spec.source.file,
        template=template(spec, product, enforced.version),
        description=f"vend: enforced portfolio {spec.name} ({product.name}) in every account of "
                    + ", ".join(path_str(p) for p in enforced.ous),
        regions=(home_region,), operation_preferences=PREFERENCES, retired=spec.retired)


def with_enforced(org: DesiredOrg) -> DesiredOrg:
    """`org` with a baseline per enforced portfolio whose product and version exist, listed on
    its OUs (the rules have already refused anything else)."""
    catalog = org.catalog
    if catalog is None:
        return org
    baselines, ous, root = dict(org.baselines), dict(org.ous), org.root
    for name, spec in sorted(catalog.portfolios.items()):
        product = catalog.products.get(spec.enforced.product) if spec.enforced else None
        if spec.enforced is None or product is None or product.version(spec.enforced.version) is None:
            continue
        baseline = as_baseline(spec, product, org.settings.home_region)
        if baseline.name in baselines:
            continue  # V827
        baselines[baseline.name] = baseline
        ref = BaselineRef(baseline.name, spec.source.at("ous"))
        for path in spec.enforced.ous:
            if path == ROOT and root is not None:
                root = replace(root, baselines=root.baselines + (ref,))
            elif path in ous:
                ous[path] = replace(ous[path], baselines=ous[path].baselines + (ref,))
    return replace(org, baselines=baselines, ous=ous, root=root)
