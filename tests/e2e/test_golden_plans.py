"""Golden plans: the example organization's first plan, in text and JSON, byte for byte.

Ids that AWS (or the emulator) generates, the fingerprint and the timestamp are replaced by
placeholders; everything else, including order, reasons and field-level diffs, must match.
Regenerate after an intended change with: python -m tests.e2e.regen_golden
"""
from __future__ import annotations

import re
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"

VOLATILE = [
    (re.compile(r"sha256:[0-9a-f]{64}"), "sha256:<fingerprint>"),
    (re.compile(r"fingerprint: [0-9a-f]{12}"), "fingerprint: <fingerprint>"),
    (re.compile(r'"created_at": "[^"]*"'), '"created_at": "<time>"'),
    (re.compile(r"\br-[0-9a-z]{4,32}\b"), "r-<id>"),
    (re.compile(r"\bou-[0-9a-z]{4,32}-[0-9a-z]{8,32}\b"), "ou-<id>"),
    (re.compile(r"\b\d{12}\b"), "<account-id>"),
    (re.compile(r"\bcase \d{11}\b"), "case <display-id>"),  # support cases' display ids are random
]


CONTACTS_READ = re.compile(r'^(    "contacts": \[\n)(.*?)^(    \])', re.M | re.S)
PAIR = re.compile(r'\[\s*("[^"]*"),\s*("[^"]*")\s*\]')


def normalise(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return CONTACTS_READ.sub(_sorted_pairs, text)


def _sorted_pairs(found: re.Match) -> str:
    """read_scope.contacts is sorted by account id, which the emulator draws at random: once
    the ids are placeholders, sort the (account, type) pairs again so the order is stable."""
    pairs = sorted(PAIR.findall(found.group(2)))
    body = ",\n".join(f"      [\n        {account},\n        {kind}\n      ]" for account, kind in pairs)
    return f"{found.group(1)}{body}\n{found.group(3)}"


def first_plan(vend, repo: Path, fmt: str) -> str:
    result = vend(repo, "plan", "--format", fmt)
    assert result.code == 0, result.err
    return normalise(result.out)


def moved_plan(vend, repo: Path, fmt: str) -> str:
    vend(repo, "apply", "--auto-approve")
    path = repo / "accounts" / "payments-dev.yaml"
    path.write_text(path.read_text().replace("Workloads/Dev", "Workloads/Test").replace(
        "cost-center: payments", "cost-center: payments-platform"))
    result = vend(repo, "plan", "--format", fmt)
    assert result.code == 0, result.err
    return normalise(result.out)


CASES = {
    "example-first-plan.txt": (first_plan, "text"),
    "example-first-plan.json": (first_plan, "json"),
    "example-move-and-retag.txt": (moved_plan, "text"),
    "example-move-and-retag.json": (moved_plan, "json"),
}


def check(name: str, example, vend) -> None:
    make, fmt = CASES[name]
    assert make(vend, example, fmt) == (GOLDEN / name).read_text()


def test_first_plan_text(example, vend):
    check("example-first-plan.txt", example, vend)


def test_first_plan_json(example, vend):
    check("example-first-plan.json", example, vend)


def test_move_and_retag_text(example, vend):
    check("example-move-and-retag.txt", example, vend)


def test_move_and_retag_json(example, vend):
    check("example-move-and-retag.json", example, vend)
