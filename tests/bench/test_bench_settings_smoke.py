"""The contacts-and-support benchmark still runs, at a tiny size, and its request counts hold:
one GetAlternateContact per declared contact per active account (the API has no bulk read), one
trusted-access read and one DescribeCases page in all."""
from __future__ import annotations

from tests.bench import bench_settings

ACCOUNTS, OUS = 20, 6


def test_contact_reads_are_the_floor_and_support_is_one_read_in_all():
    result = bench_settings.run_size(ACCOUNTS, OUS, log=lambda _: None)
    assert result.enrolled >= ACCOUNTS - 3  # every active account (closed and suspended ones get none)
    assert result.contact_reads == result.contact_floor
    assert result.with_settings["ListAWSServiceAccessForOrganization"] == result.baseline["ListAWSServiceAccessForOrganization"] + 1
    assert result.support_reads == result.support_floor == 1
    extra = result.with_settings - result.baseline
    assert set(extra) == {"GetAlternateContact", "ListAWSServiceAccessForOrganization", "DescribeCases"}
    assert "request ratio" in bench_settings.report([result])
