"""A request-policy.yaml that means nothing is refused with file:line findings, as validation
refuses a bad repository: its schema (V0xx codes) and what the schema cannot see (R1xx)."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from tests.model.test_model_schemas import _objects
from tests.policy.repo import POLICY, PrRepo, account
from vending.errors import ValidationFailed
from vending.model.loader import load
from vending.model.schema_check import schema
from vending.policy.spec import read


def errors(repo: PrRepo) -> list[str]:
    with pytest.raises(ValidationFailed) as failed:
        repo.check()
    return [d.format() for d in failed.value.diagnostics]


def test_schema_is_strict_and_documented() -> None:
    document = schema("request-policy")
    Draft202012Validator.check_schema(document)
    for where, node in _objects(document):
        assert node.get("additionalProperties") is False, where
        assert all(prop.get("description") for prop in node["properties"].values()), where


def test_example_policy_is_valid_and_points_editors_at_its_schema() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    text = (root / "request-policy.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=vending/model/schemas/request-policy.schema.json"
    policy, found = read(text, "request-policy.yaml", load(root))
    assert found == [] and policy is not None
    assert [r.label for r in policy.ou_labels] == ["prod-approved", "compliance-approved"]


def test_schema_errors_name_file_line_and_field(pr: PrRepo) -> None:
    pr.write({"request-policy.yaml": "version: 1\nou_labels:\n  - ou: Prod\n    lable: prod-approved\n"
                                     "max_new_accounts: many\nemail_domains: [example]\n"
                                     "tag_values:\n  cost-center: {}\n"})
    assert errors(pr) == [
        'request-policy.yaml:3: V012 ou_labels[0].label: missing required field "label"\n'
        "    hint: The pull-request label the account needs (compared ignoring case, as GitHub does).",
        'request-policy.yaml:4: V010 ou_labels[0].lable: unknown key "lable" (did you mean "label"?)\n'
        "    hint: allowed keys here: label, ou",
        'request-policy.yaml:5: V011 max_new_accounts: expected an integer, got "many"\n'
        "    hint: At most this many new accounts per pull request (R004).",
        'request-policy.yaml:6: V013 email_domains[0]: "example" is not in the expected form\n'
        "    hint: A domain such as example.com, or *.example.com for its subdomains.",
        "request-policy.yaml:8: V013 tag_values.cost-center: has 0 entries; at least 1 allowed\n"
        "    hint: values, pattern, or both (a value is allowed when it is listed or matches).",
    ]


def test_yaml_errors_and_duplicate_keys(pr: PrRepo) -> None:
    pr.write({"request-policy.yaml": "version: 1\nou_labels: [\n"})
    assert [e.splitlines()[0] for e in errors(pr)] == [
        "request-policy.yaml:3: V001 while parsing a flow node, expected the node content, but found '<stream end>'"]
    pr.write({"request-policy.yaml": "version: 1\nmax_new_accounts: 1\nmax_new_accounts: 2\n"})
    assert [e.splitlines()[0] for e in errors(pr)] == [
        "request-policy.yaml:3: V002 max_new_accounts: key given twice (first on line 2); the last one wins"]


def test_bad_pattern_and_unknown_ou(pr: PrRepo) -> None:
    pr.write({"request-policy.yaml": "version: 1\nou_labels:\n  - {ou: Prod/Nowhere, label: x}\n"
                                     "tag_values:\n  expires: {pattern: '[0-9'}\n"})
    assert errors(pr) == [
        'request-policy.yaml:3: R102 ou_labels[0].ou: OU "Prod/Nowhere" is not declared under ous/\n'
        "    hint: name an OU path such as Workloads/Prod (a folder under ous/ with an ou.yaml), or Root",
        'request-policy.yaml:5: R101 tag_values.expires.pattern: "[0-9" is not a regular expression:'
        " unterminated character set at position 0\n"
        "    hint: write a Python regular expression; the whole value must match it",
    ]


def test_bad_reviewer_paths_and_owners(pr: PrRepo) -> None:
    pr.write({"request-policy.yaml": "version: 1\nreviewers:\n  - paths: [/accounts/, ous/../x, '!a']\n"
                                     "    owners: [platform]\n"})
    assert [e.splitlines()[0] for e in errors(pr)] == [
        'request-policy.yaml:3: V013 reviewers[0].paths[0]: "/accounts/" is not in the expected form',
        'request-policy.yaml:3: V013 reviewers[0].paths[1]: "ous/../x" is not in the expected form',
        'request-policy.yaml:3: V013 reviewers[0].paths[2]: "!a" is not in the expected form',
        'request-policy.yaml:4: V013 reviewers[0].owners[0]: "platform" is not in the expected form',
    ]


def test_the_base_policy_is_the_one_applied_and_is_checked_too(pr: PrRepo) -> None:
    """A pull request cannot relax the rules it is checked against."""
    pr.write({"request-policy.yaml": "version: 1\n", "accounts/db-prod.yaml": account("db-prod", ou="Prod")})
    pr.commit("drop the rules and add a prod account")
    assert [f.splitlines()[0] for f in pr.findings()] == [
        "accounts/db-prod.yaml:3: R001 ou: new account db-prod in Prod needs the label prod-approved"
        " (rule for Prod and the OUs below it)"]
    assert pr.check("prod-approved").policy_file == "main:request-policy.yaml"


def test_a_broken_base_policy_is_reported_with_its_ref(make_pr) -> None:
    repo = make_pr({"request-policy.yaml": "version: 2\n"})
    repo.write({"request-policy.yaml": POLICY})
    repo.commit("fix the policy")
    assert [e.splitlines()[0] for e in errors(repo)] == ["main:request-policy.yaml:1: V013 version: the number 2 must be 1"]


def test_the_pull_request_that_adds_the_policy_is_checked_against_it(make_pr) -> None:
    repo = make_pr({"request-policy.yaml": None})
    repo.write({"request-policy.yaml": POLICY, "accounts/db-prod.yaml": account("db-prod", ou="Prod")})
    repo.commit("add the policy")
    result = repo.check()
    assert result.policy_file == "request-policy.yaml"
    assert [d.code for d in result.findings] == ["R001"]


def test_no_policy_anywhere_is_one_clear_error(make_pr) -> None:
    from vending.errors import ConfigError

    repo = make_pr({"request-policy.yaml": None})
    with pytest.raises(ConfigError, match=r"^request-policy.yaml not found in .* nor in main: write the request "
                                          r"policy there \(see the README's Request policy section\)$"):
        repo.check()
