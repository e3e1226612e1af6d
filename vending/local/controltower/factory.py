"""Control Tower's Account Factory: the Service Catalog product that vends accounts.

Names and parameters are AWS's (aws-facts 1.1): portfolio "AWS Control Tower Account Factory
Portfolio", product (and its one active version) "AWS Control Tower Account Factory", all six
parameters required, AllowedPattern `.+` or `[^\\s@]+@[^\\s@]+\\.[^\\s@]+`.
`ManagedOrganizationalUnit` is `OUName` (an OU name unique in the organization) or
`OUName (ou-xxxx-xxxxxxxx)`; a bare OU id is refused the way AWS words it ("The parent
organizational unit 'ou-...' is not enrolled in AWS Control Tower.", seen through Terraform,
qiita 8472b2dee28be8a6e2cc).

`AccountFactory` is the Service Catalog engine of that product (`servicecatalog.provisioning`):
* provision: at completion, creates the account synchronously in the emulated Organizations,
  directly in the target OU, which must be registered (AWSControlTowerBaseline enabled; "Single
  account provision, update and customization must target an OU with AWSControlTowerBaseline
  enabled", CT-AF). An account whose email already exists is adopted instead: a retried create
  converges (aws-facts 1.5, last bullet);
* update: moves the account to a new ManagedOrganizationalUnit (MoveAccount);
* terminate: unenrolls - the account goes back to the Root, unclosed (aws-facts 1.3).
* Concurrency (aws-facts 1.4): at most `account_factory_quota` (default 5, up to 10) of these
  operations in progress, and one terminate at a time. Over the limit, ProvisionProduct is
  accepted and its record FAILS with RecordErrors `ResourceInUseException`: "Account Factory
  cannot complete an operation on this account, because another AWS Control Tower operation is
  in progress. Try again later." - AWS's behaviour as reported through Terraform (gruntwork
  terragrunt comment quoting `waiting for Service Catalog Provisioned Product (...) create:
  ResourceInUseException ...`; aws-ia/terraform-aws-control_tower_account_factory issue #363).
  A new product that fails this way is left in ERROR with its name taken, as on AWS.
"""
from __future__ import annotations

import re
from typing import Any

from moto.organizations.models import FakeAccount, OrganizationsBackend

from vending.local.servicecatalog import errors as sc_err
from vending.local.controltower.state import Landing, org_backend, ou_arn, registered
from vending.local.organizations.lifecycle import create_account_now
from vending.local.organizations.rules import account, root
from vending.local.servicecatalog.provisioning import (
    IN_FLIGHT,
    TERMINATE,
    UPDATE,
    RecordError,
)
from vending.local.servicecatalog.tables import Item, Tables

PORTFOLIO_NAME = "AWS Control Tower Account Factory Portfolio"
PRODUCT_NAME = "AWS Control Tower Account Factory"
PRODUCT_TYPE = "CONTROL_TOWER_ACCOUNT"
EMAIL = r"[^\s@]+@[^\s@]+\.[^\s@]+"
PARAMETERS = {"AccountName": ".+", "AccountEmail": EMAIL, "ManagedOrganizationalUnit": ".+",
              "SSOUserEmail": EMAIL, "SSOUserFirstName": ".+", "SSOUserLastName": ".+"}
BUSY = ("Account Factory cannot complete an operation on this account, because another AWS "
        "Control Tower operation is in progress. Try again later.")
OU_WITH_ID = re.compile(r"(.+) \((ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})\)")
BARE_OU_ID = re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}")


