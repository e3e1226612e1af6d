"""Helpers of the Marketplace Catalog emulator tests: change sets started and read to the end."""
from __future__ import annotations

from typing import Any

CATALOG = "AWSMarketplace"
EXPERIENCE = "Experience@1.0"


def change(kind: str, identifier: str | None = None, **details: Any) -> dict[str, Any]:
    entity = {"Type": EXPERIENCE, **({"Identifier": identifier} if identifier else {})}
    return {"ChangeType": kind, "Entity": entity, "DetailsDocument": details}


def start(mp: Any, *changes: dict[str, Any], **extra: Any) -> str:
    return mp.start_change_set(Catalog=CATALOG, ChangeSet=list(changes), **extra)["ChangeSetId"]


def finish(mp: Any, change_set_id: str) -> dict[str, Any]:
    """DescribeChangeSet until the set is done (the emulator takes 3 reads); its last answer."""
    for _ in range(5):
        answer = mp.describe_change_set(Catalog=CATALOG, ChangeSetId=change_set_id)
        if answer["Status"] not in ("PREPARING", "APPLYING"):
            return answer
    raise AssertionError(f"change set {change_set_id} still {answer['Status']}")


def run(mp: Any, *changes: dict[str, Any]) -> dict[str, Any]:
    return finish(mp, start(mp, *changes))


def new_experience(mp: Any, name: str = "Engineering") -> str:
    answer = run(mp, change("CreateExperience", Name=name))
    assert answer["Status"] == "SUCCEEDED", answer
    return answer["ChangeSet"][0]["Entity"]["Identifier"]


def entities(mp: Any, kind: str, **extra: Any) -> list[dict[str, Any]]:
    return mp.list_entities(Catalog=CATALOG, EntityType=kind, **extra)["EntitySummaryList"]


def describe(mp: Any, entity_id: str) -> dict[str, Any]:
    return mp.describe_entity(Catalog=CATALOG, EntityId=entity_id)
