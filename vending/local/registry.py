"""The registry of emulators: every plug-in of the local AWS, in install order.

To add an emulator (Service Catalog, Control Tower, Marketplace Catalog, ...), implement
`vending.local.framework.Emulator` in its own module and add it to the list below. Its state
is then bootstrapped, persisted and restored with the others; nothing else needs to change.
"""
from __future__ import annotations

from vending.local.framework import Emulator
from vending.local.organizations_strict import OrganizationsStrict


def emulators() -> list[Emulator]:
    return [OrganizationsStrict()]
