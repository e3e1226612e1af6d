"""V8xx beyond the corpus: exact messages, the hub settings, what the rules leave alone."""
from __future__ import annotations

import pytest

from tests.model.repo import VEND, MakeRepo, only
from vending.model.catalog_types import Principal
from vending.model.loader import validate
from vending.model.rules_portfolios import principal_problem

TEMPLATE = "Parameters:\n  Size: {Type: String, Default: small}\nResources:\n  Queue: {Type: 'AWS::SQS::Queue'}\n"
PRODUCT = "name: Queue\nowner: Platform\nversions:\n  - {name: v1, template: v1.yaml}\n"
CATALOG = {
    "vend.yaml": VEND + "catalog: {template_bucket: vend-catalog}\n",
    "catalog/products/queue/product.yaml": PRODUCT,
    "catalog/products/queue/v1.yaml": TEMPLATE,
}


def test_a_valid_catalog_has_no_findings(make_repo: MakeRepo) -> None:
    root = make_repo({**CATALOG, "catalog/portfolios/apps.yaml":
                      "display_name: Apps\nprovider: Platform\ndistribution: available\nproducts: [queue]\n"
                      "shares: [{ou: Apps}, {organization: true}, {account: app}]\nshare_tag_options: true\n"
                      "principals: [{iam_pattern: 'arn:aws:iam:::role/builders/dev-??/*'}, "
                      "{iam: 'arn:aws:iam::123456789012:role/Admin'}]\n"
                      "constraints:\n  queue:\n    - launch: {local_role_name: SCLaunchRole}\n"
                      "    - template: {parameters: {Size: [small]}}\n"})
    assert [d.format() for d in validate(root)] == []


def test_a_delegated_admin_hub_needs_its_role(make_repo: MakeRepo) -> None:
    root = make_repo({**CATALOG, "vend.yaml": VEND + "catalog:\n  delegated_admin: '222222222222'\n  template_bucket: b-c-d\n"})
    found = only(root, "V823")
    assert (found.file, found.line, found.field) == ("vend.yaml", 9, "catalog.delegated_admin")
    assert found.hint == "add catalog.role_arn: arn:aws:iam::222222222222:role/<role vend assumes>"


def test_the_global_template_bucket_serves_the_catalog_too(make_repo: MakeRepo) -> None:
    root = make_repo({**CATALOG, "vend.yaml": VEND + "template_bucket: vend-templates\n"})
    assert validate(root) == []


def test_an_inactive_version_may_lack_a_constrained_parameter(make_repo: MakeRepo) -> None:
    product = PRODUCT.replace("{name: v1, template: v1.yaml}", "{name: v1, template: v0.yaml, active: false}\n"
                              "  - {name: v2, template: v1.yaml}")
    root = make_repo({**CATALOG, "catalog/products/queue/product.yaml": product,
                      "catalog/products/queue/v0.yaml": "Resources:\n  Queue: {Type: 'AWS::SQS::Queue'}\n",
                      "catalog/portfolios/apps.yaml": "display_name: Apps\nprovider: Platform\ndistribution: available\n"
                      "products: [queue]\nconstraints:\n  queue:\n    - template: {parameters: {Size: [small]}}\n"})
    assert validate(root) == []


def test_the_template_constraint_finding_names_the_version_and_what_it_declares(make_repo: MakeRepo) -> None:
    root = make_repo({**CATALOG, "catalog/portfolios/apps.yaml":
                      "display_name: Apps\nprovider: Platform\ndistribution: available\nproducts: [queue]\n"
                      "constraints:\n  queue:\n    - template:\n        parameters:\n          Colour: [blue]\n"})
    found = only(root, "V817")
    assert found.format().splitlines() == [
        'catalog/portfolios/apps.yaml:9: V817 constraints.queue[0].template.parameters.Colour: '
        'catalog/products/queue/v1.yaml (version v1) declares no parameter "Colour"',
        "    hint: declared: Size; constrain a declared parameter, or add it to every active version's template"]


@pytest.mark.parametrize(("kind", "arn", "problem"), [
    ("IAM_PATTERN", "arn:aws:iam:::role/a/*", None),
    ("IAM_PATTERN", "arn:aws-us-gov:iam:::user/ops-?", None),
    ("IAM_PATTERN", "arn:aws:iam::111111111111:role/a/*", "has an account id"),
    ("IAM_PATTERN", "arn:*:iam:::role/a", "has a wildcard in the partition"),
    ("IAM_PATTERN", "arn:aws:iam:::*/a", "has a wildcard in the resource type"),
    ("IAM_PATTERN", "arn:aws:iam:::policy/a", "names no IAM role, user or group"),
    ("IAM_PATTERN", "arn:aws:s3:::bucket/a", "is not an IAM ARN"),
    ("IAM_PATTERN", "arn:aws:iam:::role/", "has no name after role/"),
    ("IAM", "arn:aws:iam::111111111111:group/Builders", None),
    ("IAM", "arn:aws:iam::111111111111:role/a*", "has a wildcard"),
])
def test_principal_arns_are_checked_as_aws_does(kind: str, arn: str, problem: str | None) -> None:
    found = principal_problem(Principal(kind, arn, 0))  # type: ignore[arg-type]
    assert (found is None) if problem is None else (found is not None and problem in found)
