"""Account-settings rules (V8xx): what AWS would refuse in contacts, budgets, access and
permission sets, found before any call. Patterns are AWS's own (botocore's models), full-match.
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import TYPE_CHECKING

from vending.errors import Diagnostic
from vending.model.codes import finding, quote
from vending.model.settings_types import PermissionSetSpec, SettingsLayer
from vending.model.types import AccountSpec

if TYPE_CHECKING:
    from vending.model.rules import Loaded

CONTACT_EMAIL = re.compile(r"[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*")
"""account PutAlternateContact EmailAddress."""
CONTACT_PHONE = re.compile(r"[\s0-9()+-]+")
"""account PutAlternateContact PhoneNumber."""
PERMISSION_SET_NAME = re.compile(r"[\w+=,.@-]{1,32}")
"""sso-admin PermissionSetName."""
OWNER = "owner"
MAX_THRESHOLD = 1000.0
"""vend's bound on an alert percentage (AWS's model allows up to 15e12): above 10x the budget
an alert is a typo, not a warning anyone wants."""
INLINE_POLICY_CHARS = 32_768
INLINE_POLICY_SIGNIFICANT = 10_240
"""IAM Identity Center quotas: inline policy size, of which non-white-space characters."""
MAX_POLICIES = 20
"""IAM Identity Center quota: AWS + customer managed policies per permission set."""
_DURATION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?")
_GROUP_MARKS = {"\t", "\n", "\r", " ", "\u00a0", "\u3000"}
_LOOKS_LIKE_ID = re.compile(r"([0-9a-f]{10}-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|arn:.*")
_RECIPIENT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def check(loaded: Loaded) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    layers = [(spec.source.file, spec.settings, None) for spec in loaded.all_ous()]
    layers += [(account.source.file, account.settings, account) for account in loaded.accounts]
    for file, layer, account in layers:
        found += _contacts(loaded, file, layer) + _budget(loaded, file, layer, account) + _access(loaded, file, layer)
    for spec in loaded.org.permission_sets.values():
        found += _permission_set(loaded, spec)
    return found


def _contacts(loaded: Loaded, file: str, layer: SettingsLayer) -> list[Diagnostic]:
    found = []
    for kind, contact in (layer.contacts or {}).items():
        if contact is None:
            continue
        if not CONTACT_EMAIL.fullmatch(contact.email):
            found.append(finding(
                "V901", file, loaded.line(file, "contacts", kind, "email"), f"contacts.{kind}.email",
                f"{quote(contact.email)} is not an email address AWS accepts for an alternate contact",
                "use letters, digits and _ + = . # | ! & - before one @, then a domain with a dot, e.g. security@example.com",
            ))
        if not CONTACT_PHONE.fullmatch(contact.phone):
            found.append(finding(
                "V902", file, loaded.line(file, "contacts", kind, "phone"), f"contacts.{kind}.phone",
                f"{quote(contact.phone)} is not a phone number AWS accepts for an alternate contact",
                "use only digits, spaces, ( ) + and -, e.g. \"+1 206 555 0100\" (no letters, dots or extensions)",
            ))
    return found


def _budget(loaded: Loaded, file: str, layer: SettingsLayer, account: AccountSpec | None) -> list[Diagnostic]:
    found = []
    for i, alert in enumerate(layer.budget.alerts if layer.budget else ()):
        if not 0 < alert.threshold <= MAX_THRESHOLD:
            found.append(finding(
                "V903", file, loaded.line(file, "budget", "alerts", i, "threshold"), f"budget.alerts.{i}.threshold",
                f"threshold {alert.threshold:g} is out of range: a percentage of the amount, more than 0 and at most "
                f"{MAX_THRESHOLD:g}", "write the percentage of the budget amount, e.g. 80 or 100",
            ))
        for j, recipient in enumerate(alert.recipients):
            if recipient != OWNER and not _RECIPIENT.fullmatch(recipient):
                found.append(finding(
                    "V904", file, loaded.line(file, "budget", "alerts", i, "recipients", j),
                    f"budget.alerts.{i}.recipients.{j}", f"{quote(recipient)} is not an email address or owner",
                    "list email addresses, or owner for the account's owner"
                    + (f" ({account.owner})" if account else ""),
                ))
    return found


def _access(loaded: Loaded, file: str, layer: SettingsLayer) -> list[Diagnostic]:
    found = []
    known = loaded.org.permission_sets
    for group, sets in (layer.access or {}).items():
        problem = group_problem(group)
        if problem:
            found.append(finding(
                "V906", file, loaded.line(file, "access", group), f"access.{group}",
                f"group {quote(group)} {problem}",
                "write the group's display name exactly as IAM Identity Center shows it, e.g. Developers",
            ))
        for i, name in enumerate(sets or ()):
            if name in known and known[name].retired:
                found.append(finding(
                    "V930", file, loaded.line(file, "access", group, i), f"access.{group}.{i}",
                    f"permission set {quote(name)} is retired (identity/permission-sets/{name}.yaml)",
                    "take it off this list (vend deletes its assignments), or remove retired: true from its file",
                ))
            if name not in known:
                have = ", ".join(sorted(known)) or "none yet"
                found.append(finding(
                    "V905", file, loaded.line(file, "access", group, i), f"access.{group}.{i}",
                    f"permission set {quote(name)} has no file identity/permission-sets/{name}.yaml",
                    f"add that file, or use one of the permission sets declared ({have})",
                ))
    return found


def group_problem(group: str) -> str:
    """Why a group display name looks wrong ("" when it looks right)."""
    if group != group.strip():
        return "starts or ends with white space, so it never matches a group's display name"
    if _LOOKS_LIKE_ID.fullmatch(group):
        return "looks like a group id or an ARN, not a display name"
    bad = [c for c in group if c not in _GROUP_MARKS and unicodedata.category(c)[0] not in "LMSNP"]
    if bad:
        return f"contains {quote(bad[0])}, which a display name cannot (letters, marks, symbols, digits, punctuation, spaces)"
    return ""


def _permission_set(loaded: Loaded, spec: PermissionSetSpec) -> list[Diagnostic]:
    file = spec.file
    found = []
    if not PERMISSION_SET_NAME.fullmatch(spec.name):
        found.append(finding("V910", file, 1, "", f"{quote(spec.name)} is not a permission set name",
                             "rename the file: 1-32 letters, digits and _ + = , . @ - before .yaml"))
    hours = duration_hours(spec.session_duration)
    if hours is not None and not 1 <= hours <= 12:
        found.append(finding(
            "V909", file, loaded.line(file, "session_duration"), "session_duration",
            f"{spec.session_duration} is {hours:g} hours; IAM Identity Center allows 1 to 12",
            "use PT1H to PT12H, e.g. PT8H",
        ))
    if len(spec.managed_policies) + len(spec.customer_managed_policies) > MAX_POLICIES:
        found.append(finding(
            "V911", file, loaded.line(file, "managed_policies"), "managed_policies",
            f"{len(spec.managed_policies)} AWS managed and {len(spec.customer_managed_policies)} customer managed "
            f"policies; a permission set takes at most {MAX_POLICIES} in all",
            "merge some into a customer managed policy, or split the permission set",
        ))
    if spec.inline_policy is not None:
        found += _inline(loaded, file, spec.inline_policy)
    return found


def duration_hours(text: str) -> float | None:
    """PT8H -> 8.0, PT1H30M -> 1.5; None when it is not in that form (a schema finding)."""
    match = _DURATION.fullmatch(text)
    if not match or not any(match.groups()):
        return None
    return int(match.group(1) or 0) + int(match.group(2) or 0) / 60


def _inline(loaded: Loaded, file: str, text: str) -> list[Diagnostic]:
    line = loaded.line(file, "inline_policy")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [finding("V907", file, line, "inline_policy", f"inline_policy is not valid JSON: {exc.msg} "
                        f"(line {exc.lineno} of the policy, column {exc.colno})",
                        "write the policy as JSON inside a | block: {\"Version\": \"2012-10-17\", \"Statement\": [...]}")]
    if not isinstance(document, dict) or "Statement" not in document:
        return [finding("V907", file, line, "inline_policy", "inline_policy is JSON but not a policy document "
                        "(an object with a Statement)", "write {\"Version\": \"2012-10-17\", \"Statement\": [...]}")]
    significant = sum(1 for c in text if not c.isspace())
    if len(text) > INLINE_POLICY_CHARS or significant > INLINE_POLICY_SIGNIFICANT:
        return [finding("V908", file, line, "inline_policy",
                        f"inline_policy is {len(text):,} characters, {significant:,} of them not white space; "
                        f"IAM Identity Center takes at most {INLINE_POLICY_CHARS:,} and {INLINE_POLICY_SIGNIFICANT:,}",
                        "move statements into a customer managed policy, or use wildcards in actions")]
    return []
