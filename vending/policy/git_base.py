"""The base of a pull request in git (gitpython): which files changed since it, and its tree.

The base is where the branch left REF (their merge base) when git can tell, so changes merged
into REF since then are not read as this pull request reverting them; in a shallow clone with
only REF fetched there is no merge base, and REF itself is the base (CI's checkout of a pull
request's merge commit has REF as its first parent, so the two agree there).
"""
from __future__ import annotations

import os
from pathlib import Path

from vending.errors import ConfigError

try:
    import git
except ImportError as missing:  # gitpython refuses to load without a git executable
    git = None
    _GIT_MISSING = str(missing).splitlines()[0]

_LINK_MODE = 0o120000


def location(repo: Path) -> tuple[git.Repo, Path, str] | None:
    """The git repository holding `repo`, its top folder, and `repo`'s folder inside it ("" at
    the top); None when `repo` is not in git."""
    if git is None:
        raise ConfigError(f"vend check and vend codeowners need git, which cannot be used here: {_GIT_MISSING}")
    try:
        found = git.Repo(repo, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    top = Path(found.working_tree_dir or repo).resolve()
    inside = Path(repo).resolve().relative_to(top).as_posix()
    return found, top, "" if inside == "." else inside


class GitBase:
    """REF resolved in the git repository holding the vend repository `repo`."""

    def __init__(self, repo: Path, ref: str):
        found = location(repo)
        if found is None:
            raise ConfigError(f"{repo} is not in a git repository: vend check --base compares the working "
                              "tree with a git ref, so run it in a clone")
        self._git, self.git_root, self.prefix = found
        """prefix: the vend repository's folder inside git, "" when vend.yaml is at the git root."""
        self.ref = ref
        try:
            target = self._git.commit(ref)
        except (git.BadName, ValueError, git.GitCommandError):
            raise ConfigError(f"git does not know {ref}: fetch it first (in a shallow CI clone: "
                              f"git fetch --depth=1 origin <branch>), or name a branch, tag or commit") from None
        self.commit = self._merge_base(target) or target
        self.is_merge_base = self.commit != target

    def _merge_base(self, target: git.Commit) -> git.Commit | None:
        try:
            found = self._git.merge_base(target, self._git.head.commit)
        except (git.GitCommandError, ValueError):
            return None  # shallow history, or no commit checked out yet
        return found[0] if found else None

    def changed_files(self) -> list[str]:
        """Paths (relative to the vend repository) added, changed, removed or renamed in the
        working tree since the base, untracked files included; both names of a rename."""
        paths: set[str] = set()
        for diff in self.commit.diff(None):
            paths.update(p for p in (diff.a_path, diff.b_path) if p)
        paths.update(self._git.untracked_files)
        return sorted(filter(None, (self._inside(p) for p in paths)))

    def text(self, rel: str) -> str | None:
        """A file of the vend repository as the base has it, or None when it has none there."""
        try:
            blob = self.commit.tree / self._full(rel)
        except KeyError:
            return None
        if blob.type != "blob":
            return None
        return blob.data_stream.read().decode("utf-8", errors="replace")

    def extract(self, dest: Path, tops: tuple[str, ...]) -> None:
        """Write the base's `tops` (files or folders of the vend repository) under `dest`."""
        for top in tops:
            try:
                item = self.commit.tree / self._full(top)
            except KeyError:
                continue
            for blob in [item] if item.type == "blob" else item.traverse():
                if blob.type != "blob":
                    continue  # folders come with their files; submodules are not vend's
                rel = self._inside(blob.path)
                if rel is None:
                    continue
                path = dest / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                data = blob.data_stream.read()
                if blob.mode == _LINK_MODE:
                    os.symlink(os.fsdecode(data), path)
                else:
                    path.write_bytes(data)

    def _full(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def _inside(self, path: str) -> str | None:
        if not self.prefix:
            return path
        return path[len(self.prefix) + 1:] if path.startswith(self.prefix + "/") else None
