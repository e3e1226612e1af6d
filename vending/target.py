"""Connect to the organization vend.yaml names: the embedded local AWS, or a real one."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

import boto3

from vending.apply.context import INSTANT, Polling
from vending.aws.assume import assume
from vending.aws.clients import AwsClients
from vending.aws.errors import Caller, translated
from vending.errors import ConfigError
from vending.model.types import OrgSettings, Target


@dataclass(frozen=True)
class Connection:
    clients: AwsClients
    description: str
    polling: Polling
    event_delivery_seconds: float = 900.0
    """How late CloudTrail shows a call's event here (AWS: about 15 minutes, aws-facts 13.1)."""


@contextmanager
def connect(
    settings: OrgSettings, repo: Path, *, observers: tuple[Callable[[str], None], ...] = ()
) -> Iterator[Connection]:
    """The organization `settings.target` names; a local one gets a Control Tower landing zone
    when vend.yaml vends through Account Factory, and the faults vend.yaml asks for. A local
    target with an `endpoint` talks to that `vend local serve` (which owns the state)."""
    target = settings.target
    if target.kind == "local" and target.endpoint:
        from vending.local.endpoint import EndpointSession

        description = f"local emulator at {target.endpoint}"
        clients = AwsClients(EndpointSession(target.endpoint), observers=observers)
        with translated(Caller(description, whoami=clients.principal)):
            yield Connection(clients, description, INSTANT, 0.0)  # `vend local serve` shows events at once
        return
    if target.kind == "local":
        from vending.local import LocalAws

        state_dir = (repo / target.state_dir).resolve()
        control_tower = settings.account_factory == "control-tower"
        quota = settings.control_tower.account_concurrency
        description = f"local emulator ({target.state_dir})"
        local = LocalAws(state_dir, control_tower=control_tower, account_factory_quota=quota,
                         event_delivery_seconds=target.event_delivery_seconds)
        local.faults.configure(target.faults, settings.source.file)
        with local:
            _hub_bucket(local, settings)
            clients = AwsClients(local.session(), observers=observers)
            with translated(Caller(description, whoami=clients.principal)):
                yield Connection(clients, description, INSTANT, target.event_delivery_seconds)
        return
    yield from _aws(settings, observers)


def _hub_bucket(local: object, settings: OrgSettings) -> None:
    """A local organization has the catalog's template bucket that vend.yaml names, as the
    platform team creates it before the first apply in AWS (vend uploads, it never creates it)."""
    hub = settings.catalog
    name = (hub.template_bucket if hub else None) or settings.template_bucket
    if hub is not None and name:
        local.ensure_bucket(name, settings.home_region)  # type: ignore[attr-defined]


def _aws(settings: OrgSettings, observers: tuple[Callable[[str], None], ...]) -> Iterator[Connection]:
    """A real organization. Everything AWS-side, from finding credentials to the last call of
    the command, runs inside `translated`: a failure is one message, never a traceback."""
    target = settings.target
    caller = Caller(_describe(target), target.profile, target.role_arn)
    with translated(caller):
        base = boto3.Session(profile_name=target.profile)
        caller = replace(caller, whoami=AwsClients(base).principal)
        session = assume(base, target.role_arn, settings.home_region) if target.role_arn else base
        clients = AwsClients(session, observers=observers)
    with translated(replace(caller, whoami=clients.principal)):
        yield Connection(clients, caller.target, Polling())


def _describe(target: Target) -> str:
    parts = [f"profile {target.profile}" if target.profile else "default credentials"]
    if target.role_arn:
        parts.append(f"role {target.role_arn}")
    return "AWS (" + ", ".join(parts) + ")"
