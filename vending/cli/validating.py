"""`vend validate`: the repository checked without AWS, in its own module so that it starts
without the engine, boto3 or rich (start-up, issue 12 point 6)."""
from __future__ import annotations

from pathlib import Path

import click

from vending.cli.app import cli, derived_cache
from vending.errors import ValidationFailed
from vending.model.loader import validate


@cli.command("validate")
@click.pass_obj
def validate_cmd(repo: Path) -> None:
    """Check the repository without calling AWS; report every problem at once.

    \b
    Example:
      vend validate   # exit 0 when valid, 1 with file:line: CODE field: message lines
    """
    diagnostics = validate(repo, derived_cache())
    if any(d.severity == "error" for d in diagnostics):
        raise ValidationFailed(diagnostics)
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)
    click.echo("The repository is valid." + (f" ({len(diagnostics)} warning(s))" if diagnostics else ""))
