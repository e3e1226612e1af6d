"""The request policy's rules (R001-R008, R010) applied to what a pull request changes.

Each rule is a function of the policy, the changes and the pull request (labels, author) that
returns findings at the line asking for the change; all run, so every finding shows at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vending.errors import Diagnostic
from vending.model.codes import quote
from vending.model.types import FULL_AWS_ACCESS, ROOT, SCP, AccountSpec, DesiredOrg, Source, path_str
from vending.model.yaml_source import JsonPath, YamlSyntaxError, parse
from vending.model.yaml_source import Lines as YamlLines
from vending.policy import codeowners
from vending.policy.changes import OrgChanges
from vending.policy.codes import finding
from vending.policy.spec import Policy, describe_ou_rule, ou_label_rules


@dataclass(frozen=True)
class PullRequest:
    """What the pull request is, as far as the policy cares: its labels, author and files."""

    labels: frozenset[str] = frozenset()
    """Lower-cased: GitHub's labels are unique ignoring case."""
    author: str | None = None
    changed_files: tuple[str, ...] = ()

    def has(self, label: str) -> bool:
        return label.lower() in self.labels


class Lines:
    """Lines of nested keys in the working tree's files (the loader keeps top-level ones only),
    each file parsed once, and only when a finding needs a line in it."""

    def __init__(self, root: Path):
        self.root = root
        self._parsed: dict[str, YamlLines] = {}

    def at(self, source: Source, path: JsonPath) -> int:
        if len(path) == 1:
            return dict(source.fields).get(str(path[0]), source.line)
        if source.file not in self._parsed:
            try:
                self._parsed[source.file] = parse((self.root / source.file).read_text(encoding="utf-8")).lines
            except (OSError, UnicodeDecodeError, YamlSyntaxError):  # loaded a moment ago: cannot happen
                self._parsed[source.file] = YamlLines()
        return self._parsed[source.file].at(path)


def evaluate(policy: Policy, changes: OrgChanges, head: DesiredOrg, pr: PullRequest, lines: Lines) -> list[Diagnostic]:
    """Every finding of the policy on these changes, sorted by file and line."""
    found = (_ou_labels(policy, changes, pr, lines) + _email_domains(policy, changes, lines)
             + _tag_values(policy, changes, head, lines) + _max_new(policy, changes)
             + _removals(policy, changes, pr, lines) + _author_reviews(policy, pr))
    return sorted(set(found))


def _label_hint(label: str) -> str:
    return f"add the label {label} to the pull request"


def _ou_labels(policy: Policy, changes: OrgChanges, pr: PullRequest, lines: Lines) -> list[Diagnostic]:
    found = []
    for change in changes.accounts:
        if not change.placed:
            continue
        account = change.account
        if change.is_new:
            what = f"new account {account.name} in {path_str(change.placement)}"
        else:
            what = (f"account {account.name} moved from {path_str(change.before_placement or ROOT)}"
                    f" to {path_str(change.placement)}")
        for rule in ou_label_rules(policy, change.placement):
            if not pr.has(rule.label):
                found.append(finding("R001", account.source.file, lines.at(account.source, ("ou",)), "ou",
                                     f"{what} needs the label {rule.label} (rule for {describe_ou_rule(rule)})",
                                     _label_hint(rule.label)))
    return found


def _email_domains(policy: Policy, changes: OrgChanges, lines: Lines) -> list[Diagnostic]:
    if not policy.email_domains:
        return []
    allowed = ", ".join(policy.email_domains)
    hint = (f"use an email address @{allowed}" if len(policy.email_domains) == 1 and "*" not in allowed
            else f"use an email address in one of the allowed domains: {allowed}")
    found = []
    for change in changes.accounts:
        account = change.account
        if account.state == "closed" or (change.before is not None and change.before.email == account.email):
            continue
        domain = account.email.rsplit("@", 1)[-1].lower()
        if not any(domain == d or (d.startswith("*.") and domain.endswith(d[1:])) for d in policy.email_domains):
            found.append(finding("R002", account.source.file, lines.at(account.source, ("email",)), "email",
                                 f"{quote(account.email)} is not in an allowed domain ({allowed})", hint))
    return found


