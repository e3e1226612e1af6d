"""Service Catalog portfolio shares: Organizations access, organization-node and account shares.

As SC-API and aws-facts 3.1-3.2 describe: EnableAWSOrganizationsAccess (management account only)
enables trusted access for servicecatalog.amazonaws.com in Organizations, which
GetAWSOrganizationsAccessStatus reports. CreatePortfolioShare with an OrganizationNode
(ORGANIZATION, ORGANIZATIONAL_UNIT, ACCOUNT; checked against the organization) needs that access
and returns a PortfolioShareToken whose DescribePortfolioShareStatus goes NOT_STARTED ->
IN_PROGRESS -> COMPLETED as Service Catalog is read (one poll per read, `share_polls` of them),
with the accounts reached in ShareDetails. Creating an existing share is a silent no-op;
SharePrincipals counts only on ORGANIZATION and ORGANIZATIONAL_UNIT shares (AWS ignores it
elsewhere). UpdatePortfolioShare changes the flags given (InvalidStateException while the share's
operation is in progress); DeletePortfolioShare removes it. An AccountId share (account to
account) has no token and is not accepted until the recipient accepts it. A registered Service
Catalog delegated administrator shares to organization nodes and reads the access status as the
management account does; EnableAWSOrganizationsAccess it may not call.
"""
from __future__ import annotations

from typing import Any

from moto.organizations.models import organizations_backends

from vending.local.errors import AwsServiceError
from vending.local.modeled import Call
from vending.local.servicecatalog import errors as err
from vending.local.servicecatalog.tables import Item, Tables, handles, new_id, paged, portfolio, tables_of

PRINCIPAL = "servicecatalog.amazonaws.com"
SHARE_POLLS = 2
IN_FLIGHT = ("NOT_STARTED", "IN_PROGRESS")
_PRINCIPAL_SHARING = ("ORGANIZATION", "ORGANIZATIONAL_UNIT")


def organization(account_id: str) -> Any:
    """The Organizations backend whose nodes `account_id`'s portfolios may be shared with: its own
    organization's when it manages one or is a registered Service Catalog delegated administrator
    of one; None otherwise."""
    backend = organizations_backends[account_id]["aws"]
    if backend.org is not None and backend.org.master_account_id == account_id:
        return backend
    master = organizations_backends.master_accounts.get(account_id)
    if not master:
        return None
    backend = organizations_backends[master[0]]["aws"]
    admin = any(a.account.id == account_id and PRINCIPAL in a.services for a in backend.admins)
    return backend if backend.org is not None and admin else None


def _org(call: Call[Any]) -> Any:
    """The organization the caller manages or administers for Service Catalog (AccessDenied otherwise)."""
    backend = organization(call.account_id)
    if backend is None:
        raise AwsServiceError("AccessDeniedException", f"Account {call.account_id} is neither the management account"
                              " of an organization nor a Service Catalog delegated administrator of one; only they"
                              " can manage organization access and shares here")
    return backend


def _enabled(backend: Any) -> bool:
    return any(s["ServicePrincipal"] == PRINCIPAL for s in backend.services)


def _ops(tables: Tables) -> dict[str, Item]:
    return tables.setdefault("share_ops", {})


@handles("EnableAWSOrganizationsAccess")
def enable_organizations_access(call: Call[Any]) -> dict[str, Any]:
    """API_EnableAWSOrganizationsAccess: management account only."""
    backend = _org(call)
    if backend.org.master_account_id != call.account_id:
        # SC-API: "a delegated administrator is not authorized to invoke EnableAWSOrganizationsAccess".
        # Of the operation's modelled errors (ResourceNotFound, InvalidState, OperationNotSupported)
        # only OperationNotSupportedException fits a caller that may never do this.
        raise AwsServiceError("OperationNotSupportedException", f"Account {call.account_id} is a delegated"
                              " administrator; only the management account can enable AWS Organizations access")
    backend.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    return {}


@handles("GetAWSOrganizationsAccessStatus")
def get_organizations_access_status(call: Call[Any]) -> dict[str, Any]:
    """API_GetAWSOrganizationsAccessStatus: ENABLED | DISABLED."""
    return {"AccessStatus": "ENABLED" if _enabled(_org(call)) else "DISABLED"}


