"""Typed errors and diagnostics.

Library code raises these; only `vending.cli` turns them into text and exit codes. A user who
feeds `vend` bad input sees `file:line: CODE field: message` and a hint, never a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One validation finding, anchored to a file and line of the repository."""

    file: str
    line: int
    code: str
    field: str
    message: str
    hint: str = ""
    severity: str = "error"
    """"error" fails `vend validate`; "warning" is reported and does not."""

    def format(self) -> str:
        where = f"{self.file}:{self.line}: {self.code}"
        message = f"warning: {self.message}" if self.severity == "warning" else self.message
        text = f"{where} {self.field}: {message}" if self.field else f"{where} {message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


class VendError(Exception):
    """Base of every error `vend` reports to a user."""


class ValidationFailed(VendError):
    """The repository does not validate; carries every finding at once."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        errors = sum(d.severity == "error" for d in self.diagnostics)
        super().__init__(f"{errors} validation error(s)")


class ConfigError(VendError):
    """vend.yaml or the command line asks for something impossible (e.g. no such target)."""


class PlanError(VendError):
    """The desired state cannot be reached from the live state (e.g. deleting a non-empty OU)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class CycleError(VendError):
    """The change graph has a cycle; `path` lists the addresses around it."""

    def __init__(self, path: list[str]):
        self.path = path
        super().__init__("dependency cycle: " + " -> ".join(path))


class StalePlanError(VendError):
    """A saved plan was computed from live state that has since changed."""


class PlanFileError(VendError):
    """A saved plan file cannot be read (wrong format version, not JSON, ...)."""


class DestroyNotAllowed(VendError):
    """The plan deletes or closes something and `--allow-destroy` was not given."""

    def __init__(self, addresses: list[str]):
        self.addresses = addresses
        super().__init__(
            "the plan destroys " + ", ".join(addresses) + "; pass --allow-destroy to apply it"
        )


class ApplyFailure(VendError):
    """One change could not be applied; the executor records it and skips its dependents."""


class DeadlineExceeded(ApplyFailure):
    """An AWS operation did not finish (or stayed refused) within its documented deadline; it
    may go on in AWS, and the next plan finds it and waits for it again."""


class MutationDuringPlan(VendError):
    """A mutating AWS call was attempted through a read-only client (a bug, never user input)."""


class AwsCallFailed(VendError):
    """AWS refused or could not answer a call (credentials, permissions, network, throttling);
    the message says what failed, for whom, and what to do. Raised at one seam: see
    `vending.aws.errors`."""


class LockError(VendError):
    """The apply lock cannot be taken, released or broken (no bucket, wrong id, broken meanwhile)."""


class LockHeld(LockError):
    """Another apply holds the lock; `record` says who, since when, applying what."""

    def __init__(self, message: str, record: object):
        self.record = record
        super().__init__(message)


class ApprovalNeeded(VendError):
    """`vend apply` has changes to approve and no terminal to ask on."""


class BaseRefError(VendError):
    """`--base REF` cannot be used: no such commit here, or the repository is not in git."""


class CommentError(VendError):
    """The plan comment could not be posted: the code host refused or could not be reached."""


class ImportRefused(VendError):
    """`vend import` cannot describe this organization as asked, or would overwrite a file."""


class RehearsalError(VendError):
    """`vend rehearse` cannot rehearse: the organization has parts the scratch copy cannot
    reproduce, or the copy does not read back as the organization did."""


class SnapshotError(VendError):
    """The live snapshot could not be written where it was asked for (vending.snapshot_store)."""
