"""The pipeline template: cfn-lint clean, and built as the README says.

moto's CloudFormation cannot deploy it (it has no AWS::CodeBuild::Project, CodePipeline or
CodeConnections resources), so the resources are checked here structurally, and the buildspecs
are run against the embedded organization in test_buildspecs.py.
"""
from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.pipeline.template import PIPELINE, TEMPLATE, actions, load, resources, role_of, statements
from vending.aws.clients import is_read_operation
from vending.iam_policy.operations import BUDGETS_VIEW
from vending.iam_policy.document import policy, publish_snapshot_statement
from vending.model.loader import load as load_repo
from vending.model.types import LockSettings

T = load()
PROJECTS = resources(T, "AWS::CodeBuild::Project")
PIPELINE_PROPS = resources(T, "AWS::CodePipeline::Pipeline")["Pipeline"]
STAGES = {stage["Name"]: stage["Actions"] for stage in PIPELINE_PROPS["Stages"]}
PIPELINE_SETTINGS = replace(load_repo(PIPELINE.parent).settings, lock=LockSettings(bucket="vend-lock-${AWS::AccountId}"),
                            template_bucket="vend-templates-${AWS::AccountId}")
"""vend.yaml as the README says to set it for the pipeline (the template's bucket names)."""


@pytest.mark.parametrize("path", sorted(PIPELINE.glob("*.yaml")), ids=lambda p: p.name)
def test_cfn_lint_finds_nothing(path: Path) -> None:
    """What .ci/run checks too (cfn-lint pipeline/*.yaml), here for `pytest` alone."""
    run = subprocess.run([sys.executable, "-c", "from cfnlint.runner import main; main()", str(path)],
                         capture_output=True, text=True)
    assert (run.returncode, run.stdout + run.stderr) == (0, "")


def test_a_v2_pipeline_queues_its_runs_through_plan_approval_and_apply() -> None:
    assert (PIPELINE_PROPS["PipelineType"], PIPELINE_PROPS["ExecutionMode"]) == ("V2", "QUEUED")
    assert list(STAGES) == ["Source", "Plan", "Approve", "Apply"]
    source, = STAGES["Source"]
    assert source["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    assert source["Configuration"]["ConnectionArn"] == {"Fn::If": ["CreateConnection", {"Ref": "Connection"},
                                                                   {"Ref": "ConnectionArn"}]}
    assert T["Resources"]["Connection"]["Type"] == "AWS::CodeConnections::Connection"


def test_the_plan_artifact_is_what_the_approver_sees_and_what_apply_applies() -> None:
    plan, = STAGES["Plan"]
    approve, = STAGES["Approve"]
    apply, = STAGES["Apply"]
    assert plan["Configuration"]["ProjectName"] == {"Ref": "PlanProject"}
    assert plan["OutputArtifacts"] == [{"Name": "PlanOutput"}]
    assert approve["ActionTypeId"] == {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"}
    assert approve["Configuration"]["ExternalEntityLink"] == f"#{{{plan['Namespace']}.PLAN_URL}}"
    assert f"#{{{plan['Namespace']}.PLAN_SUMMARY}}" in approve["Configuration"]["CustomData"]
    assert apply["Configuration"]["ProjectName"] == {"Ref": "ApplyProject"}
    assert {"Name": "PlanOutput"} in apply["InputArtifacts"]


def test_the_plan_action_rehearses_unless_the_parameter_says_not_to() -> None:
    assert {k: T["Parameters"]["Rehearse"][k] for k in ("Default", "AllowedValues")} == {
        "Default": "true", "AllowedValues": ["true", "false"]}
    variables = {v["Name"]: v["Value"] for v in PROJECTS["PlanProject"]["Environment"]["EnvironmentVariables"]}
    assert variables["REHEARSE"] == {"Ref": "Rehearse"}
    plan, = STAGES["Plan"]
    approve, = STAGES["Approve"]
    assert f"Rehearsal: #{{{plan['Namespace']}.REHEARSAL}}." in approve["Configuration"]["CustomData"]


def test_only_the_apply_project_has_the_apply_role() -> None:
    roles = {name: role_of(project) for name, project in PROJECTS.items()}
    assert roles == {"PlanProject": "PlanRole", "ApplyProject": "ApplyRole", "PullRequestProject": "PullRequestRole"}
    policies = {name: T["Resources"][name]["Properties"]["ManagedPolicyArns"] for name in roles.values()}
    assert [p for role, arns in policies.items() for p in arns if p == {"Ref": "ApplyPolicy"}] == [{"Ref": "ApplyPolicy"}]
    assert {"Ref": "ApplyPolicy"} in policies["ApplyRole"]
    trust = T["Resources"]["ApplyRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"]["StringEquals"]["aws:SourceArn"]["Fn::Sub"].endswith(":project/vend-apply")
    assert PROJECTS["ApplyProject"]["Name"] == "vend-apply"


@pytest.mark.parametrize("role", ["PlanRole", "PullRequestRole"])
def test_the_read_only_roles_cannot_change_the_organization(role: str) -> None:
    """Their only writes are the build's own: logs, pipeline artifacts (and nothing of AWS
    Organizations, StackSets, Control Tower or Service Catalog)."""
    writes = {a for s in statements(T, role) for a in actions(s) if not is_read_operation(a.split(":")[1]) and a != BUDGETS_VIEW}
    assert writes == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "s3:PutObject",
                      "codeconnections:UseConnection"}
    puts = [s["Resource"] for s in statements(T, role) if "s3:PutObject" in actions(s)]
    snapshot = {"Fn::Sub": "arn:aws:s3:::vend-lock-${AWS::AccountId}/vend/live-snapshot.json"}
    # The Plan stage publishes the live snapshot; pull-request builds run the pull request's own
    # buildspec, so their role must not be able to write it (a forged snapshot hides drift).
    assert puts == [{"Fn::Sub": "${ArtifactBucket.Arn}/*"}] + ([snapshot] if role == "PlanRole" else [])


