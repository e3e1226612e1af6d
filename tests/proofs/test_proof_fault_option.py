"""vend.yaml `target: {kind: local, faults: ...}`: checked by the schema, injected by the
in-process emulator, and deterministic for a given seed."""
from __future__ import annotations

import pytest

from tests.proofs.readback import dump
from tests.proofs.repos import copy_example, vend
from vending.local import LocalAws
from vending.local.faults import Faults

LOCAL = "target:\n  kind: local\n  state_dir: .vend\n"


def with_target(tmp_path, block: str):
    return copy_example(tmp_path / "repo", target=block)


def test_a_fail_fault_from_vend_yaml_fails_that_call_and_a_run_without_it_converges(tmp_path):
    faults = "  faults:\n    fail:\n      - operation: CreateAccount\n        on_call: 2\n"
    repo = with_target(tmp_path, LOCAL + faults)
    applied = vend(repo, "apply", "--auto-approve")
    assert applied.code == 1
    failed = [line for line in applied.err.splitlines() if line.startswith("Failed: ")]
    assert len(failed) == 1 and failed[0].startswith("Failed: account:") and "ServiceException" in failed[0]
    with LocalAws(repo / ".vend") as aws:
        assert len(dump(aws.session())["accounts"]) == 12 - 1  # the example's accounts, one short
    settings = repo / "vend.yaml"
    settings.write_text(settings.read_text().replace(faults, ""))
    assert vend(repo, "apply", "--auto-approve").code == 0
    assert vend(repo, "plan", "--detailed-exitcode").code == 0


def test_an_unknown_operation_is_named_with_its_place_in_vend_yaml(tmp_path):
    faults = "  faults:\n    throttle:\n      - operation: CreateAcount\n"
    result = vend(with_target(tmp_path, LOCAL + faults), "plan")
    assert result.code == 1
    assert result.err == (
        "Error: vend.yaml: target.faults.throttle[0].operation: organizations has no operation "
        "'CreateAcount' (use the API name, e.g. ListAccountsForParent)\n"
    )


@pytest.mark.parametrize("block, finding", [
    ("target:\n  kind: aws\n  faults:\n    throttle_rate: 0.2\n",
     "vend.yaml:10: V010 target.faults: faults is for kind: local only"),
    ("target:\n  kind: local\n  endpoint: http://127.0.0.1:4566\n  faults:\n    seed: 1\n",
     "V010 target.faults: faults are injected by the in-process emulator only: with endpoint, remove faults"),
    (LOCAL + "  faults:\n    throttle_rate: 1.5\n",
     "V013 target.faults.throttle_rate: the number 1.5 is out of range: must be at most 0.9"),
    (LOCAL + "  faults:\n    fail:\n      - operation: CreateAccount\n        oncall: 2\n",
     "vend.yaml:14: V010 target.faults.fail[0].oncall: unknown key \"oncall\" (did you mean \"on_call\"?)"),
    ("target:\n  kind: aws\n  endpoint: http://127.0.0.1:4566\n",
     "V010 target.endpoint: endpoint is for kind: local only"),
])
def test_the_schema_checks_the_options(tmp_path, block, finding):
    result = vend(with_target(tmp_path, block), "validate")
    assert result.code == 1
    assert finding in result.err, result.err


def draws(faults: Faults, calls: int = 400) -> list[bool]:
    return [faults.take("organizations", "ListAccounts") is not None for _ in range(calls)]


def test_the_throttle_rate_is_seeded_and_applies_to_every_service():
    first, second, other = Faults(), Faults(), Faults()
    first.throttle_rate(0.2, seed=7)
    second.throttle_rate(0.2, seed=7)
    other.throttle_rate(0.2, seed=8)
    pattern = draws(first)
    assert pattern == draws(second) != draws(other)
    assert 60 < sum(pattern) < 100 and first.rate_throttled == sum(pattern)
    error = first.take("servicecatalog", "ProvisionProduct")
    while error is None:
        error = first.take("servicecatalog", "ProvisionProduct")
    assert (error.code, error.message) == ("ThrottlingException", "Rate exceeded")
    first.clear()
    assert not any(draws(first))
    with pytest.raises(ValueError):
        first.throttle_rate(1.0)
