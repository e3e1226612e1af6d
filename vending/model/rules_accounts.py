"""Account rules: file naming, uniqueness, AWS's email and name rules, placement (V1xx)."""
from __future__ import annotations

import difflib
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Callable

from vending.errors import Diagnostic
from vending.model.codes import finding, quote
from vending.model.rules_values import account_name_problem, account_stem, email_problem
from vending.model.types import ROOT, AccountSpec, path_str

if TYPE_CHECKING:
    from vending.model.rules import Loaded


def check(loaded: Loaded) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    control_tower = loaded.settings is None or loaded.settings.account_factory == "control-tower"
    for account in loaded.accounts:
        found.extend(_values(loaded, account))
        found.extend(_placement(loaded, account))
        if not control_tower:
            found.extend(_sso_user(loaded, account))
    found.extend(_duplicates(loaded, lambda a: account_stem(a.name), _name_clash))
    found.extend(_duplicates(loaded, lambda a: a.email.lower(), _email_clash))
    found.extend(_duplicates(loaded, lambda a: a.pinned_id, _id_clash))
    return found


def _values(loaded: Loaded, account: AccountSpec) -> list[Diagnostic]:
    file = account.source.file
    found = []
    problem = email_problem(account.email)
    if problem:
        found.append(finding(
            "V104", file, loaded.line(file, "email"), "email", f"{quote(account.email)} {problem}",
            "AWS accepts 6-64 ASCII characters with one @ and a domain containing a dot, "
            f"e.g. aws+{account_stem(account.name) or 'name'}@example.com",
        ))
    problem = account_name_problem(account.name)
    if problem:
        found.append(finding("V105", file, loaded.line(file, "name"), "name", f"{quote(account.name)} {problem}",
                             "use 1-50 printable ASCII characters, e.g. Payments Dev"))
    elif PurePosixPath(file).stem != account_stem(account.name):
        expected = account_stem(account.name)
        found.append(finding(
            "V101", file, loaded.line(file, "name"), "name",
            f"name {quote(account.name)} belongs in {expected}.yaml, not {PurePosixPath(file).name}",
            f"rename the file to {PurePosixPath(file).with_name(expected + '.yaml')} or change name: the "
            "file name is the name lower-cased, with spaces and other characters replaced by '-'",
        ))
    return found


def _placement(loaded: Loaded, account: AccountSpec) -> list[Diagnostic]:
    file, ou = account.source.file, account.ou
    if ou == ROOT:
        return []
    spec = loaded.org.ous.get(ou)
    if spec is None:
        label = path_str(ou)
        known = [path_str(p) for p in sorted(loaded.org.ous)]
        close = [k for k in known if k.lower() == label.lower()] or difflib.get_close_matches(label, known, n=1)
        guess = f"did you mean {close[0]}? " if close else ""
        return [finding(
            "V106", file, loaded.line(file, "ou"), "ou",
            f"OU {quote(label)} is not declared: there is no {loaded.ou_file(ou)}",
            f"{guess}use Root or an OU path from the folders under ous/ (case matters), or create that ou.yaml",
        )]
    if spec.retired:
        return [finding(
            "V107", file, loaded.line(file, "ou"), "ou",
            f"OU {quote(path_str(ou))} is retired ({loaded.ou_file(ou)} says retired: true)",
            "move the account to another OU first: AWS deletes only empty OUs",
        )]
    return []


def _sso_user(loaded: Loaded, account: AccountSpec) -> list[Diagnostic]:
    """V112: only Account Factory creates an Identity Center user; like controls on an OU (V206),
    a setting the engine ignores is reported, not dropped in silence."""
    file = account.source.file
    lines = loaded.lines.get(file)
    if lines is None or ("sso_user",) not in lines:
        return []
    return [finding(
        "V112", file, loaded.line(file, "sso_user"), "sso_user",
        "sso_user is used only with account_factory: control-tower (Account Factory's SSOUser* parameters)",
        "remove sso_user, or set account_factory: control-tower in vend.yaml",
    )]


Clash = Callable[["Loaded", AccountSpec, AccountSpec], Diagnostic]


def _duplicates(loaded: Loaded, key: Callable[[AccountSpec], object], clash: Clash) -> list[Diagnostic]:
    """Report every account whose key an earlier file (in path order) already claimed."""
    first: dict[object, AccountSpec] = {}
    found = []
    for account in loaded.accounts:
        value = key(account)
        if value is None or value == "":
            continue
        if value in first:
            found.append(clash(loaded, account, first[value]))
        else:
            first[value] = account
    return found


def _where(loaded: Loaded, account: AccountSpec, field: str) -> str:
    return f"{account.source.file}:{loaded.line(account.source.file, field)}"


def _name_clash(loaded: Loaded, account: AccountSpec, other: AccountSpec) -> Diagnostic:
    file = account.source.file
    same = "is already used by" if account.name == other.name else f"names the same file as {quote(other.name)} in"
    return finding(
        "V102", file, loaded.line(file, "name"), "name", f"{quote(account.name)} {same} {_where(loaded, other, 'name')}",
        "vend knows accounts by name: give each account its own (names differing only in case, "
        "spaces or punctuation count as the same)",
    )


def _email_clash(loaded: Loaded, account: AccountSpec, other: AccountSpec) -> Diagnostic:
    file = account.source.file
    local, _, domain = account.email.partition("@")
    example = f"{local.split('+')[0]}+{account_stem(account.name) or 'name'}@{domain or 'example.com'}"
    return finding(
        "V103", file, loaded.line(file, "email"), "email",
        f"{quote(account.email)} is already used by {_where(loaded, other, 'email')}",
        f"every AWS account needs its own email address; use a plus-address such as {example}",
    )


def _id_clash(loaded: Loaded, account: AccountSpec, other: AccountSpec) -> Diagnostic:
    file = account.source.file
    return finding(
        "V110", file, loaded.line(file, "id"), "id",
        f"account id {account.pinned_id} is already pinned by {_where(loaded, other, 'id')}",
        "an id names exactly one AWS account: remove or correct the id in one of the files",
    )
