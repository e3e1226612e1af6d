"""Budgets and support cases as read from AWS (the management account's), for the settings
`budget` and `support`.

Only vend's own are kept: budgets named `vend-<account id>`, cases whose subject vend wrote. So
the live state (and a saved plan's fingerprint) does not change when someone adds an unrelated
budget or opens an unrelated case.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

BUDGET_PREFIX = "vend-"
"""vend's budget of account 111122223333 is `vend-111122223333` in the management account."""
SUBSCRIBERS_TAG = "vend:subscribers:"
"""vend's tag on its budget, one per alert: `vend:subscribers:<spend>-<threshold>` = the digest of
the subscribers vend set on that alert, so a default plan (which does not read subscribers) still
sees a change of recipients in git (one ListTagsForResource per budget)."""
SUPPORT_LABELS = {"business": "Business", "enterprise-on-ramp": "Enterprise On-Ramp", "enterprise": "Enterprise"}
"""YAML support level -> the plan's name in a case subject."""
_SUBJECT = re.compile(r"\[vend\] Add account (\d{12}) to the (Business|Enterprise On-Ramp|Enterprise) Support plan")
RESOLVED = "resolved"


def budget_name(account_id: str) -> str:
    return f"{BUDGET_PREFIX}{account_id}"


def budget_arn(owner: str, name: str) -> str:
    """The budget's ARN, as TagResource and ListTagsForResource name it."""
    return f"arn:aws:budgets::{owner}:budget/{name}"


def alert_label(spend: str, threshold: float) -> str:
    return f"{spend}-{threshold:g}"


def subscribers_digest(recipients: list[str] | tuple[str, ...], sns: list[str] | tuple[str, ...] = ()) -> str:
    """A short stable digest of one alert's subscribers (order-free; 32 hex characters of sha256,
    well within a tag value's 256)."""
    lines = sorted(f"EMAIL {r}" for r in set(recipients)) + sorted(f"SNS {t}" for t in set(sns))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


def case_subject(account_id: str, level: str) -> str:
    """The subject of vend's enrollment case: how a later plan finds it again (DescribeCases)."""
    return f"[vend] Add account {account_id} to the {SUPPORT_LABELS[level]} Support plan"


def parse_subject(subject: str) -> tuple[str, str] | None:
    """(account id, YAML level) of one of vend's case subjects; None for any other case."""
    match = _SUBJECT.fullmatch(subject)
    if match is None:
        return None
    level = next(k for k, v in SUPPORT_LABELS.items() if v == match.group(2))
    return match.group(1), level


@dataclass(frozen=True)
class LiveAlert:
    """One budget notification and its subscribers, as AWS holds them (subscribers: None when
    the plan did not read them, see `LiveBudgets.subscribers_read`)."""

    spend: str
    """NotificationType, lower case: actual | forecasted."""
    threshold: float
    comparison: str = "GREATER_THAN"
    threshold_type: str = "PERCENTAGE"
    recipients: tuple[str, ...] | None = ()
    """EMAIL subscribers' addresses, sorted; None: not read."""
    sns: tuple[str, ...] | None = ()
    """SNS subscribers' topic ARNs (vend never sets one: any is drift); None: not read."""


@dataclass(frozen=True)
class LiveBudget:
    name: str
    budget_type: str
    amount: float
    currency: str
    period: str
    """TimeUnit, lower case: monthly | quarterly | annually | daily | custom."""
    linked_accounts: tuple[str, ...]
    """CostFilters LinkedAccount values, sorted."""
    other_filters: bool
    """Any filter besides LinkedAccount (added in the console)."""
    alerts: tuple[LiveAlert, ...] = ()
    digests: tuple[tuple[str, str], ...] = ()
    """(alert label, digest) of the budget's `vend:subscribers:<label>` tags, sorted: what vend set."""

    def digest(self, label: str) -> str | None:
        return dict(self.digests).get(label)


@dataclass(frozen=True)
class LiveBudgets:
    budgets: dict[str, LiveBudget] = field(default_factory=dict)
    """vend's budgets in the management account, by name."""
    subscribers_read: bool = False
    """Whether the alerts' subscribers were read (one DescribeSubscribersForNotification per
    alert: `vend plan --check-subscribers` or vend.yaml `budgets.check_subscribers`)."""

    def of(self, account_id: str) -> LiveBudget | None:
        return self.budgets.get(budget_name(account_id))

    def without_subscribers(self) -> "LiveBudgets":
        """What a read that skips the subscribers would have found (`vend rehearse` reads them
        for its copy, and plans as `vend plan` would)."""
        unread = {name: replace(b, alerts=tuple(replace(a, recipients=None, sns=None) for a in b.alerts))
                  for name, b in self.budgets.items()}
        return LiveBudgets(budgets=unread, subscribers_read=False)


@dataclass(frozen=True)
class LiveCase:
    case_id: str
    account_id: str
    level: str
    status: str
    display_id: str = ""
    created: str = ""


@dataclass(frozen=True)
class LiveSupport:
    cases: tuple[LiveCase, ...] = ()
    """vend's enrollment cases (resolved ones too) within DescribeCases' window, oldest first."""

    def for_account(self, account_id: str, level: str) -> list[LiveCase]:
        return [c for c in self.cases if c.account_id == account_id and c.level == level]