def reached(backend: Any, node_type: str, value: str) -> list[str]:
    """The member accounts an organization node reaches (the management account left out)."""
    manager = backend.org.master_account_id
    members = [a for a in backend.accounts if a.id != manager]
    if node_type == "ORGANIZATION":
        return sorted(a.id for a in members)
    if node_type == "ACCOUNT":
        return [value]
    parents = {ou.id: (None if ou.type == "ROOT" else ou.parent_id) for ou in backend.ou}

    def below(node: str | None) -> bool:
        while node is not None:
            if node == value:
                return True
            node = parents.get(node)
        return False
    return sorted(a.id for a in members if below(a.parent_id))


def _check_node(backend: Any, node_type: str, value: str) -> None:
    manager = backend.org.master_account_id
    known = {"ORGANIZATION": lambda: value == backend.org.id,
             "ORGANIZATIONAL_UNIT": lambda: any(ou.id == value and ou.type != "ROOT" for ou in backend.ou),
             "ACCOUNT": lambda: any(a.id == value and a.id != manager for a in backend.accounts)}
    if node_type not in known or not known[node_type]():
        raise err.invalid(f"OrganizationNode {node_type} {value} is not part of organization {backend.org.id}.")


def _node(call: Call[Any]) -> tuple[str, str]:
    """(Type, value) of the request's share: AccountId (type ACCOUNT_SHARE) or OrganizationNode."""
    p = call.params
    if bool(p.get("AccountId")) == bool(p.get("OrganizationNode")):
        raise err.invalid("Give exactly one of AccountId and OrganizationNode.")
    if p.get("AccountId"):
        return "ACCOUNT_SHARE", p["AccountId"]
    node = p["OrganizationNode"]
    return node.get("Type", ""), node.get("Value", "")


def _find(item: Item, kind: str, value: str) -> Item | None:
    return next((s for s in item.setdefault("shares", []) if (s["kind"], s["PrincipalId"]) == (kind, value)), None)


def _start(tables: Tables, item: Item, kind: str, value: str, accounts: list[str]) -> str:
    token = new_id("share")
    _ops(tables)[token] = {"PortfolioShareToken": token, "PortfolioId": item["Id"], "OrganizationNodeValue": value,
                           "Status": "NOT_STARTED", "polls_left": SHARE_POLLS, "accounts": accounts, "kind": kind}
    return token


@handles("CreatePortfolioShare")
def create_portfolio_share(call: Call[Any]) -> dict[str, Any]:
    """API_CreatePortfolioShare."""
    tables = tables_of(call)
    item = portfolio(tables, call.params["PortfolioId"])
    kind, value = _node(call)
    existing = _find(item, kind, value)
    if existing is not None:  # a silent no-op, as AWS
        return {"PortfolioShareToken": existing["token"]} if existing.get("token") else {}
    share = {"kind": kind, "PrincipalId": value, "ShareTagOptions": bool(call.params.get("ShareTagOptions")),
             "SharePrincipals": bool(call.params.get("SharePrincipals")) and kind in _PRINCIPAL_SHARING,
             "Accepted": kind != "ACCOUNT_SHARE", "token": None}
    if kind == "ACCOUNT_SHARE":
        item["shares"].append(share)
        return {}
    backend = _org(call)
    if not _enabled(backend):
        raise AwsServiceError("InvalidStateException", "AWS Organizations access is not enabled for Service Catalog;"
                              " call EnableAWSOrganizationsAccess from the management account first.")
    _check_node(backend, kind, value)
    share["token"] = _start(tables, item, kind, value, reached(backend, kind, value))
    item["shares"].append(share)
    return {"PortfolioShareToken": share["token"]}


def _busy(tables: Tables, share: Item) -> bool:
    op = _ops(tables).get(share.get("token") or "")
    return op is not None and op["Status"] in IN_FLIGHT


