"""The crash and fault proofs' repositories, and `vend` run in this process."""
from __future__ import annotations

import io
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
import pytest

from vending.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PARTS = ("vend.yaml", "ous", "accounts", "policies", "baselines", "identity")
SMALLER = ("Infrastructure", "Workloads/Prod", "Workloads/Test", "shared-network",
           "shared-services", "payments-prod", "data-lake-prod", "analytics-test")
"""Left out of the example: what remains is 4 new accounts in 5 OUs (Security, Suspended,
Workloads, Workloads/Dev, Sandbox), 3 SCPs and a tag policy."""


@dataclass
class Result:
    code: int
    out: str
    err: str


def copy_example(into: Path, *, account_factory: str = "organizations", target: str = "",
                 without: tuple[str, ...] = ()) -> Path:
    """The example organization in `into`, less the accounts (by file name) and OU folders
    (by path) named in `without`; `target` replaces vend.yaml's target block."""
    into.mkdir(parents=True)
    for part in EXAMPLE_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, into / part)
        else:
            shutil.copy(source, into / part)
    for name in without:
        account = into / "accounts" / f"{name}.yaml"
        account.unlink() if account.exists() else shutil.rmtree(into / "ous" / name)
    settings = into / "vend.yaml"
    text = settings.read_text().replace("account_factory: organizations",
                                        f"account_factory: {account_factory}")
    if target:
        text = text.replace("target:\n  kind: local\n  state_dir: .vend\n", target)
        assert target in text
    settings.write_text(text)
    return into


def vend(repo: Path, *args: str) -> Result:
    """Run the CLI in this process as a shell would; exit code and output."""
    out, err, argv = io.StringIO(), io.StringIO(), sys.argv
    sys.argv = ["vend", "--repo", str(repo), *args]
    try:
        with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as exited:
            main()
    finally:
        sys.argv = argv
    return Result(int(exited.value.code or 0), out.getvalue(), err.getvalue())
