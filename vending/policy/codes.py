"""The stable codes of the request policy, listed in the README's request-policy section.

R0xx: a rule the pull request breaks; R1xx: a request-policy file that means nothing (its
schema errors reuse validation's V0xx codes). Codes never change meaning once released.
"""
from __future__ import annotations

from vending.errors import Diagnostic

CODES: dict[str, str] = {
    "R001": "new or moved account in an OU that needs a label the pull request lacks",
    "R002": "account email in a domain the policy does not allow",
    "R003": "effective tag value the policy does not allow for its key",
    "R004": "more new accounts than the policy allows in one pull request",
    "R005": "closing an account needs a label the pull request lacks",
    "R006": "suspending an account needs a label the pull request lacks",
    "R007": "retiring an OU needs a label the pull request lacks",
    "R008": "detaching a policy needs a label the pull request lacks",
    "R009": "CODEOWNERS does not match the policy's reviewers",
    "R010": "a changed file's only reviewer is the pull request's author",
    "R101": "tag_values pattern is not a valid regular expression",
    "R102": "ou_labels names an OU that is not declared under ous/",
}


def finding(code: str, file: str, line: int, field: str, message: str, hint: str) -> Diagnostic:
    """A Diagnostic whose code must be in the table (a typo here is a bug, so it raises)."""
    if code not in CODES:
        raise KeyError(f"unknown request-policy code {code}")
    return Diagnostic(file=file, line=max(line, 1), code=code, field=field, message=message, hint=hint)
