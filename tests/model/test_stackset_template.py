"""The stack set's final template: rendered template + per-account Mappings (golden files)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.model.repo import VEND, MakeRepo
from vending.model.loader import load
from vending.model.stackset_template import (
    INLINE_LIMIT,
    MAX_KEYS_PER_MAPPING,
    TemplateLimitError,
    account_values,
    assemble,
    flat_rows,
    split,
    final_template,
)
from vending.model.template_lint import lint

GOLDEN = Path(__file__).parent / "golden"

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Description: "{{ baseline.description }}"
Parameters:
  VpcCidr:
    Type: String
  FlowLogTraffic:
    Type: String
    Default: REJECT
  Owner:
    Type: String
    Default: platform
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Ref VpcCidr
      Tags:
        - Key: Name
          Value: !Sub "vpc-${Owner}-${FlowLogTraffic}"
  FlowLog:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: !Ref Vpc
      ResourceType: VPC
      TrafficType: !Ref FlowLogTraffic
      LogDestinationType: s3
      LogDestination: !Sub "arn:${AWS::Partition}:s3:::logs-${AWS::AccountId}"
"""
IP = """ip_plan:
  prefix_length: 20
  pools:
    - {region: us-east-1, cidr: 10.0.0.0/12}
    - {region: eu-west-1, cidr: 10.16.0.0/12}
"""


def _repo(make_repo: MakeRepo, accounts: dict[str, str]) -> Path:
    files: dict[str, str | None] = {
        "vend.yaml": VEND.replace("[us-east-1]", "[us-east-1, eu-west-1]") + IP,
        "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\nbaselines: [vpc]\n",
        "baselines/vpc/baseline.yaml": "description: A VPC.\nparameters:\n  VpcCidr: {from: network}\n",
        "baselines/vpc/template.yaml": TEMPLATE,
        "accounts/app.yaml": None,
    }
    files.update(accounts)
    return make_repo(files)


def _account(name: str, cidrs: tuple[str, str], extra: str = "") -> str:
    return (f"name: {name}\nemail: {name}@example.com\nou: Apps\nowner: team\n{extra}"
            f"network:\n  us-east-1: {cidrs[0]}\n  eu-west-1: {cidrs[1]}\n")


def test_final_template_matches_golden(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, {
        "accounts/web.yaml": _account("web", ("10.0.0.0/20", "10.16.0.0/20")),
        "accounts/db.yaml": _account("db", ("10.0.16.0/20", "10.16.16.0/20"),
                                     "baselines:\n  vpc:\n    parameters: {FlowLogTraffic: ALL}\n"),
        "accounts/new.yaml": _account("new", ("10.0.32.0/20", "10.16.32.0/20")),  # id not known yet
    })
    org = load(root)
    spec = org.baselines["vpc"]
    rows = account_values(org, spec, {"web": "222222222222", "db": "111111111111"})
    assert rows == {
        "111111111111": {"FlowLogTraffic": "ALL", "VpcCidr": {"us-east-1": "10.0.16.0/20", "eu-west-1": "10.16.16.0/20"}},
        "222222222222": {"VpcCidr": {"us-east-1": "10.0.0.0/20", "eu-west-1": "10.16.0.0/20"}},
    }
    final = final_template(spec, rows)
    golden = json.loads((GOLDEN / "stackset-vpc.json").read_text())
    assert json.loads(final.body) == golden
    assert final.capabilities == ("CAPABILITY_AUTO_EXPAND",)
    assert final.parameters == ("FlowLogTraffic", "Owner")  # VpcCidr lives in the mappings only
    assert final.inline
    assert lint(final.body, spec.regions) == []  # cfn-lint resolves the transform and accepts it


def test_baseline_without_per_account_values_keeps_its_rendered_template(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, {
        "baselines/vpc/baseline.yaml": "description: A VPC.\nparameters:\n  VpcCidr: 10.0.0.0/16\n",
        "accounts/web.yaml": "name: web\nemail: web@example.com\nou: Apps\nowner: team\n",
    })
    org = load(root)
    spec = org.baselines["vpc"]
    final = final_template(spec, account_values(org, spec, {"web": "222222222222"}))
    assert final.body == spec.template == TEMPLATE.replace("{{ baseline.description }}", "A VPC.")
    assert final.capabilities == ()


