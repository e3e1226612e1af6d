"""Connect to the organization vend.yaml names: the embedded local AWS, or a real one."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import boto3

from vending.apply.context import INSTANT, Polling
from vending.aws.clients import AwsClients
from vending.errors import ConfigError
from vending.model.types import OrgSettings, Target

SESSION_NAME = "vend"


@dataclass(frozen=True)
class Connection:
    clients: AwsClients
    description: str
    polling: Polling


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

        clients = AwsClients(EndpointSession(target.endpoint), observers=observers)
        yield Connection(clients, f"local emulator at {target.endpoint}", INSTANT)
        return
    if target.kind == "local":
        from vending.local import LocalAws

        state_dir = (repo / target.state_dir).resolve()
        control_tower = settings.account_factory == "control-tower"
        quota = settings.control_tower.account_concurrency
        local = LocalAws(state_dir, control_tower=control_tower, account_factory_quota=quota)
        local.faults.configure(target.faults, settings.source.file)
        with local:
            clients = AwsClients(local.session(), observers=observers)
            yield Connection(clients, f"local emulator ({target.state_dir})", INSTANT)
        return
    session = _aws_session(target)
    yield Connection(AwsClients(session, observers=observers), _describe(target), Polling())


def _aws_session(target: Target) -> boto3.Session:
    try:
        session = boto3.Session(profile_name=target.profile)
    except Exception as exc:  # botocore's ProfileNotFound and friends
        raise ConfigError(f"vend.yaml target.profile {target.profile!r}: {exc}") from exc
    if not target.role_arn:
        return session
    credentials = session.client("sts").assume_role(
        RoleArn=target.role_arn, RoleSessionName=SESSION_NAME
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def _describe(target: Target) -> str:
    parts = [f"profile {target.profile}" if target.profile else "default credentials"]
    if target.role_arn:
        parts.append(f"role {target.role_arn}")
    return "AWS (" + ", ".join(parts) + ")"
