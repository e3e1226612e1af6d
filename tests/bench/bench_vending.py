"""Makespan of vending accounts through Account Factory, against the quota's lower bound.

With N account operations allowed at once and every provisioning taking L seconds, no
scheduler can vend A accounts faster than ceil(A / N) * L. This benchmark vends A accounts
into a registered OU in the local emulator (each record takes L seconds of wall time) and
prints the makespan as a ratio to that bound (target <= 1.1), and the peak number in flight.

Polling is scaled like production: vend polls a record after 5 s, doubling to 30 s, while a
real Account Factory provisioning takes some 20 minutes; here those become L/240 and L/40.

    python -m tests.bench.bench_vending [--accounts 50] [--latency 1.0] [--quotas 5 10]
"""
from __future__ import annotations

import argparse
import math
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from vending import engine
from vending.apply import registry
from vending.apply.context import Polling
from vending.aws.clients import AwsClients
from vending.local import LocalAws
from vending.model.loader import load
from vending.plan.changes import Kind


@dataclass
class Result:
    quota: int
    accounts: int
    latency: float
    makespan: float
    peak: int

    @property
    def bound(self) -> float:
        return math.ceil(self.accounts / self.quota) * self.latency

    @property
    def ratio(self) -> float:
        return self.makespan / self.bound


def write_repo(repo: Path, quota: int) -> None:
    (repo / "ous" / "Sandbox").mkdir(parents=True)
    (repo / "ous" / "Suspended").mkdir(parents=True)
    (repo / "ous" / "Sandbox" / "ou.yaml").write_text("description: vended accounts\n")
    (repo / "ous" / "Suspended" / "ou.yaml").write_text("description: quarantine\n")
    (repo / "accounts").mkdir()
    (repo / "vend.yaml").write_text(yaml.safe_dump({
        "version": 1, "home_region": "us-east-1", "governed_regions": ["us-east-1"],
        "account_factory": "control-tower", "target": {"kind": "local", "state_dir": ".vend"},
        "required_tags": ["owner"], "quarantine_ou": "Suspended", "apply_concurrency": 4,
        "control_tower": {"account_concurrency": quota},
    }))


def add_accounts(repo: Path, count: int) -> None:
    for i in range(count):
        (repo / "accounts" / f"app-{i:03}.yaml").write_text(yaml.safe_dump({
            "name": f"app-{i:03}", "email": f"aws+app-{i:03}@example.com", "ou": "Sandbox",
            "owner": "team@example.com",
        }))


def apply(repo: Path, aws: LocalAws, polling: Polling) -> None:
    desired = load(repo)
    clients = AwsClients(aws.session())
    plan, live = engine.plan(desired, clients, git_commit=None, target="bench")
    ctx = engine.prepare_apply(plan, clients, desired.settings, allow_destroy=False, polling=polling, live=live)
    report = engine.apply(plan, ctx, desired.settings)
    if not report.ok:
        bad = [f"{o.address}: {o.detail}" for o in report.outcomes if o.status != "applied"]
        raise RuntimeError("apply failed:\n  " + "\n  ".join(bad[:10]))


def measure(quota: int, accounts: int, latency: float) -> Result:
    polling = Polling(first_delay=latency / 240, max_delay=latency / 40, timeout=latency * accounts)
    scratch = Path(tempfile.mkdtemp(prefix="vend-bench-"))
    try:
        write_repo(scratch, quota)
        with LocalAws(scratch / ".vend", control_tower=True, account_factory_quota=quota,
                      provisioning_polls=1, provisioning_seconds=latency) as aws:
            apply(scratch, aws, polling)  # the OUs and their registration: not measured
            add_accounts(scratch, accounts)
            spans: list[tuple[float, float]] = []
            lock = threading.Lock()
            original = registry.APPLIERS[Kind.FACTORY_ACCOUNT]

            def timed(change, ctx):
                start = time.perf_counter()
                try:
                    return original(change, ctx)
                finally:
                    with lock:
                        spans.append((start, time.perf_counter()))

            registry.APPLIERS[Kind.FACTORY_ACCOUNT] = timed
            try:
                apply(scratch, aws, polling)
            finally:
                registry.APPLIERS[Kind.FACTORY_ACCOUNT] = original
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    makespan = max(end for _, end in spans) - min(start for start, _ in spans)
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda x: (x[0], x[1]))
    peak = now = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return Result(quota, len(spans), latency, makespan, peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds one provisioning takes")
    parser.add_argument("--quotas", type=int, nargs="+", default=[5, 10])
    args = parser.parse_args()
    print(f"{'quota':>5} {'accounts':>8} {'L (s)':>6} {'bound (s)':>9} {'makespan (s)':>12} {'ratio':>6} {'peak':>5}  target <= 1.1")
    for quota in args.quotas:
        r = measure(quota, args.accounts, args.latency)
        verdict = "met" if r.ratio <= 1.1 else "MISSED"
        print(f"{r.quota:>5} {r.accounts:>8} {r.latency:>6.2f} {r.bound:>9.2f} {r.makespan:>12.2f} {r.ratio:>6.3f} {r.peak:>5}  {verdict}")


if __name__ == "__main__":
    main()
