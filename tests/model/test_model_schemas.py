"""The shipped JSON Schemas: valid, strict, documented, and referenced by the example files."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from jsonschema import Draft202012Validator

from vending.model.schema_check import KINDS, check, schema
from vending.model.yaml_source import parse

REPO = Path(__file__).resolve().parents[2]
SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _objects(node: Any, where: str = "") -> Iterator[tuple[str, dict]]:
    """Every sub-schema that declares properties, with a readable location."""
    if isinstance(node, dict):
        if "properties" in node and node.get("type") == "object":
            yield where, node
        for key, value in node.items():
            yield from _objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{where}/{index}")


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_draft_2020_12(kind: str) -> None:
    Draft202012Validator.check_schema(schema(kind))
    assert schema(kind)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("kind", KINDS)
def test_every_object_is_closed_and_every_property_described(kind: str) -> None:
    objects = list(_objects(schema(kind)))
    assert objects
    for where, node in objects:
        assert node.get("additionalProperties") is False, f"{kind}{where} accepts unknown keys"
        for name, prop in node["properties"].items():
            assert prop.get("description"), f"{kind}{where}/properties/{name} has no description"


def test_shared_definitions_do_not_drift() -> None:
    ou, root, account = schema("ou")["properties"], schema("root")["properties"], schema("account")["properties"]
    for key in root:
        assert root[key] == ou[key], key
    assert account["tags"]["propertyNames"] == ou["tags"]["propertyNames"]
    assert account["tags"]["additionalProperties"] == ou["tags"]["additionalProperties"]


def _yaml_files() -> list[Path]:
    files = [REPO / "vend.yaml"] + sorted((REPO / "ous").rglob("ou.yaml")) + sorted((REPO / "accounts").rglob("*.yaml"))
    files += [REPO / "catalog/tagoptions.yaml"] + sorted((REPO / "catalog/products").glob("*/product.yaml"))
    files += sorted((REPO / "catalog/portfolios").glob("*.yaml"))
    files += sorted((REPO / "catalog/marketplace").glob("*.yaml")) + sorted((REPO / "catalog/licenses").glob("*.yaml"))
    return [f for f in files if f.is_file()]


def _kind(path: Path) -> str:
    rel = path.relative_to(REPO).as_posix()
    if rel.startswith("catalog/"):
        return ("tagoptions" if rel == "catalog/tagoptions.yaml"
                else "marketplace" if rel.startswith("catalog/marketplace/")
                else "license" if rel.startswith("catalog/licenses/")
                else "product" if rel.startswith("catalog/products/") else "portfolio")
    return {"vend.yaml": "vend", "ous/ou.yaml": "root"}.get(rel, "ou" if rel.startswith("ous/") else "account")


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_example_files_point_editors_at_their_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = SCHEMA_COMMENT.match(first)
    assert match, f"{path} does not start with the yaml-language-server comment"
    target = (path.parent / match.group(1)).resolve()
    assert target == (REPO / "vending/model/schemas" / f"{_kind(path)}.schema.json").resolve()


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_example_files_satisfy_their_schema(path: Path) -> None:
    parsed = parse(path.read_text(encoding="utf-8"))
    found, wrong_type = check(_kind(path), path.name, parsed.data or {}, parsed.lines)
    assert found == [] and wrong_type == []
