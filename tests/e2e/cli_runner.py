"""Run `vend` in-process, as a user would from a shell, and capture exit code and output."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from vending.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_vend(capsys: pytest.CaptureFixture, repo: Path, *args: str, monkeypatch: pytest.MonkeyPatch | None = None) -> Result:
    import sys

    argv = ["vend", "--repo", str(repo), *args]
    old = sys.argv
    sys.argv = argv
    try:
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return Result(int(exited.value.code or 0), captured.out, captured.err)
