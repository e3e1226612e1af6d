"""The catalog benchmark still runs, at a small size, and its counts hold: the plan's catalog
reads do not grow with the accounts, and one more portfolio costs one CreatePortfolioShare per
OU and a few calls of its own, nothing per account."""
from __future__ import annotations

from tests.bench import bench_catalog

PORTFOLIOS, OUS = 3, 4


def test_catalog_reads_do_not_grow_with_accounts_and_a_new_portfolio_is_o_of_ous():
    small, large = (bench_catalog.run_size(n, 12, PORTFOLIOS, OUS, log=lambda _: None) for n in (20, 60))
    assert small.catalog_reads == large.catalog_reads
    assert small.catalog_reads["DescribePortfolio"] == PORTFOLIOS
    assert small.catalog_reads["DescribePortfolioShares"] == 4 * PORTFOLIOS  # one per share type
    for result in (small, large):
        assert result.new_mutations == {"CreatePortfolio": 1, "AssociateProductWithPortfolio": 1,
                                        "AssociatePrincipalWithPortfolio": 1, "CreateConstraint": 1,
                                        "CreatePortfolioShare": OUS}
    assert "CreatePortfolioShare" in bench_catalog.report([small, large])
