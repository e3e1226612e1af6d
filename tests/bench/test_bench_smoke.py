"""The benchmarks still run, at a tiny size; no timing is asserted (timings are for the README).

Both benchmarks fail by themselves when the synthetic organization does not plan zero changes.
"""
from __future__ import annotations

from tests.bench import bench_compute, bench_plan, synthetic
from vending.model.loader import load, validate
from vending.plan.build import build_plan

ACCOUNTS, OUS = 20, 6


def test_synthetic_repository_is_valid_and_matches_its_live_org(tmp_path):
    org = synthetic.generate(ACCOUNTS, OUS)
    assert len(org.accounts) == ACCOUNTS and len(org.ous) == OUS
    assert max(len(path) for path in org.ous) <= 3
    assert any(a.state == "suspended" for a in synthetic.generate(200, OUS).accounts)
    repo = synthetic.write_repo(org, tmp_path / "repo")
    assert validate(repo) == []
    assert all(4 <= len(org.effective_tags(a)) <= 6 for a in org.accounts)
    plan = build_plan(load(repo), synthetic.live_org(org))
    synthetic.assert_no_changes(plan, "smoke")
    assert not [n for n in plan.notes if n.kind == "unmanaged"]


def test_plan_benchmark_runs_on_a_tiny_organization():
    result = bench_plan.run_size(ACCOUNTS, OUS, repeat=1, log=lambda _: None)
    assert result.minimal.counts["ListTagsForResource"] == ACCOUNTS
    assert result.plan.requests >= result.minimal.requests
    assert "ListParents" not in result.plan.counts
    text = bench_plan.report([result], 1)
    assert "ListTagsForResource" in text and "target" in text


def test_compute_benchmark_runs_in_a_subprocess():
    result = bench_compute.run(ACCOUNTS, OUS)
    assert (result["accounts"], result["ous"]) == (ACCOUNTS, OUS)
    assert result["peak_rss_mb"] > 0 and result["total"] >= 0
    assert "peak RSS" in bench_compute.report(result)
