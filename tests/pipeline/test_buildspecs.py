"""Each buildspec's commands, run as CodeBuild runs them, against the embedded organization.

The example organization (without its baselines, for speed) is a git repository on `main`; its
local AWS state lives outside the checkout, so the pull request's shallow clone and the
pipeline's checkout plan the same organization, as CodeBuild's do the real one.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Iterator

import git
import pytest

from tests.e2e.conftest import EXAMPLE_PARTS, REPO_ROOT, without_baselines
from tests.e2e.fake_github import TOKEN, FakeGitHub, serve
from tests.pipeline.buildspecs import INSTALL, Build, run, shims, spec

PR = 42
NEW_ACCOUNT = """\
name: analytics-prod
email: aws+analytics-prod@example.com
ou: Workloads/Prod
owner: analytics-team@example.com
tags:
  cost-center: analytics
  application: analytics
"""


@pytest.fixture
def origin(tmp_path: Path) -> git.Repo:
    """The example on `main`, its local organization's state in tmp_path/state."""
    repo_dir = tmp_path / "origin"
    repo_dir.mkdir()
    for part in EXAMPLE_PARTS:
        source = REPO_ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, repo_dir / part)
    without_baselines(repo_dir)
    shutil.copy(REPO_ROOT / "request-policy.yaml", repo_dir / "request-policy.yaml")
    settings = repo_dir / "vend.yaml"
    settings.write_text(settings.read_text().replace("state_dir: .vend", f"state_dir: {tmp_path / 'state'}"))
    assert str(tmp_path / "state") in settings.read_text()
    repo = git.Repo.init(repo_dir, initial_branch="main")
    repo.git.add("-A")
    repo.git.commit("-m", "the organization", "--author", "Test <test@example.com>")
    return repo


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    return shims(tmp_path / "build")


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    server = serve(fake)
    yield fake
    server.shutdown()


def test_every_buildspec_installs_vend_and_nothing_else() -> None:
    for name in ("plan.yml", "apply.yml", "pull-request.yml"):
        data = spec(name)
        assert (data["version"], data["env"]["shell"], data["phases"]["install"]["commands"]) == (0.2, "bash", INSTALL)


def test_the_pipeline_plans_then_applies_exactly_the_approved_plan(origin: git.Repo, bin_dir: Path, tmp_path: Path) -> None:
    checkout = Path(origin.working_dir)
    planned = run("plan.yml", checkout, bin_dir, {
        "CODEBUILD_BUILD_NUMBER": "7", "PLAN_BUCKET": "vend-artifacts", "AWS_REGION": "us-east-1"})
    assert planned.code == 0, planned.output
    plan = json.loads((checkout / "plan.json").read_text())
    assert plan["git_commit"] == origin.head.commit.hexsha
    assert any(c["address"] == "account:sandbox-alice" for c in plan["changes"])
    markdown = (checkout / "plan.md").read_text()
    assert "sandbox-alice" in markdown
    assert planned.exported["PLAN_SUMMARY"].startswith("Plan: ") and "to add" in planned.exported["PLAN_SUMMARY"]
    assert planned.exported["PLAN_URL"] == ("https://console.aws.amazon.com/s3/object/vend-artifacts"
                                            "?region=us-east-1&prefix=plans/7/plan.md")
    assert (bin_dir.parent / "s3/vend-artifacts/plans/7/plan.md").read_text() == markdown  # what the link shows
    # Rehearsed before approval (REHEARSE unset: the template's default, true), shown below the plan.
    assert planned.exported["REHEARSAL"] == "passed"
    rehearsal = (checkout / "rehearsal.txt").read_text()
    assert f"Applied {len(plan['changes'])} of {len(plan['changes'])} change(s); 0 refused, 0 skipped." in rehearsal
    assert (bin_dir.parent / "s3/vend-artifacts/plans/7/rehearsal.txt").read_text() == rehearsal
    assert markdown.endswith(f"\n## Rehearsal: passed\n\n```\n{rehearsal.rstrip()}\n```\n")

    artifact = tmp_path / "PlanOutput"  # CodePipeline hands the Plan action's artifact to Apply
    artifact.mkdir()
    for name in ("plan.json", "plan.md", "rehearsal.txt"):
        shutil.move(checkout / name, artifact / name)
    applied = run("apply.yml", checkout, bin_dir, {"CODEBUILD_SRC_DIR_PlanOutput": str(artifact)})
    assert applied.code == 0, applied.output
    assert "Apply complete" in applied.output and "0 failed" in applied.output

    again = run("apply.yml", checkout, bin_dir, {"CODEBUILD_SRC_DIR_PlanOutput": str(artifact)})
    assert again.code == 1
    assert "plan is stale, run vend plan again" in again.output
    replanned = run("plan.yml", checkout, bin_dir, {
        "CODEBUILD_BUILD_NUMBER": "8", "PLAN_BUCKET": "vend-artifacts", "AWS_REGION": "us-east-1"})
    assert replanned.code == 0, replanned.output
    assert replanned.exported["PLAN_SUMMARY"] == "No changes. Your organization matches the repository."


