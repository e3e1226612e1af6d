"""Rewrite tests/e2e/golden/* from the current code; review the diff before committing."""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tests.e2e.conftest import EXAMPLE_PARTS, REPO_ROOT
from tests.e2e.test_golden_plans import CASES, GOLDEN
from vending.cli import main


def run(repo: Path, *args: str):
    import contextlib
    import io

    out = io.StringIO()
    sys.argv = ["vend", "--repo", str(repo), *args]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            main()
        except SystemExit as exited:
            code = int(exited.code or 0)
    return type("Result", (), {"code": code, "out": out.getvalue(), "err": ""})()


def fresh_example(base: Path) -> Path:
    repo = base / "repo"
    repo.mkdir()
    for part in EXAMPLE_PARTS:
        source = REPO_ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, repo / part)
    return repo


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name, (make, fmt) in CASES.items():
        with tempfile.TemporaryDirectory() as scratch:
            (GOLDEN / name).write_text(make(run, fresh_example(Path(scratch)), fmt))
            print("wrote", GOLDEN / name)
