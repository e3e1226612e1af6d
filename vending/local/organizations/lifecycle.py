"""Asynchronous account lifecycle: CreateAccount and CloseAccount as AWS runs them.

moto creates and closes accounts instantly. AWS does both in the background
(API_CreateAccount: "This is an asynchronous request"; API_CloseAccount: "While the close
account request is in progress, Account status will indicate PENDING_CLOSURE. When the close
account request completes, the status will change to SUSPENDED"). Here time is counted in
status reads ("polls"), so tests are deterministic:

* CreateAccount returns `IN_PROGRESS` without an AccountId and creates nothing yet. Every
  DescribeCreateAccountStatus of the request, and every ListCreateAccountStatus while it is in
  progress, is one poll; the `create_account_polls`-th poll sees the final state. Then the account
  exists in the root with its tags (SUCCEEDED), or the request is FAILED with
  EMAIL_ALREADY_EXISTS when the email (case-insensitive) belongs to an account or to an earlier
  request still in progress.
* At most 5 requests are in progress at once (aws-facts 2.1, "only five can be in progress at a
  time"); a 6th gets ConstraintViolationException reason ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED,
  whose botocore 1.44.8 model text is "You attempted to exceed the number of accounts that can be
  in progress at a time."
* CloseAccount sets Status/State PENDING_CLOSURE; the `close_account_polls`-th read after it
  sees SUSPENDED. Lists show whichever status the account has. The management
  account cannot be closed (reason CANNOT_CLOSE_MANAGEMENT_ACCOUNT).

Requests and closures in flight are plain dicts on the moto backend object itself, so they are
pickled with it: a process that dies mid-apply leaves them IN_PROGRESS for the next process.
Poll counts below 1 behave as 1.
"""
from __future__ import annotations

from typing import Any

from moto.core.utils import unix_time
from moto.organizations.models import FakeAccount, OrganizationsBackend
from moto.organizations.utils import make_random_create_account_status_id

from vending.local.organizations import errors as err
from vending.local.framework import LocalSettings
from vending.local.organizations.rules import Params, account, page, replaces

MAX_IN_PROGRESS = 5
CREATE_STATES = ("IN_PROGRESS", "SUCCEEDED", "FAILED")
_STATUS_KEYS = ("Id", "AccountName", "State", "RequestedTimestamp", "CompletedTimestamp",
                "AccountId", "FailureReason")


def create_requests(backend: OrganizationsBackend) -> dict[str, dict[str, Any]]:
    """CreateAccount requests by id, oldest first (kept on the backend so they persist)."""
    return backend.__dict__.setdefault("vend_create_requests", {})


def closing_accounts(backend: OrganizationsBackend) -> dict[str, int]:
    """Account id -> DescribeAccount reads left until SUSPENDED."""
    return backend.__dict__.setdefault("vend_closing_accounts", {})


def create_account_now(backend: OrganizationsBackend, params: Params) -> FakeAccount:
    """Create an account synchronously with moto's own CreateAccount (in the root)."""
    status = backend.create_account(**params)["CreateAccountStatus"]
    created = account(backend, status["AccountId"])
    assert created is not None
    return created


def _in_progress(backend: OrganizationsBackend) -> list[dict[str, Any]]:
    return [r for r in create_requests(backend).values() if r["State"] == "IN_PROGRESS"]


def _status(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in _STATUS_KEYS if key in record}


def _email_taken(backend: OrganizationsBackend, email: str) -> bool:
    return any(a.email.lower() == email.lower() for a in backend.accounts)


def _poll(backend: OrganizationsBackend, record: dict[str, Any]) -> None:
    if record["State"] != "IN_PROGRESS":
        return
    record["polls_left"] -= 1
    if record["polls_left"] > 0:
        return
    params = record["params"]
    record["CompletedTimestamp"] = unix_time()
    if record["email_taken"] or _email_taken(backend, params["Email"]):
        record.update(State="FAILED", FailureReason="EMAIL_ALREADY_EXISTS")
        return
    created = create_account_now(backend, params)
    created.create_account_status_id = record["Id"]
    record.update(State="SUCCEEDED", AccountId=created.id)


def step(backend: OrganizationsBackend) -> bool:
    """One poll of every creation and closure in flight; True if there was any."""
    creating = _in_progress(backend)
    for record in creating:
        _poll(backend, record)
    closing = closing_accounts(backend)
    flying = bool(creating) or bool(closing)
    for account_id, left in list(closing.items()):
        if left > 1:
            closing[account_id] = left - 1
            continue
        del closing[account_id]
        closed = account(backend, account_id)
        if closed is not None:
            closed.status = closed.state = "SUSPENDED"
    return flying


@replaces("CreateAccount")
def create_account(backend: OrganizationsBackend, params: Params, settings: LocalSettings) -> Any:
    """Asynchronous, 5 in progress at most, EMAIL_ALREADY_EXISTS (API_CreateAccount)."""
    if backend.org is None:
        raise err.not_in_use()
    pending = _in_progress(backend)
    if len(pending) >= MAX_IN_PROGRESS:
        raise err.constraint_violation(
            "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED",
            "You attempted to exceed the number of accounts that can be in progress at a time.")
    email = params["Email"].lower()
    taken = _email_taken(backend, email) or any(
        r["params"]["Email"].lower() == email for r in pending)
    record = {
        "Id": make_random_create_account_status_id(),
        "AccountName": params["AccountName"],
        "State": "IN_PROGRESS",
        "RequestedTimestamp": unix_time(),
        "params": dict(params),
        "polls_left": max(1, settings.create_account_polls),
        "email_taken": taken,
    }
    create_requests(backend)[record["Id"]] = record
    return {"CreateAccountStatus": _status(record)}


@replaces("DescribeCreateAccountStatus")
def describe_create_account_status(backend: OrganizationsBackend, params: Params,
                                   _: LocalSettings) -> Any:
    """API_DescribeCreateAccountStatus."""
    record = create_requests(backend).get(params["CreateAccountRequestId"])
    if record is None:
        raise err.create_status_not_found()
    return {"CreateAccountStatus": _status(record)}


@replaces("ListCreateAccountStatus")
def list_create_account_status(backend: OrganizationsBackend, params: Params,
                               _: LocalSettings) -> Any:
    """API_ListCreateAccountStatus: honours States; paged."""
    if backend.org is None:
        raise err.not_in_use()
    states = params.get("States") or CREATE_STATES
    items = [_status(r) for r in create_requests(backend).values() if r["State"] in states]
    return page(items, params, "CreateAccountStatuses")


@replaces("CloseAccount")
def close_account(backend: OrganizationsBackend, params: Params, settings: LocalSettings) -> Any:
    """PENDING_CLOSURE, then SUSPENDED; never the management account (API_CloseAccount)."""
    if backend.org is None:
        raise err.not_in_use()
    if params["AccountId"] == backend.org.master_account_id:
        raise err.constraint_violation(
            "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
            "You attempted to close the management account. To close the management account "
            "for the organization, you must first either remove or close all member accounts "
            "in the organization.")
    closed = account(backend, params["AccountId"])
    if closed is None:
        raise err.account_not_found()
    if closed.status in ("PENDING_CLOSURE", "SUSPENDED"):
        raise err.account_already_closed()
    closed.status = closed.state = "PENDING_CLOSURE"
    closing_accounts(backend)[closed.id] = max(1, settings.close_account_polls)
    return {}
