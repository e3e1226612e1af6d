"""Read identity/permission-sets/<name>.yaml (the permission sets `access` may name)."""
from __future__ import annotations

from typing import Any, Protocol

from vending.errors import Diagnostic
from vending.model import settings_specs
from vending.model.repo_files import Entry, Files
from vending.model.settings_types import PermissionSetSpec

IDENTITY_DIR = "identity"
PERMISSION_SETS_DIR = "permission-sets"
EXTENSION = ".yaml"


class _Reader(Protocol):
    """What the loader's repository offers (see loader._Repo)."""

    found: list[Diagnostic]
    files: Files

    def folder(self, name: str) -> Entry | None: ...
    def stray(self, entry: Entry, expected: str) -> None: ...
    def named_like_a_file(self, entry: Entry, expected: str) -> None: ...
    def yaml(self, entry: Entry, kind: str) -> dict[str, Any] | None: ...


def read_permission_sets(repo: _Reader) -> dict[str, PermissionSetSpec]:
    """Every readable permission set, by name (its file's stem); problems go to repo.found."""
    found: dict[str, PermissionSetSpec] = {}
    base = repo.folder(IDENTITY_DIR)
    if base is None:
        return found
    folder = None
    for entry in repo.files.children(base):
        if entry.name == PERMISSION_SETS_DIR and entry.kind == "dir":
            folder = entry
        elif entry.kind != "broken":
            repo.stray(entry, f"{IDENTITY_DIR}/ holds the folder {PERMISSION_SETS_DIR}/")
    if folder is None or not repo.files.enter(folder):
        return found
    for entry in repo.files.children(folder):
        if entry.kind == "broken":
            continue
        if not entry.name.endswith(EXTENSION):
            repo.stray(entry, f"permission sets are {folder.rel}/<name>.yaml files")
        elif entry.kind == "dir":
            repo.named_like_a_file(entry, f"permission sets are {folder.rel}/<name>.yaml files: rename the folder")
        else:
            data = repo.yaml(entry, "permission-set")
            if data is not None:
                name = entry.name[: -len(EXTENSION)]
                found[name] = settings_specs.permission_set(name, entry.rel, data)
    return found
