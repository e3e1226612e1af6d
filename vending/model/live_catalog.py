"""What vend reads of the Service Catalog hub: today the TagOption library (more in issue 7).

None on LiveOrg when not read: only a repository that declares catalog/ reads Service Catalog
(beyond what Account Factory reads for itself).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveTagOption:
    id: str
    key: str
    value: str
    active: bool


@dataclass(frozen=True)
class LiveCatalog:
    tag_options: tuple[LiveTagOption, ...] = ()
    """Every TagOption of the hub account, sorted by key and value."""

    def tag_option(self, key: str, value: str) -> LiveTagOption | None:
        return next((t for t in self.tag_options if (t.key, t.value) == (key, value)), None)
