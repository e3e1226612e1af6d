"""`vend catalog report`: the accounts per product version (vending.plan.catalog_report)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vending import engine
from vending.cli.app import cli, err
from vending.errors import VendError
from vending.model.loader import load
from vending.render.catalog_report import render_text
from vending.target import connect


@cli.group("catalog")
def catalog_group() -> None:
    """The Service Catalog hub of catalog/."""


@catalog_group.command("report")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--self-service", "self_service", is_flag=True,
              help="Also read every active account's own launches, through vend.yaml catalog.report_role "
                   "(one AssumeRole and SearchProvisionedProducts per account, 8 accounts at a time: "
                   "the cost grows with the organization).")
@click.pass_obj
def report_cmd(repo: Path, fmt: str, self_service: bool) -> None:
    """Per product version, the accounts whose provisioned products use it; deprecated and
    inactive versions flagged. Enforced products from what a plan reads (no call per account);
    self-service launches only with --self-service. Changes nothing.

    \b
    Example:
      vend catalog report --format json
      vend catalog report --self-service
    """
    desired = load(repo)
    if desired.catalog is None:
        raise VendError("the repository has no catalog/: nothing to report")
    with connect(desired.settings, repo) as connection:
        if not self_service:
            with err.status(f"Reading the catalog and the enforced portfolios' stack sets from "
                            f"{connection.description}..."):
                found = engine.catalog_report(desired, connection.clients)
        else:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=err, transient=True) as progress:
                task = progress.add_task("Reading each account's provisioned products", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                found = engine.catalog_report(desired, connection.clients, self_service=True, progress=advance)
    if fmt == "json":
        click.echo(json.dumps(found.as_json(), indent=2))
    else:
        click.echo(render_text(found), nl=False)
