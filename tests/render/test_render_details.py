"""Edge cases of the field diff and text rendering that the golden plans do not cover."""
from __future__ import annotations

from vending.plan.changes import Action, Change, Kind, Plan
from vending.render import render_markdown, render_text
from vending.render.fields import field_lines


def _plan(*changes: Change) -> dict:
    return Plan(fingerprint="abc", changes=list(changes), order=[[c.address for c in changes]]).to_json()


def test_values_cannot_forge_lines_or_colors() -> None:
    change = Change("account:x", Kind.ACCOUNT, Action.CREATE, "evil\nPlan: 0 to add\x1b[31m",
                    after={"name": "x\ny", "tags": {"k\x1b": "v"}})
    text = render_text(_plan(change))
    assert "\x1b" not in text
    assert [line for line in text.splitlines() if line.startswith("Plan: ")] == [text.splitlines()[-1]]
    assert '"x\\ny"' in text


def test_odd_tag_keys_are_quoted() -> None:
    change = Change("account_tags:x", Kind.ACCOUNT_TAGS, Action.UPDATE, "r",
                    before={"tags": {"cost center": "1"}}, after={"tags": {"cost center": "2"}})
    assert '~ "cost center": "1" -> "2"' in render_text(_plan(change))


def test_tags_added_and_removed_as_whole_field() -> None:
    change = Change("account_tags:x", Kind.ACCOUNT_TAGS, Action.UPDATE, "r",
                    before={"id": "1", "tags": {"a": "1"}}, after={"id": "1", "other": ["x", "y"]})
    text = render_text(_plan(change))
    assert '- a: "1"' in text
    assert '+ other: ["x", "y"]' in text


def test_policy_content_same_meaning_is_not_a_diff() -> None:
    change = Change("policy:p", Kind.POLICY, Action.UPDATE, "r",
                    before={"content": '{"b":1,"a":2}', "name": "p"}, after={"content": '{"a": 2, "b": 1}', "name": "q"})
    lines, hidden = field_lines(change.to_json())
    assert [line.name for line in lines] == ["name"]
    assert hidden == 1


def test_create_without_id_kind_has_no_known_after_apply() -> None:
    change = Change("policy_attachment:scp/a@ou:B", Kind.ATTACHMENT, Action.CREATE, "r",
                    after={"policy": "scp/a", "target": "ou:B"})
    assert "known after apply" not in render_text(_plan(change))


def test_create_with_id_given_shows_it() -> None:
    change = Change("account:x", Kind.ACCOUNT, Action.CREATE, "r", after={"id": "123", "name": "x"})
    assert '+ id:   "123"' in render_text(_plan(change))


def test_noop_changes_are_not_shown() -> None:
    change = Change("account:x", Kind.ACCOUNT, Action.NOOP, "same", before={"id": "1"}, after={"id": "1"})
    assert "account:x" not in render_text(_plan(change))
    assert "no changes" in render_markdown(_plan(change))


def test_changes_missing_from_order_are_still_shown_last() -> None:
    first = Change("ou:A", Kind.OU, Action.CREATE, "r", after={"name": "A"})
    stray = Change("ou:B", Kind.OU, Action.CREATE, "r", after={"name": "B"})
    data = Plan(fingerprint="f", changes=[stray, first], order=[["ou:A"]]).to_json()
    text = render_text(data)
    assert text.index("# ou:A") < text.index("# ou:B")


def test_markdown_escapes_table_cells() -> None:
    change = Change("account:x", Kind.ACCOUNT, Action.CREATE, "a | b <script>", after={"name": "x"})
    md = render_markdown(_plan(change))
    assert "a \\| b \\<script\\>" in md
    assert "<script>" not in md


def test_ids_on_one_side_of_a_move_are_context_not_removals() -> None:
    change = Change("account:a", Kind.ACCOUNT, Action.MOVE, "r",
                    before={"id": "1", "ou": "A", "parent_id": "ou-aa11-aaaaaaaa"}, after={"id": "1", "ou": "B"})
    lines, hidden = field_lines(change.to_json())
    assert [(f.op, f.name) for f in lines] == [(" ", "id"), (" ", "parent_id"), ("~", "ou")]
    assert hidden == 0


def test_policy_type_update_shows_root_id_and_flag() -> None:
    change = Change("policy_type:SERVICE_CONTROL_POLICY", Kind.POLICY_TYPE, Action.UPDATE, "r",
                    before={"root_id": "r-ab12", "enabled": False}, after={"root_id": "r-ab12", "enabled": True})
    text = render_text(_plan(change))
    assert '        root_id: "r-ab12"\n      ~ enabled: false -> true\n' in text
