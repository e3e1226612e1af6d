"""`vend`: argv -> library call -> render -> exit code. The only package that prints or exits.

One module per command group (validating, organization, applying, pull_request, local,
iam_policy, rehearse, catalog), all on the group of `app`, each imported when one of its
commands runs (app.COMMANDS); `main` turns typed errors into messages and exit codes.
"""
from __future__ import annotations

import sys

import click

from vending.cli.app import EXIT_ERROR, EXIT_OK, cli, console
from vending.errors import PlanError, ValidationFailed, VendError

__all__ = ["cli", "main"]


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        console().print("Aborted.")
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
