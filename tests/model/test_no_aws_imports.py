"""House rule 1: vending/model never imports boto3 or botocore (the Region list is a copied JSON
file for that reason)."""
from __future__ import annotations

import ast
from pathlib import Path

MODEL = Path(__file__).resolve().parents[2] / "vending" / "model"


def test_model_imports_no_aws_sdk() -> None:
    offenders = []
    for path in sorted(MODEL.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("boto3", "botocore")]
    assert offenders == []
