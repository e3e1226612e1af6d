"""Pull-request commands: the plan comment, the request policy check and CODEOWNERS."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from vending.cli.app import EXIT_ERROR, cli
from vending.errors import ConfigError
from vending.plan.changes import Plan


@cli.command("comment")
@click.option("--plan", "plan_file", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The saved plan (vend plan --base REF --out plan.json).")
@click.option("--github-repo", metavar="OWNER/NAME", help="GitHub: the repository of the pull request.")
@click.option("--gitlab-project", metavar="ID|PATH", help="GitLab: the project of the merge request (id or group/name).")
@click.option("--pr", "number", required=True, type=click.IntRange(min=1),
              help="The pull request's number (GitLab: the merge request's iid).")
@click.option("--full-plan-url", metavar="URL", help="Where the full plan is (e.g. the CI artifact), linked from the comment.")
@click.option("--github-api-url", default="https://api.github.com", show_default=True,
              help="GitHub Enterprise Server: https://HOST/api/v3.")
@click.option("--gitlab-api-url", default="https://gitlab.com/api/v4", show_default=True,
              help="Self-managed GitLab: https://HOST/api/v4.")
def comment_cmd(plan_file: Path, github_repo: str | None, gitlab_project: str | None, number: int,
                full_plan_url: str | None, github_api_url: str, gitlab_api_url: str) -> None:
    """Post the plan as the pull request's one vend comment, or edit it.

    The token is read from GITHUB_TOKEN (GitHub) or GITLAB_TOKEN (GitLab).

    \b
    Example, in a pull-request build:
      vend plan --base origin/main --out plan.json
      vend comment --plan plan.json --github-repo acme/org --pr 42 --full-plan-url "$ARTIFACT_URL"
    """
    from vending.github_api import GitHub
    from vending.gitlab_api import GitLab
    from vending.pr_comment import CodeHost, body, post

    if (github_repo is None) == (gitlab_project is None):
        raise click.UsageError("give exactly one of --github-repo OWNER/NAME and --gitlab-project ID|PATH")
    if github_repo is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", github_repo):
        raise click.BadParameter(f"{github_repo!r} is not OWNER/NAME", param_hint="--github-repo")
    variable = "GITHUB_TOKEN" if github_repo else "GITLAB_TOKEN"
    token = os.environ.get(variable, "")
    if not token:
        raise ConfigError(f"set {variable} to a token that may write the pull request's comments")
    host: CodeHost = GitHub(token, github_api_url) if github_repo else GitLab(token, gitlab_api_url)
    where = github_repo or str(gitlab_project)
    text = body(Plan.loads(plan_file.read_text()).to_json(), full_plan_url=full_plan_url, limit=host.limit)
    posted = post(host, where, number, text)
    mark = "#" if github_repo else "!"
    click.echo(f"Plan comment {posted.action} on {where}{mark}{number} ({len(text):,} characters)"
               + (f": {posted.url}" if posted.url else "."))


@cli.command("check")
@click.option("--base", "base_ref", required=True, help="The git ref the pull request merges into (e.g. origin/main).")
@click.option("--label", "labels", multiple=True, help="A label of the pull request (repeat for each).")
@click.option("--author", help="The pull request's author (GitHub login).")
@click.pass_obj
def check_cmd(repo: Path, base_ref: str, labels: tuple[str, ...], author: str | None) -> None:
    """Check what the working tree changes since --base against request-policy.yaml; no AWS call.

    \b
    Example, in a pull request's CI job:
      vend check --base origin/main --label prod-approved --author alice
    """
    from vending.policy.check import check

    result = check(repo, base_ref, list(labels), author)
    for finding in result.findings:
        click.echo(finding.format())
    if result.findings:
        click.echo(f"{len(result.findings)} finding(s) of the request policy ({result.policy_file}).")
    else:
        new = len(result.changes.new_accounts)
        click.echo(f"Request policy satisfied ({result.policy_file}): {new} new account(s), "
                   f"{len(result.changed_files)} file(s) changed since {base_ref}.")
    for owners, files in result.reviews:
        click.echo(f"Review needed from {' '.join(owners)}: {', '.join(files)}")
    if result.findings:
        sys.exit(EXIT_ERROR)


@cli.command("codeowners")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write (default: the CODEOWNERS GitHub reads at the git root, else .github/CODEOWNERS).")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 when the file is out of date.")
@click.pass_obj
def codeowners_cmd(repo: Path, out: Path | None, check_only: bool) -> None:
    """Write CODEOWNERS from the reviewers of request-policy.yaml.

    \b
    Examples:
      vend codeowners            # writes .github/CODEOWNERS
      vend codeowners --check    # in CI: exit 1 when it is out of date
    """
    from vending.policy.check import codeowners_file

    wanted = codeowners_file(repo, out)
    if wanted.current():
        click.echo(f"{wanted.path} is up to date.")
        return
    if check_only:
        state = "out of date" if wanted.path.exists() else "missing"
        click.echo(f"{wanted.path} is {state}: run vend codeowners and commit it.", err=True)
        sys.exit(EXIT_ERROR)
    wanted.path.parent.mkdir(parents=True, exist_ok=True)
    wanted.path.write_text(wanted.text, encoding="utf-8")
    click.echo(f"Wrote {wanted.path}.")
