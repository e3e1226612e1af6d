"""Tag rules: AWS's key/value alphabet on every tag map, and the effective tags of each
account (inheritance, required keys, the 50-tag quota) (V5xx, V108, V109, V111)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from vending.errors import Diagnostic
from vending.model.codes import finding, quote
from vending.model.rules_values import tag_key_problem, tag_key_reserved, tag_value_problem
from vending.model.types import AccountSpec, OrgSettings, path_str

if TYPE_CHECKING:
    from vending.model.rules import Loaded

MAX_ACCOUNT_TAGS = 50
_ALPHABET = "tags use letters, digits, spaces and _ . : / = + - @ only"


def check(loaded: Loaded) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for ou in loaded.all_ous():
        for field in ("tags", "default_account_tags"):
            found.extend(_tag_map(loaded, ou.source.file, field, getattr(ou, field) or {}))
    for account in loaded.accounts:
        file = account.source.file
        found.extend(_tag_map(loaded, file, "tags", account.tags))
        problem = tag_value_problem(account.owner)
        if problem:
            found.append(finding("V502", file, loaded.line(file, "owner"), "owner",
                                 f"{quote(account.owner)} {problem}", f"owner is also the tag `owner`: {_ALPHABET}"))
        if "owner" in account.tags:
            found.append(finding("V111", file, loaded.line(file, "tags", "owner"), "tags.owner",
                                 "the tag owner is set here and by the owner field",
                                 "remove it from tags: vend tags every account with its owner field"))
        found.extend(_effective(loaded, account))
    if loaded.settings is not None:
        found.extend(_required_keys(loaded, loaded.settings))
    return found


def _tag_map(loaded: Loaded, file: str, field: str, tags: dict[str, str]) -> list[Diagnostic]:
    found = []
    for key, value in tags.items():
        where, line = f"{field}.{key}", loaded.line(file, field, key)
        found.extend(_key(file, line, where, key))
        problem = tag_value_problem(value)
        if problem:
            found.append(finding("V502", file, line, where, f"value {quote(value)} {problem}", _ALPHABET))
    return found


def _required_keys(loaded: Loaded, settings: OrgSettings) -> list[Diagnostic]:
    """required_tags entries must themselves be valid tag keys."""
    file, found = settings.source.file, []
    for index, key in enumerate(settings.required_tags):
        found.extend(_key(file, loaded.line(file, "required_tags", index), f"required_tags[{index}]", key))
    return found


def _key(file: str, line: int, where: str, key: str) -> list[Diagnostic]:
    """V501/V503 for one tag key."""
    problem = tag_key_problem(key)
    if problem:
        return [finding("V501", file, line, where, f"tag key {quote(key)} {problem}", _ALPHABET)]
    if tag_key_reserved(key):
        return [finding("V503", file, line, where, f"tag key {quote(key)} starts with aws:",
                        "the aws: prefix is reserved for tags AWS sets itself; choose another key")]
    return []


def _effective(loaded: Loaded, account: AccountSpec) -> list[Diagnostic]:
    """Required tags and the 50-tag quota, on the tags the account really gets."""
    file, found = account.source.file, []
    tags = loaded.org.account_tags(account)
    if account.ou and account.ou not in loaded.org.ous:
        return found  # inheritance unknown until the OU exists (V106 says so)
    required = [k for k in (loaded.settings.required_tags if loaded.settings else ())
                if tag_key_problem(k) is None and not tag_key_reserved(k)]  # bad keys: V501/V503
    for key in required:
        if tags.get(key):
            continue
        state = "is empty" if key in tags else "is missing"
        chain = _chain(loaded, account)
        looked = f"its tags, owner, and default_account_tags of {chain}" if chain else "its tags and owner"
        found.append(finding(
            "V108", file, loaded.line(file, "tags", key), f"tags.{key}",
            f"required tag {quote(key)} {state} ({looked})",
            f"add {key} under tags: here, or to default_account_tags in "
            f"{loaded.ou_file(account.ou)} so every account there inherits it",
        ))
    if len(tags) > MAX_ACCOUNT_TAGS:
        found.append(finding(
            "V109", file, loaded.line(file, "tags"), "tags",
            f"the account would carry {len(tags)} tags (inherited, owner and its own); AWS allows {MAX_ACCOUNT_TAGS}",
            "drop some of its tags, or some default_account_tags of the OUs above it",
        ))
    return found


def _chain(loaded: Loaded, account: AccountSpec) -> str:
    """The OUs whose default_account_tags the account inherits, root first."""
    paths = [account.ou[:depth] for depth in range(len(account.ou) + 1)]
    return ", ".join(path_str(p) for p in paths if loaded.org.ou(p) is not None)
