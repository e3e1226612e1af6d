"""`vend import`: the live organization as a repository that plans `No changes.`

`select` decides what is described (and reports what is left out and why), `tags` factors
shared account tags into OU defaults, `render` writes the files (pure), `disk` reads the
vend.yaml the import starts from and writes without overwriting.
"""
from __future__ import annotations

from datetime import datetime

from vending.importer.render import Imported, Settings, render
from vending.importer.select import Selection, select
from vending.model.live import LiveOrg
from vending.model.types import OrgSettings, OuPath


def build(live: LiveOrg, settings: OrgSettings, vend_yaml: Settings | None, now: datetime,
          subtree: OuPath | None = None) -> tuple[Imported, Selection]:
    """The files describing `live` (vend.yaml too unless `vend_yaml` is None) and the selection
    behind them, with what it left out."""
    chosen = select(live, settings, subtree)
    return render(chosen, vend_yaml, now, settings.policies_dir), chosen


__all__ = ["Imported", "Selection", "Settings", "build"]
