"""Golden files: each hand-built plan in every format must match byte for byte.

After an intended change to the output, run `python -m tests.render.regen` and review the diff.
"""
from __future__ import annotations

import json
import re

import pytest

from vending.render import render, render_json, render_text

from .golden import GOLDEN_DIR, outputs
from .plans import PLANS

OUTPUTS = outputs()


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_matches_golden_file(name: str) -> None:
    path = GOLDEN_DIR / name
    assert path.exists(), f"missing {path}; run `python -m tests.render.regen`"
    assert OUTPUTS[name].encode("utf-8") == path.read_bytes(), (
        f"{name} differs from its golden file; if intended, run `python -m tests.render.regen`"
    )


def test_no_stray_golden_files() -> None:
    assert sorted(p.name for p in GOLDEN_DIR.iterdir()) == sorted(OUTPUTS)


@pytest.mark.parametrize("name", sorted(PLANS))
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_saved_plan_renders_like_fresh_plan(name: str, fmt: str) -> None:
    """A plan loaded back from its file must show exactly what it showed when made."""
    plan = PLANS[name]()
    assert render(json.loads(plan.dumps()), fmt) == render(plan.to_json(), fmt)


@pytest.mark.parametrize("name", sorted(PLANS))
def test_json_is_the_plan_file(name: str) -> None:
    plan = PLANS[name]()
    assert render_json(plan.to_json()) == plan.dumps()


@pytest.mark.parametrize("name", sorted(PLANS))
def test_text_last_line(name: str) -> None:
    plan = PLANS[name]()
    last = render_text(plan.to_json()).splitlines()[-1]
    if plan.has_changes:
        s = plan.summary()
        assert last == f"Plan: {s['add']} to add, {s['change']} to change, {s['destroy']} to destroy."
    else:
        assert last == "No changes. Your organization matches the repository."


@pytest.mark.parametrize("name", sorted(PLANS))
def test_color_only_adds_ansi(name: str) -> None:
    data = PLANS[name]().to_json()
    colored = render_text(data, color=True)
    assert "\x1b[" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == render_text(data)


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_no_trailing_whitespace(name: str) -> None:
    text = OUTPUTS[name]
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.splitlines())


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="yaml"):
        render(PLANS["all_creates"]().to_json(), "yaml")
