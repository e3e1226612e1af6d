"""Benchmark: pure compute of a plan (load + validate + diff + graph), no AWS at all.

    python -m tests.bench.bench_compute [--accounts 10000] [--ous 2000] [--repeat 3] [--profile]

Writes a synthetic repository of that size and the matching `LiveOrg` (built in Python, with
made-up ids; tests/bench/synthetic.py), then measures in a fresh subprocess, so its peak RSS is
clean:

* `vending.model.loader.load(repo)`: read, parse and schema-check every file, run the rules;
* `vending.plan.build.build_plan(desired, live)`: diff, graph, order, fingerprint.

The child loads the repository first and only then unpickles the `LiveOrg` (untimed), in the
order `vend plan` has them; the LiveOrg is part of the peak RSS, as in a real plan. The child
never imports moto. Targets (from the issue): <= 3 s and <= 500 MB peak RSS. `--profile` runs
the measured part under cProfile and prints the hotspots. The plan must have zero changes, or
the benchmark fails.
"""
from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_ACCOUNTS = 10_000
DEFAULT_OUS = 2_000
SECONDS_TARGET = 3.0
RSS_TARGET_MB = 500.0
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _rss_mb() -> float:
    """Peak RSS of this process, in MB.

    Linux's VmHWM, the high-water mark of this process's own memory map. `ru_maxrss` would do
    on a fresh interpreter, but Linux carries the parent's high-water mark across fork + exec, so
    a child of a big parent reports the parent's peak; ru_maxrss is the fallback elsewhere.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    import resource

    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def child(workdir: Path, profile: bool) -> dict[str, Any]:
    """The measured part; runs in the subprocess."""
    import gc

    from vending.model.loader import load
    from vending.plan.build import build_plan

    repo = workdir / "repo"
    live_blob = (workdir / "live.pickle").read_bytes()
    gc.collect()
    baseline = _rss_mb()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    if profiler is not None:
        profiler.enable()
    t0 = time.perf_counter()
    desired = load(repo)
    load_seconds = time.perf_counter() - t0
    if profiler is not None:
        profiler.disable()
    # `vend plan` loads the repository before it reads AWS; the LiveOrg arrives here, untimed.
    live = pickle.loads(live_blob)
    del live_blob
    if profiler is not None:
        profiler.enable()
    t1 = time.perf_counter()
    plan = build_plan(desired, live)
    plan_seconds = time.perf_counter() - t1
    if profiler is not None:
        profiler.disable()
        import pstats

        for sort in ("tottime", "cumulative"):
            print(f"--- top 25 by {sort}", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(sort).print_stats(25)
    if plan.changes:  # synthetic.assert_no_changes, without importing moto into this process
        shown = "; ".join(f"{c.action.value} {c.address}" for c in plan.changes[:10])
        raise AssertionError(f"the synthetic organization planned {len(plan.changes)} changes: {shown}")
    return {
        "accounts": len(desired.accounts),
        "ous": len(desired.ous),
        "load": load_seconds,
        "plan": plan_seconds,
        "total": load_seconds + plan_seconds,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": _rss_mb(),
    }


def run(accounts: int, ous: int, *, repeat: int = 1, profile: bool = False) -> dict[str, Any]:
    """The fastest of `repeat` fresh subprocesses (each measures once); the highest peak RSS."""
    from tests.bench import synthetic  # imports moto: keep it out of the measured child

    org = synthetic.generate(accounts, ous)
    runs = []
    with tempfile.TemporaryDirectory(prefix="vend-bench-compute-") as tmp:
        workdir = Path(tmp)
        synthetic.write_repo(org, workdir / "repo")
        (workdir / "live.pickle").write_bytes(pickle.dumps(synthetic.live_org(org)))
        for _ in range(max(1, repeat)):
            done = subprocess.run(
                [sys.executable, "-m", "tests.bench.bench_compute", "--child", str(workdir)]
                + (["--profile"] if profile else []),
                cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"the measuring subprocess failed:\n{done.stderr}")
            if profile:
                print(done.stderr, file=sys.stderr)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = dict(min(runs, key=lambda r: r["total"]))
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    best["runs"] = len(runs)
    return best


def report(result: dict[str, Any]) -> str:
    seconds_ok = result["total"] <= SECONDS_TARGET
    rss_ok = result["peak_rss_mb"] <= RSS_TARGET_MB
    return "\n".join([
        f"Pure compute, {result['accounts']:,} accounts / {result['ous']:,} OUs (no AWS,"
        f" best of {result.get('runs', 1)} fresh processes):",
        f"  load + validate   {result['load']:6.2f} s",
        f"  diff + graph      {result['plan']:6.2f} s",
        f"  total             {result['total']:6.2f} s   target <= {SECONDS_TARGET:.0f} s:"
        f" {'met' if seconds_ok else 'MISSED'}",
        f"  peak RSS          {result['peak_rss_mb']:6.0f} MB  target <= {RSS_TARGET_MB:.0f} MB:"
        f" {'met' if rss_ok else 'MISSED'} (interpreter and imports:"
        f" {result['baseline_rss_mb']:.0f} MB)",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS)
    parser.add_argument("--ous", type=int, default=DEFAULT_OUS)
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes; the fastest counts")
    parser.add_argument("--profile", action="store_true", help="print cProfile hotspots")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.profile)))
        return 0
    repeat = 1 if args.profile else args.repeat
    print(report(run(args.accounts, args.ous, repeat=repeat, profile=args.profile)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
