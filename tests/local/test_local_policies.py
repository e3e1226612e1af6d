"""Strict policy rules: attach/detach limits and document validation (moto-coverage section 1)."""
from __future__ import annotations

import json

import pytest

SCP = "SERVICE_CONTROL_POLICY"
TAG = "TAG_POLICY"
DENY = {"Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}


@pytest.fixture
def make_policy(org):
    def make(name, policy_type=SCP, content=None):
        document = content if content is not None else json.dumps(
            DENY if policy_type == SCP else {"tags": {}})
        return org.create_policy(Name=name, Description=name, Type=policy_type,
                                 Content=document)["Policy"]["PolicySummary"]["Id"]
    return make


def test_attach_twice_is_refused(org, root_id, make_ou, make_policy, aws_error):
    """API_AttachPolicy: DuplicatePolicyAttachmentException."""
    ou = make_ou(root_id, "Workloads")
    policy_id = make_policy("deny-delete")
    org.attach_policy(PolicyId=policy_id, TargetId=ou)
    aws_error("DuplicatePolicyAttachmentException", org.attach_policy, PolicyId=policy_id,
              TargetId=ou)


def test_attach_policy_type_not_enabled(org, root_id, make_ou, make_policy, aws_error):
    """API_AttachPolicy: PolicyTypeNotEnabledException until EnablePolicyType on the root."""
    ou = make_ou(root_id, "Workloads")
    policy_id = make_policy("cost-center", TAG)
    aws_error("PolicyTypeNotEnabledException", org.attach_policy, PolicyId=policy_id, TargetId=ou)
    org.enable_policy_type(RootId=root_id, PolicyType=TAG)
    org.attach_policy(PolicyId=policy_id, TargetId=ou)


def test_sixth_scp_on_a_target_is_refused(org, root_id, make_ou, make_policy, aws_error):
    """aws-facts 2.1 (5 SCPs per root / OU / account); API_AttachPolicy:
    ConstraintViolationException reason MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED."""
    ou = make_ou(root_id, "Workloads")  # FullAWSAccess is the 1st
    for i in range(4):
        org.attach_policy(PolicyId=make_policy(f"scp-{i}"), TargetId=ou)
    response = aws_error("ConstraintViolationException", org.attach_policy,
                         PolicyId=make_policy("scp-6"), TargetId=ou)
    assert response["Reason"] == "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"


def test_detach_last_scp_is_refused(org, root_id, make_ou, make_policy, aws_error):
    """API_DetachPolicy ("Every root, OU, and account must have at least one SCP attached"):
    reason MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED."""
    ou = make_ou(root_id, "Workloads")
    response = aws_error("ConstraintViolationException", org.detach_policy,
                         PolicyId="p-FullAWSAccess", TargetId=ou)
    assert response["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    replacement = make_policy("allow-list")
    org.attach_policy(PolicyId=replacement, TargetId=ou)
    org.detach_policy(PolicyId="p-FullAWSAccess", TargetId=ou)  # attach first, then detach


def test_detach_policy_not_attached(org, root_id, make_ou, make_policy, aws_error):
    """API_DetachPolicy: PolicyNotAttachedException."""
    ou = make_ou(root_id, "Workloads")
    aws_error("PolicyNotAttachedException", org.detach_policy,
              PolicyId=make_policy("never-attached"), TargetId=ou)


def test_attach_to_unknown_target(org, make_policy, aws_error):
    """API_AttachPolicy: TargetNotFoundException."""
    aws_error("TargetNotFoundException", org.attach_policy, PolicyId=make_policy("p"),
              TargetId="ou-zzzz-zzzzzzzz")


def test_malformed_policy_document(org, make_policy, aws_error):
    """API_CreatePolicy / API_UpdatePolicy: MalformedPolicyDocumentException."""
    aws_error("MalformedPolicyDocumentException", org.create_policy, Name="bad",
              Description="", Type=SCP, Content="{not json")
    policy_id = make_policy("good")
    aws_error("MalformedPolicyDocumentException", org.update_policy, PolicyId=policy_id,
              Content="[1, 2]")


@pytest.mark.parametrize("policy_type, limit", [(SCP, 5120), (TAG, 10000)])
def test_policy_content_size_limit(org, make_policy, aws_error, policy_type, limit):
    """aws-facts 2.1 (SCP 5,120 characters, tag policy 10,000): ConstraintViolationException
    reason POLICY_CONTENT_LIMIT_EXCEEDED, on CreatePolicy and UpdatePolicy."""
    def document(size):
        base = DENY if policy_type == SCP else {"tags": {}}
        text = json.dumps({**base, "pad": ""})
        return json.dumps({**base, "pad": "x" * (size - len(text))})

    policy_id = make_policy("at-limit", policy_type, document(limit))
    response = aws_error("ConstraintViolationException", org.create_policy, Name="over",
                         Description="", Type=policy_type, Content=document(limit + 1))
    assert response["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"
    response = aws_error("ConstraintViolationException", org.update_policy, PolicyId=policy_id,
                         Content=document(limit + 1))
    assert response["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"


def test_duplicate_policy_name_within_a_type(org, make_policy, aws_error):
    """API_CreatePolicy / API_UpdatePolicy: DuplicatePolicyException within one policy type."""
    make_policy("shared-name")
    aws_error("DuplicatePolicyException", org.create_policy, Name="shared-name",
              Description="", Type=SCP, Content=json.dumps(DENY))
    make_policy("shared-name", TAG)  # another type may use the name
    other = make_policy("other")
    aws_error("DuplicatePolicyException", org.update_policy, PolicyId=other, Name="shared-name")


def test_aws_managed_policy_is_immutable(org, aws_error):
    """API_UpdatePolicy / API_DeletePolicy: InvalidInputException reason IMMUTABLE_POLICY."""
    response = aws_error("InvalidInputException", org.update_policy,
                         PolicyId="p-FullAWSAccess", Name="Mine")
    assert response["Reason"] == "IMMUTABLE_POLICY"
    aws_error("InvalidInputException", org.delete_policy, PolicyId="p-FullAWSAccess")
