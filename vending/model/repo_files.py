"""The repository's folders as vend walks them, with the file system's surprises reported as
findings instead of tracebacks: symbolic links that point nowhere or loop (V022), files that
cannot be read (V023), a file or folder reached twice through links (V024).

vend follows symbolic links, so a repository may share folders or files through them; what it
refuses is what would make it read one thing twice or never finish. One `os.scandir` per folder
gives each entry's type without a system call per file, which matters at 10,000 accounts.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from vending.errors import Diagnostic
from vending.model.codes import finding

Kind = Literal["file", "dir", "other", "broken"]
"""other: a FIFO, socket or device; broken: a link that points nowhere (already reported)."""


@dataclass(frozen=True)
class Entry:
    """One name in the repository: where it is, what it is, and what it really is on disk."""

    path: Path
    rel: str
    """Repo-relative POSIX path ("" for the root)."""
    kind: Kind
    real: str
    """The path with every symbolic link resolved; equal reals are the same file or folder."""

    @property
    def name(self) -> str:
        return self.path.name


def ignored(name: str) -> bool:
    """Notes and tool files live next to the YAML without being read: dot-files and *.md."""
    return name.startswith(".") or name.endswith(".md")


class Files:
    """Lists folders and claims files, recording each surprise once in `found`."""

    def __init__(self, root: Path, found: list[Diagnostic]):
        self.root = Entry(root, "", "dir", os.path.realpath(root))
        self.found = found
        self._entered: dict[str, str] = {}
        self._claimed: dict[str, str] = {}

    def entry(self, parent: Entry, name: str) -> Entry | None:
        """The entry `name` in `parent` (None when nothing, not even a link, has that name)."""
        path = parent.path / name
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._unreadable(_rel(parent, name), exc)
            return None
        if stat.S_ISLNK(mode):
            return self._link(parent, name, path)
        return Entry(path, _rel(parent, name), _kind(mode), parent.real + "/" + name)

    def children(self, folder: Entry) -> list[Entry]:
        """The folder's entries that vend may read, sorted by name (as `sorted(Path)` would)."""
        try:
            with os.scandir(folder.path) as listing:
                found = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            self._unreadable(folder.rel, exc)
            return []
        entries = []
        for item in found:
            if ignored(item.name):
                continue
            if item.is_symlink():
                entries.append(self._link(folder, item.name, Path(item.path)))
                continue
            kind: Kind = "dir" if item.is_dir(follow_symlinks=False) else "file" if item.is_file(
                follow_symlinks=False) else "other"
            entries.append(Entry(Path(item.path), _rel(folder, item.name), kind, folder.real + "/" + item.name))
        return entries

    def enter(self, folder: Entry) -> bool:
        """True the first time a folder is walked; a folder reached again (a link back to a
        parent, or two links to one folder) is reported (V024) and not walked again."""
        first = self._entered.get(folder.real)
        if first is None:
            self._entered[folder.real] = folder.rel
            return True
        loop = folder.rel.startswith(first + "/") or first == ""
        self.found.append(finding(
            "V024", folder.rel, 1, "",
            f"this folder is {first or 'the repository root'} again, through a symbolic link"
            + (" (a loop)" if loop else ""),
            "remove the link: vend follows links, and would read that folder twice"
            + (" without end" if loop else ""),
        ))
        return False

    def claim(self, entry: Entry, what: str) -> bool:
        """True the first time a file is read as `what`; the same file under a second name
        (a symbolic link) is reported (V024) instead of read twice."""
        first = self._claimed.setdefault(entry.real, entry.rel)
        if first == entry.rel:
            return True
        self.found.append(finding(
            "V024", entry.rel, 1, "", f"this is {first} again, through a symbolic link",
            f"remove the link: each {what} has one file",
        ))
        return False

    def read(self, entry: Entry) -> str | None:
        """The file's text, or None when it is not UTF-8 (V003) or cannot be read (V023)."""
        if entry.kind == "other":
            self.found.append(finding("V023", entry.rel, 1, "", "not a regular file (a FIFO, socket or device)",
                                      "replace it with a regular file, or point the link at one"))
            return None
        try:
            return entry.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.found.append(finding("V003", entry.rel, 1, "",
                                      f"not UTF-8 text ({exc.reason} at byte {exc.start})", "save the file as UTF-8"))
        except OSError as exc:
            self._unreadable(entry.rel, exc)
        return None

    def _link(self, parent: Entry, name: str, path: Path) -> Entry:
        rel = _rel(parent, name)
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            target = os.readlink(path)
            if exc.errno == errno.ELOOP:
                message = f"symbolic link to {target} loops (links that point at each other)"
            elif isinstance(exc, FileNotFoundError):
                message = f"symbolic link to {target}, which does not exist"
            else:
                self._unreadable(rel, exc)
                return Entry(path, rel, "broken", rel)
            self.found.append(finding("V022", rel, 1, "", message,
                                      "point the link at an existing file or folder, or delete it"))
            return Entry(path, rel, "broken", rel)
        return Entry(path, rel, _kind(mode), os.path.realpath(path))

    def _unreadable(self, rel: str, exc: OSError) -> None:
        reason = exc.strerror or type(exc).__name__
        self.found.append(finding("V023", rel, 1, "", f"cannot be read: {reason}",
                                  "give vend read access (the files and every folder above them), or remove it"))


def _kind(mode: int) -> Kind:
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def _rel(parent: Entry, name: str) -> str:
    return f"{parent.rel}/{name}" if parent.rel else name
