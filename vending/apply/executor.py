"""Walk the plan's graph and apply each change through its applier.

A change starts as soon as all its prerequisites have succeeded (so one slow CreateAccount does
not hold back unrelated work). Changes bound by an AWS quota (account operations, OU
operations, ...) run up to that quota's limit; all others share the global concurrency bound. When a change fails, only its dependents are skipped; everything else goes on.
"""
from __future__ import annotations

from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable

from botocore.exceptions import BotoCoreError, ClientError

from vending.apply.context import ApplyContext
from vending.apply.registry import applier_for, limit_key
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
    with ThreadPoolExecutor(max_workers=sum(bounds.values())) as pool:
        while ready or in_flight:
            held_back = []
            while ready:
                change = graph.nodes[ready.popleft()]["change"]
                key = limit_key(change)
                if running[key] >= bounds.get(key, bounds[""]):
                    held_back.append(change.address)
                    continue
                running[key] += 1
                del waiting[change.address]
                in_flight[pool.submit(_apply_one, change, ctx)] = change
            ready.extendleft(reversed(held_back))
            if not in_flight:
                break
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
        if clear is None and isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            clear = f"{error.get('Code')}: {error.get('Message')}"
        return Outcome(change.address, "failed", clear or str(exc))
    except Exception as exc:  # a bug must not abandon the changes already in flight
        return Outcome(change.address, "failed", f"internal error: {type(exc).__name__}: {exc}")
    return Outcome(change.address, "applied", detail)
