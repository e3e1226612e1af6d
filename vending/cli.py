"""`vend`: argv -> library call -> render -> exit code. The only module that prints or exits."""
from __future__ import annotations

import getpass
import os
import re
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vending import __version__, engine
from vending.apply.context import ApplyContext
from vending.apply.executor import ApplyReport, Outcome
from vending.apply.lock import Holder, PlanRef
from vending.errors import ApprovalNeeded, ConfigError, PlanError, ValidationFailed, VendError
from vending.model.live import LiveOrg
from vending.model.loader import load, validate
from vending.model.types import DesiredOrg
from vending.plan.changes import Plan
from vending.render import render
from vending.target import Connection, connect

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
err = Console(stderr=True, highlight=False, soft_wrap=True)
"""soft_wrap: progress and report lines are never broken at 80 columns in CI logs or pipes."""


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        err.print("Aborted.")
        sys.exit(EXIT_ERROR)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ValidationFailed as exc:
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(), err=True)
        click.echo(f"{len(exc.diagnostics)} problem(s); nothing was read from or sent to AWS.", err=True)
        sys.exit(EXIT_ERROR)
    except PlanError as exc:
        click.echo("Error: the repository cannot be applied to this organization:", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(EXIT_ERROR)
    except VendError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--repo",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The repository holding vend.yaml, ous/, accounts/ and policies/.",
)
@click.version_option(__version__, prog_name="vend")
@click.pass_context
def cli(ctx: click.Context, repo: Path) -> None:
    """GitOps account vending for AWS Organizations.

    \b
    Example, against the embedded local organization:
      vend validate && vend plan --out plan.json && vend apply plan.json
    """
    ctx.obj = repo.resolve()


@cli.command("validate")
@click.pass_obj
def validate_cmd(repo: Path) -> None:
    """Check the repository without calling AWS; report every problem at once.

    \b
    Example:
      vend validate   # exit 0 when valid, 1 with file:line: CODE field: message lines
    """
    diagnostics = validate(repo)
    if any(d.severity == "error" for d in diagnostics):
        raise ValidationFailed(diagnostics)
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)
    click.echo("The repository is valid." + (f" ({len(diagnostics)} warning(s))" if diagnostics else ""))


@cli.command("allocate")
@click.pass_obj
def allocate_cmd(repo: Path) -> None:
    """Write missing IP allocations (vend.yaml ip_plan) into the account files; idempotent.

    \b
    Example:
      vend allocate && git diff accounts/   # only the new network lines change
    """
    from vending.allocate import allocate

    written = allocate(repo)
    for item in written:
        click.echo(f"{item.file}: network.{item.region}: {item.cidr}")
    click.echo(f"Allocated {len(written)} block(s)." if written else "Nothing to allocate: every account has its blocks.")


@cli.command("plan")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan (JSON) for `vend apply`.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 for no changes, 1 on error, 2 when there are changes.")
@click.option("--base", "base", metavar="REF",
              help="Mark each change as this branch's or already pending on REF (or drift), e.g. origin/main.")
@click.pass_obj
def plan_cmd(repo: Path, out: Path | None, fmt: str, detailed_exitcode: bool, base: str | None) -> None:
    """Compare the repository with the live organization; change nothing.

    \b
    Examples:
      vend plan --out plan.json --format markdown --detailed-exitcode
      vend plan --base origin/main --format markdown   # in a pull request
    """
    desired = load(repo)
    with connect(desired.settings, repo) as connection:
        if base is None:
            plan, _ = _compute(desired, repo, connection, saving=out is not None)
        else:
            with err.status(f"Reading the organization from {connection.description}..."):
                plan, _ = engine.plan_with_base(
                    desired, repo, base, connection.clients, git_commit=engine.git_commit(repo),
                    target=connection.description, saving=out is not None,
                )
    if out:
        out.write_text(plan.dumps())
    click.echo(render(plan.to_json(), fmt), nl=False)
    if out:
        err.print(f"Saved the plan to {out}; apply exactly it with: vend apply {out}", markup=False)
    if detailed_exitcode and plan.has_changes:
        sys.exit(EXIT_CHANGES)