def test_the_apply_role_writes_the_apply_marker_that_every_plan_reads() -> None:
    marker = {"Fn::Sub": "arn:aws:s3:::vend-lock-${AWS::AccountId}/vend/last-apply.json"}
    puts = [s["Resource"] for s in statements(T, "ApplyRole") if "s3:PutObject" in actions(s)]
    assert marker in puts
    for role in ("PlanRole", "PullRequestRole", "ApplyRole"):
        gets = [s["Resource"] for s in statements(T, role) if s.get("Sid") == "LiveSnapshot"]
        assert gets and all(marker in resources for resources in gets), role


def test_only_the_plan_stage_publishes_the_live_snapshot() -> None:
    inline, = T["Resources"]["PlanRole"]["Properties"]["Policies"]
    statement, = inline["PolicyDocument"]["Statement"]
    statement = {**statement, "Resource": statement["Resource"]["Fn::Sub"]}
    assert statement == publish_snapshot_statement(PIPELINE_SETTINGS)
    assert "Policies" not in T["Resources"]["ApplyRole"]["Properties"]
    plan_spec = (TEMPLATE.parents[1] / "pipeline/buildspecs/plan.yml").read_text()
    pr_spec = (TEMPLATE.parents[1] / "pipeline/buildspecs/pull-request.yml").read_text()
    assert "vend plan --out plan.json --publish-snapshot" in plan_spec
    assert "--publish-snapshot" not in pr_spec


@pytest.mark.parametrize("role,policy_name", [("plan", "PlanPolicy"), ("apply", "ApplyPolicy")])
def test_the_roles_policies_are_vend_iam_policy(role: str, policy_name: str) -> None:
    """`vend iam-policy plan|apply`, with vend.yaml naming the template's buckets, is exactly the
    template's policy (regenerate the template's statements from it when this fails)."""
    document = T["Resources"][policy_name]["Properties"]["PolicyDocument"]
    for statement in document["Statement"]:
        if isinstance(statement["Resource"], dict):
            statement["Resource"] = statement["Resource"]["Fn::Sub"]
        elif isinstance(statement["Resource"], list):
            statement["Resource"] = [r["Fn::Sub"] if isinstance(r, dict) else r for r in statement["Resource"]]
    assert document == policy(role, PIPELINE_SETTINGS)  # type: ignore[arg-type]


def test_pull_requests_build_on_their_events_into_the_applied_branch() -> None:
    project = PROJECTS["PullRequestProject"]
    assert project["Source"]["Auth"]["Type"] == "CODECONNECTIONS"
    assert project["Triggers"]["Webhook"] is True
    group, = project["Triggers"]["FilterGroups"]
    filters = {f["Type"]: f["Pattern"] for f in group}
    assert filters["EVENT"].replace(" ", "").split(",") == ["PULL_REQUEST_CREATED", "PULL_REQUEST_UPDATED",
                                                             "PULL_REQUEST_REOPENED"]
    assert filters["BASE_REF"] == {"Fn::Sub": "^refs/heads/${BranchName}$"}
    token = [v for v in project["Environment"]["EnvironmentVariables"] if v["Name"] == "GITHUB_TOKEN"]
    assert token == [{"Name": "GITHUB_TOKEN", "Type": "SECRETS_MANAGER", "Value": {"Ref": "GitHubTokenSecretArn"}}]


def test_control_tower_lifecycle_events_and_a_schedule_start_the_pipeline() -> None:
    rules = resources(T, "AWS::Events::Rule")
    assert rules["ControlTowerLifecycleRule"]["EventPattern"] == {
        "source": ["aws.controltower"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        "detail": {"eventName": ["CreateManagedAccount", "UpdateManagedAccount", "RegisterOrganizationalUnit"]},
    }
    assert rules["ScheduleRule"]["ScheduleExpression"] == {"Ref": "ScheduleExpression"}
    pipeline_arn = {"Fn::Sub": "arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:${Pipeline}"}
    for rule in rules.values():
        assert rule["Targets"] == [{"Id": "vend-pipeline", "Arn": pipeline_arn, "RoleArn": {"Fn::GetAtt": ["EventsRole", "Arn"]}}]
    start, = statements(T, "EventsRole")
    assert (start["Action"], start["Resource"]) == ("codepipeline:StartPipelineExecution", pipeline_arn)


def test_the_buckets_are_the_ones_vend_yaml_names() -> None:
    buckets = resources(T, "AWS::S3::Bucket")
    assert buckets["LockBucket"]["BucketName"] == {"Fn::Sub": "vend-lock-${AWS::AccountId}"}
    assert buckets["LockBucket"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert buckets["TemplateBucket"]["BucketName"] == {"Fn::Sub": "vend-templates-${AWS::AccountId}"}


def test_the_projects_run_the_buildspec_files() -> None:
    specs = {name: p["Source"]["BuildSpec"] for name, p in PROJECTS.items()}
    assert specs == {"PlanProject": "pipeline/buildspecs/plan.yml", "ApplyProject": "pipeline/buildspecs/apply.yml",
                     "PullRequestProject": "pipeline/buildspecs/pull-request.yml"}
    assert all((TEMPLATE.parents[1] / spec).is_file() for spec in specs.values())
