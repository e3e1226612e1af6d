"""cfn-lint on a baseline's rendered template, through its Python API.

cfn-lint knows every resource type's properties in every Region, which vend should not
re-implement. Loading its rules costs most of a second, so they are loaded once per process
(and only when a repository has baselines); each rendered template is then linted once, for
the baseline's own Regions.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class LintFinding:
    """One cfn-lint error: its rule id, the rendered template's line, and its message."""

    rule: str
    line: int
    message: str


@cache
def _rules() -> Any:
    from cfnlint.api import ConfigMixIn
    from cfnlint.runner.cli import Runner

    return Runner(ConfigMixIn(regions=["us-east-1"])).rules


@cache
def _known_regions() -> frozenset[str]:
    from cfnlint.api import REGIONS

    return frozenset(REGIONS)


def lint(text: str, regions: tuple[str, ...]) -> list[LintFinding]:
    """cfn-lint's errors (not its warnings or informational notes) for the template text."""
    return list(_lint(text, tuple(sorted(r for r in regions if r in _known_regions())) or ("us-east-1",)))


@cache
def _lint(text: str, regions: tuple[str, ...]) -> tuple[LintFinding, ...]:
    from cfnlint.api import ConfigMixIn, decode_str, run_template_by_data

    template, errors = decode_str(text)
    matches = list(errors or ())
    if template is not None and not errors:
        matches = list(run_template_by_data(template, ConfigMixIn(regions=list(regions)), _rules()))
    found = {
        LintFinding(m.rule.id, int(m.linenumber or 1), m.message)
        for m in matches if str(getattr(m.rule, "severity", "error")).lower() == "error"
    }
    return tuple(sorted(found, key=lambda f: (f.line, f.rule, f.message)))
