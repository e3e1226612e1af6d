"""The `vend` command group and what its commands share: the console, exit codes, the plan step."""
from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from vending import __version__, engine
from vending.model.live import LiveOrg
from vending.model.types import DesiredOrg
from vending.plan.changes import Plan
from vending.target import Connection

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
err = Console(stderr=True, highlight=False, soft_wrap=True)
"""soft_wrap: progress and report lines are never broken at 80 columns in CI logs or pipes."""


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


def repo_everywhere(group: click.Group) -> None:
    """`vend plan --repo X` works like `vend --repo X plan`, for every subcommand."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            repo_everywhere(command)
            continue
        command.params.append(click.Option(
            ["--repo"], type=click.Path(file_okay=False, exists=True, path_type=Path), expose_value=False,
            is_eager=True, callback=_set_repo, help="The repository (default: vend --repo, or the current directory).",
        ))


def _set_repo(ctx: click.Context, _: click.Parameter, repo: Path | None) -> None:
    if repo is not None:
        ctx.obj = repo.resolve()


def compute(desired: DesiredOrg, repo: Path, connection: Connection, *, saving: bool = False,
            organizations: engine.OrganizationsRead | None = None) -> tuple[Plan, LiveOrg]:
    with err.status(f"Reading the organization from {connection.description}..."):
        return engine.plan(
            desired, connection.clients, git_commit=engine.git_commit(repo), target=connection.description,
            saving=saving, organizations=organizations,
        )