def _tag_values(policy: Policy, changes: OrgChanges, head: DesiredOrg, lines: Lines) -> list[Diagnostic]:
    """One finding per place a disallowed value is written; inherited values name their accounts."""
    places: dict[tuple[str, int, str, str, str], list[str]] = {}
    for change in changes.accounts:
        if change.account.state == "closed":
            continue
        for key, value in sorted(change.changed_tags().items()):
            rule = policy.tag_values.get(key)
            if rule is None or rule.allows(value):
                continue
            file, line, field, inherited = _tag_source(change.account, key, head, lines)
            names = places.setdefault((file, line, field, key, value), [])
            if inherited:
                names.append(change.account.name)
    found = []
    for (file, line, field, key, value), names in places.items():
        message = f"{quote(value)} is not an allowed value of tag {key} (allowed: {policy.tag_values[key].describe()})"
        if names:
            message += "; inherited by " + ", ".join(sorted(names))
        found.append(finding("R003", file, line, field, message,
                             f"use an allowed value (see tag_values.{key} in {policy.file})"))
    return found


def _tag_source(account: AccountSpec, key: str, head: DesiredOrg, lines: Lines) -> tuple[str, int, str, bool]:
    """Where an effective tag's value is written: the account's tags, its owner, or the
    nearest OU (from the account's up) whose default_account_tags sets it."""
    if key in account.tags:
        return account.source.file, lines.at(account.source, ("tags", key)), f"tags.{key}", False
    if key == "owner":
        return account.source.file, lines.at(account.source, ("owner",)), "owner", False
    for depth in range(len(account.ou), -1, -1):
        spec = head.ou(account.ou[:depth])
        if spec is not None and key in spec.default_account_tags:
            field = f"default_account_tags.{key}"
            return spec.source.file, lines.at(spec.source, ("default_account_tags", key)), field, True
    return account.source.file, 1, "", False  # pragma: no cover - effective tags come from these three


def _max_new(policy: Policy, changes: OrgChanges) -> list[Diagnostic]:
    new = changes.new_accounts
    limit = policy.max_new_accounts
    if limit is None or len(new) <= limit:
        return []
    names = ", ".join(c.account.name for c in new)
    return [finding("R004", new[limit].account.source.file, 1, "",
                    f"this pull request adds {len(new)} new accounts ({names}); the policy allows at most {limit}",
                    f"move {len(new) - limit} of them to another pull request")]


def _removals(policy: Policy, changes: OrgChanges, pr: PullRequest, lines: Lines) -> list[Diagnostic]:
    labels = policy.removal_labels
    found = []
    for code, state, verb, key in (("R005", "closed", "closing", "close_account"),
                                   ("R006", "suspended", "suspending", "suspend_account")):
        label = labels.get(key)
        if label is None or pr.has(label):
            continue
        for change in changes.accounts:
            if change.entered(state):
                account = change.account
                found.append(finding(code, account.source.file, lines.at(account.source, ("state",)), "state",
                                     f"{verb} account {account.name} needs the label {label}", _label_hint(label)))
    label = labels.get("retire_ou")
    if label is not None and not pr.has(label):
        for ou in changes.retired_ous:
            found.append(finding("R007", ou.source.file, lines.at(ou.source, ("retired",)), "retired",
                                 f"retiring OU {path_str(ou.path)} needs the label {label}", _label_hint(label)))
    label = labels.get("detach_policy")
    if label is not None and not pr.has(label):
        for detach in changes.detached:
            ou = detach.ou
            field = ("full_aws_access" if detach.name == FULL_AWS_ACCESS
                     else "scps" if detach.policy_type == SCP else "tag_policies")
            kind = "SCP" if detach.policy_type == SCP else "tag policy"
            target = "the root" if ou.path == ROOT else f"OU {path_str(ou.path)}"
            found.append(finding("R008", ou.source.file, lines.at(ou.source, (field,)), field,
                                 f"detaching {kind} {detach.name} from {target} needs the label {label}",
                                 _label_hint(label)))
    return found


def _author_reviews(policy: Policy, pr: PullRequest) -> list[Diagnostic]:
    """GitHub does not count an author's approval, so a file only its author may review blocks."""
    if not pr.author:
        return []
    author = "@" + pr.author.lstrip("@").lower()
    found = []
    for owners, files in codeowners.required_reviews(policy.reviewers, list(pr.changed_files)):
        if [o.lower() for o in owners] == [author]:
            more = f" and {len(files) - 1} more file(s)" if len(files) > 1 else ""
            found.append(finding(
                "R010", files[0], 1, "",
                f"only {owners[0]} may review this file{more}, and {owners[0]} is the author of the pull request",
                f"GitHub does not count an author's own approval: add another owner to the reviewers rule of "
                f"these paths in {policy.file}, or have someone else open the pull request"))
    return found
