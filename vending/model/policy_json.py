"""Policy documents compared by meaning, not by formatting.

AWS stores an SCP exactly as sent (the console strips whitespace), so the live text and the
repository's text differ in whitespace and key order without differing in meaning.
"""
from __future__ import annotations

import json
from typing import Any


def canonical(text: str) -> str:
    """Minified JSON with sorted keys; raises ValueError when `text` is not JSON."""
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def size(text: str) -> int:
    """The size AWS counts against the policy quota: characters of the document as sent."""
    return len(text)


def minified(text: str) -> str:
    """What vend sends to AWS: the author's key order, no insignificant whitespace."""
    return json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)


def kind(value: Any) -> str:
    """What a JSON value is, for messages: "a string", "an empty list", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return "an object" if value else "an empty object"


def show(value: Any) -> str:
    """A JSON value as it would be written in the document."""
    return json.dumps(value, ensure_ascii=False)
