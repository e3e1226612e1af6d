"""The two ways vend waits on AWS, both bounded by a deadline (`vending.apply.deadlines`).

`poll` reads an asynchronous operation until it ends; `until_admitted` repeats a request AWS
refused only because it is busy (a quota of operations in progress, another OU operation),
backing off, and reading meanwhile what it waits for. Either ends with DeadlineExceeded naming
what it waited for and what to do; the operation goes on in AWS and the next plan finds it.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from vending.apply.context import Polling
from vending.errors import DeadlineExceeded

T = TypeVar("T")

RERUN = "it continues in AWS; rerun vend apply to pick it up"
RETRY = "rerun vend apply once it has finished"


class Refused(Exception):
    """Raised by an attempt that AWS refused for being busy; `reason` says with what."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def span(seconds: float) -> str:
    """A duration as a person reads it: "15 min", "90 s"."""
    return f"{seconds / 60:g} min" if seconds >= 120 else f"{seconds:g} s"


def poll(
    polling: Polling,
    what: str,
    deadline: float,
    read: Callable[[], tuple[str, T | None]],
    *,
    then: str = RERUN,
) -> T:
    """Call `read` (after each delay) until it returns a result; it returns (status, result),
    result None while the operation is still running."""
    limit = polling.limit(deadline)
    start = polling.clock()
    status, polls = "IN_PROGRESS", 0
    for delay in polling.delays():
        polling.sleep(max(0.0, min(delay, limit - (polling.clock() - start))))
        status, result = read()
        polls += 1
        if result is not None:
            return result
        if polling.clock() - start >= limit:
            raise DeadlineExceeded(f"{what} still {status} after {span(limit)}; {then}")
    raise DeadlineExceeded(f"{what} still {status} after {polls} polls; {then}")


def until_admitted(
    polling: Polling,
    what: str,
    deadline: float,
    attempt: Callable[[], T],
    *,
    meanwhile: Callable[[], None] = lambda: None,
    then: str = RETRY,
) -> T:
    """Call `attempt` until it is not Refused, backing off (and calling `meanwhile`) between."""
    limit = polling.limit(deadline)
    start = polling.clock()
    reason, attempts = "", 0
    for delay in polling.delays():
        try:
            return attempt()
        except Refused as refused:
            reason, attempts = refused.reason, attempts + 1
        if polling.clock() - start >= limit:
            raise DeadlineExceeded(f"{what} still refused after {span(limit)}: {reason}; {then}")
        meanwhile()
        polling.sleep(max(0.0, min(delay, limit - (polling.clock() - start))))
    raise DeadlineExceeded(f"{what} still refused after {attempts} attempts: {reason}; {then}")
