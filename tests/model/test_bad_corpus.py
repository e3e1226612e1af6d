"""The bad-input corpus: each tests/fixtures/bad/<case>/ is a small broken repository whose
expected.txt lists exactly the `file:line: CODE` findings `vend validate` must report."""
from __future__ import annotations

from pathlib import Path

import pytest

from vending.model.codes import CODES
from vending.model.loader import validate

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())


def _expected(case: Path) -> set[str]:
    return {line.strip() for line in (case / "expected.txt").read_text().splitlines() if line.strip()}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case_reports_exactly_the_expected_findings(case: Path) -> None:
    found = validate(case)
    assert {f"{d.file}:{d.line}: {d.code}" for d in found} == _expected(case)
    for diagnostic in found:
        assert diagnostic.message and diagnostic.hint, diagnostic.format()


def test_corpus_is_large_and_covers_every_code() -> None:
    assert len(CASES) >= 35
    covered = {line.split(": ")[-1] for case in CASES for line in _expected(case)}
    assert covered == set(CODES)