@handles("UpdatePortfolioShare")
def update_portfolio_share(call: Call[Any]) -> dict[str, Any]:
    """API_UpdatePortfolioShare: the flags given change; never while the share is in progress."""
    tables = tables_of(call)
    item = portfolio(tables, call.params["PortfolioId"])
    kind, value = _node(call)
    share = _find(item, kind, value)
    if share is None:
        raise err.not_found(f"Portfolio {item['Id']} is not shared with {kind} {value}.")
    if _busy(tables, share):
        raise AwsServiceError("InvalidStateException", f"The share of portfolio {item['Id']} with {value} is in"
                              " progress; update it once DescribePortfolioShareStatus says it completed.")
    if call.params.get("ShareTagOptions") is not None:
        share["ShareTagOptions"] = bool(call.params["ShareTagOptions"])
    if call.params.get("SharePrincipals") is not None:
        share["SharePrincipals"] = bool(call.params["SharePrincipals"]) and kind in _PRINCIPAL_SHARING
    if kind == "ACCOUNT_SHARE":
        return {"Status": "COMPLETED"}
    share["token"] = _start(tables, item, kind, value, reached(_org(call), kind, value))
    return {"PortfolioShareToken": share["token"], "Status": "NOT_STARTED"}


@handles("DeletePortfolioShare")
def delete_portfolio_share(call: Call[Any]) -> dict[str, Any]:
    """API_DeletePortfolioShare: an organization-node delete answers with a token of its own."""
    tables = tables_of(call)
    item = portfolio(tables, call.params["PortfolioId"])
    kind, value = _node(call)
    share = _find(item, kind, value)
    if share is None:
        raise err.not_found(f"Portfolio {item['Id']} is not shared with {kind} {value}.")
    item["shares"].remove(share)
    if kind == "ACCOUNT_SHARE":
        return {}
    return {"PortfolioShareToken": _start(tables, item, kind, value, [])}


@handles("DescribePortfolioShareStatus")
def describe_portfolio_share_status(call: Call[Any]) -> dict[str, Any]:
    """API_DescribePortfolioShareStatus."""
    op = _ops(tables_of(call)).get(call.params["PortfolioShareToken"])
    if op is None:
        raise err.not_found(f"Portfolio share {call.params['PortfolioShareToken']} not found.")
    answer = {k: op[k] for k in ("PortfolioShareToken", "PortfolioId", "OrganizationNodeValue", "Status")}
    if op["Status"] not in IN_FLIGHT:
        answer["ShareDetails"] = {"SuccessfulShares": list(op["accounts"]), "ShareErrors": list(op.get("errors", []))}
    return answer


@handles("DescribePortfolioShares")
def describe_portfolio_shares(call: Call[Any]) -> dict[str, Any]:
    """API_DescribePortfolioShares of one Type: ACCOUNT (account-to-account), ORGANIZATION,
    ORGANIZATIONAL_UNIT, ORGANIZATION_MEMBER_ACCOUNT (an org-node share of one account)."""
    item = portfolio(tables_of(call), call.params["PortfolioId"])
    kind = {"ACCOUNT": "ACCOUNT_SHARE", "ORGANIZATION_MEMBER_ACCOUNT": "ACCOUNT"}.get(call.params["Type"], call.params["Type"])
    found = [{"PrincipalId": s["PrincipalId"], "Type": call.params["Type"], "Accepted": s["Accepted"],
              "ShareTagOptions": s["ShareTagOptions"], "SharePrincipals": s["SharePrincipals"]}
             for s in item.get("shares", []) if s["kind"] == kind]
    return paged(call, found, "PortfolioShareDetails")


def step(tables: Tables) -> bool:
    """One poll of every share operation in flight; True if there was any."""
    flying = [op for op in tables.get("share_ops", {}).values() if op["Status"] in IN_FLIGHT]
    for op in flying:
        op["polls_left"] -= 1
        op["Status"] = "COMPLETED" if op["polls_left"] <= 0 else "IN_PROGRESS"
        folio = tables["portfolios"].get(op["PortfolioId"])
        share = _find(folio, op["kind"], op["OrganizationNodeValue"]) if folio else None
        if share is not None and op["Status"] == "COMPLETED":
            share["live"] = True  # recipients see it from now on (servicecatalog.access)
    return bool(flying)
