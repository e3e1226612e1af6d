"""`vend check` and `vend codeowners`: the request policy applied to a pull request.

The rules applied are the base's request-policy.yaml (REF's tree), so a pull request cannot
relax the rules it is checked against; only a pull request that adds the file is checked
against its own. The working tree's file is always validated, and is what CODEOWNERS is
generated from.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vending.errors import ConfigError, Diagnostic, ValidationFailed
from vending.model import loader
from vending.model.types import DesiredOrg
from vending.policy import codeowners, rules
from vending.policy.changes import OrgChanges, compare
from vending.policy.codes import finding
from vending.policy.git_base import GitBase, location
from vending.policy.spec import POLICY_FILE, Policy, read

CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
"""Where GitHub looks for CODEOWNERS at the git root, in its order."""

_BASE_PARTS = (loader.SETTINGS_FILE, "ous", "accounts")
"""What of the base's tree the rules compare (policies and baselines are not needed)."""


@dataclass(frozen=True)
class CheckResult:
    findings: list[Diagnostic]
    policy_file: str
    """Where the rules applied were read: `request-policy.yaml`, or `<REF>:request-policy.yaml`."""
    changes: OrgChanges
    changed_files: tuple[str, ...]
    reviews: list[tuple[tuple[str, ...], list[str]]]
    """Owners and the changed files each group must review (the policy's reviewers)."""


def check(repo: Path, ref: str, labels: list[str], author: str | None = None) -> CheckResult:
    """Every finding of the request policy on what the working tree changes since `ref`.
    Raises ValidationFailed when the repository or a policy file is invalid."""
    head = loader.load(repo)
    base = GitBase(repo, ref)
    with tempfile.TemporaryDirectory(prefix="vend-base-") as scratch:
        base.extract(Path(scratch), _BASE_PARTS)
        base_org, _ = loader.read(Path(scratch))  # the base is what it was: its findings are not this PR's
    head_policy = _head_policy(repo, head)
    base_text = base.text(POLICY_FILE)
    if base_text is not None:
        policy, found = read(base_text, f"{ref}:{POLICY_FILE}", base_org)
        if policy is None:
            raise ValidationFailed(found)
    elif head_policy is not None:
        policy = head_policy
    else:
        raise ConfigError(f"{POLICY_FILE} not found in {repo} nor in {ref}: write the request policy there "
                          "(see the README's Request policy section)")
    changes = compare(base_org, head)
    files = tuple(base.changed_files())
    pr = rules.PullRequest(frozenset(label.lower() for label in labels), author, files)
    found = rules.evaluate(policy, changes, head, pr, rules.Lines(repo))
    if head_policy is not None:
        found += _stale_codeowners(repo, head_policy)
    return CheckResult(sorted(found), policy.file, changes, files,
                       codeowners.required_reviews(policy.reviewers, list(files)))


def _head_policy(repo: Path, head: DesiredOrg) -> Policy | None:
    path = repo / POLICY_FILE
    if not path.is_file():
        return None
    policy, found = read(path.read_text(encoding="utf-8"), POLICY_FILE, head)
    if policy is None:
        raise ValidationFailed(found)
    return policy


@dataclass(frozen=True)
class Codeowners:
    """The CODEOWNERS file for the working tree: where it goes and what it must say."""

    path: Path
    text: str

    def current(self) -> bool:
        return self.path.is_file() and self.path.read_text(encoding="utf-8") == self.text


def codeowners_file(repo: Path, out: Path | None = None, policy: Policy | None = None) -> Codeowners:
    """CODEOWNERS generated from the working tree's policy: at `out`, else where GitHub finds
    an existing one at the git root, else .github/CODEOWNERS there (the vend repository's own
    folder when it is not in git)."""
    repo = Path(repo)
    policy = policy or _head_policy(repo, loader.load(repo))
    if policy is None:
        raise ConfigError(f"{POLICY_FILE} not found in {repo}: its reviewers are what CODEOWNERS is written from")
    if not policy.reviewers:
        raise ConfigError(f"{POLICY_FILE} has no reviewers to write CODEOWNERS from: add a reviewers list")
    found = location(repo)
    top, prefix = (found[1], found[2]) if found else (repo.resolve(), "")
    text = codeowners.render(policy.reviewers, POLICY_FILE if not prefix else f"{prefix}/{POLICY_FILE}", prefix)
    if out is None:
        out = next((top / p for p in CODEOWNERS_PLACES if (top / p).is_file()), top / CODEOWNERS_PLACES[0])
    return Codeowners(out, text)


def _stale_codeowners(repo: Path, policy: Policy) -> list[Diagnostic]:
    """R009 when the tree has a CODEOWNERS file that the policy's reviewers no longer match."""
    if not policy.reviewers:
        return []  # CODEOWNERS, if any, is kept by hand
    wanted = codeowners_file(repo, policy=policy)
    if not wanted.path.is_file() or wanted.current():
        return []
    shown = os.path.relpath(wanted.path, repo)
    return [finding("R009", Path(shown).as_posix(), 1, "",
                    f"this file does not match the reviewers of {POLICY_FILE}",
                    "run vend codeowners and commit the file it writes")]
