"""The Private Marketplace reader against the emulator: ListEntities paged 50 at a time, one
DescribeEntity per entity, children matched to their experience, prerequisites read once."""
from __future__ import annotations

from pathlib import Path

from tests.local.marketplace_support import change, new_experience, run
from vending.aws.clients import AwsClients, CallCounter
from vending.local import LocalAws
from vending.state.marketplace import MarketplaceReader


def test_55_experiences_are_read_in_two_pages_each_with_its_policy_and_audience(tmp_path: Path) -> None:
    with LocalAws(tmp_path) as local:
        session = local.session()
        mp = session.client("marketplace-catalog", region_name="us-east-1")
        org_id = session.client("organizations").describe_organization()["Organization"]["Id"]
        for start in range(0, 55, 20):
            answer = run(mp, *[change("CreateExperience", Name=f"exp {i:02}") for i in range(start, min(start + 20, 55))])
            assert answer["Status"] == "SUCCEEDED"
        first = new_experience(mp, "Zeta")
        assert run(mp, change("CreateProcurementPolicy", first, Name="Zeta policy"),
                   change("AssociateAudience", first, Name="Zeta", Principals=[org_id]))["Status"] == "SUCCEEDED"
        counter = CallCounter()
        clients = AwsClients(session, observers=(counter,)).reader()
        live = MarketplaceReader(clients.client("marketplace-catalog", "us-east-1"), clients.organizations(),
                                 clients.client("iam", "us-east-1")).read()
    assert len(live.experiences) == 56 and [e.name for e in live.experiences][:2] == ["Zeta", "exp 00"]  # by name
    zeta = live.experience("Zeta")
    assert zeta is not None
    assert zeta.id == first.split("@")[0] and zeta.status == "Disabled"
    assert zeta.policy is not None and zeta.policy.requests == "Allow" and zeta.policy.allowed == ()
    assert zeta.audience is not None and zeta.audience.principals == (org_id,)
    assert zeta.revision == f"{zeta.id}@3"  # created, then a policy and an audience
    assert (live.trusted_access, live.service_role) == (False, False)
    assert counter.counts["ListEntities"] == 2 + 3  # Experience: 50 + 7; one page of each other type
    assert counter.counts["DescribeEntity"] == 56 + 2
    assert counter.counts["GetRole"] == 1 and counter.counts["ListAWSServiceAccessForOrganization"] == 1
