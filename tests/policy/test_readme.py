"""The README's request-policy section stays in step with the codes and the schema."""
from __future__ import annotations

from pathlib import Path

from vending.model.loader import load
from vending.policy.codes import CODES
from vending.policy.spec import read

ROOT = Path(__file__).resolve().parents[2]


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("<!-- request-policy:start -->")[1].split("<!-- request-policy:end -->")[0]


def test_readme_lists_every_code_with_its_title_and_no_other() -> None:
    text = section()
    assert [code for code, title in CODES.items() if f"| {code} | {title} |" not in text] == []
    rows = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| R")]
    assert rows == list(CODES)


def test_readme_example_is_a_valid_policy_for_the_example_organization() -> None:
    block = section().split("```yaml\n")[1].split("```")[0]
    policy, found = read(block, "README.md", load(ROOT))
    assert [d.format() for d in found] == []
    assert policy is not None and policy.tag_values["environment"].allows("dev-x")
