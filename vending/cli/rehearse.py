"""`vend rehearse`: a plan applied to a scratch copy of the organization (vending.rehearse)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from vending import engine
from vending.cli.app import EXIT_ERROR, cli, err
from vending.model.loader import load
from vending.plan.changes import Plan


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
    from vending.rehearse.report import render_rehearsal  # moto: only when rehearsing (start-up)
    from vending.rehearse.run import rehearse

    desired = load(repo)
    saved = Plan.loads(plan_file.read_text()) if plan_file is not None else None
    with err.status("Rehearsing on a scratch copy of the organization..."):
        result = rehearse(desired, repo, saved, git_commit=engine.git_commit(repo))
    click.echo(render_rehearsal(result, str(plan_file) if plan_file else "a plan computed now"), nl=False)
    if not result.ok:
        sys.exit(EXIT_ERROR)
