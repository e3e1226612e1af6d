"""Policy rules: each document's JSON, grammar and size; attachments per target (V3xx).

The grammars themselves live in policy_scp and policy_tag."""
from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Any

from vending.errors import Diagnostic
from vending.model import policy_json, policy_scp, policy_tag
from vending.model.codes import finding, quote
from vending.model.types import FULL_AWS_ACCESS, POLICY_FOLDERS, SCP, TAG_POLICY, OuSpec, PolicySpec, Source, path_str
from vending.model.yaml_source import Lines, YamlSyntaxError, dotted, parse

if TYPE_CHECKING:
    from vending.model.rules import Loaded

MAX_SCPS_PER_TARGET = 5
MAX_SIZE = {SCP: 5120, TAG_POLICY: 10000}
"""Characters AWS accepts per document, counted on the JSON as vend sends it (minified)."""

_KIND = {SCP: "SCP", TAG_POLICY: "tag policy"}
_CODES = {SCP: ("V301", "V303"), TAG_POLICY: ("V302", "V304")}
"""Per type: not JSON, too large."""


def read(file: str, name: str, policy_type: str, text: str) -> tuple[PolicySpec | None, list[Diagnostic]]:
    """One policy file -> its spec (None when unusable) and what is wrong with it."""
    if policy_type == SCP and name == FULL_AWS_ACCESS:
        return None, [finding("V309", file, 1, "", f"{FULL_AWS_ACCESS} is managed by AWS and cannot be replaced",
                              "delete this file; keep or drop AWS's policy with full_aws_access in ou.yaml")]
    not_json, too_large = _CODES[policy_type]
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [finding(not_json, file, exc.lineno, "", f"not valid JSON: {exc.msg} (column {exc.colno})",
                              "fix the JSON; policy documents allow no comments and no trailing commas")]
    lines = _lines(text)
    found = [finding(code, file, lines.at(path), dotted(path), message, hint)
             for code, path, message, hint in _grammar(policy_type, document)]
    size = len(policy_json.minified(text))
    if size > MAX_SIZE[policy_type]:
        found.append(finding(
            too_large, file, 1, "",
            f"{_KIND[policy_type]} is {size:,} characters without white space; AWS allows {MAX_SIZE[policy_type]:,}",
            "shorten it, or split it into two policies (AWS counts the JSON as vend sends it, minified)",
        ))
    return PolicySpec(name, policy_type, policy_json.canonical(text), Source(file)), found


def _grammar(policy_type: str, document: Any) -> list[policy_scp.Problem]:
    """What AWS would refuse in the document (V305, V312-V319 for SCPs; V306, V320-V325 for tag
    policies)."""
    if policy_type == SCP:
        return policy_scp.problems(document)
    if not isinstance(document, dict) or not isinstance(document.get("tags"), dict):
        return [("V306", (), "a tag policy needs a top-level \"tags\" object",
                 'e.g. {"tags": {"cost-center": {"tag_key": {"@@assign": "cost-center"}}}}')]
    return policy_tag.problems(document)


def _lines(text: str) -> Lines:
    """Line of each key and list item of a JSON document: JSON is YAML, whose parser records them.
    The rare JSON that this YAML parser refuses (tabs in odd places) points at line 1."""
    try:
        return parse(text).lines
    except YamlSyntaxError:
        return Lines({})


def check(loaded: Loaded) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for target in loaded.all_ous():
        found.extend(_references(loaded, target, SCP, "scps"))
        found.extend(_references(loaded, target, TAG_POLICY, "tag_policies"))
        found.extend(_scp_count(loaded, target))
    return found


def _references(loaded: Loaded, target: OuSpec, policy_type: str, field: str) -> list[Diagnostic]:
    file, found = target.source.file, []
    folder = f"{loaded.org.settings.policies_dir}/{POLICY_FOLDERS[policy_type]}"
    for index, name in enumerate(getattr(target, field)):
        where, line = f"{field}[{index}]", loaded.line(file, field, index)
        if policy_type == SCP and name == FULL_AWS_ACCESS:
            if not target.full_aws_access:
                found.append(finding(
                    "V311", file, line, where, f"{FULL_AWS_ACCESS} is listed but full_aws_access is false",
                    f"remove {FULL_AWS_ACCESS} from scps, or remove full_aws_access: false",
                ))
            continue
        if (policy_type, name) in loaded.policy_files:
            continue
        known = sorted(n for (t, n) in loaded.org.policies if t == policy_type)
        close = difflib.get_close_matches(name, known, n=1)
        choice = f"did you mean {quote(close[0])}? " if close else ""
        found.append(finding(
            "V308", file, line, where,
            f"{_KIND[policy_type]} {quote(name)} has no file: vend looked for {folder}/{name}.json",
            f"{choice}add the file, or use one of: {', '.join(known)}" if known
            else f"add the file ({folder}/ holds no {_KIND[policy_type]} yet)",
        ))
    return found


def _scp_count(loaded: Loaded, target: OuSpec) -> list[Diagnostic]:
    file = target.source.file
    attached = target.attached(SCP)
    if len(attached) > MAX_SCPS_PER_TARGET:
        return [finding(
            "V307", file, loaded.line(file, "scps"), "scps",
            f"{len(attached)} SCPs would be attached to {path_str(target.path)} ({', '.join(attached)}); "
            f"AWS allows {MAX_SCPS_PER_TARGET}",
            "merge some SCPs into one document"
            + (f", or set full_aws_access: false (then {FULL_AWS_ACCESS} is not counted)" if target.full_aws_access else ""),
        )]
    if not attached:
        return [finding(
            "V310", file, loaded.line(file, "full_aws_access"), "full_aws_access",
            f"no SCP would be attached to {path_str(target.path)}; AWS requires at least one",
            "list your SCPs under scps, or keep AWS's FullAWSAccess (remove full_aws_access: false)",
        )]
    return []
