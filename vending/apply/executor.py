"""Walk the plan's graph and apply each change through its applier.

A change starts as soon as all its prerequisites have succeeded (so one slow CreateAccount does
not hold back unrelated work). Changes bound by an AWS quota (account operations, OU
operations, ...) run up to that quota's limit; all others share the global concurrency bound.
Operations already in progress in AWS when the apply starts (`registry.holds`) take their slots
of those quotas, until AWS says they ended (read while a change waits for a slot) or the change
resuming one starts. When a change fails, only its dependents are skipped; everything else
goes on.
"""
from __future__ import annotations

from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable

from botocore.exceptions import BotoCoreError, ClientError

from vending.apply.context import ApplyContext
from vending.apply.registry import Hold, applier_for, limit_key, takes_over
from vending.aws.errors import Caller, explain
from vending.errors import ApplyFailure
from vending.plan.changes import Change, Plan
from vending.plan.graph import build_graph

Progress = Callable[["Outcome"], None]


@dataclass(frozen=True)
class Outcome:
    address: str
    status: str
    """applied, failed or skipped."""
    detail: str
    aws_error: tuple[str, str, str] | None = None
    """A change AWS refused: (operation, error code, message) as AWS answered them."""


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def by_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        return not self.by_status("failed") and not self.by_status("skipped")


def execute(
    plan: Plan,
    ctx: ApplyContext,
    *,
    concurrency: int,
    limits: dict[str, int],
    holds: dict[str, Hold] | None = None,
    progress: Progress = lambda outcome: None,
) -> ApplyReport:
    graph = build_graph(plan.changes)
    report = ApplyReport()
    waiting = {address: set(graph.predecessors(address)) for address in graph}
    ready = deque(sorted(a for a, prerequisites in waiting.items() if not prerequisites))
    in_flight: dict[Future, Change] = {}
    running: Counter[str] = Counter()

    def record(outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        progress(outcome)
        for dependent in sorted(graph.successors(outcome.address)):
            if dependent not in waiting:
                continue  # already skipped through another prerequisite
            if outcome.status == "applied":
                waiting[dependent].discard(outcome.address)
                if not waiting[dependent]:
                    ready.append(dependent)
            else:
                del waiting[dependent]
                record(Outcome(dependent, "skipped", f"prerequisite {outcome.address} did not apply"))

    bounds = {"": max(1, concurrency), **limits}
    held = _Held(holds or {}, ctx)
    with ThreadPoolExecutor(max_workers=sum(bounds.values())) as pool:
        while ready or in_flight:
            held_back = []
            while ready:
                change = graph.nodes[ready.popleft()]["change"]
                key = limit_key(change)
                if not held.take_over(key, takes_over(change)) and (
                    running[key] + held.count(key) >= bounds.get(key, bounds[""])
                ):
                    held_back.append(change.address)
                    continue
                running[key] += 1
                del waiting[change.address]
                in_flight[pool.submit(_apply_one, change, ctx)] = change
            ready.extendleft(reversed(held_back))
            blocked = {limit_key(graph.nodes[a]["change"]) for a in held_back} & held.keys()
            if not in_flight and not blocked:
                break
            finished = set()
            if blocked:  # a change waits for a slot an operation in AWS holds: look again soon
                delay = held.next_delay()
                if in_flight:
                    finished, _ = wait(list(in_flight), timeout=delay, return_when=FIRST_COMPLETED)
                else:
                    ctx.polling.sleep(delay)
                held.refresh(blocked)
            else:
                finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in finished:
                change = in_flight.pop(future)
                running[limit_key(change)] -= 1
                record(future.result())
    return report


def _apply_one(change: Change, ctx: ApplyContext) -> Outcome:
    try:
        detail = applier_for(change)(change, ctx)
    except ApplyFailure as exc:
        return Outcome(change.address, "failed", str(exc))
    except (ClientError, BotoCoreError) as exc:
        # Credentials, permissions, network, throttling: the same clear message as everywhere.
        clear = explain(exc, Caller(whoami=getattr(ctx.clients, "principal", lambda: None)))
        refused = None
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            refused = (exc.operation_name, str(error.get("Code")), str(error.get("Message")))
            if clear is None:
                clear = f"{refused[1]}: {refused[2]}"
        return Outcome(change.address, "failed", clear or str(exc), refused)
    except Exception as exc:  # a bug must not abandon the changes already in flight
        return Outcome(change.address, "failed", f"internal error: {type(exc).__name__}: {exc}")
    return Outcome(change.address, "applied", detail)


class _Held:
    """The slots taken by operations in flight in AWS, re-read (within each hold's deadline)
    while a change waits for one."""

    def __init__(self, holds: dict[str, Hold], ctx: ApplyContext) -> None:
        self.holds = holds
        self.ids = {key: set(hold.ids) for key, hold in holds.items()}
        self.polling = ctx.polling if holds else None
        self.started = self.polling.clock() if self.polling else 0.0
        self.delays = self.polling.delays() if self.polling else iter(())

    def keys(self) -> set[str]:
        return {key for key, ids in self.ids.items() if ids}

    def count(self, key: str) -> int:
        return len(self.ids.get(key, ()))

    def take_over(self, key: str, operation: str | None) -> bool:
        """A change resuming an operation in flight inherits that operation's slot."""
        ids = self.ids.get(key, set())
        if operation in ids:
            ids.discard(operation)
            return True
        return False

    def next_delay(self) -> float:
        delay = next(self.delays, None)
        if delay is None:  # out of polls: stop holding, the appliers back off on refusals
            self.ids.clear()
            return 0.0
        return delay

    def refresh(self, keys: set[str]) -> None:
        elapsed = self.polling.clock() - self.started
        for key in keys:
            hold = self.holds[key]
            if elapsed >= self.polling.limit(hold.deadline):
                self.ids[key].clear()
                continue
            try:
                self.ids[key] &= hold.still_running()
            except (ClientError, BotoCoreError):  # cannot tell: the appliers' backoff decides
                self.ids[key].clear()
