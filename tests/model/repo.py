"""A small valid repository to break one file at a time, and helpers to read findings."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from vending.errors import Diagnostic
from vending.model.loader import validate

VEND = """version: 1
home_region: us-east-1
governed_regions: [us-east-1]
account_factory: organizations
target: {kind: local}
required_tags: [owner, cost-center]
quarantine_ou: Suspended
"""
SCP = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}\n'

BASE: dict[str, str] = {
    "vend.yaml": VEND,
    "ous/Suspended/ou.yaml": "description: Quarantine.\n",
    "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\n",
    "accounts/app.yaml": "name: app\nemail: app@example.com\nou: Apps\nowner: team\n",
}

MakeRepo = Callable[..., Path]


def account(name: str, email: str | None = None, ou: str = "Apps", owner: str = "team", extra: str = "") -> str:
    """An account file's text; `extra` is appended (e.g. a tags: block)."""
    email = email or f"{name.lower().replace(' ', '-')}@example.com"
    return f"name: {name}\nemail: {email}\nou: {ou}\nowner: {owner}\n{extra}"


def only(root: Path, code: str) -> Diagnostic:
    """The one finding with `code` (and fail if there is not exactly one)."""
    found = [d for d in validate(root) if d.code == code]
    assert len(found) == 1, [d.format() for d in validate(root)]
    return found[0]


def codes(root: Path) -> set[tuple[str, int, str]]:
    return {(d.file, d.line, d.code) for d in validate(root)}
