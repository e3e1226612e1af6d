"""Start-up cost of `vend` commands, side by side with `python -c "import boto3"` (issue 12 point 6).

Targets (issue 12): `vend --version` at most 1.3x the boto3 import, `vend validate` on the example
repository at most 2x. Each command runs `repeat` times in a fresh interpreter; the best time
counts (the least disturbed by other load), and the report gives ratios, not verdicts on seconds.

    python -m tests.bench.bench_startup [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMANDS = {
    "import boto3": [sys.executable, "-c", "import boto3"],
    "vend --version": [sys.executable, "-m", "vending", "--version"],
    "vend validate": [sys.executable, "-m", "vending", "--repo", str(REPO_ROOT), "validate"],
}
TARGETS = {"vend --version": 1.3, "vend validate": 2.0}


def best(command: list[str], repeat: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=env, cwd=REPO_ROOT)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    return min(times)


def run(repeat: int) -> dict[str, float]:
    return {name: best(command, repeat) for name, command in COMMANDS.items()}


def report(result: dict[str, float]) -> str:
    base = result["import boto3"]
    lines = [f"{'command':<16} {'best (s)':>9} {'x boto3':>8}  target"]
    for name, seconds in result.items():
        target = f"<= {TARGETS[name]}x" if name in TARGETS else ""
        lines.append(f"{name:<16} {seconds:>9.3f} {seconds / base:>8.2f}  {target}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    print(report(run(parser.parse_args().repeat)))


if __name__ == "__main__":
    main()
