"""The stable validation codes: one table, listed in the README's format section.

Codes never change meaning once released; retired codes are not reused. Ranges: V0xx files,
YAML and schema; V1xx accounts; V2xx OUs; V3xx policies; V4xx vend.yaml; V5xx tags (on
accounts, OUs and the root alike); V6xx baselines; V7xx the IP plan; V8xx the Service Catalog
(catalog/); V9xx account settings (contacts, budget, access, support, permission sets).
"""
from __future__ import annotations

import json

from vending.errors import Diagnostic

CODES: dict[str, str] = {
    "V001": "YAML syntax error",
    "V002": "duplicate key in a YAML mapping",
    "V003": "file is not UTF-8 text",
    "V010": "unknown key (or a key not allowed in this context)",
    "V011": "wrong type",
    "V012": "missing required field",
    "V013": "bad value (enum, pattern, length or range)",
    "V020": "folder under ous/ has no ou.yaml",
    "V021": "file or folder that vend does not read (likely a typo)",
    "V022": "symbolic link that points nowhere (or loops)",
    "V023": "file cannot be read (no permission, not a regular file, or an I/O error)",
    "V024": "file or folder reached twice through symbolic links",
    "V025": "folder named like a file vend reads (e.g. a folder called app.yaml)",
    "V101": "account file name does not match the account name (stem = name lower-cased, "
    "runs of other characters than a-z 0-9 . _ - replaced by '-')",
    "V102": "duplicate account name",
    "V103": "duplicate account email (case-insensitive)",
    "V104": "invalid account email",
    "V105": "invalid account name (1-50 printable ASCII characters)",
    "V106": "account placed in an OU that is not declared",
    "V107": "account placed in a retired OU",
    "V108": "required tag missing from the account's effective tags",
    "V109": "more than 50 effective tags on an account",
    "V110": "pinned account id used twice",
    "V111": "tag `owner` set in tags (use the owner field)",
    "V112": "sso_user set on an account while account_factory is not control-tower",
    "V201": "invalid OU name",
    "V202": "OU nested deeper than 5 levels",
    "V203": "duplicate OU name under one parent (case-insensitive, renamed_from included)",
    "V204": "pinned OU id used twice",
    "V205": "retired OU still has OUs below it that are not retired",
    "V206": "controls listed on an OU while account_factory is not control-tower",
    "V301": "SCP is not valid JSON",
    "V302": "tag policy is not valid JSON",
    "V303": "SCP over 5,120 characters",
    "V304": "tag policy over 10,000 characters",
    "V305": "SCP is not a policy document (no Statement, or a statement that is not an object)",
    "V306": "tag policy has no top-level \"tags\" object",
    "V307": "more than 5 SCPs attached to one target (FullAWSAccess counts)",
    "V308": "referenced policy has no file",
    "V309": "FullAWSAccess is AWS-managed and cannot be a file",
    "V310": "target would have no SCP attached",
    "V311": "FullAWSAccess listed in scps while full_aws_access is false",
    "V312": "SCP Version missing or not \"2012-10-17\"",
    "V313": "element not allowed in an SCP (unknown, or Principal/NotPrincipal, which SCPs do not support)",
    "V314": "SCP statement Effect missing or not Allow/Deny",
    "V315": "SCP statement needs exactly one of Action/NotAction and at most one of Resource/NotResource",
    "V316": "SCP action is not \"*\" or service:action (a string or a list of strings)",
    "V317": "SCP resource is not \"*\" or an ARN (a string or a list of strings)",
    "V318": "SCP Condition is not operator -> condition key -> value(s)",
    "V319": "SCP statement Sid not a string, or used twice",
    "V320": "unknown tag policy element (policy keys hold tag_key, tag_value, enforced_for, report_required_tag_for)",
    "V321": "tag policy element not written with inheritance operators (@@assign, @@append, @@remove) as AWS accepts them",
    "V322": "tag policy tag_key does not match its policy key (ignoring case)",
    "V323": "tag policy value with more than one * wildcard",
    "V324": "tag policy enforced_for/report_required_tag_for entry is not service:*, service:ALL_SUPPORTED or service:resource-type",
    "V325": "@@operators_allowed_for_child_policies is not [\"@@all\"], [\"@@none\"] or some of @@assign, @@append, @@remove",
    "V401": "vend.yaml missing",
    "V402": "quarantine OU not declared, or retired",
    "V403": "home_region not among governed_regions",
    "V404": "unknown AWS Region (not in botocore's list of Regions)",
    "V405": "governed Regions from more than one AWS partition",
    "V406": "control_tower settings while account_factory is not control-tower",
    "V407": "stacksets.role_arn is not a role in the stacksets.delegated_admin account",
    "V501": "invalid tag key (1-128 letters, digits, spaces and _ . : / = + - @)",
    "V502": "invalid tag value (0-256 letters, digits, spaces and _ . : / = + - @)",
    "V503": "tag key uses the reserved aws: prefix",
    "V601": "unknown baseline (on an OU, on an account, or in depends_on)",
    "V602": "baseline template file missing",
    "V603": "jinja2 error in a baseline template (syntax, undefined variable)",
    "V604": "rendered baseline template is not valid CloudFormation (cfn-lint error)",
    "V605": "baseline parameter not declared by the template",
    "V606": "template parameter without a Default and without a value",
    "V607": "stack-set template over 51,200 bytes (rendered, or with its per-account values) and no template_bucket",
    "V608": "baseline Region not among governed_regions",
    "V609": "depends_on cycle between baselines",
    "V610": "template needs a capability the baseline does not list (IAM resources, transforms)",
    "V611": "baseline not reachable: account settings for a baseline its OUs do not list",
    "V612": "baseline listed on an OU and on one of its ancestors (warning: AWS's OU targets include child OUs)",
    "V613": "retired baseline still listed on an OU or account, or depended on",
    "V614": "baseline parameter from the IP plan without an ip_plan in vend.yaml, or for a Region the plan has no pool in",
    "V615": "baseline folder without baseline.yaml, or with a name that is not a baseline name",
    "V616": "account sets a baseline parameter that comes from the IP plan",
    "V701": "IP allocations overlap",
    "V702": "IP allocation outside its pool (or no pool for its Region and environment)",
    "V703": "IP allocation of the wrong size (or pool blocks larger than the pool)",
    "V704": "account needs an IP allocation and has none (run vend allocate)",
    "V705": "IP pool exhausted",
    "V706": "IP pools overlap, or two pools for one Region and environment",
    "V707": "not a network address (host bits set, or not IPv4)",
    "V708": "IP pool or allocation in a Region that is not governed",
    "V801": "unknown product (in a portfolio's products or an enforced portfolio's product)",
    "V802": "unknown product version (an enforced portfolio's version)",
    "V803": "version name used twice in one product",
    "V804": "TagOption key not in catalog/tagoptions.yaml",
    "V805": "TagOption value not in the library for its key (or listed twice there)",
    "V806": "unknown OU in a portfolio's shares or ous",
    "V807": "unknown account in a portfolio's shares (neither an account name nor a 12-digit id)",
    "V808": "more than 150 products in one portfolio",
    "V809": "more than 10 IAM_PATTERN principals in one portfolio",
    "V810": "more than 25 TagOptions on one product or portfolio",
    "V811": "more than 25 values for one TagOption key",
    "V812": "more than 100 versions of one product",
    "V813": "more than 5,000 accounts shared with one portfolio",
    "V814": "principal ARN that AWS refuses (IAM_PATTERN with an account id or a misplaced wildcard, IAM without one)",
    "V815": "share_principals with an account share (warning: AWS ignores SharePrincipals there)",
    "V816": "two LAUNCH or two STACKSET constraints, or LAUNCH with STACKSET, on one product of a portfolio",
    "V817": "template constraint names a parameter that a version's template does not declare",
    "V818": "enforced version inactive or deprecated",
    "V819": "product template is not valid CloudFormation (cfn-lint error)",
    "V820": "product template file missing",
    "V821": "product folder without product.yaml, or with a name that is not a product name",
    "V822": "portfolio field that does not belong to its distribution, or a missing one",
    "V823": "catalog without a template bucket, or catalog.delegated_admin without role_arn",
    "V824": "enforced parameter the version's template does not declare, or a required one without a value",
    "V825": "retired product still listed in a portfolio",
    "V826": "constraints for a product the portfolio does not hold",
    "V901": "alternate contact email that AWS refuses",
    "V902": "alternate contact phone number that AWS refuses (digits, spaces, ( ) + - only)",
    "V903": "budget alert threshold out of range (a percentage, more than 0 and at most 1,000)",
    "V904": "budget alert recipient is not an email address or owner",
    "V905": "access names a permission set that has no file under identity/permission-sets/",
    "V906": "access group that does not look like an Identity Center display name",
    "V907": "permission set inline_policy is not valid JSON (or not a policy document)",
    "V908": "permission set inline_policy over 32,768 characters (or 10,240 not white space)",
    "V909": "permission set session_duration outside 1-12 hours",
    "V910": "permission set file name is not a permission set name (1-32 letters, digits and _ + = , . @ -)",
    "V911": "more than 20 managed policies (AWS and customer) on one permission set",
    "V930": "access names a permission set whose file says retired: true",
}


WARNINGS = frozenset({"V612", "V815"})
"""Codes reported as warnings: `vend validate` shows them and still exits 0."""


def finding(code: str, file: str, line: int, field: str, message: str, hint: str) -> Diagnostic:
    """A Diagnostic whose code must be in the table (a typo here is a bug, so it raises)."""
    if code not in CODES:
        raise KeyError(f"unknown diagnostic code {code}")
    severity = "warning" if code in WARNINGS else "error"
    return Diagnostic(file=file, line=max(line, 1), code=code, field=field, message=message, hint=hint,
                      severity=severity)


def quote(value: object) -> str:
    """A value as messages show it: "like this" (JSON-style double quotes, unicode kept)."""
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)
