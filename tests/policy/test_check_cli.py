"""`vend check` end to end: exit codes and output, and git as CI has it (a merge base, a shallow
clone with only REF fetched, uncommitted files, a vend repository in a sub-folder of git)."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import git

from tests.e2e.conftest import EXAMPLE_PARTS, REPO_ROOT
from tests.policy.repo import PrRepo, account

PROD = {"accounts/db-prod.yaml": account("db-prod", ou="Prod")}


def test_findings_exit_1_with_a_summary(pr: PrRepo, vend) -> None:
    pr.write(PROD)
    pr.commit("add db-prod")
    result = vend(pr.root, "check", "--base", "main")
    assert result.code == 1
    assert result.out == (
        "accounts/db-prod.yaml:3: R001 ou: new account db-prod in Prod needs the label prod-approved"
        " (rule for Prod and the OUs below it)\n    hint: add the label prod-approved to the pull request\n"
        "1 finding(s) of the request policy (main:request-policy.yaml).\n"
        "Review needed from @alice: accounts/db-prod.yaml\n"
    )


def test_satisfied_exits_0(pr: PrRepo, vend) -> None:
    pr.write(PROD)
    pr.commit("add db-prod")
    result = vend(pr.root, "check", "--base", "main", "--label", "prod-approved", "--author", "bob")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Request policy satisfied (main:request-policy.yaml): 1 new account(s), 1 file(s) changed since main.\n"
        "Review needed from @alice: accounts/db-prod.yaml\n"
    )


def test_invalid_repository_is_reported_as_validate_does(pr: PrRepo, vend) -> None:
    pr.write({"accounts/db-prod.yaml": account("db-prod", ou="Nowhere")})
    result = vend(pr.root, "check", "--base", "main")
    assert result.code == 1
    assert result.err.startswith("accounts/db-prod.yaml:3: V106 ou: ")
    assert result.err.endswith("1 problem(s); nothing was read from or sent to AWS.\n")


def test_unknown_ref_and_no_git_are_one_message(pr: PrRepo, vend, tmp_path: Path) -> None:
    result = vend(pr.root, "check", "--base", "origin/nope")
    assert (result.code, result.err) == (1, "Error: git does not know origin/nope: fetch it first (in a shallow CI"
                                            " clone: git fetch --depth=1 origin <branch>), or name a branch, tag or"
                                            " commit\n")
    plain = tmp_path / "plain"
    shutil.copytree(pr.root, plain, ignore=shutil.ignore_patterns(".git"))
    result = vend(plain, "check", "--base", "main")
    assert (result.code, result.err) == (1, f"Error: {plain} is not in a git repository: vend check --base compares"
                                            " the working tree with a git ref, so run it in a clone\n")


def test_uncommitted_and_untracked_files_count(pr: PrRepo) -> None:
    pr.write({**PROD, "accounts/app.yaml": account("app", extra="state: suspended\n")})
    result = pr.check()
    assert result.changed_files == ("accounts/app.yaml", "accounts/db-prod.yaml")
    assert [d.code for d in result.findings] == ["R006", "R001"]


def test_changes_merged_into_the_base_since_the_branch_are_not_the_pull_requests(pr: PrRepo) -> None:
    pr.write({"accounts/app.yaml": account("app", extra="tags:\n  cost-center: payments\n")})
    pr.commit("retag app")
    pr.git.git.checkout("main")
    pr.write({"accounts/api-prod.yaml": account("api-prod", ou="Prod"),
              "accounts/web-prod.yaml": account("web-prod", ou="Prod", extra="state: closed\n")})
    pr.commit("main moves on")
    pr.git.git.checkout("pr")
    result = pr.check()
    assert (result.findings, result.changed_files) == ([], ("accounts/app.yaml",))
    # Against main's tip instead, the pull request would seem to re-open web-prod and drop api-prod.
    assert [d.code for d in pr.check(base=pr.git.commit("main").hexsha).findings] == []


def test_shallow_clone_with_only_the_base_fetched(pr: PrRepo, tmp_path: Path) -> None:
    pr.write(PROD)
    pr.commit("add db-prod")
    clone = git.Repo.clone_from(f"file://{pr.top}", tmp_path / "ci", depth=1, branch="pr")
    clone.git.fetch("--depth=1", "origin", "main:refs/remotes/origin/main")
    assert clone.git.rev_parse("--is-shallow-repository") == "true"
    from vending.policy.check import check

    result = check(tmp_path / "ci", "origin/main", [])
    assert [d.format().splitlines()[0] for d in result.findings] == [
        "accounts/db-prod.yaml:3: R001 ou: new account db-prod in Prod needs the label prod-approved"
        " (rule for Prod and the OUs below it)"]
    assert result.policy_file == "origin/main:request-policy.yaml"
    assert result.changed_files == ("accounts/db-prod.yaml",)


def test_vend_repository_in_a_sub_folder_of_git(make_pr, vend) -> None:
    repo = make_pr(inside="org")
    (repo.top / "README.md").write_text("not vend's\n")
    repo.write(PROD)
    result = repo.check()
    assert result.changed_files == ("accounts/db-prod.yaml",)
    assert [d.format().splitlines()[0] for d in result.findings] == [
        "accounts/db-prod.yaml:3: R001 ou: new account db-prod in Prod needs the label prod-approved"
        " (rule for Prod and the OUs below it)"]
    assert vend(repo.root, "codeowners").code == 0
    repo.commit("codeowners")
    (repo.top / ".github" / "CODEOWNERS").write_text("* @someone\n")
    assert [d.format().splitlines()[0] for d in repo.check("prod-approved").findings] == [
        "../.github/CODEOWNERS:1: R009 this file does not match the reviewers of request-policy.yaml"]


def test_the_example_passes_with_the_right_labels(tmp_path: Path, vend) -> None:
    """The issue's story: a pull request adds accounts/analytics-prod.yaml in Workloads/Prod."""
    repo = PrRepo(tmp_path / "example")
    for part in (*EXAMPLE_PARTS, "request-policy.yaml"):
        source = REPO_ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, repo.root / part)
    repo.commit("the example organization")
    repo.branch("analytics-prod")
    repo.write({"accounts/analytics-prod.yaml": (
        "name: analytics-prod\nemail: aws+analytics-prod@example.com\nou: Workloads/Prod\n"
        "owner: analytics-team@example.com\ntags:\n  cost-center: analytics\n  application: analytics\n"
        "network:\n  us-east-1: 10.0.32.0/20\n  eu-west-1: 10.8.32.0/20\n")})
    repo.commit("request analytics-prod")
    refused = vend(repo.root, "check", "--base", "main")
    assert refused.code == 1
    assert refused.out.splitlines()[:2] == [
        "accounts/analytics-prod.yaml:3: R001 ou: new account analytics-prod in Workloads/Prod needs the label"
        " prod-approved (rule for Workloads/Prod and the OUs below it)",
        "    hint: add the label prod-approved to the pull request"]
    passed = vend(repo.root, "check", "--base", "main", "--label", "prod-approved")
    assert passed.code == 0
    assert passed.out == (
        "Request policy satisfied (main:request-policy.yaml): 1 new account(s), 1 file(s) changed since main.\n"
        "Review needed from @example-org/platform-team @example-org/prod-approvers: accounts/analytics-prod.yaml\n")


def test_policy_package_never_imports_the_aws_sdk() -> None:
    package = REPO_ROOT / "vending" / "policy"
    imported = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0])
    assert not imported & {"boto3", "botocore"}
    loaded = subprocess.run([sys.executable, "-c", "import sys, vending.policy.check;"
                             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"],
                            capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert loaded.stdout == "[]\n"
