"""Cross-file and AWS-quota rules over everything the loader read.

Each rule module exposes `check(loaded) -> list[Diagnostic]`; this module holds their shared
input and runs them all, so `vend validate` reports every problem in one pass.
"""
from __future__ import annotations

from dataclasses import dataclass

from vending.errors import Diagnostic
from vending.model import (
    rules_accounts,
    rules_baselines,
    rules_catalog,
    rules_ip_plan,
    rules_marketplace,
    rules_ous,
    rules_policies,
    rules_portfolios,
    rules_settings,
    rules_tags,
    settings_rules,
)
from vending.model.types import (
    AccountSpec,
    DesiredOrg,
    OrgSettings,
    OuPath,
    OuSpec,
)
from vending.model.yaml_source import Lines


@dataclass(frozen=True)
class Loaded:
    """What the loader read, including what a DesiredOrg cannot hold (duplicate accounts).

    `settings` is None when vend.yaml is missing or unreadable; `org.settings` is then a
    placeholder, so rules read settings from here. `accounts` lists every readable account file
    in path order; `org.accounts` keeps the first of each name. `policy_files` names every
    policy file found, readable or not, so a broken file is not also reported as missing.
    """

    org: DesiredOrg
    settings: OrgSettings | None
    accounts: tuple[AccountSpec, ...]
    lines: dict[str, Lines]
    policy_files: frozenset[tuple[str, str]] = frozenset()
    baseline_folders: frozenset[str] = frozenset()
    """Every folder under baselines/, readable or not, so a broken one is not also "unknown"."""

    def line(self, file: str, *path: object) -> int:
        """Line of a field in a file (its nearest recorded ancestor; 1 if none)."""
        lines = self.lines.get(file)
        return lines.at(tuple(path)) if lines else 1

    @staticmethod
    def ou_file(path: OuPath) -> str:
        """Where an OU is (or would be) declared: ous/Workloads/Dev/ou.yaml."""
        return "/".join(("ous",) + path + ("ou.yaml",))

    def all_ous(self) -> list[OuSpec]:
        """The root (when declared) and every OU, parents before children."""
        root = [self.org.root] if self.org.root else []
        return root + [self.org.ous[p] for p in sorted(self.org.ous)]


def check(loaded: Loaded) -> list[Diagnostic]:
    """Every cross-file finding."""
    found: list[Diagnostic] = []
    for rule in (rules_accounts.check, rules_ous.check, rules_policies.check, rules_tags.check,
                 rules_settings.check, rules_baselines.check, rules_ip_plan.check, settings_rules.check,
                 rules_catalog.check, rules_portfolios.check, rules_marketplace.check):
        found.extend(rule(loaded))
    return found

