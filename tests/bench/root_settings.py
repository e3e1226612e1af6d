"""What the account-settings benchmarks share: the synthetic organization planned bare (the
baseline), then with settings added to the root's ou.yaml, applied by vend, and planned again;
and their command line."""
from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from tests.bench import synthetic
from tests.bench.bench_baselines import deploy
from vending import engine
from vending.aws.clients import AwsClients, CallCounter
from vending.model.loader import load


@dataclass
class Measured:
    baseline: Counter[str]
    with_settings: Counter[str]
    baseline_seconds: float
    plan_seconds: float
    extra: Any
    """What `after` read from the local AWS once the settings were applied."""
    opt_in: Counter[str] | None = None
    opt_in_seconds: float = 0.0
    """The no-change plan once more, with `options` (e.g. check_subscribers=True), if given."""


def plan_counts(repo: Path, local: Any, label: str, **options: Any) -> tuple[Counter[str], float]:
    """The requests by operation and the wall time of a no-change `vend plan` of `repo`."""
    counter = CallCounter()
    start = time.perf_counter()
    computed, _ = engine.plan(load(repo), AwsClients(local.session(), observers=(counter,)),
                              git_commit=None, target="bench", **options)
    seconds = time.perf_counter() - start
    synthetic.assert_no_changes(computed, label)
    return Counter(counter.counts), seconds


def measure(accounts: int, ous: int, settings: str, label: str, log: Callable[[str], None],
            after: Callable[[Any], Any] = lambda local: None, options: dict[str, Any] | None = None) -> Measured:
    """Plan the synthetic organization, add `settings` to the root's ou.yaml, apply, plan again
    (and, with `options`, once more with those engine.plan options)."""
    from vending.local import LocalAws

    org = synthetic.generate(accounts, ous)
    with tempfile.TemporaryDirectory(prefix="vend-bench-") as tmp:
        repo = synthetic.write_repo(org, Path(tmp) / "repo")
        with LocalAws(Path(tmp) / "state") as local:
            synthetic.seed_local(org, repo, local)
            baseline, baseline_seconds = plan_counts(repo, local, label)
            root = repo / "ous" / "ou.yaml"
            root.write_text(root.read_text() + settings)
            start = time.perf_counter()
            deploy(repo, AwsClients(local.session()))
            log(f"  {accounts} accounts: {label}'s settings applied in {time.perf_counter() - start:.1f} s")
            with_settings, seconds = plan_counts(repo, local, label)
            opt_in, opt_in_seconds = plan_counts(repo, local, label, **options) if options else (None, 0.0)
            return Measured(baseline, with_settings, baseline_seconds, seconds, after(local), opt_in, opt_in_seconds)


def main(doc: str, default_sizes: tuple[int, ...], run_size: Callable[..., Any],
         report: Callable[[list[Any]], str], argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(default_sizes))
    parser.add_argument("--ous", type=int, default=50)
    args = parser.parse_args(argv)
    results = [run_size(size, args.ous, log=lambda m: print(m, flush=True)) for size in args.sizes]
    print()
    print(report(results))
    return 0
