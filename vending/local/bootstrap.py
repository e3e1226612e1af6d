"""The fresh landing zone the local AWS starts from (no Control Tower).

An organization with all features, SERVICE_CONTROL_POLICY enabled on the root (TAG_POLICY is
not), the management account, and an OU "Security" holding "Log Archive" and "Audit". It is built
directly on moto's backend (no boto3 calls), so it works the same in-process and for the server,
and synchronously: the asynchronous CreateAccount of the strict layer is bypassed. The runtime
seeds moto's random source first (`runtime.BOOTSTRAP_SEED`; this is what moto's
`POST /moto-api/seed?a=N` does), so ids are the same on every machine.
"""
from __future__ import annotations

from moto.organizations.models import organizations_backends

from vending.local.framework import MANAGEMENT_ACCOUNT_ID
from vending.local.organizations.lifecycle import create_account_now
from vending.local.organizations.rules import root

HOME_REGION = "us-east-1"
MANAGEMENT_ACCOUNT_NAME = "Management"
MANAGEMENT_ACCOUNT_EMAIL = "management@example.com"
SECURITY_OU_NAME = "Security"
LOG_ARCHIVE_ACCOUNT_NAME = "Log Archive"
LOG_ARCHIVE_ACCOUNT_EMAIL = "log-archive@example.com"
AUDIT_ACCOUNT_NAME = "Audit"
AUDIT_ACCOUNT_EMAIL = "audit@example.com"
ENABLED_POLICY_TYPES = ("SERVICE_CONTROL_POLICY",)
SECURITY_ACCOUNTS = (
    (LOG_ARCHIVE_ACCOUNT_NAME, LOG_ARCHIVE_ACCOUNT_EMAIL),
    (AUDIT_ACCOUNT_NAME, AUDIT_ACCOUNT_EMAIL),
)


def bootstrap_organization(management_account_id: str = MANAGEMENT_ACCOUNT_ID) -> None:
    """Create the landing zone in moto's Organizations backend of the management account."""
    backend = organizations_backends[management_account_id]["aws"]
    backend.create_organization(region=HOME_REGION, FeatureSet="ALL")
    assert backend.org is not None
    # moto names the management account "master" / "master@example.com".
    backend.org.master_account_email = MANAGEMENT_ACCOUNT_EMAIL
    management = backend.get_account_by_id(management_account_id)
    management.name = MANAGEMENT_ACCOUNT_NAME
    management.email = MANAGEMENT_ACCOUNT_EMAIL

    root_id = root(backend).id
    for policy_type in ENABLED_POLICY_TYPES:
        backend.enable_policy_type(RootId=root_id, PolicyType=policy_type)
    security = backend.create_organizational_unit(ParentId=root_id, Name=SECURITY_OU_NAME)
    security_id = security["OrganizationalUnit"]["Id"]
    for name, email in SECURITY_ACCOUNTS:
        created = create_account_now(backend, {"AccountName": name, "Email": email})
        created.parent_id = security_id
