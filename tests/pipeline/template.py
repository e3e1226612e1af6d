"""The pipeline template, read as CloudFormation reads it (short-form intrinsics expanded)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml

PIPELINE = Path(__file__).resolve().parents[2] / "pipeline"
TEMPLATE = PIPELINE / "vend-pipeline.yaml"


def load() -> dict[str, Any]:
    return json.loads(json.dumps(cfn_yaml.loads(TEMPLATE.read_text())))


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in template["Resources"].items() if r["Type"] == kind}


def role_of(project: dict[str, Any]) -> str:
    """The logical id of a CodeBuild project's service role (ServiceRole: !GetAtt Role.Arn)."""
    return project["ServiceRole"]["Fn::GetAtt"][0]


def statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """Every statement of the managed and inline policies of the role `role`."""
    props = template["Resources"][role]["Properties"]
    docs = [template["Resources"][ref["Ref"]]["Properties"]["PolicyDocument"] for ref in props.get("ManagedPolicyArns", [])]
    docs += [p["PolicyDocument"] for p in props.get("Policies", [])]
    return [s for doc in docs for s in doc["Statement"]]


def actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else action
