"""The derived cache (compiled schemas, cfn-lint findings) changes no finding: with it, cold or
warm, `validate` reports exactly what it reports without it; a warm run lints nothing again;
a damaged entry or an unwritable folder is only a miss."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import fastjsonschema
import pytest

from tests.model.test_bad_corpus import CASES
from tests.model.test_schema_fast_path import documents
from vending.model import schema_check, template_lint
from vending.model.derived_cache import DerivedCache
from vending.model.loader import validate
from vending.model.yaml_source import YamlSyntaxError, parse

EXAMPLE = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> DerivedCache:
    return DerivedCache(tmp_path_factory.mktemp("derived"))


def _no_linting(*_: object) -> None:
    raise AssertionError("cfn-lint ran although its findings were kept")


@pytest.mark.parametrize("case", [*CASES, EXAMPLE], ids=lambda p: p.name)
def test_findings_are_the_same_without_the_cache_and_with_it_cold_and_warm(case, store, monkeypatch):
    fresh = validate(case)
    assert validate(case, store) == fresh  # cold for this case's templates
    monkeypatch.setattr(template_lint, "_lint", _no_linting)
    assert validate(case, store) == fresh  # warm: every template's findings come from the cache


def test_the_cfn_lint_cases_have_findings_to_keep():
    cases = {case.name: case for case in CASES}
    for name, code in (("baseline-cfn-lint-error", "V604"), ("catalog-template-cfn-lint-error", "V819")):
        assert any(d.code == code for d in validate(cases[name])), name


def test_another_cfn_lint_version_is_another_key(tmp_path, monkeypatch):
    store = DerivedCache(tmp_path)
    case = next(c for c in CASES if c.name == "baseline-cfn-lint-error")
    fresh = validate(case, store)
    monkeypatch.setattr(template_lint, "_tool_versions", lambda: ("0.0.1", "0.0.1"))
    linted: list[str] = []
    real = template_lint._lint

    def counting(text, regions):
        linted.append(text)
        return real(text, regions)

    monkeypatch.setattr(template_lint, "_lint", counting)
    assert validate(case, store) == fresh and linted


@pytest.mark.parametrize("damage", [b"", b"not json", b'[["E3002", "one", "a message"]]', b"\x00\x01garbage"])
def test_a_damaged_entry_is_a_miss(tmp_path, monkeypatch, damage):
    store = DerivedCache(tmp_path)
    case = next(c for c in CASES if c.name == "baseline-cfn-lint-error")
    fresh = validate(case)
    validate(case, store)
    for entry in [*(tmp_path / "cfn-lint").iterdir(), *(tmp_path / "schemas").iterdir()]:
        entry.write_bytes(damage)
    schema_check._fast.cache_clear()  # compiled schemas are also kept per process
    try:
        assert validate(case, store) == fresh
    finally:
        schema_check._fast.cache_clear()


def test_a_folder_that_cannot_be_written_is_no_cache(tmp_path):
    (tmp_path / "file").write_text("a file where the cache folder would be")
    store = DerivedCache(tmp_path / "file" / "vend")
    assert validate(EXAMPLE, store) == validate(EXAMPLE)
    assert store.get("cfn-lint", ("anything",)) is None


@pytest.fixture(scope="module")
def compiled(store: DerivedCache) -> dict[str, tuple[Callable[[Any], Any], ...]]:
    """Per kind: compiled now, compiled and kept (cold), and read back from the store (warm)."""
    compile_ = schema_check._fast.__wrapped__  # past the per-process memo, to the store
    return {kind: (compile_(kind), compile_(kind, store), compile_(kind, store)) for kind in schema_check.KINDS}


@pytest.mark.parametrize("kind,path", documents(), ids=lambda v: str(v.relative_to(EXAMPLE)) if isinstance(v, Path) else v)
def test_a_kept_compiled_schema_judges_like_a_fresh_one(kind, path, compiled):
    try:
        data = parse(path.read_bytes().decode("utf-8", errors="replace")).data
    except YamlSyntaxError:
        return
    judged = []
    for validator in compiled[kind]:
        before = copy.deepcopy(data)
        try:
            validator(data)
            judged.append(True)
        except fastjsonschema.JsonSchemaException:
            judged.append(False)
        assert data == before
    assert judged[1:] == judged[:1] * 2
