"""libyaml (when PyYAML has it) parses valid files; the pure-Python parser words every error.

Both must yield the same data, line table and duplicate keys for every document, so which parser
ran never shows in `vend validate` or in a plan.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vending.model import yaml_source
from vending.model.yaml_source import YamlSyntaxError, parse

ROOT = Path(__file__).resolve().parents[2]
needs_libyaml = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")

EDGE_CASES = {
    "empty": "",
    "comments only": "# nothing here\n",
    "scalars": "a: 1\nb: yes\nc: 2024-01-01\nd: ~\ne: '007'\nf: 1.5\ng: -0x1F\n",
    "nesting": "tags:\n  cost-center: platform\nscps:\n  - a\n  - b\nx: {p: [1, {q: r}]}\n",
    "duplicates": "name: a\ntags:\n  k: 1\n  k: 2\nname: b\n",
    "anchors and merge": "base: &b {x: 1, y: 2}\nover:\n  <<: *b\n  y: 3\n",
    "block scalars": "description: |\n  two\n  lines\nfolded: >\n  one\n  line\n",
    "bom": "\ufeffname: a\n",
    "unicode": "owner: équipe données\n",
    "crlf": "a: 1\r\nb:\r\n  - 2\r\n",
}


def _outcome(text: str, loader: type) -> tuple:
    parsed = yaml_source._parse(text, loader)
    return parsed.data, parsed.lines._table, parsed.duplicates


def _repository_yaml() -> list[Path]:
    found = [p for p in ROOT.glob("*.yaml")]
    for folder in ("ous", "accounts", "tests/fixtures"):
        found += sorted((ROOT / folder).rglob("*.yaml"))
    return [p for p in found if p.is_file()]  # the bad corpus also holds links to nothing and folders


@needs_libyaml
@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_both_parsers_agree_on_valid_documents(name):
    text = EDGE_CASES[name]
    assert _outcome(text, yaml.CSafeLoader) == _outcome(text, yaml.SafeLoader)


@needs_libyaml
def test_both_parsers_agree_on_the_repository_and_the_fixtures():
    compared = 0
    for path in _repository_yaml():
        try:
            text = path.read_text(encoding="utf-8")
            expected = _outcome(text, yaml.SafeLoader)
        except (UnicodeDecodeError, yaml.YAMLError, YamlSyntaxError):
            continue  # broken on purpose (bad corpus): covered by the error test below
        assert _outcome(text, yaml.CSafeLoader) == expected, path
        compared += 1
    assert compared > 10


@pytest.mark.parametrize(
    "text",
    ["a: [1\n", "a: b: c\n", "a:\n\t- 1\n", "k: \x07\n", "--- a\n--- b\n", "x: *nope\n"],
)
def test_errors_read_as_the_pure_python_parser_words_them(text, monkeypatch):
    with pytest.raises(YamlSyntaxError) as default:
        parse(text)
    monkeypatch.setattr(yaml_source, "_FAST_LOADER", None)
    with pytest.raises(YamlSyntaxError) as pure:
        parse(text)
    assert (default.value.line, default.value.message) == (pure.value.line, pure.value.message)