@cli.command("apply")
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Do not ask before applying a freshly computed plan.")
@click.option("--allow-destroy", is_flag=True, help="Allow closing accounts and deleting OUs.")
@click.pass_obj
def apply_cmd(repo: Path, plan_file: Path | None, auto_approve: bool, allow_destroy: bool) -> None:
    """Apply a saved plan exactly, or plan, show and ask; under the apply lock.

    \b
    Examples:
      vend apply plan.json                 # refuses a stale plan
      vend apply --auto-approve            # plan and apply in one go
    """
    desired = load(repo)
    saved = Plan.loads(plan_file.read_text()) if plan_file is not None else None
    ref = (PlanRef(saved.fingerprint, saved.git_commit, str(plan_file)) if saved
           else PlanRef(git_commit=engine.git_commit(repo)))
    with connect(desired.settings, repo) as connection, _terminate_like_ctrl_c():
        lock = engine.apply_lock(connection.clients, desired.settings)
        with lock.held(_holder(connection), ref):
            report = _apply_locked(desired, repo, connection, saved, auto_approve, allow_destroy)
    if report is not None and not report.ok:
        sys.exit(EXIT_ERROR)


def _apply_locked(
    desired: DesiredOrg, repo: Path, connection: Connection, saved: Plan | None, auto_approve: bool,
    allow_destroy: bool,
) -> ApplyReport | None:
    """Everything `vend apply` reads and changes, which the apply lock covers."""
    live = None
    plan = saved
    if plan is None:
        plan, live = _compute(desired, repo, connection)
        click.echo(render(plan.to_json(), "text"), nl=False)
        if plan.has_changes and not auto_approve:
            if not sys.stdin.isatty():
                raise ApprovalNeeded(
                    "the plan has changes to approve and there is no terminal to ask: pass"
                    " --auto-approve, or save the plan with `vend plan --out plan.json`, review"
                    " it and apply exactly it with `vend apply plan.json`"
                )
            click.confirm("\nDo you want to perform these actions?", abort=True)
    if not plan.has_changes:
        click.echo("No changes to apply.")
        return None
    ctx = engine.prepare_apply(
        plan, connection.clients, desired.settings,
        allow_destroy=allow_destroy, polling=connection.polling, live=live,
    )
    report = _apply_with_progress(plan, ctx, desired)
    _print_report(report)
    return report


@cli.command("force-unlock")
@click.argument("lock_id")
@click.pass_obj
def force_unlock_cmd(repo: Path, lock_id: str) -> None:
    """Break the apply lock that a killed `vend apply` left behind.

    Only the lock whose id is given is removed: `vend apply` shows it when the lock is held.
    Make sure that apply no longer runs first.

    \b
    Example:
      vend force-unlock 0b6f1a52-8d1e-4c7a-9f3e-2a5d4c3b1e07
    """
    desired = load(repo)
    with connect(desired.settings, repo) as connection:
        lock = engine.apply_lock(connection.clients, desired.settings)
        broken = lock.force_unlock(lock_id)
        click.echo(f"Released the apply lock at {lock.where}: {broken.describe(lock.clock())}.")
    click.echo("Run vend plan: it shows what that apply left to do, and vend apply converges.")


def _holder(connection: Connection) -> Holder:
    """Who this apply is, for the lock: the principal, and this process's user, host and pid."""
    try:
        user: str | None = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without /etc/passwd entry)
        user = None
    return Holder(principal=connection.clients.principal(), user=user, host=socket.gethostname(),
                  pid=os.getpid(), build=os.environ.get("CODEBUILD_BUILD_ID"))


