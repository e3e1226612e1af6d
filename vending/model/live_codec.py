"""The live model as JSON and back: what a snapshot (`live_snapshot`) stores.

Why generic: every domain adds its own live types (baselines, contacts, the catalog, and more
to come); a codec driven by the dataclasses' own type hints needs no change when one does, and
`decode(encode(live)) == live` holds for every type built from dataclasses, tuples, dicts,
lists, optionals and JSON scalars. A value that does not fit its type is a `ValueError`.
"""
from __future__ import annotations

import types
import typing
from dataclasses import fields, is_dataclass
from functools import lru_cache
from typing import Any, Union

from vending.model.live import LiveOrg


def encode(value: Any) -> Any:
    """Dataclasses as dicts of their fields, tuples as lists; JSON-ready."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    return value


def decode_live(data: Any) -> LiveOrg:
    return decode(LiveOrg, data)


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(kind: Any, value: Any) -> Any:
    """`value` (from `encode`, via JSON) as an instance of `kind`."""
    if value is None:
        return None
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if isinstance(kind, type) and is_dataclass(kind):
        if not isinstance(value, dict):
            raise ValueError(f"{kind.__name__}: expected an object, got {type(value).__name__}")
        known = {f.name for f in fields(kind) if f.init}
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"{kind.__name__}: unknown field(s) {', '.join(sorted(unknown))}")
        hints = _hints(kind)
        return kind(**{name: decode(hints[name], item) for name, item in value.items()})
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return decode(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        _sequence(kind, value)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], item) for item in value)
        return tuple(decode(a, item) for a, item in zip(args, value))
    if origin is list:
        _sequence(kind, value)
        return [decode(args[0], item) for item in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{kind}: expected an object, got {type(value).__name__}")
        return {key: decode(args[1], item) for key, item in value.items()}
    return value


def _sequence(kind: Any, value: Any) -> None:
    if not isinstance(value, list):
        raise ValueError(f"{kind}: expected a list, got {type(value).__name__}")
