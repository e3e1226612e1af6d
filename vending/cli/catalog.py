"""`vend catalog report`: the accounts per product version (vending.plan.catalog_report)."""
from __future__ import annotations

import json
from pathlib import Path

import click

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
@click.pass_obj
def report_cmd(repo: Path, fmt: str) -> None:
    """Per product version, the accounts whose provisioned products use it; deprecated and
    inactive versions flagged. Reads what a plan reads (no call per account); changes nothing.

    \b
    Example:
      vend catalog report --format json
    """
    desired = load(repo)
    if desired.catalog is None:
        raise VendError("the repository has no catalog/: nothing to report")
    with connect(desired.settings, repo) as connection:
        with err.status(f"Reading the catalog and the enforced portfolios' stack sets from {connection.description}..."):
            found = engine.catalog_report(desired, connection.clients)
    if fmt == "json":
        click.echo(json.dumps(found.as_json(), indent=2))
    else:
        click.echo(render_text(found), nl=False)