def test_without_known_account_ids_the_template_is_the_rendered_one(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, {"accounts/web.yaml": _account("web", ("10.0.0.0/20", "10.16.0.0/20"))})
    org = load(root)
    spec = org.baselines["vpc"]
    assert account_values(org, spec, {}) == {}
    final = final_template(spec, {})
    assert final.body == spec.template and final.parameters == ("VpcCidr", "FlowLogTraffic", "Owner")


def test_5000_accounts_split_into_mappings_of_200_and_need_a_template_url(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, {"accounts/web.yaml": _account("web", ("10.0.0.0/20", "10.16.0.0/20"))})
    spec = load(root).baselines["vpc"]
    rows = {f"{100000000000 + i}": {"VpcCidr": {"us-east-1": f"10.{i // 16}.{(i % 16) * 16}.0/20",
                                                "eu-west-1": f"11.{i // 16}.{(i % 16) * 16}.0/20"}}
            for i in range(5000)}
    final = final_template(spec, rows)
    body = json.loads(final.body)
    shards = {name: rows_ for name, rows_ in body["Mappings"].items()}
    assert len(shards) == 25 and all(len(v) == MAX_KEYS_PER_MAPPING for v in shards.values())
    assert sorted(k for v in shards.values() for k in v) == sorted(rows)
    assert shards["VendAccounts1"]["100000000000"] == {"VpcCidreuwest1": "11.0.0.0/20", "VpcCidruseast1": "10.0.0.0/20"}
    assert not final.inline and INLINE_LIMIT < final.size < 1_000_000
    # The lookup chains through every shard, and a missing CIDR has no fallback (fails loudly).
    lookup = body["Resources"]["Vpc"]["Properties"]["CidrBlock"]
    depth = 0
    while lookup is not None:
        depth += 1
        args = lookup["Fn::FindInMap"]
        assert args[0] == f"VendAccounts{depth}"
        lookup = args[3]["DefaultValue"] if len(args) == 4 else None
    assert depth == 25


def test_too_many_accounts_for_200_mappings_is_a_clear_error(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, {"accounts/web.yaml": _account("web", ("10.0.0.0/20", "10.16.0.0/20"))})
    spec = load(root).baselines["vpc"]
    rows = {f"{100000000000 + i}": {"FlowLogTraffic": "ALL"} for i in range(200 * 200 + 1)}
    with pytest.raises(TemplateLimitError, match="need 201 mappings of 200"):
        final_template(spec, rows)


def test_split_and_assemble_round_trip_the_final_template(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, {
        "accounts/web.yaml": _account("web", ("10.0.0.0/20", "10.16.0.0/20")),
        "accounts/db.yaml": _account("db", ("10.0.16.0/20", "10.16.16.0/20"),
                                     "baselines:\n  vpc:\n    parameters: {FlowLogTraffic: ALL}\n"),
    })
    org = load(root)
    spec = org.baselines["vpc"]
    rows = account_values(org, spec, {"web": "222222222222", "db": "111111111111"})
    final = final_template(spec, rows)
    template, found = split(final.body)
    assert found == flat_rows(rows) == {
        "111111111111": {"FlowLogTraffic": "ALL", "VpcCidreuwest1": "10.16.16.0/20", "VpcCidruseast1": "10.0.16.0/20"},
        "222222222222": {"VpcCidreuwest1": "10.16.0.0/20", "VpcCidruseast1": "10.0.0.0/20"},
    }
    assert "Mappings" not in json.loads(template) and "Fn::FindInMap" in template
    assert json.loads(assemble(template, found)) == json.loads(final.body)
    # Read back as YAML from AWS or as JSON: the same split.
    assert split(json.dumps(json.loads(final.body), indent=4)) == (template, found)


def test_split_keeps_the_templates_own_mappings_and_an_unparsable_body() -> None:
    body = {"Mappings": {"Sizes": {"a": {"b": "c"}}, "VendAccounts1": {"1": {"X": "y"}}},
            "Resources": {"R": {"Type": "AWS::SNS::Topic"}}}
    template, rows = split(json.dumps(body))
    assert json.loads(template)["Mappings"] == {"Sizes": {"a": {"b": "c"}}} and rows == {"1": {"X": "y"}}
    assert split("  not: [valid\n") == ("not: [valid", {})
