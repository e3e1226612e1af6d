"""Fixtures for the model tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.model.repo import BASE, MakeRepo


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """make_repo({"accounts/web.yaml": "...", "ous/Apps/ou.yaml": None}) -> repo root (None deletes)."""

    def make(files: dict[str, str | bytes | None] | None = None) -> Path:
        merged: dict[str, str | bytes | None] = dict(BASE)
        merged.update(files or {})
        for rel, body in merged.items():
            if body is None:
                continue
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(body, bytes):
                path.write_bytes(body)
            else:
                path.write_text(body, encoding="utf-8")
        return tmp_path

    return make
