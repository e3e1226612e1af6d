"""`vend local`: the embedded local AWS."""
from __future__ import annotations

from pathlib import Path

import click

from vending.cli.app import cli, err
from vending.model.loader import load


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
