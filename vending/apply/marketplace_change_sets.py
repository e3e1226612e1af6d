"""Sending Private Marketplace change sets (vending.plan.marketplace_batches) and waiting for each.

StartChangeSet carries the change set's stable ClientRequestToken, so an apply that died after
starting one finds it again instead of repeating it. A change against an entity another change set
holds (ResourceInUseException), and a start beyond the account's open requests
(ServiceQuotaExceededException: AWS publishes no number), are waited out; DescribeChangeSet is polled through PREPARING and
APPLYING to SUCCEEDED, or to FAILED, which fails the apply with every change's error codes and
messages as AWS wrote them. Experiences created by one change set are known by id to the next.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from vending.apply.context import Polling
from vending.apply.deadlines import MINUTE
from vending.apply.waiting import Refused, poll, until_admitted
from vending.aws.errors import error_code
from vending.errors import ApplyFailure
from vending.plan.marketplace_batches import ChangeSetSpec, MarketplaceChange

CATALOG = "AWSMarketplace"
EXPERIENCE = "Experience@1.0"
CHANGE_SET = 30 * MINUTE
"""One change set: AWS publishes no duration; Private Marketplace changes take minutes (unconfirmed)."""
ENTITY_LOCK = 30 * MINUTE
"""Waiting for another change set on the same experience to end: one CHANGE_SET."""


class ChangeSetFailed(ApplyFailure):
    """A change set ended FAILED (or CANCELLED); the message holds AWS's words for each change."""


def run(client: Any, sets: list[ChangeSetSpec], ids: dict[str, str], polling: Polling) -> dict[str, str]:
    """Apply `sets` in order; `ids` maps experience names to entity ids (updated with created
    ones, and returned)."""
    known = dict(ids)
    for spec in sets:
        answer = _wait(client, spec, _start(client, spec, known, polling), polling)
        for sent, done in zip(spec.changes, answer["ChangeSet"]):
            if sent.change_type == "CreateExperience":
                known[sent.experience] = done["Entity"]["Identifier"].split("@", 1)[0]
    return known


def _change(change: MarketplaceChange, ids: dict[str, str]) -> dict[str, Any]:
    entity: dict[str, Any] = {"Type": EXPERIENCE}
    if change.change_type != "CreateExperience":
        if change.experience not in ids:
            raise ApplyFailure(f"experience {change.experience} has no entity id: its CreateExperience did not run")
        entity["Identifier"] = ids[change.experience]
    return {"ChangeType": change.change_type, "Entity": entity, "DetailsDocument": change.details}


def _start(client: Any, spec: ChangeSetSpec, ids: dict[str, str], polling: Polling) -> str:
    request = {"Catalog": CATALOG, "ChangeSetName": spec.name, "ClientRequestToken": spec.token,
               "ChangeSet": [_change(c, ids) for c in spec.changes]}

    def attempt() -> str:
        try:
            return str(client.start_change_set(**request)["ChangeSetId"])
        except ClientError as exc:
            if error_code(exc) in ("ResourceInUseException", "ServiceQuotaExceededException"):
                raise Refused(exc.response["Error"].get("Message", "an entity is in use")) from None
            raise

    return until_admitted(polling, f"Marketplace change set {spec.name!r}", ENTITY_LOCK, attempt)


def _wait(client: Any, spec: ChangeSetSpec, change_set_id: str, polling: Polling) -> dict[str, Any]:
    def read() -> tuple[str, dict[str, Any] | None]:
        answer = client.describe_change_set(Catalog=CATALOG, ChangeSetId=change_set_id)
        status = answer["Status"]
        return status, (answer if status not in ("PREPARING", "APPLYING") else None)

    answer = poll(polling, f"Marketplace change set {spec.name!r} ({change_set_id})", CHANGE_SET, read)
    if answer["Status"] != "SUCCEEDED":
        raise ChangeSetFailed(_failure(spec, change_set_id, answer))
    return answer


def _failure(spec: ChangeSetSpec, change_set_id: str, answer: dict[str, Any]) -> str:
    errors = [f"{c['ChangeType']} on {c['Entity'].get('Identifier', 'a new experience')}: "
              f"{e['ErrorCode']}: {e['ErrorMessage']}"
              for c in answer.get("ChangeSet", ()) for e in c.get("ErrorDetailList") or ()]
    head = (f"Marketplace change set {spec.name!r} ({change_set_id}) {answer['Status']}"
            + (f" ({answer['FailureCode']}: {answer.get('FailureDescription', '')})" if answer.get("FailureCode") else ""))
    return head + ("; " + "; ".join(errors) if errors else "")