PLAN_BUILD = {"CODEBUILD_BUILD_NUMBER": "9", "PLAN_BUCKET": "vend-artifacts", "AWS_REGION": "us-east-1"}


def test_a_plan_the_rehearsal_refuses_stops_before_approval_with_its_report(origin: git.Repo, bin_dir: Path) -> None:
    checkout = Path(origin.working_dir)
    settings = checkout / "vend.yaml"  # the local target's faults: AWS refuses the first new OU
    settings.write_text(settings.read_text().replace("  state_dir:", "  faults:\n    fail: [{operation:"
                                                     " CreateOrganizationalUnit, on_call: 1}]\n  state_dir:"))

    planned = run("plan.yml", checkout, bin_dir, {**PLAN_BUILD, "REHEARSE": "true"})

    assert planned.code == 1
    assert planned.output.endswith("vend rehearse plan.json failed (rehearsal.txt above): not asking for approval.\n")
    rehearsal = (checkout / "rehearsal.txt").read_text()
    assert ": CreateOrganizationalUnit -> ServiceException: Organizations can't complete your request" in rehearsal
    assert rehearsal in planned.output  # in the build's log
    assert (bin_dir.parent / "s3/vend-artifacts/plans/9/rehearsal.txt").read_text() == rehearsal
    assert "## Rehearsal: failed" in (bin_dir.parent / "s3/vend-artifacts/plans/9/plan.md").read_text()


def test_rehearse_false_skips_the_rehearsal(origin: git.Repo, bin_dir: Path) -> None:
    checkout = Path(origin.working_dir)
    planned = run("plan.yml", checkout, bin_dir, {**PLAN_BUILD, "REHEARSE": "false"})
    assert planned.code == 0, planned.output
    assert planned.exported["REHEARSAL"] == "skipped"
    assert (checkout / "rehearsal.txt").read_text() == "Not rehearsed: the pipeline's parameter Rehearse is false.\n"
    assert "Rehearsed " not in planned.output


def _pull_request(origin: git.Repo, tmp_path: Path) -> Path:
    """A pull request adding analytics-prod to main, cloned the way CodeBuild clones it
    (shallow, the pull request's branch only)."""
    origin.git.checkout("-b", "feature")
    (Path(origin.working_dir) / "accounts/analytics-prod.yaml").write_text(NEW_ACCOUNT)
    origin.git.add("-A")
    origin.git.commit("-m", "analytics-prod", "--author", "Test <test@example.com>")
    origin.git.checkout("main")
    clone = tmp_path / "clone"
    git.Repo.clone_from(f"file://{origin.working_dir}", clone, depth=1, branch="feature")
    return clone


def _pr_build(clone: Path, bin_dir: Path, github: FakeGitHub) -> Build:
    return run("pull-request.yml", clone, bin_dir, {
        "CODEBUILD_WEBHOOK_TRIGGER": f"pr/{PR}", "CODEBUILD_WEBHOOK_BASE_REF": "refs/heads/main",
        "GITHUB_REPOSITORY": "acme/org", "GITHUB_API_URL": github.url, "GITHUB_TOKEN": TOKEN,
        "CODEBUILD_BUILD_URL": "https://console.aws.amazon.com/codesuite/codebuild/builds/1"})


def test_a_pull_request_is_validated_planned_against_its_base_commented_and_checked(
        origin: git.Repo, bin_dir: Path, tmp_path: Path, github: FakeGitHub) -> None:
    clone = _pull_request(origin, tmp_path)

    github.pulls[PR] = {"number": PR, "user": {"login": "alice"}, "labels": []}
    refused = _pr_build(clone, bin_dir, github)
    assert refused.code == 1, refused.output
    assert "R001" in refused.output and "prod-approved" in refused.output
    comment, = github.comments[PR]  # posted before the check failed
    assert "analytics-prod" in comment["body"]

    github.pulls[PR]["labels"] = [{"name": "prod-approved"}]
    passed = _pr_build(clone, bin_dir, github)
    assert passed.code == 0, passed.output
    assert [c["id"] for c in github.comments[PR]] == [comment["id"]]  # the same comment, edited
    assert ("GET", f"/repos/acme/org/pulls/{PR}") in github.requests
    plan = json.loads((clone / "plan.json").read_text())
    mine = {c["address"]: c.get("origin") for c in plan["changes"]}
    assert mine["account:analytics-prod"] == "pr"
    assert mine["account:sandbox-alice"] != "pr"  # pending on main (never applied), not the pull request's
