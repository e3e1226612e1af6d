"""request-policy.yaml: read, schema-checked and turned into a frozen Policy.

Its JSON Schema lives with the others (model/schemas/request-policy.schema.json) so editors
complete it the same way; schema findings reuse validation's codes (V001, V002, V010-V013), and
what the schema cannot see (a regular expression that does not compile, an OU that does not
exist) gets R1xx codes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from vending.errors import Diagnostic
from vending.model import schema_check
from vending.model.codes import finding as model_finding
from vending.model.codes import quote
from vending.model.types import DesiredOrg, OuPath, parse_path, path_str
from vending.model.yaml_source import YamlSyntaxError, dotted, parse
from vending.policy.codes import finding

POLICY_FILE = "request-policy.yaml"
SCHEMA_KIND = "request-policy"


@dataclass(frozen=True)
class OuLabel:
    """An OU (and its subtree) whose new and moved-in accounts need a label."""

    ou: OuPath
    label: str


@dataclass(frozen=True)
class TagRule:
    """The values a tag key may take: listed, or matching a whole-value regular expression."""

    key: str
    values: tuple[str, ...] = ()
    pattern: str | None = None

    def allows(self, value: str) -> bool:
        return value in self.values or (self.pattern is not None and re.fullmatch(self.pattern, value) is not None)

    def describe(self) -> str:
        parts = [", ".join(self.values)] if self.values else []
        if self.pattern is not None:
            parts.append(f"values matching {self.pattern}")
        return " or ".join(parts)


@dataclass(frozen=True)
class ReviewRule:
    """Paths and the owners who must review changes to them (one CODEOWNERS line per path)."""

    paths: tuple[str, ...]
    owners: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Policy:
    """The request policy; `file` is where it was read, as findings about it name it."""

    file: str
    ou_labels: tuple[OuLabel, ...] = ()
    email_domains: tuple[str, ...] = ()
    tag_values: dict[str, TagRule] = field(default_factory=dict)
    max_new_accounts: int | None = None
    removal_labels: dict[str, str] = field(default_factory=dict)
    """close_account, suspend_account, retire_ou, detach_policy -> label."""
    reviewers: tuple[ReviewRule, ...] = ()


def read(text: str, file: str, org: DesiredOrg) -> tuple[Policy | None, list[Diagnostic]]:
    """The policy in `text`, or None and every finding when the file is not a valid policy.
    `org` is the organization the policy is read with (its OUs must exist there)."""
    try:
        parsed = parse(text)
    except YamlSyntaxError as exc:
        return None, [model_finding("V001", file, exc.line, "", exc.message,
                                    "fix the YAML here: indent with spaces, and quote values that contain ': '")]
    found = [model_finding("V002", file, dup.line, dotted(dup.path),
                           f"key given twice (first on line {dup.first_line}); the last one wins", "keep one of them")
             for dup in parsed.duplicates]
    data = {} if parsed.data is None else parsed.data
    schema_found, _ = schema_check.check(SCHEMA_KIND, file, data, parsed.lines)
    found += schema_found
    if schema_found:
        return None, sorted(found)
    ou_labels = []
    for index, item in enumerate(data.get("ou_labels", [])):
        path = parse_path(item["ou"])
        if path and path not in org.ous:
            found.append(finding("R102", file, parsed.lines.at(("ou_labels", index, "ou")), f"ou_labels[{index}].ou",
                                 f"OU {quote(item['ou'])} is not declared under ous/",
                                 "name an OU path such as Workloads/Prod (a folder under ous/ with an ou.yaml), or Root"))
        ou_labels.append(OuLabel(path, item["label"]))
    tag_values = {}
    for key, rule in data.get("tag_values", {}).items():
        pattern = rule.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                found.append(finding("R101", file, parsed.lines.at(("tag_values", key, "pattern")),
                                     f"tag_values.{key}.pattern", f"{quote(pattern)} is not a regular expression: {exc}",
                                     "write a Python regular expression; the whole value must match it"))
        tag_values[key] = TagRule(key, tuple(rule.get("values", ())), pattern)
    if found:
        return None, sorted(found)
    policy = Policy(
        file=file,
        ou_labels=tuple(ou_labels),
        email_domains=tuple(d.lower() for d in data.get("email_domains", ())),
        tag_values=tag_values,
        max_new_accounts=data.get("max_new_accounts"),
        removal_labels=dict(data.get("removal_labels", {})),
        reviewers=tuple(ReviewRule(tuple(r["paths"]), tuple(r["owners"]), r.get("description", ""))
                        for r in data.get("reviewers", ())),
    )
    return policy, []


def ou_label_rules(policy: Policy, ou: OuPath) -> list[OuLabel]:
    """The rules covering an OU: its own and those of every OU above it."""
    return [rule for rule in policy.ou_labels if ou[: len(rule.ou)] == rule.ou]


def describe_ou_rule(rule: OuLabel) -> str:
    return "every OU" if not rule.ou else f"{path_str(rule.ou)} and the OUs below it"
