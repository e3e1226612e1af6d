"""AWS's single-value rules, checked against examples and, by property, against the schema."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vending.model import policy_json
from vending.model.rules_values import (
    account_name_problem,
    account_stem,
    email_problem,
    ou_name_problem,
    tag_key_problem,
    tag_key_reserved,
    tag_value_problem,
)
from vending.model.schema_check import schema

EMAIL_PATTERN = re.compile(schema("account")["properties"]["email"]["pattern"])


@pytest.mark.parametrize("email, problem", [
    ("a@b.co", None),
    ("aws+payments-dev@example.com", None),
    ("first.last@sub-domain.example.co.uk", None),
    ("a@b.c", "is 5 characters long; AWS accepts 6 to 64"),
    ("x" * 60 + "@example.com", "is 72 characters long; AWS accepts 6 to 64"),
    ("josé@example.com", 'contains "é"; AWS accepts 7-bit ASCII only'),
    ("a@b@example.com", "must contain exactly one @ (found 2)"),
    ("nobody.example.com", "must contain exactly one @ (found 0)"),
    ("@example.com", "has nothing before the @"),
    ("app ops@example.com", 'may not contain " " before the @'),
    ("app%ops@example.com", 'may not contain "%" before the @'),
    (".app@example.com", "may not start with '.'"),
    ("app@exa_mple.com", "may not contain \"_\" after the @ (the domain allows a-z, A-Z, 0-9, '-' and '.')"),
    ("app@-example.com", "has a domain that starts or ends with '-' or '.'"),
    ("app@example.com.", "has a domain that starts or ends with '-' or '.'"),
    ("app@localhost", "has a domain without a dot"),
])
def test_email_rules(email: str, problem: str | None) -> None:
    assert email_problem(email) == problem


_EMAIL_CHARS = "abcXYZ019.-+_@ \"'(),:;<>[]\\|%&!#$*/=?^`{}~\t\x01\x7fé"
_emails = st.one_of(
    st.text(alphabet=_EMAIL_CHARS, max_size=70),
    st.builds(lambda local, domain, tld: f"{local}@{domain}.{tld}",
              st.text(alphabet=_EMAIL_CHARS, min_size=0, max_size=20),
              st.text(alphabet="abc019.-_@é", min_size=0, max_size=12),
              st.text(alphabet="abcz.-", min_size=0, max_size=4)),
)


@settings(max_examples=400, deadline=None)
@given(_emails)
def test_email_rule_agrees_with_the_schema_pattern(email: str) -> None:
    """The editor (schema regex) and `vend validate` (email_problem) accept the same emails."""
    assert (email_problem(email) is None) == bool(EMAIL_PATTERN.fullmatch(email))


@pytest.mark.parametrize("name, problem", [
    ("Log Archive", None),
    ("x" * 50, None),
    ("", "is 0 characters long; AWS accepts 1 to 50"),
    ("x" * 51, "is 51 characters long; AWS accepts 1 to 50"),
    ("Café", 'contains "é"; AWS accepts printable ASCII only (space to ~)'),
    ("tab\there", 'contains "\\t"; AWS accepts printable ASCII only (space to ~)'),
    ("!!!", "needs at least one letter or digit (it names the account's file)"),
])
def test_account_name_rules(name: str, problem: str | None) -> None:
    assert account_name_problem(name) == problem


@pytest.mark.parametrize("name, stem", [
    ("Log Archive", "log-archive"),
    ("payments-dev", "payments-dev"),
    ("Data Lake (Prod) #2", "data-lake-prod-2"),
    ("svc_v1.2", "svc_v1.2"),
    ("  Audit  ", "audit"),
])
def test_account_stem(name: str, stem: str) -> None:
    assert account_stem(name) == stem


@pytest.mark.parametrize("key", ["cost-center", "Kostenstelle-ü", "部門", "team name", "a:b/c=d+e@f_g.h", "x" * 128,
                                 "ideographic\u3000space", "٣"])
def test_tag_keys_aws_accepts(key: str) -> None:
    assert tag_key_problem(key) is None


@pytest.mark.parametrize("key, problem", [
    ("", "is 0 characters long; AWS accepts 1 to 128"),
    ("x" * 129, "is 129 characters long; AWS accepts 1 to 128"),
    ("team#1", 'contains "#"; tags allow letters, digits, spaces and _ . : / = + - @'),
    ("emoji🙂", 'contains "🙂"; tags allow letters, digits, spaces and _ . : / = + - @'),
])
def test_tag_keys_aws_refuses(key: str, problem: str) -> None:
    assert tag_key_problem(key) == problem


def test_tag_values() -> None:
    assert tag_value_problem("") is None
    assert tag_value_problem("x" * 256) is None
    assert tag_value_problem("x" * 257) == "is 257 characters long; AWS accepts at most 256"
    assert tag_value_problem("a & b") == 'contains "&"; tags allow letters, digits, spaces and _ . : / = + - @'


@pytest.mark.parametrize("key, reserved", [("aws:x", True), ("AWS:cost", True), ("Aws:y", True),
                                           ("aws-team", False), ("my:aws:x", False)])
def test_aws_prefix_reserved_in_any_case(key: str, reserved: bool) -> None:
    assert tag_key_reserved(key) is reserved


@pytest.mark.parametrize("name, problem", [
    ("Workloads", None),
    ("x" * 128, None),
    ("x" * 129, "is 129 characters long; AWS accepts 1 to 128"),
    ("Root", "is reserved: `ou: Root` means the organization root"),
    (" Dev", "starts or ends with white space"),
])
def test_ou_names(name: str, problem: str | None) -> None:
    assert ou_name_problem(name) == problem


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(document=st.dictionaries(st.text(max_size=6), _json_values, max_size=5), indent=st.sampled_from([None, 0, 2, 4]),
       seed=st.randoms(use_true_random=False))
def test_canonical_policy_ignores_key_order_and_white_space(document: dict, indent: int | None, seed) -> None:
    """Whatever the author's formatting and key order, vend compares the same canonical text."""

    def shuffled(value):
        if isinstance(value, dict):
            items = list(value.items())
            seed.shuffle(items)
            return {k: shuffled(v) for k, v in items}
        if isinstance(value, list):
            return [shuffled(v) for v in value]
        return value

    text = json.dumps(shuffled(document), indent=indent)
    assert policy_json.canonical(text) == policy_json.canonical(json.dumps(document))
    assert len(policy_json.minified(text)) == len(policy_json.canonical(text))
