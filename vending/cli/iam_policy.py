"""`vend iam-policy plan|apply`: the IAM policy of the role vend plans or applies as."""
from __future__ import annotations

import json
from pathlib import Path

import click

from vending.cli.app import cli
from vending.iam_policy.document import policy
from vending.model.loader import load


@cli.command("iam-policy")
@click.argument("role", type=click.Choice(["plan", "apply"]))
@click.pass_obj
def iam_policy_cmd(repo: Path, role: str) -> None:
    """Print the IAM policy (JSON) of the role `vend plan` or `vend apply` runs as.

    Exactly the actions vend's code can call, from its registry of AWS operations: plan is
    read-only (vend plan, vend import); apply adds the changes, the apply lock (vend.yaml lock:)
    and the template bucket (template_bucket:). pipeline/vend-pipeline.yaml uses the same.

    \b
    Examples:
      vend iam-policy plan > plan-policy.json
      aws iam create-policy --policy-name vend-apply --policy-document "$(vend iam-policy apply)"
    """
    settings = load(repo).settings
    click.echo(json.dumps(policy(role, settings), indent=2))  # type: ignore[arg-type]
