from __future__ import annotations

import pytest

from vending.errors import CycleError
from vending.plan.changes import Action, Change, Kind, Plan
from vending.plan.graph import build_graph, generations


def change(address: str, *deps: str) -> Change:
    return Change(address, Kind.OU, Action.CREATE, "r", depends_on=deps)


def test_edges_point_from_prerequisite_to_dependent_and_unknown_prerequisites_are_satisfied():
    graph = build_graph([change("ou:A"), change("ou:A/B", "ou:A", "ou:Existing")])
    assert list(graph.edges) == [("ou:A", "ou:A/B")]
    assert generations(graph) == [["ou:A"], ["ou:A/B"]]


def test_a_cycle_is_an_error_that_names_its_path():
    with pytest.raises(CycleError) as info:
        build_graph([change("a", "c"), change("b", "a"), change("c", "b")])
    assert str(info.value) == "dependency cycle: a -> b -> c -> a"


def test_plan_round_trips_through_json():
    plan = Plan(fingerprint="sha256:x", changes=[change("ou:A")], order=[["ou:A"]], created_at="t")
    again = Plan.loads(plan.dumps())
    assert again.to_json() == plan.to_json()
