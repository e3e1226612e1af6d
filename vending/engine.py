"""The flow every command shares: load -> read live -> plan, and apply(plan)."""
from __future__ import annotations

from pathlib import Path

from vending.apply.context import ApplyContext, Polling
from vending.apply.executor import ApplyReport, Progress, execute
from vending.apply.registry import ORGANIZATIONS_LIMITS
from vending.aws.clients import AwsClients
from vending.errors import DestroyNotAllowed, StalePlanError
from vending.model.live import LiveOrg
from vending.model.types import DesiredOrg
from vending.plan.build import build_plan
from vending.plan.changes import Plan
from vending.state.organizations import OrganizationsReader


def read_live(clients: AwsClients, *, workers: int = 4) -> LiveOrg:
    """Always through a read-only client: reading can never change AWS."""
    return OrganizationsReader(clients.reader().organizations(), workers=workers).read()


def plan(
    desired: DesiredOrg, clients: AwsClients, *, git_commit: str | None, target: str
) -> Plan:
    return build_plan(desired, read_live(clients), git_commit=git_commit, target=target)


def apply(
    saved: Plan,
    clients: AwsClients,
    *,
    allow_destroy: bool,
    concurrency: int,
    polling: Polling,
    progress: Progress = lambda outcome: None,
) -> ApplyReport:
    """Apply exactly `saved`, refusing it when the live state moved since it was computed."""
    destructive = saved.destructive()
    if destructive and not allow_destroy:
        raise DestroyNotAllowed(destructive)
    live = read_live(clients)
    if live.fingerprint() != saved.fingerprint:
        raise StalePlanError(
            "plan is stale, run vend plan again: the organization changed since the plan was"
            f" computed (plan {saved.fingerprint[:19]}, now {live.fingerprint()[:19]})"
        )
    ctx = ApplyContext(live, clients, polling)
    return execute(saved, ctx, concurrency=concurrency, limits=ORGANIZATIONS_LIMITS, progress=progress)


def git_commit(repo: Path) -> str | None:
    """The commit the repository is at ("<sha>-dirty" with uncommitted changes), if it is git."""
    try:
        import git

        repository = git.Repo(repo, search_parent_directories=True)
        sha = repository.head.commit.hexsha
    except Exception:  # not a git checkout, no commits yet, or git missing: the plan says null
        return None
    return f"{sha}-dirty" if repository.is_dirty(untracked_files=True) else sha
