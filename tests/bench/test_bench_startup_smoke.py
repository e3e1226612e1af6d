"""The start-up benchmark runs (no timing asserted), and `vend --version` stays free of moto."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.bench import bench_startup


def test_startup_benchmark_reports_ratios_to_the_boto3_import():
    result = bench_startup.run(1)
    assert set(result) == set(bench_startup.COMMANDS) and all(t > 0 for t in result.values())
    text = bench_startup.report(result)
    assert "x boto3" in text and "<= 1.3x" in text and "<= 2.0x" in text


def test_the_cli_imports_no_emulator_until_a_command_needs_it():
    probe = ("import sys; sys.argv = ['vend', '--version']\n"
             "from vending.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('moto', 'vending.local', 'vending.rehearse.run') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(bench_startup.REPO_ROOT)}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
