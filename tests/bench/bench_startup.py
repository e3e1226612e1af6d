"""Start-up cost of `vend` commands, side by side with `python -c "import boto3"` (issue 12 point 6).

Targets (issue 12): `vend --version` at most 1.3x the boto3 import, `vend validate` on the example
repository at most 2x. Each command runs `repeat` times in a fresh interpreter; the best time
counts (the least disturbed by other load), and the report gives ratios, not verdicts on seconds.

`vend validate` keeps what it derives from unchanged content (compiled schemas, cfn-lint's
findings) in $XDG_CACHE_HOME/vend: "vend validate" runs with that cache warmed once beforehand
(an unchanged repository, the usual case), "validate, cold" with an empty cache every time
(a fresh machine, or every template changed). Both use a scratch cache, never the user's.

    python -m tests.bench.bench_startup [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
VALIDATE = [sys.executable, "-m", "vending", "--repo", str(REPO_ROOT), "validate"]
COMMANDS = {
    "import boto3": [sys.executable, "-c", "import boto3"],
    "vend --version": [sys.executable, "-m", "vending", "--version"],
    "vend validate": VALIDATE,
    "validate, cold": VALIDATE,
}
COLD = {"validate, cold"}
"""Commands run with an empty cache each time."""
TARGETS = {"vend --version": 1.3, "vend validate": 2.0}


def once(command: list[str], cache: Path) -> float:
    """Seconds one fresh interpreter takes to run the command, with `cache` as XDG_CACHE_HOME."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "XDG_CACHE_HOME": str(cache)}
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, cwd=REPO_ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    return seconds


def run(repeat: int) -> dict[str, float]:
    """Best seconds per command over `repeat` rounds; each round runs every command once, so
    other load on the machine hits them alike."""
    result = {name: float("inf") for name in COMMANDS}
    with tempfile.TemporaryDirectory(prefix="vend-startup-") as scratch:
        warm = Path(scratch) / "warm"
        once(VALIDATE, warm)
        for round_ in range(repeat):
            for name, command in COMMANDS.items():
                cache = Path(scratch) / f"cold-{round_}" if name in COLD else warm
                result[name] = min(result[name], once(command, cache))
    return result


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
