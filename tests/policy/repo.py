"""A vend repository in git, built with gitpython: a base commit on main, then a pull request's
commit on a branch, and helpers to run the request policy on it."""
from __future__ import annotations

from pathlib import Path

import git

from vending.policy.check import CheckResult, check

VEND = """version: 1
home_region: us-east-1
governed_regions: [us-east-1]
account_factory: organizations
target: {kind: local}
required_tags: [owner, cost-center]
quarantine_ou: Suspended
"""

POLICY = """version: 1
ou_labels:
  - ou: Prod
    label: prod-approved
  - ou: Prod/Regulated
    label: compliance-approved
email_domains: [example.com, '*.corp.example.com']
tag_values:
  cost-center:
    values: [apps, payments]
  expires:
    pattern: '\\d{4}-\\d{2}-\\d{2}'
max_new_accounts: 2
removal_labels:
  close_account: destroy-approved
  suspend_account: destroy-approved
  retire_ou: destroy-approved
  detach_policy: security-approved
reviewers:
  - paths: [accounts/, ous/]
    owners: ['@org/platform']
  - paths: ['accounts/**/*-prod.yaml', ous/Prod/]
    owners: ['@alice']
"""

SCP = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}\n'

BASE: dict[str, str] = {
    "vend.yaml": VEND,
    "request-policy.yaml": POLICY,
    "policies/scp/deny-s3-delete.json": SCP,
    "ous/ou.yaml": "scps: [deny-s3-delete]\n",
    "ous/Suspended/ou.yaml": "description: Quarantine.\n",
    "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\nscps: [deny-s3-delete]\n",
    "ous/Prod/ou.yaml": "default_account_tags:\n  cost-center: apps\n",
    "ous/Prod/Regulated/ou.yaml": "description: PCI.\n",
    "accounts/app.yaml": "name: app\nemail: app@example.com\nou: Apps\nowner: team\n",
    "accounts/web-prod.yaml": "name: web-prod\nemail: web-prod@example.com\nou: Prod\nowner: team\n",
}


def account(name: str, ou: str = "Apps", email: str | None = None, extra: str = "") -> str:
    """An account file's text (ou on line 3); `extra` is appended (e.g. a tags: block)."""
    return f"name: {name}\nemail: {email or name + '@example.com'}\nou: {ou}\nowner: team\n{extra}"


class PrRepo:
    """The repository at `root` (the vend repository may be a folder `inside` the git one)."""

    def __init__(self, top: Path, inside: str = ""):
        self.top = top
        self.root = top / inside if inside else top
        self.root.mkdir(parents=True, exist_ok=True)
        self.git = git.Repo.init(top, initial_branch="main")
        with self.git.config_writer() as config:
            config.set_value("user", "name", "Test")
            config.set_value("user", "email", "test@example.com")

    def write(self, files: dict[str, str | None]) -> None:
        """Write (or, with None, delete) files of the vend repository."""
        for rel, body in files.items():
            path = self.root / rel
            if body is None:
                if not path.exists():
                    continue
                path.unlink()
                while path.parent != self.root and not any(path.parent.iterdir()):
                    path = path.parent
                    path.rmdir()  # git keeps no empty folders, and vend reports them (V020)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")

    def commit(self, message: str) -> str:
        self.git.git.add(A=True)
        return self.git.index.commit(message).hexsha

    def branch(self, name: str) -> None:
        self.git.git.checkout("-b", name)

    def check(self, *labels: str, author: str | None = None, base: str = "main") -> CheckResult:
        return check(self.root, base, list(labels), author)

    def findings(self, *labels: str, author: str | None = None, base: str = "main") -> list[str]:
        return [d.format() for d in self.check(*labels, author=author, base=base).findings]


def pull_request(top: Path, base_files: dict[str, str | None] | None = None, inside: str = "") -> PrRepo:
    """BASE (plus `base_files`) committed on main, then a branch `pr` checked out."""
    repo = PrRepo(top, inside)
    repo.write({**BASE, **(base_files or {})})
    repo.commit("base")
    repo.branch("pr")
    return repo
