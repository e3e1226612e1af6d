"""The `vend` command group and what its commands share: the console, exit codes, the plan step.

Start-up (issue 12 point 6): a command's module, and what it imports (boto3, rich, cfn-lint,
the emulator...), loads only when that command runs. `COMMANDS` names each command's module
and the first paragraph of its help, so `vend --help` and `vend --version` import none of them.
"""
from __future__ import annotations

import importlib
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vending import __version__

if TYPE_CHECKING:
    from rich.console import Console

    from vending.model.derived_cache import DerivedCache
    from vending.model.live import LiveOrg
    from vending.model.types import DesiredOrg
    from vending.plan.changes import Plan
    from vending.target import Connection

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2

COMMANDS: dict[str, tuple[str, str]] = {
    "allocate": ("organization", "Write missing IP allocations (vend.yaml ip_plan) into the account files; idempotent."),
    "apply": ("applying", "Apply a saved plan exactly, or plan, show and ask; under the apply lock."),
    "catalog": ("catalog", "The Service Catalog hub of catalog/."),
    "check": ("pull_request", "Check what the working tree changes since --base against request-policy.yaml; no AWS call."),
    "codeowners": ("pull_request", "Write CODEOWNERS from the reviewers of request-policy.yaml."),
    "comment": ("pull_request", "Post the plan as the pull request's one vend comment, or edit it."),
    "force-unlock": ("applying", "Break the apply lock that a killed `vend apply` left behind."),
    "graph": ("organization", "Print the plan's dependency graph (edges point prerequisite -> dependent)."),
    "iam-policy": ("iam_policy", "Print the IAM policy (JSON) of the role `vend plan` or `vend apply` runs as."),
    "import": ("organization", "Describe the live organization as a repository (read-only); never overwrites a file."),
    "local": ("local", "The embedded local AWS (moto plus vend's emulators), state kept in .vend/."),
    "plan": ("organization", "Compare the repository with the live organization; change nothing."),
    "rehearse": ("rehearse", "Apply a plan to a scratch copy of the live organization; change nothing in it."),
    "show": ("organization", "Render a saved plan."),
    "validate": ("validating", "Check the repository without calling AWS; report every problem at once."),
}
"""Each command: its module under vending.cli, and its help's first paragraph (a test keeps
them equal to the commands' docstrings)."""


class LazyGroup(click.Group):
    """A group whose commands are imported when they are looked up, not when vend starts."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            importlib.import_module(f"vending.cli.{COMMANDS[name][0]}")  # registers it on `cli`
        command = self.commands.get(name)
        if command is not None:
            repo_everywhere(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, with the help of a command not imported yet taken from COMMANDS."""
        names = self.list_commands(ctx)
        commands = [self.commands.get(name) or click.Command(name, help=COMMANDS[name][1]) for name in names]
        shown = [(name, command) for name, command in zip(names, commands) if not command.hidden]
        if shown:
            limit = formatter.width - 6 - max(len(name) for name, _ in shown)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in shown])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


@cache
def console() -> Console:
    """The stderr console (rich), made on first use. soft_wrap: progress and report lines are
    never broken at 80 columns in CI logs or pipes."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def __getattr__(name: str) -> Any:
    """`from vending.cli.app import err`: the console, imported only by commands that use it."""
    if name == "err":
        return console()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def derived_cache() -> DerivedCache:
    """Where vend keeps what it derives from unchanged content (compiled schemas, cfn-lint
    findings): $XDG_CACHE_HOME/vend, by default ~/.cache/vend; outside every repository."""
    from vending.model.derived_cache import NO_CACHE, DerivedCache

    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    except RuntimeError:  # no home directory to find
        return NO_CACHE
    return DerivedCache(root / "vend")


def repo_everywhere(command: click.Command) -> None:
    """`vend plan --repo X` works like `vend --repo X plan`, for every subcommand (once each)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            repo_everywhere(sub)
        return
    if any(param.name == "repo" for param in command.params):
        return
    command.params.append(click.Option(
        ["--repo"], type=click.Path(file_okay=False, exists=True, path_type=Path), expose_value=False,
        is_eager=True, callback=_set_repo, help="The repository (default: vend --repo, or the current directory).",
    ))


def _set_repo(ctx: click.Context, _: click.Parameter, repo: Path | None) -> None:
    if repo is not None:
        ctx.obj = repo.resolve()


def compute(desired: DesiredOrg, repo: Path, connection: Connection, *, saving: bool = False,
            check_subscribers: bool = False,
            organizations: engine.OrganizationsRead | None = None) -> tuple[Plan, LiveOrg]:
    from vending import engine

    with console().status(f"Reading the organization from {connection.description}..."):
        return engine.plan(
            desired, connection.clients, git_commit=engine.git_commit(repo), target=connection.description,
            saving=saving, check_subscribers=check_subscribers, organizations=organizations,
        )
