"""The README's format section stays in step with the code table and the schemas."""
from __future__ import annotations

from pathlib import Path

from vending.model.codes import CODES

README = Path(__file__).resolve().parents[2] / "README.md"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("<!-- format:start -->")[1].split("<!-- format:end -->")[0]


def test_doc_lists_every_code_with_its_title() -> None:
    text = section()
    missing = [code for code, title in CODES.items() if f"| {code} | {title} |" not in text]
    assert missing == []


def test_doc_lists_no_unknown_code() -> None:
    rows = [line for line in section().splitlines() if line.startswith("| V")]
    assert sorted(row.split("|")[1].strip() for row in rows) == sorted(CODES)


def test_doc_examples_satisfy_their_schemas() -> None:
    from vending.model.schema_check import check
    from vending.model.yaml_source import parse

    blocks = section().split("```yaml\n")[1:]
    kinds = []
    for block in blocks:
        text = block.split("```")[0]
        kind = ("ou" if text.startswith("# ous/") else "account" if text.startswith("# accounts/")
                else "baseline" if text.startswith("# baselines/")
                else "permission-set" if text.startswith("# identity/permission-sets/")
                else "tagoptions" if text.startswith("# catalog/tagoptions.yaml")
                else "product" if text.startswith("# catalog/products/")
                else "portfolio" if text.startswith("# catalog/portfolios/")
                else "marketplace" if text.startswith("# catalog/marketplace/")
                else "license" if text.startswith("# catalog/licenses/") else "vend")
        parsed = parse(text)
        found, _ = check(kind, "README.md", parsed.data, parsed.lines)
        assert [d.format() for d in found] == []
        kinds.append(kind)
    assert kinds == ["vend", "ou", "account", "baseline", "ou", "permission-set", "tagoptions", "product", "portfolio", "portfolio",
                     "marketplace", "marketplace", "license"]