class FactoryError(Exception):
    """One RecordError of an Account Factory operation."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.record_error = {"Code": code, "Description": description}


def _invalid(description: str) -> FactoryError:
    return FactoryError("InvalidParametersException", description)


def resolve_ou(backend: OrganizationsBackend, value: str) -> Any:
    """The OU `ManagedOrganizationalUnit` names, or FactoryError."""
    ous = [o for o in backend.ou if o.type != "ROOT"]
    with_id = OU_WITH_ID.fullmatch(value)
    if with_id:
        found = [o for o in ous if o.id == with_id.group(2)]
    elif BARE_OU_ID.fullmatch(value):
        raise _invalid(f"The parent organizational unit '{value}' is not enrolled in AWS "
                       "Control Tower.")
    else:
        found = [o for o in ous if o.name == value]
        if len(found) > 1:
            raise _invalid(f"More than one organizational unit is named '{value}'. Use the "
                           "format 'OUName (ou-xxxx-xxxxxxxx)' for ManagedOrganizationalUnit.")
    if not found:
        raise _invalid(f"The organizational unit '{value}' given as ManagedOrganizationalUnit "
                       "does not exist. Use 'OUName' or 'OUName (ou-xxxx-xxxxxxxx)'.")
    return found[0]


def outputs(backend: OrganizationsBackend, member: FakeAccount,
            parameters: dict[str, str]) -> list[dict[str, str]]:
    """The Account Factory's outputs, keys and descriptions as AWS returns them (as seen in a
    GetProvisionedProductOutputs answer quoted in public code)."""
    assert backend.org is not None
    portal = f"https://d-{backend.org.master_account_id[:10]}.awsapps.com/start"
    return [
        {"OutputKey": "AccountId", "OutputValue": member.id,
         "Description": "Managed Account Id"},
        {"OutputKey": "SSOUserEmail", "OutputValue": parameters["SSOUserEmail"],
         "Description": "SSO User email associated with the Account."},
        {"OutputKey": "AccountEmail", "OutputValue": member.email,
         "Description": "Email Id associated with the Account"},
        {"OutputKey": "SSOUserPortal", "OutputValue": portal,
         "Description": "SSO User Portal to federate into the managed Account."},
    ]


class AccountFactory:
    """Service Catalog engine of the Account Factory product (see the module docstring)."""

    provisioned_product_type = PRODUCT_TYPE

    def __init__(self, controltower: Any):
        self.controltower = controltower

    def check(self, record_type: str, parameters: dict[str, str], pp: Item | None) -> None:
        """CloudFormation's parameter checks, synchronously (its wording)."""
        if record_type == TERMINATE:
            return
        unknown = sorted(set(parameters) - set(PARAMETERS))
        if unknown:
            raise sc_err.invalid(f"Parameters: [{', '.join(unknown)}] do not exist in the template")
        missing = [key for key in PARAMETERS if not parameters.get(key)]
        if missing:
            raise sc_err.invalid(f"Parameters: [{', '.join(missing)}] must have values")
        for key, pattern in PARAMETERS.items():
            if not re.fullmatch(pattern, parameters[key]):
                raise sc_err.invalid(f"Parameter '{key}' must match pattern {pattern}")

    def admit(self, tables: Tables, record_type: str) -> RecordError | None:
        running = [r for r in tables["records"].values()
                   if r["ProvisionedProductType"] == PRODUCT_TYPE
                   and r["Status"] in IN_FLIGHT and not r["doomed"]]
        quota = self.controltower.ctx.settings.account_factory_quota
        if len(running) >= quota or (record_type == TERMINATE and any(
                r["RecordType"] == TERMINATE for r in running)):
            return {"Code": "ResourceInUseException", "Description": BUSY}
        return None

    def complete(self, record: Item, pp: Item) -> tuple[list[RecordError], list[dict[str, str]]]:
        backend = org_backend(record["account"])
        try:
            if record["RecordType"] == TERMINATE:
                self._unenroll(backend, pp)
                return [], []
            member = self._apply(backend, record, pp)
        except FactoryError as failure:
            return [failure.record_error], []
        pp["account_id"] = member.id
        return [], outputs(backend, member, record["parameters"])

    def _target(self, backend: OrganizationsBackend, record: Item) -> Any:
        ou = resolve_ou(backend, record["parameters"]["ManagedOrganizationalUnit"])
        state: Landing = self.controltower.landing(record["account"])
        if not registered(state, ou_arn(backend, ou.id)):
            raise _invalid(f"The parent organizational unit '{ou.id}' is not enrolled in AWS "
                           "Control Tower. Single account provision, update and customization "
                           "must target an OU with AWSControlTowerBaseline enabled.")
        return ou

    def _apply(self, backend: OrganizationsBackend, record: Item, pp: Item) -> FakeAccount:
        ou = self._target(backend, record)
        params = record["parameters"]
        if record["RecordType"] == UPDATE:
            member = account(backend, pp.get("account_id"))
            if member is None:
                raise FactoryError("ResourceNotFoundException",
                                   f"The account of provisioned product {pp['Id']} no longer "
                                   "exists in the organization.")
            if member.email.lower() != params["AccountEmail"].lower():
                raise _invalid("AccountEmail cannot be changed by updating the provisioned "
                               "product.")
        else:
            member = self._adopt_or_create(backend, record, pp)
        if member.parent_id != ou.id:
            backend.move_account(AccountId=member.id, SourceParentId=member.parent_id,
                                 DestinationParentId=ou.id)
        return member

    def _adopt_or_create(self, backend: OrganizationsBackend, record: Item,
                         pp: Item) -> FakeAccount:
        params = record["parameters"]
        email = params["AccountEmail"].lower()
        existing = next((a for a in backend.accounts if a.email.lower() == email), None)
        if existing is None:
            return create_account_now(backend, {"AccountName": params["AccountName"],
                                                "Email": params["AccountEmail"]})
        assert backend.org is not None
        if existing.id == backend.org.master_account_id:
            raise _invalid("The management account cannot be enrolled in Account Factory.")
        tables = self.controltower.catalog.store.tables(record["account"], record["region"])
        holder = next((other for other in tables["provisioned"].values()
                       if other.get("account_id") == existing.id and other["Id"] != pp["Id"]),
                      None)
        if holder is not None:
            raise _invalid(f"The account {existing.id} ({params['AccountEmail']}) is already "
                           f"managed by provisioned product {holder['Id']}.")
        return existing

    @staticmethod
    def _unenroll(backend: OrganizationsBackend, pp: Item) -> None:
        member = account(backend, pp.get("account_id"))
        home = root(backend)
        if member is not None and member.parent_id != home.id:
            backend.move_account(AccountId=member.id, SourceParentId=member.parent_id,
                                 DestinationParentId=home.id)
