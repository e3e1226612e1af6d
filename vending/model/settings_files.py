"""Read identity/permission-sets/<name>.yaml (the permission sets `access` may name)."""
from __future__ import annotations

from vending.model import settings_specs
from vending.model.repo_walk import Reader, item_files
from vending.model.settings_types import PermissionSetSpec

IDENTITY_DIR = "identity"
PERMISSION_SETS_DIR = "permission-sets"


def read_permission_sets(repo: Reader) -> dict[str, PermissionSetSpec]:
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
    read, _ = item_files(repo, folder, "permission-set", f"permission sets are {folder.rel}/<name>.yaml files")
    for name, entry, data in read:
        found[name] = settings_specs.permission_set(name, entry.rel, data)
    return found
