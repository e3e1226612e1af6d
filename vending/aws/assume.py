"""Sessions in another role (sts:AssumeRole), refreshed before their credentials expire."""
from __future__ import annotations

from typing import Any

import boto3
import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher, CredentialProvider, RefreshableCredentials
from botocore.exceptions import NoCredentialsError

from vending.aws.clients import client_config, instrument

SESSION_NAME = "vend"


def assume(base: boto3.Session, role_arn: str, region: str) -> boto3.Session:
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
