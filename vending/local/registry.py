"""The registry of emulators: every plug-in of the local AWS, in install order.

To add an emulator (Marketplace Catalog, License Manager, ...), implement
`vending.local.framework.Emulator` in its own module and add it to the list below. Its state
is then bootstrapped, persisted and restored with the others; nothing else needs to change.
Order matters where emulators build on each other: they are bootstrapped and restored in this
order, so Control Tower (which adds the Account Factory to Service Catalog and accounts to
Organizations) comes after both; StackSets reads the organization, so it comes after Organizations. S3 (the apply lock's
bucket) stands alone; Account Management reads the organization (who may pass AccountId); Budgets reads it
(who may filter on a linked account); Marketplace Catalog reads it too (principals, delegated administrators),
and so does Identity Center (which accounts an assignment may target), and License Manager (whom a grant
reaches).
"""
from __future__ import annotations

from vending.local.account import AccountManagement
from vending.local.budgets import Budgets
from vending.local.cloudformation import StackSets
from vending.local.cloudtrail import CloudTrail
from vending.local.controltower import ControlTower
from vending.local.framework import Emulator
from vending.local.licensemanager import LicenseManager
from vending.local.marketplace import MarketplaceCatalog
from vending.local.organizations.strict import OrganizationsStrict
from vending.local.s3 import S3
from vending.local.servicecatalog import ServiceCatalog
from vending.local.support import Support
from vending.local.ssoadmin import IdentityCenter


def emulators() -> list[Emulator]:
    catalog = ServiceCatalog()
    return [CloudTrail(), OrganizationsStrict(), catalog, ControlTower(catalog), StackSets(catalog), S3(), AccountManagement(),
            Budgets(), Support(), MarketplaceCatalog(), IdentityCenter(), LicenseManager()]
