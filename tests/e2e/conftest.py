"""End-to-end fixtures: a copy of the example organization and a way to run `vend` in-process."""
from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from vending.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PARTS = ("vend.yaml", "ous", "accounts", "policies", "baselines", "identity")


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The example organization in a scratch folder, with its own local AWS state."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for part in EXAMPLE_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, repo / part)
        else:
            shutil.copy(source, repo / part)
    # Schemas are referenced relatively by the example files; the copy does not need them.
    return repo


@pytest.fixture
def vend(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """vend(repo, *args): run the CLI as a shell would, returning exit code and output."""

    def run(repo: Path, *args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["vend", "--repo", str(repo), *args])
        with pytest.raises(SystemExit) as exited:
            main()
        captured = capsys.readouterr()
        return Result(int(exited.value.code or 0), captured.out, captured.err)

    return run


def without_baselines(repo: Path) -> Path:
    """The example without its baselines, for tests whose expectations a baseline's changes
    would blur (a new account adds a row to the VPC baseline's template: a stack set change).
    Removes baselines/ and every `baselines:` block of ous/ and accounts/."""
    shutil.rmtree(repo / "baselines", ignore_errors=True)
    for path in [*(repo / "ous").rglob("ou.yaml"), *(repo / "accounts").glob("*.yaml")]:
        kept, skipping = [], False
        for line in path.read_text().splitlines(keepends=True):
            if line.startswith("baselines:"):
                skipping = True
                continue
            if skipping and (line.startswith((" ", "-", "\t")) or not line.strip()):
                continue
            skipping = False
            kept.append(line)
        path.write_text("".join(kept))
    return repo
