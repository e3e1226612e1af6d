"""Baselines as the loader reads them: specs with file:line references, rendering, warnings."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.model.repo import VEND, MakeRepo
from vending.model import template_lint
from vending.model.loader import load, validate
from vending.model.baseline_types import BaselineRef, FromNetwork

REPO_ROOT = Path(__file__).resolve().parents[2]
BUCKET = """Resources:
  Bucket:
    Type: AWS::S3::Bucket
"""


def test_example_baselines_load_with_their_settings_and_lines() -> None:
    org = load(REPO_ROOT)
    # catalog-security-alarms: the enforced portfolio's stack set (vending.model.catalog_enforced)
    assert sorted(org.baselines) == ["audit-role", "catalog-security-alarms", "logging-bucket", "vpc"]
    vpc = org.baselines["vpc"]
    assert vpc.parameters == {"VpcCidr": FromNetwork(None), "FlowLogTraffic": "REJECT"}
    assert vpc.regions == ("us-east-1", "eu-west-1") and vpc.depends_on == ("logging-bucket",)
    assert "PrivateSubnet1:" in vpc.template and "{%" not in vpc.template and "{%" in vpc.template_source
    assert vpc.template.startswith('AWSTemplateFormatVersion: "2010-09-09"\nDescription: "The account\'s VPC')
    audit = org.baselines["audit-role"]
    assert audit.capabilities == ("CAPABILITY_NAMED_IAM",) and audit.regions == ("us-east-1",)
    assert audit.operation_preferences.max_concurrent_percentage == 25
    assert audit.operation_preferences.failure_tolerance_count == 0
    assert org.baselines["logging-bucket"].retain_stacks_on_account_removal is True
    assert org.ous[("Workloads",)].baselines == (BaselineRef("vpc", "ous/Workloads/ou.yaml:6"),)
    assert org.root.baselines == (BaselineRef("logging-bucket", "ous/ou.yaml:11"),)
    prod = org.accounts["payments-prod"]
    assert prod.baselines["vpc"].parameters == {"FlowLogTraffic": "ALL"}
    assert prod.baselines["vpc"].at == "accounts/payments-prod.yaml:10"
    assert prod.network["us-east-1"].cidr == "10.0.16.0/20"
    assert prod.network["us-east-1"].at == "accounts/payments-prod.yaml:14"
    assert org.accounts["sandbox-bob"].baselines["logging-bucket"].exclude is True
    assert org.baseline_targets("vpc") == (("Workloads",),)
    assert org.baseline_targets("logging-bucket") == ((),)


def test_a_baseline_targets_the_highest_ous_that_list_it(make_repo: MakeRepo) -> None:
    root = make_repo(_files(**{
        "ous/Apps/Web/ou.yaml": "baselines: [logs]\n",
        "ous/Data/ou.yaml": "baselines: [logs]\n",
        "ous/Data/Lake/Raw/ou.yaml": "baselines: [logs]\n",
        "ous/Data/Lake/ou.yaml": "",
    }))
    assert load(root).baseline_targets("logs") == (("Apps",), ("Data",))


def _files(**extra: str | None) -> dict[str, str | None]:
    files: dict[str, str | None] = {
        "vend.yaml": VEND.replace("[us-east-1]", "[us-east-1, eu-west-1]"),
        "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\nbaselines: [logs]\n",
        "baselines/logs/baseline.yaml": "description: Logs.\n",
        "baselines/logs/template.yaml": BUCKET,
    }
    files.update(extra)
    return files


def test_a_warning_alone_does_not_fail_load_or_validate(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture) -> None:
    root = make_repo(_files(**{"ous/ou.yaml": "baselines: [logs]\n"}))
    [warning] = validate(root)
    assert (warning.code, warning.severity) == ("V612", "warning")
    assert warning.format().startswith("ous/Apps/ou.yaml:3: V612 baselines[0]: warning: logs is also listed on Root")
    assert load(root).baselines["logs"].name == "logs"
    from vending.cli import main

    monkeypatch.setattr(sys, "argv", ["vend", "--repo", str(root), "validate"])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    assert exited.value.code == 0
    assert "V612" in err and out == "The repository is valid. (1 warning(s))\n"


def test_cfn_lint_runs_once_per_baseline_with_its_regions(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, ...]] = []
    real = template_lint.lint

    def counting(text: str, regions: tuple[str, ...]):
        calls.append(regions)
        return real(text, regions)

    monkeypatch.setattr(template_lint, "lint", counting)
    accounts = {f"accounts/a{i}.yaml": f"name: a{i}\nemail: a{i}@example.com\nou: Apps\nowner: team\n" for i in range(30)}
    root = make_repo(_files(**accounts, **{
        "accounts/app.yaml": None,
        "baselines/keys/baseline.yaml": "description: Keys.\nregions: [eu-west-1]\n",
        "baselines/keys/template.yaml": BUCKET,
        "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\nbaselines: [logs, keys]\n",
    }))
    assert validate(root) == []
    assert sorted(calls) == [("eu-west-1",), ("us-east-1", "eu-west-1")]


def test_cfn_lint_findings_point_at_the_template_source_line(make_repo: MakeRepo) -> None:
    template = """Resources:
{% for name in ["A", "B"] %}
  Bucket{{ name }}:
    Type: AWS::S3::Bucket
{% endfor %}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Colour: blue
"""
    root = make_repo(_files(**{"baselines/logs/template.yaml": template}))
    [found] = validate(root)
    assert (found.file, found.line, found.code) == ("baselines/logs/template.yaml", 9, "V604")
    assert found.message == "cfn-lint E3002: Additional properties are not allowed ('Colour' was unexpected) (rendered line 12)"


def test_templates_render_in_a_sandbox(make_repo: MakeRepo) -> None:
    root = make_repo(_files(**{"baselines/logs/template.yaml": "Description: \"{{ ''.__class__.__mro__ }}\"\n" + BUCKET}))
    [found] = validate(root)
    assert (found.file, found.line, found.code) == ("baselines/logs/template.yaml", 1, "V603")
    assert "unsafe" in found.message


def test_a_template_that_outgrows_the_inline_limit_with_its_accounts_rows_needs_a_bucket(make_repo: MakeRepo) -> None:
    vpc = "Parameters:\n  Cidr:\n    Type: String\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Ref Cidr\n"
    ip = "ip_plan:\n  prefix_length: 24\n  pools:\n    - {region: us-east-1, cidr: 10.0.0.0/8}\n    - {region: eu-west-1, cidr: 11.0.0.0/8}\n"
    accounts = {
        f"accounts/a{i}.yaml": (f"name: a{i}\nemail: a{i}@example.com\nou: Apps\nowner: team\n"
                                f"network:\n  us-east-1: 10.{i // 256}.{i % 256}.0/24\n  eu-west-1: 11.{i // 256}.{i % 256}.0/24\n")
        for i in range(700)
    }
    files = _files(**accounts, **{
        "accounts/app.yaml": None,
        "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\nbaselines: [vpc]\n",
        "baselines/logs/baseline.yaml": None, "baselines/logs/template.yaml": None,
        "baselines/vpc/baseline.yaml": "description: A VPC.\nparameters:\n  Cidr: {from: network}\n",
        "baselines/vpc/template.yaml": vpc,
    })
    files["vend.yaml"] += ip
    root = make_repo(files)
    [found] = validate(root)
    assert (found.file, found.line, found.code) == ("baselines/vpc/template.yaml", 1, "V607")
    assert found.message.startswith("with the per-account values of the accounts it reaches, the stack set's template is ")
    (root / "vend.yaml").write_text(files["vend.yaml"] + "template_bucket: vend-templates-example\n")
    assert validate(root) == []
