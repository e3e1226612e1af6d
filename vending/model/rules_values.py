"""AWS's rules for single values: emails, account and OU names, tag keys and values.

Each check returns None when AWS would accept the value, or a short phrase saying what is wrong
(the caller puts the value in front of it). The JSON Schemas carry the same limits for editors;
these functions give the precise reason, which the schema's regex cannot.
"""
from __future__ import annotations

import re
import unicodedata

from vending.model.codes import quote

_EMAIL_LOCAL_FORBIDDEN = set("\"'()<>[]:;,\\|%&")
_DOMAIN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
_TAG_PUNCTUATION = set("_.:/=+-@")
_STEM_OTHER = re.compile(r"[^a-z0-9._-]+")

ROOT_NAME = "Root"
"""`ou: Root` names the organization root, so no OU may be called that."""


def email_problem(email: str) -> str | None:
    """CreateAccount's Email rules (6-64 chars, 7-bit ASCII, one @, local part, domain)."""
    if not 6 <= len(email) <= 64:
        return f"is {chars(len(email))} long; AWS accepts 6 to 64"
    bad = next((c for c in email if ord(c) > 0x7F), None)
    if bad is not None:
        return f"contains {quote(bad)}; AWS accepts 7-bit ASCII only"
    if email.count("@") != 1:
        return f"must contain exactly one @ (found {email.count('@')})"
    local, domain = email.split("@")
    if not local:
        return "has nothing before the @"
    bad = next((c for c in local if c in _EMAIL_LOCAL_FORBIDDEN or not 0x21 <= ord(c) <= 0x7E), None)
    if bad is not None:
        return f"may not contain {quote(bad)} before the @"
    if local.startswith("."):
        return "may not start with '.'"
    bad = next((c for c in domain if c not in _DOMAIN_CHARS), None)
    if bad is not None:
        return f"may not contain {quote(bad)} after the @ (the domain allows a-z, A-Z, 0-9, '-' and '.')"
    if not domain or domain[0] in "-." or domain[-1] in "-.":
        return "has a domain that starts or ends with '-' or '.'"
    if "." not in domain:
        return "has a domain without a dot"
    return None


def account_name_problem(name: str) -> str | None:
    """CreateAccount's AccountName: 1-50 printable ASCII; vend adds: a letter or digit (a file name)."""
    if not 1 <= len(name) <= 50:
        return f"is {chars(len(name))} long; AWS accepts 1 to 50"
    bad = next((c for c in name if not 0x20 <= ord(c) <= 0x7E), None)
    if bad is not None:
        return f"contains {quote(bad)}; AWS accepts printable ASCII only (space to ~)"
    if not account_stem(name):
        return "needs at least one letter or digit (it names the account's file)"
    return None


def account_stem(name: str) -> str:
    """The file stem an account's name maps to: "Log Archive" -> "log-archive".

    Lower-cased; every run of characters other than a-z, 0-9, '.', '_' and '-' becomes one '-';
    leading and trailing '-' dropped. File names stay portable and names may keep their spaces.
    """
    return _STEM_OTHER.sub("-", name.lower()).strip("-")


def _tag_char_ok(char: str) -> bool:
    """AWS's tag pattern [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]; `re` has no \\p, unicodedata does."""
    return unicodedata.category(char)[0] in "LZN" or char in _TAG_PUNCTUATION


def tag_key_problem(key: str) -> str | None:
    """Tag key: 1-128 characters from AWS's tag alphabet."""
    if not 1 <= len(key) <= 128:
        return f"is {chars(len(key))} long; AWS accepts 1 to 128"
    bad = next((c for c in key if not _tag_char_ok(c)), None)
    return None if bad is None else f"contains {quote(bad)}; tags allow letters, digits, spaces and _ . : / = + - @"


def tag_key_reserved(key: str) -> bool:
    """The aws: prefix (any case) belongs to AWS-generated tags."""
    return key.lower().startswith("aws:")


def tag_value_problem(value: str) -> str | None:
    """Tag value: 0-256 characters from AWS's tag alphabet (empty is allowed)."""
    if len(value) > 256:
        return f"is {chars(len(value))} long; AWS accepts at most 256"
    bad = next((c for c in value if not _tag_char_ok(c)), None)
    return None if bad is None else f"contains {quote(bad)}; tags allow letters, digits, spaces and _ . : / = + - @"


def ou_name_problem(name: str) -> str | None:
    """OrganizationalUnitName: 1-128 characters; "Root" is vend's name for the root."""
    if not 1 <= len(name) <= 128:
        return f"is {chars(len(name))} long; AWS accepts 1 to 128"
    if name == ROOT_NAME:
        return f"is reserved: `ou: {ROOT_NAME}` means the organization root"
    if name != name.strip():
        return "starts or ends with white space"
    return None


def chars(count: int) -> str:
    """ "1 character", "7 characters": lengths in messages."""
    return f"{count} character" if count == 1 else f"{count:,} characters"
