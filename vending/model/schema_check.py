"""The JSON Schemas (shipped in model/schemas/) applied to parsed YAML, as Diagnostics.

jsonschema's own messages are written for programmers ("Additional properties are not
allowed"); here each error becomes one coded finding on one field and line, with the schema's
`description` of that field as the hint, so the editor tooltip and `vend validate` agree.
"""
from __future__ import annotations

import datetime
import difflib
import json
import marshal
import sys
from functools import cache
from importlib import resources
from types import CodeType
from typing import TYPE_CHECKING, Any, Callable, Iterator

import fastjsonschema

from vending.errors import Diagnostic
from vending.model.codes import finding, quote
from vending.model.derived_cache import NO_CACHE, DerivedCache
from vending.model.rules_values import chars
from vending.model.yaml_source import JsonPath, Lines, dotted

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

KINDS = ("vend", "ou", "root", "account", "baseline", "permission-set", "tagoptions", "product", "portfolio",
         "marketplace", "license")
"""Schema names: model/schemas/<kind>.schema.json."""

_QUOTE_HINT = (
    "quote the value: YAML reads yes/no/on/off/true/false as booleans, digits as numbers "
    "and 2024-01-01 as a date"
)


@cache
def schema(kind: str) -> dict[str, Any]:
    """The parsed schema document for one kind of YAML file."""
    text = resources.files("vending.model").joinpath(f"schemas/{kind}.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator(kind: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # only for an invalid file: it takes a tenth of a second to import

    return Draft202012Validator(schema(kind))


DRAFT_07 = "http://json-schema.org/draft-07/schema#"


@cache
def _fast(kind: str, store: DerivedCache = NO_CACHE) -> Callable[[Any], Any]:
    """The schema compiled to Python by fastjsonschema: about ten times faster than jsonschema
    on the (common) valid file. It stops at the first error, so jsonschema still reports every
    problem of an invalid file. Our schemas use only keywords whose meaning draft-07 and
    2020-12 share, so the compiler's draft-07 reading is the same schema (a test checks the two
    agree on every example and broken fixture).

    Compiling takes longer than checking a whole repository, so with a DerivedCache the
    compiled code is kept, keyed by the schema, fastjsonschema's version and Python's."""
    definition = {**schema(kind), "$schema": DRAFT_07}
    if not store.enabled:
        return fastjsonschema.compile(definition, use_default=False)
    key = (SCHEMA_CACHE_FORMAT, fastjsonschema.VERSION, sys.version, json.dumps(definition, sort_keys=True))
    code = _code(store.get(SCHEMA_CACHE_SPACE, key))
    if code is None:
        source = fastjsonschema.compile_to_code(definition, use_default=False)
        code = compile(source, f"<schema {kind}>", "exec")
        store.put(SCHEMA_CACHE_SPACE, key, marshal.dumps(code))
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - fastjsonschema's own code, from vend's schema
    return namespace["validate"]


SCHEMA_CACHE_SPACE, SCHEMA_CACHE_FORMAT = "schemas", "1"


def _code(data: bytes | None) -> CodeType | None:
    try:
        code = marshal.loads(data) if data is not None else None
    except (ValueError, EOFError, TypeError):
        return None  # damaged: compile again
    return code if isinstance(code, CodeType) else None


def check(kind: str, file: str, data: Any, lines: Lines,
          store: DerivedCache = NO_CACHE) -> tuple[list[Diagnostic], list[JsonPath]]:
    """Every schema violation in `data`, one Diagnostic per (field, code); plus the paths whose
    values have the wrong type, which the loader drops before building specs."""
    try:
        _fast(kind, store)(data)
        return [], []
    except fastjsonschema.JsonSchemaException:
        pass  # invalid: let jsonschema name every problem
    found: dict[tuple[str, str], Diagnostic] = {}
    wrong_type: list[JsonPath] = []
    for error in _validator(kind).iter_errors(data):
        for path, diagnostic in _translate(error, file, lines):
            found.setdefault((diagnostic.field, diagnostic.code), diagnostic)
            if diagnostic.code == "V011":
                wrong_type.append(path)
    return list(found.values()), wrong_type


def _translate(error: ValidationError, file: str, lines: Lines) -> Iterator[tuple[JsonPath, Diagnostic]]:
    path: JsonPath = tuple(error.absolute_path)
    sub = error.schema if isinstance(error.schema, dict) else {}
    hint = sub.get("description", "")
    if "propertyNames" in error.absolute_schema_path:
        path = path + (error.instance,)  # the offending key, not the mapping that holds it
    if error.validator == "additionalProperties":
        known = sorted(sub.get("properties", {}))
        for key in error.instance:
            if key not in known:
                yield path + (key,), _unknown_key(file, lines, path + (key,), key, known)
    elif error.validator == "not" and error.validator_value == {}:
        found = finding("V010", file, lines.at(path), dotted(path), hint, "remove it, or change the kind")
        yield path, found
    elif error.validator == "required":
        for key in error.validator_value:
            if key not in error.instance:
                about = sub.get("properties", {}).get(key, {}).get("description", "")
                message = f"missing required field {quote(key)}"
                yield path + (key,), finding("V012", file, lines.at(path), dotted(path + (key,)), message, about)
    elif error.validator == "type":
        message = f"expected {_article(error.validator_value)}, got {_describe(error.instance)}"
        advice = _QUOTE_HINT if _looks_like_unquoted_string(error) else hint
        yield path, finding("V011", file, lines.at(path), dotted(path), message, advice)
    else:
        yield path, finding("V013", file, lines.at(path), dotted(path), _bad_value(error), hint)


def _unknown_key(file: str, lines: Lines, path: JsonPath, key: Any, known: list[str]) -> Diagnostic:
    close = difflib.get_close_matches(str(key), known, n=1)
    guess = f" (did you mean {quote(close[0])}?)" if close else ""
    return finding("V010", file, lines.at(path), dotted(path), f"unknown key {quote(key)}{guess}",
                   "allowed keys here: " + ", ".join(known))


def _bad_value(error: ValidationError) -> str:
    value, limit, instance = error.validator, error.validator_value, error.instance
    shown = _describe(instance)
    if value == "enum":
        return f"{shown} is not one of: " + ", ".join(str(v) for v in limit)
    if value == "const":
        return f"{shown} must be {limit}"
    if value == "pattern":
        return f"{shown} is not in the expected form"
    if value in ("minLength", "maxLength"):
        bound = "at least" if value == "minLength" else "at most"
        return f"{shown} is {chars(len(instance))} long; {bound} {limit} allowed"
    if value in ("minimum", "maximum"):
        bound = "at least" if value == "minimum" else "at most"
        return f"{shown} is out of range: must be {bound} {limit}"
    if value in ("minItems", "maxItems", "minProperties", "maxProperties"):
        bound = "at least" if value.startswith("min") else "at most"
        return f"has {len(instance)} entries; {bound} {limit} allowed"
    if value == "uniqueItems":
        seen: list[Any] = []
        repeats: list[Any] = []
        for item in instance:
            if item not in seen:
                seen.append(item)
            elif item not in repeats:
                repeats.append(item)
        return "lists " + ", ".join(_describe(r) for r in repeats) + " more than once"
    return error.message  # pragma: no cover - a keyword our schemas do not use


def _article(expected: Any) -> str:
    names = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
             "boolean": "true or false", "number": "a number"}
    if isinstance(expected, list):
        return " or ".join(names.get(e, e) for e in expected)
    return names.get(expected, str(expected))


def _describe(value: Any) -> str:
    """A value as a user wrote it, with its YAML type where that is the surprise."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return json.dumps(value, ensure_ascii=False)


def _looks_like_unquoted_string(error: ValidationError) -> bool:
    instance = error.instance
    return error.validator_value == "string" and isinstance(
        instance, (bool, int, float, datetime.date, datetime.datetime)
    )
