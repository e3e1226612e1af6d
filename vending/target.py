"""Connect to the organization vend.yaml names: the embedded local AWS, or a real one."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator

import boto3
import botocore
import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher, CredentialProvider, RefreshableCredentials
from botocore.exceptions import NoCredentialsError

from vending.apply.context import INSTANT, Polling
from vending.aws.clients import AwsClients, client_config, instrument
from vending.aws.errors import Caller, translated
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

        description = f"local emulator at {target.endpoint}"
        clients = AwsClients(EndpointSession(target.endpoint), observers=observers)
        with translated(Caller(description, whoami=clients.principal)):
            yield Connection(clients, description, INSTANT)
        return
    if target.kind == "local":
        from vending.local import LocalAws

        state_dir = (repo / target.state_dir).resolve()
        control_tower = settings.account_factory == "control-tower"
        quota = settings.control_tower.account_concurrency
        description = f"local emulator ({target.state_dir})"
        local = LocalAws(state_dir, control_tower=control_tower, account_factory_quota=quota)
        local.faults.configure(target.faults, settings.source.file)
        with local:
            clients = AwsClients(local.session(), observers=observers)
            with translated(Caller(description, whoami=clients.principal)):
                yield Connection(clients, description, INSTANT)
        return
    yield from _aws(settings, observers)


def _aws(settings: OrgSettings, observers: tuple[Callable[[str], None], ...]) -> Iterator[Connection]:
    """A real organization. Everything AWS-side, from finding credentials to the last call of
    the command, runs inside `translated`: a failure is one message, never a traceback."""
    target = settings.target
    caller = Caller(_describe(target), target.profile, target.role_arn)
    with translated(caller):
        base = boto3.Session(profile_name=target.profile)
        caller = replace(caller, whoami=AwsClients(base).principal)
        session = _assume(base, target.role_arn, settings.home_region) if target.role_arn else base
        clients = AwsClients(session, observers=observers)
    with translated(replace(caller, whoami=clients.principal)):
        yield Connection(clients, caller.target, Polling())


def _assume(base: boto3.Session, role_arn: str, region: str) -> boto3.Session:
    """A session as `role_arn`, assumed now (so a role that cannot be assumed fails before any
    other call) and again whenever its credentials near expiry: an apply through Account
    Factory can outlast the one hour an assumed role lasts."""
    source = base.get_credentials()
    if source is None:
        raise NoCredentialsError()

    def sts(service: str, **keys: Any) -> Any:
        client = base.client(service, region_name=region, config=client_config(), **keys)
        instrument(client)
        return client

    fetcher = AssumeRoleCredentialFetcher(
        client_creator=sts, source_credentials=source, role_arn=role_arn,
        extra_args={"RoleSessionName": SESSION_NAME},
    )
    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetcher.fetch_credentials(), refresh_using=fetcher.fetch_credentials, method="assume-role"
    )
    assumed = botocore.session.Session()
    assumed.get_component("credential_provider").insert_before("env", _Assumed(credentials))
    return boto3.Session(botocore_session=assumed)


class _Assumed(CredentialProvider):
    METHOD = CANONICAL_NAME = "vend-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def _describe(target: Target) -> str:
    parts = [f"profile {target.profile}" if target.profile else "default credentials"]
    if target.role_arn:
        parts.append(f"role {target.role_arn}")
    return "AWS (" + ", ".join(parts) + ")"
