"""`vend apply` under the apply lock, with progress and a report, and `vend force-unlock`."""
from __future__ import annotations

import getpass
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vending import engine, snapshots
from vending.apply.context import ApplyContext
from vending.apply.executor import ApplyReport, Outcome
from vending.apply.lock import Holder, PlanRef
from vending.cli.app import EXIT_ERROR, cli, compute, err
from vending.errors import ApprovalNeeded
from vending.model.loader import load
from vending.model.types import DesiredOrg
from vending.plan.changes import Plan
from vending.render import render
from vending.target import Connection, connect


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
        plan, live = compute(desired, repo, connection)
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
    _mark_applied(desired, repo, connection, plan)
    try:
        report = _apply_with_progress(plan, ctx, desired)
    finally:
        _mark_applied(desired, repo, connection, plan)
    _print_report(report)
    return report


def _mark_applied(desired: DesiredOrg, repo: Path, connection: Connection, plan: Plan) -> None:
    """The apply marker, so the next incremental plan reads in full while CloudTrail may not
    have delivered this apply's events yet; a marker not written is only a warning."""
    for missed in snapshots.mark_applied(repo, desired.settings, connection.clients, snapshots.now(), plan.target):
        click.echo(f"Warning: {missed}", err=True)


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
