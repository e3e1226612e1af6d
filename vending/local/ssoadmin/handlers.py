"""The handler tables of the two services (filled by the modules that define handlers)."""
from __future__ import annotations

from vending.local.modeled import registry

SSO_HANDLERS, sso = registry()
IDS_HANDLERS, ids = registry()
