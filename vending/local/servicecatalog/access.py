"""Who sees and launches what: the caller's principal, the portfolios its account sees, and the
launch paths it may use (SC-API, aws-facts 3.1).

A portfolio is seen by its own account, and by the accounts a share reaches: an organization
node share (ORGANIZATION, ORGANIZATIONAL_UNIT, ACCOUNT) once its creation completed, reaching
the accounts under the node *now* (accounts moved in later see it too, as AWS Organizations
shares do; no import needed), and an account-to-account share once the recipient accepted it
(AcceptPortfolioShare, type IMPORTED).

Launching needs a principal of the portfolio that matches the caller: `IAM` by the exact ARN of
the role or user (for an assumed role, the role's ARN with its path), `IAM_PATTERN` by the ARN
without its account id, `*` and `?` as wildcards. Through a share, only IAM_PATTERN principals
travel, and only when the share has SharePrincipals (organization node shares; AWS ignores the
flag on an account share); IAM ARNs never do. Either way the recipient may associate principals
of its own with the shared portfolio (kept in its account, `imported_principals`). The account's
root (the local AWS's dummy keys) stands for the administrator who set the catalog up: in its own
account any principal gives it a path, as before caller matching.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from vending.local.modeled import Call
from vending.local.servicecatalog import errors as err
from vending.local.servicecatalog.shares import IN_FLIGHT, organization, reached
from vending.local.servicecatalog.tables import Item, Tables, tables_of

ORGANIZATION_SHARES = ("ORGANIZATION", "ORGANIZATIONAL_UNIT", "ACCOUNT")
_PATTERN_SHARES = ("ORGANIZATION", "ORGANIZATIONAL_UNIT")
_ACCOUNT_IN_ARN = re.compile(r"^(arn:[^:]+:iam::)\d{12}(:)")


@dataclass(frozen=True)
class Seen:
    """One portfolio as the calling account sees it."""

    hub: str
    """The account that owns the portfolio (the caller's own for a local one)."""
    tables: Tables
    """The hub's tables: the portfolio's products, artifacts and constraints live there."""
    portfolio: Item
    share: Item | None
    """The share that reaches the caller; None for a portfolio of its own."""

    @property
    def share_type(self) -> str | None:
        if self.share is None:
            return None
        return "IMPORTED" if self.share["kind"] == "ACCOUNT_SHARE" else "AWS_ORGANIZATIONS"

    @property
    def shares_tag_options(self) -> bool:
        return self.share is None or bool(self.share["ShareTagOptions"])


def caller_arn(call: Call[Any]) -> str | None:
    """The IAM ARN of the caller: the one an in-process emulator names (`Call.principal_arn`),
    an assumed role's role ARN, an IAM user's ARN; None for root."""
    if call.principal_arn:
        return call.principal_arn
    key = call.access_key_id
    if key.startswith("ASIA"):
        for partitions in sts_backends.values():
            for backend in partitions.values():
                role = backend.get_assumed_role_from_access_key(key)
                if role is not None:
                    return str(role.role_arn)
    if key and call.account_id in iam_backends:
        user = iam_backends[call.account_id]["aws"].get_user_from_access_key_id(key)
        if user is not None:
            return str(user.arn)
    return None


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))


def matches(principal: Item, arn: str) -> bool:
    """Whether one PrincipalARN/PrincipalType association admits the caller's `arn`."""
    if principal["PrincipalType"] == "IAM":
        return bool(principal["PrincipalARN"] == arn)
    return bool(_glob(principal["PrincipalARN"]).fullmatch(_ACCOUNT_IN_ARN.sub(r"\1\2", arn)))


def live(tables: Tables, share: Item) -> bool:
    """A share counts once its creation completed (AWS: the recipients see it then)."""
    if share["kind"] == "ACCOUNT_SHARE":
        return bool(share["Accepted"])
    op = tables.get("share_ops", {}).get(share.get("token") or "")
    return bool(share.get("live")) or op is None or op["Status"] not in IN_FLIGHT


def _reaches(hub: str, tables: Tables, share: Item, account_id: str, memo: dict[tuple[str, str, str], bool]) -> bool:
    """Whether `share` reaches `account_id`; `memo` keeps one organization walk per node and call."""
    if not live(tables, share):
        return False
    if share["kind"] == "ACCOUNT_SHARE":
        return bool(share["PrincipalId"] == account_id)
    key = (hub, share["kind"], share["PrincipalId"])
    if key not in memo:
        backend = organization(hub)  # the management account's or a delegated administrator's shares
        memo[key] = backend is not None and account_id in reached(backend, share["kind"], share["PrincipalId"])
    return memo[key]


def seen(call: Call[Any]) -> list[Seen]:
    """Every portfolio the calling account sees: its own, then those shared with it."""
    found = [Seen(call.account_id, tables_of(call), p, None) for p in tables_of(call)["portfolios"].values()]
    memo: dict[tuple[str, str, str], bool] = {}
    for hub, regions in call.emulator.store.accounts.items():
        tables = regions.get(call.region)
        if hub == call.account_id or tables is None:
            continue
        for folio in tables["portfolios"].values():
            shares = sorted(folio.get("shares", ()), key=lambda s: s["kind"] == "ACCOUNT_SHARE")
            share = next((s for s in shares if _reaches(hub, tables, s, call.account_id, memo)), None)
            if share is not None:
                found.append(Seen(hub, tables, folio, share))
    return found


def one(call: Call[Any], portfolio_id: str) -> Seen:
    found = next((s for s in seen(call) if s.portfolio["Id"] == portfolio_id), None)
    if found is None:
        raise err.portfolio_not_found(portfolio_id)
    return found


def imported_principals(call: Call[Any], portfolio_id: str) -> list[Item]:
    """The principals the recipient associated with a portfolio shared with it."""
    table: dict[str, list[Item]] = tables_of(call).setdefault("imported_principals", {})
    return table.setdefault(portfolio_id, [])


def principals(call: Call[Any], view: Seen) -> list[Item]:
    """The principals that give a path to `view` in the calling account."""
    if view.share is None:
        return list(view.portfolio["principals"])
    own = list(imported_principals(call, view.portfolio["Id"]))
    if view.share["kind"] in _PATTERN_SHARES and view.share["SharePrincipals"]:
        own += [p for p in view.portfolio["principals"] if p["PrincipalType"] == "IAM_PATTERN"]
    return own


def may_launch(call: Call[Any], view: Seen) -> bool:
    admitted = principals(call, view)
    arn = caller_arn(call)
    if arn is None:
        return view.share is None and bool(admitted)
    return any(matches(p, arn) for p in admitted)


def launch_paths(call: Call[Any], product_id: str) -> list[tuple[Seen, str]]:
    """(portfolio seen, path id) for each portfolio holding the product the caller may launch."""
    return [(s, s.portfolio["products"][product_id]) for s in seen(call)
            if product_id in s.portfolio["products"] and may_launch(call, s)]


def product_of(call: Call[Any], product_id: str | None = None, name: str | None = None) -> tuple[Tables, Item]:
    """(hub tables, product) for a product the caller's account owns or sees through a share."""
    def wanted(item: Item) -> bool:
        return bool(item["Id"] == product_id) if product_id else bool(item["Name"] == name)
    own = tables_of(call)
    for item in own["products"].values():
        if wanted(item):
            return own, item
    for view in seen(call):
        for held in view.portfolio["products"]:
            item = view.tables["products"].get(held)
            if item is not None and wanted(item):
                return view.tables, item
    raise err.product_not_found(str(product_id or name))
