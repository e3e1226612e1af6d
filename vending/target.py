"""Connect to the organization vend.yaml names: the embedded local AWS, or a real one."""
from __future__ import annotations

import difflib
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

import boto3
import botocore
import botocore.session

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
    when vend.yaml vends through Account Factory."""
    target = settings.target
    if target.kind == "local":
        from vending.local import LocalAws

        state_dir = (repo / target.state_dir).resolve()
        control_tower = settings.account_factory == "control-tower"
        quota = settings.control_tower.account_concurrency
        description = f"local emulator ({target.state_dir})"
        with LocalAws(state_dir, control_tower=control_tower, account_factory_quota=quota) as local:
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
        check_region(settings.home_region)
        base = boto3.Session(profile_name=target.profile)
        caller = replace(caller, whoami=AwsClients(base).principal)
        session = _assume(base, target.role_arn, settings.home_region) if target.role_arn else base
        clients = AwsClients(session, observers=observers)
    with translated(replace(caller, whoami=clients.principal)):
        yield Connection(clients, caller.target, Polling())


def _assume(base: boto3.Session, role_arn: str, region: str) -> boto3.Session:
    sts = base.client("sts", region_name=region, config=client_config())
    instrument(sts)
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME)["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def check_region(region: str) -> None:
    """Fail before any call when botocore's partition data does not know `region`."""
    known = known_regions()
    if region in known:
        return
    nearby = difflib.get_close_matches(region, known, n=3, cutoff=0.6) or [r for r in known if r[:2] == region[:2]]
    hint = f" Did you mean {', '.join(nearby)}?" if nearby else ""
    raise ConfigError(
        f"vend.yaml home_region {region!r} is not an AWS Region that botocore {botocore.__version__}"
        f" knows.{hint} (If it is a new Region, upgrade botocore.)"
    )


def known_regions() -> list[str]:
    """Every Region of every partition in botocore's data (not the `*-global` pseudo-regions)."""
    data = botocore.session.get_session().get_component("data_loader").load_data("partitions")
    return sorted(r for p in data["partitions"] for r in p["regions"] if not r.endswith("-global"))


def _describe(target: Target) -> str:
    parts = [f"profile {target.profile}" if target.profile else "default credentials"]
    if target.role_arn:
        parts.append(f"role {target.role_arn}")
    return "AWS (" + ", ".join(parts) + ")"
