"""The fast schema check (fastjsonschema) must agree with jsonschema on what is valid, and must
not touch the data (fastjsonschema fills defaults in unless told not to)."""
from __future__ import annotations

import copy
from pathlib import Path

import fastjsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vending.model.schema_check import _fast, _validator
from vending.model.yaml_source import YamlSyntaxError, parse

ROOT = Path(__file__).resolve().parents[2]


def kind_of(path: Path) -> str | None:
    parts = path.relative_to(ROOT).parts
    if path.name == "vend.yaml":
        return "vend"
    if "ous" in parts:
        return "root" if path.parent.name == "ous" else "ou"
    if "accounts" in parts:
        return "account"
    if parts[-2:-1] == ("marketplace",) or parts[-2:-1] == ("licenses",):
        return "marketplace" if parts[-2] == "marketplace" else "license"
    return None


def documents() -> list[tuple[str, Path]]:
    found = []
    for path in sorted([*ROOT.glob("vend.yaml"), *ROOT.glob("ous/**/*.yaml"), *ROOT.glob("accounts/**/*.yaml"), *ROOT.glob("catalog/*/*.yaml"),
                        *(ROOT / "tests" / "fixtures" / "bad").rglob("*.yaml")]):
        kind = kind_of(path)
        if kind and path.is_file():  # the bad corpus also holds links to nothing and folders named x.yaml
            found.append((kind, path))
    return found


def fast_valid(kind: str, data) -> bool:
    try:
        _fast(kind)(data)
        return True
    except fastjsonschema.JsonSchemaException:
        return False


@pytest.mark.parametrize("kind,path", documents(), ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else v)
def test_fast_check_agrees_with_jsonschema_and_leaves_data_alone(kind, path):
    try:
        data = parse(path.read_bytes().decode("utf-8", errors="replace")).data
    except YamlSyntaxError:
        return
    before = copy.deepcopy(data)
    assert fast_valid(kind, data) == _validator(kind).is_valid(data)
    assert data == before


values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=70),
                   st.lists(st.text(max_size=10), max_size=3), st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3))
keys = st.sampled_from(["name", "email", "ou", "owner", "tags", "id", "state", "sso_user", "other"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=8))
def test_fast_check_agrees_on_generated_account_files(data):
    assert fast_valid("account", data) == _validator("account").is_valid(data)