@contextmanager
def _terminate_like_ctrl_c() -> Iterator[None]:
    """SIGTERM (CI cancelling a build, `timeout`, `kill`) ends an apply as Ctrl-C does, so its
    lock is released on the way out. Only the main thread may set signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@cli.command("show")
@click.argument("plan_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
def show_cmd(plan_file: Path, fmt: str) -> None:
    """Render a saved plan.

    \b
    Example:
      vend show plan.json --format markdown > plan.md
    """
    click.echo(render(Plan.loads(plan_file.read_text()).to_json(), fmt), nl=False)


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


@cli.command("graph")
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid"]), default="dot", show_default=True)
@click.pass_obj
def graph_cmd(repo: Path, fmt: str) -> None:
    """Print the plan's dependency graph (edges point prerequisite -> dependent).

    \b
    Example:
      vend graph --format dot | dot -Tsvg > plan.svg
    """
    from vending.plan.graph import build_graph
    from vending.plan.graph_export import to_dot, to_mermaid

    desired = load(repo)
    with connect(desired.settings, repo) as connection:
        plan, _ = _compute(desired, repo, connection)
    graph = build_graph(plan.changes)
    click.echo(to_dot(graph) if fmt == "dot" else to_mermaid(graph), nl=False)


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


@cli.group("local")
def local_group() -> None:
    """The embedded local AWS (moto plus vend's emulators), state kept in .vend/."""


@local_group.command("reset")
@click.pass_obj
def local_reset(repo: Path) -> None:
    """Forget the local organization; the next command bootstraps a fresh one.

    \b
    Example:
      vend local reset && vend plan
    """
    from vending.local import reset_state

    desired = load(repo)
    reset_state(repo / desired.settings.target.state_dir)
    click.echo("Local organization reset; the next command starts a fresh landing zone.")


@local_group.command("init")
@click.option("--control-tower", is_flag=True, help="Also set up a Control Tower landing zone.")
@click.pass_obj
def local_init(repo: Path, control_tower: bool) -> None:
    """Create the local organization now (a fresh landing zone), optionally with Control Tower.

    \b
    Example:
      vend local init --control-tower   # Account Factory, registered Security OU, enrolled
                                        # Log Archive and Audit; idempotent
    """
    from vending.local import LocalAws, init_control_tower

    desired = load(repo)
    state_dir = repo / desired.settings.target.state_dir
    if control_tower:
        summary = init_control_tower(state_dir)
        click.echo(f"Control Tower landing zone {summary.landing_zone_arn} (version {summary.version}):")
        click.echo(f"  Account Factory product {summary.account_factory_product_id},"
                   f" {len(summary.registered_ou_arns)} registered OU(s), {len(summary.enrolled)} enrolled account(s)")
    else:
        with LocalAws(state_dir):
            pass
        click.echo(f"Local organization ready in {desired.settings.target.state_dir}/.")


@local_group.command("serve")
@click.option("--port", default=4566, show_default=True, help="Port on 127.0.0.1.")
@click.pass_obj
def local_serve(repo: Path, port: int) -> None:
    """Serve the local organization on 127.0.0.1 for the AWS CLI and other tools.

    \b
    Example:
      vend local serve --port 4566 &
      aws --endpoint-url http://127.0.0.1:4566 organizations list-accounts
    """
    from vending.local import serve

    desired = load(repo)
    settings = desired.settings
    serve(
        repo / settings.target.state_dir,
        host="127.0.0.1",
        port=port,
        control_tower=settings.account_factory == "control-tower",
        account_factory_quota=settings.control_tower.account_concurrency,
        on_ready=lambda url: err.print(f"Serving the local organization on {url} (Ctrl-C to stop);"
                                       " other vend commands can use it meanwhile"),
    )


@cli.command("rehearse")
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_obj
def rehearse_cmd(repo: Path, plan_file: Path | None) -> None:
    """Apply a plan to a scratch copy of the live organization; change nothing in it.

    Reads the organization (read-only), copies it into a temporary local emulator, applies the
    plan there and plans again. Exit 0 when every change applied and the end state's plan is
    empty; 1 when the emulator refused a change, changes are left, or on any error.

    \b
    Examples:
      vend plan --out plan.json && vend rehearse plan.json   # before approving plan.json
      vend rehearse                                         # a plan computed now
    """
    from vending.rehearse.report import render_rehearsal
    from vending.rehearse.run import rehearse

    desired = load(repo)
    saved = Plan.loads(plan_file.read_text()) if plan_file is not None else None
    with err.status("Rehearsing on a scratch copy of the organization..."):
        result = rehearse(desired, repo, saved, git_commit=engine.git_commit(repo))
    click.echo(render_rehearsal(result, str(plan_file) if plan_file else "a plan computed now"), nl=False)
    if not result.ok:
        sys.exit(EXIT_ERROR)


@cli.command("import")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write into (default: the repository, whose vend.yaml is then kept as is).")
@click.option("--ou", "subtree", metavar="PATH", help="Import only this OU and its subtree (e.g. Workloads/Prod).")
@click.pass_obj
def import_cmd(repo: Path, into: Path | None, subtree: str | None) -> None:
    """Describe the live organization as a repository (read-only); never overwrites a file.

    \b
    Example, from a repository whose vend.yaml names the organization:
      vend import --into ../org && vend --repo ../org validate && vend --repo ../org plan
    """
    from datetime import datetime, timezone

    from vending import importer
    from vending.importer import disk
    from vending.importer.render import Settings, relative_state_dir
    from vending.model.types import parse_path

    source = disk.read_settings(repo)
    into = (into or repo).resolve()
    target, keep = source.settings.target, into == repo
    state_dir = None
    if target.kind == "local" and not target.endpoint and not keep:
        state_dir = relative_state_dir(str(repo), target.state_dir, str(into))
    vend_yaml = None if keep else Settings(source.data, state_dir)
    with connect(source.settings, repo) as connection:
        with err.status(f"Reading the organization from {connection.description}..."):
            live = engine.read_live(connection.clients, source.settings)
    imported, chosen = importer.build(live, source.settings, vend_yaml, datetime.now(timezone.utc),
                                      parse_path(subtree) if subtree else None)
    disk.write(into, imported.files)
    for line in chosen.left_out:
        err.print(f"Left out: {line}", markup=False)
    for line in chosen.warnings:
        err.print(f"Warning: {line}", markup=False)
    kept = f" (kept {into / 'vend.yaml'})" if keep else ""
    click.echo(f"Imported {imported.ous} OU(s), {imported.accounts} account(s) and {imported.policies} polic(ies)"
               f" into {into}{kept}; {len(chosen.left_out)} thing(s) left out."
               f" Next: vend --repo {into} validate && vend --repo {into} plan")


def _repo_everywhere(group: click.Group) -> None:
    """`vend plan --repo X` works like `vend --repo X plan`, for every subcommand."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _repo_everywhere(command)
            continue
        command.params.append(click.Option(
            ["--repo"], type=click.Path(file_okay=False, exists=True, path_type=Path), expose_value=False,
            is_eager=True, callback=_set_repo, help="The repository (default: vend --repo, or the current directory).",
        ))


def _set_repo(ctx: click.Context, _: click.Parameter, repo: Path | None) -> None:
    if repo is not None:
        ctx.obj = repo.resolve()


def _compute(desired: DesiredOrg, repo: Path, connection: Connection, *, saving: bool = False) -> tuple[Plan, LiveOrg]:
    with err.status(f"Reading the organization from {connection.description}..."):
        return engine.plan(
            desired, connection.clients, git_commit=engine.git_commit(repo), target=connection.description,
            saving=saving,
        )


def _apply_with_progress(plan: Plan, ctx: ApplyContext, desired: DesiredOrg) -> ApplyReport:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("Applying", total=len(plan.changes))

        def advance(outcome: Outcome) -> None:
            progress.advance(task)
            progress.console.print(f"  {outcome.status:>8}  {outcome.address}: {outcome.detail}", markup=False)

        return engine.apply(plan, ctx, desired.settings, progress=advance)


def _print_report(report: ApplyReport) -> None:
    applied, failed, skipped = (report.by_status(s) for s in ("applied", "failed", "skipped"))
    for outcome in failed:
        click.echo(f"Failed: {outcome.address}: {outcome.detail}", err=True)
    for outcome in skipped:
        click.echo(f"Skipped: {outcome.address}: {outcome.detail}", err=True)
    click.echo(f"Apply complete: {len(applied)} applied, {len(failed)} failed, {len(skipped)} skipped.")
    if not report.ok:
        click.echo("Run `vend plan` again: it shows what is left, and `vend apply` converges.", err=True)


_repo_everywhere(cli)
