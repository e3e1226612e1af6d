"""cfn-lint on a baseline's rendered template, through its Python API.

cfn-lint knows every resource type's properties in every Region, which vend should not
re-implement. Loading its rules costs most of a second, so they are loaded once per process
(and only when a repository has baselines); each rendered template is then linted once, for
the baseline's own Regions. With a DerivedCache, findings are kept by the template's text, its
Regions and the versions of cfn-lint and the SAM translator it uses, so an unchanged template
is not linted again and cfn-lint is not even imported (start-up).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

from vending.model.derived_cache import NO_CACHE, DerivedCache

CACHE_SPACE = "cfn-lint"
CACHE_FORMAT = "1"
"""Part of every key: a change to what _lint keeps (errors only, the fields) changes it."""

_store: ContextVar[DerivedCache] = ContextVar("template_lint_store", default=NO_CACHE)


@contextmanager
def kept_in(store: DerivedCache) -> Iterator[None]:
    """Lint with findings kept in `store` (the loader, around its rules: they call `lint`)."""
    token = _store.set(store)
    try:
        yield
    finally:
        _store.reset(token)


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
    store = _store.get()
    versions = _tool_versions() if store.enabled else None
    key = (CACHE_FORMAT, *versions, ",".join(regions), text) if versions else None
    if key is not None:
        stored = _decode(store.get(CACHE_SPACE, key))
        if stored is not None:
            return stored
    found = list(_lint(text, tuple(sorted(r for r in regions if r in _known_regions())) or ("us-east-1",)))
    if key is not None:
        store.put(CACHE_SPACE, key, json.dumps([[f.rule, f.line, f.message] for f in found]).encode("utf-8"))
    return found


@cache
def _tool_versions() -> tuple[str, str] | None:
    """What cfn-lint's findings depend on besides the template: its version (rules and resource
    specifications ship with it) and the SAM translator's (templates with a Transform)."""
    from importlib import metadata

    try:
        return metadata.version("cfn-lint"), metadata.version("aws-sam-translator")
    except metadata.PackageNotFoundError:
        return None  # not installed as a distribution: no key to trust, so no caching


def _decode(data: bytes | None) -> list[LintFinding] | None:
    """A stored entry's findings; None when there is none or it is damaged (a miss)."""
    if data is None:
        return None
    try:
        rows = json.loads(data)
        found = [LintFinding(rule, line, message) for rule, line, message in rows]
    except (ValueError, TypeError):
        return None
    typed = all(isinstance(f.rule, str) and type(f.line) is int and isinstance(f.message, str) for f in found)
    return found if typed else None


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
