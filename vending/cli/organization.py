"""Commands that read the repository and the organization: allocate, plan, show, graph, import."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from vending import engine, snapshots
from vending.apply.lock_note import lock_note
from vending.cli.app import EXIT_CHANGES, cli, compute, err
from vending.model.loader import load
from vending.plan.changes import Plan
from vending.render import render
from vending.target import connect


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
@click.option("--publish-snapshot", is_flag=True,
              help="Also write the live snapshot to S3 next to the apply lock (the pipeline's Plan stage).")
@click.option("--check-subscribers", is_flag=True,
              help="Also read every budget alert's subscribers (one call per alert) and compare them with git.")
@click.option("--refresh", "refresh_mode", type=click.Choice(["events", "full"]),
              help="events: the live snapshot plus the change events since (the default once a usable"
                   " snapshot exists); full: read everything.")
@click.option("--snapshot-max-age", type=click.FloatRange(min=0), default=7.0, show_default=True, metavar="DAYS",
              help="Read in full when the live snapshot is older than this.")
@click.pass_obj
def plan_cmd(repo: Path, out: Path | None, fmt: str, detailed_exitcode: bool, base: str | None,
             publish_snapshot: bool, check_subscribers: bool, refresh_mode: str | None,
             snapshot_max_age: float) -> None:
    """Compare the repository with the live organization; change nothing.

    \b
    Examples:
      vend plan --out plan.json --format markdown --detailed-exitcode
      vend plan --base origin/main --format markdown   # in a pull request
      vend plan --check-subscribers   # budget alerts' recipients edited in the console, too
      vend plan --refresh=full   # ignore the live snapshot, read everything
    """
    from datetime import timedelta

    from vending.refresh import Refresh

    desired = load(repo)
    with connect(desired.settings, repo) as connection:
        read_at = snapshots.now()
        refresh = Refresh(refresh_mode, desired.settings, connection.clients,
                          snapshots.stored(repo, desired.settings, connection.clients),
                          snapshots.settings_scope(desired.settings), read_at,
                          delivery_seconds=connection.event_delivery_seconds,
                          max_age=timedelta(days=snapshot_max_age),
                          markers=snapshots.markers(repo, desired.settings, connection.clients))
        if base is None:
            plan, live = compute(desired, repo, connection, saving=out is not None,
                                 check_subscribers=check_subscribers, organizations=refresh.read)
        else:
            with err.status(f"Reading the organization from {connection.description}..."):
                plan, live = engine.plan_with_base(
                    desired, repo, base, connection.clients, git_commit=engine.git_commit(repo),
                    target=connection.description, saving=out is not None, check_subscribers=check_subscribers,
                    organizations=refresh.read,
                )
        plan.refresh = refresh.info()
        held = lock_note(lambda: engine.apply_lock(connection.clients.reader(), desired.settings))
        if held is not None:
            plan.notes.append(held)
        written = snapshots.save(repo, desired.settings, connection.clients, plan, live, read_at,
                                 publish=publish_snapshot)
    if publish_snapshot:
        err.print(f"Published the live snapshot to {written[-1]}", markup=False)
    if out:
        out.write_text(plan.dumps())
    click.echo(render(plan.to_json(), fmt), nl=False)
    if out:
        err.print(f"Saved the plan to {out}; apply exactly it with: vend apply {out}", markup=False)
    if detailed_exitcode and plan.has_changes:
        sys.exit(EXIT_CHANGES)


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
        plan, _ = compute(desired, repo, connection)
    graph = build_graph(plan.changes)
    click.echo(to_dot(graph) if fmt == "dot" else to_mermaid(graph), nl=False)


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
