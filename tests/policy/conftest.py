"""Fixtures for the request-policy tests: a git repository with a base and a pull request."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from tests.e2e.conftest import example, vend  # noqa: F401 - the CLI runner and the example copy
from tests.policy.repo import PrRepo, pull_request


@pytest.fixture
def pr(tmp_path: Path) -> PrRepo:
    """BASE committed on main and branch `pr` checked out: write the PR's files, then check."""
    return pull_request(tmp_path / "git")


@pytest.fixture
def make_pr(tmp_path: Path) -> Callable[..., PrRepo]:
    """make_pr(base_files, inside="org"): like `pr`, with other base files or in a sub-folder."""
    return lambda base_files=None, inside="": pull_request(tmp_path / "git", base_files, inside)
