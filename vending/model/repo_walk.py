"""Walking the folders that hold one item each: a folder per item (baselines/, catalog/products/)
or a YAML file per item (catalog/portfolios/, identity/permission-sets/).

The walk is the same everywhere, so anything else in such a folder is reported the same way
(V021 for a stray, V025 for a folder named like a file) and a folder reached twice through a
link is walked once (`Files.enter`, V024).
"""
from __future__ import annotations

from typing import Any, Protocol

from vending.errors import Diagnostic
from vending.model.repo_files import Entry, Files
from vending.model.types import Source
from vending.model.yaml_source import Lines

YAML = ".yaml"


class Reader(Protocol):
    """What the loader's repository offers (see loader._Repo)."""

    found: list[Diagnostic]
    lines: dict[str, Lines]
    files: Files

    def folder(self, name: str) -> Entry | None: ...
    def stray(self, entry: Entry, expected: str) -> None: ...
    def named_like_a_file(self, entry: Entry, expected: str) -> None: ...
    def yaml(self, entry: Entry, kind: str) -> dict[str, Any] | None: ...
    def source(self, entry: Entry, data: dict[str, Any] | None) -> Source: ...


def item_folders(repo: Reader, parent: Entry, layout: str) -> tuple[list[Entry], frozenset[str]]:
    """The item folders below `parent` that are walked now, and the names of all of them (an item
    folder that does not read still names an item); a file there is a stray (`layout` says
    what belongs)."""
    walked, names = [], []
    for entry in repo.files.children(parent):
        if entry.kind == "broken":
            continue
        if entry.kind != "dir":
            repo.stray(entry, layout)
            continue
        names.append(entry.name)
        if repo.files.enter(entry):
            walked.append(entry)
    return walked, frozenset(names)


def item_files(repo: Reader, parent: Entry, kind: str, layout: str
               ) -> tuple[list[tuple[str, Entry, dict[str, Any]]], frozenset[str]]:
    """The `<name>.yaml` files below `parent` that read as YAML (name, entry, data), and the names
    of all of them; anything else is a stray (`layout` says what belongs)."""
    read, names = [], []
    for entry in repo.files.children(parent):
        if entry.kind == "broken":
            continue
        if not entry.name.endswith(YAML):
            repo.stray(entry, layout)
            continue
        if entry.kind == "dir":
            repo.named_like_a_file(entry, f"{layout}: rename the folder")
            continue
        name = entry.name[: -len(YAML)]
        names.append(name)
        data = repo.yaml(entry, kind)
        if data is not None:
            read.append((name, entry, data))
    return read, frozenset(names)


def entry_at(files: Files, folder: Entry, relative: str) -> Entry | None:
    """The entry at a path below `folder` (schemas keep template paths inside the item's folder)."""
    entry: Entry | None = folder
    for part in relative.split("/"):
        if entry is None or entry.kind != "dir" or part in ("", ".", ".."):
            return None
        entry = files.entry(entry, part)
    return entry
