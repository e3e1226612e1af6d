"""yaml_source: data plus the line of every key and item; duplicates; syntax errors."""
from __future__ import annotations

import pytest

from vending.model.yaml_source import DuplicateKey, Lines, YamlSyntaxError, dotted, parse

DOC = """\
# yaml-language-server: $schema=x.json
name: app
tags:
  cost-center: apps
  team: web
scps:
  - one
  - {name: two}
"""


def test_lines_of_keys_and_items() -> None:
    parsed = parse(DOC)
    assert parsed.data == {"name": "app", "tags": {"cost-center": "apps", "team": "web"},
                           "scps": ["one", {"name": "two"}]}
    lines = parsed.lines
    assert lines.at(("name",)) == 2
    assert lines.at(("tags",)) == 3
    assert lines.at(("tags", "team")) == 5
    assert lines.at(("scps", 0)) == 7
    assert lines.at(("scps", 1, "name")) == 8
    assert lines.at(()) == 2  # the document starts after the comment


def test_unknown_path_answers_for_nearest_ancestor() -> None:
    lines = parse(DOC).lines
    assert lines.at(("tags", "missing")) == 3
    assert lines.at(("nothing", "here")) == 2
    assert Lines().at(("x",)) == 1


def test_duplicate_keys_are_all_reported_and_last_wins() -> None:
    parsed = parse("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert parsed.data == {"a": 3, "b": {"c": 2}}
    assert set(parsed.duplicates) == {DuplicateKey(("b", "c"), 4, 3), DuplicateKey(("a",), 5, 1)}


def test_merge_keys_override_without_being_duplicates() -> None:
    parsed = parse("base: &b {k: 1, j: 2}\nm:\n  <<: *b\n  k: 5\n")
    assert parsed.data["m"] == {"k": 5, "j": 2}
    assert parsed.duplicates == ()
    assert parsed.lines.at(("m", "k")) == 4


def test_scalars_keep_yaml_types() -> None:
    assert parse("a: yes\nb: 012\nc: 2024-01-31\nd: '7'\n").data["a"] is True
    assert parse("d: '7'\n").data == {"d": "7"}


@pytest.mark.parametrize("text, line, words", [
    ("name: app\nemail: a@b.co\n  ou: Apps\n", 3, "mapping values are not allowed here"),
    ("a:\n\tb: 1\n", 2, "found character '\\t' that cannot start any token"),
    ("a: [1, 2\nb: 3\n", 2, "expected ',' or ']'"),
    ("a: 1\n---\nb: 2\n", 2, "expected a single document in the stream"),
    ("a: !Ref b\n", 1, "could not determine a constructor for the tag '!Ref'"),
    ("a: &x [*x]\n", 1, "an alias refers to its own anchor"),
    ("? [a]\n: 1\n", 1, "a mapping key must be a plain value"),
    ("d: 2024-13-45\n", 1, "cannot read value"),
    ("a: b\x07\n", 1, "is not allowed in YAML"),
])
def test_syntax_errors_carry_their_line(text: str, line: int, words: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse(text)
    assert caught.value.line == line
    assert words in caught.value.message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_documents_are_none(text: str) -> None:
    assert parse(text).data is None


def test_dotted_fields() -> None:
    assert dotted(("tags", "cost-center")) == "tags.cost-center"
    assert dotted(("scps", 1)) == "scps[1]"
    assert dotted(("target", "kind")) == "target.kind"
    assert dotted(()) == ""
