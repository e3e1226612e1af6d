"""`--base REF` in git: which commit REF is, which files changed since, and REF's files on disk.

Works in a shallow CI clone once REF is fetched (`git fetch origin main --depth 1`): REF's own
tree is all the base plan needs. Only the list of changed files wants the merge base; when the
clone is too shallow to have it, the list compares REF's tree with the working tree instead.
"""
from __future__ import annotations

import io
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from vending.errors import BaseRefError
from vending.model.repo_files import ignored
from vending.plan.changes import Base

if TYPE_CHECKING:
    import git


def resolve(repo: Path, ref: str) -> Base:
    """REF as a commit, with the repository files changed since it that vend reads (not
    dot-files such as the local state in .vend/, nor notes in *.md); BaseRefError if unknown."""
    import git

    try:
        repository = git.Repo(repo, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise BaseRefError(f"--base {ref}: {repo} is not in a git repository; --base compares git commits") from exc
    runner = git.Git(str(repo))
    try:
        commit = runner.rev_parse("--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except git.GitCommandError as exc:
        raise BaseRefError(
            f"--base {ref}: no such commit in this repository; check the name, or fetch it first"
            f" (in a shallow CI clone: git fetch --depth 1 origin <branch>, then --base origin/<branch>)"
        ) from exc
    merge_base = _merge_base(runner, commit) if repository.head.is_valid() else None
    since = merge_base or commit
    changed = _names(runner.diff("--name-only", "--no-renames", "-z", "--relative", since, "--", "."))
    untracked = _names(runner.ls_files("--others", "--exclude-standard", "-z", "--", "."))
    read = {name for name in changed + untracked if not any(ignored(part) for part in name.split("/"))}
    return Base(ref=ref, commit=commit, merge_base=merge_base, changed_files=tuple(sorted(read)))


@contextmanager
def checkout(repo: Path, base: Base) -> Iterator[Path]:
    """The repository folder as it is at `base.commit`, in a temporary folder removed after.

    BaseRefError if REF has no such folder (the repository is new in this branch)."""
    import git

    repository = git.Repo(repo, search_parent_directories=True)
    top = Path(repository.working_tree_dir or repo).resolve()
    prefix = Path(repo).resolve().relative_to(top).as_posix()
    archive = io.BytesIO()
    try:
        if prefix == ".":
            repository.archive(archive, base.commit, format="tar")
        else:
            repository.archive(archive, base.commit, format="tar", path=prefix)
    except git.GitCommandError as exc:
        raise BaseRefError(f"--base {base.ref}: the base has no folder {prefix}") from exc
    archive.seek(0)
    with tempfile.TemporaryDirectory(prefix="vend-base-") as scratch:
        with tarfile.open(fileobj=archive) as tar:
            if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12: no links out of the folder
                tar.extractall(scratch, filter="data")
            else:
                tar.extractall(scratch)
        yield Path(scratch) / ("" if prefix == "." else prefix)


def _merge_base(runner: "git.Git", commit: str) -> str | None:
    import git

    try:
        return str(runner.merge_base(commit, "HEAD")) or None
    except git.GitCommandError:  # a shallow clone without the fork point
        return None


def _names(output: str) -> list[str]:
    return [name for name in output.split("\0") if name]
