"""The SCP and tag policy grammars: AWS's own documented examples pass, mistakes are named."""
from __future__ import annotations

import json

import pytest

from vending.model.rules_policies import read
from vending.model.types import SCP, TAG_POLICY

# From "SCP syntax" (orgs_manage_policies_scps_syntax.html) and the full-IAM-language update.
VALID_SCPS = {
    "allow with a condition": {"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowServicesForSpecificPrincipal", "Effect": "Allow", "Action": ["ec2:*", "s3:*"],
        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalArn": ["arn:aws:iam::123456789012:role/x"]}}}]},
    "single statement object": {"Version": "2012-10-17", "Statement": {
        "Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "arn:aws:ec2:*:*:instance/*",
        "Condition": {"StringNotEquals": {"ec2:InstanceType": "t2.micro"}}}},
    "not resource": {"Version": "2012-10-17", "Statement": [{
        "Sid": "Statement1", "Effect": "Deny", "Action": ["bedrock:InvokeModel"],
        "NotResource": ["arn:aws:bedrock:*::foundation-model/model-to-permit"]}]},
    "not action in allow, wildcards mid-action": {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "NotAction": ["iam:*User*", "s3:Get?bject"], "Resource": "*"}]},
    "operators with modifiers": {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
            "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["secret*"]}, "Null": {"aws:RequestTag/team": "true"},
            "Bool": {"aws:SecureTransport": False}, "NumericGreaterThan": {"aws:MultiFactorAuthAge": 3600}}}]},
}

VALID_TAG_POLICIES = {
    "documented example": {"tags": {"costcenter": {
        "tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["100", "200", "300*"]},
        "enforced_for": {"@@assign": ["secretsmanager:ALL_SUPPORTED"]}}}},
    "child control and append": {"tags": {"@@operators_allowed_for_child_policies": ["@@none"], "project": {
        "@@operators_allowed_for_child_policies": ["@@append", "@@remove"],
        "tag_key": {"@@assign": "Project", "@@operators_allowed_for_child_policies": ["@@none"]},
        "tag_value": {"@@append": ["Maintenance"], "@@remove": ["Legacy"]}}}},
    "required tag reporting": {"tags": {"owner": {"report_required_tag_for": {"@@assign": ["ec2:instance", "s3:*"]}}}},
}


def findings(policy_type: str, document: object) -> list[str]:
    text = json.dumps(document, indent=2)
    _, found = read("policies/x.json", "x", policy_type, text)
    return [d.format() for d in found]


@pytest.mark.parametrize("name", sorted(VALID_SCPS))
def test_documented_scps_are_valid(name: str) -> None:
    assert findings(SCP, VALID_SCPS[name]) == []


@pytest.mark.parametrize("name", sorted(VALID_TAG_POLICIES))
def test_documented_tag_policies_are_valid(name: str) -> None:
    assert findings(TAG_POLICY, VALID_TAG_POLICIES[name]) == []


def test_principal_is_named_as_unsupported_with_the_condition_that_replaces_it() -> None:
    text = '{"Version": "2012-10-17",\n "Statement": [\n  {"Effect": "Deny", "NotPrincipal": {"AWS": "x"},\n' \
           '   "Action": "s3:*", "Resource": "*"}]}'
    _, found = read("policies/scp/a.json", "a", SCP, text)
    assert [d.format() for d in found] == [
        "policies/scp/a.json:3: V313 Statement[0].NotPrincipal: NotPrincipal is not supported in SCPs\n"
        "    hint: an SCP applies to every IAM user and role of the accounts it is attached to; to exempt some, "
        'use a Condition such as "ArnNotLike": {"aws:PrincipalARN": [...]}'
    ]


def test_missing_version_and_typo_elements_get_suggestions() -> None:
    found = findings(SCP, {"Statement": [{"Effect": "Deny", "Actions": "s3:*", "Resources": "*"}]})
    assert found == [
        'policies/x.json:1: V312 the SCP has no Version\n    hint: SCPs use the current policy language only: '
        'start the document with "Version": "2012-10-17"',
        'policies/x.json:5: V313 Statement[0].Actions: "Actions" is not an element of a statement in an SCP\n'
        "    hint: did you mean Action? a statement may hold Sid, Effect, Action, NotAction, Resource, NotResource, "
        "Condition",
        'policies/x.json:6: V313 Statement[0].Resources: "Resources" is not an element of a statement in an SCP\n'
        "    hint: did you mean Resource? a statement may hold Sid, Effect, Action, NotAction, Resource, NotResource, "
        "Condition",
        "policies/x.json:3: V315 Statement[0]: the statement has neither Action nor NotAction\n"
        '    hint: list what it allows or denies, e.g. "Action": "s3:*"',
    ]


@pytest.mark.parametrize("statement, code, message", [
    ({"Effect": "Allow", "Action": "s3", "Resource": "*"}, "V316", 'action "s3" names no service'),
    ({"Effect": "Allow", "Action": [], "Resource": "*"}, "V316", "Action is an empty list"),
    ({"Effect": "Allow", "Action": ["s3:*", 7], "Resource": "*"}, "V316", "Action lists a number"),
    ({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3"}, "V317", 'resource "arn:aws:s3" is not an ARN'),
    ({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "NotResource": "*"}, "V315",
     "the statement has both Resource and NotResource"),
    ({"Action": "s3:*"}, "V314", "the statement has no Effect"),
    ({"Effect": "Deny", "Action": "*", "Condition": {"Null": {"aws:x": {"a": 1}}}}, "V318",
     "the value of aws:x is an object"),
    ({"Effect": "Deny", "Action": "*", "Condition": {"StringEquals": []}}, "V318",
     "StringEquals holds an empty list, not condition keys"),
    ({"Effect": "Deny", "Action": "*", "Sid": 3}, "V319", "Sid is a number, not a string"),
])
def test_statement_mistakes(statement: dict, code: str, message: str) -> None:
    _, found = read("p.json", "p", SCP, json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert [(d.code, d.message) for d in found] == [(code, message)]


def test_statement_that_is_not_an_object() -> None:
    _, found = read("p.json", "p", SCP, '{"Version": "2012-10-17", "Statement": ["Deny everything"]}')
    assert [(d.code, d.field, d.message) for d in found] == [
        ("V305", "Statement[0]", "a statement must be an object, not a string")]


@pytest.mark.parametrize("body, code, message", [
    ({"Tag_Key": {"@@assign": "x"}}, "V320", '"Tag_Key" is not a tag policy element'),
    ({"tag_key": {"@@assign": ["x"]}}, "V321", "tag_key @@assign holds a list, not a string"),
    ({"tag_key": {"@@remove": "x"}}, "V321", "tag_key takes only @@assign, not @@remove"),
    ({"tag_value": {"@@assign": "100"}}, "V321", "tag_value @@assign holds a string, not a list of strings"),
    ({"@@assign": "x"}, "V321", "@@assign is not allowed here"),
    ({"tag_key": {"@@assign": "x y!"}}, "V501", 'tag key "x y!" contains "!"; tags allow letters, digits, spaces '
                                               "and _ . : / = + - @"),
    ({"enforced_for": {"@@assign": ["*:instance"]}}, "V324", 'enforced_for entry "*:instance" would apply to every '
                                                             "service"),
    ({"report_required_tag_for": {"@@assign": ["EC2:Instance"]}}, "V324",
     'report_required_tag_for entry "EC2:Instance" is not service:resource-type'),
    ({"tag_value": {"@@operators_allowed_for_child_policies": "@@none"}}, "V325",
     "@@operators_allowed_for_child_policies holds a string, not a list of operators"),
    ({"tag_value": {"@@operators_allowed_for_child_policies": ["@@add"]}}, "V325",
     '"@@add" is not an operator child policies can be allowed'),
])
def test_tag_policy_mistakes(body: dict, code: str, message: str) -> None:
    _, found = read("t.json", "t", TAG_POLICY, json.dumps({"tags": {"x": body}}))
    assert [(d.code, d.message) for d in found] == [(code, message)]


def test_tag_policy_lines_point_at_the_value() -> None:
    text = '{\n  "tags": {\n    "cost-center": {\n      "tag_value": {"@@assign": [\n        "a",\n        "**"]}}}}\n'
    _, found = read("policies/tag/c.json", "c", TAG_POLICY, text)
    assert [d.format() for d in found] == [
        'policies/tag/c.json:6: V323 tags.cost-center.tag_value.@@assign[1]: tag value "**" has 2 wildcards\n'
        "    hint: AWS allows one * per tag value: *@example.com, not *@*.com"
    ]
